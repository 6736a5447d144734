// Store access for both ends of the protocol: a connection, cached prepared
// statements with bound parameters only, and RAII transactions. Over SQLite
// (the hall, the default hub) or, for the hub only, PostgreSQL (#11:
// open_url). Not thread safe: one Database is owned by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sync/api/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace hallsync {

class Database;
class PayloadSealer;
namespace storage {
class WriterPriority;
class PgConnection;
struct PgCall;
}

// Who waits for whom when two connections want the write lock of one file.
// Foreground writers (a clerk's registration) go before background ones (sync
// pages and acknowledgements), across threads and processes; Unranked (the
// hub, tools) takes SQLite's first-come order.
enum class WriterRank { Unranked, Foreground, Background };

// A prepared statement borrowed from the connection's cache; returned (reset,
// bindings cleared) when this handle is destroyed. Parameter indexes start at 1.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind_blob(int index, const void* data, std::size_t size);
  Statement& bind_null(int index);
  // PostgreSQL only: a whole column of values as one array parameter, written
  // `?::text[]` (or `?::bigint[]` with decimal strings) in the SQL, so a batch
  // of rows is one statement and one round trip (`unnest`, `= ANY`). Over
  // SQLite an internal error: callers there run one statement per row, which
  // costs no round trip in-process.
  Statement& bind_array(int index, const std::vector<std::string>& values);

  // Advances one row: true when a row is available, false when done.
  Result<bool> step();
  // Runs to completion, for statements that return no rows.
  Status run();

  std::int64_t column_int(int col) const;
  double column_double(int col) const;
  std::string column_text(int col) const;
  std::vector<std::uint8_t> column_blob(int col) const;
  bool column_is_null(int col) const;
  // Steps through every remaining row and returns column 0 of each as text.
  Result<std::vector<std::string>> column_texts();

 private:
  friend class Database;
  Statement(Database* db, std::string sql, sqlite3_stmt* stmt);
  Statement(Database* db, std::unique_ptr<storage::PgCall> call);
  Database* db_;
  std::string sql_;
  sqlite3_stmt* stmt_;
  Status bind_error_;
  // PostgreSQL only (sync/storage/pg_statement.cc); null over SQLite, where
  // every method's one extra test is a predictable branch.
  std::unique_ptr<storage::PgCall> pg_;
};

struct DatabaseOptions {
  bool read_only = false;
  bool create = true;
  int busy_timeout_ms = 5000;
  // false: commits never run a WAL checkpoint themselves (its fsyncs would land
  // on whoever commits); the owner runs checkpoints elsewhere (WalCheckpointer).
  bool auto_checkpoint = true;
  // Page cache per connection; the default 2 MB made every batch re-read its
  // index pages from the OS (#3: push/pull throughput).
  int cache_kib = 16 * 1024;
  std::int64_t mmap_bytes = 0;  // memory-mapped reads (the hub uses them)
  WriterRank writer_rank = WriterRank::Unranked;
};

class Database {
 public:
  // Opens (or creates) the file with WAL, synchronous=FULL, foreign keys on and a busy timeout.
  static Result<std::unique_ptr<Database>> open(const std::string& path, DatabaseOptions options = {});
  // PostgreSQL (`postgresql://…` or `postgres://…`, libpq's URI syntax): the
  // hub's store at province scale (#11). `?` placeholders are rewritten to $n;
  // every Transaction takes the hub's write lock (see Transaction).
  static Result<std::unique_ptr<Database>> open_url(const std::string& url);
  static bool is_postgres_url(std::string_view url);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs SQL text with no parameters: for schema scripts and pragmas only,
  // never for statements that carry data.
  Status exec_script(std::string_view sql);
  // How PostgreSQL plans a statement; SQLite plans every statement once.
  //   Cached: prepared once per connection, and after a few calls planned once
  //           for all values (the default: most statements look up one key).
  //   PerCall: planned for each call's own values. For statements whose best
  //           plan depends on them, such as a batch's arrays (`= ANY(?)`): a
  //           plan cached while a table was small scans it whole ever after.
  enum class Planning { Cached, PerCall };
  Result<Statement> prepare(std::string_view sql, Planning planning = Planning::Cached);

  // PASSIVE checkpoint: copies what it can from the WAL without blocking writers.
  Status checkpoint();

  std::int64_t last_insert_rowid() const;
  int changes() const;
  bool in_transaction() const;
  bool is_postgres() const { return pg_ != nullptr; }
  // The file, or the server's URL without its password.
  const std::string& path() const { return path_; }
  // Set by the hall's store: the change log seals payloads at rest with it
  // (payload_sealer.h). Null (the hub, tools): payloads are stored as given.
  void set_payload_sealer(const PayloadSealer* sealer) { sealer_ = sealer; }
  const PayloadSealer* payload_sealer() const { return sealer_; }

  // Translates the last SQLite failure into a Status with a message a person can act on.
  Status last_error(std::string_view context) const;

 private:
  friend class Statement;
  friend class Transaction;
  Database(sqlite3* db, std::string path);
  void give_back(std::string sql, sqlite3_stmt* stmt);
  sqlite3* db_;
  std::string path_;
  std::unordered_multimap<std::string, sqlite3_stmt*> cache_;
  std::unique_ptr<storage::WriterPriority> priority_;
  std::unique_ptr<storage::PgConnection> pg_;  // set: PostgreSQL, db_ is null
  const PayloadSealer* sealer_ = nullptr;
};

// BEGIN IMMEDIATE on construction; rolls back in the destructor unless committed.
// Immediate, so a writer learns at the start (not mid-way) that another holds the lock.
// On PostgreSQL: BEGIN (read committed) and the store's write lock, a
// transaction-scoped advisory lock, so writers are serialized as on SQLite and
// commit in the order they took the lock (sync/PROTOCOL.md, "The hub on PostgreSQL").
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_), open_(other.open_) { other.open_ = false; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status commit();
  Database& db() { return *db_; }

 private:
  explicit Transaction(Database& db) : db_(&db) {}
  Database* db_;
  bool open_ = true;
};

// The first bytes and the length of a database file, read through SQLite's own
// file layer without running any statement. Never read a database file this
// process may have open in SQLite with a descriptor of one's own (ifstream,
// fopen, a copy): POSIX record locks belong to the process and inode, so
// closing that descriptor drops every lock SQLite holds on the file here, and
// another process then takes itself for the last user, checkpoints and deletes
// the WAL that this one is still writing. SQLite's unix layer shares one inode
// record among its connections and defers such closes.
struct DatabaseFileHead {
  std::int64_t size = 0;
  std::string bytes;  // up to the `n` asked for (fewer when the file is shorter)
};
Result<DatabaseFileHead> read_database_head(const std::string& path, std::size_t n);

// A numbered, forward-only schema step.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// Brings the file to the newest version in one transaction. A file whose
// user_version is newer than `migrations` knows is refused untouched.
Status apply_migrations(Database& db, const std::vector<Migration>& migrations, std::string_view what);
Result<int> schema_version(Database& db);

}  // namespace hallsync
