// ChangeLog: the device's outbox. The client appends an entry inside the same
// transaction as the change it describes; sync reads entries after the
// acknowledged sequence and marks them acknowledged when the hub confirms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sync/api/database.h"
#include "sync/api/hlc.h"

namespace hallsync {

struct LocalChange {
  std::string collection;   // e.g. "case_events"
  std::string doc_key;      // e.g. the case id
  Hlc hlc;
  std::vector<std::uint8_t> payload;  // opaque to sync
};

struct OutboxEntry {
  std::int64_t seq = 0;
  std::string collection;
  std::string doc_key;
  Hlc hlc;
  std::vector<std::uint8_t> payload;
  std::int64_t created_ms = 0;
  std::string chain;  // this entry's chain hash, raw (sync/api/change_chain.h)
};

struct OutboxStats {
  std::int64_t pending = 0;          // entries after the acknowledged sequence
  std::int64_t acknowledged_through = 0;
  std::int64_t last_seq = 0;
  std::int64_t oldest_pending_ms = 0;  // created_ms of the oldest pending entry, 0 if none
};

class ChangeLog {
 public:
  explicit ChangeLog(Database& db) : db_(&db) {}

  // Appends inside `txn` (the caller's transaction holding the change itself)
  // and returns the new entry's sequence. Fails if no transaction is open.
  Result<std::int64_t> append(Transaction& txn, const LocalChange& change, std::int64_t now_ms);

  // The sequence the next append will get, read inside `txn` so the caller can
  // name a record after it before appending.
  Result<std::int64_t> next_seq(Transaction& txn);

  // Entries with seq > after_seq, at most max_count, stopping once max_bytes of
  // payload are collected (always at least one entry if any is pending).
  Result<std::vector<OutboxEntry>> read_after(std::int64_t after_seq, std::size_t max_count,
                                              std::size_t max_bytes);

  // The chain hash just before entry `seq`: that of the last entry below it,
  // or the genesis when there is none. A push names it for its first entry.
  Result<std::string> chain_before(std::int64_t seq);

  Result<std::int64_t> acknowledged_through();
  // Records that the hub holds every entry up to `seq`; never moves backwards.
  Status mark_acknowledged_through(Transaction& txn, std::int64_t seq);

  Result<OutboxStats> stats();

  // Store rebuild (hallctl resync --rebuild): puts an entry back under its
  // original sequence (its event id names it); fails if the sequence is taken.
  // Its chain hash is computed from the entry below it, so entries must be
  // restored in ascending order; restored byte for byte, the chain comes out
  // as the hub holds it.
  Status restore_entry(Transaction& txn, const OutboxEntry& entry);
  // Makes the next append get a sequence above `seq` (the hub already holds
  // this device's entries up to it, so they must never be reused).
  Status reserve_through(Transaction& txn, std::int64_t seq);

 private:
  Database* db_;
};

// Where an entry's payload lives, as a PayloadSealer binds it (the HLC is
// unique per device): for a store sealing an outbox written in clear.
std::string change_log_payload_place(std::string_view collection, std::string_view doc_key, Hlc hlc);

// An entry's payload as it travels: opened with the store's PayloadSealer
// when one is attached, as stored otherwise. A Storage error when a sealed
// payload does not open (altered, moved, or another key).
Result<std::vector<std::uint8_t>> clear_payload(Database& db, std::string_view collection, std::string_view doc_key,
                                                Hlc hlc, std::vector<std::uint8_t> stored);

// Small named integers kept beside the outbox (cursor, clock offset, ...).
Result<std::int64_t> read_sync_value(Database& db, std::string_view name, std::int64_t fallback);
Status write_sync_value(Transaction& txn, std::string_view name, std::int64_t value);

}  // namespace hallsync
