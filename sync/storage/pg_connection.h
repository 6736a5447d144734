// PostgreSQL behind hallsync::Database (#11, the hub at province scale): one
// libpq connection with its own cache of server-side prepared statements, and
// the per-Statement call state. Internal to sync/storage; owned by one
// Database, so by one thread at a time, like the SQLite connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sync/api/result.h"

struct pg_conn;
struct pg_result;

namespace hallsync::storage {

// Every hub write transaction takes this transaction-scoped advisory lock
// first: writers are serialized across hub processes and commit in the order
// they took it, so event sequences become visible in order (PROTOCOL.md).
inline constexpr std::int64_t kHubWriteLockKey = 0x68616c6c68756231;  // "hallhub1"

// A slow database must give devices a retryable 503, not hold the hub's one
// connection (and every device behind it) until their transfers time out:
// a statement running longer, or a wait for the write lock longer, is
// cancelled and the transaction rolled back whole (store_busy).
inline constexpr int kStatementTimeoutMs = 30'000;
inline constexpr int kLockTimeoutMs = 10'000;

// One execution of a prepared statement: its parameters (text, or binary for
// bytea) and, once run, its whole result, read row by row.
struct PgCall {
  std::string sql;   // as the caller wrote it: the cache key
  std::string name;  // server-side prepared statement; empty: planned per call
  std::string text;  // with $n placeholders, for a statement planned per call
  std::vector<std::string> values;
  std::vector<char> is_null, is_binary;
  pg_result* result = nullptr;
  int row = -1, rows = 0;
  bool executed = false;
  ~PgCall();
  void clear_result();
};

class PgConnection {
 public:
  // Connects; the message of a failure names the server (never the password).
  static Result<std::unique_ptr<PgConnection>> connect(const std::string& url);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // SQL without parameters (schema scripts, BEGIN/COMMIT): several statements allowed.
  Status exec(std::string_view sql);
  // A call ready to bind: prepares `sql` (with `?` rewritten to $n) on this
  // connection the first time it is seen; `per_call`: never prepared on the
  // server, sent with each call's values and planned for them.
  Result<std::unique_ptr<PgCall>> prepare(std::string_view sql, bool per_call = false);
  // Runs a bound call and keeps its rows; sets changes().
  Status execute(PgCall& call);
  int changes() const { return changes_; }
  bool in_transaction() const;
  bool in_failed_transaction() const;
  const std::string& display_url() const { return display_url_; }

 private:
  PgConnection(pg_conn* conn, std::string display_url) : conn_(conn), display_url_(std::move(display_url)) {}
  // A broken connection outside a transaction is re-established once (its
  // prepared statements go with it); inside one the transaction is lost anyway.
  Status ensure_connected();
  Status error(std::string_view context, pg_result* result) const;
  pg_conn* conn_;
  std::string display_url_;
  struct Prepared {
    std::string name;  // empty: planned per call
    std::string text;  // then the rewritten SQL
    int params = 0;
  };
  std::unordered_map<std::string, Prepared> prepared_;
  int changes_ = 0;
};

// The PostgreSQL half of Statement (pg_statement.cc), called by database.cc.
Status pg_bind_int(PgCall& call, int index, std::int64_t value);
Status pg_bind_double(PgCall& call, int index, double value);
Status pg_bind_text(PgCall& call, int index, std::string_view text);
Status pg_bind_blob(PgCall& call, int index, const void* data, std::size_t size);
Status pg_bind_null(PgCall& call, int index);
Status pg_bind_array(PgCall& call, int index, const std::vector<std::string>& values);
// `values` as an array literal in PostgreSQL's text form: {"a","b \"c\""}.
Result<std::string> pg_array_literal(const std::vector<std::string>& values);
Result<bool> pg_step(PgConnection& conn, PgCall& call);
std::int64_t pg_column_int(const PgCall& call, int col);
double pg_column_double(const PgCall& call, int col);
std::string pg_column_text(const PgCall& call, int col);
std::vector<std::uint8_t> pg_column_blob(const PgCall& call, int col);
bool pg_column_is_null(const PgCall& call, int col);

// `?` placeholders to $1, $2 … outside quotes and comments; `params` receives the count.
std::string rewrite_placeholders(std::string_view sql, int* params);
// The URL with any password replaced by '***', for messages and logs.
std::string redact_url(const std::string& url);
// The same server URL naming another database:
// postgresql://user@host:port/OLD?params → …/NAME?params (tests and benchmarks
// make a fresh database per run).
std::string url_with_database(const std::string& url, const std::string& name);

}  // namespace hallsync::storage
