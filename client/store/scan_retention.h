// Retention of scans on the hall PC (#7, PIPL art. 19: no longer than needed).
// Scans of ID cards and household registers are sensitive; once a case is
// closed and untouched for the retention period, this PC's copies go and the
// hub's archive remains (a clerk can fetch one back: hall case fetch-materials).
// The purge is itself a case event (material_purged), recorded before any file
// is removed, so the history says when and where copies were dropped.
#pragma once

#include <cstdint>

#include "client/store/hall_store.h"

namespace hallsync::client {

struct ScanRetentionRun {
  int cases = 0;                // cases whose scans were purged here by this run
  int files_removed = 0;
  std::int64_t bytes_freed = 0;
  int kept_unconfirmed = 0;     // still waiting for the hub: never removed
  int kept_shared = 0;          // also attached to a case still inside its period
};

// Removes this PC's copies of the scans of every case that is closed (not
// is_open) and whose last event is older than `retention_ms`. A scan the hub
// has not confirmed, one attached to a case not yet expired, and one fetched
// back within the period are kept. `dry_run` counts without writing.
Result<ScanRetentionRun> purge_expired_scans(HallStore& store, std::int64_t retention_ms, bool dry_run = false);

}  // namespace hallsync::client
