// netemu: the packet-level mountain-link emulator as a tool. Creates network
// namespaces NAME-a (10.77.0.1) and NAME-b (10.77.0.2) joined through TUN
// devices, forwards IP packets between them with delay, jitter, loss, a rate
// limit and a queue limit each way, and removes both namespaces when stopped
// (SIGINT, SIGTERM, SIGHUP, or its parent's death with --exit-with-parent).
//   netemu --publish 8470 &          # defaults: the mountain link, seed 1
//   ip netns exec hsemu-PID-0-b hallhub serve --data-dir hub --listen 127.0.0.1:8470
//   ip netns exec hsemu-PID-0-a hallctl sync --data-dir hall   # hub.conf: http://10.77.0.2:8470
#include <sys/prctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstring>
#include <cstdio>
#include <iostream>
#include <vector>

#include "tools/linkemu/link_emulator.h"
#include "tools/netemu/netns_pair.h"
#include "tools/netemu/tun_forwarder.h"

using namespace hallsync;
using namespace hallsync::netemu;

namespace {

void print_direction(const char* name, const DirectionCounters& c) {
  std::printf("netemu: %s: %llu packets (%llu bytes) offered, %llu delivered (%llu bytes), %llu lost, %llu dropped at a "
              "full queue\n",
              name, static_cast<unsigned long long>(c.offered), static_cast<unsigned long long>(c.offered_bytes),
              static_cast<unsigned long long>(c.delivered), static_cast<unsigned long long>(c.delivered_bytes),
              static_cast<unsigned long long>(c.lost), static_cast<unsigned long long>(c.queue_full));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"netemu — packet-level mountain-link emulator: two network namespaces joined through TUN devices"};
  DirectionParams link = mountain_link();
  double delay_ms = static_cast<double>(link.delay_us) / 1000, jitter_ms = static_cast<double>(link.jitter_us) / 1000;
  double loss_percent = link.loss * 100, rate_kbit = static_cast<double>(link.rate_bytes_per_s) * 8 / 1000;
  std::uint64_t seed = 1;
  std::string name;
  std::vector<std::uint16_t> publish;
  bool exit_with_parent = false;
  app.add_option("--name", name, "namespaces are NAME-a and NAME-b (default hsemu-PID-0)");
  app.add_option("--delay-ms", delay_ms, "one-way delay, each direction")->check(CLI::NonNegativeNumber);
  app.add_option("--jitter-ms", jitter_ms, "extra delay, uniform 0..N, each direction (order is kept)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--loss-percent", loss_percent, "chance each packet is lost, each direction")->check(CLI::Range(0.0, 100.0));
  app.add_option("--rate-kbit", rate_kbit, "link rate in kbit/s, each direction (0: unlimited)")->check(CLI::NonNegativeNumber);
  app.add_option("--queue-packets", link.queue_packets, "packets queued for the link before tail drop (0: unlimited)");
  app.add_option("--seed", seed, "seed of the loss and jitter draws (replays a run's decisions)");
  app.add_option("--publish", publish,
                 "PORT: relay 10.77.0.2:PORT to 127.0.0.1:PORT inside NAME-b (a hub that serves on loopback only)");
  app.add_flag("--exit-with-parent", exit_with_parent, "stop (and clean up) when the parent process dies");
  CLI11_PARSE(app, argc, argv);
  link.delay_us = static_cast<std::int64_t>(delay_ms * 1000);
  link.jitter_us = static_cast<std::int64_t>(jitter_ms * 1000);
  link.loss = loss_percent / 100;
  link.rate_bytes_per_s = static_cast<std::uint64_t>(rate_kbit * 1000 / 8);
  if (name.empty()) name = unique_pair_name();

  // Blocked before any thread starts, so only sigwait below sees them and
  // the cleanup always runs on this thread.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  if (exit_with_parent) {
    pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) return 0;  // the parent died before the line above
  }

  if (Status s = check_available(); !s.is_ok()) {
    std::cerr << s.message() << "\n";
    return 2;
  }
  reap_stale_namespaces();
  auto pair = NetnsPair::create(name);
  if (!pair) {
    std::cerr << pair.status().message() << "\n";
    return 2;
  }
  auto forwarder = TunForwarder::start((*pair)->tun_a(), (*pair)->tun_b(), link, link, seed);
  if (!forwarder) {
    std::cerr << forwarder.status().message() << "\n";
    return 2;
  }
  std::vector<std::unique_ptr<linkemu::LinkEmulator>> relays;
  for (std::uint16_t port : publish) {
    Status s = run_in_namespace((*pair)->ns_b(), [&]() -> Status {
      linkemu::EmulatorOptions relay;  // profile "clean": a plain relay
      relay.listen_host = kAddressB;
      relay.listen_port = port;
      relay.target_port = port;
      HALLSYNC_ASSIGN_OR_RETURN(auto started, linkemu::LinkEmulator::start(relay));
      relays.push_back(std::move(started));
      return Status::ok();
    });
    if (!s.is_ok()) {
      std::cerr << s.message() << "\n";
      return 2;
    }
  }
  std::printf("netemu ready: %s (%s) <-> %s (%s); each way %.0f ms + jitter <= %.0f ms, %.1f%% loss, %.0f kbit/s, queue %zu "
              "packets; seed %llu\n",
              (*pair)->ns_a().c_str(), kAddressA, (*pair)->ns_b().c_str(), kAddressB, delay_ms, jitter_ms, loss_percent,
              rate_kbit, link.queue_packets, static_cast<unsigned long long>(seed));
  for (std::uint16_t port : publish)
    std::printf("netemu: published %s:%u -> 127.0.0.1:%u in %s\n", kAddressB, port, port, (*pair)->ns_b().c_str());
  std::fflush(stdout);

  int received = 0;
  sigwait(&signals, &received);
  relays.clear();
  ForwarderCounters c = (*forwarder)->counters();
  forwarder->reset();
  print_direction("up (a -> b)", c.up);
  print_direction("down (b -> a)", c.down);
  if (c.write_errors) std::printf("netemu: %llu packets not written: %s\n", static_cast<unsigned long long>(c.write_errors),
                                  std::strerror(c.last_write_error));
  if (c.poll_error) std::printf("netemu: the forwarding loop stopped early: %s\n", std::strerror(c.poll_error));
  pair->reset();
  bool left = namespace_exists(name + "-a") || namespace_exists(name + "-b");
  if (!left) std::printf("netemu: namespaces %s-a and %s-b removed\n", name.c_str(), name.c_str());
  return c.poll_error || left ? 1 : 0;
}
