// halld's stall watchdog end to end: a hub that accepts and never answers
// wedges no session — each one is abandoned, recorded as a timeout and
// retried — and the daemon syncs by itself once a real hub answers there.
#include <catch2/catch.hpp>

#include "tests/support/halld_process.h"
#include "tests/support/silent_hub.h"

using namespace hallsync;
using namespace hallsync::test;

TEST_CASE("A hub that never answers is recorded as a stalled session and retried, and halld recovers when a real hub "
          "answers on that address",
          "[e2e][halld][stall]") {
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  SilentHub silent;
  REQUIRE_FALSE(silent.port().empty());
  link_hall(dir, silent.port(), token);
  write_file(dir.file("hall/halld.conf"), "stall_timeout_s = 1\ndebounce_s = 1\n");

  Halld halld{dir, nullptr, ""};
  halld.start({"--sync-period", "1"});
  Api api = halld.api();
  Reply created = api.post("/api/cases", new_case());
  REQUIRE(created.status == 201);
  std::string no = created.body["acceptance_no"];

  // Two sessions abandoned one after the other: the first did not stay wedged.
  REQUIRE(eventually([&] { return failed_runs(api).size() >= 2; }, seconds(30)));
  for (const auto& run : failed_runs(api)) {
    INFO(run.dump());
    CHECK(run["error_class"] == "timeout");
    CHECK(run["error_kind"] == "network");
    CHECK(run["error_code"] == "stalled");
  }
  Reply stalled = api.get("/api/sync/status");
  CHECK(stalled.body["online"] == false);
  CHECK(stalled.body["last_error"]["class"] == "timeout");
  CHECK(stalled.body["pending"] == 1);

  // A real hub on the same address: the next retry goes through, nobody asks.
  std::string port = silent.port();
  silent.close_now();
  hub.start("127.0.0.1:" + port);
  bool synced = all_sent_within(api, seconds(40));
  INFO(halld.process->log());
  REQUIRE(synced);
  Run waiting = hub.admin({"cases", "--json"});
  REQUIRE(waiting.status == 0);
  CHECK(waiting.out.find(no) != std::string::npos);
  CHECK(halld.process->stop() == 0);
  hub.stop();
}
