// StoreSalvage: what a technician's rebuild can still read of a damaged hall
// store — the device's own outbox entries, row by row, so one damaged page
// costs only the entries on it (issue #6: "every unsynced local event that can
// still be read"). The damaged file itself is never opened: SQLite reads a
// copy (its WAL recovery writes), and the file goes to backups/ untouched.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sync/api/change_log.h"
#include "sync/api/payload_sealer.h"

namespace hallsync::client {

struct SalvagedOutbox {
  std::vector<OutboxEntry> entries;      // readable own events, in sequence order
  std::vector<std::int64_t> unreadable;  // sequences up to the last known one that could not be read or decoded
  // Read when their rows can be (else empty): the HLC, so new events sort after
  // the old ones, and the acceptance counter, so a number handed to an
  // applicant in a lost event is not handed out again.
  std::string hlc_last, acceptance_counter;
};

// Reads `store_file` (and its -wal) through a copy in `scratch_dir`, which is
// removed afterwards. Fails only when SQLite cannot open the copy at all
// (e.g. a garbage header); then nothing of the outbox can come back.
// `sealer` opens the payloads of a store sealed at rest (null when its key is
// lost: its sealed entries then count as unreadable).
Result<SalvagedOutbox> salvage_outbox(const std::string& store_file, const std::string& scratch_dir,
                                      const std::string& device_id, const PayloadSealer* sealer);

}  // namespace hallsync::client
