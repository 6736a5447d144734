// linkemu: the mountain-link emulator as a tool. Listens on 127.0.0.1 and
// forwards to --target, shaping each connection (see link_shape.h).
//   linkemu --target 127.0.0.1:8443 --listen 9443 --profile 2g --seed 7
// Runs until SIGINT/SIGTERM, then prints what it did.
#include <CLI/CLI.hpp>

#include <csignal>
#include <fstream>
#include <sstream>
#include <iostream>

#include "tools/linkemu/link_emulator.h"

using namespace hallsync::linkemu;

int main(int argc, char** argv) {
  CLI::App app{"linkemu — user-space mountain-link emulator (TCP proxy on 127.0.0.1)"};
  EmulatorOptions options;
  std::string target, profile = "clean";
  int latency = -1, jitter = -1;
  long long rate_kbit = -1;
  double cut_chance = -1, stall_chance = -1, refuse_chance = -1;
  DirectionShape fixed;
  std::string direction = "both";
  app.add_option("--target", target, "HOST:PORT to forward to")->required();
  app.add_option("--listen", options.listen_port, "port on 127.0.0.1 (0: any free port, printed)");
  app.add_option("--profile", profile, "clean | 2g | 3g | lossy");
  app.add_option("--seed", options.seed, "seed of the per-connection schedule (replays a run)");
  app.add_option("--latency-ms", latency, "one-way delay, each direction");
  app.add_option("--jitter-ms", jitter, "extra delay, uniform 0..N, each direction");
  app.add_option("--rate-kbit", rate_kbit, "bandwidth cap in kbit/s, each direction (0: none)");
  app.add_option("--cut-after", fixed.cut_after_bytes, "cut every connection after N bytes (see --direction)");
  app.add_option("--stall-after", fixed.stall_after_bytes, "go silent after N bytes (see --direction)");
  app.add_flag("--reset", fixed.reset, "cuts send RST instead of FIN");
  app.add_option("--direction", direction, "where --cut-after/--stall-after apply: up | down | both")
      ->check(CLI::IsMember({"up", "down", "both"}));
  app.add_option("--cut-chance", cut_chance, "per-connection chance of a random cut");
  app.add_option("--stall-chance", stall_chance, "per-connection chance of a random stall");
  app.add_option("--refuse-chance", refuse_chance, "per-connection chance of an immediate reset");
  std::uint64_t cut_window = 0;
  app.add_option("--cut-window", cut_window, "random cuts and stalls fall below this many bytes (default 16384)");
  std::string rules_file;
  app.add_option("--rules", rules_file, "per-connection rule file (see link_shape.h), e.g. '0 down cut=900 reset'");
  CLI11_PARSE(app, argc, argv);

  auto named = named_profile(profile);
  if (!named) {
    std::cerr << "linkemu: " << named.status().message() << "\n";
    return 64;
  }
  options.profile = *named;
  auto colon = target.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "linkemu: --target is HOST:PORT\n";
    return 64;
  }
  options.target_host = target.substr(0, colon);
  options.target_port = static_cast<std::uint16_t>(std::stoi(target.substr(colon + 1)));
  for (DirectionShape* d : {&options.profile.up, &options.profile.down}) {
    if (latency >= 0) d->latency_ms = latency;
    if (jitter >= 0) d->jitter_ms = jitter;
    if (rate_kbit >= 0) d->rate_bytes_per_s = static_cast<std::uint64_t>(rate_kbit) * 1000 / 8;
    d->reset = fixed.reset;
  }
  if (direction != "down") {
    options.profile.up.cut_after_bytes = fixed.cut_after_bytes;
    options.profile.up.stall_after_bytes = fixed.stall_after_bytes;
  }
  if (direction != "up") {
    options.profile.down.cut_after_bytes = fixed.cut_after_bytes;
    options.profile.down.stall_after_bytes = fixed.stall_after_bytes;
  }
  if (cut_chance >= 0) options.profile.cut_chance = cut_chance;
  if (stall_chance >= 0) options.profile.stall_chance = stall_chance;
  if (refuse_chance >= 0) options.profile.refuse_chance = refuse_chance;
  if (cut_window > 0) options.profile.random_cut_window = cut_window;
  if (!rules_file.empty()) {
    std::ifstream in(rules_file);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      std::cerr << "linkemu: cannot read " << rules_file << "\n";
      return 64;
    }
    auto rules = parse_rules(text.str());
    if (!rules) {
      std::cerr << "linkemu: " << rules.status().message() << "\n";
      return 64;
    }
    options.profile.rules = *rules;
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts: only sigwait sees them
  auto emulator = LinkEmulator::start(options);
  if (!emulator) {
    std::cerr << emulator.status().to_string() << "\n";
    return 2;
  }
  std::cout << "linkemu: listening on " << (*emulator)->address() << " → " << target << ", profile " << profile
            << ", seed " << options.seed << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  LinkCounters c = (*emulator)->counters();
  emulator->reset();
  std::cout << "linkemu: " << c.connections << " connections (" << c.refused << " refused, " << c.cuts << " cut, "
            << c.stalls << " stalled), " << c.bytes_up << " bytes up, " << c.bytes_down << " bytes down, "
            << c.rate_waits << " bandwidth waits\n";
  return 0;
}
