// The matter catalog: the shipped 102-row list and the CSV loader's contract.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "client/domain/matter_catalog.h"

using hallsync::ErrorKind;
using hallsync::client::HandlingKind;
using hallsync::client::Matter;
using hallsync::client::MatterCatalog;
using hallsync::client::TimeUnit;

namespace {

const std::string kHeader =
    "seq_no,matter_id,department,matter_type,name,remark,handling_kind,promised_days,legal_max_days,time_unit,"
    "materials,is_default\n";
const std::string kVersion = "# catalog_version: test.1\n";
const std::string kRow1 = "1,GX-001,民政局,公共服务,残疾人辅助器具申报发放,残联,promised,15,20,working,申请人居民身份证|残疾人证,1\n";
const std::string kRow2 = "2,GX-002,民政局,行政给付,应急救助,,instant,0,0,calendar,申请人居民身份证|居民户口簿,1\n";

const Matter& row(int seq) {
  const Matter* m = MatterCatalog::builtin().find(std::to_string(seq));
  REQUIRE(m != nullptr);
  return *m;
}

// Parses text that must be rejected and returns the message.
std::string rejection(const std::string& text) {
  auto parsed = MatterCatalog::parse_csv(text);
  REQUIRE_FALSE(parsed.is_ok());
  CHECK(parsed.status().kind() == ErrorKind::Validation);
  return parsed.status().message();
}

}  // namespace

TEST_CASE("The builtin catalog lists the 102 published matters with stable ids", "[catalog]") {
  const MatterCatalog& catalog = MatterCatalog::builtin();
  CHECK(catalog.version() == "ganxian-2020.1+defaults.1");
  REQUIRE(catalog.matters().size() == 102);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < catalog.matters().size(); ++i) {
    const Matter& m = catalog.matters()[i];
    const std::string number = std::to_string(i + 1);
    const std::string expected = "GX-" + std::string(3 - number.size(), '0') + number;
    CHECK(m.seq_no == static_cast<int>(i) + 1);
    CHECK(m.matter_id == expected);
    ids.insert(m.matter_id);
  }
  CHECK(ids.size() == 102);
}

TEST_CASE("The builtin catalog undoes the column shifts of the printed table", "[catalog]") {
  CHECK(row(44).department == "农业农村局");
  CHECK(row(44).matter_type == "公共服务");
  CHECK(row(44).name == "农业支持保护补助");
  CHECK(row(44).remark.empty());
  CHECK(row(45).department == "农业农村局");
  CHECK(row(45).name == "土地流转登记备案");
  CHECK(row(46).department == "农业农村局");
  CHECK(row(46).name == "政策性农业保险");
  CHECK(row(47).department == "卫健委");

  CHECK(row(57).department == "自然资源分局");
  CHECK(row(57).matter_type == "行政许可");
  CHECK(row(57).name == "国有土地使用权划拨审批");
  for (int seq = 58; seq <= 71; ++seq) {
    INFO("row " << seq);
    CHECK(row(seq).department == "自然资源分局");
    CHECK(row(seq).matter_type == (seq <= 66 ? "行政许可" : "行政确认"));
    CHECK(row(seq).remark.empty());
  }
  CHECK(row(58).name == "国有土地使用权出让审批（国有土地使用权招拍挂出让）");
  CHECK(row(64).name == "建设项目选址意见书");
  CHECK(row(67).name == "国有建设用地使用权及房屋所有权转移登记");
  CHECK(row(71).matter_type == "行政确认");
  CHECK(row(71).name == "产权证遗失公告流程");

  CHECK(row(12).department == "残联");
  CHECK(row(13).department == "残联");
  CHECK(row(16).department == "财政局");
  CHECK(row(51).department == "退役军人事务局");
  CHECK(row(51).matter_type == "其他权利");
  CHECK(row(51).name == "优抚对象年度核查");
  CHECK(row(56).department == "医保局");
  CHECK(row(72).department == "市监局");
  CHECK(row(79).department == "公安局");
  CHECK(row(79).remark == "进驻专业大厅");
  CHECK(row(102).department == "公安局");
}

TEST_CASE("The builtin catalog keeps names and remarks exactly as published", "[catalog]") {
  CHECK(row(1).department == "民政局");
  CHECK(row(1).remark == "残联");
  CHECK(row(11).department == "民政局");
  CHECK(row(11).remark == "残联");
  CHECK(row(2).remark.empty());
  CHECK(row(16).name == "“一卡通”账号信息变更");
  CHECK(row(62).name == "在经依法取得的国有土地使用权的土地上改建、扩建、改变使用性质或用途及");
  CHECK(row(70).name == "不动产登记证明、换发补发（个人） 不动产登记证明、换发补发个人（单位）");
  CHECK(row(79).name == "国内出生登记（6周岁（含）以上）");
}

TEST_CASE("Every builtin matter has materials and consistent time limits", "[catalog]") {
  for (const Matter& m : MatterCatalog::builtin().matters()) {
    INFO(m.matter_id << " " << m.name);
    CHECK_FALSE(m.materials.empty());
    CHECK(m.promised_days >= 0);
    CHECK(m.legal_max_days >= m.promised_days);
    if (m.handling_kind == HandlingKind::Instant) CHECK(m.promised_days == 0);
    CHECK(m.is_default);
    CHECK(m.promised_limit().days == m.promised_days);
    CHECK(m.legal_limit().days == m.legal_max_days);
    CHECK(m.legal_limit().unit == m.time_unit);
    if (m.matter_type == "行政许可") CHECK(m.legal_max_days >= 30);
  }
  CHECK(row(8).handling_kind == HandlingKind::Promised);
  CHECK(row(24).handling_kind == HandlingKind::Instant);
  CHECK(row(95).time_unit == TimeUnit::CalendarDays);
}

TEST_CASE("A malformed catalog is rejected with the line that is wrong", "[catalog]") {
  SECTION("wrong column count") {
    const std::string msg = rejection(kVersion + kHeader + kRow1 + "2,GX-002,民政局,公共服务,名称,,instant,0,0\n");
    CHECK_THAT(msg, Catch::Contains("line 4") && Catch::Contains("12 columns, found 9"));
  }
  SECTION("unknown handling kind") {
    const std::string msg = rejection(kVersion + kHeader + "1,GX-001,民政局,公共服务,名称,,fast,0,0,working,申请表,1\n");
    CHECK_THAT(msg, Catch::Contains("line 3") && Catch::Contains("handling_kind \"fast\""));
  }
  SECTION("legal maximum shorter than the promise") {
    const std::string msg =
        rejection(kVersion + kHeader + "1,GX-001,民政局,公共服务,名称,,promised,10,5,working,申请表,1\n");
    CHECK_THAT(msg, Catch::Contains("line 3") && Catch::Contains("legal_max_days 5 is less than promised_days 10"));
  }
  SECTION("instant matter with promised days") {
    const std::string msg = rejection(kVersion + kHeader + "1,GX-001,民政局,公共服务,名称,,instant,3,5,working,申请表,1\n");
    CHECK_THAT(msg, Catch::Contains("line 3") && Catch::Contains("instant"));
  }
  SECTION("duplicate matter id") {
    const std::string msg = rejection(kVersion + kHeader + kRow1 + "# a note\n" +
                                      "2,GX-001,民政局,公共服务,名称,,instant,0,0,working,申请表,1\n");
    CHECK_THAT(msg, Catch::Contains("line 5") && Catch::Contains("duplicate matter_id GX-001") &&
                        Catch::Contains("first on line 3"));
  }
  SECTION("empty name") {
    const std::string msg = rejection(kVersion + kHeader + "1,GX-001,民政局,公共服务,,,instant,0,0,working,申请表,1\n");
    CHECK_THAT(msg, Catch::Contains("line 3") && Catch::Contains("empty name"));
  }
  SECTION("missing version comment") {
    const std::string msg = rejection("# source: somewhere\n" + kHeader + kRow1);
    CHECK_THAT(msg, Catch::Contains("line 2") && Catch::Contains("catalog_version"));
    CHECK_THAT(rejection(""), Catch::Contains("line 1") && Catch::Contains("catalog_version"));
  }
  SECTION("unclosed quote") {
    const std::string msg = rejection(kVersion + kHeader + kRow1 + "2,GX-002,民政局,公共服务,\"名称,,instant\n");
    CHECK_THAT(msg, Catch::Contains("line 4") && Catch::Contains("never closed"));
  }
  SECTION("empty material") {
    const std::string msg = rejection(kVersion + kHeader + "1,GX-001,民政局,公共服务,名称,,instant,0,0,working,甲||乙,1\n");
    CHECK_THAT(msg, Catch::Contains("line 3") && Catch::Contains("materials"));
  }
}

TEST_CASE("Quoted fields may hold commas, doubled quotes and line breaks", "[catalog]") {
  const std::string text = kVersion + kHeader +
                           "1,GX-001,民政局,公共服务,\"设立,变更 \"\"简易\"\" 登记\",\"备注\n第二行\",promised,15,20,"
                           "working,申请表|营业执照,0\r\n" +
                           kRow2;
  auto parsed = MatterCatalog::parse_csv(text);
  REQUIRE(parsed.is_ok());
  REQUIRE(parsed->matters().size() == 2);
  const Matter& first = parsed->matters()[0];
  CHECK(first.name == "设立,变更 \"简易\" 登记");
  CHECK(first.remark == "备注\n第二行");
  CHECK(first.materials == std::vector<std::string>{"申请表", "营业执照"});
  CHECK_FALSE(first.is_default);
  CHECK(parsed->matters()[1].time_unit == TimeUnit::CalendarDays);
  CHECK(parsed->matters()[1].seq_no == 2);

  auto again = MatterCatalog::parse_csv(parsed->to_csv());
  REQUIRE(again.is_ok());
  CHECK(*again == *parsed);
}

TEST_CASE("to_csv round-trips the builtin catalog", "[catalog]") {
  const MatterCatalog& catalog = MatterCatalog::builtin();
  const std::string csv = catalog.to_csv();
  auto parsed = MatterCatalog::parse_csv(csv);
  REQUIRE(parsed.is_ok());
  CHECK(*parsed == catalog);
  CHECK(parsed->version() == catalog.version());
  CHECK(parsed->matters() == catalog.matters());
  CHECK(parsed->to_csv() == csv);
  CHECK_THAT(csv, Catch::StartsWith("# catalog_version: ganxian-2020.1+defaults.1\n# source:"));
}

TEST_CASE("Clerks find matters by Chinese text, department or id", "[catalog]") {
  const MatterCatalog& catalog = MatterCatalog::builtin();
  const auto cards = catalog.search("社会保障卡");
  CHECK(cards.size() == 7);  // rows 35–39, 42, 43
  for (const Matter* m : cards) CHECK(m->department == "人社局");

  const auto police = catalog.search("公安局");
  CHECK(police.size() == 24);
  CHECK(police.front()->seq_no == 79);

  const auto by_id = catalog.search(" gx-007 ");
  REQUIRE(by_id.size() == 1);
  CHECK(by_id.front()->name == "应急救助");

  CHECK(catalog.search("残联").size() == 6);  // department rows 12–15 and remarks on rows 1 and 11
  CHECK(catalog.search("").size() == 102);
  CHECK(catalog.search("不存在的事项").empty());
}

TEST_CASE("find accepts an exact id or the bare sequence number", "[catalog]") {
  const MatterCatalog& catalog = MatterCatalog::builtin();
  REQUIRE(catalog.find("7") != nullptr);
  CHECK(catalog.find("7")->matter_id == "GX-007");
  CHECK(catalog.find("007") == catalog.find("7"));
  CHECK(catalog.find("GX-007") == catalog.find("7"));
  CHECK(catalog.find("GX-102")->name == "居民户口簿申领");
  CHECK(catalog.find("GX-103") == nullptr);
  CHECK(catalog.find("103") == nullptr);
  CHECK(catalog.find("0") == nullptr);
  CHECK(catalog.find("-7") == nullptr);
  CHECK(catalog.find("") == nullptr);
}
