// CivilClock: the time every date a person sees is taken from — acceptance
// dates and numbers, legal deadlines, overdue and remaining-days views,
// document dates, import checks. It is this PC's clock corrected by the
// offset to the hub learned at the last sync (kClockOffsetKey), so a hall PC
// whose clock is years off (a dead CMOS battery) still tells a citizen the
// deadline the hub and every other device compute for the same case.
// Event order is not its business: the HLC keeps the device's own clock
// (HallStore::hlc), whose monotonicity a correction must never disturb.
#pragma once

#include <cstdint>
#include <string>

#include "sync/api/clock.h"

namespace hallsync::client {

class CivilClock final : public Clock {
 public:
  explicit CivilClock(const Clock& device) : device_(&device), corrected_(device, 0) {}
  std::int64_t now_ms() const override { return corrected_.now_ms(); }

  // Hub clock minus this PC's, as learned at the last sync; 0 before the first
  // (then dates are the device's own, as they always were).
  std::int64_t offset_ms() const { return offset_; }
  void set_offset(std::int64_t offset_ms);

  // True when the correction is as large as the sync's clock warning: dates
  // then visibly differ from this PC's clock and the clerk must know why.
  bool follows_platform() const;
  // The sentence telling the clerk so; empty when follows_platform() is false.
  std::string notice() const;

 private:
  const Clock* device_;
  OffsetClock corrected_;
  std::int64_t offset_ = 0;
};

}  // namespace hallsync::client
