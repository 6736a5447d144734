// Seeded network fault schedules through the mountain-link proxy (#6): three
// devices of two halls sync with a real HTTP hub across a linkemu link whose
// latency, jitter, bandwidth, cuts (FIN or RST, either direction, so replies
// arrive truncated), stalls and refused connections are drawn from the seed,
// while clerks register cases and take steps and the back office decides.
// Every sync that reports success must have been acknowledged whole; at the
// end every device syncs to quiescence over the same faulty link and all
// replicas hold the same events, each once.
//
//   HALLSYNC_FAULT_SCHEDULES (default 200)  schedules per run, split over four test cases
//   HALLSYNC_FAULT_SEED=S                   replay one schedule (a failure prints it)
#include <catch2/catch.hpp>

#include <cstdlib>
#include <mutex>
#include <optional>
#include <random>

#include "sync/api/replicator.h"
#include "sync/net/http_server.h"
#include "tests/support/sync_world.h"
#include "tools/linkemu/link_emulator.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {

constexpr int kParts = 4;

// The link for one schedule: every knob the proxy has, drawn from the seed.
linkemu::LinkProfile draw_link(std::mt19937& rng) {
  auto chance = [&](double max) { return max * static_cast<double>(rng() % 1001) / 1000.0; };
  linkemu::LinkProfile p;
  for (linkemu::DirectionShape* d : {&p.up, &p.down}) {
    d->latency_ms = static_cast<int>(rng() % 6);
    d->jitter_ms = static_cast<int>(rng() % 4);
    d->rate_bytes_per_s = rng() % 3 == 0 ? 64 * 1024 + rng() % (512 * 1024) : 0;
    d->reset = rng() % 2 == 0;
  }
  p.cut_chance = chance(0.3);
  p.refuse_chance = chance(0.1);
  // A stall costs the client its low-speed timeout (about a second): a
  // quarter of the schedules have them, so the run stays short.
  p.stall_chance = rng() % 4 == 0 ? chance(0.04) : 0;
  p.random_cut_window = 100 + rng() % 3000;
  return p;
}

// How a device reaches the hub: through the proxy, with timeouts short enough
// that a stalled link costs about a second instead of libcurl's minutes.
CurlTransportOptions through(const linkemu::LinkEmulator& link) {
  CurlTransportOptions o;
  o.base_url = "http://" + link.address();
  o.connect_timeout_ms = 1000;
  o.low_speed_limit_bytes = 1;
  o.low_speed_time_s = 1;
  o.total_timeout_ms = 3000;
  return o;
}

class FaultySchedule {
 public:
  explicit FaultySchedule(std::uint32_t seed) : seed_(seed), rng_(seed) {
    world_.add_device("360704100", "W01");
    world_.add_device("360704100", "W02");  // a second window PC of the same hall
    world_.add_device("360704101", "W01");
    auto server = net::HttpServer::start({}, [this](const HttpRequest& r, const std::string& peer) {
      std::lock_guard<std::mutex> hold(hub_mutex_);  // the hub is not thread safe; decisions come from this thread
      return world_.hub().handle(r, peer);
    });
    REQUIRE(server.is_ok());
    server_ = std::move(server).value();
    linkemu::EmulatorOptions o;
    o.target_port = server_->port();
    o.profile = draw_link(rng_);
    o.seed = seed;
    auto link = linkemu::LinkEmulator::start(o);
    REQUIRE(link.is_ok());
    link_ = std::move(link).value();
  }
  ~FaultySchedule() { server_->stop(); }

  void run(int operations) {
    for (int op = 0; op < operations; ++op) {
      Device& d = *world_.devices()[pick(world_.devices().size())];
      switch (pick(10)) {
        case 0: case 1: case 2:
          case_ids_.push_back(world_.register_case(d, pick(2) ? "GX-009" : "GX-072", pick(3) != 0).case_id);
          break;
        case 3:
          if (!case_ids_.empty())  // illegal steps are refused; that is part of the schedule
            (void)world_.step(d, case_ids_[pick(case_ids_.size())], kRandomHallSteps[pick(std::size(kRandomHallSteps))]);
          break;
        case 4:
          if (!case_ids_.empty()) {
            std::lock_guard<std::mutex> hold(hub_mutex_);
            (void)world_.decide(case_ids_[pick(case_ids_.size())], kRandomOfficeSteps[pick(std::size(kRandomOfficeSteps))]);
          }
          break;
        default:
          d.options.push_batch_entries = 1 + pick(6);
          d.options.pull_page = static_cast<std::uint32_t>(1 + pick(8));
          sync_once(d);
          break;
      }
      std::lock_guard<std::mutex> hold(hub_mutex_);
      world_.clock().advance(static_cast<std::int64_t>(pick(3600)) * 1000);
    }
  }

  // Every device syncs over the same faulty link until a whole round moves nothing.
  void converge() {
    for (int round = 0; round < 10; ++round) {
      std::int64_t moved = 0;
      for (auto& d : world_.devices()) {
        bool done = false;
        for (int attempt = 0; attempt < 200 && !done; ++attempt) {
          auto s = sync_once(*d);
          if (s) moved += s->pushed + s->pulled;
          done = s.has_value();
        }
        INFO("seed " << seed_ << ": " << d->id() << " never got a whole sync through the link");
        REQUIRE(done);
      }
      if (moved == 0) return;
    }
    FAIL("seed " << seed_ << ": sync did not reach quiescence in 10 rounds");
  }

  void require_exactly_once() {
    world_.require_converged();
    for (auto& d : world_.devices()) CHECK(at_hub_or_rejected(*d) == ChangeLog(d->store->db()).stats()->last_seq);
    CHECK(world_.hub_count("SELECT count(*) FROM (SELECT event_id FROM events GROUP BY event_id HAVING count(*) > 1)") == 0);
    CHECK(world_.hub_count("SELECT count(*) FROM rejected") == 0);
  }

  linkemu::LinkCounters counters() const { return link_->counters(); }
  int failed_syncs() const { return failed_syncs_; }

 private:
  // One sync over a fresh connection. A failure may only be the link's doing;
  // a success must mean the hub holds every entry the device had written.
  std::optional<SyncStats> sync_once(Device& d) {
    auto transport = make_curl_transport(through(*link_));
    Replicator r(d.store->db(), *transport, *d.sink, *d.clock, d.credentials, d.options);
    std::int64_t written = ChangeLog(d.store->db()).stats()->last_seq;
    auto s = r.sync();
    if (!s.is_ok()) {
      INFO("seed " << seed_ << ": " << s.status().to_string());
      CHECK(s.status().kind() == ErrorKind::Network);
      ++failed_syncs_;
      return std::nullopt;
    }
    INFO("seed " << seed_ << ": " << d.id() << " reported a sync whose entries the hub does not all hold");
    CHECK(at_hub_or_rejected(d) == written);
    CHECK(ChangeLog(d.store->db()).stats()->pending == 0);
    return *s;
  }

  std::int64_t at_hub_or_rejected(const Device& d) {
    std::lock_guard<std::mutex> hold(hub_mutex_);
    std::int64_t total = 0;
    for (const char* sql : {"SELECT count(*) FROM events WHERE origin_device = ?1",
                            "SELECT count(*) FROM rejected WHERE device_id = ?1"}) {
      auto stmt = world_.hub().db().prepare(sql);
      REQUIRE(stmt.is_ok());
      stmt->bind(1, d.id());
      REQUIRE(*stmt->step());
      total += stmt->column_int(0);
    }
    return total;
  }

  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(rng_() % static_cast<std::uint32_t>(n)); }

  std::uint32_t seed_;
  std::mt19937 rng_;
  SyncWorld world_;
  std::mutex hub_mutex_;
  std::unique_ptr<net::HttpServer> server_;
  std::unique_ptr<linkemu::LinkEmulator> link_;
  std::vector<std::string> case_ids_;
  int failed_syncs_ = 0;
};

std::vector<std::uint32_t> seeds_for_part(int part) {
  if (const char* one = std::getenv("HALLSYNC_FAULT_SEED"))
    return part == 0 ? std::vector<std::uint32_t>{static_cast<std::uint32_t>(std::stoul(one))} : std::vector<std::uint32_t>{};
  const char* n = std::getenv("HALLSYNC_FAULT_SCHEDULES");
  int total = n ? std::stoi(n) : 200;
  std::vector<std::uint32_t> seeds;
  for (int s = part * total / kParts + 1; s <= (part + 1) * total / kParts; ++s) seeds.push_back(static_cast<std::uint32_t>(s));
  return seeds;
}

void run_part(int part) {
  linkemu::LinkCounters faults;
  int failed = 0;
  for (std::uint32_t seed : seeds_for_part(part)) {
    INFO("replay: HALLSYNC_FAULT_SEED=" << seed << " build/tests/linkemu_tests \"[faults]\"");
    FaultySchedule schedule(seed);
    schedule.run(48);
    schedule.converge();
    schedule.require_exactly_once();
    auto c = schedule.counters();
    faults.cuts += c.cuts;
    faults.stalls += c.stalls;
    faults.refused += c.refused;
    failed += schedule.failed_syncs();
  }
  // The schedules really hurt: without faults this test would prove nothing.
  if (seeds_for_part(part).size() >= 10) {
    CHECK(faults.cuts > 0);
    CHECK(faults.refused > 0);
    CHECK(failed > 0);
  }
  WARN("fault schedules, part " << part + 1 << ": " << faults.cuts << " cuts, " << faults.stalls << " stalls, "
                                << faults.refused << " refused connections, " << failed << " failed syncs");
}

}  // namespace

TEST_CASE("Syncs through a faulty link converge exactly once under seeded fault schedules — part 1", "[faults][sync]") {
  run_part(0);
}
TEST_CASE("Syncs through a faulty link converge exactly once under seeded fault schedules — part 2", "[faults][sync]") {
  run_part(1);
}
TEST_CASE("Syncs through a faulty link converge exactly once under seeded fault schedules — part 3", "[faults][sync]") {
  run_part(2);
}
TEST_CASE("Syncs through a faulty link converge exactly once under seeded fault schedules — part 4", "[faults][sync]") {
  run_part(3);
}
