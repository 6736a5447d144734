// SyncLog: halld's sync history (table sync_history) as hallctl log shows it:
// newest first, filtered by outcome and time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/daemon/sync_history.h"

namespace hallsync::client::diagnostics {

struct SyncLogFilter {
  std::optional<bool> ok;              // only successes (true) or failures (false)
  std::optional<std::int64_t> since_ms;  // sessions that started at or after
  int last = 50;                       // at most this many (newest)
};

Result<std::vector<daemon::SyncRunRecord>> read_sync_log(Database& db, const SyncLogFilter& filter);

// "2026-11-28", "2026-11-28T10:00", "2026-11-28T10:00:00Z" (UTC) or with a
// "+08:00" offset, to milliseconds since the Unix epoch.
Result<std::int64_t> parse_iso_time(const std::string& text);

nlohmann::json sync_run_json(const daemon::SyncRunRecord& run);
std::string sync_run_line(const daemon::SyncRunRecord& run);

}  // namespace hallsync::client::diagnostics
