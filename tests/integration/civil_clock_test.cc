// Dates for people on a device whose clock is years off: once a sync has
// learned the device's offset from the hub, acceptance dates and numbers,
// time limits, overdue and remaining-days views and document dates follow the
// hub's time (the civil clock), so the hub and every device agree on a
// citizen's deadline; the HLC keeps the device's own clock. Before any sync the
// device's own clock is used, as it always was.
#include <catch2/catch.hpp>

#include "client/cli/cli_support.h"
#include "client/domain/deadline.h"
#include "tests/support/sync_world.h"

using namespace hallsync;
using namespace hallsync::test;
using client::CivilDate;
using schema::EventKind;

namespace {

constexpr std::int64_t kTenYears = 3652 * kDayMs;
constexpr const char* kHall = "360704100";

CivilDate date(const char* text) { return *CivilDate::parse(text); }

client::CivilDate due_of(const client::CaseView& v, client::HallStore& store) {
  auto d = client::case_deadline(v, store.calendar());
  REQUIRE(d.has_value());
  CHECK_FALSE(d->beyond_known_calendar);
  return d->due;
}

// What a clerk's view shows for one case on `d` now: halld refreshes the civil
// clock before each request, as here.
struct DueView {
  CivilDate today;
  int working_days_left = 0;
  std::string state;
  bool listed_overdue = false;
  bool listed_due_within_2 = false;
};

DueView due_view(Device& d, const std::string& case_id) {
  REQUIRE(d.store->refresh_civil_clock().is_ok());
  DueView out;
  out.today = client::cli::today(*d.store);
  auto v = d.repo->load(case_id);
  REQUIRE(v.is_ok());
  CivilDate due = due_of(*v, *d.store);
  out.working_days_left = client::working_days_between(d.store->calendar(), out.today, due);
  out.state = client::cli::deadline_state(due.to_string(), v->state, d.store->calendar(), out.today);
  client::CaseFilter overdue;
  overdue.overdue_only = true;
  overdue.today = out.today;
  auto rows = d.repo->list(overdue);
  REQUIRE(rows.is_ok());
  out.listed_overdue = rows->size() == 1;
  client::CaseFilter soon;
  soon.due_within_days = 2;
  soon.today = out.today;
  rows = d.repo->list(soon);
  REQUIRE(rows.is_ok());
  out.listed_due_within_2 = rows->size() == 1;
  return out;
}

}  // namespace

TEST_CASE("A device ten years ahead that has synced dates a case and its legal deadline by the hub's clock",
          "[integration][clock]") {
  SyncWorld w;
  Device& ahead = w.add_device(kHall, "W01", kTenYears);
  Device& in_step = w.add_device(kHall, "W02", 0);
  auto learned = w.sync(ahead);
  REQUIRE(learned.is_ok());
  CHECK(learned->clock_warning);
  REQUIRE(ahead.store->refresh_civil_clock().is_ok());
  CHECK(ahead.store->civil_clock().notice().find("本机时钟比平台快约 3652 天") != std::string::npos);

  // Hub time: Friday 2026-09-18, 10:00. GX-009 (农村低保) promises 20 working
  // days, legal maximum 30, counted from the next day. By the 2026 calendar:
  // 09-20 (Sun, worked for National Day) is day 1, 09-21–24 days 2–5,
  // Mid-Autumn 09-25–27 off, 09-28–30 days 6–8, National Day 10-01–07 off,
  // 10-08, 10-09, 10-10 (Sat, worked) days 9–11, 10-12–16 days 12–16,
  // 10-19–22 days 17–20: due Thursday 2026-10-22. Days 21–30: 10-23, 10-26–30,
  // 11-02–05: the legal maximum ends Thursday 2026-11-05.
  client::CaseView v = w.register_case(ahead, "GX-009");
  CHECK(v.accepted_on == date("2026-09-18"));
  CHECK(v.acceptance_no.find("-20260918-") != std::string::npos);
  CHECK(due_of(v, *ahead.store) == date("2026-10-22"));
  // Its order stays the device's: the HLC was stamped on the device clock, ten years ahead.
  CHECK(Hlc{v.events.front().hlc}.physical_ms() >= kFri20260918_10h + kTenYears);

  schema::CaseEvent extend = draft(EventKind::Extended);
  extend.clerk_id = "c001";
  extend.days = 10;
  extend.reason = "需入户核查";
  auto extended = ahead.repo->record(v.case_id, extend);
  REQUIRE(extended.is_ok());
  CHECK(extended->extension_days == 10);
  CHECK(due_of(*extended, *ahead.store) == date("2026-11-05"));

  w.converge();
  w.require_converged();
  // The hub and the device in step fold the same events to the same dates.
  auto events = w.hub().hall_events(kHall);
  REQUIRE(events.is_ok());
  std::vector<schema::CaseEvent> of_case;
  for (const auto& e : *events)
    if (e.case_id == v.case_id) of_case.push_back(e);
  client::CaseView at_hub = client::fold_case(of_case);
  CHECK(at_hub.accepted_on == date("2026-09-18"));
  CHECK(due_of(at_hub, *in_step.store) == date("2026-11-05"));
  auto there = in_step.repo->load(v.case_id);
  REQUIRE(there.is_ok());
  CHECK(there->accepted_on == date("2026-09-18"));
  CHECK(due_of(*there, *in_step.store) == date("2026-11-05"));
}

TEST_CASE("Overdue and remaining-days views on a device ten years ahead agree with a device in step with the hub",
          "[integration][clock]") {
  SyncWorld w;
  Device& ahead = w.add_device(kHall, "W01", kTenYears);
  Device& in_step = w.add_device(kHall, "W02", 0);
  std::string case_id = w.register_case(in_step, "GX-009").case_id;  // due 2026-10-22 (see above)
  w.converge();

  // Wednesday 2026-10-21, 10:00 hub time: one working day left.
  w.clock().set(kFri20260918_10h + 33 * kDayMs);
  w.converge();  // a sync on that day, as halld's scheduler makes several a day
  DueView a = due_view(ahead, case_id), b = due_view(in_step, case_id);
  CHECK(b.today == date("2026-10-21"));
  CHECK(a.today == b.today);
  CHECK(b.working_days_left == 1);
  CHECK(a.working_days_left == b.working_days_left);
  CHECK(b.state == "due_soon");
  CHECK(a.state == b.state);
  CHECK(b.listed_due_within_2);
  CHECK(a.listed_due_within_2 == b.listed_due_within_2);
  CHECK_FALSE(b.listed_overdue);
  CHECK(a.listed_overdue == b.listed_overdue);

  // A document printed that day carries the hub's date on both.
  auto loaded = ahead.repo->load(case_id);
  REQUIRE(loaded.is_ok());
  auto doc = client::cli::render_case_document(*ahead.store, *loaded, client::DocumentKind::AcceptanceNotice);
  REQUIRE(doc.is_ok());
  CHECK(doc->text.find("2026年10月21日") != std::string::npos);
  CHECK(doc->text.find("2036年") == std::string::npos);

  // Friday 2026-10-23: overdue by one working day on both, without another sync.
  w.clock().set(kFri20260918_10h + 35 * kDayMs);
  a = due_view(ahead, case_id);
  b = due_view(in_step, case_id);
  CHECK(b.today == date("2026-10-23"));
  CHECK(a.today == b.today);
  CHECK(b.working_days_left == -1);
  CHECK(a.working_days_left == b.working_days_left);
  CHECK(b.state == "overdue");
  CHECK(a.state == b.state);
  CHECK(b.listed_overdue);
  CHECK(a.listed_overdue == b.listed_overdue);
}

TEST_CASE("Without a learned clock offset a device dates cases by its own clock as before", "[integration][clock]") {
  SyncWorld w;
  Device& ahead = w.add_device(kHall, "W01", kTenYears);  // never synced
  CHECK(ahead.store->civil_clock().offset_ms() == 0);
  CHECK(ahead.store->civil_clock().notice().empty());
  client::CaseView v = w.register_case(ahead, "GX-009");
  CivilDate own = CivilDate::from_unix_ms(kFri20260918_10h + kTenYears);
  CHECK(v.accepted_on == own);
  CHECK(client::cli::today(*ahead.store) == own);

  // A device in step with the hub learns an offset of zero: nothing changes, nothing is said.
  Device& in_step = w.add_device(kHall, "W02", 0);
  REQUIRE(w.sync(in_step).is_ok());
  REQUIRE(in_step.store->refresh_civil_clock().is_ok());
  CHECK(in_step.store->civil_clock().notice().empty());
  CHECK(w.register_case(in_step, "GX-009").accepted_on == date("2026-09-18"));
}
