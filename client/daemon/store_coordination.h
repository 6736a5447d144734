// StoreCoordination: halld opens the hall's SQLite file twice — one HallStore
// for the local API (server thread), one for sync sessions (sync thread) — so
// intake never waits for a sync session. SQLite (WAL, BEGIN IMMEDIATE) keeps
// the rows consistent and every write adopts the stored HLC inside its
// transaction (HallStore::adopt_persisted_hlc); what remains to bring up to
// date by hand is the reference data (catalog, calendar) a pull may install.
#pragma once

#include <atomic>
#include <cstdint>

#include "client/store/hall_store.h"

namespace hallsync::client::daemon {

// Bumped by the sync thread after a session that pulled changes; the API
// thread reloads its reference data when it sees a new value.
class ReferenceGeneration {
 public:
  void bump() { value_.fetch_add(1, std::memory_order_release); }
  // Reloads `store`'s catalog and calendar if a bump happened since the last call.
  Status refresh(HallStore& store);

 private:
  std::atomic<std::uint64_t> value_{0};
  std::uint64_t seen_ = 0;  // only touched by the API thread
};

}  // namespace hallsync::client::daemon
