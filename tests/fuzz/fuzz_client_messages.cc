// Fuzz target: what a device decodes from a hub (push, pull and digest
// responses, both protocol versions, and the events inside a pulled page).
// The input is the message before compression (see fuzz_hub_messages.cc). A
// response that decodes must encode back to the same message.
#include "sync/api/event_codec.h"
#include "sync/protocol/messages.h"
#include "tests/fuzz/fuzz_input.h"

using namespace hallsync;
using namespace hallsync::protocol;

using fuzz::same_or_abort;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto [which, version, body] = fuzz::message_input(data, size);
  switch (which) {
    case 0: {
      auto m = decode_push_response(body, version);
      if (!m) break;
      auto again = decode_push_response(encode(*m, version), version);
      same_or_abort(again.is_ok() && again->acknowledged_through == m->acknowledged_through &&
                    again->rejected == m->rejected && again->server_time_ms == m->server_time_ms &&
                    again->hub_epoch == m->hub_epoch);
      break;
    }
    case 1: {
      auto m = decode_pull_response(body, version);
      if (!m) break;
      for (const auto& c : m->changes) {
        auto event = decode_event(reinterpret_cast<const std::uint8_t*>(c.payload.data()), c.payload.size());
        (void)event;  // an error is a fine answer; a crash is not
      }
      auto again = decode_pull_response(encode(*m, version), version);
      same_or_abort(again.is_ok() && again->changes == m->changes && again->next_cursor == m->next_cursor &&
                    again->has_more == m->has_more && again->server_time_ms == m->server_time_ms &&
                    again->hub_epoch == m->hub_epoch);
      break;
    }
    default: {
      auto m = decode_digest_response(body, version);
      if (!m) break;
      auto again = decode_digest_response(encode(*m, version), version);
      same_or_abort(again.is_ok() && again->buckets == m->buckets && again->events == m->events &&
                    again->server_time_ms == m->server_time_ms && again->hub_epoch == m->hub_epoch);
      break;
    }
  }
  return 0;
}
