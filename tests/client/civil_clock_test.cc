// CivilClock: the hub's time learned at the last sync, carried by the boot
// clock (or, after a reboot, the device clock plus the learned offset), and
// the sentence that tells a clerk dates follow the platform's time.
#include <catch2/catch.hpp>

#include "client/store/civil_clock.h"

using hallsync::BootInstant;
using hallsync::ClockAnchor;
using hallsync::ManualBootClock;
using hallsync::ManualClock;
using hallsync::client::CivilClock;

TEST_CASE("The civil clock is the device clock plus the learned hub offset", "[civil_clock]") {
  ManualClock device(1'000'000);
  CivilClock civil(device);
  CHECK(civil.now_ms() == 1'000'000);  // nothing learned yet: the device's own time
  civil.set_correction(-400'000, std::nullopt);
  CHECK(civil.now_ms() == 600'000);
  device.advance(5);
  CHECK(civil.now_ms() == 600'005);  // it follows the device clock, shifted
}

TEST_CASE("The clerk is told dates follow the platform only beyond the sync's clock warning", "[civil_clock]") {
  ManualClock device(0);
  CivilClock civil(device);
  civil.set_correction(5 * 60 * 1000, std::nullopt);  // exactly the warning threshold: not beyond it
  CHECK_FALSE(civil.follows_platform());
  CHECK(civil.notice().empty());
  civil.set_correction(-3 * 3600 * 1000 - 1, std::nullopt);  // this PC three hours ahead
  CHECK(civil.follows_platform());
  CHECK(civil.notice().find("本机时钟比平台快约 3 小时") != std::string::npos);
  civil.set_correction(3652LL * 24 * 3600 * 1000, std::nullopt);  // ten years behind
  CHECK(civil.notice().find("本机时钟比平台慢约 3652 天") != std::string::npos);
  CHECK(civil.notice().find("按平台时间计算") != std::string::npos);
}

TEST_CASE("Dates keep the platform's time when this PC's clock is set by hand before the next sync", "[civil_clock]") {
  constexpr std::int64_t kTenYears = 3652LL * 24 * 3600 * 1000, kHub = 1'795'000'000'000;  // late 2026
  ManualClock device(kHub + kTenYears);  // a PC ten years ahead when it last synced
  ManualBootClock boot(BootInstant{42, 90'000});
  CivilClock civil(device, boot);
  civil.set_correction(-kTenYears, ClockAnchor{BootInstant{42, 90'000}, kHub});
  CHECK(civil.now_ms() == kHub);
  CHECK(civil.follows_platform());

  // The technician sets the clock right, offline: dates do not jump ten years back.
  device.set(kHub + 60'000);
  boot.advance(60'000);
  CHECK(civil.now_ms() == kHub + 60'000);
  CHECK(civil.offset_ms() == 0);
  CHECK_FALSE(civil.follows_platform());  // no notice once the clock is right
  CHECK(civil.notice().empty());

  // Someone sets it wrong again: dates still follow the boot clock.
  device.set(0);
  boot.advance(1'000);
  CHECK(civil.now_ms() == kHub + 61'000);
  CHECK(civil.follows_platform());
}

TEST_CASE("After a reboot the civil clock is this PC's clock plus the offset learned at the last sync", "[civil_clock]") {
  ManualClock device(5'000'000);
  ManualBootClock boot(BootInstant{42, 1'000});
  CivilClock civil(device, boot);
  civil.set_correction(-400'000, ClockAnchor{BootInstant{42, 1'000}, 4'600'000});
  CHECK(civil.now_ms() == 4'600'000);
  boot.reboot(43);  // a dead battery may have reset the clock at boot: the anchor says nothing now
  device.set(7'000'000);
  CHECK(civil.now_ms() == 6'600'000);
  ManualBootClock unknown(BootInstant{0, 5'000});  // a machine whose boot cannot be identified
  CivilClock blind(device, unknown);
  blind.set_correction(-400'000, ClockAnchor{BootInstant{0, 1'000}, 4'600'000});
  CHECK(blind.now_ms() == 6'600'000);
}
