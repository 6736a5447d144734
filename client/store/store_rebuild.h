// StoreRebuild: hallctl resync --rebuild — a fresh hall store read from the
// hub, carrying over every local event the hub does not hold, with the old
// store kept aside as a timestamped backup (DATA_DIR/backups/, never deleted).
//
// The new outbox holds every event of this device the hub sent back, under its
// own sequence and acknowledged, so it stays the full record of the device's
// events. Carrying over: an outbox entry above the hub's high-water mark keeps its
// sequence (the hub has never seen it; a normal push delivers it). A local
// event at or below the mark that the hub does not hold (it lost it, rejected
// it, or the store was re-initialised and reused the number) gets a new
// sequence after the mark: the hub would otherwise skip it as already seen.
// Such an event keeps its HLC and content but gets a new event id.
// A store that cannot be opened is still read row by row for its own outbox
// (store_salvage.h); an entry above the mark after one lost with a damaged page
// is renumbered too, so the sequences the hub receives have no gap.
//
// Safe to interrupt: the new store is built in DATA_DIR/rebuild.partial and
// only swapped in once complete (marker file); a rerun either finishes the
// swap or starts the build over. The caller holds halld's lock.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "client/store/hall_store.h"
#include "sync/api/replicator.h"

namespace hallsync::client {

struct RebuildRequest {
  std::string data_dir;
  std::optional<HallIdentity> identity;  // needed only when DATA_DIR holds no store, or one that cannot be read
  std::string agreed_epoch;              // from the handshake; the hub must still have it
  bool dry_run = false;
  std::function<void(const SyncStats&)> on_progress;
};

struct RebuildReport {
  HallIdentity identity;
  std::int64_t hub_high_water = 0;
  std::int64_t local_events = 0;       // entries in the old store's outbox
  std::int64_t carried_same_seq = 0;   // above the mark: kept their sequence
  std::int64_t renumbered = 0;         // not at the hub, at or below the mark: new sequence
  std::int64_t left_with_backup = 0;   // events of other origins the hub no longer has (old hub's)
  std::int64_t pulled = 0;
  std::int64_t pushed = 0;
  std::string backup_path;             // empty on a dry run or when there was no old store
  bool finished_interrupted_swap = false;
  std::string unreadable_store;        // why the old store could not be opened as a store
  // From an unreadable store, its own outbox entries are read row by row
  // (store_salvage.h); these count those the hub had not acknowledged.
  std::int64_t salvaged_unsynced = 0;    // read back and carried over (then pushed)
  std::int64_t unreadable_unsynced = 0;  // lost with the damaged pages (still in the backup file)
  std::string salvage_failure;           // why nothing of the outbox could be read (empty otherwise)
};

constexpr const char* kRebuildDir = "rebuild.partial";
constexpr const char* kBackupDir = "backups";
constexpr const char* kSalvageDir = "rebuild.salvage";  // a copy of a damaged store while it is read
constexpr const char* kRebuildCompleteMarker = "complete";  // in kRebuildDir once the new store is whole

// True when an earlier rebuild stopped after moving the old store aside: the
// next rebuild only finishes the swap (no hub needed).
bool rebuild_interrupted(const std::string& data_dir);

Result<RebuildReport> rebuild_store(const RebuildRequest& request, Transport& transport, const std::string& token,
                                    const Clock& clock);

}  // namespace hallsync::client
