// Runs the real `hall` binary as a clerk would and checks its output, JSON
// shapes and exit statuses.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/hall_cli.h"
#include "tests/support/learned_offset.h"

using hallsync::test::Run;
using hallsync::test::run_command;

namespace {

using Hall = hallsync::test::HallCli;

const std::string kId = "360704198503120023";

}  // namespace

TEST_CASE("A clerk registers, forwards and approves a case from the command line", "[e2e][cli]") {
  Hall h;
  auto created = h.json({"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number", kId, "--phone",
                         "13907971234", "--all-materials", "--json"});
  std::string no = created["acceptance_no"];
  CHECK(created["state"] == "accepted");
  CHECK(created["applicant"]["id_number_masked"] == "3607**********0023");
  CHECK(created.dump().find(kId) == std::string::npos);
  CHECK(h.run({"case", "forward", no}).status == 0);
  CHECK(h.run({"case", "approve", no}).status == 0);
  CHECK(h.run({"case", "deliver", no}).status == 0);
  auto shown = h.json({"case", "show", no, "--json"});
  CHECK(shown["state"] == "delivered");
  CHECK(shown["events"].size() == 4);
  auto listed = h.json({"case", "list", "--status", "delivered", "--json"});
  REQUIRE(listed["cases"].size() == 1);
  CHECK(listed["cases"][0]["acceptance_no"] == no);
}

TEST_CASE("Bad input from the command line is refused in Chinese, with a non-zero status, writing nothing", "[e2e][cli]") {
  Hall h;
  std::vector<std::vector<std::string>> bad = {
      {"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number", "360704198503120024", "--phone", "13907971234"},
      {"case", "new", "--matter", "GX-999", "--name", "刘桂英", "--id-number", kId, "--phone", "13907971234"},
      {"case", "new", "--matter", "GX-009", "--name", "\xC0\xAF", "--id-number", kId, "--phone", "13907971234"},
      {"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number", kId, "--phone", "123"},
      {"case", "new", "--matter", "GX-009", "--name", "x'); DROP TABLE cases;--", "--id-number", kId, "--phone", "13907971234"},
  };
  for (const auto& args : bad) {
    Run r = h.run(args);
    INFO(r.out);
    CHECK(r.status == 1);
    CHECK(r.out.rfind("错误：", 0) == 0);
  }
  CHECK(h.json({"case", "list", "--json"})["cases"].empty());
  Run missing = h.run({"case", "new", "--matter", "GX-009"});
  CHECK(missing.status == 64);
}

TEST_CASE("The command line computes due dates across holidays and prints documents", "[e2e][cli]") {
  Hall h;
  auto due = h.json({"calendar", "due", "2026-09-30", "3", "--json"});
  CHECK(due["due"] == "2026-10-10");
  auto year = h.json({"calendar", "show", "2026", "--json"});
  CHECK(year["working_days"] == 248);
  Run r = h.run({"case", "new", "--matter", "GX-035", "--name", "陈国平", "--id-number", "360721196207081514", "--phone",
                 "0797-4412345"});
  REQUIRE(r.status == 0);
  auto list = h.json({"case", "list", "--json"});
  std::string no = list["cases"][0]["acceptance_no"];
  CHECK(list["cases"][0]["state"] == "awaiting_materials");
  Run slip = h.run({"case", "print", no, "--doc", "one-time"});
  CHECK(slip.status == 0);
  CHECK(slip.out.find("一次性告知书") != std::string::npos);
  Run html = h.run({"case", "print", no, "--doc", "one-time", "--html"});
  CHECK(html.out.find("<!DOCTYPE html>") != std::string::npos);
  Run wrong = h.run({"case", "print", no, "--doc", "refusal"});
  CHECK(wrong.status == 1);
}

TEST_CASE("A second init on the same data directory is refused", "[e2e][cli]") {
  Hall h;
  Run again = h.run({"init", "--hall", "360704100", "--device", "W02"});
  CHECK(again.status == 1);
  Run bad_code = h.run({"init", "--hall", "12", "--device", "W01"});
  CHECK(bad_code.status != 0);
}

TEST_CASE("Once a sync learned this PC is ten years behind, hall dates a case by the platform's time and says so",
          "[e2e][cli][clock]") {
  Hall h;
  hallsync::test::plant_learned_offset(h.dir.file("hall"), hallsync::test::kTenYearsMs);
  // Read before and after the run, so a run across midnight passes too.
  const std::string before = hallsync::test::platform_day(hallsync::test::kTenYearsMs);
  Run r = h.run({"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number", kId, "--phone",
                 "13907971234", "--all-materials", "--json"});
  const std::string after = hallsync::test::platform_day(hallsync::test::kTenYearsMs);
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("本机时钟比平台慢约 3652 天，受理日期和办理期限按平台时间计算") != std::string::npos);
  // The notice goes to stderr, before the JSON on stdout.
  auto created = nlohmann::json::parse(r.out.substr(r.out.find('{')));
  const std::string accepted = created["accepted_on"];
  CHECK((accepted == before || accepted == after));
  std::string compact = accepted.substr(0, 4) + accepted.substr(5, 2) + accepted.substr(8, 2);
  CHECK(created["acceptance_no"].get<std::string>().find("-" + compact + "-") != std::string::npos);
}
