// Fuzz target: what a hub decodes from a device (push, pull and digest
// requests, both protocol versions, and the events inside a push). The input
// is the message before compression, so mutations reach the parser instead of
// dying in the deflate framing (fuzz_inflate covers that). A request that
// decodes must encode back to the same message.
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
      auto m = decode_push_request(body, version);
      if (!m) break;
      for (const auto& e : m->entries) {
        auto event = decode_event(reinterpret_cast<const std::uint8_t*>(e.payload.data()), e.payload.size());
        (void)event;  // an error is a fine answer; a crash is not
      }
      auto again = decode_push_request(encode(*m, version), version);
      same_or_abort(again.is_ok() && again->device_id == m->device_id && again->entries == m->entries &&
                    (version < 2 || again->report == m->report) && again->chained == m->chained &&
                    again->chain_before == m->chain_before && again->chain_head == m->chain_head);
      break;
    }
    case 1: {
      auto m = decode_pull_request(body, version);
      if (!m) break;
      auto again = decode_pull_request(encode(*m, version), version);
      same_or_abort(again.is_ok() && again->device_id == m->device_id && again->after == m->after &&
                    again->max_changes == m->max_changes && again->include_own == m->include_own);
      break;
    }
    default: {
      auto m = decode_digest_request(body, version);
      if (!m) break;
      auto again = decode_digest_request(encode(*m, version), version);
      same_or_abort(again.is_ok() && again->device_id == m->device_id && again->bucket == m->bucket);
      break;
    }
  }
  return 0;
}
