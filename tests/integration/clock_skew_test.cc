// Wrong device clocks (a dead CMOS battery, a clock set by hand): devices off
// by a day or ten years either way, and one whose clock is set back during the
// run, work offline and sync through faults. Each device's own events keep
// their order (the hybrid logical clock, not the wall clock, orders them), the
// skewed devices are warned, and every replica converges, none lost or doubled.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "tests/support/sync_world.h"

using namespace hallsync;
using namespace hallsync::test;
using schema::EventKind;

namespace {

constexpr std::int64_t kDay = 24LL * 3600 * 1000;
constexpr std::int64_t kTenYears = 3652 * kDay;

const EventKind kHallSteps[] = {EventKind::Forwarded, EventKind::Approved, EventKind::Delivered,
                                EventKind::MaterialsRequested};
const EventKind kOfficeSteps[] = {EventKind::Approved, EventKind::Refused, EventKind::Extended};

}  // namespace

TEST_CASE("Devices whose clocks are off by a day or ten years, or set back mid-run, keep their order and converge",
          "[integration][clock]") {
  const std::uint32_t seed = GENERATE(1u, 2u, 3u, 4u, 5u);
  INFO("replay: integration_tests \"Devices whose clocks*\" (seed " << seed << ")");
  std::mt19937 rng(seed);
  auto pick = [&](auto n) { return static_cast<std::size_t>(rng() % static_cast<std::uint32_t>(n)); };
  SyncWorld w;
  const std::int64_t offsets[] = {0, kDay, -kDay, kTenYears, -kTenYears};
  const char* codes[] = {"W01", "W02", "W03", "W04", "W05"};
  for (int i = 0; i < 5; ++i) w.add_device("360704100", codes[i], offsets[i]);
  std::vector<std::string> case_ids;
  std::map<std::string, std::int64_t> set_back;  // how far each device's clock was set back in the run

  for (int op = 0; op < 120; ++op) {
    Device& d = *w.devices()[pick(w.devices().size())];
    switch (pick(8)) {
      case 0: case 1: {
        case_ids.push_back(w.register_case(d, pick(2) ? "GX-009" : "GX-072").case_id);
        break;
      }
      case 2: {
        if (!case_ids.empty()) (void)w.step(d, case_ids[pick(case_ids.size())], kHallSteps[pick(std::size(kHallSteps))]);
        break;
      }
      case 3: {
        if (!case_ids.empty()) (void)w.decide(case_ids[pick(case_ids.size())], kOfficeSteps[pick(std::size(kOfficeSteps))]);
        break;
      }
      case 4: {
        // Someone sets a wrong clock back by up to two hours. (The device in
        // step with the hub stays in step: it is the control for the warning.)
        if (&d == w.devices()[0].get()) break;
        const std::int64_t back = static_cast<std::int64_t>(1 + pick(7200)) * 1000;
        d.clock->shift(-back);
        set_back[d.code] += back;
        break;
      }
      default: {
        d.transport->fault_plan = [&rng](const HttpRequest&) {
          return rng() % 5 == 0 ? Fault::LoseResponse : Fault::None;
        };
        auto s = w.sync(d);
        if (!s.is_ok()) CHECK(s.status().kind() == ErrorKind::Network);  // only injected faults may fail a sync
        break;
      }
    }
    w.clock().advance(static_cast<std::int64_t>(pick(600)) * 1000);
  }
  w.converge();
  w.require_converged();

  // Each device's events keep the order it wrote them in (its change-log
  // sequence, gap-free at the hub); on each case every event sorts after the
  // events its author had seen, whatever the authors' clocks said, so the
  // fold's order is the order in which people acted.
  auto events = w.hub().hall_events("360704100");
  REQUIRE(events.is_ok());
  for (auto& d : w.devices()) {
    std::vector<const schema::CaseEvent*> own;
    for (const auto& e : *events)
      if (e.device_id == d->id()) own.push_back(&e);
    std::sort(own.begin(), own.end(), [](auto* a, auto* b) { return a->origin_seq < b->origin_seq; });
    for (std::size_t i = 1; i < own.size(); ++i) CHECK(own[i]->origin_seq == own[i - 1]->origin_seq + 1);
    auto stats = ChangeLog(d->store->db()).stats();
    CHECK(static_cast<std::int64_t>(own.size()) == stats->last_seq);  // every event at the hub exactly once
  }
  std::map<std::string, std::vector<const schema::CaseEvent*>> by_case;
  for (const auto& e : *events) by_case[e.case_id].push_back(&e);
  for (auto& [case_id, list] : by_case) {
    // The acceptance first on every case: every later step, the hub's platform
    // number included, was made by someone who had seen it.
    std::sort(list.begin(), list.end(), [](auto* a, auto* b) { return a->hlc < b->hlc; });
    INFO("case " << case_id);
    CHECK(list.front()->kind == EventKind::Accepted);
  }
  // A sync tells the devices whose clocks are off; the device in step with the hub is not told.
  auto final_sync = [&](Device& d) {
    auto s = w.sync(d);
    REQUIRE(s.is_ok());
    return *s;
  };
  CHECK_FALSE(final_sync(*w.devices()[0]).clock_warning);
  for (std::size_t i = 1; i < w.devices().size(); ++i) {
    SyncStats s = final_sync(*w.devices()[i]);
    INFO(w.devices()[i]->id());
    CHECK(s.clock_warning);
    // Hub minus ours: the device's offset and the setting back, to the millisecond
    // (the loopback hub answers in no time on the same clock).
    CHECK(s.clock_offset_ms == -(offsets[i] - set_back[w.devices()[i]->code]));
  }
}
