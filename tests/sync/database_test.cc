#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "sync/api/database.h"
#include "tests/support/file_bytes.h"
#include "tests/support/temp_dir.h"

using namespace hallsync;

namespace {
std::vector<Migration> two_steps() {
  return {{1, "0001_t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"},
          {2, "0002_u.sql", "CREATE TABLE u (id INTEGER PRIMARY KEY);"}};
}
}  // namespace

TEST_CASE("Migrations bring an empty database to the newest version", "[sync][storage]") {
  test::TempDir dir;
  auto db = Database::open(dir.file("a.db"));
  REQUIRE(db.is_ok());
  REQUIRE(apply_migrations(**db, two_steps(), "test").is_ok());
  CHECK(*schema_version(**db) == 2);
  // Applying again is a no-op.
  REQUIRE(apply_migrations(**db, two_steps(), "test").is_ok());
  CHECK(*schema_version(**db) == 2);
}

TEST_CASE("Migrations continue from an older version", "[sync][storage]") {
  test::TempDir dir;
  auto db = Database::open(dir.file("a.db"));
  auto steps = two_steps();
  REQUIRE(apply_migrations(**db, {steps[0]}, "test").is_ok());
  CHECK(*schema_version(**db) == 1);
  REQUIRE(apply_migrations(**db, steps, "test").is_ok());
  CHECK(*schema_version(**db) == 2);
}

TEST_CASE("A database newer than the program is refused untouched", "[sync][storage]") {
  test::TempDir dir;
  auto db = Database::open(dir.file("a.db"));
  REQUIRE(apply_migrations(**db, two_steps(), "test").is_ok());
  auto older = two_steps();
  older.pop_back();
  Status s = apply_migrations(**db, older, "hall");
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.kind() == ErrorKind::Storage);
  CHECK(s.message().find("newer") != std::string::npos);
  CHECK(*schema_version(**db) == 2);
}

TEST_CASE("A failing migration leaves the version and tables unchanged", "[sync][storage]") {
  test::TempDir dir;
  auto db = Database::open(dir.file("a.db"));
  std::vector<Migration> broken = {{1, "0001_ok.sql", "CREATE TABLE ok (x);"}, {2, "0002_bad.sql", "CREATE TABLE;"}};
  REQUIRE_FALSE(apply_migrations(**db, broken, "test").is_ok());
  CHECK(*schema_version(**db) == 0);
  auto stmt = (*db)->prepare("SELECT count(*) FROM sqlite_master WHERE name = 'ok'");
  REQUIRE(*stmt->step());
  CHECK(stmt->column_int(0) == 0);
}

TEST_CASE("A transaction not committed is rolled back", "[sync][storage]") {
  test::TempDir dir;
  auto db = Database::open(dir.file("a.db"));
  REQUIRE(apply_migrations(**db, two_steps(), "test").is_ok());
  {
    auto txn = Transaction::begin(**db);
    REQUIRE(txn.is_ok());
    auto ins = (*db)->prepare("INSERT INTO t (name) VALUES (?)");
    ins->bind(1, "lost");
    REQUIRE(ins->run().is_ok());
  }
  auto count = (*db)->prepare("SELECT count(*) FROM t");
  REQUIRE(*count->step());
  CHECK(count->column_int(0) == 0);
}

TEST_CASE("Bound text is stored as data, never run as SQL", "[sync][storage]") {
  test::TempDir dir;
  auto db = Database::open(dir.file("a.db"));
  REQUIRE(apply_migrations(**db, two_steps(), "test").is_ok());
  const std::string hostile = "x'); DROP TABLE t; --";
  auto ins = (*db)->prepare("INSERT INTO t (name) VALUES (?)");
  ins->bind(1, hostile);
  REQUIRE(ins->run().is_ok());
  auto sel = (*db)->prepare("SELECT name FROM t");
  REQUIRE(*sel->step());
  CHECK(sel->column_text(0) == hostile);
}

TEST_CASE("Opening a file that is not a database reports damage", "[sync][storage]") {
  test::TempDir dir;
  {
    std::FILE* f = std::fopen(dir.file("junk.db").c_str(), "wb");
    std::fputs("this is not an sqlite database, just some junk text that is long enough......", f);
    std::fclose(f);
  }
  auto db = Database::open(dir.file("junk.db"));
  Status s = db.is_ok() ? schema_version(**db).status() : db.status();
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.kind() == ErrorKind::Storage);
  CHECK(s.message().find("damaged") != std::string::npos);
}

TEST_CASE("A damaged page met while reading names the file and what to do", "[sync][storage]") {
  test::TempDir dir;
  const std::string file = dir.file("torn.db");
  {
    auto db = Database::open(file);
    REQUIRE(db.is_ok());
    REQUIRE((*db)->exec_script("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
                               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
                               " INSERT INTO t SELECT i, 'row ' || i FROM n;")
                .is_ok());
  }  // closed: checkpointed, no WAL left to repair the page
  test::overwrite_bytes(file, 4096, std::string(512, '\x5A'));  // t's root page, torn
  auto db = Database::open(file);
  REQUIRE(db.is_ok());
  auto stmt = (*db)->prepare("SELECT count(*) FROM t");
  Status s = stmt.is_ok() ? stmt->step().status() : stmt.status();
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.kind() == ErrorKind::Storage);
  CHECK(s.code() == "store_damaged");
  CHECK(s.message().find(file) != std::string::npos);
  CHECK(s.message().find("hallctl resync --rebuild") != std::string::npos);
}

namespace {
// Background writer: back-to-back transactions, each inserting `who`, the
// first held long enough for a clerk to queue behind it; stops when told.
void write_back_to_back(Database& db, std::atomic<bool>& first_holding, std::atomic<bool>& stop) {
  for (int i = 0; i < 500 && !stop; ++i) {
    auto txn = Transaction::begin(db);
    REQUIRE(txn.is_ok());
    auto ins = db.prepare("INSERT INTO t (name) VALUES ('sync')");
    REQUIRE(ins->run().is_ok());
    if (i == 0) {
      first_holding = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    REQUIRE(txn->commit().is_ok());
  }
}
}  // namespace

TEST_CASE("A clerk's write waiting for the lock goes before the sync's next transaction", "[sync][storage]") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  DatabaseOptions sync_options, clerk_options;
  sync_options.writer_rank = WriterRank::Background;
  clerk_options.writer_rank = WriterRank::Foreground;
  auto sync_db = Database::open(path, sync_options);
  REQUIRE(sync_db.is_ok());
  REQUIRE(apply_migrations(**sync_db, two_steps(), "test").is_ok());
  auto clerk_db = Database::open(path, clerk_options);
  REQUIRE(clerk_db.is_ok());

  std::atomic<bool> first_holding{false}, clerk_done{false};
  std::thread sync([&] { write_back_to_back(**sync_db, first_holding, clerk_done); });
  while (!first_holding) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  {
    auto txn = Transaction::begin(**clerk_db);  // queues behind the sync's first transaction
    REQUIRE(txn.is_ok());
    REQUIRE((*clerk_db)->prepare("INSERT INTO t (name) VALUES ('clerk')")->run().is_ok());
    REQUIRE(txn->commit().is_ok());
  }
  clerk_done = true;
  sync.join();

  // SQLite alone hands the lock to whoever asks first after a commit, and the
  // sync asks at once: the clerk would wait out many of its transactions.
  auto before = (*clerk_db)->prepare(
      "SELECT count(*) FROM t WHERE name = 'sync' AND id < (SELECT id FROM t WHERE name = 'clerk')");
  REQUIRE(*before->step());
  CHECK(before->column_int(0) <= 2);
}
