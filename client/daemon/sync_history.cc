// Writing and reading the sync_history table (see sync_history.h).
#include "client/daemon/sync_history.h"

#include "client/store/audit_log.h"
#include "sync/api/redact.h"

namespace hallsync::client::daemon {

std::string error_class(const std::string& kind, const std::string& code) {
  if (kind.empty()) return "";
  if (code == "no_hub_link") return code;
  if (kind == "network") {
    if (code == "dns" || code == "connect") return code;
    if (code == "timeout" || code == "stalled" || code == "cancelled") return "timeout";
    if (code == "reset" || code.rfind("curl_", 0) == 0) return "network";
    return "http";  // any other network code is a hub's 5xx/429 reply (status_from_hub_reply)
  }
  if (kind == "tls" || kind == "auth" || kind == "protocol") return kind;
  if (kind == "storage") return "local_disk";
  return kind;
}

SyncRunRecord make_run_record(std::int64_t started_ms, std::int64_t ended_ms, const SyncStats& stats,
                              const Status& outcome) {
  SyncRunRecord r;
  r.started_ms = started_ms;
  r.ended_ms = ended_ms;
  r.pushed = stats.pushed;
  r.pulled = stats.pulled;
  r.rejected = stats.rejected;
  r.bytes_sent = static_cast<std::int64_t>(stats.bytes_sent);
  r.bytes_received = static_cast<std::int64_t>(stats.bytes_received);
  r.ok = outcome.is_ok();
  if (!r.ok) {
    r.error_kind = std::string(error_kind_name(outcome.kind()));
    r.error_code = outcome.code();
    r.error_message = redact_pii(outcome.message());
  }
  return r;
}

Status record_sync_run(Database& db, const SyncRunRecord& run) {
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(db));
  // #7: the hub saying this device is revoked is a security event. Audited
  // once when it starts, not on every retry after it: the previous session's
  // code tells whether it is news.
  if (!run.ok && run.error_code == "revoked") {
    std::string previous;
    {
      HALLSYNC_ASSIGN_OR_RETURN(auto last, db.prepare("SELECT coalesce(error_code, '') FROM sync_history ORDER BY id DESC LIMIT 1"));
      HALLSYNC_ASSIGN_OR_RETURN(bool row, last.step());
      if (row) previous = last.column_text(0);
    }
    if (previous != "revoked")
      HALLSYNC_RETURN_IF_ERROR(append_audit(db, {0, run.ended_ms, "sync", "device_revoked", "hub", "refused",
                                                 "the hub refuses this device: re-enroll (hallctl enroll)"}));
  }
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare(
      "INSERT INTO sync_history (started_ms, ended_ms, pushed, pulled, rejected, bytes_sent, bytes_received,"
      " outcome, error_kind, error_code, error_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt.bind(1, run.started_ms).bind(2, run.ended_ms).bind(3, run.pushed).bind(4, run.pulled).bind(5, run.rejected);
  stmt.bind(6, run.bytes_sent).bind(7, run.bytes_received).bind(8, run.ok ? "ok" : "error");
  if (run.ok) {
    stmt.bind_null(9).bind_null(10).bind_null(11);
  } else {
    stmt.bind(9, run.error_kind).bind(10, run.error_code).bind(11, redact_pii(run.error_message));
  }
  HALLSYNC_RETURN_IF_ERROR(stmt.run());
  // Bounded: the newest kKeptRuns sessions are kept (months at the default period).
  HALLSYNC_ASSIGN_OR_RETURN(auto prune, db.prepare("DELETE FROM sync_history WHERE id <= ?"));
  prune.bind(1, db.last_insert_rowid() - kKeptRuns);
  HALLSYNC_RETURN_IF_ERROR(prune.run());
  return txn.commit();
}

Result<std::int64_t> last_success_ms(Database& db) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT coalesce(max(ended_ms), 0) FROM sync_history WHERE outcome = ?"));
  stmt.bind(1, "ok");
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  return row ? stmt.column_int(0) : std::int64_t{0};
}

Result<std::vector<SyncRunRecord>> recent_sync_runs(Database& db, int limit) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare(
      "SELECT id, started_ms, ended_ms, pushed, pulled, rejected, bytes_sent, bytes_received, outcome,"
      " error_kind, error_code, error_message FROM sync_history ORDER BY id DESC LIMIT ?"));
  stmt.bind(1, limit);
  std::vector<SyncRunRecord> out;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    SyncRunRecord r;
    r.id = stmt.column_int(0);
    r.started_ms = stmt.column_int(1);
    r.ended_ms = stmt.column_int(2);
    r.pushed = stmt.column_int(3);
    r.pulled = stmt.column_int(4);
    r.rejected = stmt.column_int(5);
    r.bytes_sent = stmt.column_int(6);
    r.bytes_received = stmt.column_int(7);
    r.ok = stmt.column_text(8) == "ok";
    r.error_kind = stmt.column_text(9);
    r.error_code = stmt.column_text(10);
    r.error_message = stmt.column_text(11);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace hallsync::client::daemon
