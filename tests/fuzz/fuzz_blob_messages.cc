// Fuzz target: the blob endpoints' messages — what a hub decodes from a device
// (an offer, a read) and what a device decodes from a hub (the hub's state of
// a blob: which byte ranges it holds). The input is the message before
// compression (see fuzz_input.h). A message that decodes must encode back to
// itself, and a state's held ranges and its missing ranges must tile the blob.
#include "sync/protocol/blob_messages.h"
#include "tests/fuzz/fuzz_input.h"

using namespace hallsync;
using namespace hallsync::protocol;
using fuzz::same_or_abort;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto [which, version, body] = fuzz::message_input(data, size);
  switch (which) {
    case 0: {
      auto m = decode_blob_offer(body, version);
      if (!m) break;
      auto again = decode_blob_offer(encode(*m, version), version);
      same_or_abort(again.is_ok() && again->device_id == m->device_id && again->sha256 == m->sha256 &&
                    again->size == m->size && again->case_id == m->case_id);
      break;
    }
    case 1: {
      auto m = decode_blob_read(body, version);
      if (!m) break;
      auto again = decode_blob_read(encode(*m, version), version);
      same_or_abort(again.is_ok() && again->device_id == m->device_id && again->sha256 == m->sha256 &&
                    again->offset == m->offset && again->length == m->length);
      break;
    }
    default: {
      auto m = decode_blob_state(body, version);
      if (!m) break;
      auto again = decode_blob_state(encode(*m, version), version);
      same_or_abort(again.is_ok() && again->sha256 == m->sha256 && again->size == m->size &&
                    again->complete == m->complete && again->held == m->held && again->max_chunk == m->max_chunk);
      std::int64_t covered = 0;
      for (const auto& r : m->held) covered += r.end - r.begin;
      for (const auto& r : missing_ranges(m->held, m->size)) covered += r.end - r.begin;
      same_or_abort(m->complete || covered == m->size);
      break;
    }
  }
  return 0;
}
