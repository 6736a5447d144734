// many_halls_bench: one hub (its real HTTP server on 127.0.0.1, embedded
// SQLite) and many halls syncing at once, each its own store, curl client and
// thread: every hall pushes its day's new cases, then pulls its platform
// numbers back, all starting together. Reports the hub's aggregate rate and
// each hall's session time (p50/p99), and fails if any hall's sync failed or
// the hub did not end with exactly every case once. Never a test.
//   many_halls_bench [HALLS=50] [CASES_PER_HALL=200] [RUNS=3]
// HALLSYNC_BENCH_PG_URL=postgresql://… puts the hub on that PostgreSQL server
// instead (#11): the database hallsync_bench, made afresh for each run.
#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/domain/case_policy.h"
#include "client/store/case_change_sink.h"
#include "client/store/case_repository.h"
#include "client/testdata/case_generator.h"
#include "sync/api/replicator.h"
#include "sync/hub/hub_service.h"
#include "sync/net/http_server.h"
#include "sync/storage/pg_connection.h"
#include "tools/bench/bench_report.h"

using namespace hallsync;
using namespace hallsync::client;
using Clock_ = std::chrono::steady_clock;

namespace {

struct Hall {
  std::string code;
  std::string token;
  std::unique_ptr<HallStore> store;
  double session_s = 0;
  SyncStats pushed, pulled;
  std::string error;
};

struct RunFigures {
  double wall_s = 0, events_per_s = 0, session_p50 = 0, session_p99 = 0;
};

std::string run_once(int halls, int cases, const std::filesystem::path& root, RunFigures& out) {
  std::filesystem::remove_all(root);
  const SystemClock& clock = SystemClock::instance();
  HallCasePolicy policy;
  std::string hub_store;
  const char* server_url = std::getenv("HALLSYNC_BENCH_PG_URL");
  if (server_url && *server_url) {
    auto admin = Database::open_url(server_url);
    if (!admin) return admin.status().to_string();
    // Our own fixed name: no parameter possible in DDL, none needed.
    if (Status s = (*admin)->exec_script("DROP DATABASE IF EXISTS hallsync_bench WITH (FORCE)"); !s.is_ok()) return s.to_string();
    if (Status s = (*admin)->exec_script("CREATE DATABASE hallsync_bench"); !s.is_ok()) return s.to_string();
    hub_store = storage::url_with_database(server_url, "hallsync_bench");
  }
  auto hub = hub::HubService::open((root / "hub").string(), clock, policy, hub_store);
  if (!hub) return hub.status().to_string();
  std::vector<Hall> all(halls);
  for (int i = 0; i < halls; ++i) {
    Hall& h = all[i];
    h.code = std::to_string(360704100 + i);
    if (Status s = (*hub)->add_hall(h.code, "大厅 " + std::to_string(i)); !s.is_ok()) return s.to_string();
    auto token = (*hub)->add_device(h.code, "W01");
    if (!token) return token.status().to_string();
    h.token = *token;
    auto store = HallStore::init((root / h.code).string(), {h.code, "W01"}, clock);
    if (!store) return store.status().to_string();
    h.store = std::move(store).value();
    testdata::CaseGenerator generator(h.store->catalog(), {.seed = static_cast<std::uint64_t>(i + 1)});
    std::vector<IntakeForm> forms;
    for (int c = 0; c < cases; ++c) forms.push_back(generator.next_intake(/*all_materials=*/true));
    if (auto r = CaseRepository(*h.store).register_batch(std::move(forms)); !r) return r.status().to_string();
  }
  auto server = net::HttpServer::start({}, [&hub](const HttpRequest& r, const std::string& peer) {
    return (*hub)->handle(r, peer);
  });
  if (!server) return server.status().to_string();
  const std::string base_url = "http://" + (*server)->address();

  std::barrier start(halls + 1);
  std::vector<std::thread> threads;
  for (Hall& h : all) {
    threads.emplace_back([&h, &start, &clock, base_url] {
      CurlTransportOptions options;
      options.base_url = base_url;
      auto transport = make_curl_transport(options);
      CaseChangeSink sink(*h.store);
      Replicator replicator(h.store->db(), *transport, sink, clock, {h.code + "-W01", h.token}, {});
      start.arrive_and_wait();
      auto t0 = Clock_::now();
      auto pushed = replicator.push();
      auto pulled = pushed ? replicator.pull() : Result<SyncStats>(pushed.status());
      h.session_s = std::chrono::duration<double>(Clock_::now() - t0).count();
      if (!pulled) h.error = h.code + ": " + pulled.status().to_string();
      else h.pushed = *pushed, h.pulled = *pulled;
    });
  }
  auto t0 = Clock_::now();
  start.arrive_and_wait();
  for (auto& t : threads) t.join();
  out.wall_s = std::chrono::duration<double>(Clock_::now() - t0).count();

  std::vector<double> sessions;
  std::int64_t events = 0;
  for (const Hall& h : all) {
    if (!h.error.empty()) return h.error;
    if (h.pushed.pushed != cases) return h.code + " pushed " + std::to_string(h.pushed.pushed) + " of its cases";
    if (h.pulled.pulled < cases) return h.code + " pulled back " + std::to_string(h.pulled.pulled) + " changes, fewer than its cases";
    events += h.pushed.pushed + h.pulled.pulled;
    sessions.push_back(h.session_s);
  }
  for (const Hall& h : all) {
    auto listed = (*hub)->hall_events(h.code);
    if (!listed) return listed.status().to_string();
    // Each case exactly once: one acceptance from the hall's device per case,
    // each case distinct (the hub adds one platform number per case besides).
    std::set<std::string> accepted;
    int from_device = 0;
    for (const auto& e : *listed)
      if (e.device_id == h.code + "-W01") {
        ++from_device;
        if (e.kind == schema::EventKind::Accepted) accepted.insert(e.case_id);
      }
    if (from_device != cases || static_cast<int>(accepted.size()) != cases)
      return "the hub holds " + std::to_string(from_device) + " events (" + std::to_string(accepted.size()) +
             " cases) from " + h.code + ", not " + std::to_string(cases);
  }
  out.events_per_s = static_cast<double>(events) / out.wall_s;
  out.session_p50 = bench::percentile(sessions, 0.5);
  out.session_p99 = bench::percentile(sessions, 0.99);
  server->reset();
  all.clear();
  std::filesystem::remove_all(root);
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  const int halls = argc > 1 ? std::atoi(argv[1]) : 50;
  const int cases = argc > 2 ? std::atoi(argv[2]) : 200;
  const int runs = argc > 3 ? std::atoi(argv[3]) : 3;
  if (halls < 1 || cases < 1 || runs < 1) {
    std::fprintf(stderr, "usage: many_halls_bench [HALLS=50] [CASES_PER_HALL=200] [RUNS=3]\n");
    return 2;
  }
  auto root = std::filesystem::temp_directory_path() / ("hallsync-many-halls-" + std::to_string(getpid()));
  const bool pg = std::getenv("HALLSYNC_BENCH_PG_URL") && *std::getenv("HALLSYNC_BENCH_PG_URL");
  const std::string data = std::to_string(halls) + " halls at once, " + std::to_string(cases) +
                           " new cases each pushed and their platform numbers pulled, one hub over HTTP on " +
                           (pg ? "PostgreSQL" : "SQLite");
  std::printf("many halls: %s\n", data.c_str());
  std::vector<double> wall, rate, p50, p99;
  for (int r = 0; r < runs; ++r) {
    RunFigures f;
    if (std::string e = run_once(halls, cases, root, f); !e.empty()) {
      std::fprintf(stderr, "many_halls_bench: %s\n", e.c_str());
      std::filesystem::remove_all(root);
      return 1;
    }
    wall.push_back(f.wall_s);
    rate.push_back(f.events_per_s);
    p50.push_back(f.session_p50);
    p99.push_back(f.session_p99);
  }
  bench::report_figure("many_halls", "all_halls_done_s", "s", data, wall);
  bench::report_figure("many_halls", "hub_events_per_s", "events/s", data, rate);
  bench::report_figure("many_halls", "hall_session_p50_s", "s", data, p50);
  bench::report_figure("many_halls", "hall_session_p99_s", "s", data, p99);
  return 0;
}
