// The boot clock of this machine and the hub-time anchor kept in sync_state.
#include "sync/api/clock_anchor.h"

#include <ctime>
#include <fstream>
#include <functional>
#include <string>

#include "sync/api/change_log.h"

namespace hallsync {
namespace {

constexpr std::string_view kAnchorBootKey = "clock.anchor_boot";
constexpr std::string_view kAnchorSinceBootKey = "clock.anchor_since_boot_ms";
constexpr std::string_view kAnchorHubKey = "clock.anchor_hub_ms";

std::int64_t read_boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  if (!(in >> id) || id.empty()) return 0;
  // Non-zero and positive: 0 means "unknown", and sync_state holds signed values.
  return static_cast<std::int64_t>(std::hash<std::string>{}(id) >> 1) | 1;
}

}  // namespace

BootInstant SystemBootClock::now() const {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return {boot_id_, static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000};
}

const SystemBootClock& SystemBootClock::instance() {
  static const SystemBootClock clock = [] {
    SystemBootClock c;
    c.boot_id_ = read_boot_id();
    return c;
  }();
  return clock;
}

BootInstant BootClockFor::now() const {
  if (wall_ == &SystemClock::instance()) return SystemBootClock::instance().now();
  return {1, wall_->now_ms()};
}

Status write_clock_anchor(Transaction& txn, std::int64_t hub_ms_now, const BootClock& boot) {
  BootInstant at = boot.now();
  HALLSYNC_RETURN_IF_ERROR(write_sync_value(txn, kAnchorBootKey, at.boot_id));
  HALLSYNC_RETURN_IF_ERROR(write_sync_value(txn, kAnchorSinceBootKey, at.since_boot_ms));
  return write_sync_value(txn, kAnchorHubKey, hub_ms_now);
}

Result<std::optional<ClockAnchor>> read_clock_anchor(Database& db) {
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t boot_id, read_sync_value(db, kAnchorBootKey, 0));
  if (boot_id == 0) return std::optional<ClockAnchor>{};
  ClockAnchor a;
  a.taken.boot_id = boot_id;
  HALLSYNC_ASSIGN_OR_RETURN(a.taken.since_boot_ms, read_sync_value(db, kAnchorSinceBootKey, 0));
  HALLSYNC_ASSIGN_OR_RETURN(a.hub_ms, read_sync_value(db, kAnchorHubKey, 0));
  return std::optional<ClockAnchor>{a};
}

std::optional<std::int64_t> hub_time_by_anchor(const ClockAnchor& anchor, const BootClock& boot) {
  BootInstant now = boot.now();
  if (now.boot_id == 0 || now.boot_id != anchor.taken.boot_id || now.since_boot_ms < anchor.taken.since_boot_ms)
    return std::nullopt;
  return anchor.hub_ms + (now.since_boot_ms - anchor.taken.since_boot_ms);
}

}  // namespace hallsync
