// The civil clock's correction and the clerk's notice about it.
#include "client/store/civil_clock.h"

#include <cstdlib>

#include "sync/api/replicator.h"

namespace hallsync::client {

void CivilClock::set_correction(std::int64_t offset_ms, std::optional<ClockAnchor> anchor) {
  offset_ = offset_ms;
  anchor_ = anchor;
}

std::int64_t CivilClock::now_ms() const {
  if (anchor_)
    if (auto hub_now = hub_time_by_anchor(*anchor_, *boot_)) return *hub_now;
  return device_->now_ms() + offset_;
}

bool CivilClock::follows_platform() const {
  // The same threshold as the sync's clock warning, so the clerk is told
  // exactly when the technician is.
  return std::llabs(offset_ms()) > ReplicatorOptions{}.clock_warning_ms;
}

std::string CivilClock::notice() const {
  if (!follows_platform()) return "";
  constexpr std::int64_t kMinute = 60 * 1000, kHour = 60 * kMinute, kDay = 24 * kHour;
  const std::int64_t offset = offset_ms();
  const std::int64_t gap = std::llabs(offset);
  std::string amount = gap >= kDay    ? std::to_string(gap / kDay) + " 天"
                       : gap >= kHour ? std::to_string(gap / kHour) + " 小时"
                                      : std::to_string(gap / kMinute) + " 分钟";
  // offset = hub − ours: negative when this PC runs ahead.
  return std::string("注意：本机时钟比平台") + (offset < 0 ? "快" : "慢") + "约 " + amount +
         "，受理日期和办理期限按平台时间计算。请技术人员校准本机时钟。";
}

}  // namespace hallsync::client
