// Seeded random kills (#6): clerks register cases and syncs run while `hall`,
// `hallctl sync` and `hallhub` are killed with SIGKILL at random moments
// (a random delay) or at a random pass of a random named crash point. After
// every round the survivors carry on; at the end the hall syncs to
// quiescence and every case a clerk was told about must exist once on both
// sides, digests equal, outbox empty.
//
//   HALLSYNC_KILL_SEED (default 1)      the schedule; a failure prints it
//   HALLSYNC_KILL_ROUNDS (default 300)  the long mode: e.g. 20000
#include <catch2/catch.hpp>

#include <sstream>
#include <random>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/e2e_binaries.h"
#include "tests/support/kill_schedule.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/whole_after_kills.h"

using namespace hallsync::test;
using nlohmann::json;

TEST_CASE("Random kills of hall, hallctl sync and hallhub lose and duplicate nothing", "[e2e][kills]") {
  const long seed = env_number("HALLSYNC_KILL_SEED", 1);
  const long rounds = env_number("HALLSYNC_KILL_ROUNDS", 300);
  INFO("replay: HALLSYNC_KILL_SEED=" << seed << " HALLSYNC_KILL_ROUNDS=" << rounds << " build/tests/e2e_tests '[kills]'");
  std::mt19937 rng(static_cast<unsigned>(seed));
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };

  const CrashPointGroups points;
  auto pick = [&](const std::vector<std::string>& from) { return CrashPointGroups::pick(rng, from); };

  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  hub.start();
  const std::string listen = "127.0.0.1:" + hub.port;
  REQUIRE(hallctl(dir, {"configure", "--hub", "http://" + listen, "--token", token}).status == 0);
  const std::vector<std::string> sync_cmd = {HALLCTL_BINARY, "sync", "--data-dir", dir.file("hall")};

  std::set<std::string> told;  // acceptance numbers a clerk saw
  long kills = 0;
  RecentRounds recent;
  auto journal = [&](long round, const char* what, const std::string& crash_at, int kill_after_ms, int status) {
    std::ostringstream line;
    line << "round " << round << ": " << what << " crash_at=" << (crash_at.empty() ? "-" : crash_at)
         << " kill_after_ms=" << kill_after_ms << " -> status " << status;
    recent.add(line.str());
  };
  auto recent_text = [&] { return recent.text(); };
  for (long round = 0; round < rounds; ++round) {
    int what = static_cast<int>(rng() % 10);
    std::string crash_at;
    int kill_after_ms = 0;
    if (what < 5) {  // intake
      if (chance(30)) crash_at = pick(points.local);
      else if (chance(20)) kill_after_ms = 1 + static_cast<int>(rng() % 40);
      std::vector<std::string> argv = {HALL_BINARY, "case", "new", "--matter", "GX-009", "--name", "刘桂英",
                                       "--id-number", "360704198503120023", "--phone", "13907971234",
                                       "--all-materials", "--json", "--data-dir", dir.file("hall"), "--clerk", "c001"};
      Run r = run_maybe_killed(argv, crash_at, kill_after_ms);
      journal(round, "intake", crash_at, kill_after_ms, r.status);
      if (r.status == 0) {
        told.insert(json::parse(r.out)["acceptance_no"].get<std::string>());
      } else {
        // Only a kill may stop a registration here; anything else is a failure to see.
        INFO(r.out << "\nlast rounds:\n" << recent_text());
        REQUIRE((crash_at.size() > 0 || kill_after_ms > 0));
        ++kills;
      }
    } else if (what < 9) {  // a sync session
      if (chance(40)) crash_at = pick(points.sync);
      else if (chance(40)) kill_after_ms = 1 + static_cast<int>(rng() % 80);
      int status = run_maybe_killed(sync_cmd, crash_at, kill_after_ms).status;
      journal(round, "sync", crash_at, kill_after_ms, status);
      if (status != 0) ++kills;
    } else {  // the hub dies during a session and comes back
      hub.stop();
      crash_at = pick(points.hub);
      hub.start(listen, {"HALLSYNC_CRASH_AT=" + crash_at});
      int status = run_command(sync_cmd).status;
      bool hub_killed = hub.server->stop() == -SIGKILL;
      journal(round, hub_killed ? "hub killed during sync" : "hub survived sync", crash_at, 0, status);
      if (hub_killed) ++kills;
      hub.server.reset();
      hub.start(listen);
    }
  }

  INFO("last rounds:\n" << recent_text());
  require_told_cases_once(dir, hub, told);
  std::size_t held = json_in(hall(dir, {"case", "list", "--limit", "100000", "--json"}).out)["cases"].size();
  WARN("rounds " << rounds << ", processes killed " << kills << ", cases told " << told.size() << ", held "
                 << held);
  hub.stop();
}
