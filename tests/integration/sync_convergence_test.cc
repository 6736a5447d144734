// Seeded random interleavings of intake, lifecycle steps, back-office
// decisions and syncs with injected faults; after syncing to quiescence every
// replica holds the same events, none lost and none duplicated.
#include <catch2/catch.hpp>

#include <random>

#include "tests/support/sync_world.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {

void run_schedule(std::uint32_t seed, int operations) {
  INFO("replay: integration_tests \"Random interleavings of offline work and faulty syncs converge\" with seed " << seed);
  std::mt19937 rng(seed);
  auto pick = [&](auto n) { return static_cast<std::size_t>(rng() % static_cast<std::uint32_t>(n)); };
  SyncWorld w;
  w.add_device("360704100", "W01");
  w.add_device("360704100", "W02");  // a second window PC of the same hall
  w.add_device("360704101", "W01");
  std::vector<std::string> case_ids;
  std::map<std::string, std::int64_t> clerk_confirmed;  // events each device told a clerk were saved

  for (int op = 0; op < operations; ++op) {
    Device& d = *w.devices()[pick(w.devices().size())];
    switch (pick(10)) {
      case 0: case 1: case 2: {
        auto v = w.register_case(d, pick(2) ? "GX-009" : "GX-072", pick(3) != 0);
        case_ids.push_back(v.case_id);
        break;
      }
      case 3: case 4: {
        if (case_ids.empty()) break;
        (void)w.step(d, case_ids[pick(case_ids.size())], kRandomHallSteps[pick(std::size(kRandomHallSteps))]);  // illegal steps are refused
        break;
      }
      case 5: {
        if (case_ids.empty()) break;
        (void)w.decide(case_ids[pick(case_ids.size())], kRandomOfficeSteps[pick(std::size(kRandomOfficeSteps))]);
        break;
      }
      default: {
        int mode = static_cast<int>(pick(5));
        d.options.push_batch_entries = 1 + pick(4);
        d.options.pull_page = static_cast<std::uint32_t>(1 + pick(5));
        d.transport->fault_plan = [&rng, mode](const HttpRequest&) {
          if (mode == 0) return Fault::None;
          switch (rng() % 6) {
            case 0: return Fault::FailBeforeSend;
            case 1: return Fault::LoseResponse;
            case 2: return Fault::ServerError;
            default: return Fault::None;
          }
        };
        auto s = w.sync(d);
        if (!s.is_ok()) CHECK(s.status().kind() == ErrorKind::Network);  // only injected faults may fail a sync
        break;
      }
    }
    w.clock().advance(static_cast<std::int64_t>(pick(3600)) * 1000);
  }
  w.converge();
  w.require_converged();
  // Exactly once: every outbox entry of every device is at the hub once, or rejected.
  for (auto& d : w.devices()) {
    auto stats = ChangeLog(d->store->db()).stats();
    std::int64_t at_hub = w.hub_count("SELECT count(*) FROM events WHERE origin_device = '" + d->id() + "'");
    std::int64_t rejected = w.hub_count("SELECT count(*) FROM rejected WHERE device_id = '" + d->id() + "'");
    CHECK(at_hub + rejected == stats->last_seq);
    CHECK(rejected == 0);
  }
  CHECK(w.hub_count("SELECT count(*) FROM (SELECT event_id FROM events GROUP BY event_id HAVING count(*) > 1) AS repeated") == 0);
}

}  // namespace

TEST_CASE("Random interleavings of offline work and faulty syncs converge", "[sync][integration][random]") {
  auto seed = GENERATE(range(1u, 41u));
  run_schedule(seed, 120);
}
