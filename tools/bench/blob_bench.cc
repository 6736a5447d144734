// blob_bench: case events while a large scan uploads over the mountain link.
// A window PC attaches one scan and its sync session uploads it through the
// link emulator (tools/linkemu) and the production curl transport, retried
// at once after a cut; meanwhile a clerk on a second connection to the same
// store registers cases one after another, and each one's time until the hub
// holds it is measured. A benchmark, never a test: figures come from a quiet machine.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <random>
#include <string>
#include <thread>

#include "client/domain/case_policy.h"
#include "client/store/case_change_sink.h"
#include "client/store/case_repository.h"
#include "client/store/material_attach.h"
#include "client/testdata/case_generator.h"
#include "sync/api/blob_upload.h"
#include "sync/api/replicator.h"
#include "sync/hub/hub_service.h"
#include "tools/bench/bench_link.h"
#include "tools/bench/bench_report.h"

using namespace hallsync;
using namespace hallsync::client;
using Steady = std::chrono::steady_clock;

namespace {

int fail(const Status& s) {
  std::fprintf(stderr, "blob_bench: %s\n", s.to_string().c_str());
  return 2;
}

double since(Steady::time_point t0) { return std::chrono::duration<double>(Steady::now() - t0).count(); }

struct RunFigures {
  double upload_s = 0;
  std::vector<double> case_latency_s;  // registration until the hub holds it
  int during_upload = 0;               // of those, registered and delivered while the scan was still going up
  int sessions = 0;
};

Result<bool> hub_holds(Database& hub_reader, const std::string& case_id) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, hub_reader.prepare("SELECT 1 FROM events WHERE doc_key = ? LIMIT 1"));
  stmt.bind(1, case_id);
  return stmt.step();
}

Status run_once(std::size_t blob_bytes, int cases, const linkemu::LinkProfile& profile, std::uint64_t seed,
                const std::filesystem::path& root, RunFigures& out) {
  std::filesystem::remove_all(root);
  const SystemClock& clock = SystemClock::instance();
  HallCasePolicy policy;
  HALLSYNC_ASSIGN_OR_RETURN(auto hub, hub::HubService::open((root / "hub").string(), clock, policy));
  HALLSYNC_RETURN_IF_ERROR(hub->add_hall("360704100", "梅林镇"));
  HALLSYNC_ASSIGN_OR_RETURN(std::string token, hub->add_device("360704100", "W01"));
  HALLSYNC_ASSIGN_OR_RETURN(auto session_store, HallStore::init((root / "w01").string(), {"360704100", "W01"}, clock));
  HALLSYNC_ASSIGN_OR_RETURN(auto clerk_store, HallStore::open((root / "w01").string(), clock));
  CaseRepository clerk(*clerk_store);
  testdata::CaseGenerator generator(clerk_store->catalog(), {.seed = seed});
  HALLSYNC_ASSIGN_OR_RETURN(CaseView first, clerk.register_case(generator.next_intake()));
  std::string scan(blob_bytes, '\0');
  std::mt19937_64 rng(seed);
  for (auto& c : scan) c = static_cast<char>(rng());
  scan.replace(0, 4, "\xFF\xD8\xFF\xE0");
  HALLSYNC_RETURN_IF_ERROR(attach_material_bytes(*clerk_store, first.case_id, scan, "申请人居民身份证", "c001").status());

  HALLSYNC_ASSIGN_OR_RETURN(auto served, bench::serve_behind_link(*hub, profile, seed));
  HALLSYNC_ASSIGN_OR_RETURN(auto hub_reader, Database::open((root / "hub" / hub::HubService::kDatabaseFile).string()));

  // The session, as halld runs it: sync, and at once again after a cut.
  auto t0 = Steady::now();
  auto run_session = [&]() -> Status {
    CurlTransportOptions curl;
    curl.base_url = served.base_url();
    auto transport = make_curl_transport(curl);
    CaseChangeSink sink(*session_store);
    ReplicatorOptions options;
    options.blob_dir = blob_dir(*session_store);
    for (int attempt = 0; attempt < 500; ++attempt, ++out.sessions) {
      auto s = Replicator(session_store->db(), *transport, sink, clock, {"360704100-W01", token}, options).sync();
      if (s) return Status::ok();
      if (s.status().kind() != ErrorKind::Network) return s.status();
    }
    return Status::network("500 sessions in a row failed");
  };
  auto session = std::async(std::launch::async, [&]() -> Status {
    Status s = run_session();
    out.upload_s = since(t0);
    return s;
  });
  // The clerk: a case every second while the scan goes up (and after, if it is quick).
  for (int i = 0; i < cases; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    HALLSYNC_ASSIGN_OR_RETURN(CaseView v, clerk.register_case(generator.next_intake()));
    auto registered = Steady::now();
    for (;;) {
      HALLSYNC_ASSIGN_OR_RETURN(bool held, hub_holds(*hub_reader, v.case_id));
      if (held) break;
      if (since(registered) > 600) return Status::network("a case took over 10 minutes to reach the hub");
      if (session.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready) {
        // The session ended first (the scan was done): a new one takes the case.
        HALLSYNC_RETURN_IF_ERROR(session.get());
        session = std::async(std::launch::async, run_session);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    out.case_latency_s.push_back(since(registered));
    HALLSYNC_ASSIGN_OR_RETURN(auto queue, blob_queue_stats(clerk_store->db()));
    if (queue.waiting > 0) ++out.during_upload;
  }
  HALLSYNC_RETURN_IF_ERROR(session.get());
  served.stop();
  hub_reader.reset();
  std::filesystem::remove_all(root);
  return Status::ok();
}

}  // namespace

// Usage: blob_bench [BLOB_KB=2048] [CASES=10] [PROFILE=2g] [RUNS=1]
int main(int argc, char** argv) {
  std::size_t blob_kb = argc > 1 ? static_cast<std::size_t>(std::atoi(argv[1])) : 2048;
  int cases = argc > 2 ? std::atoi(argv[2]) : 10;
  std::string profile_name = argc > 3 ? argv[3] : "2g";
  int runs = argc > 4 ? std::atoi(argv[4]) : 1;
  auto profile = linkemu::named_profile(profile_name);
  if (!profile) return fail(profile.status());
  auto root = std::filesystem::temp_directory_path() / ("hallsync-blob-bench-" + std::to_string(getpid()));
  std::vector<double> upload_s, latency_median, latency_max, during;
  for (int r = 0; r < runs; ++r) {
    RunFigures f;
    if (Status s = run_once(blob_kb * 1024, cases, *profile, static_cast<std::uint64_t>(r + 1), root, f); !s.is_ok())
      return fail(s);
    upload_s.push_back(f.upload_s);
    latency_median.push_back(bench::percentile(f.case_latency_s, 0.5));
    latency_max.push_back(bench::percentile(f.case_latency_s, 1.0));
    during.push_back(f.during_upload);
  }
  std::printf("blob: a %zu KB scan uploading over profile %s while a clerk registers %d cases, one a second; seeds 1..%d\n",
              blob_kb, profile_name.c_str(), cases, runs);
  std::string data = std::to_string(blob_kb) + " KB scan, " + std::to_string(cases) + " cases, link " + profile_name;
  bench::report_figure("blob", "scan_upload_wall_s", "s", data, upload_s);
  bench::report_figure("blob", "case_to_hub_median_s", "s", data + "; registration until the hub holds the case", latency_median);
  bench::report_figure("blob", "case_to_hub_max_s", "s", data, latency_max);
  bench::report_figure("blob", "cases_delivered_during_upload", "cases", data, during);
  return 0;
}
