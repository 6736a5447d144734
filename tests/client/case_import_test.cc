// The import format and its checks: each way a line can be wrong is refused
// with a reason, and good lines become the events the lifecycle accepts.
#include <catch2/catch.hpp>

#include <sstream>

#include "client/domain/case_import.h"
#include "client/store/case_importer.h"
#include "client/testdata/case_generator.h"
#include "tests/support/hall_fixture.h"

using namespace hallsync;
using namespace hallsync::client;

namespace {

const CivilDate kToday = CivilDate::from_ymd(2026, 9, 18);  // HallFixture's clock

ImportRecord good_record() {
  ImportRecord r;
  r.source_id = "OLD-0001";
  r.applicant = {"刘桂英", test::valid_id("36070419850312002"), "13907971234"};
  r.matter_id = "GX-009";
  r.materials = MatterCatalog::builtin().find("GX-009")->materials;
  r.accepted_on = CivilDate::from_ymd(2026, 3, 2);
  r.clerk = "c001";
  ImportStep forward;
  forward.kind = schema::EventKind::Forwarded;
  forward.date = CivilDate::from_ymd(2026, 3, 3);
  forward.clerk = "c001";
  ImportStep approve = forward;
  approve.kind = schema::EventKind::Approved;
  approve.date = CivilDate::from_ymd(2026, 3, 9);
  approve.approver = "刘科长";
  r.history = {forward, approve};
  r.status = "approved";
  return r;
}

std::string reason_for(const ImportRecord& r) {
  auto drafts = import_drafts(r, MatterCatalog::builtin(), kToday);
  REQUIRE_FALSE(drafts.is_ok());
  return drafts.status().message();
}

}  // namespace

TEST_CASE("A good import line becomes an acceptance and its history, dated as it happened", "[import]") {
  auto parsed = parse_import_line(to_import_line(good_record()));
  REQUIRE(parsed.is_ok());
  CHECK(*parsed == good_record());
  auto drafts = import_drafts(*parsed, MatterCatalog::builtin(), kToday);
  REQUIRE(drafts.is_ok());
  REQUIRE(drafts->size() == 3);
  CHECK((*drafts)[0].kind == schema::EventKind::Accepted);
  CHECK(CivilDate::from_unix_ms((*drafts)[0].wall_ms) == CivilDate::from_ymd(2026, 3, 2));
  CHECK((*drafts)[1].department == MatterCatalog::builtin().find("GX-009")->department);
  CHECK(CivilDate::from_unix_ms((*drafts)[2].wall_ms) == CivilDate::from_ymd(2026, 3, 9));
}

TEST_CASE("Import lines that are not JSON objects or miss fields are refused naming the problem", "[import]") {
  CHECK(parse_import_line("{\"source_id\": ").status().message() == "不是有效的 JSON");
  CHECK(parse_import_line("[1,2]").status().message() == "每行应为一个 JSON 对象");
  CHECK(parse_import_line("{\"source_id\":\"A\"}").status().message().find("applicant") != std::string::npos);
  std::string line = to_import_line(good_record());
  auto no_date = line.replace(line.find("\"accepted_on\""), 13, "\"accepted_at\"");
  CHECK(parse_import_line(no_date).status().message().find("accepted_on") != std::string::npos);
  std::string bad_kind = to_import_line(good_record());
  bad_kind.replace(bad_kind.find("\"forwarded\""), 11, "\"teleported\"");
  CHECK(parse_import_line(bad_kind).status().message().find("teleported") != std::string::npos);
}

TEST_CASE("An import line with a wrong ID check digit or an unknown matter is refused", "[import]") {
  ImportRecord r = good_record();
  r.applicant.id_number.back() = r.applicant.id_number.back() == '1' ? '2' : '1';
  CHECK(reason_for(r).find("校验") != std::string::npos);
  r = good_record();
  r.matter_id = "GX-999";
  CHECK(reason_for(r).find("GX-999") != std::string::npos);
}

TEST_CASE("An import history the lifecycle forbids is refused at the step that breaks it", "[import]") {
  ImportRecord r = good_record();
  ImportStep deliver = r.history[0];
  deliver.kind = schema::EventKind::Delivered;
  r.history = {deliver};  // a promised case delivered before any approval
  r.status = "delivered";
  CHECK(reason_for(r).find("history 第1项") != std::string::npos);

  r = good_record();
  r.history[1].date = CivilDate::from_ymd(2026, 3, 1);  // approved before it was forwarded
  CHECK(reason_for(r).find("早于上一环节") != std::string::npos);

  r = good_record();
  r.history[1].date = kToday.plus_days(1);
  CHECK(reason_for(r).find("晚于今天") != std::string::npos);

  r = good_record();
  r.status = "delivered";  // the history ends at approved
  CHECK(reason_for(r).find("与办理历史不符") != std::string::npos);
}

TEST_CASE("The same source id in the same hall always names the same case", "[import]") {
  CHECK(import_case_id("360704100", "OLD-1") == import_case_id("360704100", "OLD-1"));
  CHECK(import_case_id("360704100", "OLD-1") != import_case_id("360704100", "OLD-2"));
  CHECK(import_case_id("360704100", "OLD-1") != import_case_id("360704101", "OLD-1"));
  CHECK(import_case_id("360704100", "OLD-1")[14] == '5');  // a version 5 UUID
}

TEST_CASE("Importing into a store writes good lines with change-log entries, reports bad ones by line, and a rerun writes nothing", "[import]") {
  test::HallFixture hall;
  testdata::CaseGenerator generator(hall.store->catalog(), {.seed = 3, .today = kToday});
  std::ostringstream file;
  for (int i = 0; i < 30; ++i) {
    if (i == 4) file << "not json\n";
    if (i == 9) file << "\n";  // blank lines are skipped, but still counted for numbering
    file << to_import_line(generator.next_case()) << "\n";
  }
  ImportRecord bad_id = good_record();
  bad_id.applicant.id_number.back() = bad_id.applicant.id_number.back() == '1' ? '2' : '1';
  file << to_import_line(bad_id) << "\n";

  ImportOptions options;
  options.cases_per_commit = 7;  // several batches
  std::istringstream first(file.str());
  auto summary = import_cases(*hall.store, first, options);
  REQUIRE(summary.is_ok());
  CHECK(summary->lines == 32);
  CHECK(summary->imported == 30);
  CHECK(summary->already_present == 0);
  REQUIRE(summary->bad.size() == 2);
  CHECK(summary->bad[0].line == 5);
  CHECK(summary->bad[1].line == 33);
  std::int64_t events = hall.count("case_events");
  CHECK(events >= 30);
  CHECK(hall.count("cases") == 30);
  CHECK(hall.count("change_log") == events);  // every imported event is in the outbox

  std::istringstream second(file.str());
  auto again = import_cases(*hall.store, second, options);
  REQUIRE(again.is_ok());
  CHECK(again->imported == 0);
  CHECK(again->already_present == 30);
  CHECK(hall.count("case_events") == events);
}
