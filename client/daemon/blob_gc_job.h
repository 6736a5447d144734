// halld's scheduled blob garbage collection: once a day (blob_gc_period_s),
// first a few minutes after start, it runs the same collection as `hallctl
// gc-blobs` (client/store/blob_garbage.h — unreferenced files older than the
// grace period; queued uploads are never touched) on its own store connection
// and logs what went: counts and bytes, never file or case names.
#pragma once

#include <cstdint>
#include <string>

#include "client/store/blob_garbage.h"
#include "client/store/scan_retention.h"
#include "sync/api/periodic_job.h"

namespace hallsync::client::daemon {

// The first run comes 10 minutes after start (the clerk's first intake has the
// disk and the link), or after one period when that is shorter (tests).
PeriodicTiming blob_gc_timing(int period_s);

// One collection on DATA_DIR with a store of its own; the summary line logged.
Result<BlobGarbageReport> run_blob_gc(const std::string& data_dir, int grace_days);
std::string blob_gc_summary(const BlobGarbageReport& report);

// The retention purge that follows each collection (client/store/scan_retention.h):
// this PC's copies of scans of cases closed and untouched for `retention_days`
// go, each purge recorded as a case event. 0 days: never purge.
Result<ScanRetentionRun> run_scan_retention(const std::string& data_dir, int retention_days);
std::string scan_retention_summary(const ScanRetentionRun& run);

}  // namespace hallsync::client::daemon
