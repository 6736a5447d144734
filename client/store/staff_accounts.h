// Staff accounts: who may sign in to halld's web page (issue #9, minimal form).
// Keyed by the clerk id that case events carry (validate_clerk_id); passwords
// are stored only as libsodium crypto_pwhash_str (Argon2id) strings, so a copied
// hall.db does not give away a password cheaply.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sync/api/database.h"
#include "sync/api/result.h"

namespace hallsync::client {

struct StaffAccount {
  std::string clerk_id;
  std::string display_name;
  std::string role;  // one of staff_roles() (client/domain/staff_roles.h)
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
};

// A password is 8–128 bytes; the message is the clerk's to read.
Status validate_password(std::string_view password);

// Account changes are audited (audit_log.h) in the transaction that makes them;
// `actor` is who did it: a signed-in supervisor's clerk id, or empty for the
// OS user running `hall account` ("os:<user>").
// Adds an account; Conflict when the clerk id already has one.
Status add_staff(Database& db, const StaffAccount& account, std::string_view password, std::int64_t now_ms,
                 const std::string& actor = {});
// Replaces an account's password; NotFound when there is no such account.
Status set_staff_password(Database& db, const std::string& clerk_id, std::string_view password, std::int64_t now_ms,
                          const std::string& actor = {});
// Changes an account's role; NotFound when there is no such account.
Status set_staff_role(Database& db, const std::string& clerk_id, const std::string& role, std::int64_t now_ms,
                      const std::string& actor = {});
Result<std::vector<StaffAccount>> list_staff(Database& db);
// The account of `clerk_id` as stored now (halld re-reads it on every request,
// so a role change or a removed account applies at once); nullopt if none.
Result<std::optional<StaffAccount>> find_staff(Database& db, const std::string& clerk_id);
// True once any account exists: from then on the web API needs a session.
Result<bool> any_staff(Database& db);
// The account when `password` matches; Status::auth (code "bad_credentials")
// when the id is unknown or the password wrong, worded the same for both so
// the page does not tell someone guessing which ids exist.
Result<StaffAccount> check_login(Database& db, const std::string& clerk_id, std::string_view password);

}  // namespace hallsync::client
