// hallctl's technician commands end to end with the real binaries: doctor
// against each broken step (hub down, wrong port, untrusted TLS certificate,
// revoked device, hub clock hours off, corrupted store, stuck outbox, low
// disk), log, each resync mode repairing a replica broken on purpose, and the
// diagnostics bundle scanned for personal data in clear.
#include <catch2/catch.hpp>

#include <sys/file.h>
#include <fcntl.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "sync/api/database.h"
#include "sync/api/redact.h"
#include "tests/support/e2e_binaries.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

using namespace hallsync::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* kDevice = "360704100-W01";

// A hall enrolled at a running hub, with `cases` cases synced.
struct Enrolled {
  TempDir dir;
  Hub hub{dir};
  std::string token;
  explicit Enrolled(int cases = 2) {
    REQUIRE(hub.admin({"hall", "add", "--code", "360704100", "--name", "梅林镇"}).status == 0);
    token = enroll();
    REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
    hub.start();
    configure("http://127.0.0.1:" + hub.port, token);
    for (int i = 0; i < cases; ++i) add_case(i);
    Run synced = hallctl(dir, {"sync"});
    INFO(synced.out);
    REQUIRE(synced.status == 0);
  }
  std::string enroll() {
    Run t = hub.admin({"device", "add", "--hall", "360704100", "--device", "W01"});
    REQUIRE(t.status == 0);
    return t.out.substr(0, t.out.find('\n'));
  }
  void configure(const std::string& url, const std::string& secret) {
    REQUIRE(hallctl(dir, {"configure", "--hub", url, "--token", secret}).status == 0);
  }
  std::string add_case(int i) {
    // Valid GB 11643 check digits, so a leak would be caught by the scanner.
    static const char* ids[] = {"360704198503120023", "11010519491231002X", "440524199001010018"};
    Run r = hall(dir, {"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number", ids[i % 3], "--phone",
                       "1390797123" + std::to_string(i % 10), "--all-materials", "--json"});
    REQUIRE(r.status == 0);
    return json::parse(r.out)["acceptance_no"];
  }
  // Stops the hub and keeps its port refused, as for a hub that is down.
  std::unique_ptr<PortReservation> take_hub_down() {
    hub.stop();
    auto held = std::make_unique<PortReservation>(hub.port);
    REQUIRE(held->bound());
    return held;
  }
  std::string hall_db() const { return dir.file("hall/hall.db"); }
  std::string hub_db() const { return dir.file("hub/hub.db"); }
  // SQL on the hub's store, whichever it is (#11: the "pg: " run).
  void hub_sql(const std::string& statement) {
    auto db = hub.store.is_postgres() ? hallsync::Database::open_url(hub.store.url()) : hallsync::Database::open(hub_db());
    REQUIRE(db.is_ok());
    REQUIRE((*db)->exec_script(statement).is_ok());
  }
  bool hub_on_postgres() const { return hub.store.is_postgres(); }
};

// Runs `hallctl doctor --json` and returns the marks by check name.
struct Doctor {
  int status = -1;
  json checks;
  std::string out;
  std::string mark(const std::string& name) const {
    for (const auto& c : checks)
      if (c["check"] == name) return c["mark"];
    return "missing";
  }
  std::string advice(const std::string& name) const {
    for (const auto& c : checks)
      if (c["check"] == name) return c.value("advice", "");
    return "";
  }
};

// The doctor's verdict when one step of the path breaks: the step before it
// passes, it fails with advice naming the cause, and the exit status is 2.
void expect_broken_at(const Doctor& d, const std::string& passed, const std::string& failed, const std::string& advice) {
  INFO(d.out);
  CHECK(d.status == 2);
  CHECK(d.mark(passed) == "pass");
  CHECK(d.mark(failed) == "fail");
  CHECK(d.advice(failed).find(advice) != std::string::npos);
}

Doctor doctor(TempDir& dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"doctor", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  Run r = hallctl(dir, args);
  Doctor d{r.status, json::array(), r.out};
  auto j = json::parse(r.out, nullptr, false);
  if (j.is_object()) d.checks = j["checks"];
  return d;
}

void sql(const std::string& db_path, const std::string& statement) {
  auto db = hallsync::Database::open(db_path);
  REQUIRE(db.is_ok());
  REQUIRE((*db)->exec_script(statement).is_ok());
}

bool verified_equal(TempDir& dir) {
  Run v = hallctl(dir, {"verify", "--json"});
  INFO(v.out);
  auto j = json::parse(v.out, nullptr, false);
  return v.status == 0 && j.is_object() && j["equal"] == true;
}

std::string free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return std::to_string(ntohs(addr.sin_port));
}

// Without a readable store, a rebuild asks for the identity; with it, it succeeds.
Run rebuild_with_identity(TempDir& dir) {
  Run without = hallctl(dir, {"resync", "--rebuild"});
  CHECK(without.status != 0);
  CHECK(without.out.find("--hall") != std::string::npos);
  Run fix = hallctl(dir, {"resync", "--rebuild", "--hall", "360704100", "--device", "W01"});
  INFO(fix.out);
  REQUIRE(fix.status == 0);
  return fix;
}

std::size_t case_count(TempDir& dir) {
  Run list = hall(dir, {"case", "list", "--json"});
  auto j = json::parse(list.out, nullptr, false);
  REQUIRE(j.is_object());
  return j["cases"].size();
}

}  // namespace

TEST_CASE("doctor passes every hub step of a healthy hall and names what is only a warning", "[e2e][hallctl][doctor]") {
  Enrolled e;
  Doctor d = doctor(e.dir);
  INFO(d.out);
  for (const char* step : {"database", "database.schema", "config", "outbox", "conflicts", "hub.dns", "hub.tcp",
                           "hub.http", "hub.auth", "hub.epoch", "clock"})
    CHECK(d.mark(step) == "pass");
  CHECK(d.mark("hub.tls") == "n/a");
  CHECK(d.mark("blobs") == "pass");  // no scanned material waiting
  CHECK(d.mark("daemon") == "warn");  // halld is not running in this test
  CHECK(d.mark("sync.history") == "pass");  // the fixture's `hallctl sync`
  CHECK(d.status == 1);
  Run text = hallctl(e.dir, {"doctor"});
  CHECK(text.out.find("[WARN] daemon") != std::string::npos);
  CHECK(text.out.find("-> the hall syncs only when") != std::string::npos);
  e.hub.stop();
}

TEST_CASE("doctor fails at the TCP step when the hub is down", "[e2e][hallctl][doctor]") {
  Enrolled e;
  auto down = e.take_hub_down();
  Doctor d = doctor(e.dir);
  expect_broken_at(d, "hub.dns", "hub.tcp", "the hub is down");
  CHECK(d.mark("hub.auth") == "n/a");
}

TEST_CASE("doctor fails at the HTTP step when another service answers on the configured port", "[e2e][hallctl][doctor]") {
  Enrolled e;
  // halld of another hall: an HTTP server, but not a hub.
  TempDir other;
  REQUIRE(run_command({HALL_BINARY, "init", "--hall", "360704101", "--device", "W01", "--data-dir", other.file("hall")}).status == 0);
  Background halld({HALLD_BINARY, "--data-dir", other.file("hall"), "--listen", "127.0.0.1:0"}, other.file("halld.log"));
  std::string port = port_in(halld.wait_for("halld listening on"), "halld listening on");
  REQUIRE_FALSE(port.empty());
  e.configure("http://127.0.0.1:" + port, e.token);
  expect_broken_at(doctor(e.dir), "hub.tcp", "hub.http", "wrong port");
  e.hub.stop();
}

TEST_CASE("doctor fails at the TLS step when the hub's certificate is not trusted", "[e2e][hallctl][doctor]") {
  Enrolled e(1);
  // A self-signed certificate nobody trusts, served by openssl s_server.
  Run cert = run_command({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                          "-keyout", e.dir.file("key.pem"), "-out", e.dir.file("cert.pem")});
  REQUIRE(cert.status == 0);
  std::string port = free_port();
  Background tls({"/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", e.dir.file("cert.pem"), "-key",
                  e.dir.file("key.pem"), "-www"},
                 e.dir.file("tls.log"));
  REQUIRE_FALSE(tls.wait_for("ACCEPT").empty());
  e.configure("https://localhost:" + port, e.token);
  Doctor d = doctor(e.dir);
  expect_broken_at(d, "hub.tcp", "hub.tls", "certificate is not trusted");
  CHECK(d.mark("hub.http") == "n/a");
  // Trusting that certificate (ca_file) gets past TLS, to a server that is no hub.
  REQUIRE(hallctl(e.dir, {"configure", "--hub", "https://localhost:" + port, "--token", e.token, "--ca-file",
                          e.dir.file("cert.pem")}).status == 0);
  Doctor trusted = doctor(e.dir);
  INFO(trusted.out);
  CHECK(trusted.mark("hub.tls") == "pass");
  CHECK(trusted.mark("hub.http") == "fail");
  e.hub.stop();
}

TEST_CASE("doctor says a revoked device must be re-enrolled", "[e2e][hallctl][doctor]") {
  Enrolled e(1);
  REQUIRE(e.hub.admin({"device", "revoke", kDevice}).status == 0);
  expect_broken_at(doctor(e.dir), "hub.http", "hub.auth", "device revoked: re-enroll");
  e.hub.stop();
}

TEST_CASE("doctor fails the clock check against a hub three hours off", "[e2e][hallctl][doctor]") {
  Enrolled e(1);
  std::string port = e.hub.port;
  e.hub.stop();
  setenv("HALLHUB_TEST_CLOCK_OFFSET_MS", std::to_string(3LL * 3600 * 1000).c_str(), 1);
  e.hub.start("127.0.0.1:" + port);
  unsetenv("HALLHUB_TEST_CLOCK_OFFSET_MS");
  Doctor d = doctor(e.dir);
  expect_broken_at(d, "hub.auth", "clock", "set this PC's clock");
  CHECK(std::regex_search(d.out, std::regex("(2 h 59 min|3 h 0 min) [0-9]+ s behind the hub")));
  e.hub.stop();
}

TEST_CASE("doctor fails on a corrupted store and keeps checking the rest", "[e2e][hallctl][doctor]") {
  Enrolled e(3);
  e.hub.stop();
  {
    std::fstream f(e.hall_db(), std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(f);
    f.seekp(4096);
    std::string garbage(3 * 4096, '\xA5');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  Doctor d = doctor(e.dir);
  INFO(d.out);
  CHECK(d.status == 2);
  CHECK(d.mark("database") == "fail");
  CHECK(d.advice("database").find("resync --rebuild") != std::string::npos);
  CHECK(d.mark("config") == "pass");
  CHECK(d.mark("disk") != "missing");

  // The advice works: everything that reached the hub comes back; the damaged file is kept.
  e.hub.start("127.0.0.1:" + e.hub.port);
  Run fix = rebuild_with_identity(e.dir);
  CHECK(fix.out.find("could not be read") != std::string::npos);
  CHECK(case_count(e.dir) == 3);
  CHECK(verified_equal(e.dir));
  CHECK(doctor(e.dir).mark("database") == "pass");
  REQUIRE(fs::exists(e.dir.file("hall/backups")));
  e.hub.stop();
}

TEST_CASE("doctor warns, then fails, on an outbox that has not drained", "[e2e][hallctl][doctor]") {
  Enrolled e(1);
  auto down = e.take_hub_down();
  e.add_case(1);
  // The change was made two hours ago, then two days ago (the hub was down all along).
  sql(e.hall_db(), "UPDATE change_log SET created_ms = created_ms - 7200000 WHERE seq > 0");
  Doctor warn = doctor(e.dir);
  INFO(warn.out);
  CHECK(warn.mark("outbox") == "warn");
  sql(e.hall_db(), "UPDATE change_log SET created_ms = created_ms - 172800000 WHERE seq > 0");
  Doctor fail = doctor(e.dir);
  CHECK(fail.mark("outbox") == "fail");
  CHECK(fail.advice("outbox").find("not draining") != std::string::npos);
}

TEST_CASE("doctor reports a disk below the free-space threshold (threshold raised to simulate a full disk)",
          "[e2e][hallctl][doctor]") {
  Enrolled e(1);
  Doctor d = doctor(e.dir, {"--min-free-mb", "1073741824"});  // 1 PiB: no test machine has it free
  INFO(d.out);
  CHECK(d.mark("disk") == "fail");
  CHECK(d.status == 2);
  e.hub.stop();
}

TEST_CASE("doctor sees a running halld and loose config permissions", "[e2e][hallctl][doctor]") {
  Enrolled e(1);
  std::string port = free_port();
  {
    std::ofstream(e.dir.file("hall/halld.conf")) << "listen = 127.0.0.1:" << port << "\n";
  }
  fs::permissions(e.dir.file("hall/hub.conf"), fs::perms::others_read, fs::perm_options::add);
  Background halld({HALLD_BINARY, "--data-dir", e.dir.file("hall")}, e.dir.file("halld.log"));
  REQUIRE_FALSE(halld.wait_for("halld listening on").empty());
  Doctor d = doctor(e.dir);
  INFO(d.out);
  CHECK(d.mark("daemon") == "pass");
  CHECK(d.mark("config") == "warn");
  CHECK(d.advice("config").find("chmod 600") != std::string::npos);
  // resync refuses while halld holds the store.
  Run refused = hallctl(e.dir, {"resync", "--repull"});
  CHECK(refused.status != 0);
  CHECK(refused.out.find("halld is running") != std::string::npos);
  halld.stop();
  e.hub.stop();
}

TEST_CASE("log lists sync sessions newest first, filtered by outcome and time", "[e2e][hallctl][log]") {
  Enrolled e(1);  // its `hallctl sync` is recorded as a successful session
  auto down = e.take_hub_down();
  CHECK(hallctl(e.dir, {"sync"}).status != 0);  // recorded as failed: network/connect
  // Older sessions as halld records them (it is not run here: its schedule is minutes).
  sql(e.hall_db(),
      "INSERT INTO sync_history (started_ms, ended_ms, pushed, pulled, outcome, error_kind, error_code, error_message) VALUES"
      " (1764000000000, 1764000000500, 3, 1, 'ok', NULL, NULL, NULL),"
      " (1764003600000, 1764003601000, 0, 0, 'error', 'network', 'timeout', 'the hub did not answer'),"
      " (1764007200000, 1764007200300, 1, 0, 'ok', NULL, NULL, NULL)");
  Run all = hallctl(e.dir, {"log", "--json"});
  REQUIRE(all.status == 0);
  auto runs = json::parse(all.out);
  REQUIRE(runs.size() == 5);
  CHECK(runs[0]["outcome"] == "failed");  // the one just now
  CHECK(runs[0]["error"]["code"] == "connect");
  CHECK(runs[1]["outcome"] == "ok");
  CHECK(runs[2]["started"] == "2025-11-24T18:00:00Z");
  CHECK(runs[4]["started"] == "2025-11-24T16:00:00Z");
  auto failed = json::parse(hallctl(e.dir, {"log", "--outcome", "failed", "--json"}).out);
  REQUIRE(failed.size() == 2);
  CHECK(failed[1]["error"]["code"] == "timeout");
  CHECK(json::parse(hallctl(e.dir, {"log", "--last", "1", "--json"}).out).size() == 1);
  CHECK(json::parse(hallctl(e.dir, {"log", "--since", "2025-11-24T17:00:00Z", "--json"}).out).size() == 4);
  CHECK(json::parse(hallctl(e.dir, {"log", "--since", "2025-11-24T17:00:00+08:00", "--json"}).out).size() == 5);
  Run text = hallctl(e.dir, {"log", "--outcome", "failed"});
  CHECK(text.out.find("FAILED") != std::string::npos);
  CHECK(text.out.find("network/connect") != std::string::npos);
  Run bad = hallctl(e.dir, {"log", "--since", "yesterday"});
  CHECK(bad.status != 0);
  Doctor d = doctor(e.dir);
  INFO(d.out);
  CHECK(d.mark("sync.history") == "warn");  // the newest session failed; the last success is recent
  CHECK(d.out.find("network/connect") != std::string::npos);
}

TEST_CASE("resync --repush restores events the hub lost, each once, and normal pushes continue", "[e2e][hallctl][resync]") {
  Enrolled e(3);
  // Rows lost behind the hub's back (a restore from an older backup looks the same to the hall).
  e.hub_sql(allow_event_deletes(e.hub_on_postgres()) + " DELETE FROM events WHERE origin_device = '360704100-W01';");
  CHECK_FALSE(verified_equal(e.dir));
  Run dry = hallctl(e.dir, {"resync", "--repush", "--dry-run"});
  INFO(dry.out);
  CHECK(dry.status == 0);
  CHECK(dry.out.find("dry run") != std::string::npos);
  CHECK_FALSE(verified_equal(e.dir));
  Run fix = hallctl(e.dir, {"resync", "--repush"});
  INFO(fix.out);
  REQUIRE(fix.status == 0);
  CHECK(verified_equal(e.dir));
  // Again: the hub keeps exactly one of each.
  REQUIRE(hallctl(e.dir, {"resync", "--repush"}).status == 0);
  CHECK(verified_equal(e.dir));
  e.add_case(0);
  REQUIRE(hallctl(e.dir, {"sync"}).status == 0);
  CHECK(verified_equal(e.dir));
  e.hub.stop();
}

TEST_CASE("resync --repull brings back events this hall lost", "[e2e][hallctl][resync]") {
  Enrolled e(3);
  sql(e.hall_db(), "DROP TRIGGER case_events_are_append_only_delete; DELETE FROM case_events WHERE device_id = 'hub';");
  CHECK_FALSE(verified_equal(e.dir));
  // As if a first re-pull had been interrupted after its first change: the rerun resumes there.
  sql(e.hall_db(), "INSERT INTO sync_state (name, value) VALUES ('repull.cursor', 1)");
  Run resumed = hallctl(e.dir, {"resync", "--repull"});
  INFO(resumed.out);
  REQUIRE(resumed.status == 0);
  CHECK(resumed.out.find("resuming an interrupted re-pull at 1") != std::string::npos);
  Run fix = hallctl(e.dir, {"resync", "--repull"});
  INFO(fix.out);
  REQUIRE(fix.status == 0);
  CHECK(fix.out.find("from 0") != std::string::npos);
  CHECK(verified_equal(e.dir));
  e.add_case(0);
  REQUIRE(hallctl(e.dir, {"sync"}).status == 0);  // the normal cursor still works after
  CHECK(verified_equal(e.dir));
  e.hub.stop();
}

TEST_CASE("resync --rebuild recreates a lost store from the hub — new cases do not reuse sequences", "[e2e][hallctl][resync]") {
  Enrolled e(3);
  std::size_t before = case_count(e.dir);
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(e.hall_db() + suffix);
  rebuild_with_identity(e.dir);
  CHECK(case_count(e.dir) == before);
  CHECK(verified_equal(e.dir));
  e.add_case(1);
  Run up = hallctl(e.dir, {"sync", "--json"});
  INFO(up.out);
  REQUIRE(up.status == 0);
  CHECK(verified_equal(e.dir));
  CHECK(case_count(e.dir) == before + 1);

  // Interrupted between moving the old store aside and moving the new one in:
  // the rerun finishes the swap.
  fs::create_directories(e.dir.file("hall/rebuild.partial"));
  fs::rename(e.hall_db(), e.dir.file("hall/rebuild.partial/hall.db"));
  std::ofstream(e.dir.file("hall/rebuild.partial/complete")) << "complete\n";
  Run rerun = hallctl(e.dir, {"resync", "--rebuild"});
  INFO(rerun.out);
  REQUIRE(rerun.status == 0);
  CHECK(rerun.out.find("finished an interrupted rebuild") != std::string::npos);
  CHECK_FALSE(fs::exists(e.dir.file("hall/rebuild.partial")));
  CHECK(case_count(e.dir) == before + 1);
  CHECK(verified_equal(e.dir));
  e.hub.stop();
}

TEST_CASE("a reset hub is noticed — resync --rebuild --accept-epoch carries every local event to it", "[e2e][hallctl][resync]") {
  Enrolled e(3);
  std::string port = e.hub.port;
  {
    auto down = e.take_hub_down();
    e.add_case(2);  // made while the hub was down: never acknowledged
  }
  std::size_t before = case_count(e.dir);
  fs::remove_all(e.hub.data());
  e.hub.store.reset();
  REQUIRE(e.hub.admin({"hall", "add", "--code", "360704100", "--name", "梅林镇"}).status == 0);
  std::string token = e.enroll();
  e.hub.start("127.0.0.1:" + port);
  e.configure("http://127.0.0.1:" + port, token);

  Run sync = hallctl(e.dir, {"sync"});
  CHECK(sync.status != 0);
  CHECK(sync.out.find("hub_epoch_changed") != std::string::npos);  // not the hub's sequence_gap
  CHECK(doctor(e.dir).mark("hub.epoch") == "fail");
  Run repush = hallctl(e.dir, {"resync", "--repush"});
  CHECK(repush.status != 0);
  CHECK(repush.out.find("--rebuild --accept-epoch") != std::string::npos);
  Run unaccepted = hallctl(e.dir, {"resync", "--rebuild"});
  CHECK(unaccepted.status != 0);
  // The refusal names the new epoch the technician confirms with the district.
  std::smatch named;
  REQUIRE(std::regex_search(unaccepted.out, named, std::regex("--accept-epoch ([0-9a-f]{16})")));
  std::string epoch = named[1];

  Run dry = hallctl(e.dir, {"resync", "--rebuild", "--accept-epoch", epoch, "--dry-run"});
  INFO(dry.out);
  REQUIRE(dry.status == 0);
  CHECK_FALSE(fs::exists(e.dir.file("hall/backups")));
  Run fix = hallctl(e.dir, {"resync", "--rebuild", "--accept-epoch", epoch});
  INFO(fix.out);
  REQUIRE(fix.status == 0);
  CHECK(fix.out.find("old store kept") != std::string::npos);
  REQUIRE(fs::exists(e.dir.file("hall/backups")));
  CHECK(std::distance(fs::directory_iterator(e.dir.file("hall/backups")), fs::directory_iterator{}) >= 1);
  CHECK(case_count(e.dir) == before);
  CHECK(verified_equal(e.dir));
  Run cases = e.hub.admin({"cases", "--json"});
  CHECK(json::parse(cases.out).size() == before);
  e.hub.stop();
}

TEST_CASE("the diagnostics bundle holds no ID or phone number in clear, and no token", "[e2e][hallctl][export]") {
  Enrolled e(3);
  // An error message that slipped through unmasked must still leave masked.
  sql(e.hall_db(), "INSERT INTO sync_history (started_ms, ended_ms, outcome, error_kind, error_code, error_message) VALUES"
                   " (1764000000000, 1764000000500, 'error', 'validation', '', 'bad case 360704198503120023 13907971230')");
  for (bool with_db : {false, true}) {
    std::string out = e.dir.file(with_db ? "with-db.tar.gz" : "bundle.tar.gz");
    std::vector<std::string> args{"export-diagnostics", out};
    if (with_db) args.push_back("--include-db");
    Run r = hallctl(e.dir, args);
    INFO(r.out);
    REQUIRE(r.status == 0);
    CHECK((r.out.find("WARNING") != std::string::npos) == with_db);
    fs::path x = e.dir.file(with_db ? "x-db" : "x");
    fs::create_directories(x);
    REQUIRE(run_command({"tar", "-xzf", out, "-C", x.string()}).status == 0);
    int scanned = 0;
    for (const auto& f : fs::recursive_directory_iterator(x)) {
      if (!f.is_regular_file()) continue;
      if (f.path().filename() == "hall.db") continue;  // the database itself, only on request
      std::ifstream in(f.path(), std::ios::binary);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      INFO(f.path().string());
      CHECK_FALSE(hallsync::contains_clear_pii(text));
      CHECK(text.find(e.token) == std::string::npos);
      ++scanned;
    }
    CHECK(scanned >= 7);
    CHECK(fs::exists(x / "hallsync-diagnostics/logs/halld.journal.txt"));
    CHECK(fs::exists(x / "hallsync-diagnostics/hall.db") == with_db);
    CHECK(fs::exists(x / "hallsync-diagnostics/config/hub.conf"));
  }
  e.hub.stop();
}

TEST_CASE("enroll exchanges a one-time code for a private hub.conf that syncs, and refuses the code a second time",
          "[e2e][hallctl][enroll]") {
  TempDir dir;
  Hub hub{dir};
  REQUIRE(hub.admin({"hall", "add", "--code", "360704100", "--name", "梅林镇"}).status == 0);
  Run issued = hub.admin({"enroll-code", "--hall", "360704100", "--device", "W01", "--ttl-hours", "2"});
  INFO(issued.out);
  REQUIRE(issued.status == 0);
  std::string code = issued.out.substr(0, issued.out.find('\n'));
  REQUIRE(std::regex_match(code, std::regex("[A-Z2-9]{4}(-[A-Z2-9]{4}){4}")));
  REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
  hub.start();
  std::string url = "http://127.0.0.1:" + hub.port;

  Run enrolled = hallctl(dir, {"enroll", "--hub", url, "--code", code});
  INFO(enrolled.out);
  REQUIRE(enrolled.status == 0);
  CHECK(enrolled.out.find("360704100-W01") != std::string::npos);
  auto perms = fs::status(dir.file("hall/hub.conf")).permissions();
  CHECK((perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
  std::ifstream conf(dir.file("hall/hub.conf"));
  std::string text((std::istreambuf_iterator<char>(conf)), std::istreambuf_iterator<char>());
  CHECK(text.find("token = ") != std::string::npos);
  CHECK(text.find(code) == std::string::npos);
  Run synced = hallctl(dir, {"sync"});
  INFO(synced.out);
  CHECK(synced.status == 0);

  Run again = hallctl(dir, {"enroll", "--hub", url, "--code", code});
  INFO(again.out);
  CHECK(again.status != 0);
  CHECK(again.out.find("code_used") != std::string::npos);
  CHECK(again.out.find("already used") != std::string::npos);
  // The refused attempt left the working link as it was.
  CHECK(hallctl(dir, {"sync"}).status == 0);
}
