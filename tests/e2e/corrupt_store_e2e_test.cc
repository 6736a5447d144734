// The real binaries on a damaged store (issue #6 item 8, first half): halld
// refuses to start, `hall` refuses the clerk's command, both naming the file
// and what the technician should do; the file is left exactly as it was.
#include <catch2/catch.hpp>

#include <filesystem>

#include "sync/api/redact.h"
#include "tests/support/e2e_binaries.h"
#include "tests/support/file_bytes.h"

namespace hallsync::test {
namespace {

namespace fs = std::filesystem;

// A closed hall store with a few cases; returns its file.
std::string store_with_cases(TempDir& dir) {
  REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
  for (int i = 0; i < 20; ++i)
    REQUIRE(hall(dir, {"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number", "360704198503120023",
                       "--phone", "13907971234", "--all-materials"})
                .status == 0);
  return dir.file("hall/hall.db");
}

void require_names_file_and_remedy(const Run& r, const std::string& file) {
  INFO(r.out);
  // halld masks digit runs that look like personal data in what it prints,
  // and a temp directory's name may have one.
  CHECK((r.out.find(file) != std::string::npos || r.out.find(redact_pii(file)) != std::string::npos));
  CHECK(r.out.find("已损坏") != std::string::npos);
  CHECK(r.out.find("hallctl resync --rebuild") != std::string::npos);
}

}  // namespace

TEST_CASE("halld refuses to start on a store with a torn page and leaves the file as it is", "[e2e][corrupt]") {
  TempDir dir;
  std::string file = store_with_cases(dir);
  overwrite_bytes(file, 2 * 4096, std::string(512, '\x5A'));  // one garbage sector at the start of page 3
  const std::string before = read_bytes(file);
  Run halld = run_command({HALLD_BINARY, "--data-dir", dir.file("hall"), "--listen", "127.0.0.1:0"});
  CHECK(halld.status == 2);
  CHECK(halld.out.find("[store_damaged]") != std::string::npos);
  require_names_file_and_remedy(halld, file);
  CHECK(read_bytes(file) == before);
}

TEST_CASE("halld refuses to start on an emptied store file instead of creating a new one", "[e2e][corrupt]") {
  TempDir dir;
  std::string file = store_with_cases(dir);
  fs::resize_file(file, 0);
  Run halld = run_command({HALLD_BINARY, "--data-dir", dir.file("hall"), "--listen", "127.0.0.1:0"});
  CHECK(halld.status == 2);
  require_names_file_and_remedy(halld, file);
  CHECK(fs::file_size(file) == 0);
}

TEST_CASE("hall refuses a clerk's command on a store with a garbage header or cut short", "[e2e][corrupt]") {
  TempDir dir;
  std::string file = store_with_cases(dir);
  const std::string intact = read_bytes(file);
  SECTION("garbage header") { overwrite_bytes(file, 0, std::string(100, '\xA5')); }
  SECTION("cut short") { fs::resize_file(file, intact.size() / 2 + 100); }
  const std::string before = read_bytes(file);
  Run list = hall(dir, {"case", "list"});
  CHECK(list.status == 3);  // a storage error
  require_names_file_and_remedy(list, file);
  CHECK(read_bytes(file) == before);
}

}  // namespace hallsync::test
