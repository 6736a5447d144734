// Garbage collection of the hall's blob files: a file under DATA_DIR/blobs
// that no case event names and no upload waits for (an attachment whose event
// never committed), or a leftover temporary file, is removed only once it is
// older than a grace period — so an attachment being written by another
// process right now, or a blob still queued for upload, is never touched.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/store/hall_store.h"

namespace hallsync::client {

constexpr std::int64_t kDefaultBlobGraceMs = 7LL * 24 * 3600 * 1000;

struct BlobGarbageReport {
  std::int64_t referenced = 0;       // files kept: named by an event or queued
  std::int64_t too_recent = 0;       // unreferenced but within the grace period: kept
  std::int64_t removed = 0;          // (or, with dry_run, that would be removed)
  std::int64_t removed_bytes = 0;
  std::vector<std::string> removed_files;
};

Result<BlobGarbageReport> collect_blob_garbage(HallStore& store, std::int64_t grace_ms, bool dry_run);

}  // namespace hallsync::client
