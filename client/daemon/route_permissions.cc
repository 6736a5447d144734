// Route → permission for halld's local API (see route_permissions.h). By
// prefix, so a route added under /api/cases/ is guarded as a case read or
// write from its first day rather than open until someone remembers it.
#include "client/daemon/route_permissions.h"

namespace hallsync::client::daemon {
namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

std::optional<Permission> route_permission(const std::string& method, const std::string& path) {
  const bool read = method == "GET" || method == "HEAD";
  if (path == "/api/catalog") return Permission::CatalogRead;
  if (path == "/api/cases" || starts_with(path, "/api/cases/")) {
    if (!read) return Permission::CaseWrite;  // register, steps, scans, conflict resolution
    return path.find("/documents/") != std::string::npos ? Permission::CasePrint : Permission::CaseRead;
  }
  if (path == "/api/sync") return read ? Permission::SyncRead : Permission::SyncRequest;
  if (starts_with(path, "/api/sync/")) return Permission::SyncRead;
  if (path == "/api/audit" || starts_with(path, "/api/audit/")) return Permission::AuditRead;
  if (path == "/api/staff" || starts_with(path, "/api/staff/")) return Permission::StaffManage;
  return std::nullopt;
}

}  // namespace hallsync::client::daemon
