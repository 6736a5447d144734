// `hall import` as a clerk runs it: a generated file from a previous system,
// imported twice, and a file with bad lines.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

using hallsync::test::Run;
using hallsync::test::run_command;

namespace {

struct ImportingHall {
  hallsync::test::TempDir dir;
  ImportingHall() { REQUIRE(hall({"init", "--hall", "360704100", "--device", "W01"}).status == 0); }
  Run hall(std::vector<std::string> args) {
    args.insert(args.begin(), HALL_BINARY);
    args.push_back("--data-dir");
    args.push_back(dir.file("hall"));
    return run_command(args);
  }
  // Histories end in 2025, so they are in the past whatever day the test runs.
  std::string generate(int count, const std::string& name) {
    std::string path = dir.file(name);
    Run r = run_command({GEN_CASES_BINARY, "--seed", "11", "--count", std::to_string(count), "--today", "2025-12-31",
                         "--out", path});
    REQUIRE(r.status == 0);
    return path;
  }
};

}  // namespace

TEST_CASE("Importing a generated file twice imports every case once and reports them all present the second time",
          "[e2e][import]") {
  ImportingHall h;
  std::string file = h.generate(300, "cases.jsonl");
  Run first = h.hall({"import", file});
  INFO(first.out);
  REQUIRE(first.status == 0);
  CHECK(first.out.find("共 300 行，新导入 300 件，已存在 0 件") != std::string::npos);
  Run second = h.hall({"import", file});
  INFO(second.out);
  REQUIRE(second.status == 0);
  CHECK(second.out.find("共 300 行，新导入 0 件，已存在 300 件") != std::string::npos);
  Run listed = h.hall({"case", "list", "--limit", "1000", "--json"});
  REQUIRE(listed.status == 0);
  CHECK(nlohmann::json::parse(listed.out)["cases"].size() == 300);
}

TEST_CASE("An import file with bad lines imports the good ones, names each bad line and exits 1", "[e2e][import]") {
  ImportingHall h;
  std::string good = h.generate(20, "good.jsonl");
  std::ifstream in(good);
  std::string path = h.dir.file("mixed.jsonl");
  std::ofstream out(path);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (n == 3) out << "{\"source_id\": \"broken\"\n";                  // line 3: cut off
    if (n == 8) line.replace(line.find("\"matter_id\":\"") + 13, 6, "GX-999");  // line 9: unknown matter
    out << line << "\n";
  }
  out.close();
  Run r = h.hall({"import", path});
  INFO(r.out);
  CHECK(r.status == 1);
  CHECK(r.out.find("第3行：不是有效的 JSON") != std::string::npos);
  CHECK(r.out.find("第9行：") != std::string::npos);
  CHECK(r.out.find("GX-999") != std::string::npos);
  CHECK(r.out.find("新导入 19 件") != std::string::npos);
  CHECK(r.out.find("有误 2 行") != std::string::npos);
}
