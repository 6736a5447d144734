// Staff accounts in hall.db (migration 0007), passwords hashed with
// libsodium's Argon2id at its "interactive" cost: about 64 MiB and a fraction
// of a second per sign-in on a hall PC, which makes offline guessing slow.
#include "client/store/staff_accounts.h"

#include <sodium.h>

#include "client/domain/intake.h"
#include "client/domain/staff_roles.h"
#include "client/domain/text_rules.h"
#include "client/store/audit_log.h"

namespace hallsync::client {
namespace {

Status sodium_ready() {
  // sodium_init is idempotent and thread-safe; it fails only without a random source.
  if (sodium_init() < 0) return Status::internal("无法初始化密码库（libsodium）：系统缺少随机数来源");
  return Status::ok();
}

Result<std::string> hash_password(std::string_view password) {
  HALLSYNC_RETURN_IF_ERROR(sodium_ready());
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return Status::internal("计算密码摘要时内存不足（Argon2id 需要约 64 MB）");
  return std::string(out);
}

Status validate_role(const std::string& role) {
  if (is_staff_role(role)) return Status::ok();
  return Status::validation("角色只能是 clerk（窗口人员）、supervisor（负责人）、technician（技术人员）或 auditor（审计员）");
}

// The account change's audit entry, in the transaction that makes the change.
Status audit_account(Database& db, const std::string& actor, const char* action, const std::string& clerk_id,
                     std::string detail, std::int64_t now_ms) {
  return append_audit(db, {0, now_ms, actor.empty() ? os_actor() : actor, action, clerk_id, "ok", std::move(detail)});
}

}  // namespace

Status validate_password(std::string_view password) {
  if (password.size() < 8) return Status::validation("密码至少 8 个字符");
  if (password.size() > 128) return Status::validation("密码最多 128 个字符");
  if (!is_valid_utf8(password)) return Status::validation("密码含有无效字符");
  return Status::ok();
}

Status add_staff(Database& db, const StaffAccount& account, std::string_view password, std::int64_t now_ms,
                 const std::string& actor) {
  HALLSYNC_RETURN_IF_ERROR(validate_clerk_id(account.clerk_id));
  HALLSYNC_ASSIGN_OR_RETURN(std::string name, validate_person_name(account.display_name));
  HALLSYNC_RETURN_IF_ERROR(validate_role(account.role));
  HALLSYNC_RETURN_IF_ERROR(validate_password(password));
  HALLSYNC_ASSIGN_OR_RETURN(std::string hash, hash_password(password));
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(db));
  HALLSYNC_ASSIGN_OR_RETURN(auto probe, db.prepare("SELECT 1 FROM staff_accounts WHERE clerk_id = ?"));
  probe.bind(1, account.clerk_id);
  HALLSYNC_ASSIGN_OR_RETURN(bool exists, probe.step());
  if (exists) return Status::conflict("工号 " + account.clerk_id + " 已有账号；改密码请用 hall account passwd");
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare(
      "INSERT INTO staff_accounts (clerk_id, display_name, role, password_hash, created_ms, updated_ms)"
      " VALUES (?, ?, ?, ?, ?, ?)"));
  stmt.bind(1, account.clerk_id).bind(2, name).bind(3, account.role).bind(4, hash).bind(5, now_ms).bind(6, now_ms);
  HALLSYNC_RETURN_IF_ERROR(stmt.run());
  HALLSYNC_RETURN_IF_ERROR(audit_account(db, actor, "account_create", account.clerk_id, "role " + account.role, now_ms));
  return txn.commit();
}

Status set_staff_password(Database& db, const std::string& clerk_id, std::string_view password, std::int64_t now_ms,
                          const std::string& actor) {
  HALLSYNC_RETURN_IF_ERROR(validate_password(password));
  HALLSYNC_ASSIGN_OR_RETURN(std::string hash, hash_password(password));
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(db));
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare(
      "UPDATE staff_accounts SET password_hash = ?, updated_ms = ? WHERE clerk_id = ?"));
  stmt.bind(1, hash).bind(2, now_ms).bind(3, clerk_id);
  HALLSYNC_RETURN_IF_ERROR(stmt.run());
  if (db.changes() == 0) return Status::not_found("工号 " + clerk_id + " 没有账号；新建请用 hall account add");
  HALLSYNC_RETURN_IF_ERROR(audit_account(db, actor, "account_password_reset", clerk_id, "", now_ms));
  return txn.commit();
}

Status set_staff_role(Database& db, const std::string& clerk_id, const std::string& role, std::int64_t now_ms,
                      const std::string& actor) {
  HALLSYNC_RETURN_IF_ERROR(validate_role(role));
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(db));
  std::string before;
  {  // the read statement is done (reset) before the row is updated
    HALLSYNC_ASSIGN_OR_RETURN(auto old, db.prepare("SELECT role FROM staff_accounts WHERE clerk_id = ?"));
    old.bind(1, clerk_id);
    HALLSYNC_ASSIGN_OR_RETURN(bool found, old.step());
    if (!found) return Status::not_found("工号 " + clerk_id + " 没有账号；新建请用 hall account add");
    before = old.column_text(0);
  }
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare(
      "UPDATE staff_accounts SET role = ?, updated_ms = ? WHERE clerk_id = ?"));
  stmt.bind(1, role).bind(2, now_ms).bind(3, clerk_id);
  HALLSYNC_RETURN_IF_ERROR(stmt.run());
  HALLSYNC_RETURN_IF_ERROR(audit_account(db, actor, "account_role_change", clerk_id, before + " -> " + role, now_ms));
  return txn.commit();
}

Result<std::vector<StaffAccount>> list_staff(Database& db) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare(
      "SELECT clerk_id, display_name, role, created_ms, updated_ms FROM staff_accounts ORDER BY clerk_id"));
  std::vector<StaffAccount> out;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    out.push_back({stmt.column_text(0), stmt.column_text(1), stmt.column_text(2), stmt.column_int(3), stmt.column_int(4)});
  }
  return out;
}

Result<std::optional<StaffAccount>> find_staff(Database& db, const std::string& clerk_id) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare(
      "SELECT clerk_id, display_name, role, created_ms, updated_ms FROM staff_accounts WHERE clerk_id = ?"));
  stmt.bind(1, clerk_id);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return std::optional<StaffAccount>();
  return std::optional<StaffAccount>(
      StaffAccount{stmt.column_text(0), stmt.column_text(1), stmt.column_text(2), stmt.column_int(3), stmt.column_int(4)});
}

Result<bool> any_staff(Database& db) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT EXISTS (SELECT 1 FROM staff_accounts)"));
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  return row && stmt.column_int(0) != 0;
}

Result<StaffAccount> check_login(Database& db, const std::string& clerk_id, std::string_view password) {
  HALLSYNC_RETURN_IF_ERROR(sodium_ready());
  const Status wrong = Status::auth("工号或密码不正确").with_code("bad_credentials");
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare(
      "SELECT clerk_id, display_name, role, created_ms, updated_ms, password_hash FROM staff_accounts"
      " WHERE clerk_id = ?"));
  stmt.bind(1, clerk_id);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) {
    // Spend the same Argon2id work as for a real account, so the answer's
    // timing does not tell which clerk ids exist.
    static const Result<std::string> dummy = hash_password("no-such-account");
    // The outcome is known (no account); only the time spent matters.
    if (dummy) (void)!crypto_pwhash_str_verify(dummy->c_str(), password.data(), password.size());
    return wrong;
  }
  std::string hash = stmt.column_text(5);
  if (crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) != 0) return wrong;
  return StaffAccount{stmt.column_text(0), stmt.column_text(1), stmt.column_text(2), stmt.column_int(3),
                      stmt.column_int(4)};
}

}  // namespace hallsync::client
