// System wall clock and the hybrid logical clock.
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "sync/api/clock.h"
#include "sync/api/hlc.h"

namespace hallsync {

std::int64_t SystemClock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() + test_offset_ms_;
}

// TEST ONLY: HALLSYNC_TEST_CLOCK_OFFSET_MS shifts this process's clock, so the
// seeded reliability runs can give each hall process a wrong clock (a dead
// CMOS battery) and make it jump between runs. Announced on stderr, so it can
// never pass unnoticed on a real hall PC.
const SystemClock& SystemClock::instance() {
  static const SystemClock clock = [] {
    SystemClock c;
    const char* text = std::getenv("HALLSYNC_TEST_CLOCK_OFFSET_MS");
    c.test_offset_ms_ = text ? std::strtoll(text, nullptr, 10) : 0;
    if (c.test_offset_ms_ != 0) std::cerr << "TEST ONLY: clock shifted by " << c.test_offset_ms_ << " ms" << std::endl;
    return c;
  }();
  return clock;
}

Hlc HlcClock::tick() {
  std::int64_t wall = clock_->now_ms();
  if (wall > last_.physical_ms()) {
    last_ = Hlc::from_parts(wall, 0);
  } else if (last_.counter() < 0xffffu) {
    last_ = Hlc{last_.value + 1};
  } else {
    // Counter exhausted within one millisecond: borrow the next millisecond.
    last_ = Hlc::from_parts(last_.physical_ms() + 1, 0);
  }
  return last_;
}

Hlc HlcClock::tick_above(Hlc floor) {
  Hlc t = tick();
  return t > floor ? t : Hlc{floor.value + 1};
}

void HlcClock::observe(Hlc remote, std::int64_t max_drift_ms) {
  if (remote <= last_) return;
  if (remote.physical_ms() > clock_->now_ms() + max_drift_ms) return;
  last_ = remote;
}

std::string utc_timestamp(std::int64_t ms_since_epoch) {
  std::time_t t = static_cast<std::time_t>(ms_since_epoch / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace hallsync
