// ClockAnchor: the hub's time learned at the last sync, tied to this
// machine's boot clock, which setting the wall clock does not move. Within
// the same boot the platform's time is then known however this PC's clock
// was set since — by hand, or by a technician following doctor's advice —
// without waiting for the next sync, which in the mountains may be days away.
// After a reboot the anchor says nothing (a dead CMOS battery resets the
// clock at boot), and callers fall back to the wall clock plus the offset.
#pragma once

#include <cstdint>
#include <optional>

#include "sync/api/clock.h"
#include "sync/api/database.h"
#include "sync/api/result.h"

namespace hallsync {

// A reading of the boot clock: which boot, and milliseconds since it
// (CLOCK_BOOTTIME: counts suspend, never stepped).
struct BootInstant {
  std::int64_t boot_id = 0;  // a hash of /proc/sys/kernel/random/boot_id; 0 if unknown
  std::int64_t since_boot_ms = 0;
};

class BootClock {
 public:
  virtual ~BootClock() = default;
  virtual BootInstant now() const = 0;
};

class SystemBootClock final : public BootClock {
 public:
  BootInstant now() const override;
  static const SystemBootClock& instance();

 private:
  std::int64_t boot_id_ = 0;
};

// The boot clock that goes with a wall clock: this machine's for the system
// clock; for a simulated one (tests), a boot clock running with it, as the
// simulated machine's would — so a test that moves its clock moves both.
class BootClockFor final : public BootClock {
 public:
  explicit BootClockFor(const Clock& wall) : wall_(&wall) {}
  BootInstant now() const override;

 private:
  const Clock* wall_;
};

// A boot clock a test moves, or reboots, by hand.
class ManualBootClock final : public BootClock {
 public:
  explicit ManualBootClock(BootInstant at) : at_(at) {}
  BootInstant now() const override { return at_; }
  void advance(std::int64_t ms) { at_.since_boot_ms += ms; }
  void reboot(std::int64_t new_boot_id) { at_ = {new_boot_id, 0}; }

 private:
  BootInstant at_;
};

struct ClockAnchor {
  BootInstant taken;
  std::int64_t hub_ms = 0;  // the hub's time at `taken`
};

// Recorded by the replicator in the transaction that records the offset.
Status write_clock_anchor(Transaction& txn, std::int64_t hub_ms_now, const BootClock& boot);
// The last anchor; nullopt before the first sync that took one.
Result<std::optional<ClockAnchor>> read_clock_anchor(Database& db);
// The hub's time now by the anchor; nullopt if this machine rebooted since
// (or the boot cannot be identified).
std::optional<std::int64_t> hub_time_by_anchor(const ClockAnchor& anchor, const BootClock& boot);

}  // namespace hallsync
