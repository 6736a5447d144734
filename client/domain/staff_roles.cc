// The role/permission table of staff_roles.h. A permission is granted by
// listing the role here and nowhere else, so a review of who may do what is a
// review of this one table.
#include "client/domain/staff_roles.h"

#include <algorithm>
#include <array>

namespace hallsync::client {
namespace {

struct Grant {
  Permission permission;
  std::string_view name;
  std::string_view what;  // for the refusal message
  std::array<std::string_view, 4> roles;  // empty entries unused
};

// #7: least privilege. The auditor never writes; the technician never sees a
// case; account management is the supervisor's alone.
constexpr std::array<Grant, 10> kGrants{{
    {Permission::CaseRead, "case.read", "查看办件", {"clerk", "supervisor", "auditor", ""}},
    {Permission::CaseWrite, "case.write", "受理和办理办件", {"clerk", "supervisor", "", ""}},
    {Permission::CasePrint, "case.print", "打印办件文书", {"clerk", "supervisor", "", ""}},
    {Permission::CatalogRead, "catalog.read", "查看事项目录", {"clerk", "supervisor", "technician", "auditor"}},
    {Permission::SyncRead, "sync.read", "查看同步状态", {"clerk", "supervisor", "technician", "auditor"}},
    {Permission::SyncRequest, "sync.request", "发起同步", {"clerk", "supervisor", "technician", ""}},
    {Permission::StaffManage, "staff.manage", "管理工作人员账号", {"supervisor", "", "", ""}},
    {Permission::AuditRead, "audit.read", "查看和导出审计日志", {"auditor", "", "", ""}},
    {Permission::Diagnostics, "diagnostics", "诊断和导出诊断包", {"technician", "", "", ""}},
    {Permission::Resync, "resync", "重新同步和修复", {"technician", "", "", ""}},
}};

const Grant& grant_of(Permission p) {
  return *std::find_if(kGrants.begin(), kGrants.end(), [p](const Grant& g) { return g.permission == p; });
}

}  // namespace

const std::vector<std::string>& staff_roles() {
  static const std::vector<std::string> roles{"clerk", "supervisor", "technician", "auditor"};
  return roles;
}

bool is_staff_role(std::string_view role) {
  const auto& r = staff_roles();
  return std::find(r.begin(), r.end(), role) != r.end();
}

std::string role_label(std::string_view role) {
  if (role == "clerk") return "窗口人员";
  if (role == "supervisor") return "负责人";
  if (role == "technician") return "技术人员";
  if (role == "auditor") return "审计员";
  return std::string(role);
}

const std::vector<Permission>& all_permissions() {
  static const std::vector<Permission> all = [] {
    std::vector<Permission> v;
    for (const auto& g : kGrants) v.push_back(g.permission);
    return v;
  }();
  return all;
}

std::string_view permission_name(Permission p) { return grant_of(p).name; }

bool role_allows(std::string_view role, Permission p) {
  if (role.empty()) return false;
  const auto& roles = grant_of(p).roles;
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::vector<std::string> role_permission_names(std::string_view role) {
  std::vector<std::string> out;
  for (const auto& g : kGrants)
    if (role_allows(role, g.permission)) out.emplace_back(g.name);
  return out;
}

Status check_permission(std::string_view role, Permission p) {
  if (role_allows(role, p)) return Status::ok();
  const Grant& g = grant_of(p);
  std::string who;
  for (auto r : g.roles) {
    if (r.empty()) continue;
    if (!who.empty()) who += "或";
    who += role_label(r) + "（" + std::string(r) + "）";
  }
  return Status::auth("无权" + std::string(g.what) + "：需要" + who + "角色，当前登录的是" + role_label(role) +
                      "。请换用有权限的账号登录")
      .with_code("forbidden");
}

}  // namespace hallsync::client
