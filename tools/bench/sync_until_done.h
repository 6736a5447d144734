// How the link benchmarks run one sync direction over a link that may fail a
// session: retried at once until it succeeds, as `hallctl sync --retries`
// would (without the back-off), and timed from the first attempt.
// Header-only: each bench is a single executable.
#pragma once

#include <chrono>

#include "sync/api/replicator.h"

namespace hallsync::bench {

// Seconds until push (or pull) succeeded; `retries` counts failed sessions.
// A non-network error, or 100 failed sessions in a row, is returned.
inline Result<double> timed_until_done(Replicator& r, bool push, int& retries) {
  auto t0 = std::chrono::steady_clock::now();
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto s = push ? r.push() : r.pull();
    if (s) return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s.status().kind() != ErrorKind::Network) return s.status();
    ++retries;
  }
  return Status::network("100 sync sessions in a row failed");
}

}  // namespace hallsync::bench
