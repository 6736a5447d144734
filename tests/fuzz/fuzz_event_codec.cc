// Fuzz target: the case-event codec, which reads bytes from the outbox, the
// local event table and both directions of the wire. Any input must give an
// event or an error; an event must re-encode to bytes that decode to itself.
#include <cstdlib>

#include "sync/api/event_codec.h"

using namespace hallsync;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto event = decode_event(data, size);
  if (!event) return 0;
  const auto once = encode_event(*event);
  auto again = decode_event(once);
  if (!again || encode_event(*again) != once) std::abort();
  return 0;
}
