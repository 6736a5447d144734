// PeriodicJob, the timer behind scheduled blob garbage collection: first run
// after the first delay, then every period, and a destructor that returns at
// once even when the next run is a day away. Milliseconds stand in for days.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "sync/api/periodic_job.h"

using namespace hallsync;
using namespace std::chrono_literals;

namespace {
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 5000ms) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return pred();
}
}  // namespace

TEST_CASE("A periodic job runs shortly after start and then once per period", "[periodic]") {
  std::atomic<int> calls{0};
  auto start = std::chrono::steady_clock::now();
  PeriodicJob job({20ms, 30ms}, [&] { ++calls; });
  REQUIRE(eventually([&] { return job.runs() >= 3; }));
  auto elapsed = std::chrono::steady_clock::now() - start;
  // first delay + two periods at least: it never runs early.
  CHECK(elapsed >= 80ms);
  CHECK(calls.load() >= 3);
}

TEST_CASE("A periodic job does not run before its first delay and stops at once when destroyed", "[periodic]") {
  std::atomic<int> calls{0};
  auto start = std::chrono::steady_clock::now();
  {
    PeriodicJob job({std::chrono::hours(1), std::chrono::hours(24)}, [&] { ++calls; });
    std::this_thread::sleep_for(30ms);
    CHECK(job.runs() == 0);
  }
  CHECK(calls.load() == 0);
  CHECK(std::chrono::steady_clock::now() - start < 2s);
}

TEST_CASE("A slow run delays the next one rather than overlapping it", "[periodic]") {
  std::atomic<int> inside{0}, most{0};
  PeriodicJob job({0ms, 1ms}, [&] {
    int now = ++inside;
    if (now > most) most = now;
    std::this_thread::sleep_for(15ms);
    --inside;
  });
  REQUIRE(eventually([&] { return job.runs() >= 3; }));
  CHECK(most.load() == 1);
}
