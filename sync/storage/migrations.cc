// Forward-only schema migration keyed on PRAGMA user_version.
#include <string>

#include "sync/api/database.h"

namespace hallsync {

Result<int> schema_version(Database& db) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("PRAGMA user_version"));
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return Status::storage("PRAGMA user_version returned nothing");
  return static_cast<int>(stmt.column_int(0));
}

Status apply_migrations(Database& db, const std::vector<Migration>& migrations, std::string_view what) {
  int newest = migrations.empty() ? 0 : migrations.back().version;
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(db));
  HALLSYNC_ASSIGN_OR_RETURN(int current, schema_version(db));
  if (current > newest) {
    return Status::storage(std::string(what) + " database " + db.path() + " has schema version " +
                           std::to_string(current) + ", newer than this program understands (" +
                           std::to_string(newest) + "); install the newer hallsync release, do not downgrade");
  }
  for (const auto& m : migrations) {
    if (m.version <= current) continue;
    Status s = db.exec_script(m.sql);
    if (!s.is_ok()) return s.with_context("migration " + std::to_string(m.version) + " " + std::string(m.name));
  }
  if (newest != current) {
    // user_version cannot take a bound parameter; `newest` is our own integer.
    HALLSYNC_RETURN_IF_ERROR(db.exec_script("PRAGMA user_version=" + std::to_string(newest)));
  }
  return txn.commit();
}

}  // namespace hallsync
