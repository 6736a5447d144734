// The real binaries end to end: hallhub serving on a loopback port chosen at
// run time, a hall registering cases with `hall` while the hub is down, and
// `hallctl sync` carrying them up and a back-office decision down.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/support/e2e_binaries.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

using namespace hallsync::test;

TEST_CASE("Cases registered while the hub is down go up when it returns, and a decision comes down", "[e2e][sync]") {
  TempDir dir;
  Hub hub{dir};
  std::string secret = enroll_w01(dir, hub);

  // A port is reserved by starting and stopping the hub once, so the link can be configured.
  hub.start();
  std::string url = "http://127.0.0.1:" + hub.port;
  hub.stop_holding_port();  // refused while down; no other test's server may take it
  REQUIRE(hallctl(dir, {"configure", "--hub", url, "--token", secret}).status == 0);

  // Offline: intake works, sync fails with a classified network error.
  Run created = hall(dir, {"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number", "360704198503120023",
                           "--phone", "13907971234", "--all-materials", "--json"});
  REQUIRE(created.status == 0);
  std::string no = nlohmann::json::parse(created.out)["acceptance_no"];
  REQUIRE(hall(dir, {"case", "forward", no}).status == 0);
  Run offline = hallctl(dir, {"sync", "--json"});
  CHECK(offline.status != 0);
  CHECK(offline.out.find("\"connect\"") != std::string::npos);

  hub.start("127.0.0.1:" + hub.port);
  Run up = hallctl(dir, {"sync", "--json"});
  INFO(up.out);
  REQUIRE(up.status == 0);
  auto moved = nlohmann::json::parse(up.out.substr(up.out.find('{')));
  CHECK(moved["pushed"] == 2);
  CHECK(moved["pulled"] == 1);
  Run waiting = hub.admin({"cases", "--state", "forwarded", "--department", "民政局", "--json"});
  REQUIRE(waiting.status == 0);
  auto rows = nlohmann::json::parse(waiting.out);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["acceptance_no"] == no);

  REQUIRE(hub.admin({"decide", no, "--approve", "--officer", "mz-01"}).status == 0);
  Run down = hallctl(dir, {"sync"});
  REQUIRE(down.status == 0);
  auto shown = nlohmann::json::parse(hall(dir, {"case", "show", no, "--json"}).out);
  CHECK(shown["state"] == "approved");
  CHECK_FALSE(shown["platform_case_no"].is_null());
  Run explain = hallctl(dir, {"explain", no, "--json"});
  auto ex = nlohmann::json::parse(explain.out);
  CHECK(ex["outbox"]["pending"] == 0);
  for (const auto& e : ex["events"]) CHECK(e["acknowledged"] == true);
  Run verified = hallctl(dir, {"verify", "--json"});
  INFO(verified.out);
  CHECK(verified.status == 0);
  CHECK(nlohmann::json::parse(verified.out)["equal"] == true);
  hub.stop();
}

TEST_CASE("A revoked device is refused with an auth error that names the revocation", "[e2e][sync]") {
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  REQUIRE(hall(dir, {"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number", "360704198503120023",
                     "--phone", "13907971234"}).status == 0);
  hub.start();
  REQUIRE(hallctl(dir, {"configure", "--hub", "http://127.0.0.1:" + hub.port, "--token", token}).status == 0);
  REQUIRE(hub.admin({"device", "revoke", "360704100-W01"}).status == 0);
  Run refused = hallctl(dir, {"sync"});
  CHECK(refused.status != 0);
  CHECK(refused.out.find("revoked") != std::string::npos);
  CHECK(refused.out.find("360704198503120023") == std::string::npos);
  hub.stop();
}

TEST_CASE("hallhub refuses to serve plain HTTP beyond loopback", "[e2e][security]") {
  TempDir dir;
  Run r = run_command({HALLHUB_BINARY, "serve", "--data-dir", dir.file("hub"), "--listen", "0.0.0.0:0"});
  CHECK(r.status == 1);
  CHECK(r.out.find("loopback") != std::string::npos);
}
