#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "sync/api/change_log.h"
#include "sync/api/digest.h"
#include "sync/api/event_codec.h"
#include "tests/support/hall_fixture.h"

using namespace hallsync;
using namespace hallsync::client;
using schema::EventKind;
using test::draft;

TEST_CASE("Registering a case writes its event, its outbox entry and its row together", "[store]") {
  test::HallFixture f;
  CaseView v = f.register_complete();
  CHECK(v.state == CaseState::Accepted);
  CHECK(f.count("case_events") == 1);
  CHECK(f.count("change_log") == 1);
  CHECK(f.count("cases") == 1);
  ChangeLog log(f.store->db());
  auto entries = log.read_after(0, 10, 1 << 20);
  REQUIRE(entries->size() == 1);
  auto decoded = decode_event((*entries)[0].payload);
  REQUIRE(decoded.is_ok());
  CHECK(*decoded == v.events[0]);
  CHECK((*entries)[0].doc_key == v.case_id);
}

TEST_CASE("A case with missing materials starts with a one-time notification", "[store]") {
  test::HallFixture f;
  auto form = f.form();
  auto v = f.repo->register_case(form);
  REQUIRE(v.is_ok());
  CHECK(v->state == CaseState::AwaitingMaterials);
  CHECK(v->materials_missing == f.store->catalog().find("GX-008")->materials);
  CHECK(f.count("change_log") == 2);
}

TEST_CASE("Acceptance numbers carry hall, device and date and never repeat", "[store]") {
  test::HallFixture f;
  CaseView a = f.register_complete();
  CaseView b = f.register_complete();
  CHECK(a.acceptance_no == "360704100-W01-20260918-000001");
  CHECK(b.acceptance_no == "360704100-W01-20260918-000002");
  CHECK(a.acceptance_no.size() <= 50);
  CHECK(a.case_id != b.case_id);
  CHECK(a.case_id.size() == 36);
  CHECK(a.platform_case_no.empty());
  CHECK(a.catalog_version == f.store->catalog().version());
}

TEST_CASE("Invalid intake writes nothing", "[store][validation]") {
  test::HallFixture f;
  auto bad = GENERATE(as<std::string>{}, "id", "phone", "name", "matter", "utf8", "long-note", "clerk");
  auto form = f.form();
  if (bad == "id") form.id_number = "360704198001011230";  // wrong check digit (unless it happens to be right)
  if (bad == "id" && parse_resident_id(form.id_number, 20260918).is_ok()) form.id_number = "36070419800101123";
  if (bad == "phone") form.phone = "12345";
  if (bad == "name") form.applicant_name = "x'); DROP TABLE cases; --";
  if (bad == "matter") form.matter_id = "GX-999";
  if (bad == "utf8") form.applicant_name = "\xC0\xAF";
  if (bad == "long-note") form.note = std::string(3000, 'a');
  if (bad == "clerk") form.clerk_id = "";
  auto v = f.repo->register_case(form);
  INFO(bad);
  REQUIRE_FALSE(v.is_ok());
  CHECK(v.status().kind() == ErrorKind::Validation);
  CHECK_FALSE(v.status().message().empty());
  CHECK(f.count("case_events") == 0);
  CHECK(f.count("change_log") == 0);
  CHECK(f.count("cases") == 0);
}

TEST_CASE("An illegal step is refused with a reason and writes nothing", "[store]") {
  test::HallFixture f;
  CaseView c = f.register_complete();
  auto before_log = f.count("change_log");
  auto r = f.repo->record(c.acceptance_no, [] { auto d = draft(EventKind::Delivered); d.clerk_id = "c001"; return d; }());
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().kind() == ErrorKind::Conflict);
  CHECK(r.status().message().find("出件") != std::string::npos);
  CHECK(f.count("change_log") == before_log);
  CHECK(f.count("case_events") == 1);
}

TEST_CASE("A failure in the middle of a mutation leaves neither the change nor its log entry", "[store][atomicity]") {
  test::HallFixture f;
  CaseView c = f.register_complete();
  auto events = f.count("case_events"), log = f.count("change_log");
  auto counter = f.store->meta("acceptance.counter");

  SECTION("the outbox append fails after the event row was written") {
    REQUIRE(f.store->db().exec_script("CREATE TEMP TRIGGER fail_log BEFORE INSERT ON change_log "
                                      "BEGIN SELECT RAISE(ABORT, 'injected outbox failure'); END;").is_ok());
  }
  SECTION("the case row update fails after the event and the outbox entry were written") {
    REQUIRE(f.store->db().exec_script("CREATE TEMP TRIGGER fail_row BEFORE INSERT ON cases "
                                      "BEGIN SELECT RAISE(ABORT, 'injected row failure'); END;").is_ok());
  }
  auto forwarded = f.repo->record(c.acceptance_no, [] { auto d = draft(EventKind::Forwarded); d.clerk_id = "c001"; return d; }());
  CHECK_FALSE(forwarded.is_ok());
  CHECK(forwarded.status().kind() == ErrorKind::Storage);
  auto registered = f.repo->register_case([&] { auto x = f.form(); x.materials_received = f.store->catalog().find("GX-008")->materials; return x; }());
  CHECK_FALSE(registered.is_ok());
  CHECK(f.count("case_events") == events);
  CHECK(f.count("change_log") == log);
  CHECK(f.count("cases") == 1);
  CHECK(*f.store->meta("acceptance.counter") == *counter);
  auto reloaded = f.repo->load(c.acceptance_no);
  CHECK(reloaded->state == CaseState::Accepted);
}

TEST_CASE("Case events cannot be edited or deleted", "[store]") {
  test::HallFixture f;
  f.register_complete();
  CHECK_FALSE(f.store->db().exec_script("UPDATE case_events SET clerk_id = 'x'").is_ok());
  CHECK_FALSE(f.store->db().exec_script("DELETE FROM case_events").is_ok());
  CHECK(f.count("case_events") == 1);
}

TEST_CASE("A reopened store continues the device's clock and counters", "[store]") {
  test::HallFixture f;
  CaseView a = f.register_complete();
  std::string dir = f.store->data_dir();
  f.repo.reset();
  f.store.reset();
  f.clock.set(test::kFri20260918_10h - 3 * 365 * test::kDayMs);  // the PC's clock fell back three years
  auto reopened = HallStore::open(dir, f.clock);
  REQUIRE(reopened.is_ok());
  CaseRepository repo(**reopened);
  auto forwarded = repo.record(a.acceptance_no, [] { auto d = draft(EventKind::Forwarded); d.clerk_id = "c001"; return d; }());
  REQUIRE(forwarded.is_ok());
  CHECK(forwarded->events.back().hlc > a.events.back().hlc);
  CHECK(forwarded->state == CaseState::Forwarded);
}

TEST_CASE("Listing filters by state, matter, search and overdue", "[store]") {
  test::HallFixture f;
  CaseView a = f.register_complete("GX-008");
  CaseView b = f.register_complete("GX-072");
  f.step(b, draft(EventKind::Forwarded));
  CaseFilter all;
  all.today = CivilDate::from_unix_ms(f.clock.now_ms());
  CHECK(f.repo->list(all)->size() == 2);
  CaseFilter forwarded = all;
  forwarded.state = CaseState::Forwarded;
  auto rows = f.repo->list(forwarded);
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].acceptance_no == b.acceptance_no);
  CaseFilter by_no = all;
  by_no.search = a.acceptance_no;
  CHECK(f.repo->list(by_no)->size() == 1);
  CaseFilter overdue = all;
  overdue.overdue_only = true;
  CHECK(f.repo->list(overdue)->empty());
  overdue.today = CivilDate::from_unix_ms(f.clock.now_ms()).plus_days(120);
  CHECK(f.repo->list(overdue)->size() == 2);
}

TEST_CASE("A database from a newer release is refused", "[store][migration]") {
  test::HallFixture f;
  std::string dir = f.store->data_dir();
  REQUIRE(f.store->db().exec_script("PRAGMA user_version = 999").is_ok());
  f.repo.reset();
  f.store.reset();
  auto reopened = HallStore::open(dir, f.clock);
  REQUIRE_FALSE(reopened.is_ok());
  CHECK(reopened.status().message().find("newer") != std::string::npos);
}

TEST_CASE("Case ids are version-7 UUIDs that sort in creation order", "[store]") {
  // Time-ordered ids keep every index keyed by case id appending at its edge (#3).
  std::string previous;
  for (int i = 0; i < 50; ++i) {
    std::string id = new_case_uuid();
    REQUIRE(id.size() == 36);
    CHECK(id[14] == '7');
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);
    if (!previous.empty()) CHECK(id.substr(0, 13) >= previous.substr(0, 13));  // same or later millisecond
    previous = id;
  }
}

TEST_CASE("Digest buckets spread time-ordered case ids over all 16 buckets", "[store]") {
  // The bucket is the id's last (random) digit: ids made in one second share
  // their leading digits and would otherwise all land in one bucket.
  std::set<int> buckets;
  for (int i = 0; i < 400; ++i) buckets.insert(digest_bucket(new_case_uuid()));
  CHECK(buckets.size() == kDigestBuckets);
}
