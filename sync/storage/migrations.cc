// Forward-only schema migration keyed on PRAGMA user_version (SQLite) or the
// one-row table hallsync_schema_version (PostgreSQL, which has no user_version).
#include <string>

#include "sync/api/database.h"

namespace hallsync {

namespace {
constexpr const char* kPgVersionTable = "CREATE TABLE IF NOT EXISTS hallsync_schema_version (version INTEGER NOT NULL)";

Status set_version(Database& db, int version) {
  if (!db.is_postgres()) {
    // user_version cannot take a bound parameter; `version` is our own integer.
    return db.exec_script("PRAGMA user_version=" + std::to_string(version));
  }
  HALLSYNC_RETURN_IF_ERROR(db.exec_script("DELETE FROM hallsync_schema_version"));
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("INSERT INTO hallsync_schema_version (version) VALUES (?)"));
  stmt.bind(1, version);
  return stmt.run();
}
}  // namespace

Result<int> schema_version(Database& db) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare(db.is_postgres()
                                                      ? "SELECT coalesce(max(version), 0) FROM hallsync_schema_version"
                                                      : "PRAGMA user_version"));
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return Status::storage("PRAGMA user_version returned nothing");
  return static_cast<int>(stmt.column_int(0));
}

Status apply_migrations(Database& db, const std::vector<Migration>& migrations, std::string_view what) {
  int newest = migrations.empty() ? 0 : migrations.back().version;
  // On PostgreSQL the transaction holds the hub's write lock: two hub
  // processes starting at once migrate one after the other.
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(db));
  if (db.is_postgres()) HALLSYNC_RETURN_IF_ERROR(db.exec_script(kPgVersionTable));
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
  if (newest != current) HALLSYNC_RETURN_IF_ERROR(set_version(db, newest));
  return txn.commit();
}

}  // namespace hallsync
