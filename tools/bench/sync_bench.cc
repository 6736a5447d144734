// sync_bench: push and pull throughput and bytes on the wire per event.
// A hub and two devices of one hall, connected through an in-process
// transport (--transport=direct) or real HTTP on 127.0.0.1 (--transport=http).
// Prints a table and one JSON object per figure on stderr. Never a test.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include <sys/resource.h>

#include "client/domain/case_policy.h"
#include "client/store/case_change_sink.h"
#include "client/store/case_repository.h"
#include "client/testdata/case_generator.h"
#include "sync/api/replicator.h"
#include "sync/hub/hub_service.h"
#include "tools/bench/bench_transport.h"

using namespace hallsync;
using namespace hallsync::client;
using Clock_ = std::chrono::steady_clock;

namespace {

double seconds_since(Clock_::time_point t0) { return std::chrono::duration<double>(Clock_::now() - t0).count(); }

// CPU seconds of the whole process (every thread: hub server, checkpointers),
// a figure a busy machine distorts far less than wall-clock throughput.
double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

// Complete materials, so each new case is exactly one event.
std::vector<IntakeForm> make_forms(testdata::CaseGenerator& generator, int count) {
  std::vector<IntakeForm> forms;
  for (int i = 0; i < count; ++i) forms.push_back(generator.next_intake(/*all_materials=*/true));
  return forms;
}

void figure(const char* name, double value, const char* unit, const char* what) {
  std::printf("  %-34s %12.1f %-9s %s\n", name, value, unit, what);
  std::fprintf(stderr, "{\"benchmark\":\"sync\",\"figure\":\"%s\",\"value\":%.2f,\"unit\":\"%s\"}\n", name, value, unit);
}

int fail(const Status& s) {
  std::fprintf(stderr, "sync_bench: %s\n", s.to_string().c_str());
  return 2;
}

}  // namespace

// Usage: sync_bench [EVENTS=100000] [direct|http]
int main(int argc, char** argv) {
  int events = argc > 1 ? std::atoi(argv[1]) : 100000;
  std::string mode = argc > 2 ? argv[2] : "http";
  auto root = std::filesystem::temp_directory_path() / ("hallsync-sync-bench-" + std::to_string(getpid()));
  std::filesystem::remove_all(root);
  const SystemClock& clock = SystemClock::instance();
  HallCasePolicy policy;
  auto hub = hub::HubService::open((root / "hub").string(), clock, policy);
  if (!hub) return fail(hub.status());
  if (Status s = (*hub)->add_hall("360704100", "梅林镇"); !s.is_ok()) return fail(s);
  auto token1 = (*hub)->add_device("360704100", "W01");
  auto token2 = (*hub)->add_device("360704100", "W02");
  auto writer = HallStore::init((root / "w01").string(), {"360704100", "W01"}, clock);
  auto reader = HallStore::init((root / "w02").string(), {"360704100", "W02"}, clock);
  if (!writer || !reader) return fail(!writer ? writer.status() : reader.status());
  auto transport = make_bench_transport(mode, **hub);
  if (!transport) return fail(transport.status());

  std::printf("sync: %d new cases (one event each) on hall 360704100 device W01, transport %s\n", events, mode.c_str());
  CaseRepository repo(**writer);
  testdata::CaseGenerator generator((*writer)->catalog(), {.seed = 1});
  auto t0 = Clock_::now();
  for (int done = 0; done < events; done += 5000) {
    auto r = repo.register_batch(make_forms(generator, std::min(5000, events - done)));
    if (!r) return fail(r.status());
  }
  std::printf("  (generated in %.1f s)\n", seconds_since(t0));

  CaseChangeSink sink1(**writer), sink2(**reader);
  ReplicatorOptions opts;
  opts.push_batch_entries = 2000;
  opts.push_batch_bytes = 1 << 20;
  opts.pull_page = 2000;
  Replicator push(( *writer)->db(), **transport, sink1, clock, {"360704100-W01", *token1}, opts);
  t0 = Clock_::now();
  double cpu0 = process_cpu_seconds();
  auto pushed = push.push();
  double push_s = seconds_since(t0), push_cpu = process_cpu_seconds() - cpu0;
  if (!pushed) return fail(pushed.status());
  figure("push_events_per_s", pushed->pushed / push_s, "events/s", "new cases, empty hub");
  figure("push_cpu_us_per_event", push_cpu * 1e6 / pushed->pushed, "us", "CPU, all threads, both ends");
  figure("push_bytes_per_new_case", static_cast<double>(pushed->bytes_sent) / pushed->pushed, "bytes", "request bytes incl. headers");

  Replicator pull((*reader)->db(), **transport, sink2, clock, {"360704100-W02", *token2}, opts);
  t0 = Clock_::now();
  cpu0 = process_cpu_seconds();
  auto pulled = pull.pull();
  double pull_s = seconds_since(t0), pull_cpu = process_cpu_seconds() - cpu0;
  if (!pulled) return fail(pulled.status());
  figure("pull_events_per_s", pulled->pulled / pull_s, "events/s", "fresh device: cases + platform numbers");
  figure("pull_cpu_us_per_event", pull_cpu * 1e6 / pulled->pulled, "us", "CPU, all threads, both ends");
  figure("pull_bytes_per_event", static_cast<double>(pulled->bytes_received) / pulled->pulled, "bytes", "response bytes incl. headers");

  // Single-field changes: the window forwards 2,000 cases (one event each) up;
  // the back office approves 2,000 cases (one event each) down.
  int small = std::min(2000, events);
  CaseFilter all;
  all.limit = small;
  auto rows = repo.list(all);
  for (const auto& row : *rows) {
    schema::CaseEvent e;
    e.kind = schema::EventKind::Forwarded;
    e.clerk_id = "c001";
    auto r = repo.record(row.case_id, e);
    if (!r) return fail(r.status());
  }
  auto fwd = push.push();
  if (!fwd) return fail(fwd.status());
  figure("push_bytes_per_field_change", static_cast<double>(fwd->bytes_sent) / fwd->pushed, "bytes", "one 'forwarded' event per case");
  if (auto caught_up = pull.pull(); !caught_up) return fail(caught_up.status());  // past the forwards
  for (const auto& row : *rows) {
    schema::CaseEvent e;
    e.kind = schema::EventKind::Approved;
    e.clerk_id = "office";
    auto r = (*hub)->decide(row.case_id, e);
    if (!r) return fail(r.status());
  }
  auto dec = pull.pull();
  if (!dec) return fail(dec.status());
  figure("pull_bytes_per_field_change", static_cast<double>(dec->bytes_received) / dec->pulled, "bytes", "one 'approved' decision per case");
  std::filesystem::remove_all(root);
  return 0;
}
