// What the seeded random-kill tests (#6) share: their settings from the
// environment, the named crash points grouped by the process that passes
// them, a random "NAME:N" to arm, a command run under a kill, and the last
// rounds' journal a failure shows.
#pragma once

#include <cstdlib>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "sync/api/crash_point.h"
#include "tests/support/process.h"

namespace hallsync::test {

inline long env_number(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atol(v) : fallback;
}

// The crash points by who passes them: a clerk's write (hall, halld), a
// device's sync session (hallctl sync, halld), the hub.
struct CrashPointGroups {
  std::vector<std::string> local, sync, hub;
  CrashPointGroups() {
    for (auto name : crash_point_names()) {
      std::string n(name);
      (n.rfind("local.", 0) == 0 ? local : n.rfind("hub.", 0) == 0 ? hub : sync).push_back(n);
    }
  }
  // A random point of `from` at its 1st, 2nd or 3rd pass, as HALLSYNC_CRASH_AT takes it.
  static std::string pick(std::mt19937& rng, const std::vector<std::string>& from) {
    return from[rng() % from.size()] + ":" + std::to_string(1 + rng() % 3);
  }
};

// Runs `argv` killed either at a crash point (`crash_at` non-empty) or after
// `kill_after_ms` (0 = never, under coreutils' timeout), with more
// "NAME=value" settings in `env` (e.g. a shifted test clock).
inline Run run_maybe_killed(std::vector<std::string> argv, const std::string& crash_at, int kill_after_ms,
                            const std::vector<std::string>& env = {}) {
  if (kill_after_ms > 0)
    argv.insert(argv.begin(), {"timeout", "-s", "KILL", std::to_string(kill_after_ms / 1000.0)});
  argv.insert(argv.begin(), env.begin(), env.end());
  argv.insert(argv.begin(), {"env", "HALLSYNC_CRASH_AT=" + crash_at});
  return run_command(argv);
}

// The last rounds, one line each, printed with any failure: timed kills make a
// schedule not exactly reproducible, so the failing run must say what it did.
class RecentRounds {
 public:
  void add(std::string line) {
    lines_.push_back(std::move(line));
    if (lines_.size() > 20) lines_.pop_front();
  }
  std::string text() const {
    std::string out;
    for (const auto& l : lines_) out += l + "\n";
    return out;
  }

 private:
  std::deque<std::string> lines_;
};

}  // namespace hallsync::test
