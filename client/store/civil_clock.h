// CivilClock: the time every date a person sees is taken from — acceptance
// dates and numbers, legal deadlines, overdue and remaining-days views,
// document dates, import checks. It is the hub's time as learned at the last
// sync, carried forward by this machine's boot clock (clock_anchor.h), so a
// hall PC whose clock is years off (a dead CMOS battery) still tells a
// citizen the deadline the hub and every other device compute for the same
// case — and goes on doing so when someone sets the PC's clock before the
// next sync. After a reboot it is this PC's clock corrected by the offset
// learned at the last sync (kClockOffsetKey).
// Event order is not its business: the HLC keeps the device's own clock
// (HallStore::hlc), whose monotonicity a correction must never disturb.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sync/api/clock.h"
#include "sync/api/clock_anchor.h"

namespace hallsync::client {

class CivilClock final : public Clock {
 public:
  // With the boot clock that goes with `device` (BootClockFor), or another.
  explicit CivilClock(const Clock& device) : device_(&device), own_boot_(device), boot_(&own_boot_) {}
  CivilClock(const Clock& device, const BootClock& boot) : device_(&device), own_boot_(device), boot_(&boot) {}
  CivilClock(const CivilClock&) = delete;
  CivilClock& operator=(const CivilClock&) = delete;
  std::int64_t now_ms() const override;

  // Hub clock minus this PC's, now: the correction in force. 0 before the
  // first sync (then dates are the device's own, as they always were).
  std::int64_t offset_ms() const { return now_ms() - device_->now_ms(); }
  // What the last sync learned: the offset then and, if taken, its anchor.
  void set_correction(std::int64_t offset_ms, std::optional<ClockAnchor> anchor);

  // True when the correction is as large as the sync's clock warning: dates
  // then visibly differ from this PC's clock and the clerk must know why.
  bool follows_platform() const;
  // The sentence telling the clerk so; empty when follows_platform() is false.
  std::string notice() const;

 private:
  const Clock* device_;
  BootClockFor own_boot_;
  const BootClock* boot_;
  std::int64_t offset_ = 0;
  std::optional<ClockAnchor> anchor_;
};

}  // namespace hallsync::client
