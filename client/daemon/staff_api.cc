// Staff sign-in for the web page: POST /api/login {clerk_id, password} sets
// the session cookie, POST /api/logout drops it, GET /api/me says who is
// signed in, with which role and permissions, and whether sign-in is needed at
// all. See local_api.h for what a session unlocks; staff_sessions.h for
// timeouts and lockouts. Every outcome of a sign-in is audited (#7).
#include <nlohmann/json.hpp>

#include "client/daemon/daemon_log.h"
#include "client/daemon/local_api.h"
#include "client/domain/staff_roles.h"
#include "client/store/audit_log.h"

namespace hallsync::client::daemon {
namespace {

using nlohmann::json;

constexpr const char* kCookie = "hall_session";

json account_json(const StaffAccount& a) {
  return {{"clerk_id", a.clerk_id},
          {"display_name", a.display_name},
          {"role", a.role},
          {"role_label", role_label(a.role)},
          {"permissions", role_permission_names(a.role)}};
}

// A typed clerk id goes into the audit log only when it has a clerk id's
// shape: someone may type their ID number or name into the box.
std::string typed_id(const std::string& clerk) {
  return validate_clerk_id(clerk).is_ok() ? clerk : "（格式不符的工号）";
}

// HttpOnly: page scripts never see the token. SameSite=Strict: no other site's
// page can make the browser send it (the API's protection against forged
// requests). No Max-Age: the browser forgets it when closed; halld ends it
// after the idle timeout either way.
std::string session_cookie(const std::string& token) {
  return std::string(kCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict";
}

}  // namespace

Result<LocalApi::Actor> LocalApi::actor(const HttpRequest& request) {
  Actor a;
  HALLSYNC_ASSIGN_OR_RETURN(a.accounts, any_staff(store_->db()));
  const std::string token = cookie_value(request.header_value("Cookie"), kCookie);
  std::string expired;
  a.session = sessions_.find(token, store_->clock().now_ms(), &expired);
  if (!expired.empty()) audit("halld", "session_expired", expired, "ok", "idle timeout");
  if (!a.accounts) {
    a.role = "clerk";  // one PC, no accounts: the trusted-body path acts as a clerk
  } else if (a.session) {
    // The role as stored now: a role changed by `hall account role` applies at
    // once, and an account that is gone ends its session.
    HALLSYNC_ASSIGN_OR_RETURN(auto current, find_staff(store_->db(), a.session->account.clerk_id));
    if (!current) {
      sessions_.close(token);
      a.session = nullptr;
    } else {
      a.role = current->role;
    }
  }
  return a;
}

void LocalApi::audit(const std::string& actor, const std::string& action, const std::string& target,
                     const std::string& outcome, const std::string& detail) {
  Status s = record_audit(store_->db(), {0, store_->clock().now_ms(), actor, action, target, outcome, detail});
  if (!s.is_ok()) log_error("audit log: could not record " + action + ": " + s.to_string());
}

std::optional<HttpResponse> LocalApi::route_staff(const HttpRequest& request, const std::string& path) {
  if (path != "/api/login" && path != "/api/logout" && path != "/api/me") return std::nullopt;
  const bool post = request.method == "POST";
  const std::int64_t now = store_->clock().now_ms();

  if (path == "/api/me") {
    if (request.method != "GET") return error_reply(405, "bad_request", "只支持 GET");
    auto who = actor(request);
    if (!who) return status_reply(who.status());
    json clerk = json(nullptr);
    if (who->session) {
      StaffAccount current = who->session->account;
      current.role = who->role;
      clerk = account_json(current);
    }
    return reply(200, {{"login_required", who->accounts},
                       {"clerk", clerk},
                       // What the page may offer: the signed-in role's, or a clerk's with no accounts.
                       {"permissions", who->role.empty() ? std::vector<std::string>() : role_permission_names(who->role)},
                       {"idle_timeout_s", sessions_.limits().idle_timeout_ms / 1000}});
  }
  if (!post) return error_reply(405, "bad_request", "只支持 POST");

  if (path == "/api/logout") {
    const std::string token = cookie_value(request.header_value("Cookie"), kCookie);
    if (const StaffSession* open = sessions_.find(token, now)) {
      audit(open->account.clerk_id, "sign_out", open->account.clerk_id, "ok");
      sessions_.close(token);
    }
    HttpResponse r = reply(200, {{"status", "signed_out"}});
    r.headers.emplace_back("Set-Cookie", std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return r;
  }

  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) return error_reply(400, "bad_request", "请求内容不是有效的 JSON 对象");
  std::string clerk, password, problem;
  if (!text_field(body, "clerk_id", clerk, problem) || !text_field(body, "password", password, problem))
    return error_reply(400, "bad_request", problem);
  if (clerk.empty()) return field_errors_reply({{"clerk_id", "请输入工号"}});
  if (password.empty()) return field_errors_reply({{"password", "请输入密码"}});
  if (std::int64_t wait = sessions_.locked_for(clerk, now); wait > 0) {
    log_warn("sign-in refused: clerk " + clerk + " is locked out after repeated wrong passwords");
    audit("anonymous", "sign_in", typed_id(clerk), "refused", "locked out");
    return error_reply(429, "locked", "密码连续输错次数过多，该工号已暂时锁定，请 " +
                                          std::to_string((wait + 59'999) / 60'000) + " 分钟后再试，或请负责人重置密码");
  }
  auto account = check_login(store_->db(), clerk, password);
  if (!account) {
    if (account.status().kind() != ErrorKind::Auth) return status_reply(account.status());
    const bool locks = sessions_.record_failure(clerk, now);
    log_warn("sign-in failed for clerk " + clerk);
    audit("anonymous", "sign_in", typed_id(clerk), "refused", "wrong clerk id or password");
    if (locks)
      audit("halld", "lockout", typed_id(clerk), "ok",
            std::to_string(sessions_.limits().max_failures) + " wrong passwords in a row: locked for " +
                std::to_string(sessions_.limits().lockout_ms / 60'000) + " min");
    return status_reply(account.status());
  }
  sessions_.record_success(clerk);
  std::string token = sessions_.open(*account, now);
  log_info("clerk " + clerk + " signed in");
  audit(clerk, "sign_in", clerk, "ok", "role " + account->role);
  HttpResponse r = reply(200, {{"clerk", account_json(*account)}});
  r.headers.emplace_back("Set-Cookie", session_cookie(token));
  return r;
}

}  // namespace hallsync::client::daemon
