// A hall PC's clock set by hand between syncs (#6, clocks): the technician
// follows doctor's advice while the link is down. Dates a clerk gives a
// citizen must stay on the platform's time: the hub's time learned at the
// last sync is carried by the boot clock, which setting the clock does not
// move. Real processes, each on its own test clock (HALLSYNC_TEST_CLOCK_OFFSET_MS).
#include <catch2/catch.hpp>

#include <ctime>
#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/e2e_binaries.h"
#include "tests/support/whole_after_kills.h"

using namespace hallsync::test;

namespace {

constexpr long long kTenYearsMs = 3652LL * 24 * 3600 * 1000;

// The platform's date now in China (UTC+8), as acceptance numbers carry it.
std::string china_date_now() {
  std::time_t t = std::time(nullptr) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d", &tm);
  return buf;
}

Run on_clock(long long offset_ms, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"env", "HALLSYNC_TEST_CLOCK_OFFSET_MS=" + std::to_string(offset_ms), "HALL_CLERK=c001"});
  return run_command(argv);
}

Run register_case(TempDir& dir, long long offset_ms) {
  return on_clock(offset_ms, {HALL_BINARY, "case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number",
                              "360704198503120023", "--phone", "13907971234", "--all-materials", "--json",
                              "--data-dir", dir.file("hall")});
}

}  // namespace

TEST_CASE("A case registered after the PC's clock was set by hand offline is dated by the platform's time",
          "[e2e][clock]") {
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  hub.start();
  link_hall(dir, hub.port, token);

  // The PC ran ten years ahead at its last sync: it learned the offset.
  Run synced = on_clock(kTenYearsMs, {HALLCTL_BINARY, "sync", "--json", "--data-dir", dir.file("hall")});
  INFO(synced.out);
  REQUIRE(synced.status == 0);
  CHECK(json_in(synced.out)["clock_warning"] == true);
  hub.stop();  // the link is down from here on

  // The technician sets the clock right. Without the boot-clock anchor the
  // old offset would now date this case ten years in the past.
  std::string before = china_date_now();
  Run fixed = register_case(dir, 0);
  std::string after = china_date_now();
  INFO(fixed.out);
  REQUIRE(fixed.status == 0);
  std::string no = json_in(fixed.out)["acceptance_no"].get<std::string>();
  CHECK((no.find("-" + before + "-") != std::string::npos || no.find("-" + after + "-") != std::string::npos));
  CHECK(fixed.out.find("本机时钟比平台") == std::string::npos);  // the clock is right: no notice

  // Someone sets it wrong again (ten years behind): still the platform's date, and the clerk is told.
  Run wrong = register_case(dir, -kTenYearsMs);
  INFO(wrong.out);
  REQUIRE(wrong.status == 0);
  std::string no2 = json_in(wrong.out)["acceptance_no"].get<std::string>();
  CHECK((no2.find("-" + before + "-") != std::string::npos || no2.find("-" + china_date_now() + "-") != std::string::npos));
  // About 3652 days: the boot clock and the wall clock are read a few milliseconds apart.
  CHECK(std::regex_search(wrong.out, std::regex("本机时钟比平台慢约 365[12] 天")));
}
