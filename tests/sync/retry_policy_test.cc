#include <catch2/catch.hpp>

#include "sync/api/retry_policy.h"

using namespace hallsync;
using namespace std::chrono_literals;

TEST_CASE("Backoff doubles from the initial delay and stops at the cap", "[sync][retry]") {
  RetryPolicy p;
  p.jitter = 0;
  CHECK(p.delay(1, 0.3) == 2000ms);
  CHECK(p.delay(2, 0.3) == 4000ms);
  CHECK(p.delay(5, 0.3) == 32000ms);
  CHECK(p.delay(30, 0.3) == 300000ms);
  CHECK(p.delay(1000, 0.3) == 300000ms);
}

TEST_CASE("Jitter keeps every delay within its band", "[sync][retry]") {
  RetryPolicy p;
  for (int attempt = 1; attempt < 12; ++attempt) {
    auto hi = p.delay(attempt, 0.0), lo = p.delay(attempt, 0.999999);
    CHECK(lo <= hi);
    CHECK(lo.count() >= hi.count() / 2 - 1);
    CHECK(hi <= p.max);
  }
}
