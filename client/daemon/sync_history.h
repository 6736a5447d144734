// SyncHistory: one row per sync session in the hall's store (table
// sync_history, migration 0003) — when it ran, what moved, and for a failure
// the classified error (kind + code) with its message redacted. Read by the
// local API (GET /api/sync/history) and, later, by hallctl log.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sync/api/database.h"
#include "sync/api/replicator.h"

namespace hallsync::client::daemon {

struct SyncRunRecord {
  std::int64_t id = 0;
  std::int64_t started_ms = 0;
  std::int64_t ended_ms = 0;
  std::int64_t pushed = 0;
  std::int64_t pulled = 0;
  std::int64_t rejected = 0;
  std::int64_t bytes_sent = 0;
  std::int64_t bytes_received = 0;
  bool ok = true;
  std::string error_kind;     // error_kind_name(), empty when ok
  std::string error_code;     // Status::code(), may be empty
  std::string error_message;  // redacted
};

// The class a technician reads first, from a failure's kind and code: "dns",
// "connect", "tls", "http", "timeout" (codes timeout, stalled, cancelled),
// "auth", "protocol", "local_disk" (storage), "no_hub_link", else the kind.
std::string error_class(const std::string& kind, const std::string& code);

// Builds the record of one run from what the replicator moved and how it ended.
SyncRunRecord make_run_record(std::int64_t started_ms, std::int64_t ended_ms, const SyncStats& stats,
                              const Status& outcome);

constexpr std::int64_t kKeptRuns = 20'000;

// Appends one row (its own transaction) and drops rows beyond the newest kKeptRuns.
Status record_sync_run(Database& db, const SyncRunRecord& run);

// When the newest successful run ended; 0 if none is recorded.
Result<std::int64_t> last_success_ms(Database& db);

// The newest `limit` runs, newest first.
Result<std::vector<SyncRunRecord>> recent_sync_runs(Database& db, int limit);

}  // namespace hallsync::client::daemon
