// packet_link_bench: a hall's day of work over a 2G link with 5% packet loss,
// at the packet level. One device registers N generated cases, pushes them to
// a hub and pulls their platform numbers back, from network namespace a; the
// hub serves in namespace b; between them only the netemu tool's TUN link
// (tools/netemu: 150 ms each way, jitter ≤ 20 ms, 5% loss each way, 64 kbit/s,
// 20-packet queue), so TCP itself loses packets and retransmits. A failed
// session is retried at once, as `hallctl sync --retries` would. Reports wall
// time, IP bytes on the link (headers and retransmissions included) against
// the link's own limit (bytes ÷ rate), packets lost and TCP retransmissions.
// A benchmark, never a test. Needs root, /dev/net/tun and network namespaces:
// without them it says why and exits 77 (skipped).
// netemu runs as a child (--exit-with-parent), so however this process ends
// the namespaces are removed.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "client/domain/case_policy.h"
#include "client/store/case_change_sink.h"
#include "client/store/case_repository.h"
#include "client/testdata/case_generator.h"
#include "sync/api/replicator.h"
#include "sync/hub/hub_service.h"
#include "sync/net/http_server.h"
#include "tools/bench/bench_report.h"
#include "tools/bench/sync_until_done.h"
#include "tools/netemu/netns_pair.h"

extern char** environ;

using namespace hallsync;
using namespace hallsync::client;
namespace fs = std::filesystem;

namespace {

struct LinkArgs {
  std::string one_way_ms = "150", loss_percent = "5", rate_kbit = "64";
};

struct RunFigures {
  double push_s = 0, pull_s = 0, limit_s = 0, link_bytes = 0, lost = 0, retransmits = 0, retries = 0;
};

int fail(const Status& s) {
  std::fprintf(stderr, "packet_link_bench: %s\n", s.to_string().c_str());
  return 2;
}

// The netemu tool as a child process; stopped (SIGTERM: it removes its
// namespaces and prints its counters) when this goes.
class Emulator {
 public:
  static Result<std::unique_ptr<Emulator>> start(const fs::path& log, const LinkArgs& link, std::uint64_t seed) {
    std::unique_ptr<Emulator> e(new Emulator(log, netemu::unique_pair_name()));
    std::string binary = (fs::read_symlink("/proc/self/exe").parent_path() / "netemu").string();
    std::vector<std::string> args{binary, "--name", e->name_, "--exit-with-parent", "--delay-ms", link.one_way_ms,
                                  "--loss-percent", link.loss_percent, "--rate-kbit", link.rate_kbit,
                                  "--seed", std::to_string(seed)};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    int spawned = posix_spawn(&e->pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) return Status::internal("cannot start " + binary + ": " + std::strerror(spawned));
    for (int i = 0; i < 500 && e->log().find("netemu ready") == std::string::npos; ++i) {
      if (waitpid(e->pid_, nullptr, WNOHANG) == e->pid_) {
        e->pid_ = -1;
        return Status::internal("netemu stopped before it was ready: " + e->log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (e->log().find("netemu ready") == std::string::npos) return Status::internal("netemu not ready after 5 s: " + e->log());
    return e;
  }
  ~Emulator() {
    if (Status s = stop(); !s.is_ok()) std::fprintf(stderr, "packet_link_bench: %s\n", s.to_string().c_str());
  }
  std::string ns_a() const { return name_ + "-a"; }
  std::string ns_b() const { return name_ + "-b"; }
  // Stops netemu; its closing lines are in log().
  Status stop() {
    if (pid_ <= 0) return Status::ok();
    kill(pid_, SIGTERM);
    int st = 0;
    waitpid(pid_, &st, 0);
    pid_ = -1;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return Status::internal("netemu did not stop cleanly: " + log());
    return Status::ok();
  }
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  Emulator(fs::path log, std::string name) : log_(std::move(log)), name_(std::move(name)) {}
  fs::path log_;
  std::string name_;
  pid_t pid_ = -1;
};

// IP bytes offered to one direction of the link, and packets lost, from
// netemu's closing line for it.
bool direction_counts(const std::string& log, const std::string& direction, double& bytes, double& lost) {
  auto at = log.find("netemu: " + direction + ": ");
  if (at == std::string::npos) return false;
  unsigned long long offered = 0, offered_bytes = 0, delivered = 0, delivered_bytes = 0, lost_packets = 0;
  std::string line = log.substr(at + 10 + direction.size());
  if (std::sscanf(line.c_str(), "%llu packets (%llu bytes) offered, %llu delivered (%llu bytes), %llu lost", &offered,
                  &offered_bytes, &delivered, &delivered_bytes, &lost_packets) != 5)
    return false;
  bytes += static_cast<double>(offered_bytes);
  lost += static_cast<double>(lost_packets);
  return true;
}

Status run_once(int cases, const LinkArgs& link, std::uint64_t seed, const fs::path& root, RunFigures& out) {
  fs::remove_all(root);
  fs::create_directories(root);
  const SystemClock& clock = SystemClock::instance();
  HallCasePolicy policy;
  HALLSYNC_ASSIGN_OR_RETURN(auto hub, hub::HubService::open((root / "hub").string(), clock, policy));
  HALLSYNC_RETURN_IF_ERROR(hub->add_hall("360704100", "梅林镇"));
  HALLSYNC_ASSIGN_OR_RETURN(std::string token, hub->add_device("360704100", "W01"));
  HALLSYNC_ASSIGN_OR_RETURN(auto window, HallStore::init((root / "w01").string(), {"360704100", "W01"}, clock));
  CaseRepository repo(*window);
  testdata::CaseGenerator generator(window->catalog(), {.seed = seed});
  std::vector<IntakeForm> forms;
  for (int i = 0; i < cases; ++i) forms.push_back(generator.next_intake());
  HALLSYNC_RETURN_IF_ERROR(repo.register_batch(forms).status());

  HALLSYNC_ASSIGN_OR_RETURN(auto emulator, Emulator::start(root / "netemu.log", link, seed));
  // The hub's listener is opened inside namespace b, on b's link address
  // (which exists nowhere else), and keeps serving there.
  std::unique_ptr<net::HttpServer> server;
  HALLSYNC_RETURN_IF_ERROR(netemu::run_in_namespace(emulator->ns_b(), [&]() -> Status {
    net::HttpServerOptions options;
    options.listen = std::string(netemu::kAddressB) + ":0";
    HALLSYNC_ASSIGN_OR_RETURN(server, net::HttpServer::start(options, [&hub](const HttpRequest& r, const std::string& peer) {
                                return hub->handle(r, peer);
                              }));
    return Status::ok();
  }));
  CurlTransportOptions curl;
  curl.base_url = "http://" + server->address();
  auto transport = make_curl_transport(curl);
  CaseChangeSink sink(*window);
  Replicator device(window->db(), *transport, sink, clock, {"360704100-W01", token});
  int retries = 0;
  // The device's connections are made from inside namespace a.
  HALLSYNC_RETURN_IF_ERROR(netemu::run_in_namespace(emulator->ns_a(), [&]() -> Status {
    HALLSYNC_ASSIGN_OR_RETURN(out.push_s, bench::timed_until_done(device, true, retries));
    HALLSYNC_ASSIGN_OR_RETURN(out.pull_s, bench::timed_until_done(device, false, retries));
    return Status::ok();
  }));
  HALLSYNC_ASSIGN_OR_RETURN(long retransmits_a, netemu::tcp_retransmits(emulator->ns_a()));
  HALLSYNC_ASSIGN_OR_RETURN(long retransmits_b, netemu::tcp_retransmits(emulator->ns_b()));
  out.retransmits = static_cast<double>(retransmits_a + retransmits_b);
  server->stop();
  HALLSYNC_RETURN_IF_ERROR(emulator->stop());
  std::string log = emulator->log();
  double up_bytes = 0, down_bytes = 0;
  if (!direction_counts(log, "up (a -> b)", up_bytes, out.lost) ||
      !direction_counts(log, "down (b -> a)", down_bytes, out.lost))
    return Status::internal("netemu's counters are missing from its log: " + log);
  double rate = std::stod(link.rate_kbit) * 1000 / 8;
  out.link_bytes = up_bytes + down_bytes;
  out.limit_s = rate > 0 ? out.link_bytes / rate : 0;  // as link_bench: bytes both ways ÷ rate
  out.retries = retries;
  fs::remove_all(root);
  return Status::ok();
}

}  // namespace

// Usage: packet_link_bench [CASES=200] [RUNS=3] [ONE_WAY_MS=150] [LOSS_PERCENT=5] [RATE_KBIT=64]
int main(int argc, char** argv) {
  int cases = argc > 1 ? std::atoi(argv[1]) : 200;
  int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  LinkArgs link;
  if (argc > 3) link.one_way_ms = argv[3];
  if (argc > 4) link.loss_percent = argv[4];
  if (argc > 5) link.rate_kbit = argv[5];
  if (Status s = netemu::check_available(); !s.is_ok()) {
    std::printf("packet_link_bench: skipped: %s\n", s.message().c_str());
    return 77;
  }
  auto root = fs::temp_directory_path() / ("hallsync-packet-link-bench-" + std::to_string(getpid()));
  std::vector<double> push_s, pull_s, total_s, ratio, bytes_per_case, lost, retransmits, retries;
  for (int r = 0; r < runs; ++r) {
    RunFigures f;
    if (Status s = run_once(cases, link, static_cast<std::uint64_t>(r + 1), root, f); !s.is_ok()) {
      fs::remove_all(root);
      return fail(s);
    }
    push_s.push_back(f.push_s);
    pull_s.push_back(f.pull_s);
    total_s.push_back(f.push_s + f.pull_s);
    ratio.push_back(f.limit_s > 0 ? (f.push_s + f.pull_s) / f.limit_s : 0);
    bytes_per_case.push_back(f.link_bytes / cases);
    lost.push_back(f.lost);
    retransmits.push_back(f.retransmits);
    retries.push_back(f.retries);
  }
  std::printf("packet link: %d generated cases pushed, their platform numbers pulled back, through netemu (%s ms one way, "
              "jitter <= 20 ms, %s%% loss each way, %s kbit/s, queue 20 packets); seeds 1..%d\n",
              cases, link.one_way_ms.c_str(), link.loss_percent.c_str(), link.rate_kbit.c_str(), runs);
  std::string data = std::to_string(cases) + " new cases over netemu (" + link.one_way_ms + " ms one way, " +
                     link.loss_percent + "% loss, " + link.rate_kbit + " kbit/s)";
  bench::report_figure("packet_link", "push_wall_s", "s", data, push_s);
  bench::report_figure("packet_link", "pull_numbers_wall_s", "s", data + "; the platform numbers back", pull_s);
  bench::report_figure("packet_link", "day_wall_s", "s", data + "; push + pull", total_s);
  bench::report_figure("packet_link", "day_wall_over_link_limit", "ratio",
                       data + "; limit = IP bytes both ways (retransmissions included) / rate", ratio);
  bench::report_figure("packet_link", "ip_bytes_per_case", "bytes", data + "; both ways, IP and TCP headers included",
                       bytes_per_case);
  bench::report_figure("packet_link", "packets_lost", "packets", data, lost);
  bench::report_figure("packet_link", "tcp_retransmissions", "segments", data + "; both namespaces", retransmits);
  bench::report_figure("packet_link", "failed_sessions_retried", "sessions", data, retries);
  return 0;
}
