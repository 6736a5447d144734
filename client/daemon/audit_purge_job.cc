// halld's audit-log purge: one run on its own connection, and its log line
// (counts only).
#include "client/daemon/audit_purge_job.h"

#include "client/store/hall_store.h"
#include "sync/api/clock.h"

namespace hallsync::client::daemon {

Result<AuditPurge> run_audit_purge(const std::string& data_dir, int retention_days) {
  // Background rank: an intake commit at the window goes first. The PC's own
  // clock, not the store's corrected one: 0009's trigger measures the 184-day
  // floor on the PC's clock, and a purge must never be refused for the gap.
  HALLSYNC_ASSIGN_OR_RETURN(auto store, HallStore::open(data_dir, SystemClock::instance(), WriterRank::Background));
  return purge_audit(store->db(), SystemClock::instance().now_ms(), retention_days);
}

std::string audit_purge_summary(const AuditPurge& p) {
  return "audit purge: removed " + std::to_string(p.removed) + " entr" + (p.removed == 1 ? "y" : "ies") +
         " before horizon_ms=" + std::to_string(p.horizon_ms);
}

}  // namespace hallsync::client::daemon
