// halld's role gate and the routes beyond case work (issue #7): the audit log
// for the auditor (GET /api/audit) and account roles for the supervisor
// (GET /api/staff, POST /api/staff/{clerk_id}/role). Who may call which route
// is route_permissions.h + staff_roles.h; nothing here decides it again.
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "client/cli/audit_views.h"
#include "client/daemon/daemon_log.h"
#include "client/daemon/local_api.h"
#include "client/daemon/route_permissions.h"
#include "client/store/audit_log.h"

namespace hallsync::client::daemon {
namespace {

using nlohmann::json;

constexpr int kMaxAuditPage = 10'000;

}  // namespace

std::optional<HttpResponse> LocalApi::refuse_if_forbidden(const HttpRequest& request, const std::string& path,
                                                          const Actor& who) {
  auto need = route_permission(request.method, path);
  if (!need) return std::nullopt;
  Status s = check_permission(who.role, *need);
  if (s.is_ok()) return std::nullopt;
  const std::string actor = who.session ? who.session->account.clerk_id : "anonymous";
  log_warn("forbidden: " + actor + " (" + who.role + ") " + request.method + " " + path);
  // The path names a case by its acceptance number at most: no personal data.
  audit(actor, "forbidden", request.method + " " + path, "refused",
        "role " + (who.role.empty() ? std::string("none") : who.role) + " lacks " + std::string(permission_name(*need)));
  return status_reply(s);
}

std::optional<HttpResponse> LocalApi::route_admin(const HttpRequest& request, const std::string& path,
                                                  const Query& query, const Actor& who) {
  const bool get = request.method == "GET", post = request.method == "POST";
  const std::string actor = who.session ? who.session->account.clerk_id : "anonymous";

  if (path == "/api/audit") {
    if (!get) return error_reply(405, "bad_request", "只支持 GET");
    auto since = cli::audit_since_ms(query.count("since") ? query.at("since") : "");
    if (!since) return status_reply(since.status());
    int limit = 1000;
    if (auto it = query.find("limit"); it != query.end() && !it->second.empty()) {
      limit = std::atoi(it->second.c_str());
      if (limit < 1 || limit > kMaxAuditPage) return error_reply(400, "validation", "limit 应为 1–10000 之间的整数");
    }
    auto entries = list_audit(store_->db(), *since, limit);
    if (!entries) return status_reply(entries.status());
    // Reading the trail over the API is itself on the trail.
    audit(actor, "audit_read", "audit_log", "ok", std::to_string(entries->size()) + " entries");
    json out = {{"entries", json::array()}};
    for (const auto& e : *entries) out["entries"].push_back(cli::audit_entry_json(e));
    return reply(200, out);
  }

  if (path == "/api/staff") {
    if (!get) return error_reply(405, "bad_request", "只支持 GET");
    auto rows = list_staff(store_->db());
    if (!rows) return status_reply(rows.status());
    json out = {{"staff", json::array()}};
    for (const auto& r : *rows)
      out["staff"].push_back({{"clerk_id", r.clerk_id}, {"display_name", r.display_name}, {"role", r.role},
                              {"role_label", role_label(r.role)}});
    return reply(200, out);
  }

  const std::string prefix = "/api/staff/", suffix = "/role";
  if (path.rfind(prefix, 0) == 0 && path.size() > prefix.size() + suffix.size() &&
      path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
    if (!post) return error_reply(405, "bad_request", "只支持 POST");
    std::string clerk = percent_decode(path.substr(prefix.size(), path.size() - prefix.size() - suffix.size()));
    json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    std::string role, problem;
    if (body.is_discarded() || !body.is_object()) return error_reply(400, "bad_request", "请求内容不是有效的 JSON 对象");
    if (!text_field(body, "role", role, problem)) return error_reply(400, "bad_request", problem);
    // The change and its audit entry commit together (staff_accounts.cc).
    if (Status s = set_staff_role(store_->db(), clerk, role, store_->clock().now_ms(), actor); !s.is_ok())
      return status_reply(s);
    log_info("role of " + clerk + " set to " + role + " by " + actor);
    return reply(200, {{"clerk_id", clerk}, {"role", role}, {"role_label", role_label(role)}});
  }
  return std::nullopt;
}

}  // namespace hallsync::client::daemon
