// SQLite connection, statement cache and error translation.
#include "sync/api/database.h"

#include "sync/storage/pg_connection.h"
#include "sync/storage/writer_priority.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>

#include <sqlite3.h>

#include <cstring>

namespace hallsync {
namespace {

// `file` names the database in the damaged-file message (a technician must
// know which file to restore).
Status status_from_code(int code, std::string_view context, const char* detail, const std::string& file = {}) {
  std::string msg(context);
  msg += ": ";
  std::string code_name;
  switch (code & 0xff) {
    case SQLITE_FULL:
      // A clerk reads this one first: what happened to the work, who acts.
      msg = "磁盘已满，本次操作未保存（已保存的记录不受影响）：请技术人员清理数据盘空间后重试 (disk full: " +
            std::string(context) + " " + file + "; the transaction was rolled back, free space on the data disk)";
      code_name = "disk_full";
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      msg += "database is busy (another process holds the write lock)";
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      msg += "数据库文件已损坏 (database file " + file + " is damaged) — stop halld, run `hallctl doctor`, then restore "
             "the file from a backup or rebuild it from the hub with `hallctl resync --rebuild`";
      code_name = "store_damaged";
      break;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      msg += "cannot open or write the database file — check the path and permissions";
      break;
    case SQLITE_IOERR:
      msg += "disk I/O error — check the disk";
      break;
    default:
      break;
  }
  if (detail && *detail) {
    msg += " (";
    msg += detail;
    msg += ")";
  }
  Status s = Status::storage(std::move(msg));
  return code_name.empty() ? s : s.with_code(std::move(code_name));
}

}  // namespace

// ---- Statement ----

Statement::Statement(Database* db, std::string sql, sqlite3_stmt* stmt) : db_(db), sql_(std::move(sql)), stmt_(stmt) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      sql_(std::move(other.sql_)),
      stmt_(other.stmt_),
      bind_error_(std::move(other.bind_error_)),
      pg_(std::move(other.pg_)) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_) db_->give_back(std::move(sql_), stmt_);
}

namespace {
Status check_bind(int rc, sqlite3* db, int index) {
  if (rc == SQLITE_OK) return Status::ok();
  return Status::internal("bind parameter " + std::to_string(index) + ": " + sqlite3_errmsg(db));
}
}  // namespace

Statement& Statement::bind(int index, std::int64_t value) {
  if (pg_) {
    if (bind_error_.is_ok()) bind_error_ = storage::pg_bind_int(*pg_, index, value);
    return *this;
  }
  if (bind_error_.is_ok()) bind_error_ = check_bind(sqlite3_bind_int64(stmt_, index, value), db_->db_, index);
  return *this;
}
Statement& Statement::bind(int index, double value) {
  if (pg_) {
    if (bind_error_.is_ok()) bind_error_ = storage::pg_bind_double(*pg_, index, value);
    return *this;
  }
  if (bind_error_.is_ok()) bind_error_ = check_bind(sqlite3_bind_double(stmt_, index, value), db_->db_, index);
  return *this;
}
Statement& Statement::bind(int index, std::string_view text) {
  if (pg_) {
    if (bind_error_.is_ok()) bind_error_ = storage::pg_bind_text(*pg_, index, text);
    return *this;
  }
  if (bind_error_.is_ok())
    bind_error_ = check_bind(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
                             db_->db_, index);
  return *this;
}
Statement& Statement::bind_blob(int index, const void* data, std::size_t size) {
  if (pg_) {
    if (bind_error_.is_ok()) bind_error_ = storage::pg_bind_blob(*pg_, index, data, size);
    return *this;
  }
  if (bind_error_.is_ok())
    bind_error_ = check_bind(sqlite3_bind_blob64(stmt_, index, size ? data : "", size, SQLITE_TRANSIENT), db_->db_, index);
  return *this;
}
Statement& Statement::bind_null(int index) {
  if (pg_) {
    if (bind_error_.is_ok()) bind_error_ = storage::pg_bind_null(*pg_, index);
    return *this;
  }
  if (bind_error_.is_ok()) bind_error_ = check_bind(sqlite3_bind_null(stmt_, index), db_->db_, index);
  return *this;
}

Statement& Statement::bind_array(int index, const std::vector<std::string>& values) {
  if (!bind_error_.is_ok()) return *this;
  bind_error_ = pg_ ? storage::pg_bind_array(*pg_, index, values)
                    : Status::internal("bind parameter " + std::to_string(index) +
                                       ": array parameters are PostgreSQL's; over SQLite run one statement per row");
  return *this;
}

Result<bool> Statement::step() {
  if (!bind_error_.is_ok()) return bind_error_;
  if (pg_) return storage::pg_step(*db_->pg_, *pg_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return status_from_code(rc, "sql step", sqlite3_errmsg(db_->db_), db_->path_);
}

Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return row.status();
    if (!*row) return Status::ok();
  }
}

std::int64_t Statement::column_int(int col) const {
  return pg_ ? storage::pg_column_int(*pg_, col) : sqlite3_column_int64(stmt_, col);
}
double Statement::column_double(int col) const {
  return pg_ ? storage::pg_column_double(*pg_, col) : sqlite3_column_double(stmt_, col);
}
std::string Statement::column_text(int col) const {
  if (pg_) return storage::pg_column_text(*pg_, col);
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}
std::vector<std::uint8_t> Statement::column_blob(int col) const {
  if (pg_) return storage::pg_column_blob(*pg_, col);
  auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
  auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col));
  return p ? std::vector<std::uint8_t>(p, p + n) : std::vector<std::uint8_t>();
}
bool Statement::column_is_null(int col) const {
  return pg_ ? storage::pg_column_is_null(*pg_, col) : sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

Result<std::vector<std::string>> Statement::column_texts() {
  std::vector<std::string> out;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, step());
    if (!row) return out;
    out.push_back(column_text(0));
  }
}

// ---- Database ----

namespace {

// Busy handler: retries every millisecond until the lock is free or the
// timeout has passed. SQLite's own busy_timeout backs off to 100 ms sleeps,
// so a clerk's registration waiting behind a sync transaction of 30 ms could
// wait 100 ms or more, and several of them in a row; polling hands the lock
// over as soon as the other writer commits.
int wait_for_lock(void* timeout_ms, int attempt) {
  using Steady = std::chrono::steady_clock;
  thread_local Steady::time_point first_attempt;
  const auto now = Steady::now();
  if (attempt == 0) first_attempt = now;
  const auto limit = std::chrono::milliseconds(reinterpret_cast<std::intptr_t>(timeout_ms));
  if (now - first_attempt >= limit) return 0;
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return 1;
}

}  // namespace

Result<std::unique_ptr<Database>> Database::open(const std::string& path, DatabaseOptions options) {
  sqlite3* raw = nullptr;
  int flags = options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (options.create && !options.read_only) flags |= SQLITE_OPEN_CREATE;
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<Database> db(new Database(raw, path));
  if (rc != SQLITE_OK) return status_from_code(rc, "open " + path, raw ? sqlite3_errmsg(raw) : nullptr, path);
  sqlite3_extended_result_codes(raw, 1);
  // The timeout travels in the handler's pointer argument: nothing to keep alive.
  sqlite3_busy_handler(raw, wait_for_lock, reinterpret_cast<void*>(static_cast<std::intptr_t>(options.busy_timeout_ms)));
  // WAL lets readers (the API, hallctl) run while sync writes. synchronous=FULL
  // fsyncs the WAL on every commit: in WAL mode NORMAL may lose the last
  // commits on power loss, and a clerk was already told the case is registered.
  std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA cache_size=-" + std::to_string(options.cache_kib) +
                        "; PRAGMA mmap_size=" + std::to_string(options.mmap_bytes) + ";";
  if (!options.read_only) pragmas += "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
  if (!options.read_only && !options.auto_checkpoint) pragmas += "PRAGMA wal_autocheckpoint=0;";
  HALLSYNC_RETURN_IF_ERROR(db->exec_script(pragmas));
  if (!options.read_only && options.writer_rank != WriterRank::Unranked)
    db->priority_ = std::make_unique<storage::WriterPriority>(path, options.writer_rank);
  return db;
}

Result<DatabaseFileHead> read_database_head(const std::string& path, std::size_t n) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> handle(raw, sqlite3_close_v2);
  if (rc != SQLITE_OK) return status_from_code(rc, "open " + path, raw ? sqlite3_errmsg(raw) : nullptr, path);
  sqlite3_file* file = nullptr;
  rc = sqlite3_file_control(raw, "main", SQLITE_FCNTL_FILE_POINTER, &file);
  if (rc != SQLITE_OK || file == nullptr || file->pMethods == nullptr)
    return Status::storage("cannot reach the file of " + path + " through SQLite");
  DatabaseFileHead head;
  sqlite3_int64 size = 0;
  rc = file->pMethods->xFileSize(file, &size);
  if (rc != SQLITE_OK) return status_from_code(rc, "size of " + path, nullptr, path);
  head.size = size;
  head.bytes.resize(static_cast<std::size_t>(std::min<sqlite3_int64>(size, static_cast<sqlite3_int64>(n))));
  if (!head.bytes.empty()) {
    rc = file->pMethods->xRead(file, head.bytes.data(), static_cast<int>(head.bytes.size()), 0);
    if (rc != SQLITE_OK) return status_from_code(rc, "read " + path, nullptr, path);
  }
  return head;
}

Database::Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

Database::~Database() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  if (db_) sqlite3_close_v2(db_);
}

Status Database::exec_script(std::string_view sql) {
  if (pg_) return pg_->exec(sql);
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    Status s = status_from_code(rc, "exec", err ? err : sqlite3_errmsg(db_), path_);
    sqlite3_free(err);
    return s;
  }
  return Status::ok();
}

Result<Statement> Database::prepare(std::string_view sql, Planning planning) {
  if (pg_) {
    HALLSYNC_ASSIGN_OR_RETURN(auto call, pg_->prepare(sql, planning == Planning::PerCall));
    return Statement(this, std::move(call));
  }
  std::string key(sql);
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    sqlite3_stmt* stmt = it->second;
    cache_.erase(it);
    return Statement(this, std::move(key), stmt);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return status_from_code(rc, "prepare", sqlite3_errmsg(db_), path_);
  return Statement(this, std::move(key), stmt);
}

void Database::give_back(std::string sql, sqlite3_stmt* stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  cache_.emplace(std::move(sql), stmt);
}

Status Database::checkpoint() {
  if (pg_) return Status::ok();  // the server checkpoints its own WAL
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) return last_error("wal checkpoint");
  return Status::ok();
}

// PostgreSQL has no rowid: the hub uses INSERT … RETURNING instead.
std::int64_t Database::last_insert_rowid() const { return pg_ ? 0 : sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return pg_ ? pg_->changes() : sqlite3_changes(db_); }
bool Database::in_transaction() const { return pg_ ? pg_->in_transaction() : sqlite3_get_autocommit(db_) == 0; }

Status Database::last_error(std::string_view context) const {
  if (pg_) return Status::storage(std::string(context) + ": PostgreSQL error (see the failing statement's status)");
  return status_from_code(sqlite3_extended_errcode(db_), context, sqlite3_errmsg(db_), path_);
}

// ---- Transaction ----

Result<Transaction> Transaction::begin(Database& db) {
  if (db.pg_) {
    // Read committed, not repeatable read: each statement after the lock sees
    // what the previous writer committed before releasing it, which a snapshot
    // taken at the lock's SELECT would not (PROTOCOL.md, "The hub on PostgreSQL").
    Status begun = db.exec_script("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(" +
                                  std::to_string(storage::kHubWriteLockKey) + ")");
    if (!begun.is_ok() && db.in_transaction()) (void)db.exec_script("ROLLBACK");
    HALLSYNC_RETURN_IF_ERROR(begun);
    return Transaction(db);
  }
  if (db.priority_) db.priority_->before_begin();
  Status begun = db.exec_script("BEGIN IMMEDIATE");
  if (db.priority_) db.priority_->after_begin();
  HALLSYNC_RETURN_IF_ERROR(begun);
  return Transaction(db);
}

Transaction::~Transaction() {
  if (open_) (void)db_->exec_script("ROLLBACK");
}

Status Transaction::commit() {
  if (!open_) return Status::internal("commit of a transaction that is not open");
  // PostgreSQL answers COMMIT of a transaction a failed statement aborted with
  // a silent ROLLBACK: refuse it here rather than report it applied.
  if (db_->pg_ && db_->pg_->in_failed_transaction())
    return Status::internal("commit of a PostgreSQL transaction that an earlier statement aborted");
  Status s = db_->exec_script("COMMIT");
  if (s.is_ok()) open_ = false;
  return s;
}

}  // namespace hallsync
