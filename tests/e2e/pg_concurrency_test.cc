// #11: many devices pushing and pulling at once against two `hallhub serve`
// processes sharing one PostgreSQL database. Each device syncs with the two
// hubs in turn, so a push to one races pulls from the other; at the end every
// device must hold exactly its hall's events (none missing: no pull skipped a
// sequence; none twice), and the hub exactly every device's outbox, once.
// Needs HALLSYNC_TEST_STORE=pg and a server (tests/support/test_hub_store.h).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <barrier>
#include <set>
#include <thread>

#include "client/domain/case_policy.h"
#include "client/store/case_change_sink.h"
#include "client/store/case_repository.h"
#include "client/testdata/case_generator.h"
#include "sync/api/replicator.h"
#include "sync/hub/hub_service.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_hub_store.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {

constexpr int kHalls = 100, kDevicesPerHall = 2, kRounds = 3, kCasesPerRound = 2;

struct SimDevice {
  std::string hall, code, token;
  std::unique_ptr<client::HallStore> store;
  std::string error;
  int retries = 0;
  std::string id() const { return hall + "-" + code; }
};

std::set<std::string> query_set(Database& db, const std::string& sql, const std::string& param) {
  auto stmt = db.prepare(sql);
  REQUIRE(stmt.is_ok());
  if (!param.empty()) stmt->bind(1, param);
  std::set<std::string> out;
  for (;;) {
    auto row = stmt->step();
    REQUIRE(row.is_ok());
    if (!*row) break;
    out.insert(stmt->column_text(0));
  }
  return out;
}

std::unique_ptr<Background> start_hub(TempDir& dir, const std::string& name, const std::string& url, std::string& port) {
  auto server = std::make_unique<Background>(
      std::vector<std::string>{HALLHUB_BINARY, "serve", "--data-dir", dir.file(name), "--store", url, "--listen",
                               "127.0.0.1:0"},
      dir.file(name + ".log"));
  std::string log = server->wait_for("listening on", std::chrono::seconds(30));
  INFO(name << ": " << server->log());
  auto at = log.find("listening on 127.0.0.1:");
  REQUIRE(at != std::string::npos);
  port = log.substr(at + 23, log.find(' ', at + 23) - at - 23);
  return server;
}

}  // namespace

TEST_CASE("200 devices syncing at once with two hubs on one PostgreSQL database end with exactly their events",
          "[e2e][pg][concurrency]") {
  TestHubStore store;
  REQUIRE(store.is_postgres());
  TempDir dir;
  const SystemClock& clock = SystemClock::instance();
  client::HallCasePolicy policy;
  std::vector<SimDevice> devices(kHalls * kDevicesPerHall);
  {
    auto admin = hub::HubService::open(dir.file("admin"), clock, policy, store.url());
    REQUIRE(admin.is_ok());
    for (int h = 0; h < kHalls; ++h) {
      std::string hall = std::to_string(360704100 + h);
      REQUIRE((*admin)->add_hall(hall, "大厅 " + std::to_string(h)).is_ok());
      for (int d = 0; d < kDevicesPerHall; ++d) {
        SimDevice& dev = devices[static_cast<std::size_t>(h * kDevicesPerHall + d)];
        dev.hall = hall;
        dev.code = "W0" + std::to_string(d + 1);
        auto token = (*admin)->add_device(hall, dev.code);
        REQUIRE(token.is_ok());
        dev.token = *token;
        auto s = client::HallStore::init(dir.file(dev.id()), {hall, dev.code}, clock);
        REQUIRE(s.is_ok());
        dev.store = std::move(s).value();
      }
    }
  }
  std::string port_a, port_b;
  auto hub_a = start_hub(dir, "hub-a", store.url(), port_a);
  auto hub_b = start_hub(dir, "hub-b", store.url(), port_b);
  const std::string urls[2] = {"http://127.0.0.1:" + port_a, "http://127.0.0.1:" + port_b};

  // Every device: new cases, then a sync, round after round, alternating hubs;
  // then two quiet rounds so each sees what the others pushed last.
  std::barrier start(static_cast<std::ptrdiff_t>(devices.size()));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < devices.size(); ++i) {
    threads.emplace_back([&, i] {
      SimDevice& dev = devices[i];
      client::CaseChangeSink sink(*dev.store);
      client::testdata::CaseGenerator generator(dev.store->catalog(), {.seed = static_cast<std::uint64_t>(i + 1)});
      start.arrive_and_wait();
      for (int round = 0; round < kRounds + 2 && dev.error.empty(); ++round) {
        if (round < kRounds) {
          std::vector<client::IntakeForm> forms;
          for (int c = 0; c < kCasesPerRound; ++c) forms.push_back(generator.next_intake(true));
          if (auto r = client::CaseRepository(*dev.store).register_batch(std::move(forms)); !r) {
            dev.error = r.status().to_string();
            break;
          }
        }
        CurlTransportOptions options;
        options.base_url = urls[(i + static_cast<std::size_t>(round)) % 2];
        auto transport = make_curl_transport(options);
        Replicator replicator(dev.store->db(), *transport, sink, clock, {dev.id(), dev.token}, {});
        for (int attempt = 0;; ++attempt) {
          auto synced = replicator.sync();
          if (synced) break;
          // A 503 (store busy) is allowed and counted; anything else is a failure.
          if (!synced.status().is_transient() || attempt == 5) {
            dev.error = dev.id() + " round " + std::to_string(round) + ": " + synced.status().to_string();
            break;
          }
          ++dev.retries;
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  int retries = 0;
  for (const auto& dev : devices) {
    INFO(dev.error);
    CHECK(dev.error.empty());
    retries += dev.retries;
  }
  WARN("transient retries across all devices: " << retries);
  CHECK(hub_a->stop() == 0);
  CHECK(hub_b->stop() == 0);

  auto hub_db = Database::open_url(store.url());
  REQUIRE(hub_db.is_ok());
  Database& db = **hub_db;
  for (const auto& dev : devices) {
    INFO(dev.id());
    // The hub holds the device's whole outbox, once (event ids are unique there).
    auto outbox = query_set(dev.store->db(), "SELECT CAST(seq AS TEXT) FROM change_log", "");
    auto held = query_set(db, "SELECT event_id FROM events WHERE origin_device = ?", dev.id());
    CHECK(held.size() == outbox.size());
    CHECK(outbox.size() == static_cast<std::size_t>(kRounds * kCasesPerRound));
    // The device holds exactly its hall's events: its own, its neighbour's and
    // the hub's platform numbers — none skipped by a pull, none twice.
    auto hall_at_hub = query_set(db, "SELECT event_id FROM events WHERE hall_code = ? AND collection = 'case_events'",
                                 dev.hall);
    auto at_device = query_set(dev.store->db(), "SELECT event_id FROM case_events", "");
    CHECK(hall_at_hub.size() == static_cast<std::size_t>(kDevicesPerHall * kRounds * kCasesPerRound * 2));
    CHECK(at_device == hall_at_hub);
  }

  // The fleet view from the real binary on the same store: every device, its
  // whole outbox acknowledged, seen, signing its requests.
  Run listed = run_command({HALLHUB_BINARY, "devices", "--json", "--data-dir", dir.file("admin"), "--store", store.url()});
  INFO(listed.out);
  REQUIRE(listed.status == 0);
  auto fleet = nlohmann::json::parse(listed.out);
  REQUIRE(fleet.size() == devices.size());
  for (const auto& d : fleet) {
    CHECK(d["high_water"] == kRounds * kCasesPerRound);
    CHECK(d["last_seen_ms"].get<std::int64_t>() > 0);
    CHECK(d["auth"] == "signed");
    CHECK(d["status"] == "active");
  }
}
