// The audit log in hall.db (see audit_log.h; schema and triggers in
// schema/sql/local/0009_roles_and_audit_log.sql).
#include "client/store/audit_log.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>

#include "sync/api/redact.h"
#include "sync/api/utf8.h"

namespace hallsync::client {
namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

// Free text is masked (ID and phone numbers), made valid UTF-8 and kept short:
// an entry says what happened, it is no place for a case's content.
std::string clean_text(const std::string& text, std::size_t max_bytes) {
  std::string out = redact_pii(text);
  if (!is_valid_utf8(out)) return "（无法显示的内容）";
  if (out.size() <= max_bytes) return out;
  std::size_t cut = max_bytes;
  // Back up to the start of a UTF-8 sequence so the cut leaves valid text.
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  return out.substr(0, cut) + "…";
}

}  // namespace

Status append_audit(Database& db, AuditEntry e) {
  if (e.outcome != "ok" && e.outcome != "refused" && e.outcome != "failed")
    return Status::internal("audit entry with unknown outcome '" + e.outcome + "'");
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare(
      "INSERT INTO audit_log (at_ms, actor, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)"));
  stmt.bind(1, e.at_ms).bind(2, clean_text(e.actor, 64)).bind(3, e.action).bind(4, clean_text(e.target, 200));
  stmt.bind(5, e.outcome).bind(6, clean_text(e.detail, 400));
  return stmt.run();
}

Status record_audit(Database& db, AuditEntry e) {
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(db));
  HALLSYNC_RETURN_IF_ERROR(append_audit(db, std::move(e)));
  return txn.commit();
}

Result<std::vector<AuditEntry>> list_audit(Database& db, std::int64_t since_ms, int limit) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare(
      "SELECT id, at_ms, actor, action, target, outcome, detail FROM audit_log WHERE at_ms >= ?"
      " ORDER BY at_ms, id LIMIT ?"));
  stmt.bind(1, since_ms).bind(2, limit);
  std::vector<AuditEntry> out;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    out.push_back({stmt.column_int(0), stmt.column_int(1), stmt.column_text(2), stmt.column_text(3),
                   stmt.column_text(4), stmt.column_text(5), stmt.column_text(6)});
  }
  return out;
}

Result<AuditPurge> purge_audit(Database& db, std::int64_t now_ms, int retention_days) {
  // Never shorter than the law's six months, whatever the configuration says;
  // 0009's trigger would refuse it anyway, with a less helpful message.
  const int days = std::max(retention_days, kMinAuditRetentionDays);
  AuditPurge p;
  p.horizon_ms = now_ms - days * kDayMs;
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(db));
  {
    // 0009's trigger measures the 184-day floor on SQLite's clock (the PC's);
    // `now_ms` may run ahead of it (a corrected or test clock): stay behind the floor.
    HALLSYNC_ASSIGN_OR_RETURN(auto floor, db.prepare("SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000 - ?"));
    floor.bind(1, kMinAuditRetentionDays * kDayMs);
    HALLSYNC_ASSIGN_OR_RETURN(bool row, floor.step());
    if (row) p.horizon_ms = std::min(p.horizon_ms, floor.column_int(0));
  }
  // The horizon only moves forward: a later run with a longer retention keeps
  // what is still there rather than reopening deleted ground.
  HALLSYNC_ASSIGN_OR_RETURN(auto move, db.prepare(
      "UPDATE audit_retention SET horizon_ms = max(horizon_ms, ?) WHERE id = 1"));
  move.bind(1, p.horizon_ms);
  if (Status s = move.run(); !s.is_ok())
    return Status::storage("审计日志清理被拒绝（保留期起点须早于本机时间 184 天；本机时钟是否被调快？）：" +
                           s.message())
        .with_code("audit_horizon");
  HALLSYNC_ASSIGN_OR_RETURN(auto del, db.prepare("DELETE FROM audit_log WHERE at_ms < ?"));
  del.bind(1, p.horizon_ms);
  HALLSYNC_RETURN_IF_ERROR(del.run());
  p.removed = db.changes();
  HALLSYNC_RETURN_IF_ERROR(append_audit(db, {0, now_ms, "halld", "audit_purge", "audit_log", "ok",
                                             "removed " + std::to_string(p.removed) + " entries older than " +
                                                 std::to_string(days) + " days"}));
  HALLSYNC_RETURN_IF_ERROR(txn.commit());
  return p;
}

std::string os_actor(const std::string& prefix) {
  // getpwuid_r: the CLI is single-threaded, but halld's jobs are not.
  passwd pw{};
  passwd* found = nullptr;
  char buf[1024];
  if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &found) == 0 && found) return prefix + ":" + found->pw_name;
  return prefix + ":uid" + std::to_string(geteuid());
}

}  // namespace hallsync::client
