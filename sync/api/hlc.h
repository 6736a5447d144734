// Hybrid logical clock: 48 bits of milliseconds and 16 bits of counter in one
// uint64, so timestamps compare as integers. A device's HLC never goes
// backwards, even if its wall clock does, so its own events keep their order.
#pragma once

#include <cstdint>

#include "sync/api/clock.h"

namespace hallsync {

struct Hlc {
  std::uint64_t value = 0;

  static constexpr int kCounterBits = 16;
  static Hlc from_parts(std::int64_t ms, std::uint32_t counter) {
    return Hlc{(static_cast<std::uint64_t>(ms) << kCounterBits) | (counter & 0xffffu)};
  }
  std::int64_t physical_ms() const { return static_cast<std::int64_t>(value >> kCounterBits); }
  std::uint32_t counter() const { return static_cast<std::uint32_t>(value & 0xffffu); }
  friend auto operator<=>(const Hlc&, const Hlc&) = default;
};

class HlcClock {
 public:
  // `last` is the highest HLC this device has issued or seen (persisted by the store).
  HlcClock(const Clock& clock, Hlc last) : clock_(&clock), last_(last) {}

  // A timestamp for a local event, strictly greater than every earlier one.
  Hlc tick();
  // A timestamp for a local event that must sort after `floor` (the latest
  // event of the same case): causality within a case, which the fold's order
  // needs, even when `floor` came from a clock far ahead that observe() would
  // not adopt. Then it is floor + 1 and this clock stays where it was, so the
  // far-ahead clock drags only the cases it touched.
  Hlc tick_above(Hlc floor);
  // Folds in a timestamp received from elsewhere so later local ticks sort after it.
  // Remote values far in the future (beyond `max_drift_ms` of our clock) are not
  // adopted, so one bad peer cannot drag every device's clock forward.
  void observe(Hlc remote, std::int64_t max_drift_ms = kDefaultMaxDriftMs);
  // Adopts a timestamp this device itself issued (e.g. through another
  // connection to its store): no drift bound, its own order must hold.
  void adopt_own(Hlc issued) {
    if (issued > last_) last_ = issued;
  }
  Hlc last() const { return last_; }

  static constexpr std::int64_t kDefaultMaxDriftMs = 24LL * 3600 * 1000;

 private:
  const Clock* clock_;
  Hlc last_;
};

}  // namespace hallsync
