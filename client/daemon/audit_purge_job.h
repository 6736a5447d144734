// halld's audit-log retention purge (issue #7): run by the daily maintenance
// job beside the blob collection (tools/halld/main.cc), on a store connection
// of its own. Entries older than audit_retention_days (≥ 184) go; the purge
// records itself. See client/store/audit_log.h for how the schema lets this
// one deletion through and refuses every other.
#pragma once

#include <string>

#include "client/store/audit_log.h"

namespace hallsync::client::daemon {

Result<AuditPurge> run_audit_purge(const std::string& data_dir, int retention_days);
std::string audit_purge_summary(const AuditPurge& purge);

}  // namespace hallsync::client::daemon
