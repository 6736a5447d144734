// CivilClock: the device clock corrected by the learned hub offset, and the
// sentence that tells a clerk dates follow the platform's time.
#include <catch2/catch.hpp>

#include "client/store/civil_clock.h"

using hallsync::ManualClock;
using hallsync::client::CivilClock;

TEST_CASE("The civil clock is the device clock plus the learned hub offset", "[civil_clock]") {
  ManualClock device(1'000'000);
  CivilClock civil(device);
  CHECK(civil.now_ms() == 1'000'000);  // nothing learned yet: the device's own time
  civil.set_offset(-400'000);
  CHECK(civil.now_ms() == 600'000);
  device.advance(5);
  CHECK(civil.now_ms() == 600'005);  // it follows the device clock, shifted
}

TEST_CASE("The clerk is told dates follow the platform only beyond the sync's clock warning", "[civil_clock]") {
  ManualClock device(0);
  CivilClock civil(device);
  civil.set_offset(5 * 60 * 1000);  // exactly the warning threshold: not beyond it
  CHECK_FALSE(civil.follows_platform());
  CHECK(civil.notice().empty());
  civil.set_offset(-3 * 3600 * 1000 - 1);  // this PC three hours ahead
  CHECK(civil.follows_platform());
  CHECK(civil.notice().find("本机时钟比平台快约 3 小时") != std::string::npos);
  civil.set_offset(3652LL * 24 * 3600 * 1000);  // ten years behind
  CHECK(civil.notice().find("本机时钟比平台慢约 3652 天") != std::string::npos);
  CHECK(civil.notice().find("按平台时间计算") != std::string::npos);
}
