// #11: hallsync::Database behaves the same over SQLite and PostgreSQL — the
// values the hub stores come back unchanged, changes() and RETURNING agree,
// a transaction is all or nothing. Runs on SQLite, and on PostgreSQL in the
// "pg: " run (tests/support/test_hub_store.h).
#include <catch2/catch.hpp>

#include "sync/hub/hub_reply.h"
#include "sync/storage/pg_connection.h"
#include "tests/support/sync_world.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_hub_store.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {
std::unique_ptr<Database> open_store(const TestHubStore& store, TempDir& dir) {
  auto db = store.is_postgres() ? Database::open_url(store.url()) : Database::open(dir.file("store.db"));
  REQUIRE(db.is_ok());
  REQUIRE((*db)->exec_script("CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT, d DOUBLE PRECISION, b " +
                             std::string(store.is_postgres() ? "BYTEA" : "BLOB") + ", s TEXT)")
              .is_ok());
  return std::move(db).value();
}
}  // namespace

TEST_CASE("Both stores return the values the hub binds, and RETURNING tells a new row from a held one",
          "[storage][pg]") {
  TestHubStore store;
  TempDir dir;
  auto db = open_store(store, dir);
  const std::string bytes("\x00\x01\xff\\x'\"?", 8);
  auto ins = db->prepare("INSERT INTO t (k, n, d, b, s) VALUES (?, ?, ?, ?, ?) ON CONFLICT (k) DO NOTHING RETURNING n");
  REQUIRE(ins.is_ok());
  ins->bind(1, "a?'b").bind(2, std::int64_t{-9007199254740993}).bind(3, 0.1).bind_blob(4, bytes.data(), bytes.size())
      .bind_null(5);
  auto row = ins->step();
  REQUIRE(row.is_ok());
  CHECK(*row);
  CHECK(ins->column_int(0) == -9007199254740993);
  REQUIRE(ins->run().is_ok());  // finish it: SQLite keeps the table busy until then
  auto again = db->prepare("INSERT INTO t (k, n, d, b, s) VALUES (?, ?, ?, ?, ?) ON CONFLICT (k) DO NOTHING RETURNING n");
  again->bind(1, "a?'b").bind(2, 1).bind(3, 0.0).bind_blob(4, "", 0).bind(5, "x");
  CHECK_FALSE(*again->step());  // already held: no row

  auto sel = db->prepare("SELECT k, n, d, b, s, n < 0, '?' FROM t WHERE k = ?");  // a quoted ? is no parameter
  REQUIRE(sel.is_ok());
  sel->bind(1, "a?'b");
  REQUIRE(*sel->step());
  CHECK(sel->column_text(0) == "a?'b");
  CHECK(sel->column_int(1) == -9007199254740993);
  CHECK(sel->column_double(2) == 0.1);
  auto b = sel->column_blob(3);
  CHECK(std::string(b.begin(), b.end()) == bytes);
  CHECK(sel->column_is_null(4));
  CHECK(sel->column_int(5) == 1);  // a comparison reads as 1/0 on both
  CHECK(sel->column_text(6) == "?");
  CHECK_FALSE(*sel->step());

  auto upd = db->prepare("UPDATE t SET s = ? WHERE k = ?");
  upd->bind(1, "y").bind(2, "nobody");
  REQUIRE(upd->run().is_ok());
  CHECK(db->changes() == 0);
  auto upd2 = db->prepare("UPDATE t SET s = ? WHERE k = ?");  // a finished statement is not rebound
  upd2->bind(1, "y").bind(2, "a?'b");
  REQUIRE(upd2->run().is_ok());
  CHECK(db->changes() == 1);
}

TEST_CASE("A transaction on either store is all or nothing, and a failed statement cannot be committed",
          "[storage][pg]") {
  TestHubStore store;
  TempDir dir;
  auto db = open_store(store, dir);
  {
    auto txn = Transaction::begin(*db);
    REQUIRE(txn.is_ok());
    auto ins = db->prepare("INSERT INTO t (k, n) VALUES (?, ?)");
    ins->bind(1, "one").bind(2, 1);
    REQUIRE(ins->run().is_ok());
    CHECK(db->in_transaction());
  }  // rolled back
  auto count = [&] {
    auto c = db->prepare("SELECT count(*) FROM t");
    REQUIRE(*c->step());
    return c->column_int(0);
  };
  CHECK(count() == 0);
  CHECK_FALSE(db->in_transaction());

  auto txn = Transaction::begin(*db);
  REQUIRE(txn.is_ok());
  auto ins = db->prepare("INSERT INTO t (k, n) VALUES (?, ?)");
  ins->bind(1, "one").bind(2, 1);
  REQUIRE(ins->run().is_ok());
  auto dup = db->prepare("INSERT INTO t (k, n) VALUES (?, ?)");
  dup->bind(1, "one").bind(2, 2);
  Status failed = dup->run();
  CHECK(failed.kind() == ErrorKind::Storage);
  if (store.is_postgres()) {
    CHECK(failed.code() == "constraint");
    // PostgreSQL aborted the transaction: a COMMIT would silently roll back.
    CHECK_FALSE(txn->commit().is_ok());
  }
}

TEST_CASE("PostgreSQL placeholders are rewritten outside quotes and comments, and URLs are shown without passwords",
          "[storage]") {
  int n = 0;
  CHECK(storage::rewrite_placeholders("SELECT ? , '?', \"a?\" -- x?\n, ?", &n) == "SELECT $1 , '?', \"a?\" -- x?\n, $2");
  CHECK(n == 2);
  CHECK(storage::redact_url("postgresql://hub:s3cret@db:5432/hallhub") == "postgresql://hub:***@db:5432/hallhub");
  CHECK(storage::redact_url("postgresql:///hallhub?host=/run/pg") == "postgresql:///hallhub?host=/run/pg");
  CHECK(storage::url_with_database("postgresql:///postgres?host=/s&user=p", "x") == "postgresql:///x?host=/s&user=p");
  CHECK(storage::url_with_database("postgresql://u@h:1/db", "x") == "postgresql://u@h:1/x");
  CHECK(storage::url_with_database("postgresql://u@h", "x") == "postgresql://u@h/x");
  auto refused = Database::open_url("postgresql:///nosuchdb?host=/nonexistent-dir&user=nobody");
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == "store_unavailable");
  CHECK(hub::http_status_for(refused.status()) == 503);  // devices retry a 503 later
}

TEST_CASE("A hub whose PostgreSQL connection was cut refuses one request with 503 and reconnects for the next",
          "[storage][pg]") {
  SyncWorld w;
  if (!w.hub_store().is_postgres()) return;  // an embedded file has no connection to lose
  Device& d = w.add_device("360704100", "W01");
  w.register_case(d);
  // The server ends the hub's session (a restart, a failover, an idle timeout).
  auto admin = Database::open_url(w.hub_store().url());
  REQUIRE(admin.is_ok());
  REQUIRE((*admin)->exec_script("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                " WHERE datname = current_database() AND pid <> pg_backend_pid()")
              .is_ok());
  auto cut = w.sync(d);
  REQUIRE_FALSE(cut.is_ok());
  CHECK(cut.status().is_transient());  // the device saw a 503 and will retry
  auto healed = w.sync(d);
  INFO(healed.status().to_string());
  REQUIRE(healed.is_ok());
  CHECK(w.hub().cases("", "").value().size() == 1);
}

TEST_CASE("A hub write waiting too long for PostgreSQL's write lock is refused as store_busy, nothing applied",
          "[storage][pg]") {
  TestHubStore store;
  if (!store.is_postgres()) return;  // SQLite's busy timeout is its own test (sync_tests)
  auto holder = Database::open_url(store.url());
  auto waiter = Database::open_url(store.url());
  REQUIRE(holder.is_ok());
  REQUIRE(waiter.is_ok());
  auto held = Transaction::begin(**holder);  // another hub process in a long write
  REQUIRE(held.is_ok());
  auto t0 = std::chrono::steady_clock::now();
  auto refused = Transaction::begin(**waiter);
  auto waited = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == "store_busy");
  CHECK(hub::http_status_for(refused.status()) == 503);
  CHECK(waited >= std::chrono::milliseconds(storage::kLockTimeoutMs));
  CHECK_FALSE((*waiter)->in_transaction());  // rolled back, ready for the next request
}
