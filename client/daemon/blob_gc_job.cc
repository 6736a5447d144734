// halld's scheduled blob GC: timing, one run on its own connection, and the
// log line (no personal data: counts and bytes only).
#include "client/daemon/blob_gc_job.h"

#include <algorithm>

#include "sync/api/clock.h"

namespace hallsync::client::daemon {

PeriodicTiming blob_gc_timing(int period_s) {
  std::chrono::milliseconds period = std::chrono::seconds(period_s);
  return PeriodicTiming{std::min<std::chrono::milliseconds>(std::chrono::minutes(10), period), period};
}

Result<BlobGarbageReport> run_blob_gc(const std::string& data_dir, int grace_days) {
  // Background rank: an intake commit at the window goes first.
  HALLSYNC_ASSIGN_OR_RETURN(auto store, HallStore::open(data_dir, SystemClock::instance(), WriterRank::Background));
  return collect_blob_garbage(*store, static_cast<std::int64_t>(grace_days) * 24 * 3600 * 1000, false);
}

std::string blob_gc_summary(const BlobGarbageReport& r) {
  return "blob gc: removed " + std::to_string(r.removed) + " file(s), " + std::to_string(r.removed_bytes) +
         " bytes; kept " + std::to_string(r.referenced) + " referenced or queued, " + std::to_string(r.too_recent) +
         " unreferenced within the grace period";
}

Result<ScanRetentionRun> run_scan_retention(const std::string& data_dir, int retention_days) {
  if (retention_days <= 0) return ScanRetentionRun{};
  HALLSYNC_ASSIGN_OR_RETURN(auto store, HallStore::open(data_dir, SystemClock::instance(), WriterRank::Background));
  return purge_expired_scans(*store, static_cast<std::int64_t>(retention_days) * 24 * 3600 * 1000);
}

std::string scan_retention_summary(const ScanRetentionRun& r) {
  return "scan retention: removed " + std::to_string(r.files_removed) + " file(s) of " + std::to_string(r.cases) +
         " closed case(s), " + std::to_string(r.bytes_freed) + " bytes; kept " + std::to_string(r.kept_unconfirmed) +
         " not yet confirmed by the hub or fetched back, " + std::to_string(r.kept_shared) +
         " shared with a case still in its period";
}

}  // namespace hallsync::client::daemon
