// many_halls_bench: one hub (its real HTTP server on 127.0.0.1, embedded
// SQLite or PostgreSQL) and many halls syncing against it, each hall its own
// store, curl client and thread. Reports the hub's aggregate rate (events
// pushed plus events pulled, per second), the latency of every single request
// as its hall saw it (p50/p99: issue #11's figure; queueing at the hub
// included) and each hall's session time, and fails if any hall's sync failed
// or the hub did not end with exactly every case once. Never a test.
//
// Burst (all halls at once, one session each: the hub's peak drain rate):
//   many_halls_bench [HALLS=50] [CASES_PER_HALL=200] [RUNS=3]
// Steady (issue #11's 1,000 halls): every hall, staggered, registers
// CASES_PER_SYNC new cases every INTERVAL_MS and syncs them (push, then pull
// their platform numbers), for DURATION_S; offered load is
// HALLS × CASES_PER_SYNC × 2 / interval events/s, and the figures say whether
// the hub kept up with it and at what latency:
//   many_halls_bench steady [HALLS=1000] [CASES_PER_SYNC=25] [INTERVAL_MS=5000] [DURATION_S=30] [RUNS=3]
// HALLSYNC_BENCH_PG_URL=postgresql://… puts the hub on that PostgreSQL server
// instead (#11): the database hallsync_bench, made afresh for each run.
// HALLSYNC_BENCH_CONNECTIONS=N: the hub's store connections and worker
// threads (default: 4 on PostgreSQL, as `hallhub serve`; SQLite: 1).
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
#include "sync/hub/hub_pool.h"
#include "sync/hub/hub_service.h"
#include "sync/net/http_server.h"
#include "sync/storage/pg_connection.h"
#include "tools/bench/bench_report.h"

using namespace hallsync;
using namespace hallsync::client;
using Clock_ = std::chrono::steady_clock;

namespace {

// Times every exchange of one hall's replicator: the request latency a
// device sees (queueing at the hub included), one figure per request.
class TimedTransport : public Transport {
 public:
  explicit TimedTransport(std::unique_ptr<Transport> inner) : inner_(std::move(inner)) {}
  Result<HttpResponse> exchange(const HttpRequest& request) override {
    auto t0 = Clock_::now();
    auto r = inner_->exchange(request);
    latencies.push_back(std::chrono::duration<double>(Clock_::now() - t0).count());
    return r;
  }
  std::uint64_t bytes_sent() const override { return inner_->bytes_sent(); }
  std::uint64_t bytes_received() const override { return inner_->bytes_received(); }
  std::vector<double> latencies;

 private:
  std::unique_ptr<Transport> inner_;
};

struct Hall {
  std::string code;
  std::string token;
  std::unique_ptr<HallStore> store;
  double session_s = 0;
  SyncStats pushed, pulled;  // totals over the run's sessions
  int registered = 0;         // cases the hall registered (and must see at the hub once)
  std::vector<double> request_s;
  std::string error;
};

// Steady mode's shape; cases = 0 in burst mode.
struct Steady {
  int cases_per_sync = 0;
  int interval_ms = 0;
  int duration_s = 0;
};

struct RunFigures {
  double wall_s = 0, events_per_s = 0, session_p50 = 0, session_p99 = 0, request_p50 = 0, request_p99 = 0;
  std::size_t requests = 0;
  std::uint64_t refused_busy = 0;
};

std::size_t store_connections(bool pg) {
  const char* text = std::getenv("HALLSYNC_BENCH_CONNECTIONS");
  int n = text && *text ? std::atoi(text) : 0;
  return n > 0 ? static_cast<std::size_t>(n) : (pg ? 4 : 1);
}

void add_session(Hall& h, const Result<SyncStats>& pushed, const Result<SyncStats>& pulled) {
  if (!pushed) h.error = h.code + ": push: " + pushed.status().to_string();
  else if (!pulled) h.error = h.code + ": pull: " + pulled.status().to_string();
  if (!h.error.empty()) return;
  h.pushed.pushed += pushed->pushed;
  h.pulled.pulled += pulled->pulled;
}

// `cases`: registered before the clock starts (burst); steady mode registers
// as it goes.
std::string run_once(int halls, int cases, const Steady& steady, const std::filesystem::path& root, RunFigures& out) {
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
  const std::size_t connections = store_connections(!hub_store.empty());
  auto pool = hub::HubPool::open((root / "hub").string(), clock, policy, hub_store, connections);
  if (!pool) return pool.status().to_string();
  hub::HubService* hub = &(*pool)->first();
  std::vector<Hall> all(halls);
  for (int i = 0; i < halls; ++i) {
    Hall& h = all[i];
    h.code = std::to_string(360704100 + i);
    if (Status s = hub->add_hall(h.code, "大厅 " + std::to_string(i)); !s.is_ok()) return s.to_string();
    auto token = hub->add_device(h.code, "W01");
    if (!token) return token.status().to_string();
    h.token = *token;
    auto store = HallStore::init((root / h.code).string(), {h.code, "W01"}, clock);
    if (!store) return store.status().to_string();
    h.store = std::move(store).value();
    if (cases == 0) continue;
    testdata::CaseGenerator generator(h.store->catalog(), {.seed = static_cast<std::uint64_t>(i + 1)});
    std::vector<IntakeForm> forms;
    for (int c = 0; c < cases; ++c) forms.push_back(generator.next_intake(/*all_materials=*/true));
    if (auto r = CaseRepository(*h.store).register_batch(std::move(forms)); !r) return r.status().to_string();
    h.registered = cases;
  }
  net::HttpServerOptions server_options;
  server_options.max_connections = static_cast<std::size_t>(halls) + 16;  // every hall connected at once
  server_options.workers = connections > 1 ? connections : 0;                 // as `hallhub serve`
  server_options.max_queued = static_cast<std::size_t>(halls) + 16;          // no hall is refused hub_busy
  hub::HubPool* hubs = pool->get();
  auto server = net::HttpServer::start(server_options, [hubs](const HttpRequest& r, const std::string& peer) {
    return hubs->handle(r, peer);
  });
  if (!server) return server.status().to_string();
  const std::string base_url = "http://" + (*server)->address();

  std::barrier start(halls + 1);
  std::vector<std::thread> threads;
  for (int i = 0; i < halls; ++i) {
    Hall& h = all[i];
    threads.emplace_back([&h, &start, &clock, &steady, base_url, i, halls] {
      CurlTransportOptions options;
      options.base_url = base_url;
      TimedTransport transport(make_curl_transport(options));
      CaseChangeSink sink(*h.store);
      Replicator replicator(h.store->db(), transport, sink, clock, {h.code + "-W01", h.token}, {});
      start.arrive_and_wait();
      auto t0 = Clock_::now();
      if (steady.cases_per_sync == 0) {
        auto pushed = replicator.push();
        auto pulled = pushed ? replicator.pull() : Result<SyncStats>(pushed.status());
        add_session(h, pushed, pulled);
      } else {
        // Staggered over one interval, so syncs arrive evenly, not in waves.
        const auto interval = std::chrono::milliseconds(steady.interval_ms);
        const auto end = t0 + std::chrono::seconds(steady.duration_s);
        auto next = t0 + interval * i / halls;
        testdata::CaseGenerator generator(h.store->catalog(), {.seed = static_cast<std::uint64_t>(i + 1)});
        CaseRepository cases(*h.store);
        while (next < end && h.error.empty()) {
          std::this_thread::sleep_until(next);
          next += interval;  // a hall behind schedule syncs again at once: the hub's backlog shows
          std::vector<IntakeForm> forms;
          for (int c = 0; c < steady.cases_per_sync; ++c) forms.push_back(generator.next_intake(/*all_materials=*/true));
          if (auto r = cases.register_batch(std::move(forms)); !r) {
            h.error = h.code + ": register: " + r.status().to_string();
            break;
          }
          h.registered += steady.cases_per_sync;
          auto pushed = replicator.push();
          auto pulled = pushed ? replicator.pull() : Result<SyncStats>(pushed.status());
          add_session(h, pushed, pulled);
        }
      }
      h.session_s = std::chrono::duration<double>(Clock_::now() - t0).count();
      h.request_s = std::move(transport.latencies);
    });
  }
  auto t0 = Clock_::now();
  start.arrive_and_wait();
  for (auto& t : threads) t.join();
  out.wall_s = std::chrono::duration<double>(Clock_::now() - t0).count();

  std::vector<double> sessions, requests;
  std::int64_t events = 0;
  for (const Hall& h : all) {
    if (!h.error.empty()) return h.error;
    const int cases = h.registered;
    if (h.pushed.pushed != cases) return h.code + " pushed " + std::to_string(h.pushed.pushed) + " of its cases";
    if (h.pulled.pulled < cases) return h.code + " pulled back " + std::to_string(h.pulled.pulled) + " changes, fewer than its cases";
    events += h.pushed.pushed + h.pulled.pulled;
    sessions.push_back(h.session_s);
    requests.insert(requests.end(), h.request_s.begin(), h.request_s.end());
  }
  for (const Hall& h : all) {
    const int cases = h.registered;
    auto listed = hub->hall_events(h.code);
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
  out.request_p50 = bench::percentile(requests, 0.5);
  out.request_p99 = bench::percentile(requests, 0.99);
  out.requests = requests.size();
  out.refused_busy = (*server)->requests_refused_busy();
  server->reset();
  all.clear();
  std::filesystem::remove_all(root);
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  const bool steady_mode = argc > 1 && std::string(argv[1]) == "steady";
  auto arg = [&](int i, int fallback) {
    int at = i + (steady_mode ? 1 : 0);
    return argc > at ? std::atoi(argv[at]) : fallback;
  };
  Steady steady;
  int halls = 0, cases = 0, runs = 0;
  if (steady_mode) {
    halls = arg(1, 1000);
    steady = {arg(2, 25), arg(3, 5000), arg(4, 30)};
    runs = arg(5, 3);
  } else {
    halls = arg(1, 50);
    cases = arg(2, 200);
    runs = arg(3, 3);
  }
  if (halls < 1 || runs < 1 || (!steady_mode && cases < 1) ||
      (steady_mode && (steady.cases_per_sync < 1 || steady.interval_ms < 1 || steady.duration_s < 1))) {
    std::fprintf(stderr,
                 "usage: many_halls_bench [HALLS=50] [CASES_PER_HALL=200] [RUNS=3]\n"
                 "       many_halls_bench steady [HALLS=1000] [CASES_PER_SYNC=25] [INTERVAL_MS=5000] [DURATION_S=30] "
                 "[RUNS=3]\n");
    return 2;
  }
  auto root = std::filesystem::temp_directory_path() / ("hallsync-many-halls-" + std::to_string(getpid()));
  const bool pg = std::getenv("HALLSYNC_BENCH_PG_URL") && *std::getenv("HALLSYNC_BENCH_PG_URL");
  const std::string hub_desc = "one hub over HTTP on " + std::string(pg ? "PostgreSQL" : "SQLite") + " with " +
                               std::to_string(store_connections(pg)) + " store connection(s)";
  std::string data;
  if (steady_mode) {
    double offered = 2.0 * halls * steady.cases_per_sync * 1000.0 / steady.interval_ms;
    data = std::to_string(halls) + " halls, each syncing " + std::to_string(steady.cases_per_sync) +
           " new cases every " + std::to_string(steady.interval_ms) + " ms (staggered) for " +
           std::to_string(steady.duration_s) + " s, offered " + std::to_string(static_cast<long>(offered)) +
           " events/s, " + hub_desc;
  } else {
    data = std::to_string(halls) + " halls at once, " + std::to_string(cases) +
           " new cases each pushed and their platform numbers pulled, " + hub_desc;
  }
  std::printf("many halls: %s\n", data.c_str());
  std::vector<double> wall, rate, p50, p99, req_p50, req_p99, req_count, busy;
  for (int r = 0; r < runs; ++r) {
    RunFigures f;
    if (std::string e = run_once(halls, cases, steady, root, f); !e.empty()) {
      std::fprintf(stderr, "many_halls_bench: %s\n", e.c_str());
      std::filesystem::remove_all(root);
      return 1;
    }
    wall.push_back(f.wall_s);
    rate.push_back(f.events_per_s);
    p50.push_back(f.session_p50);
    p99.push_back(f.session_p99);
    req_p50.push_back(f.request_p50 * 1000);
    req_p99.push_back(f.request_p99 * 1000);
    req_count.push_back(static_cast<double>(f.requests));
    busy.push_back(static_cast<double>(f.refused_busy));
  }
  bench::report_figure("many_halls", "all_halls_done_s", "s", data, wall);
  bench::report_figure("many_halls", "hub_events_per_s", "events/s", data, rate);
  bench::report_figure("many_halls", "request_p50_ms", "ms", data, req_p50);
  bench::report_figure("many_halls", "request_p99_ms", "ms", data, req_p99);
  bench::report_figure("many_halls", "requests", "requests", data, req_count);
  bench::report_figure("many_halls", "refused_hub_busy", "requests", data, busy);
  if (!steady_mode) {
    bench::report_figure("many_halls", "hall_session_p50_s", "s", data, p50);
    bench::report_figure("many_halls", "hall_session_p99_s", "s", data, p99);
  }
  return 0;
}
