// halld end to end: the real daemon on a loopback port chosen at run time,
// driven through its local API with the project's own curl transport, next
// to a real hallhub. Every process is stopped when its handle goes away.
#include <catch2/catch.hpp>

#include <regex>

#include "tests/support/halld_process.h"
#include "tests/support/learned_offset.h"
#include "tests/support/silent_hub.h"

using namespace hallsync;
using namespace hallsync::test;

TEST_CASE("A case registered through halld while the hub is down reaches the hub by itself, and a decision comes back",
          "[e2e][halld]") {
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  hub.start();  // picks a port for the link, then the hub goes down, holding it
  std::string hub_port = hub.port;
  hub.stop_holding_port();
  link_hall(dir, hub_port, token);
  write_file(dir.file("hall/halld.conf"), "# test settings\ndebounce_s = 1\n");

  Halld halld{dir, nullptr, ""};
  halld.start({"--sync-period", "1"});
  Api api = halld.api();
  Reply created = api.post("/api/cases", new_case());
  INFO(created.body.dump());
  REQUIRE(created.status == 201);
  std::string no = created.body["acceptance_no"];
  CHECK(created.body["applicant"]["id_number_masked"] == "3607**********0023");
  REQUIRE(hall(dir, {"case", "forward", no}).status == 0);  // the CLI works beside the daemon

  // The hub is down: sessions fail as network/connect and back off (gaps grow past the 1 s period).
  REQUIRE(eventually([&] { return failed_runs(api).size() >= 3; }, seconds(30)));
  auto failures = failed_runs(api);
  std::int64_t widest_gap = 0;
  for (std::size_t i = 0; i + 1 < failures.size(); ++i) {
    CHECK(failures[i]["error_kind"] == "network");
    CHECK(failures[i]["error_code"] == "connect");
    widest_gap = std::max(widest_gap, failures[i]["started_ms"].get<std::int64_t>() -
                                          failures[i + 1]["started_ms"].get<std::int64_t>());
  }
  CHECK(widest_gap >= 1900);
  Reply offline = api.get("/api/sync/status");
  CHECK(offline.body["online"] == false);
  CHECK(offline.body["last_error"]["kind"] == "network");
  CHECK(offline.body["pending"].get<int>() >= 1);

  // The hub returns: nobody asks, the case goes up.
  hub.start("127.0.0.1:" + hub_port);
  bool synced = all_sent_within(api, seconds(40));
  INFO(halld.process->log());
  REQUIRE(synced);
  CHECK_FALSE(api.get("/api/sync/status").body["last_success_ms"].is_null());
  Run waiting = hub.admin({"cases", "--state", "forwarded", "--json"});
  REQUIRE(waiting.status == 0);
  auto rows = json::parse(waiting.out);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["acceptance_no"] == no);

  // A back-office decision comes down without anyone asking.
  REQUIRE(hub.admin({"decide", no, "--approve", "--officer", "mz-01"}).status == 0);
  json shown;
  CHECK(eventually([&] {
    shown = api.get("/api/cases/" + no).body;
    return shown["state"] == "approved";
  }, seconds(20)));
  CHECK_FALSE(shown["platform_case_no"].is_null());
  // Across all sessions (one may push and then fail while pulling), both entries went up.
  int pushed_total = 0;
  Reply history = api.get("/api/sync/history?limit=1000");
  INFO(history.body.dump());
  INFO(halld.process->log());
  CHECK(history.status == 200);
  for (const auto& r : history.body["runs"])
    pushed_total += r["pushed"].get<int>();
  CHECK(pushed_total >= 2);
  std::string log = halld.process->log();
  CHECK(log.find("360704198503120023") == std::string::npos);
  CHECK(halld.process->stop() == 0);
  hub.stop();
}

TEST_CASE("A second halld on the same data directory is refused", "[e2e][halld]") {
  TempDir dir;
  REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
  Halld first{dir, nullptr, ""};
  first.start();
  Run second = run_command({HALLD_BINARY, "--data-dir", dir.file("hall"), "--listen", "127.0.0.1:0"});
  CHECK(second.status == 2);
  CHECK(second.out.find("already running") != std::string::npos);
  CHECK(first.api().get("/api/health").body["status"] == "ok");  // the first goes on serving
  CHECK(first.process->stop() == 0);
}

// Regression: halld opens more stores beside its own (each sync session, the
// daily blob GC); each open read the file's header with an ifstream, and
// closing it dropped every POSIX lock halld held on hall.db. The next `hall`
// command then took itself for the last user and deleted the WAL halld was
// still writing: halld's commits went to an unlinked file, invisible to others.
TEST_CASE("A hall command beside a running halld leaves halld's WAL in place and sees its commits at once",
          "[e2e][halld]") {
  TempDir dir;
  REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
  write_file(dir.file("hall/halld.conf"), "blob_gc_period_s = 1\nsync_period_s = 3600\n");
  Halld halld{dir, nullptr, ""};
  halld.start();
  REQUIRE_FALSE(halld.process->wait_for("blob gc: removed").empty());  // a second store was opened and closed
  Api api = halld.api();
  for (int round = 0; round < 3; ++round) {
    REQUIRE(hall(dir, {"case", "list"}).status == 0);
    CHECK(std::filesystem::exists(dir.file("hall/hall.db-wal")));
    Run fds = run_command({"ls", "-l", "/proc/" + std::to_string(halld.process->pid()) + "/fd"});
    INFO(fds.out);
    CHECK(fds.out.find("(deleted)") == std::string::npos);
    Reply created = api.post("/api/cases", new_case());
    REQUIRE(created.status == 201);
    Run listed = hall(dir, {"case", "list", "--json"});
    CHECK(listed.out.find(created.body["acceptance_no"].get<std::string>()) != std::string::npos);
  }
  CHECK(halld.process->stop() == 0);
}

TEST_CASE("SIGTERM stops halld within 2 s with status 0, even mid-sync, and a restarted halld carries on",
          "[e2e][halld]") {
  TempDir dir;
  REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
  SilentHub silent;  // a session hangs in its network call
  REQUIRE_FALSE(silent.port().empty());
  REQUIRE(hallctl(dir, {"configure", "--hub", "http://127.0.0.1:" + silent.port(), "--token", "t0ken"}).status == 0);

  Halld halld{dir, nullptr, ""};
  halld.start();
  Api api = halld.api();
  Reply created = api.post("/api/cases", new_case());
  REQUIRE(created.status == 201);
  std::string no = created.body["acceptance_no"];
  REQUIRE(eventually([&] { return api.get("/api/sync/status").body["running"] == true; }, seconds(10)));

  auto before = Steady::now();
  int status = halld.process->stop();
  auto took = std::chrono::duration_cast<milliseconds>(Steady::now() - before).count();
  CHECK(status == 0);
  CHECK(took < 2000);
  silent.close_now();

  halld.start();
  Api again = halld.api();
  Reply shown = again.get("/api/cases/" + no);
  CHECK(shown.status == 200);
  CHECK(shown.body["acceptance_no"] == no);
  CHECK(again.get("/api/cases").body["cases"].size() == 1);
  CHECK(halld.process->stop() == 0);
}

TEST_CASE("Bad input to POST /api/cases gets 400 with a JSON error and writes nothing", "[e2e][halld]") {
  TempDir dir;
  REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
  Halld halld{dir, nullptr, ""};
  halld.start();
  Api api = halld.api();

  Reply bad_id = api.post("/api/cases", new_case("360704198503120024"));  // wrong check digit
  CHECK(bad_id.status == 400);
  CHECK(bad_id.body["code"] == "validation");
  CHECK(bad_id.body["message"].get<std::string>().find("身份证") != std::string::npos);

  Reply malformed = api.call("POST", "/api/cases", "{\"matter_id\": \"GX-009\", ");
  CHECK(malformed.status == 400);
  CHECK(malformed.body["code"] == "bad_request");

  json wrong_type = new_case();
  wrong_type["materials_received"] = "身份证";
  Reply typed = api.post("/api/cases", wrong_type);
  CHECK(typed.status == 400);
  CHECK(typed.body["code"] == "bad_request");

  CHECK(api.get("/api/cases").body["cases"].empty());
  CHECK(api.get("/api/sync/status").body["pending"] == 0);
  Reply missing = api.get("/api/cases/360704100-W01-20260101-000001");
  CHECK(missing.status == 404);
  CHECK(missing.body["code"] == "not_found");
  CHECK(halld.process->stop() == 0);
}

TEST_CASE("A running halld dates cases by the platform's time once its sync learned this PC is ten years behind",
          "[e2e][halld][clock]") {
  TempDir dir;
  REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
  Halld halld{dir, nullptr, ""};
  halld.start();
  Api api = halld.api();
  // Nothing learned yet: the PC's own date, and nothing said.
  CHECK(api.get("/api/sync/status").body["clock_notice"] == "");
  const std::string own_before = platform_day(0);
  Reply own = api.post("/api/cases", new_case());
  REQUIRE(own.status == 201);
  CHECK((own.body["accepted_on"] == own_before || own.body["accepted_on"] == platform_day(0)));

  // As halld's sync thread would store it, on its own connection.
  plant_learned_offset(halld.data(), kTenYearsMs);
  Reply status = api.get("/api/sync/status");
  CHECK(status.body["clock_notice"].get<std::string>().find("按平台时间计算") != std::string::npos);
  const std::string before = platform_day(kTenYearsMs);
  Reply created = api.post("/api/cases", new_case());
  INFO(created.body.dump());
  REQUIRE(created.status == 201);
  CHECK((created.body["accepted_on"] == before || created.body["accepted_on"] == platform_day(kTenYearsMs)));
  CHECK(halld.process->stop() == 0);
}

TEST_CASE("halld refuses a non-loopback address and a config file it does not understand", "[e2e][halld]") {
  TempDir dir;
  REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
  Run lan = run_command({HALLD_BINARY, "--data-dir", dir.file("hall"), "--listen", "0.0.0.0:0"});
  CHECK(lan.status == 2);
  CHECK(lan.out.find("loopback") != std::string::npos);

  write_file(dir.file("hall/halld.conf"), "sync_period_s = 60\nsync_every = 5\n");
  Run unknown = run_command({HALLD_BINARY, "--data-dir", dir.file("hall"), "--listen", "127.0.0.1:0"});
  CHECK(unknown.status == 2);
  CHECK(unknown.out.find("sync_every") != std::string::npos);

  write_file(dir.file("hall/halld.conf"), "debounce_s = soon\n");
  Run bad_value = run_command({HALLD_BINARY, "--data-dir", dir.file("hall"), "--listen", "127.0.0.1:0"});
  CHECK(bad_value.status == 2);
  CHECK(bad_value.out.find("debounce_s") != std::string::npos);
}

TEST_CASE("SIGHUP rereads halld.conf, and a bad file changes nothing", "[e2e][halld]") {
  TempDir dir;
  REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
  Halld halld{dir, nullptr, ""};
  halld.start();
  std::smatch m;
  std::string log = halld.process->wait_for("started: pid=");
  REQUIRE(std::regex_search(log, m, std::regex("started: pid=([0-9]+)")));
  pid_t pid = static_cast<pid_t>(std::stol(m[1]));

  write_file(dir.file("hall/halld.conf"), "sync_period_s = 42\ndebounce_s = 2\n");
  REQUIRE(kill(pid, SIGHUP) == 0);
  CHECK_FALSE(halld.process->wait_for("config reloaded: sync_period_s=42 debounce_s=2").empty());

  write_file(dir.file("hall/halld.conf"), "sync_period_s = never\n");
  REQUIRE(kill(pid, SIGHUP) == 0);
  CHECK_FALSE(halld.process->wait_for("config not reloaded").empty());
  CHECK(halld.api().get("/api/health").body["status"] == "ok");
  CHECK(halld.process->stop() == 0);
}
