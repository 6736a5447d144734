// RetryPolicy: exponential backoff with jitter for transient sync failures.
// Sans-I/O: it only computes delays; the caller sleeps or schedules a timer.
#pragma once

#include <chrono>
#include <cstdint>

namespace hallsync {

struct RetryPolicy {
  std::chrono::milliseconds initial{2'000};
  std::chrono::milliseconds max{5 * 60'000};  // a dead link is retried at least every 5 minutes
  double multiplier = 2.0;
  // Each delay is drawn from [d * (1 - jitter), d]: spreads a thousand halls'
  // retries after a hub outage instead of having them return in lockstep.
  double jitter = 0.5;

  // Delay before retry number `attempt` (1 = first retry); `random01` in [0, 1).
  std::chrono::milliseconds delay(int attempt, double random01) const;
};

}  // namespace hallsync
