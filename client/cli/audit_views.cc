// Shared audit-log views (see audit_views.h). China keeps UTC+8 all year.
#include "client/cli/audit_views.h"

#include <cstdio>

#include "client/domain/civil_date.h"

namespace hallsync::client::cli {

constexpr std::int64_t kBeijingOffsetS = 8 * 3600;

Result<std::int64_t> audit_since_ms(const std::string& text) {
  if (text.empty()) return std::int64_t{0};
  auto d = CivilDate::parse(text);
  if (!d) return Status::validation("起始日期应为 YYYY-MM-DD：" + text);
  return (static_cast<std::int64_t>(d->days) * 86400 - kBeijingOffsetS) * 1000;
}

std::string beijing_time(std::int64_t ms) {
  std::int64_t day_s = ((ms / 1000 + kBeijingOffsetS) % 86400 + 86400) % 86400;
  char hms[16];
  std::snprintf(hms, sizeof hms, "%02d:%02d:%02d", static_cast<int>(day_s / 3600), static_cast<int>(day_s / 60 % 60),
                static_cast<int>(day_s % 60));
  return CivilDate::from_unix_ms(ms).to_string() + " " + hms;
}

nlohmann::json audit_entry_json(const AuditEntry& e) {
  return {{"id", e.id},         {"at_ms", e.at_ms},   {"time", beijing_time(e.at_ms)}, {"actor", e.actor},
          {"action", e.action}, {"target", e.target}, {"outcome", e.outcome},           {"detail", e.detail}};
}

}  // namespace hallsync::client::cli
