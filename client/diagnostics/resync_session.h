// ResyncSession: hallctl resync — one repair of a hall against the hub, in
// one of three modes, with the epoch handshake first:
//   repush   send every local event again (the hub keeps each once, by id);
//   repull   read the hall's whole history again (applying is idempotent);
//   rebuild  a fresh store from the hub, carrying over what the hub lacks,
//            the old store kept in DATA_DIR/backups/ (client/store/store_rebuild.h).
// A hub whose epoch differs from the one the store follows was reset or
// restored: its event numbering restarted, so only a rebuild is safe, and
// only when the technician names the new epoch (--accept-epoch). Refuses to
// run while halld holds the data directory's lock.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "client/store/store_rebuild.h"
#include "sync/api/replicator.h"

namespace hallsync::client::diagnostics {

enum class ResyncMode { Repush, Repull, Rebuild };

struct ResyncRequest {
  std::string data_dir;
  ResyncMode mode = ResyncMode::Repull;
  bool dry_run = false;
  std::string accept_epoch;               // the new hub epoch the technician agreed to
  std::optional<HallIdentity> identity;   // rebuild of a lost store only
  std::function<void(const std::string&)> say;             // plan and result lines
  std::function<void(const SyncStats&, std::int64_t)> on_progress;  // totals so far, expected total (0 unknown)
};

// Ok when done (or, for a dry run, when the plan was printed).
Status run_resync(const ResyncRequest& request, const Clock& clock);

}  // namespace hallsync::client::diagnostics
