// Hub schema upgrades keep every event and its pull sequence.
#include <catch2/catch.hpp>

#include "client/domain/case_policy.h"
#include "schema/embedded.h"
#include "sync/api/database.h"
#include "sync/hub/hub_service.h"
#include "tests/support/temp_dir.h"

using namespace hallsync;

TEST_CASE("Upgrading a hub from schema 1 keeps its events and continues their sequence", "[hub][storage][sqlite]") {
  test::TempDir dir;
  {
    auto db = Database::open(dir.file(hub::HubService::kDatabaseFile));
    REQUIRE(db.is_ok());
    std::vector<Migration> first;
    for (const auto& s : schema::sql_steps("sql/hub"))
      if (s.version == 1) first.push_back({s.version, s.name, s.sql});
    REQUIRE(apply_migrations(**db, first, "hub").is_ok());
    auto insert = (*db)->prepare("INSERT INTO events (hub_seq, event_id, hall_code, collection, doc_key, origin_device,"
                                 " body, received_ms) VALUES (?, ?, '360704100', 'case_events', 'k', 'd', x'00', 0)");
    REQUIRE(insert.is_ok());
    REQUIRE(insert->bind(1, 41).bind(2, "d#1").run().is_ok());
  }
  SystemClock clock;
  client::HallCasePolicy policy;
  auto hub = hub::HubService::open(dir.path().string(), clock, policy);
  REQUIRE(hub.is_ok());
  Database& db = (*hub)->db();
  CHECK(schema_version(db).value() >= 2);
  auto next = db.prepare("INSERT INTO events (event_id, hall_code, collection, doc_key, origin_device, body, received_ms)"
                         " VALUES ('d#2', '360704100', 'case_events', 'k', 'd', x'00', 0)");
  REQUIRE(next->run().is_ok());
  CHECK(db.last_insert_rowid() == 42);
  auto rows = db.prepare("SELECT group_concat(hub_seq || ':' || event_id, ' ') FROM events");
  REQUIRE(rows->step().value());
  CHECK(rows->column_text(0) == "41:d#1 42:d#2");
  // Still append-only after the table was rebuilt.
  CHECK_FALSE(db.exec_script("UPDATE events SET received_ms = 1").is_ok());
  CHECK_FALSE(db.exec_script("DELETE FROM events").is_ok());
}

TEST_CASE("Upgrading a hub to blob possession keeps every hall that referenced a complete blob reading it",
          "[hub][storage][sqlite][blobs]") {
  test::TempDir dir;
  const std::string done(64, 'a'), in_flight(64, 'b');
  {
    auto db = Database::open(dir.file(hub::HubService::kDatabaseFile));
    REQUIRE(db.is_ok());
    std::vector<Migration> before;
    for (const auto& s : schema::sql_steps("sql/hub"))
      if (s.version <= 5) before.push_back({s.version, s.name, s.sql});
    REQUIRE(apply_migrations(**db, before, "hub").is_ok());
    REQUIRE((*db)->exec_script("INSERT INTO blobs VALUES ('" + done + "', 10, 1, 1, 1, 1), ('" + in_flight +
                               "', 10, 0, 1, 1, NULL);"
                               " INSERT INTO blob_ranges VALUES ('" + in_flight + "', 0, 5);"
                               " INSERT INTO blob_refs VALUES ('" + done + "', 'c1', '360704100', 'd1', 1),"
                               " ('" + done + "', 'c2', '360704100', 'd2', 1), ('" + done + "', 'c3', '360704101', 'd3', 1),"
                               " ('" + in_flight + "', 'c4', '360704100', 'd1', 1);")
                .is_ok());
  }
  SystemClock clock;
  client::HallCasePolicy policy;
  auto hub = hub::HubService::open(dir.path().string(), clock, policy);
  REQUIRE(hub.is_ok());
  auto holders = (*hub)->db().prepare("SELECT group_concat(substr(sha256, 1, 1) || ':' || hall_code, ' ')"
                                      " FROM (SELECT * FROM blob_holders ORDER BY sha256, hall_code)");
  REQUIRE(holders->step().value());
  CHECK(holders->column_text(0) == "a:360704100 a:360704101");  // the incomplete blob has no holder
  auto ranges = (*hub)->db().prepare("SELECT count(*) FROM blob_upload_ranges");
  REQUIRE(ranges->step().value());
  CHECK(ranges->column_int(0) == 0);  // the upload in flight starts again
}
