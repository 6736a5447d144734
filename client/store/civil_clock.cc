// The civil clock's correction and the clerk's notice about it.
#include "client/store/civil_clock.h"

#include <cstdlib>

#include "sync/api/replicator.h"

namespace hallsync::client {

void CivilClock::set_offset(std::int64_t offset_ms) {
  offset_ = offset_ms;
  corrected_ = OffsetClock(*device_, offset_ms);
}

bool CivilClock::follows_platform() const {
  // The same threshold as the sync's clock warning, so the clerk is told
  // exactly when the technician is.
  return std::llabs(offset_) > ReplicatorOptions{}.clock_warning_ms;
}

std::string CivilClock::notice() const {
  if (!follows_platform()) return "";
  constexpr std::int64_t kMinute = 60 * 1000, kHour = 60 * kMinute, kDay = 24 * kHour;
  const std::int64_t gap = std::llabs(offset_);
  std::string amount = gap >= kDay    ? std::to_string(gap / kDay) + " 天"
                       : gap >= kHour ? std::to_string(gap / kHour) + " 小时"
                                      : std::to_string(gap / kMinute) + " 分钟";
  // offset = hub − ours: negative when this PC runs ahead.
  return std::string("注意：本机时钟比平台") + (offset_ < 0 ? "快" : "慢") + "约 " + amount +
         "，受理日期和办理期限按平台时间计算。请技术人员校准本机时钟。";
}

}  // namespace hallsync::client
