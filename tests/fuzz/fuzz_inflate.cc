// Fuzz target: the deflate framing every message body passes through first.
// A hostile body must give an error or at most the allowed number of bytes,
// whatever it claims to expand to.
#include <cstdlib>

#include "sync/protocol/messages.h"
#include "tests/fuzz/fuzz_input.h"

using namespace hallsync;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  const int version = (in.byte() & 1) ? protocol::kCurrentVersion : protocol::kOldestVersion;
  constexpr std::size_t kLimit = 64 * 1024;  // small, so a bomb is caught quickly
  auto raw = protocol::decompress(in.rest(), version, kLimit);
  if (raw && raw->size() > kLimit) std::abort();
  return 0;
}
