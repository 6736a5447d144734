// hallctl's entries in the hall's audit log (issue #7): enrollment, resyncs
// and diagnostic exports, by "technician:<OS user>". The store is opened only
// when it exists (enroll and a rebuild of a lost store may come before it);
// the action has already happened, so a failure to record it is a warning.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "client/store/audit_log.h"
#include "client/store/hall_store.h"
#include "sync/api/clock.h"
#include "tools/hallctl/ctl_commands.h"

namespace hallsync::tools {

void audit_ctl(const std::string& data_dir, const std::string& action, const std::string& target, const Status& outcome,
               const std::string& detail) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(fs::path(data_dir) / client::HallStore::kDatabaseFile, ec)) return;
  auto store = client::HallStore::open(data_dir, SystemClock::instance(), WriterRank::Background);
  Status s = store.status();
  if (store) {
    std::string what = outcome.is_ok() ? detail : detail + (detail.empty() ? "" : "; ") + outcome.to_string();
    s = client::record_audit((*store)->db(), {0, (*store)->clock().now_ms(), client::os_actor("technician"), action,
                                              target, outcome.is_ok() ? "ok" : "failed", what});
  }
  if (!s.is_ok()) std::cerr << "hallctl: warning: could not record " << action << " in the audit log: " << s.to_string() << "\n";
}

}  // namespace hallsync::tools
