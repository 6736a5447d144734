// Verification against the hub: equal after sync; differences narrowed down
// to the case and event, with unpushed outbox entries told apart.
#include <catch2/catch.hpp>

#include "client/store/verification.h"
#include "tests/support/sync_world.h"

using namespace hallsync;
using namespace hallsync::test;
using schema::EventKind;

namespace {
Result<VerifyReport> verify(Device& d) { return client::verify_hall_with_hub(*d.store, *d.transport, d.credentials); }
}  // namespace

TEST_CASE("A synced hall verifies equal to the hub", "[sync][verify]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  for (int i = 0; i < 20; ++i) w.register_case(hall);
  w.converge();
  auto r = verify(hall);
  REQUIRE(r.is_ok());
  CHECK(r->equal());
  CHECK(r->cases.empty());
}

TEST_CASE("Verification tells unpushed, unpulled and lost events apart", "[sync][verify]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  auto a = w.register_case(hall);
  auto b = w.register_case(hall);
  auto c = w.register_case(hall);
  w.converge();

  REQUIRE(w.step(hall, a.acceptance_no, EventKind::Forwarded).is_ok());  // not pushed yet
  REQUIRE(w.decide(b.acceptance_no, EventKind::Approved).is_ok());       // not pulled yet
  // The hub loses an acknowledged event (a restore from an old backup, say).
  REQUIRE(w.hub().db().exec_script(allow_event_deletes(w.hub().db().is_postgres())).is_ok());
  auto del = w.hub().db().prepare("DELETE FROM events WHERE doc_key = ? AND origin_device = ?");
  del->bind(1, c.case_id).bind(2, hall.id());
  REQUIRE(del->run().is_ok());

  auto r = verify(hall);
  REQUIRE(r.is_ok());
  CHECK_FALSE(r->equal());
  CHECK_FALSE(r->consistent());
  std::map<std::string, CaseDifference> by_case;
  for (const auto& d : r->cases) by_case[d.case_id] = d;
  REQUIRE(by_case.count(a.case_id));
  CHECK(by_case[a.case_id].not_yet_pushed.size() == 1);
  CHECK(by_case[a.case_id].missing_at_hub.empty());
  REQUIRE(by_case.count(b.case_id));
  CHECK(by_case[b.case_id].missing_here.size() == 1);
  REQUIRE(by_case.count(c.case_id));
  CHECK(by_case[c.case_id].missing_at_hub == std::vector<std::string>{c.events.front().event_id()});
  CHECK(by_case.size() == 3);
}
