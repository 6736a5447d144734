// The service-rule commands through the real `hall` binary: roster, AB post
// with an absence, the case going to B, a one-time breach, an evaluation, the
// refusal register (masked) and the supervision report as CSV.
#include <catch2/catch.hpp>

#include <string>

#include "tests/support/hall_cli.h"

namespace {

using Hall = hallsync::test::HallCli;

const std::string kId = "360704198503120023";

std::string acceptance_no(const std::string& out) {
  auto at = out.find("受理编号 ");
  REQUIRE(at != std::string::npos);
  return out.substr(at + std::string("受理编号 ").size(), 29);
}

}  // namespace

TEST_CASE("A clerk keeps the service rules from the command line and the report counts them", "[e2e][cli][rules]") {
  Hall h;
  h.ok({"staff", "add", "--id", "a01", "--name", "王芳", "--role", "窗口工作人员"});
  h.ok({"staff", "add", "--id", "b01", "--name", "李强"});
  h.ok({"post", "set", "W1", "--name", "民政窗口", "--matter", "GX-009", "--matter", "GX-017", "--a", "a01", "--b", "b01"});
  std::string away = h.ok({"post", "away", "a01", "--kind", "leave", "--from", "2020-01-01", "--to", "2099-12-31"});
  CHECK(away.find("【交接记录】A岗离岗交接") != std::string::npos);

  std::string created = h.ok({"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number", kId, "--phone",
                              "13907971234"});
  CHECK(created.find("承办人：b01") != std::string::npos);
  std::string no = acceptance_no(created);
  std::string breach = h.ok({"case", "request-materials", no, "--material", "房产证明"});
  CHECK(breach.find("违反一次性告知制度") != std::string::npos);
  std::string shown = h.ok({"case", "show", no, "--json"});
  CHECK(shown.find("\"handler\": \"b01\"") != std::string::npos);
  CHECK(shown.find("\"one_time_breaches\": [") != std::string::npos);
  CHECK(shown.find("房产证明") != std::string::npos);
  h.ok({"case", "refuse", no, "--stage", "acceptance", "--reason", "户籍不在本镇", "--basis", "《社会救助暂行办法》",
        "--approver", "陈主任"});

  std::string instant = acceptance_no(h.ok({"case", "new", "--matter", "GX-017", "--name", "刘桂英", "--id-number", kId,
                                            "--phone", "13907971234", "--all-materials"}));
  h.ok({"case", "deliver", instant});
  h.ok({"case", "evaluate", instant, "--level", "非常满意"});
  CHECK(h.run({"case", "evaluate", instant, "--level", "满意"}).status == 1);  // once per case

  std::string refusals = h.ok({"refusals", "--from", "2020-01-01", "--to", "2099-12-31", "--format", "csv"});
  CHECK(refusals.find("刘**,139****1234") != std::string::npos);
  CHECK(refusals.find("13907971234") == std::string::npos);
  CHECK(refusals.find("陈主任") != std::string::npos);

  std::string csv = h.ok({"report", "--from", "2020-01-01", "--to", "2099-12-31", "--format", "csv"});
  CHECK(csv.find("概况,受理办件,2\n") != std::string::npos);
  CHECK(csv.find("满意度评价,非常满意,1\n") != std::string::npos);
  CHECK(csv.find("一次性告知,违反次数,1\n") != std::string::npos);
  CHECK(csv.find("限时办结,按时办结率,100.0%\n") != std::string::npos);
  CHECK(h.ok({"report", "--from", "2020-01-01", "--to", "2099-12-31", "--format", "html"}).find("<table>") !=
        std::string::npos);
  CHECK(h.ok({"guide", "GX-009"}).find("办事指南") != std::string::npos);
}
