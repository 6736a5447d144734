// Fuzz target: halld's local API, the door the clerk's web page (and any
// program on the hall PC) comes through: method, path, cookie and JSON body
// are all the caller's. Every request must get an HTTP answer (a JSON error
// for bad input) without crashing.
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "client/daemon/local_api.h"
#include "client/daemon/store_coordination.h"
#include "client/daemon/sync_scheduler.h"
#include "client/store/hall_store.h"
#include "sync/api/clock.h"
#include "tests/fuzz/fuzz_input.h"

using namespace hallsync;
using namespace hallsync::client;
using namespace hallsync::client::daemon;

namespace {

// One store for the whole run (a fresh one per input would make each run an
// init of SQLite files); it lives in a directory removed at exit. The
// scheduler is never started: "sync now" only records the wish.
struct Hall {
  std::filesystem::path dir;
  ManualClock clock{1789696800000};  // 2026-09-18 10:00 China time
  std::unique_ptr<HallStore> store;
  ReferenceGeneration reference;
  std::unique_ptr<SyncScheduler> scheduler;
  std::unique_ptr<LocalApi> api;

  Hall() {
    char tmpl[] = "/tmp/hallsync-fuzz-api-XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    dir = tmpl;
    auto s = HallStore::init((dir / "hall").string(), {"360704100", "W01"}, clock);
    if (!s) std::abort();
    store = std::move(s).value();
    SchedulerOptions options;
    options.data_dir = (dir / "hall").string();
    scheduler = std::make_unique<SyncScheduler>(options, reference);
    api = std::make_unique<LocalApi>(*store, *scheduler, reference);
  }
  ~Hall() {
    api.reset();
    scheduler.reset();
    store.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

const char* const kMethods[] = {"GET", "POST", "PUT", "DELETE"};
const char* const kPaths[] = {
    "/api/cases", "/api/cases/", "/api/catalog?q=", "/api/login", "/api/logout", "/api/me", "/api/health",
    "/api/sync/status", "/api/sync/now", "/api/sync/history", "/api/conflicts", "/api/conflicts/", "/", "/app.js",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Hall hall;
  fuzz::FuzzInput in(data, size);
  HttpRequest request;
  const std::uint8_t choice = in.byte();
  request.method = kMethods[choice % 4];
  request.target = std::string(kPaths[(choice >> 2) % (sizeof kPaths / sizeof *kPaths)]) + in.field(64);
  if (std::string cookie = in.field(64); !cookie.empty()) request.headers.push_back({"Cookie", cookie});
  request.body = in.rest();
  HttpResponse response = hall.api->handle(request);
  if (response.status < 200 || response.status > 599) std::abort();
  return 0;
}
