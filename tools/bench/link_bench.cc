// link_bench: a hall's day of work over the mountain link. One device
// registers N generated cases, pushes them to the hub through the link
// emulator (tools/linkemu) and the production curl transport, and a second
// device pulls them; a failed session (a cut) is retried at once, as
// `hallctl sync` would be. Reports wall time, bytes on the link, and the
// link's own limit for those bytes (bytes ÷ rate). A benchmark, never a test.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "client/domain/case_policy.h"
#include "client/store/case_change_sink.h"
#include "client/store/case_repository.h"
#include "client/testdata/case_generator.h"
#include "sync/api/replicator.h"
#include "sync/hub/hub_service.h"
#include "tools/bench/bench_link.h"
#include "tools/bench/bench_report.h"
#include "tools/bench/sync_until_done.h"
#include "tools/linkemu/link_emulator.h"

using namespace hallsync;
using namespace hallsync::client;

namespace {

struct RunFigures {
  double push_s = 0, push_limit_s = 0, push_bytes = 0, pull_s = 0, pull_limit_s = 0, pull_bytes = 0, retries = 0;
};

int fail(const Status& s) {
  std::fprintf(stderr, "link_bench: %s\n", s.to_string().c_str());
  return 2;
}

Status run_once(int cases, const linkemu::LinkProfile& profile, std::uint64_t seed, const std::filesystem::path& root,
                RunFigures& out) {
  std::filesystem::remove_all(root);
  const SystemClock& clock = SystemClock::instance();
  HallCasePolicy policy;
  HALLSYNC_ASSIGN_OR_RETURN(auto hub, hub::HubService::open((root / "hub").string(), clock, policy));
  HALLSYNC_RETURN_IF_ERROR(hub->add_hall("360704100", "梅林镇"));
  HALLSYNC_ASSIGN_OR_RETURN(std::string token1, hub->add_device("360704100", "W01"));
  HALLSYNC_ASSIGN_OR_RETURN(std::string token2, hub->add_device("360704100", "W02"));
  HALLSYNC_ASSIGN_OR_RETURN(auto window, HallStore::init((root / "w01").string(), {"360704100", "W01"}, clock));
  HALLSYNC_ASSIGN_OR_RETURN(auto office, HallStore::init((root / "w02").string(), {"360704100", "W02"}, clock));
  CaseRepository repo(*window);
  testdata::CaseGenerator generator(window->catalog(), {.seed = seed});
  std::vector<IntakeForm> forms;
  for (int i = 0; i < cases; ++i) forms.push_back(generator.next_intake());
  HALLSYNC_RETURN_IF_ERROR(repo.register_batch(forms).status());

  HALLSYNC_ASSIGN_OR_RETURN(auto served, bench::serve_behind_link(*hub, profile, seed));
  auto& link = served.link;
  CurlTransportOptions curl;
  curl.base_url = served.base_url();
  auto transport1 = make_curl_transport(curl), transport2 = make_curl_transport(curl);
  CaseChangeSink sink1(*window), sink2(*office);
  Replicator push(window->db(), *transport1, sink1, clock, {"360704100-W01", token1});
  Replicator pull(office->db(), *transport2, sink2, clock, {"360704100-W02", token2});
  int retries = 0;
  linkemu::LinkCounters before = link->counters();
  HALLSYNC_ASSIGN_OR_RETURN(out.push_s, bench::timed_until_done(push, true, retries));
  linkemu::LinkCounters mid = link->counters();
  HALLSYNC_ASSIGN_OR_RETURN(out.pull_s, bench::timed_until_done(pull, false, retries));
  linkemu::LinkCounters after = link->counters();
  // Bytes both ways count against the link (requests up, responses down).
  double push_bytes = static_cast<double>(mid.bytes_up - before.bytes_up + mid.bytes_down - before.bytes_down);
  double pull_bytes = static_cast<double>(after.bytes_up - mid.bytes_up + after.bytes_down - mid.bytes_down);
  auto limit = [&](const linkemu::LinkCounters& a, const linkemu::LinkCounters& b) {
    double up = static_cast<double>(b.bytes_up - a.bytes_up), down = static_cast<double>(b.bytes_down - a.bytes_down);
    double rate_up = static_cast<double>(profile.up.rate_bytes_per_s), rate_down = static_cast<double>(profile.down.rate_bytes_per_s);
    return (rate_up > 0 ? up / rate_up : 0) + (rate_down > 0 ? down / rate_down : 0);
  };
  out.push_bytes = push_bytes;
  out.pull_bytes = pull_bytes;
  out.push_limit_s = limit(before, mid);
  out.pull_limit_s = limit(mid, after);
  out.retries = retries;
  served.stop();
  std::filesystem::remove_all(root);
  return Status::ok();
}

}  // namespace

// Usage: link_bench [CASES=200] [RUNS=3] [PROFILE=2g]
int main(int argc, char** argv) {
  int cases = argc > 1 ? std::atoi(argv[1]) : 200;
  int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  std::string profile_name = argc > 3 ? argv[3] : "2g";
  auto profile = linkemu::named_profile(profile_name);
  if (!profile) return fail(profile.status());
  auto root = std::filesystem::temp_directory_path() / ("hallsync-link-bench-" + std::to_string(getpid()));
  std::vector<double> push_s, push_ratio, push_bytes_per_case, pull_s, pull_ratio, pull_bytes_per_case, retries;
  for (int r = 0; r < runs; ++r) {
    RunFigures f;
    if (Status s = run_once(cases, *profile, static_cast<std::uint64_t>(r + 1), root, f); !s.is_ok()) return fail(s);
    push_s.push_back(f.push_s);
    push_ratio.push_back(f.push_limit_s > 0 ? f.push_s / f.push_limit_s : 0);
    push_bytes_per_case.push_back(f.push_bytes / cases);
    pull_s.push_back(f.pull_s);
    pull_ratio.push_back(f.pull_limit_s > 0 ? f.pull_s / f.pull_limit_s : 0);
    pull_bytes_per_case.push_back(f.pull_bytes / cases);
    retries.push_back(f.retries);
  }
  const auto& up = profile->up;
  std::printf("link: %d generated cases pushed then pulled over profile %s (%llu bit/s, %d ms one way, jitter %d ms, "
              "%.0f%% of connections cut); seeds 1..%d\n",
              cases, profile_name.c_str(), static_cast<unsigned long long>(up.rate_bytes_per_s * 8), up.latency_ms,
              up.jitter_ms, profile->cut_chance * 100, runs);
  std::string data = std::to_string(cases) + " new cases over link profile " + profile_name;
  bench::report_figure("link", "push_wall_s", "s", data, push_s);
  bench::report_figure("link", "push_wall_over_link_limit", "ratio", data + "; limit = bytes both ways / rate", push_ratio);
  bench::report_figure("link", "push_bytes_per_case", "bytes", data + "; both directions, headers included", push_bytes_per_case);
  bench::report_figure("link", "pull_wall_s", "s", data, pull_s);
  bench::report_figure("link", "pull_wall_over_link_limit", "ratio", data + "; limit = bytes both ways / rate", pull_ratio);
  bench::report_figure("link", "pull_bytes_per_case", "bytes", data + "; both directions, headers included", pull_bytes_per_case);
  bench::report_figure("link", "failed_sessions_retried", "sessions", data, retries);
  return 0;
}
