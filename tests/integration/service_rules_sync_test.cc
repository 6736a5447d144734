// Service-rule records sync like case events (issue #8): a door-to-door case
// registered on a laptop with no network reaches the hall and the hub once it
// is back; the roster, posts and absences made at the hall reach the laptop;
// a hall record naming another hall is refused by the hub.
#include <catch2/catch.hpp>

#include "client/domain/supervision_report.h"
#include "client/store/service_rules.h"
#include "sync/api/event_codec.h"
#include "tests/support/sync_world.h"

using namespace hallsync;
using namespace hallsync::test;
using schema::EventKind;

TEST_CASE("A door-to-door case registered on a disconnected laptop reaches the hall and the hub", "[integration][rules]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  Device& laptop = w.add_device("360704100", "L01");
  client::ServiceRules rules(*hall.store);
  REQUIRE(rules.register_staff("lead", {"c001", "赵敏", "窗口工作人员"}).is_ok());
  REQUIRE(rules.register_staff("lead", {"b01", "李强", "窗口工作人员"}).is_ok());
  REQUIRE(rules.define_post("lead", {"W1", "民政窗口", {"GX-009"}, "c001", "b01"}).is_ok());
  w.converge();  // the laptop leaves the hall with the roster and posts

  client::ServiceRules laptop_rules(*laptop.store);
  auto reg = laptop_rules.load();
  REQUIRE(reg.is_ok());
  CHECK(reg->posts.count("W1") == 1);
  CHECK(reg->staff.size() == 2);

  // In the village: no network, so every sync attempt fails before sending.
  laptop.transport->fault_plan = [](const HttpRequest&) { return Fault::FailBeforeSend; };
  client::CaseView visit = w.register_case(laptop, "GX-009");
  auto flag = draft(EventKind::ServiceFlagged);
  flag.field = "door_to_door";
  flag.clerk_id = "c001";
  auto flagged = laptop.repo->record(visit.acceptance_no, flag);
  REQUIRE(flagged.is_ok());
  CHECK(flagged->service_flags == std::vector<std::string>{"door_to_door"});
  CHECK_FALSE(w.sync(laptop).is_ok());
  REQUIRE(w.sync(hall).is_ok());
  CHECK_FALSE(hall.repo->holds_case(visit.case_id).value());
  CHECK_FALSE(w.hub().case_row(visit.case_id).is_ok());

  // Back at the hall with a network.
  laptop.transport->fault_plan = nullptr;
  w.converge();
  auto at_hub = w.hub().case_row(visit.case_id);
  REQUIRE(at_hub.is_ok());
  CHECK(at_hub->hall_code == "360704100");
  CHECK_FALSE(at_hub->platform_case_no.empty());
  auto at_hall = hall.repo->load(visit.acceptance_no);
  REQUIRE(at_hall.is_ok());
  CHECK(at_hall->service_flags == std::vector<std::string>{"door_to_door"});
  CHECK(at_hall->handler == "c001");
  CHECK(at_hall->platform_case_no == at_hub->platform_case_no);
  w.require_converged();
}

TEST_CASE("Absences recorded at the hall reach the other devices and the hub lists no case for them", "[integration][rules]") {
  SyncWorld w;
  Device& w1 = w.add_device("360704100", "W01");
  Device& w2 = w.add_device("360704100", "W02");
  client::ServiceRules rules(*w1.store);
  REQUIRE(rules.register_staff("lead", {"a01", "王芳", "窗口工作人员"}).is_ok());
  REQUIRE(rules.register_staff("lead", {"b01", "李强", "窗口工作人员"}).is_ok());
  REQUIRE(rules.define_post("lead", {"W1", "民政窗口", {"GX-009"}, "a01", "b01"}).is_ok());
  REQUIRE(rules.record_absence({"a01", "meeting", "2026-09-18", "2026-09-18", "", true, "lead"}).is_ok());
  w.converge();
  // The other window PC now sends the post's new cases to B as well.
  CHECK(w.register_case(w2, "GX-009").handler == "b01");
  CHECK(w.hub_count("SELECT count(*) FROM cases") == 0);  // until that case is pushed
  w.converge();
  CHECK(w.hub_count("SELECT count(*) FROM cases") == 1);
  w.require_converged();
}

TEST_CASE("The hub refuses a hall record that names another hall", "[integration][rules]") {
  SyncWorld w;
  Device& d = w.add_device("360704100", "W01");
  schema::CaseEvent e;
  e.kind = EventKind::StaffRegistered;
  e.case_id = client::new_case_uuid();
  e.device_id = d.id();
  e.origin_seq = 1;
  e.hlc = 1;
  e.clerk_id = "lead";
  e.hall_code = "360704101";
  e.subject = "x01";
  auto body = encode_event(e);
  protocol::PushRequest req;
  req.device_id = d.id();
  req.entries.push_back({1, 1, "case_events", e.case_id, std::string(body.begin(), body.end())});
  auto res = w.hub().push(d.id(), req);
  REQUIRE(res.is_ok());
  REQUIRE(res->rejected.size() == 1);
  CHECK(res->rejected[0].reason.find("hall record for hall 360704101") != std::string::npos);
}

TEST_CASE("The hub's district report sums the halls' reports from the events it holds", "[integration][rules][report]") {
  SyncWorld w;
  Device& a = w.add_device("360704100", "W01");
  Device& b = w.add_device("360704101", "W01");
  client::ServiceRules rules(*a.store);
  REQUIRE(rules.register_staff("lead", {"c001", "赵敏", "窗口工作人员"}).is_ok());
  REQUIRE(rules.file_complaint({"oral", "clerk", "c001", "插队办理", "", "", "", "lead"}).is_ok());
  client::CaseView done = w.register_case(a, "GX-017");  // instant
  REQUIRE(w.step(a, done.acceptance_no, EventKind::Delivered).is_ok());
  w.register_case(a, "GX-009");
  w.register_case(b, "GX-009");
  w.converge();

  auto day = client::CivilDate::from_unix_ms(w.clock().now_ms());
  client::SupervisionReport district;
  district.halls = 0;
  std::vector<client::SupervisionReport> halls;
  for (auto* d : {&a, &b}) {
    auto reg = client::ServiceRules(*d->store).load();
    auto cases = d->repo->cases_accepted_between(day, day);
    REQUIRE(reg.is_ok());
    REQUIRE(cases.is_ok());
    auto local = client::build_report(d->hall, *cases, *reg, d->store->calendar(), day, day);
    auto events = w.hub().hall_events(d->hall);
    REQUIRE(events.is_ok());
    auto at_hub = client::report_from_events(d->hall, std::move(*events), d->store->calendar(), day, day);
    CHECK(client::report_to_csv(at_hub) == client::report_to_csv(local));  // the hub computes what the hall does
    district.add(at_hub);
  }
  CHECK(district.halls == 2);
  CHECK(district.cases == 3);
  CHECK(district.completed == 1);
  CHECK(district.complaints == 1);
}
