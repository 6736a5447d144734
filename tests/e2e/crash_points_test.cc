// Exhaustive crash points (#6): for every named point on a case's way from the
// window to the hub and back, the process passing it is killed there
// (SIGKILL), restarted, and synced to quiescence; then both sides must hold
// every case the clerks were told about exactly once, with equal digests and
// an empty outbox.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "sync/api/crash_point.h"
#include "tests/support/e2e_binaries.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

using namespace hallsync::test;
using nlohmann::json;

namespace {

const std::vector<std::string> kNewCase = {"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number",
                                           "360704198503120023", "--phone", "13907971234", "--all-materials", "--json"};

Run with_crash(const std::string& point, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"env", "HALLSYNC_CRASH_AT=" + point});
  return run_command(argv);
}

std::vector<std::string> hall_argv(TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), HALL_BINARY);
  args.insert(args.end(), {"--data-dir", dir.file("hall"), "--clerk", "c001"});
  return args;
}

std::vector<std::string> hallctl_argv(TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), HALLCTL_BINARY);
  args.insert(args.end(), {"--data-dir", dir.file("hall")});
  return args;
}

bool reached(const Run& r, const std::string& point) {
  return r.out.find("hallsync: crash point " + point) != std::string::npos;
}

std::set<std::string> acceptance_numbers(const json& rows) {
  std::set<std::string> out;
  for (const auto& r : rows) out.insert(r["acceptance_no"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("A process killed at any named crash point loses and duplicates nothing", "[e2e][crash]") {
  std::string point = GENERATE(from_range(std::vector<std::string>(hallsync::crash_point_names().begin(),
                                                                   hallsync::crash_point_names().end())));
  INFO("crash point " << point);
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  hub.start();
  REQUIRE(hallctl(dir, {"configure", "--hub", "http://127.0.0.1:" + hub.port, "--token", token}).status == 0);

  // Two cases the clerk was told about (one forwarded to the back office).
  std::set<std::string> told;
  for (int i = 0; i < 2; ++i) {
    Run r = run_command(hall_argv(dir, kNewCase));
    REQUIRE(r.status == 0);
    told.insert(json::parse(r.out)["acceptance_no"].get<std::string>());
  }
  REQUIRE(run_command(hall_argv(dir, {"case", "forward", *told.begin()})).status == 0);

  if (point.rfind("local.", 0) == 0) {
    Run killed = with_crash(point, hall_argv(dir, kNewCase));
    REQUIRE(reached(killed, point));
    CHECK(killed.status != 0);  // the clerk saw no acceptance number
  } else if (point.rfind("hub.", 0) == 0) {
    std::string port = hub.port;
    hub.stop();
    hub.start("127.0.0.1:" + port, {"HALLSYNC_CRASH_AT=" + point});
    Run failed = hallctl(dir, {"sync"});
    INFO(failed.out << "\nhub log:\n" << hub.server->log());
    CHECK(failed.status != 0);
    REQUIRE(hub.server->wait_for("hallsync: crash point " + point).size() > 0);
    CHECK(hub.server->stop() == -SIGKILL);
    hub.server.reset();
    hub.start("127.0.0.1:" + port);
  } else {
    Run killed = with_crash(point, hallctl_argv(dir, {"sync"}));
    REQUIRE(reached(killed, point));
  }

  // Restarted: sync to quiescence, a decision comes down, and nothing is pending.
  REQUIRE(hallctl(dir, {"sync"}).status == 0);
  REQUIRE(hub.admin({"decide", *told.begin(), "--approve", "--officer", "mz-01"}).status == 0);
  Run last = run_command(hallctl_argv(dir, {"sync", "--json"}));
  REQUIRE(last.status == 0);
  json moved = json::parse(last.out.substr(last.out.find('{')));
  CHECK(moved["pushed"] == 0);
  CHECK(moved["pulled"] == 1);

  Run verified = hallctl(dir, {"verify", "--json"});
  INFO(verified.out);
  CHECK(verified.status == 0);
  CHECK(json::parse(verified.out.substr(verified.out.find('{')))["equal"] == true);

  json here = json::parse(hall(dir, {"case", "list", "--json"}).out)["cases"];
  json there = json::parse(hub.admin({"cases", "--json"}).out);
  std::set<std::string> local = acceptance_numbers(here), hub_side = acceptance_numbers(there);
  CHECK(here.size() == local.size());  // no case twice
  CHECK(there.size() == hub_side.size());
  CHECK(local == hub_side);
  for (const auto& no : told) CHECK(local.count(no) == 1);
  // The killed registration exists only if its commit happened before the kill.
  CHECK(local.size() == (point == "local.after_commit" ? 3u : 2u));
  for (const auto& c : here) CHECK_FALSE(c["platform_case_no"].is_null());
  auto shown = json::parse(hall(dir, {"case", "show", *told.begin(), "--json"}).out);
  CHECK(shown["state"] == "approved");
  hub.stop();
}
