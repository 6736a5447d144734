// api_latency_bench: how fast halld's local API answers a clerk's screen while
// a large sync runs. A hall store holding N new cases (one event each) is
// served by halld's own parts — LocalApi on the HTTP server, SyncScheduler on
// its thread — and pushes them to a hub served over HTTP on 127.0.0.1 in the
// same process. While that first session runs, a client alternates
// GET /api/cases?limit=50 and POST /api/cases (a new registration, a durable
// commit) every 10 ms and times each answer. Reports p50/p99 of each over the
// runs as medians with min–max. A benchmark, never a test: it asserts nothing
// about speed, only that every request and the sync itself succeeded.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "client/daemon/local_api.h"
#include "client/daemon/sync_scheduler.h"
#include "client/domain/case_policy.h"
#include "client/enrollment/hub_link.h"
#include "client/store/case_repository.h"
#include "sync/hub/hub_service.h"
#include "sync/net/http_server.h"
#include "client/testdata/case_generator.h"
#include "tools/bench/bench_report.h"

using namespace hallsync;
using namespace hallsync::client;
using namespace hallsync::client::daemon;
using Steady = std::chrono::steady_clock;

namespace {

using bench::percentile;

struct RunFigures {
  double list_p50 = 0, list_p99 = 0, register_p50 = 0, register_p99 = 0;
  std::size_t samples = 0;  // of each kind
  double sync_s = 0;
};

int fail(const std::string& what) {
  std::fprintf(stderr, "api_latency_bench: %s\n", what.c_str());
  return 2;
}

// One timed request; false (with `error`) unless halld answered `expected`.
bool timed(Transport& client, const HttpRequest& request, int expected, std::vector<double>& ms, std::string& error) {
  auto t0 = Steady::now();
  auto reply = client.exchange(request);
  ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
  if (!reply) error = request.target + ": " + reply.status().to_string();
  else if (reply->status != expected) error = request.target + ": HTTP " + std::to_string(reply->status) + " " + reply->body;
  return error.empty();
}

// One run in a fresh directory; an empty string means success.
std::string run_once(int events, const std::filesystem::path& root, RunFigures& out) {
  std::filesystem::remove_all(root);
  const SystemClock& clock = SystemClock::instance();
  HallCasePolicy policy;
  auto hub = hub::HubService::open((root / "hub").string(), clock, policy);
  if (!hub) return hub.status().to_string();
  if (Status s = (*hub)->add_hall("360704100", "梅林镇"); !s.is_ok()) return s.to_string();
  auto token = (*hub)->add_device("360704100", "W01");
  if (!token) return token.status().to_string();
  auto hub_server = net::HttpServer::start({}, [&hub](const HttpRequest& r, const std::string& peer) {
    return (*hub)->handle(r, peer);
  });
  if (!hub_server) return hub_server.status().to_string();

  const std::string hall_dir = (root / "hall").string();
  {
    auto store = HallStore::init(hall_dir, {"360704100", "W01"}, clock);
    if (!store) return store.status().to_string();
    CaseRepository repo(**store);
    testdata::CaseGenerator generator((*store)->catalog(), {.seed = 1});
    for (int done = 0; done < events; done += 5000) {
      std::vector<IntakeForm> forms;
      for (int i = done; i < std::min(events, done + 5000); ++i) forms.push_back(generator.next_intake(true));
      if (auto r = repo.register_batch(forms); !r) return r.status().to_string();
    }
  }
  client::HubLink link;
  link.hub_url = "http://" + (*hub_server)->address();
  link.token = *token;
  if (Status s = save_hub_link(hall_dir, link); !s.is_ok()) return s.to_string();

  // halld as tools/halld/main.cc wires it, on a port the kernel picks.
  auto api_store = HallStore::open(hall_dir, clock);
  if (!api_store) return api_store.status().to_string();
  ReferenceGeneration reference;
  SchedulerOptions sopts;
  sopts.data_dir = hall_dir;
  sopts.period = std::chrono::hours(1);
  sopts.debounce = std::chrono::hours(1);  // only the session at start runs
  SyncScheduler scheduler(sopts, reference);
  LocalApi api(**api_store, scheduler, reference);
  net::HttpServerOptions api_options;
  api_options.listen = "127.0.0.1:0";
  auto api_server = net::HttpServer::start(api_options, [&api](const HttpRequest& r, const std::string&) {
    return api.handle(r);
  });
  if (!api_server) return api_server.status().to_string();
  CurlTransportOptions copts;
  copts.base_url = "http://" + (*api_server)->address();
  auto client = make_curl_transport(copts);

  HttpRequest list{"GET", "/api/cases?limit=50", {}, "", 0};
  HttpRequest add{"POST", "/api/cases", {{"Content-Type", "application/json"}}, "", 0};
  std::vector<double> list_ms, register_ms;
  std::string error;
  testdata::CaseGenerator applicants((*api_store)->catalog(), {.seed = 2});
  auto started = Steady::now();
  scheduler.start();
  for (int i = 0; error.empty(); ++i) {
    SchedulerStatus st = scheduler.status();
    if (st.sessions >= 1) break;  // the big session has ended
    timed(*client, list, 200, list_ms, error);
    IntakeForm next = applicants.next_intake(true);
    nlohmann::json form = {{"matter_id", "GX-009"},          {"applicant_name", next.applicant_name},
                           {"id_number", next.id_number},    {"phone", next.phone},
                           {"all_materials", true},          {"clerk_id", "c001"}};
    add.body = form.dump();
    if (error.empty()) timed(*client, add, 201, register_ms, error);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  SchedulerStatus st = scheduler.status();
  out.sync_s = std::chrono::duration<double>(Steady::now() - started).count();
  scheduler.request_stop();
  scheduler.join_for(std::chrono::seconds(30));
  (*api_server)->stop();
  (*hub_server)->stop();
  if (!error.empty()) return error;
  if (!st.last_ok) return "the sync session failed: " + st.error_kind + "/" + st.error_code + " " + st.error_message;
  out.samples = std::min(list_ms.size(), register_ms.size());
  out.list_p50 = percentile(list_ms, 0.5);
  out.list_p99 = percentile(list_ms, 0.99);
  out.register_p50 = percentile(register_ms, 0.5);
  out.register_p99 = percentile(register_ms, 0.99);
  std::filesystem::remove_all(root);
  return "";
}


}  // namespace

// Usage: api_latency_bench [EVENTS=100000] [RUNS=3]
// Prints a table on stdout and one JSON object per figure on stderr.
int main(int argc, char** argv) {
  int events = argc > 1 ? std::atoi(argv[1]) : 100000;
  int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  auto root = std::filesystem::temp_directory_path() / ("hallsync-api-bench-" + std::to_string(getpid()));
  std::vector<double> lp50, lp99, rp50, rp99, samples, sync_s;
  for (int r = 0; r < runs; ++r) {
    RunFigures f;
    if (std::string e = run_once(events, root, f); !e.empty()) return fail(e);
    lp50.push_back(f.list_p50);
    lp99.push_back(f.list_p99);
    rp50.push_back(f.register_p50);
    rp99.push_back(f.register_p99);
    samples.push_back(static_cast<double>(f.samples));
    sync_s.push_back(f.sync_s);
  }
  std::printf("api latency: halld's local API while its first session pushes %d new cases over HTTP on 127.0.0.1;"
              " %d runs (ms)\n", events, runs);
  std::string data = std::to_string(events) + " new cases pushed, their platform numbers pulled, by halld";
  bench::report_figure("api_latency", "list_p50_ms", "ms", data, lp50);
  bench::report_figure("api_latency", "list_p99_ms", "ms", data, lp99);
  bench::report_figure("api_latency", "register_p50_ms", "ms", data, rp50);
  bench::report_figure("api_latency", "register_p99_ms", "ms", data, rp99);
  bench::report_figure("api_latency", "requests_each", "requests", data, samples);
  bench::report_figure("api_latency", "sync_s", "s", data, sync_s);
  return 0;
}
