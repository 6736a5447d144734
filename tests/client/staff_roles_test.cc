// The role/permission table (client/domain/staff_roles.h) and the route map
// halld checks it against (client/daemon/route_permissions.h).
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "client/daemon/route_permissions.h"
#include "client/domain/staff_roles.h"

using namespace hallsync;
using namespace hallsync::client;
using hallsync::client::daemon::route_permission;

namespace {

// The table as the README and staff_roles.h state it, written out again here
// so a change to the code must be a deliberate change to this test too.
const std::map<std::string, std::set<std::string>> kExpected = {
    {"clerk", {"case.read", "case.write", "case.print", "catalog.read", "sync.read", "sync.request"}},
    {"supervisor", {"case.read", "case.write", "case.print", "catalog.read", "sync.read", "sync.request", "staff.manage"}},
    {"technician", {"catalog.read", "sync.read", "sync.request", "diagnostics", "resync"}},
    {"auditor", {"case.read", "catalog.read", "sync.read", "audit.read"}},
};

}  // namespace

TEST_CASE("Each role holds exactly the permissions of the least-privilege table", "[roles]") {
  REQUIRE(staff_roles() == std::vector<std::string>{"clerk", "supervisor", "technician", "auditor"});
  for (const auto& [role, expected] : kExpected) {
    INFO(role);
    std::set<std::string> held;
    for (Permission p : all_permissions())
      if (role_allows(role, p)) held.insert(std::string(permission_name(p)));
    CHECK(held == expected);
    auto names = role_permission_names(role);
    CHECK(std::set<std::string>(names.begin(), names.end()) == expected);
  }
}

TEST_CASE("The auditor never writes, the technician never sees a case, only the supervisor manages accounts", "[roles]") {
  CHECK_FALSE(role_allows("auditor", Permission::CaseWrite));
  CHECK_FALSE(role_allows("auditor", Permission::CasePrint));
  CHECK_FALSE(role_allows("auditor", Permission::SyncRequest));
  CHECK_FALSE(role_allows("technician", Permission::CaseRead));
  CHECK_FALSE(role_allows("technician", Permission::CaseWrite));
  CHECK_FALSE(role_allows("supervisor", Permission::AuditRead));  // who manages accounts does not audit them
  for (const auto& role : staff_roles())
    CHECK(role_allows(role, Permission::StaffManage) == (role == "supervisor"));
}

TEST_CASE("An unknown or empty role may do nothing", "[roles]") {
  for (Permission p : all_permissions()) {
    CHECK_FALSE(role_allows("", p));
    CHECK_FALSE(role_allows("boss", p));
    CHECK_FALSE(role_allows("Clerk", p));
  }
  CHECK_FALSE(is_staff_role("admin"));
  CHECK(is_staff_role("auditor"));
}

TEST_CASE("A refusal is a forbidden auth error whose Chinese message names the role needed", "[roles]") {
  Status s = check_permission("clerk", Permission::AuditRead);
  CHECK(s.kind() == ErrorKind::Auth);
  CHECK(s.code() == "forbidden");
  CHECK(s.message().find("审计员") != std::string::npos);
  CHECK(s.message().find("auditor") != std::string::npos);
  CHECK(s.message().find("窗口人员") != std::string::npos);  // the role signed in
  Status w = check_permission("auditor", Permission::CaseWrite);
  CHECK(w.message().find("窗口人员（clerk）或负责人（supervisor）") != std::string::npos);
  CHECK(check_permission("supervisor", Permission::StaffManage).is_ok());
}

TEST_CASE("Every case, sync, audit and staff route of the local API needs a permission", "[roles]") {
  CHECK(route_permission("GET", "/api/cases") == Permission::CaseRead);
  CHECK(route_permission("POST", "/api/cases") == Permission::CaseWrite);
  CHECK(route_permission("GET", "/api/cases/360704100-W01-20260918-000001") == Permission::CaseRead);
  CHECK(route_permission("POST", "/api/cases/X/steps/forward") == Permission::CaseWrite);
  CHECK(route_permission("POST", "/api/cases/X/materials") == Permission::CaseWrite);
  CHECK(route_permission("POST", "/api/cases/X/conflicts/E/resolve") == Permission::CaseWrite);
  CHECK(route_permission("GET", "/api/cases/X/documents/acceptance") == Permission::CasePrint);
  CHECK(route_permission("DELETE", "/api/cases/X") == Permission::CaseWrite);  // unknown verbs count as writes
  CHECK(route_permission("GET", "/api/catalog") == Permission::CatalogRead);
  CHECK(route_permission("GET", "/api/sync/status") == Permission::SyncRead);
  CHECK(route_permission("GET", "/api/sync/history") == Permission::SyncRead);
  CHECK(route_permission("POST", "/api/sync") == Permission::SyncRequest);
  CHECK(route_permission("GET", "/api/audit") == Permission::AuditRead);
  CHECK(route_permission("GET", "/api/staff") == Permission::StaffManage);
  CHECK(route_permission("POST", "/api/staff/c001/role") == Permission::StaffManage);
  for (const char* open : {"/api/health", "/api/login", "/api/logout", "/api/me"})
    CHECK_FALSE(route_permission("GET", open).has_value());
}
