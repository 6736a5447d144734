// The hub's repair mode (POST /v1/repush): events it lost come back, each
// exactly once however often a repair runs; the high-water mark never moves
// back, so the normal push stays exactly-once; a repair against another epoch
// than the agreed one is refused.
#include <catch2/catch.hpp>

#include "client/store/verification.h"
#include "tests/support/sync_world.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {

std::int64_t count(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  REQUIRE(stmt.is_ok());
  auto row = stmt->step();
  REQUIRE((row.is_ok() && *row));
  return stmt->column_int(0);
}

Replicator replicator_of(Device& d, const Clock& clock) {
  return Replicator(d.store->db(), *d.transport, *d.sink, clock, d.credentials, d.options);
}

}  // namespace

TEST_CASE("A repair push restores lost events once each and leaves the normal push exactly-once", "[sync][repair]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  for (int i = 0; i < 5; ++i) w.register_case(hall);
  w.converge();
  const std::string own = "SELECT count(*) FROM events WHERE origin_device = '360704100-W01'";
  std::int64_t held = count(w.hub().db(), own);
  REQUIRE(held == 5);
  REQUIRE(w.hub().db().exec_script(allow_event_deletes(w.hub().db().is_postgres()) +
                                   " DELETE FROM events WHERE origin_device = '360704100-W01' AND hub_seq % 2 = 1;")
              .is_ok());
  REQUIRE(count(w.hub().db(), own) < held);

  ManualClock clock(kFri20260918_10h);
  auto hand = hub_handshake(*hall.transport, hall.credentials, *hall.clock, &hall.store->db());
  REQUIRE(hand.is_ok());
  CHECK_FALSE(hand->epoch_changed());
  CHECK(hand->high_water == 5);
  Replicator r = replicator_of(hall, clock);
  for (int run = 0; run < 2; ++run) {
    auto repaired = r.repush(hand->hub_epoch);
    REQUIRE(repaired.is_ok());
    CHECK(repaired->pushed == 5);
    CHECK(repaired->rejected == 0);
    CHECK(count(w.hub().db(), own) == held);
  }
  CHECK(count(w.hub().db(), "SELECT high_water FROM devices WHERE device_id = '360704100-W01'") == 5);
  auto report = client::verify_hall_with_hub(*hall.store, *hall.transport, hall.credentials);
  REQUIRE(report.is_ok());
  CHECK(report->equal());

  // The normal path continues after the mark, once.
  w.register_case(hall);
  auto pushed = r.push();
  REQUIRE(pushed.is_ok());
  CHECK(pushed->pushed == 1);
  CHECK(count(w.hub().db(), own) == held + 1);
}

TEST_CASE("A repair push against another hub epoch than the agreed one is refused", "[sync][repair]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  ManualClock clock(kFri20260918_10h);
  Replicator r = replicator_of(hall, clock);
  auto refused = r.repush("0123456789abcdef");
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == "epoch_mismatch");
  CHECK(count(w.hub().db(), "SELECT count(*) FROM events WHERE origin_device = '360704100-W01'") == 0);
}
