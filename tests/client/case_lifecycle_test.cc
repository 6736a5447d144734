#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

#include "client/domain/case_lifecycle.h"
#include "client/domain/work_calendar.h"

using namespace hallsync;
using namespace hallsync::client;
using schema::CaseEvent;
using schema::EventKind;

namespace {

constexpr std::int64_t kT0 = 1789696800000;  // 2026-09-18 10:00 +08:00

struct EventMaker {
  std::string device = "360704100-W01";
  std::int64_t seq = 0;
  std::uint64_t hlc = static_cast<std::uint64_t>(kT0) << 16;
  std::int64_t wall = kT0;

  CaseEvent make(EventKind kind) {
    CaseEvent e;
    e.case_id = "case-1";
    e.device_id = device;
    e.origin_seq = ++seq;
    e.hlc = ++hlc;
    e.wall_ms = wall;
    e.clerk_id = "c001";
    e.kind = kind;
    switch (kind) {
      case EventKind::Accepted:
        e.acceptance_no = "360704100-W01-20260918-000001";
        e.hall_code = "360704100";
        e.matter_id = "GX-008";
        e.catalog_version = "test";
        e.applicant = {"张三", "360704198001011234", "13800001234"};
        e.handling_kind = "promised";
        e.days = 20;
        e.legal_max_days = 30;
        e.time_unit = "working";
        break;
      case EventKind::MaterialsRequested: e.materials = {"收入状况证明", "居民户口簿"}; break;
      case EventKind::MaterialsSupplemented: e.materials = {"收入状况证明", "居民户口簿"}; break;
      case EventKind::Refused:
        e.stage = "decision";
        e.reason = "家庭收入超过低保标准";
        e.legal_basis = "《社会救助暂行办法》第九条";
        break;
      case EventKind::Extended: e.days = 10; e.reason = "需入户核查"; break;
      case EventKind::Withdrawn: e.reason = "申请人主动撤回"; break;
      case EventKind::FieldCorrected: e.field = "applicant.phone"; e.value = "13900001234"; e.reason = "号码登记错误"; break;
      case EventKind::ProcedurePaused: e.reason = "入户调查"; break;
      case EventKind::PlatformNumberAssigned: e.platform_case_no = "GX2026000001"; break;
      default: break;
    }
    return e;
  }
};

std::vector<CaseEvent> path_to(CaseState s, EventMaker& m) {
  std::vector<CaseEvent> ev{m.make(EventKind::Accepted)};
  auto add = [&](EventKind k) { ev.push_back(m.make(k)); };
  switch (s) {
    case CaseState::Accepted: break;
    case CaseState::AwaitingMaterials: add(EventKind::MaterialsRequested); break;
    case CaseState::Forwarded: add(EventKind::Forwarded); break;
    case CaseState::Approved: add(EventKind::Forwarded); add(EventKind::Approved); break;
    case CaseState::Refused: add(EventKind::Refused); break;
    case CaseState::Delivered: add(EventKind::Forwarded); add(EventKind::Approved); add(EventKind::Delivered); break;
    case CaseState::Withdrawn: add(EventKind::Withdrawn); break;
  }
  return ev;
}

const std::vector<CaseState> kAllStates = {CaseState::Accepted, CaseState::AwaitingMaterials, CaseState::Forwarded,
                                           CaseState::Approved, CaseState::Refused,           CaseState::Delivered,
                                           CaseState::Withdrawn};

}  // namespace

TEST_CASE("Every lifecycle step is allowed exactly in the states the rules name", "[lifecycle]") {
  using S = CaseState;
  // For each event kind, the states in which a promised case accepts it.
  const std::map<EventKind, std::vector<S>> legal = {
      {EventKind::Accepted, {}},
      {EventKind::MaterialsRequested, {S::Accepted, S::AwaitingMaterials, S::Forwarded}},
      {EventKind::MaterialsSupplemented, {S::AwaitingMaterials}},
      {EventKind::Forwarded, {S::Accepted}},
      {EventKind::Approved, {S::Accepted, S::Forwarded}},
      {EventKind::Refused, {S::Accepted, S::AwaitingMaterials, S::Forwarded}},
      {EventKind::Extended, {S::Accepted, S::Forwarded}},
      {EventKind::Delivered, {S::Approved}},
      {EventKind::Withdrawn, {S::Accepted, S::AwaitingMaterials, S::Forwarded}},
      {EventKind::FieldCorrected, {S::Accepted, S::AwaitingMaterials, S::Forwarded, S::Approved}},
      {EventKind::ProcedurePaused, {S::Accepted, S::Forwarded}},
      {EventKind::ProcedureResumed, {}},
      {EventKind::PlatformNumberAssigned, {S::Accepted, S::AwaitingMaterials, S::Forwarded, S::Approved, S::Refused,
                                           S::Delivered, S::Withdrawn}},
  };
  for (const auto& [kind, states] : legal) {
    for (S state : kAllStates) {
      EventMaker m;
      CaseView v = fold_case(path_to(state, m));
      REQUIRE(v.state == state);
      Status s = check_transition(v, m.make(kind));
      bool expected = std::find(states.begin(), states.end(), state) != states.end();
      INFO(schema::event_kind_code(kind) << " in state " << case_state_code(state) << ": " << s.message());
      CHECK(s.is_ok() == expected);
      if (!expected) {
        CHECK(!s.message().empty());
        CHECK((s.kind() == ErrorKind::Conflict || s.kind() == ErrorKind::Validation));
      }
    }
  }
}

TEST_CASE("Nothing but acceptance can start a case", "[lifecycle]") {
  EventMaker m;
  CaseView empty;
  CHECK(check_transition(empty, m.make(EventKind::Accepted)).is_ok());
  for (int k = 2; k <= schema::kMaxEventKind; ++k) CHECK_FALSE(check_transition(empty, m.make(static_cast<EventKind>(k))).is_ok());
}

TEST_CASE("An instant matter is accepted and delivered at once", "[lifecycle]") {
  EventMaker m;
  CaseEvent acc = m.make(EventKind::Accepted);
  acc.handling_kind = "instant";
  acc.days = 0;
  CaseView v = fold_case({acc});
  REQUIRE(check_transition(v, m.make(EventKind::Delivered)).is_ok());
  v = fold_case({acc, m.make(EventKind::Delivered)});
  CHECK(v.state == CaseState::Delivered);
  CHECK_FALSE(check_transition(v, m.make(EventKind::Extended)).is_ok());
}

TEST_CASE("A promised matter cannot be delivered before approval", "[lifecycle]") {
  EventMaker m;
  CaseView v = fold_case(path_to(CaseState::Accepted, m));
  Status s = check_transition(v, m.make(EventKind::Delivered));
  CHECK(s.kind() == ErrorKind::Conflict);
  CHECK(s.message().find("审批") != std::string::npos);
}

TEST_CASE("Extensions can never pass the legal maximum", "[lifecycle]") {
  EventMaker m;
  auto events = path_to(CaseState::Forwarded, m);
  events.push_back(m.make(EventKind::Extended));  // 20 + 10 = 30 = legal max
  CaseView v = fold_case(events);
  CHECK(v.extension_days == 10);
  CaseEvent more = m.make(EventKind::Extended);
  more.days = 1;
  Status s = check_transition(v, more);
  CHECK(s.kind() == ErrorKind::Conflict);
  CHECK(s.message().find("法定最高时限") != std::string::npos);
  CaseEvent no_reason = m.make(EventKind::Extended);
  no_reason.reason.clear();
  CHECK(check_transition(fold_case(path_to(CaseState::Forwarded, m)), no_reason).kind() == ErrorKind::Validation);
}

TEST_CASE("A refusal needs a reason and a legal basis", "[lifecycle]") {
  EventMaker m;
  CaseView v = fold_case(path_to(CaseState::Forwarded, m));
  CaseEvent r = m.make(EventKind::Refused);
  r.legal_basis.clear();
  CHECK(check_transition(v, r).kind() == ErrorKind::Validation);
}

TEST_CASE("Supplementing every missing material restarts the clock", "[lifecycle]") {
  EventMaker m;
  auto events = path_to(CaseState::AwaitingMaterials, m);
  m.wall += 5 * 24 * 3600 * 1000LL;
  CaseEvent partial = m.make(EventKind::MaterialsSupplemented);
  partial.materials = {"收入状况证明"};
  events.push_back(partial);
  CaseView v = fold_case(events);
  CHECK(v.state == CaseState::AwaitingMaterials);
  CHECK(v.materials_missing == std::vector<std::string>{"居民户口簿"});
  CaseEvent rest = m.make(EventKind::MaterialsSupplemented);
  rest.materials = {"居民户口簿"};
  events.push_back(rest);
  v = fold_case(events);
  CHECK(v.state == CaseState::Accepted);
  CHECK(v.clock_start.to_string() == "2026-09-23");
  CHECK(v.accepted_on.to_string() == "2026-09-18");
  CaseEvent unknown = m.make(EventKind::MaterialsSupplemented);
  unknown.materials = {"结婚证"};
  CHECK(check_transition(fold_case(path_to(CaseState::AwaitingMaterials, m)), unknown).kind() == ErrorKind::Validation);
}

TEST_CASE("A paused case has no due date until it resumes, then the pause is not counted", "[lifecycle][deadline]") {
  const WorkCalendar& cal = WorkCalendar::builtin();
  EventMaker m;
  auto events = path_to(CaseState::Accepted, m);
  auto plain = case_deadline(fold_case(events), cal);
  REQUIRE(plain);
  events.push_back(m.make(EventKind::ProcedurePaused));  // paused on Fri 09-18
  CHECK_FALSE(case_deadline(fold_case(events), cal));
  m.wall += 3 * 24 * 3600 * 1000LL;                       // resumed Mon 09-21
  events.push_back(m.make(EventKind::ProcedureResumed));
  auto resumed = case_deadline(fold_case(events), cal);
  REQUIRE(resumed);
  // Paused days are 09-19 .. 09-21: Sun 09-20 is a 调休 working day and Mon 09-21 a
  // working day, so the due date moves by exactly two working days.
  CHECK(working_days_between(cal, plain->due, resumed->due) == 2);
}

TEST_CASE("Any permutation of the same events folds to the same case", "[lifecycle][fold]") {
  EventMaker hall;
  EventMaker office;
  office.device = "hub";
  std::vector<CaseEvent> events = path_to(CaseState::Forwarded, hall);
  office.hlc = hall.hlc;
  events.push_back(office.make(EventKind::PlatformNumberAssigned));
  events.push_back(office.make(EventKind::Extended));
  events.push_back(office.make(EventKind::Approved));
  hall.hlc = office.hlc;
  events.push_back(hall.make(EventKind::Delivered));
  CaseView reference = fold_case(events);
  REQUIRE(reference.state == CaseState::Delivered);
  std::mt19937 rng(20261128);
  for (int i = 0; i < 200; ++i) {
    auto shuffled = events;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    if (i % 3 == 0) shuffled.push_back(shuffled[static_cast<std::size_t>(i) % shuffled.size()]);  // a duplicate delivery
    CaseView v = fold_case(shuffled);
    CHECK(v.state == reference.state);
    CHECK(v.events == reference.events);
    CHECK(v.extension_days == reference.extension_days);
    CHECK(v.platform_case_no == reference.platform_case_no);
  }
}

TEST_CASE("Delivery concurrent with a refusal keeps both events and raises a conflict", "[lifecycle][fold]") {
  EventMaker hall;
  auto events = path_to(CaseState::Forwarded, hall);
  EventMaker office;
  office.device = "hub";
  office.hlc = hall.hlc;
  // The back office approves, the window delivers; concurrently another officer refuses.
  CaseEvent approved = office.make(EventKind::Approved);
  CaseEvent refused = office.make(EventKind::Refused);
  hall.hlc = approved.hlc;
  CaseEvent delivered = hall.make(EventKind::Delivered);
  refused.hlc = delivered.hlc - 1;  // the refusal sorts between approval and delivery
  events.insert(events.end(), {approved, refused, delivered});
  CaseView v = fold_case(events);
  CHECK(v.events.size() == events.size());
  CHECK(v.open_conflicts() >= 1);
  CHECK_FALSE(v.conflicts.empty());
  // A person settles it; the conflict stays in history as resolved.
  CaseEvent resolve = hall.make(EventKind::ConflictResolved);
  resolve.ref_event_id = v.conflicts.front().event_id;
  resolve.reason = "经核实以准予决定为准，已出件";
  REQUIRE(check_transition(v, resolve).is_ok());
  events.push_back(resolve);
  CaseView settled = fold_case(events);
  CHECK(settled.open_conflicts() == v.open_conflicts() - 1);
}

TEST_CASE("State codes and labels round-trip", "[lifecycle]") {
  for (CaseState s : kAllStates) {
    CHECK(parse_case_state(case_state_code(s)) == s);
    CHECK_FALSE(case_state_label(s).empty());
  }
  CHECK_FALSE(parse_case_state("bogus"));
}
