// Kills, network faults and wrong clocks in one seeded run (#6). Every sync
// crosses the mountain-link proxy (tools/linkemu: latency, jitter, cuts by FIN
// or RST, stalls, refused connections, drawn from the seed); the hub runs on a
// clock a little off and gets a new one at each restart; each hall process
// runs on its own wrong clock (±minutes, ±1 day, ±10 years), which jumps,
// backwards too, between runs. Meanwhile clerks register cases, the back
// office decides, and `hall`, `hallctl sync` and `hallhub` are killed at
// random moments and named crash points. A sync stuck on a stalled link is
// killed as a technician would. At the end the hall syncs to quiescence over
// the same faulty link and:
//   - every case a clerk was told about is held once at the hall and the hub,
//     digests equal, the outbox empty;
//   - the device's own events keep their local order (HLC rises with the
//     device's sequence) whatever its clock did;
//   - every successful sync learned the clock offset it really had and warned
//     exactly when it was over the limit.
//
//   HALLSYNC_CHAOS_SEED (default 1)      the schedule; a failure prints it
//   HALLSYNC_CHAOS_ROUNDS (default 300)  the long mode: e.g. 5000
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/e2e_binaries.h"
#include "tests/support/kill_schedule.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/whole_after_kills.h"

using namespace hallsync::test;
using nlohmann::json;

namespace {

constexpr std::int64_t kMinute = 60'000, kDay = 24 * 60 * kMinute, kTenYears = 3652 * kDay;
// Wrong clocks of hall PCs: a few minutes, a day, a dead CMOS battery.
constexpr std::int64_t kDeviceClocks[] = {0, 3 * kMinute, -7 * kMinute, kDay, -kDay, kTenYears, -kTenYears};
// The sync warns about the clock beyond five minutes (sync/PROTOCOL.md).
constexpr std::int64_t kWarnBeyondMs = 5 * kMinute;
// A sync on a stalled link would wait for its low-speed timeout (30 s): a
// technician's patience is shorter.
constexpr int kHungSyncKillMs = 5000;

std::string clock_env(std::int64_t offset_ms) { return "HALLSYNC_TEST_CLOCK_OFFSET_MS=" + std::to_string(offset_ms); }

// The mountain link for this seed, as linkemu flags.
std::vector<std::string> link_flags(std::mt19937& rng, long seed) {
  auto fraction = [&](double max) { return std::to_string(max * static_cast<double>(rng() % 1001) / 1000.0); };
  std::vector<std::string> flags = {"--seed", std::to_string(seed), "--latency-ms", std::to_string(rng() % 15),
                                    "--jitter-ms", std::to_string(rng() % 10), "--cut-chance", fraction(0.4),
                                    "--refuse-chance", fraction(0.15), "--stall-chance", fraction(0.03),
                                    // Requests and replies are a few hundred bytes: cut inside them.
                                    "--cut-window", std::to_string(100 + rng() % 3000)};
  if (rng() % 3 == 0) flags.insert(flags.end(), {"--rate-kbit", std::to_string(128 + rng() % 2048)});
  if (rng() % 2 == 0) flags.push_back("--reset");
  return flags;
}

constexpr const char* kDevice = "360704100-W01";

// One number from a store, read with the sqlite3 shell beside the running processes.
long query_number(const std::string& db_file, const std::string& sql) {
  Run r = run_command({"sqlite3", "-readonly", db_file, sql});
  INFO(db_file << ": " << sql << "\n" << r.out);
  REQUIRE(r.status == 0);
  return std::stol(r.out);
}

// Events of the device at the hall whose HLC does not rise with its sequence.
long out_of_order_events(TempDir& dir) {
  return query_number(dir.file("hall") + "/hall.db",
                      "SELECT count(*) FROM (SELECT hlc, lag(hlc) OVER (ORDER BY origin_seq) AS before"
                      " FROM case_events WHERE device_id = '" + std::string(kDevice) + "') WHERE before >= hlc");
}

// Change-log entries the device has written, and those it holds as acknowledged.
long written(TempDir& dir) {
  return query_number(dir.file("hall") + "/hall.db", "SELECT coalesce(max(seq), 0) FROM change_log");
}
long acknowledged(TempDir& dir) {
  return query_number(dir.file("hall") + "/hall.db",
                      "SELECT coalesce((SELECT value FROM sync_state WHERE name = 'outbox.acknowledged_through'), 0)");
}
// The device's entries the hub holds, applied or recorded as rejected.
long at_hub(Hub& hub) {
  const std::string device(kDevice);
  return query_number(hub.data() + "/hub.db", "SELECT (SELECT count(*) FROM events WHERE origin_device = '" + device +
                                                  "') + (SELECT count(*) FROM rejected WHERE device_id = '" + device + "')");
}

}  // namespace

TEST_CASE("Kills, network faults and wrong clocks together lose, duplicate and reorder nothing", "[e2e][chaos]") {
  const long seed = env_number("HALLSYNC_CHAOS_SEED", 1);
  const long rounds = env_number("HALLSYNC_CHAOS_ROUNDS", 300);
  INFO("replay: HALLSYNC_CHAOS_SEED=" << seed << " HALLSYNC_CHAOS_ROUNDS=" << rounds
                                      << " build/tests/e2e_tests '[chaos]'");
  std::mt19937 rng(static_cast<unsigned>(seed));
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  const CrashPointGroups points;
  auto pick = [&](const std::vector<std::string>& from) { return CrashPointGroups::pick(rng, from); };
  // The platform's clock is only a little off, and differently at each restart.
  auto hub_clock = [&] { return static_cast<std::int64_t>(rng() % 180'000) - 90'000; };

  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  std::int64_t hub_offset = hub_clock();
  hub.start("127.0.0.1:0", {"HALLHUB_TEST_CLOCK_OFFSET_MS=" + std::to_string(hub_offset)});
  const std::string listen = "127.0.0.1:" + hub.port;
  std::vector<std::string> link_argv = {LINKEMU_BINARY, "--target", listen, "--listen", "0"};
  for (auto& f : link_flags(rng, seed)) link_argv.push_back(f);
  Background link(link_argv, dir.file("linkemu.log"));
  std::string link_port = port_in(link.wait_for("listening on"), "listening on");
  INFO(link.log());
  REQUIRE_FALSE(link_port.empty());
  REQUIRE(hallctl(dir, {"configure", "--hub", "http://127.0.0.1:" + link_port, "--token", token}).status == 0);
  const std::vector<std::string> sync_cmd = {HALLCTL_BINARY, "sync", "--json", "--data-dir", dir.file("hall")};

  std::set<std::string> told;
  std::vector<std::string> told_order;
  std::int64_t device_offset = 0;
  long kills = 0, failed_syncs = 0, good_syncs = 0, warned = 0, decided = 0, clock_jumps = 0, backward_jumps = 0;
  RecentRounds recent;
  for (long round = 0; round < rounds; ++round) {
    if (chance(35)) {  // the PC's clock is set wrong, or its battery dies
      std::int64_t next = kDeviceClocks[rng() % std::size(kDeviceClocks)];
      clock_jumps += next != device_offset;
      backward_jumps += next < device_offset;
      device_offset = next;
    }
    const std::vector<std::string> env = {clock_env(device_offset)};
    int what = static_cast<int>(rng() % 20);
    std::string crash_at;
    int kill_after_ms = 0;
    std::ostringstream line;
    line << "round " << round << ": device clock " << device_offset << " ms, hub clock " << hub_offset << " ms, ";
    if (what < 9) {  // a clerk registers a case
      if (chance(25)) crash_at = pick(points.local);
      else if (chance(15)) kill_after_ms = 1 + static_cast<int>(rng() % 40);
      Run r = run_maybe_killed({HALL_BINARY, "case", "new", "--matter", rng() % 2 ? "GX-009" : "GX-072", "--name",
                                "刘桂英", "--id-number", "360704198503120023", "--phone", "13907971234",
                                "--all-materials", "--json", "--data-dir", dir.file("hall"), "--clerk", "c001"},
                               crash_at, kill_after_ms, env);
      line << "intake crash_at=" << crash_at << " kill_after_ms=" << kill_after_ms << " -> " << r.status;
      recent.add(line.str());
      if (r.status == 0) {
        std::string no = json_in(r.out)["acceptance_no"].get<std::string>();
        told.insert(no);
        told_order.push_back(no);
      } else {
        INFO(r.out << "\nlast rounds:\n" << recent.text());
        REQUIRE((crash_at.size() > 0 || kill_after_ms > 0));  // only a kill may stop a registration
        ++kills;
      }
    } else if (what < 11) {  // the back office approves a case it may have
      if (told_order.empty()) continue;
      const std::string& no = told_order[rng() % told_order.size()];
      int status = hub.admin({"decide", no, "--approve", "--officer", "mz-01"}).status;
      decided += status == 0;
      line << "decide " << no << " -> " << status;
      recent.add(line.str());
    } else if (what < 19) {  // a sync session over the faulty link
      if (chance(30)) crash_at = pick(points.sync);
      else if (chance(25)) kill_after_ms = 1 + static_cast<int>(rng() % 300);
      Run r = run_maybe_killed(sync_cmd, crash_at, kill_after_ms > 0 ? kill_after_ms : kHungSyncKillMs, env);
      line << "sync crash_at=" << crash_at << " kill_after_ms=" << kill_after_ms << " -> " << r.status;
      recent.add(line.str());
      if (r.status != 0) {
        ++failed_syncs;
        kills += r.status == -1 || r.status == 128 + SIGKILL;  // a crash point, or timeout's SIGKILL
        continue;
      }
      ++good_syncs;
      INFO(r.out << "\nlast rounds:\n" << recent.text());
      // A sync that reports success was acknowledged whole: the hub holds
      // everything the device had written, and the device knows it.
      long wrote = written(dir);
      CHECK(acknowledged(dir) == wrote);
      CHECK(at_hub(hub) == wrote);
      // And it learned the clock offset it really has.
      json s = json_in(r.out);
      std::int64_t learned = s["clock_offset_ms"].get<std::int64_t>(), truth = hub_offset - device_offset;
      CHECK(std::llabs(learned - truth) < 15'000);
      CHECK(s["clock_warning"].get<bool>() == (std::llabs(truth) > kWarnBeyondMs));
      warned += s["clock_warning"].get<bool>();
    } else {  // the hub dies during a session and comes back on another clock
      hub.stop();
      crash_at = pick(points.hub);
      hub.start(listen, {"HALLSYNC_CRASH_AT=" + crash_at, "HALLHUB_TEST_CLOCK_OFFSET_MS=" + std::to_string(hub_offset)});
      int status = run_maybe_killed(sync_cmd, "", kHungSyncKillMs, env).status;
      bool hub_killed = hub.server->stop() == -SIGKILL;
      kills += hub_killed;
      line << "hub crash_at=" << crash_at << (hub_killed ? " killed" : " survived") << ", sync -> " << status;
      recent.add(line.str());
      hub.server.reset();
      hub_offset = hub_clock();
      hub.start(listen, {"HALLHUB_TEST_CLOCK_OFFSET_MS=" + std::to_string(hub_offset)});
    }
  }

  INFO("last rounds:\n" << recent.text() << "\nlinkemu: " << link.log());
  // Quiescence over the same faulty link: failures are the link's, so retried.
  require_told_cases_once(dir, hub, told, {clock_env(device_offset)}, 100);
  CHECK(out_of_order_events(dir) == 0);
  // The run really hurt: kills, failed syncs, clock jumps both ways, warnings.
  if (rounds >= 100) {
    CHECK(kills > 0);
    CHECK(failed_syncs > 0);
    CHECK(backward_jumps > 0);
    CHECK(warned > 0);
    CHECK(decided > 0);
  }
  link.stop();
  std::string link_said = link.log();
  WARN("chaos run, seed " << seed << ": " << rounds << " rounds, " << kills << " processes killed, " << good_syncs
                          << " syncs through, " << failed_syncs << " failed or killed, " << clock_jumps
                          << " clock jumps (" << backward_jumps << " backwards), " << warned << " clock warnings, "
                          << decided << " decisions, " << told.size() << " cases told; "
                          << link_said.substr(link_said.rfind("linkemu:")));
  hub.stop();
}
