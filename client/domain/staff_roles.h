// Staff roles and what each may do (issue #7, least privilege): the one table
// every gate reads — halld's local API for each route, the web page through
// GET /api/me, and `hall account` for which roles exist. Pure data, no store.
//
//   permission      clerk  supervisor  technician  auditor
//   case.read         x        x                      x     list, case page, history (masked)
//   case.write        x        x                            register, steps, scans, conflicts
//   case.print        x        x                            the printable documents
//   catalog.read      x        x           x          x
//   sync.read         x        x           x          x     status bar, sync history
//   sync.request      x        x           x                「立即同步」
//   staff.manage               x                            accounts: list, add, role, password
//   audit.read                                        x     the audit log and its export
//   diagnostics                            x                doctor, diagnostic bundles (hallctl)
//   resync                                 x                repairs (hallctl resync)
//
// Separation of duties (GB/T 22239 level 3): whoever manages accounts does not
// read the trail that records it, and the technician sees no case content.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sync/api/status.h"

namespace hallsync::client {

enum class Permission {
  CaseRead,
  CaseWrite,
  CasePrint,
  CatalogRead,
  SyncRead,
  SyncRequest,
  StaffManage,
  AuditRead,
  Diagnostics,
  Resync,
};

// "clerk", "supervisor", "technician", "auditor", in that order.
const std::vector<std::string>& staff_roles();
bool is_staff_role(std::string_view role);
// 窗口人员 / 负责人 / 技术人员 / 审计员; the code itself for an unknown role.
std::string role_label(std::string_view role);
// Every permission, for tables and tests; its stable name ("case.read").
const std::vector<Permission>& all_permissions();
std::string_view permission_name(Permission p);

// True when `role` may do `p`; an unknown role may do nothing.
bool role_allows(std::string_view role, Permission p);
// The permissions of `role`, by name (what GET /api/me shows the page).
std::vector<std::string> role_permission_names(std::string_view role);

// Ok when allowed; otherwise Status::auth with code "forbidden" and a Chinese
// message naming the roles that may (halld answers it with 403).
Status check_permission(std::string_view role, Permission p);

}  // namespace hallsync::client
