// `hall sync now` and `hall sync status` end to end: the clerk CLI asks the
// running halld (found through halld.conf's `listen`) and, with halld down,
// says so plainly, exits 4, and still shows what the store knows.
#include <catch2/catch.hpp>

#include "tests/support/halld_process.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {

Run register_by_cli(TempDir& dir, const std::string& id_number) {
  return hall(dir, {"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number", id_number, "--phone",
                    "13907971234", "--all-materials", "--json"});
}

json parsed(const Run& r) {
  auto j = json::parse(r.out.substr(std::min(r.out.find('{'), r.out.size())), nullptr, false);
  INFO(r.out);
  REQUIRE(j.is_object());
  return j;
}

}  // namespace

TEST_CASE("hall sync now --wait has halld sync at once and reports the outcome — hall sync status shows it",
          "[e2e][halld][hall_sync]") {
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  hub.start();
  link_hall(dir, hub.port, token);
  // Long period and debounce: only `hall sync now` (and the session at start) moves anything.
  write_file(dir.file("hall/halld.conf"), "sync_period_s = 3600\ndebounce_s = 3600\n");
  Halld halld{dir, nullptr, ""};
  halld.start();
  // As installed, halld.conf names the address; `hall` finds halld through it.
  write_file(dir.file("hall/halld.conf"),
             "sync_period_s = 3600\ndebounce_s = 3600\nlisten = 127.0.0.1:" + halld.port + "\n");

  Run created = register_by_cli(dir, "360704198503120023");  // straight into the store, beside halld
  REQUIRE(created.status == 0);
  std::string no = parsed(created)["acceptance_no"];

  Run now = hall(dir, {"sync", "now", "--wait", "--json"});
  INFO(now.out);
  REQUIRE(now.status == 0);
  json outcome = parsed(now);
  CHECK(outcome["finished"] == true);
  CHECK(outcome["outcome"] == "ok");
  CHECK(outcome["pending"] == 0);
  CHECK(hub.admin({"cases", "--json"}).out.find(no) != std::string::npos);

  Run text = hall(dir, {"sync", "now", "--wait"});
  CHECK(text.status == 0);
  CHECK(text.out.find("同步完成") != std::string::npos);

  Run status = hall(dir, {"sync", "status"});
  INFO(status.out);
  CHECK(status.status == 0);
  CHECK(status.out.find("运行中") != std::string::npos);
  CHECK(status.out.find("与省平台连接：在线") != std::string::npos);
  CHECK(status.out.find("待上传变更：0 条") != std::string::npos);
  json st = parsed(hall(dir, {"sync", "status", "--json"}));
  CHECK(st["daemon"] == "running");
  CHECK(st["online"] == true);
  CHECK_FALSE(st["last_success_ms"].is_null());

  // The hub goes down: a requested session fails with its class, in Chinese, exit 2.
  hub.stop_holding_port();
  Run failed = hall(dir, {"sync", "now", "--wait"});
  INFO(failed.out);
  CHECK(failed.status == 2);
  CHECK(failed.out.find("无法连接省平台") != std::string::npos);
  CHECK(parsed(hall(dir, {"sync", "status", "--json"}))["last_error"]["class"] == "connect");
  CHECK(halld.process->stop() == 0);
}

TEST_CASE("With halld down, hall sync says so and exits 4, status still shows unsent changes, and intake works",
          "[e2e][halld][hall_sync]") {
  TempDir dir;
  REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
  Halld halld{dir, nullptr, ""};
  halld.start();
  write_file(dir.file("hall/halld.conf"), "listen = 127.0.0.1:" + halld.port + "\n");
  CHECK(halld.process->stop() == 0);
  PortReservation down(halld.port);  // refused, as a stopped halld's port; no parallel test may take it
  REQUIRE(down.bound());

  REQUIRE(register_by_cli(dir, "360704198503120023").status == 0);
  Run status = hall(dir, {"sync", "status"});
  INFO(status.out);
  CHECK(status.status == 4);
  CHECK(status.out.find("halld") != std::string::npos);
  CHECK(status.out.find("没有响应") != std::string::npos);
  CHECK(status.out.find("待上传变更：1 条") != std::string::npos);
  json st = parsed(hall(dir, {"sync", "status", "--json"}));
  CHECK(st["daemon"] == "down");
  CHECK(st["pending"] == 1);
  CHECK(st["last_success_ms"].is_null());

  Run now = hall(dir, {"sync", "now"});
  CHECK(now.status == 4);
  CHECK(now.out.find("没有响应") != std::string::npos);
  CHECK(register_by_cli(dir, "110101199003070011").status == 0);  // the window keeps working
}
