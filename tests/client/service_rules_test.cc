// The hall's service rules (issue #8): AB posts and handovers, one-time
// notification breaches, extension limits, complaint accountability and the
// refusal register, over a real store.
#include <catch2/catch.hpp>

#include "client/domain/service_guide.h"
#include "client/store/service_rules.h"
#include "tests/support/hall_fixture.h"

using namespace hallsync;
using namespace hallsync::client;
using schema::EventKind;
using test::draft;
using test::kDayMs;

namespace {

// A hall with a roster and one window: 低保 matters, A = a01, B = b01.
struct RulesFixture : test::HallFixture {
  ServiceRules rules{*store};
  RulesFixture() {
    for (auto [id, name] : {std::pair{"a01", "王芳"}, {"b01", "李强"}, {"c001", "赵敏"}, {"lead", "陈主任"}})
      REQUIRE(rules.register_staff("lead", {id, name, "窗口工作人员"}).is_ok());
    auto p = rules.define_post("lead", {"W1", "民政窗口", {"GX-008", "GX-009"}, "a01", "b01"});
    INFO(p.status().message());
    REQUIRE(p.is_ok());
  }
  void at_day(int day) { clock.set(test::kFri20260918_10h + day * kDayMs); }  // day 0 = 2026-09-18
  int changes() { return static_cast<int>(count("change_log")); }
};

}  // namespace

TEST_CASE("B takes over during A's absence and the return handover lists the cases handled meanwhile", "[rules][ab]") {
  RulesFixture f;
  CaseView before = f.register_complete("GX-008");
  CHECK(before.handler == "a01");

  auto out = f.rules.record_absence({"a01", "leave", "2026-09-21", "2026-09-25", "在办件已交B岗", true, "lead"});
  INFO(out.status().message());
  REQUIRE(out.is_ok());
  REQUIRE(out->handovers.size() == 1);
  CHECK(out->handovers[0].kind == "departure");
  CHECK(out->handovers[0].from_clerk == "a01");
  CHECK(out->handovers[0].to_clerk == "b01");
  CHECK(out->gaps.empty());

  f.at_day(3);  // 2026-09-21, A away
  CaseView during1 = f.register_complete("GX-008");
  CaseView other_post = f.register_complete("GX-001");  // not this window's matter
  f.at_day(5);
  CaseView during2 = f.register_complete("GX-009");
  CHECK(during1.handler == "b01");
  CHECK(during2.handler == "b01");
  CHECK(other_post.handler == "c001");  // no post serves it: the accepting clerk handles it

  f.at_day(6);  // 2026-09-24: A is back a day early
  auto back = f.rules.record_return("lead", out->absence.id, "2026-09-24");
  INFO(back.status().message());
  REQUIRE(back.is_ok());
  REQUIRE(back->size() == 2);
  const HandoverRecord& ret = (*back)[1];
  CHECK(ret.kind == "return");
  CHECK(ret.from_clerk == "b01");
  CHECK(ret.to_clerk == "a01");
  CHECK(ret.on == CivilDate::from_ymd(2026, 9, 24));
  std::vector<std::string> expected{during1.acceptance_no, during2.acceptance_no};
  std::sort(expected.begin(), expected.end());
  CHECK(ret.cases == expected);

  CaseView after = f.register_complete("GX-008");
  CHECK(after.handler == "a01");
  CHECK(f.rules.record_return("lead", out->absence.id, "2026-09-25").status().kind() == ErrorKind::Conflict);
}

TEST_CASE("When A could not hand over, B's takeover is the handover record", "[rules][ab]") {
  RulesFixture f;
  auto out = f.rules.record_absence({"a01", "village", "2026-09-18", "2026-09-18", "", false, "lead"});
  REQUIRE(out.is_ok());
  REQUIRE(out->handovers.size() == 1);
  CHECK(out->handovers[0].kind == "takeover");
  CHECK(f.register_complete("GX-008").handler == "b01");
}

TEST_CASE("A post with both holders away is flagged when the second absence is recorded", "[rules][ab]") {
  RulesFixture f;
  REQUIRE(f.rules.record_absence({"a01", "business_trip", "2026-09-21", "2026-09-25", "", true, "lead"}).is_ok());
  auto b = f.rules.record_absence({"b01", "meeting", "2026-09-24", "2026-09-28", "", true, "lead"});
  REQUIRE(b.is_ok());
  REQUIRE(b->gaps.size() == 1);
  CHECK(b->gaps[0].post_code == "W1");
  CHECK(b->gaps[0].from == CivilDate::from_ymd(2026, 9, 24));
  CHECK(b->gaps[0].to == CivilDate::from_ymd(2026, 9, 25));
  auto overlap = f.rules.record_absence({"b01", "leave", "2026-09-27", "2026-09-30", "", true, "lead"});
  CHECK(overlap.status().kind() == ErrorKind::Conflict);
}

TEST_CASE("Posts need registered, distinct A and B holders and known matters", "[rules][ab]") {
  RulesFixture f;
  CHECK(f.rules.define_post("lead", {"W2", "社保窗口", {"GX-001"}, "a01", "a01"}).status().kind() == ErrorKind::Validation);
  CHECK(f.rules.define_post("lead", {"W2", "社保窗口", {"GX-001"}, "a01", "x99"}).status().kind() == ErrorKind::NotFound);
  CHECK(f.rules.define_post("lead", {"W2", "社保窗口", {"GX-999"}, "a01", "b01"}).status().kind() == ErrorKind::NotFound);
  CHECK(f.rules.define_post("lead", {"W2", "社保窗口", {"GX-008"}, "a01", "b01"}).status().kind() == ErrorKind::Conflict);
}

TEST_CASE("A second notification asking for a material not on the first slip is recorded as a breach", "[rules][one-time]") {
  RulesFixture f;
  auto v = f.repo->register_case(f.form("GX-008"));  // no materials: the first slip lists all of them
  REQUIRE(v.is_ok());
  REQUIRE(v->state == CaseState::AwaitingMaterials);
  CHECK(v->one_time_breaches.empty());

  auto again = draft(EventKind::MaterialsRequested);
  again.materials = {"居民户口簿"};  // on the first slip: a reminder, not a breach
  CHECK(f.step(*v, again).one_time_breaches.empty());

  f.at_day(2);
  auto late = draft(EventKind::MaterialsRequested);
  late.clerk_id = "b01";
  late.materials = {"居民户口簿", "房产证明"};
  CaseView after = f.step(*v, late);
  CHECK(after.state == CaseState::AwaitingMaterials);  // allowed: the applicant still needs it
  REQUIRE(after.one_time_breaches.size() == 1);
  CHECK(after.one_time_breaches[0].clerk_id == "b01");
  CHECK(after.one_time_breaches[0].materials == std::vector<std::string>{"房产证明"});
  CHECK(after.one_time_breaches[0].on == CivilDate::from_ymd(2026, 9, 20));

  auto reloaded = f.repo->load(v->acceptance_no);  // kept with the case's events
  REQUIRE(reloaded.is_ok());
  CHECK(reloaded->one_time_breaches.size() == 1);
}

TEST_CASE("An extension past the legal maximum is refused and writes nothing", "[rules][time-limit]") {
  RulesFixture f;
  CaseView v = f.register_complete("GX-008");  // promised 20 working days, legal maximum 30
  auto ext = draft(EventKind::Extended);
  ext.reason = "需入户核查家庭经济状况";
  ext.days = 11;
  int before = f.changes();
  auto refused = f.repo->record(v.acceptance_no, ext);
  CHECK(refused.status().kind() == ErrorKind::Conflict);
  CHECK(refused.status().message().find("最多还可延期10天") != std::string::npos);
  CHECK(f.changes() == before);
  auto no_reason = draft(EventKind::Extended);
  no_reason.days = 5;
  CHECK(f.repo->record(v.acceptance_no, no_reason).status().kind() == ErrorKind::Validation);
  ext.days = 10;
  CHECK(f.step(v, ext).extension_days == 10);
}

TEST_CASE("Two upheld complaints against one clerk within a year flag the clerk", "[rules][complaints]") {
  RulesFixture f;
  auto file = [&](const std::string& target) {
    auto c = f.rules.file_complaint({"phone", "clerk", target, "办事态度生硬", "", "刘桂英", "13907971234", "lead"});
    INFO(c.status().message());
    REQUIRE(c.is_ok());
    return c->id;
  };
  auto first = file("b01");
  auto flagged = f.rules.handle_complaint("lead", first, "约谈当事人", "已向您致歉并整改", "upheld");
  REQUIRE(flagged.is_ok());
  CHECK(flagged->empty());

  f.at_day(100);
  auto unfounded = file("b01");
  flagged = f.rules.handle_complaint("lead", unfounded, "调阅监控", "经核实不属实", "not_upheld");
  CHECK(flagged->empty());

  f.at_day(300);  // within 365 days of the first upheld one
  auto second = file("b01");
  flagged = f.rules.handle_complaint("lead", second, "书面检查", "已处理", "upheld");
  REQUIRE(flagged.is_ok());
  REQUIRE(flagged->size() == 1);
  CHECK((*flagged)[0].clerk_id == "b01");
  CHECK((*flagged)[0].complaint_ids == std::vector<std::string>{first, second});

  // A year and more apart is not flagged.
  auto old_one = file("a01");
  REQUIRE(f.rules.handle_complaint("lead", old_one, "约谈", "已整改", "upheld").is_ok());
  f.at_day(300 + 400);
  auto late = file("a01");
  flagged = f.rules.handle_complaint("lead", late, "约谈", "已整改", "upheld");
  REQUIRE(flagged.is_ok());
  CHECK(flagged->size() == 1);  // still only b01

  CHECK(f.rules.file_complaint({"fax", "clerk", "b01", "x", "", "", "", "lead"}).status().kind() == ErrorKind::Validation);
}

TEST_CASE("Enquiries that do not become cases are logged with the guidance and the clerk", "[rules][first-question]") {
  RulesFixture f;
  auto e = f.rules.log_enquiry({"", "c001", "办理农村低保需要什么条件", "已出具办事指南并一次性告知所需材料", "民政窗口", "GX-009", {}});
  INFO(e.status().message());
  REQUIRE(e.is_ok());
  auto reg = f.rules.load();
  REQUIRE(reg.is_ok());
  REQUIRE(reg->enquiries.size() == 1);
  CHECK(reg->enquiries[0].clerk_id == "c001");
  CHECK(reg->enquiries[0].referred_to == "民政窗口");
  CHECK(f.rules.log_enquiry({"", "c001", "", "x", "", "", {}}).status().kind() == ErrorKind::Validation);
}

TEST_CASE("The refusal register lists applicant, contact, matter, reason, basis and approving leader", "[rules][time-limit]") {
  RulesFixture f;
  CaseView v = f.register_complete("GX-008");
  f.register_complete("GX-009");  // not refused
  auto refuse = draft(EventKind::Refused);
  refuse.stage = "acceptance";
  refuse.reason = "户籍不在本镇";
  refuse.legal_basis = "《社会救助暂行办法》第十一条";
  refuse.approver = "陈主任";
  f.step(v, refuse);
  auto reg = f.rules.refusal_register(CivilDate::from_ymd(2026, 9, 1), CivilDate::from_ymd(2026, 9, 30));
  REQUIRE(reg.is_ok());
  REQUIRE(reg->size() == 1);
  const RefusalEntry& r = (*reg)[0];
  CHECK(r.acceptance_no == v.acceptance_no);
  CHECK(r.applicant_name == "张三");
  CHECK(r.phone == "13800001234");
  CHECK(r.matter_id == "GX-008");
  CHECK(r.reason == "户籍不在本镇");
  CHECK(r.basis == "《社会救助暂行办法》第十一条");
  CHECK(r.approver == "陈主任");
  CHECK(r.refused_on == "2026-09-18");
  CHECK(f.rules.refusal_register(CivilDate::from_ymd(2026, 10, 1), CivilDate::from_ymd(2026, 10, 31))->empty());
}

TEST_CASE("容缺受理 accepts without a non-key material, tracks it until supplied, and never defers a key one", "[rules][extended]") {
  RulesFixture f;
  auto form = f.form("GX-008");
  const auto& all = f.store->catalog().find("GX-008")->materials;
  for (const auto& m : all)
    if (m != "收入状况证明") form.materials_received.push_back(m);
  form.deferred = {"收入状况证明"};
  form.deferred_until = "2026-09-25";
  auto v = f.repo->register_case(form);
  INFO(v.status().message());
  REQUIRE(v.is_ok());
  CHECK(v->state == CaseState::Accepted);  // accepted: the clock runs
  REQUIRE(v->deferred.size() == 1);
  CHECK(v->deferred[0].due == CivilDate::from_ymd(2026, 9, 25));
  CHECK(v->has_deferred_outstanding());
  auto outstanding = f.repo->case_ids_with_kind(EventKind::MaterialDeferred);
  REQUIRE(outstanding.is_ok());
  CHECK(*outstanding == std::vector<std::string>{v->case_id});

  f.at_day(3);
  auto supply = draft(EventKind::MaterialsSupplemented);
  supply.materials = {"收入状况证明"};
  CaseView after = f.step(*v, supply);
  CHECK(after.state == CaseState::Accepted);
  CHECK_FALSE(after.has_deferred_outstanding());
  CHECK(after.deferred[0].supplied_on == CivilDate::from_ymd(2026, 9, 21));
  CHECK(after.clock_start == v->clock_start);  // a deferred material does not restart the time limit

  auto key = f.form("GX-008");
  key.materials_received = {};
  key.deferred = {"申请人居民身份证"};
  key.deferred_until = "2026-09-25";
  CHECK(f.repo->register_case(key).status().kind() == ErrorKind::Validation);
}

TEST_CASE("Appointments take working-day slots until a slot is full — a cancellation frees it", "[rules][extended]") {
  RulesFixture f;
  auto book = [&](const char* day, const char* slot) {
    Appointment a;
    a.day = *CivilDate::parse(day);
    a.slot = slot;
    a.matter_id = "GX-009";
    a.applicant_name = "刘桂英";
    a.phone = "13907971234";
    a.booked_by = "c001";
    return f.rules.book_appointment(a);
  };
  auto first = book("2026-09-21", "09:00");
  REQUIRE(first.is_ok());
  REQUIRE(book("2026-09-21", "09:00").is_ok());
  CHECK(book("2026-09-21", "09:00").status().kind() == ErrorKind::Conflict);  // full
  CHECK(book("2026-09-19", "09:00").status().kind() == ErrorKind::Validation);  // a Saturday (09-20 is a make-up working day)
  CHECK(book("2026-09-21", "12:00").status().kind() == ErrorKind::Validation);  // lunch: no slot
  REQUIRE(f.rules.close_appointment("c001", first->id, "cancelled", "").is_ok());
  CHECK(book("2026-09-21", "09:00").is_ok());
  CHECK(f.rules.close_appointment("c001", first->id, "attended", "").kind() == ErrorKind::Conflict);
}

TEST_CASE("The service guide of a matter lists its materials, steps, promised and legal time", "[rules][guide]") {
  test::HallFixture f;
  const Matter* m = f.store->catalog().find("GX-008");
  REQUIRE(m);
  DocumentLayout layout = service_guide_layout(*m, "360704100", CivilDate::from_ymd(2026, 9, 18));
  std::string text = layout_to_text(layout);
  std::string html = layout_to_html(layout);
  for (const auto& material : m->materials) {
    CHECK(text.find(material) != std::string::npos);
    CHECK(html.find(html_escape(material)) != std::string::npos);
  }
  CHECK(text.find("梅林镇综合便民服务中心") != std::string::npos);
  CHECK(text.find("20个工作日内办结（法定时限30个工作日）") != std::string::npos);
  CHECK(text.find("收费依据") != std::string::npos);
  CHECK(html.find("<html") != std::string::npos);
}
