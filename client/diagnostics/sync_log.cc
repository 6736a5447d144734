// Reading and formatting the sync history for hallctl log.
#include "client/diagnostics/sync_log.h"

#include <algorithm>
#include <ctime>
#include <regex>

#include "sync/api/clock.h"

namespace hallsync::client::diagnostics {

Result<std::vector<daemon::SyncRunRecord>> read_sync_log(Database& db, const SyncLogFilter& filter) {
  HALLSYNC_ASSIGN_OR_RETURN(auto runs, daemon::recent_sync_runs(db, static_cast<int>(daemon::kKeptRuns)));
  // By start time, not by row: rows copied in from elsewhere need not arrive in order.
  std::stable_sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.started_ms > b.started_ms; });
  std::vector<daemon::SyncRunRecord> out;
  for (auto& r : runs) {
    if (static_cast<int>(out.size()) >= filter.last) break;
    if (filter.ok && r.ok != *filter.ok) continue;
    if (filter.since_ms && r.started_ms < *filter.since_ms) continue;
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::int64_t> parse_iso_time(const std::string& text) {
  static const std::regex shape(
      R"(^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?(Z|[+-]\d{2}:\d{2})?$)");
  std::smatch m;
  if (!std::regex_match(text, m, shape))
    return Status::validation("'" + text + "' is not a time like 2026-11-28 or 2026-11-28T10:00:00Z");
  std::tm tm{};
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  tm.tm_hour = m[4].matched ? std::stoi(m[4]) : 0;
  tm.tm_min = m[5].matched ? std::stoi(m[5]) : 0;
  tm.tm_sec = m[6].matched ? std::stoi(m[6]) : 0;
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
    return Status::validation("'" + text + "' is not a valid time");
  std::int64_t seconds = timegm(&tm);
  std::string zone = m[7].matched ? m[7].str() : "Z";
  if (zone != "Z") {
    int sign = zone[0] == '-' ? -1 : 1;
    seconds -= sign * (std::stoi(zone.substr(1, 2)) * 3600 + std::stoi(zone.substr(4, 2)) * 60);
  }
  return seconds * 1000;
}

nlohmann::json sync_run_json(const daemon::SyncRunRecord& r) {
  nlohmann::json j = {{"started", utc_timestamp(r.started_ms)}, {"ended", utc_timestamp(r.ended_ms)},
                      {"outcome", r.ok ? "ok" : "failed"}, {"pushed", r.pushed}, {"pulled", r.pulled},
                      {"rejected", r.rejected}, {"bytes_sent", r.bytes_sent}, {"bytes_received", r.bytes_received}};
  if (!r.ok) j["error"] = {{"kind", r.error_kind}, {"code", r.error_code}, {"message", r.error_message}};
  return j;
}

std::string sync_run_line(const daemon::SyncRunRecord& r) {
  std::string line = utc_timestamp(r.started_ms) + "  " + (r.ok ? "ok    " : "FAILED") + "  pushed " + std::to_string(r.pushed) +
                     " pulled " + std::to_string(r.pulled) + " rejected " + std::to_string(r.rejected) + "  " +
                     std::to_string((r.ended_ms - r.started_ms)) + " ms";
  if (!r.ok) line += "  " + r.error_kind + (r.error_code.empty() ? "" : "/" + r.error_code) + ": " + r.error_message;
  return line;
}

}  // namespace hallsync::client::diagnostics
