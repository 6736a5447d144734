// Backoff arithmetic.
#include "sync/api/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace hallsync {

std::chrono::milliseconds RetryPolicy::delay(int attempt, double random01) const {
  double base = static_cast<double>(initial.count()) * std::pow(multiplier, std::max(0, attempt - 1));
  base = std::min(base, static_cast<double>(max.count()));
  double r = std::clamp(random01, 0.0, 1.0);
  double d = base * (1.0 - jitter * r);
  return std::chrono::milliseconds(static_cast<std::int64_t>(d));
}

}  // namespace hallsync
