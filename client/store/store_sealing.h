// Turning sealing on for a hall store as it opens (issue #7 item 7): a store
// that records a key check value is opened only with that key; a store written
// in clear (before migration 0010, or just created) gets a key if it has none
// and is sealed once, in one transaction, after which the freed pages and the
// WAL are wiped so its old clear bytes leave hall.db and hall.db-wal.
#pragma once

#include <memory>
#include <string>

#include "client/store/field_sealer.h"
#include "sync/api/database.h"

namespace hallsync::client {

// The sealer for `db` (already migrated), attached to it (the change log
// seals through it). Refuses a missing or wrong key with a Storage error a
// clerk and a technician can act on (codes store_key_missing, store_key_wrong).
Result<std::unique_ptr<FieldSealer>> attach_sealer(Database& db, const std::string& key_file);

// Whether `key_file` opens the store behind `db`, without changing anything
// (hallctl doctor): ok for a store not sealed yet (it is at its next open).
Status check_store_key(Database& db, const std::string& key_file);

// For readers that must not change the store (hallctl doctor): the sealer of
// a sealed store, attached to `db` so the change log opens its payloads; null
// for a store not sealed yet. Refuses a missing or wrong key like attach_sealer.
Result<std::unique_ptr<FieldSealer>> attach_sealer_read_only(Database& db, const std::string& key_file);

}  // namespace hallsync::client
