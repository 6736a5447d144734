// Clock: the source of wall time, injected so tests can set skewed or
// jumping clocks (hall PCs often have wrong clocks).
#pragma once

#include <cstdint>
#include <string>

namespace hallsync {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch, as this machine believes.
  virtual std::int64_t now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const override;
  // The process's clock; tests may shift it (HALLSYNC_TEST_CLOCK_OFFSET_MS).
  static const SystemClock& instance();

 private:
  std::int64_t test_offset_ms_ = 0;
};

// "2026-11-29T07:30:00Z": a time for technicians' messages and logs.
std::string utc_timestamp(std::int64_t ms_since_epoch);

// A clock the test moves by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ms) : now_(start_ms) {}
  std::int64_t now_ms() const override { return now_; }
  void set(std::int64_t ms) { now_ = ms; }
  void advance(std::int64_t ms) { now_ += ms; }

 private:
  std::int64_t now_;
};

// Another clock shifted by a fixed amount (a hub started with a wrong clock,
// for tests of the technician's clock check).
class OffsetClock final : public Clock {
 public:
  OffsetClock(const Clock& base, std::int64_t offset_ms) : base_(&base), offset_(offset_ms) {}
  std::int64_t now_ms() const override { return base_->now_ms() + offset_; }

 private:
  const Clock* base_;
  std::int64_t offset_;
};

}  // namespace hallsync
