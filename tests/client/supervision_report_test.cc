// The supervision report against a hand-computed fixture: every figure below
// was counted by hand from the script of the hall's month, not by the code.
#include <catch2/catch.hpp>

#include "client/domain/supervision_report.h"
#include "client/store/service_rules.h"
#include "tests/support/hall_fixture.h"

using namespace hallsync;
using namespace hallsync::client;
using schema::EventKind;
using test::draft;
using test::kDayMs;

namespace {

struct MonthFixture : test::HallFixture {
  ServiceRules rules{*store};
  void at_day(int day) { clock.set(test::kFri20260918_10h + day * kDayMs); }  // day 0 = Fri 2026-09-18
  CaseView step_kind(const CaseView& c, EventKind kind) { return step(c, draft(kind)); }
};

}  // namespace

TEST_CASE("The supervision report's figures match a hand-computed month", "[rules][report]") {
  MonthFixture f;
  f.at_day(-10);
  f.register_complete("GX-008");  // accepted 2026-09-08: outside the period, in no figure
  f.at_day(0);
  for (auto [id, name] : {std::pair{"a01", "王芳"}, {"b01", "李强"}, {"c001", "赵敏"}})
    REQUIRE(f.rules.register_staff("lead", {id, name, "窗口工作人员"}).is_ok());
  REQUIRE(f.rules.define_post("lead", {"W1", "民政窗口", {"GX-008", "GX-009"}, "a01", "b01"}).is_ok());

  CaseView c1 = f.register_complete("GX-008");  // approved day 3: on time
  CaseView c2 = f.register_complete("GX-009");  // left open: due in October, overdue by the period's end
  CaseView c3 = f.register_complete("GX-001");  // 15 working days, due mid-October; approved 11-17: late
  CaseView c4 = f.register_complete("GX-017");  // instant, delivered at once, 非常满意
  CaseView c5 = f.register_complete("GX-018");  // instant, delivered at once, 满意
  auto c6 = f.repo->register_case(f.form("GX-009"));  // awaiting materials; a second slip adds a material
  REQUIRE(c6.is_ok());
  CaseView c7 = f.register_complete("GX-008");  // refused the same day: completed on time
  for (const auto* c : {&c4, &c5}) f.step_kind(*c, EventKind::Delivered);
  auto eval = draft(EventKind::Evaluated);
  eval.value = "非常满意";
  eval.note = "办事快";
  f.step(c4, eval);
  eval.value = "满意";
  f.step(c5, eval);
  auto refuse = draft(EventKind::Refused);
  refuse.stage = "acceptance";
  refuse.reason = "户籍不在本镇";
  refuse.legal_basis = "《社会救助暂行办法》第十一条";
  f.step(c7, refuse);

  f.at_day(1);
  auto more = draft(EventKind::MaterialsRequested);
  more.materials = {"房产证明"};
  f.step(*c6, more);
  REQUIRE(f.rules.log_enquiry({"", "c001", "新农合怎么缴费", "引导至医保窗口", "医保窗口", "", {}}).is_ok());
  REQUIRE(f.rules.record_absence({"a01", "leave", "2026-09-21", "2026-09-25", "", true, "lead"}).is_ok());
  REQUIRE(f.rules.record_absence({"b01", "meeting", "2026-09-24", "2026-09-25", "", true, "lead"}).is_ok());
  auto complaint = [&](const char* channel) {
    auto c = f.rules.file_complaint({channel, "clerk", "b01", "态度生硬", "", "", "", "lead"});
    REQUIRE(c.is_ok());
    return c->id;
  };
  REQUIRE(f.rules.handle_complaint("lead", complaint("phone"), "约谈", "已致歉", "upheld").is_ok());
  REQUIRE(f.rules.handle_complaint("lead", complaint("written"), "核查", "不属实", "not_upheld").is_ok());
  complaint("email");  // still pending

  f.at_day(3);
  f.step_kind(c1, EventKind::Approved);
  f.at_day(60);  // 2026-11-17
  f.step_kind(c3, EventKind::Approved);

  auto reg = f.rules.load();
  REQUIRE(reg.is_ok());
  auto cases = f.repo->cases_accepted_between(CivilDate{-1000000}, CivilDate::from_ymd(2026, 12, 31));
  REQUIRE(cases.is_ok());
  SupervisionReport r = build_report("360704100", *cases, *reg, f.store->calendar(), CivilDate::from_ymd(2026, 9, 18),
                                     CivilDate::from_ymd(2026, 12, 31));

  CHECK(r.cases == 7);
  CHECK(r.by_matter["GX-008"] == std::map<std::string, int>{{"approved", 1}, {"refused", 1}});
  CHECK(r.by_matter["GX-009"] == std::map<std::string, int>{{"accepted", 1}, {"awaiting_materials", 1}});
  CHECK(r.by_matter["GX-001"] == std::map<std::string, int>{{"approved", 1}});
  CHECK(r.by_matter["GX-017"] == std::map<std::string, int>{{"delivered", 1}});
  CHECK(r.completed == 5);  // c1, c3, c4, c5, c7
  CHECK(r.on_time == 4);    // all but c3
  CHECK(r.overdue == std::vector<std::string>{c2.acceptance_no});
  CHECK(r.satisfaction == std::array<int, 5>{1, 1, 0, 0, 0});
  CHECK(r.enquiries == 1);
  CHECK(r.complaints == 3);
  CHECK(r.complaints_by_channel == std::map<std::string, int>{{"email", 1}, {"phone", 1}, {"written", 1}});
  CHECK(r.complaint_outcomes == std::map<std::string, int>{{"not_upheld", 1}, {"pending", 1}, {"upheld", 1}});
  REQUIRE(r.one_time_breaches.size() == 1);
  CHECK(r.one_time_breaches[0].acceptance_no == c6->acceptance_no);
  CHECK(r.coverage_gaps == std::vector<std::string>{"360704100 W1 2026-09-24–2026-09-25"});
  CHECK(r.flagged_clerks.empty());  // one upheld complaint only

  std::string text = report_to_text(r);
  CHECK(text.find("按时办结率：80.0%") != std::string::npos);
  std::string csv = report_to_csv(r);
  CHECK(csv.find("限时办结,按时办结率,80.0%\n") != std::string::npos);
  CHECK(report_to_html(r).find("<td>80.0%</td>") != std::string::npos);

  SupervisionReport district = r;
  district.scope = "district";
  district.add(r);  // two identical halls
  CHECK(district.halls == 2);
  CHECK(district.cases == 14);
  CHECK(district.on_time_rate() == Approx(0.8));
  CHECK(district.satisfaction == std::array<int, 5>{2, 2, 0, 0, 0});
}
