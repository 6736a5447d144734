// The hall's audit log (issue #7): security-relevant actions — sign-ins and
// their failures, lockouts, sign-outs and idle expiry, account changes,
// exports, resyncs, enrollment, a revocation seen — in hall.db's audit_log
// (migration 0009). Append-only to the application: triggers refuse UPDATE and
// DELETE except the retention purge below. Local only, never synced.
//
// Masking is done here, on every write: target and detail pass redact_pii (ID
// and phone numbers), and callers pass names through mask_name. Who may read:
// the auditor role through halld (GET /api/audit); on the PC, whoever can read
// hall.db (the service user, the technician) through `hall audit`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sync/api/database.h"
#include "sync/api/result.h"

namespace hallsync::client {

// 网络安全法 art. 21: security logs are kept at least six months; the schema
// refuses a purge horizon nearer than this (0009's triggers).
constexpr int kMinAuditRetentionDays = 184;

struct AuditEntry {
  std::int64_t id = 0;  // assigned on append
  std::int64_t at_ms = 0;
  std::string actor;    // clerk id, "halld", "os:<user>", "technician:<user>"
  std::string action;   // stable code: "sign_in", "lockout", "account_create", "audit_export", …
  std::string target;   // what it was done to: a clerk id, a file name, a device
  std::string outcome;  // "ok", "refused" or "failed"
  std::string detail;   // short free text, masked
};

// Appends one entry with the caller's statement cache; the caller's open
// transaction (if any) carries it, so a change and its entry commit together.
Status append_audit(Database& db, AuditEntry entry);
// Appends one entry in a transaction of its own (for actions that change
// nothing else in hall.db: a failed sign-in, an export).
Status record_audit(Database& db, AuditEntry entry);

// Entries at or after `since_ms`, oldest first, at most `limit`.
Result<std::vector<AuditEntry>> list_audit(Database& db, std::int64_t since_ms, int limit);

struct AuditPurge {
  std::int64_t horizon_ms = 0;  // entries before this are gone
  std::int64_t removed = 0;
};
// Moves the horizon to now - retention_days (never fewer than 184) and deletes
// the entries before it, then records the purge itself; one transaction.
Result<AuditPurge> purge_audit(Database& db, std::int64_t now_ms, int retention_days);

// The OS user running this process ("os:root"), the actor of `hall` commands
// that no signed-in clerk performs (accounts, exports).
std::string os_actor(const std::string& prefix = "os");

}  // namespace hallsync::client
