// Seeded random kills of halld (#6): each round starts the daemon on the same
// data dir (a killed one's single-instance lock must not refuse it), clerks
// register and forward cases through its local API while it syncs in the
// background (debounce 0, period 1 s), and it dies by SIGKILL at a random
// moment — sometimes earlier, at a random pass of a random named crash point
// of a clerk's write or of its sync session. The hub is killed too in some
// rounds (at a hub crash point or at the same random moment). A write counts
// as told to a clerk only when the API answered success. At the end a clean
// halld syncs to quiescence; every told case must be at the hall and at the
// hub exactly once, in the same state, with every told event once, digests
// equal and the outbox empty.
//
//   HALLSYNC_KILL_SEED (default 1)      the schedule; a failure prints it
//   HALLSYNC_KILL_ROUNDS (default 260)  the long mode: e.g. 3000
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "tests/support/halld_process.h"
#include "tests/support/kill_schedule.h"

using namespace hallsync::test;

namespace {

// Registrations and steps told to a clerk: acceptance number -> event ids.
using Told = std::map<std::string, std::set<std::string>>;

// The id of the newest event of `kind` in a case JSON from the API.
std::string newest_event(const json& shown, const std::string& kind) {
  std::string id;
  for (const auto& e : shown["events"])
    if (e["kind"] == kind) id = e["event_id"];
  return id;
}

// A thread joined however its scope ends (a failed REQUIRE throws).
struct Joined {
  std::thread thread;
  ~Joined() {
    if (thread.joinable()) thread.join();
  }
};

}  // namespace

TEST_CASE("Random kills of halld and hallhub during intake and background sync lose and duplicate nothing",
          "[e2e][halld_kills]") {
  const long seed = env_number("HALLSYNC_KILL_SEED", 1);
  // 260: with [kills], more than 300 processes really die per CI run (a round
  // whose process finishes before its kill moment kills nothing).
  const long rounds = env_number("HALLSYNC_KILL_ROUNDS", 260);
  INFO("replay: HALLSYNC_KILL_SEED=" << seed << " HALLSYNC_KILL_ROUNDS=" << rounds
                                     << " build/tests/e2e_tests '[halld_kills]'");
  std::mt19937 rng(static_cast<unsigned>(seed));
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  const CrashPointGroups points;

  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  hub.start();
  const std::string listen = "127.0.0.1:" + hub.port;
  link_hall(dir, hub.port, token);
  // Sessions at start, after every write and every second: halld is mid-sync at most kill points.
  write_file(dir.file("hall/halld.conf"), "# halld kill test\nsync_period_s = 1\ndebounce_s = 0\n");

  Halld halld{dir, nullptr, ""};
  Told told;
  std::vector<std::string> unforwarded;  // told cases no forward was tried on yet
  std::set<std::string> forwarded;        // forwards told to a clerk
  long crash_kills = 0, timed_kills = 0, hub_kills = 0;
  RecentRounds recent;

  for (long round = 0; round < rounds; ++round) {
    // This round's plan, all drawn before anything runs.
    std::string crash_at, hub_crash_at;
    if (chance(40)) crash_at = CrashPointGroups::pick(rng, chance(40) ? points.local : points.sync);
    // An armed point gets longer to be reached (a later pass, a session after the writes).
    const int kill_after_ms = 1 + static_cast<int>(rng() % (crash_at.empty() ? 300 : 1000));
    const int hub_plan = static_cast<int>(rng() % 100);  // < 15 hub crash point, < 25 killed with halld
    if (hub_plan < 15) hub_crash_at = CrashPointGroups::pick(rng, points.hub);
    const int actions = static_cast<int>(rng() % 6);
    std::ostringstream line;
    line << "round " << round << ": crash_at=" << (crash_at.empty() ? "-" : crash_at)
         << " kill_after_ms=" << kill_after_ms << " hub=" << (hub_crash_at.empty() ? "-" : hub_crash_at)
         << (hub_plan >= 15 && hub_plan < 25 ? " hub killed with halld" : "") << ":";

    if (!hub_crash_at.empty()) {
      hub.stop();
      hub.start(listen, {"HALLSYNC_CRASH_AT=" + hub_crash_at});
    }
    std::vector<std::string> env;
    if (!crash_at.empty()) env.push_back("HALLSYNC_CRASH_AT=" + crash_at);
    INFO("last rounds:\n" << recent.text() << line.str());
    if (halld.start({}, env)) {
      Api api = halld.api();
      Joined killer{std::thread([&] {
        std::this_thread::sleep_for(milliseconds(kill_after_ms));
        halld.process->kill_now();
        if (hub_plan >= 15 && hub_plan < 25) hub.server->kill_now();
      })};
      for (int a = 0; a < actions; ++a) {
        int what = static_cast<int>(rng() % 10);
        std::optional<Reply> r;
        if (what < 6 || unforwarded.empty()) {
          r = api.try_call("POST", "/api/cases", new_case().dump());
          line << " register";
          if (r && r->status == 201) {
            std::string no = r->body["acceptance_no"];
            told[no].insert(newest_event(r->body, "accepted"));
            unforwarded.push_back(no);
          }
        } else if (what < 9) {
          std::string no = unforwarded[rng() % unforwarded.size()];
          unforwarded.erase(std::find(unforwarded.begin(), unforwarded.end(), no));
          r = api.try_call("POST", "/api/cases/" + no + "/steps/forward",
                           json{{"department", "民政局"}, {"clerk_id", "c001"}}.dump());
          line << " forward";
          if (r && r->status == 200) {
            told[no].insert(newest_event(r->body, "forwarded"));
            forwarded.insert(no);
          }
        } else {
          r = api.try_call("POST", "/api/sync");
          line << " sync-now";
        }
        line << "=" << (r ? std::to_string(r->status) : "no answer");
        if (!r) break;  // halld is gone: the rest of the round is its restart
        // Only a kill may stop a write; any refusal while halld lives is a failure to see.
        INFO(line.str() << "\n" << r->body.dump() << "\n" << halld.process->log());
        REQUIRE((r->status == 201 || r->status == 200 || r->status == 202));
        std::this_thread::sleep_for(milliseconds(rng() % 20));
      }
      killer.thread.join();
    }
    std::string log = halld.process->log();
    bool at_point = log.find("hallsync: crash point") != std::string::npos;
    int status = halld.process->stop();
    line << " -> halld " << (at_point ? "died at its crash point" : "killed") << " (" << status << ")";
    INFO(line.str() << "\n" << log);
    CHECK(status == -SIGKILL);
    ++(at_point ? crash_kills : timed_kills);
    if (hub_plan < 25) {  // armed or killed: restarted clean
      bool hub_killed = hub.server->stop() == -SIGKILL;
      line << ", hub " << (hub_killed ? "killed" : "survived");
      hub_kills += hub_killed;
      hub.server.reset();
      hub.start(listen);
    }
    recent.add(line.str());
  }

  INFO("last rounds:\n" << recent.text());
  // Quiescence: a clean halld syncs until nothing waits and every case has its platform number.
  REQUIRE(halld.start());
  Api api = halld.api();
  json status;
  bool quiet = eventually([&] {
    std::uint64_t asked = api.post("/api/sync", json::object()).body["session"];
    if (!eventually([&] { return api.get("/api/sync/status").body["sessions"].get<std::uint64_t>() >= asked; },
                    seconds(20)))
      return false;
    status = api.get("/api/sync/status").body;
    if (status["online"] != true || status["pending"] != 0) return false;
    Reply cases = api.get("/api/cases?limit=10000");
    if (cases.status != 200) return false;
    for (const auto& c : cases.body["cases"])
      if (c["platform_case_no"].is_null()) return false;
    return true;
  }, seconds(90));
  INFO(status.dump() << "\n" << halld.process->log());
  REQUIRE(quiet);

  // Every told event once in its case, read through the API the clerk uses.
  for (const auto& [no, events] : told) {
    Reply shown = api.get("/api/cases/" + no);
    INFO(no << ": " << shown.body.dump());
    REQUIRE(shown.status == 200);
    std::map<std::string, int> seen;
    for (const auto& e : shown.body["events"]) ++seen[e["event_id"].get<std::string>()];
    for (const auto& [id, n] : seen) CHECK(n == 1);
    for (const auto& id : events) CHECK(seen[id] == 1);
  }
  Reply history = api.get("/api/sync/history?limit=1000");
  CHECK(halld.process->stop() == 0);

  Run verified = hallctl(dir, {"verify", "--json"});
  INFO(verified.out);
  CHECK(verified.status == 0);  // 1 would mean events not pushed yet
  CHECK(json::parse(verified.out.substr(verified.out.find('{')))["equal"] == true);

  json here = json::parse(hall(dir, {"case", "list", "--limit", "100000", "--json"}).out)["cases"];
  json there = json::parse(hub.admin({"cases", "--json"}).out);
  std::map<std::string, std::string> local, hub_side;  // acceptance number -> state
  for (const auto& c : here) local[c["acceptance_no"]] = c["state"];
  for (const auto& c : there) hub_side[c["acceptance_no"]] = c["state"];
  CHECK(local.size() == here.size());  // no case twice
  CHECK(hub_side.size() == there.size());
  CHECK(local == hub_side);  // the same cases, each folded to the same state
  for (const auto& [no, events] : told) CHECK(local.count(no) == 1);
  for (const auto& no : forwarded) CHECK(hub_side[no] == "forwarded");
  WARN("rounds " << rounds << ": halld killed " << timed_kills << " times at a random moment and " << crash_kills
                 << " at a crash point, hub killed " << hub_kills << " times; cases told " << told.size()
                 << " (forwarded " << forwarded.size() << "), held " << local.size() << "; sessions in the history (its API reads at most 1000) "
                 << history.body["runs"].size());
  hub.stop();
}
