#include <catch2/catch.hpp>

#include "sync/api/hlc.h"

using namespace hallsync;

TEST_CASE("HLC ticks strictly increase while the wall clock stands still", "[sync][hlc]") {
  ManualClock wall(1'700'000'000'000);
  HlcClock hlc(wall, Hlc{});
  Hlc a = hlc.tick(), b = hlc.tick(), c = hlc.tick();
  CHECK(a < b);
  CHECK(b < c);
  CHECK(c.physical_ms() == 1'700'000'000'000);
  CHECK(c.counter() == 2);
}

TEST_CASE("HLC keeps a device's order when its wall clock jumps backwards", "[sync][hlc]") {
  ManualClock wall(1'700'000'000'000);
  HlcClock hlc(wall, Hlc{});
  Hlc before = hlc.tick();
  wall.set(1'600'000'000'000);  // CMOS battery died: three years back
  Hlc after = hlc.tick();
  CHECK(before < after);
}

TEST_CASE("HLC resumes after the persisted value on restart", "[sync][hlc]") {
  ManualClock wall(1'000);
  Hlc persisted = Hlc::from_parts(5'000, 7);
  HlcClock hlc(wall, persisted);
  CHECK(hlc.tick() > persisted);
}

TEST_CASE("HLC adopts a remote timestamp only within the drift bound", "[sync][hlc]") {
  ManualClock wall(1'000'000);
  HlcClock hlc(wall, Hlc{});
  Hlc near = Hlc::from_parts(1'000'500, 3);
  hlc.observe(near);
  CHECK(hlc.tick() > near);
  Hlc absurd = Hlc::from_parts(1'000'000 + HlcClock::kDefaultMaxDriftMs + 10'000, 0);
  hlc.observe(absurd);
  CHECK(hlc.tick() < absurd);
}

TEST_CASE("HLC counter overflow borrows the next millisecond", "[sync][hlc]") {
  ManualClock wall(10);
  HlcClock hlc(wall, Hlc::from_parts(10, 0xffff));
  Hlc next = hlc.tick();
  CHECK(next.physical_ms() == 11);
  CHECK(next.counter() == 0);
}

TEST_CASE("A step on a case stamped by a clock far ahead still sorts after it, and this clock stays put", "[sync][hlc]") {
  ManualClock wall(1'000'000);
  HlcClock hlc(wall, Hlc{});
  Hlc ten_years_ahead = Hlc::from_parts(1'000'000 + 10LL * 365 * 24 * 3600 * 1000, 5);
  Hlc step = hlc.tick_above(ten_years_ahead);
  CHECK(step > ten_years_ahead);
  CHECK(step.value == ten_years_ahead.value + 1);
  Hlc next = hlc.tick();  // another case: back on this device's own time
  CHECK(next.physical_ms() == 1'000'000);
  Hlc ordinary = hlc.tick_above(Hlc::from_parts(999'000, 0));  // a floor behind us changes nothing
  CHECK(ordinary > next);
  CHECK(ordinary.physical_ms() == 1'000'000);
}
