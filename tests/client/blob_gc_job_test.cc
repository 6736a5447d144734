// halld's scheduled blob garbage collection (client/daemon/blob_gc_job): the
// halld.conf keys, the timing (a day, first run ten minutes after start), and
// a scheduled run on a real data directory that removes an old orphan while
// a queued upload and a young file stay — with milliseconds for days.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include "client/daemon/blob_gc_job.h"
#include "client/daemon/daemon_config.h"
#include "client/store/material_attach.h"
#include "sync/api/blob_store.h"
#include "sync/api/blob_upload.h"
#include "tests/support/hall_fixture.h"

using namespace hallsync;
using namespace hallsync::test;
using namespace std::chrono_literals;

TEST_CASE("halld.conf sets the blob GC period and grace, and refuses bad values with the line", "[gc][config]") {
  client::daemon::DaemonConfig c;
  CHECK(c.blob_gc_period_s == 86400);
  CHECK(c.blob_gc_grace_days == 7);
  REQUIRE(client::daemon::apply_config_text("blob_gc_period_s = 3600\nblob_gc_grace_days = 14\n", "halld.conf", c).is_ok());
  CHECK(c.blob_gc_period_s == 3600);
  CHECK(c.blob_gc_grace_days == 14);
  auto bad = client::daemon::apply_config_text("\nblob_gc_grace_days = 0\n", "halld.conf", c);
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.message().find("halld.conf:2") != std::string::npos);
  CHECK_FALSE(client::daemon::apply_config_text("blob_gc_period_s = soon\n", "halld.conf", c).is_ok());
}

TEST_CASE("halld.conf sets the scan retention in days, 0 keeping scans for ever, and refuses bad values",
          "[gc][config][retention]") {
  client::daemon::DaemonConfig c;
  CHECK(c.scan_retention_days == 180);
  REQUIRE(client::daemon::apply_config_text("scan_retention_days = 0\n", "halld.conf", c).is_ok());
  CHECK(c.scan_retention_days == 0);
  for (const char* bad : {"scan_retention_days = -1\n", "scan_retention_days = 3651\n", "scan_retention_days = half\n"})
    CHECK_FALSE(client::daemon::apply_config_text(bad, "halld.conf", c).is_ok());
  auto off = client::daemon::run_scan_retention("/nonexistent", 0);  // 0: never purge, never opens the store
  REQUIRE(off.is_ok());
  CHECK(off->files_removed == 0);
}

TEST_CASE("Blob GC runs ten minutes after start and then daily, or after one period when shorter", "[gc]") {
  auto daily = client::daemon::blob_gc_timing(86400);
  CHECK(daily.first_delay == std::chrono::minutes(10));
  CHECK(daily.period == std::chrono::hours(24));
  auto quick = client::daemon::blob_gc_timing(2);
  CHECK(quick.first_delay == 2s);
}

TEST_CASE("A scheduled blob GC removes an old orphan and keeps queued uploads and young files", "[gc]") {
  HallFixture f;
  auto c = f.register_complete();
  BlobStore blobs(client::blob_dir(*f.store));
  std::string jpeg_head("\xFF\xD8\xFF\xE0", 4);
  auto orphan = blobs.put(jpeg_head + std::string(3000, 'o')).value();
  auto young = blobs.put(jpeg_head + std::string(4000, 'y')).value();
  auto queued = blobs.put(jpeg_head + std::string(5000, 'q')).value();  // an upload in flight
  {
    auto txn = Transaction::begin(f.store->db());
    REQUIRE(enqueue_blob_upload(*txn, queued, "image/jpeg", c.case_id, f.clock.now_ms()).is_ok());
    REQUIRE(txn->commit().is_ok());
  }
  // The job uses the system clock: ages are relative to now.
  auto age = [&](const std::string& sha, std::chrono::hours h) {
    std::filesystem::last_write_time(blobs.path_of(sha), std::filesystem::file_time_type::clock::now() - h);
  };
  age(orphan.sha256, std::chrono::hours(24 * 8));
  age(queued.sha256, std::chrono::hours(24 * 30));
  age(young.sha256, std::chrono::hours(24));

  // Catch's assertions are not thread-safe: the job only records its result.
  std::optional<Result<client::BlobGarbageReport>> outcome;
  {
    PeriodicJob job({1ms, 1h}, [&] { outcome = client::daemon::run_blob_gc(f.store->data_dir(), 7); });
    for (int i = 0; i < 2500 && job.runs() == 0; ++i) std::this_thread::sleep_for(2ms);
    REQUIRE(job.runs() == 1);  // once: the next run is an hour away
  }
  REQUIRE(outcome);
  REQUIRE(outcome->is_ok());
  CHECK((*outcome)->removed == 1);
  CHECK(client::daemon::blob_gc_summary(**outcome).find("removed 1 file(s), 3004 bytes") != std::string::npos);
  CHECK_FALSE(blobs.contains(orphan.sha256));
  CHECK(blobs.contains(queued.sha256));
  CHECK(blobs.contains(young.sha256));
}
