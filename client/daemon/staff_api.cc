// Staff sign-in for the web page: POST /api/login {clerk_id, password} sets
// the session cookie, POST /api/logout drops it, GET /api/me says who is
// signed in and whether sign-in is needed at all. See local_api.h for what a
// session unlocks; staff_sessions.h for timeouts and lockouts.
#include <nlohmann/json.hpp>

#include "client/daemon/daemon_log.h"
#include "client/daemon/local_api.h"

namespace hallsync::client::daemon {
namespace {

using nlohmann::json;

constexpr const char* kCookie = "hall_session";

json account_json(const StaffAccount& a) {
  return {{"clerk_id", a.clerk_id}, {"display_name", a.display_name}, {"role", a.role}};
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
  a.session = sessions_.find(cookie_value(request.header_value("Cookie"), kCookie), store_->clock().now_ms());
  return a;
}

std::optional<HttpResponse> LocalApi::route_staff(const HttpRequest& request, const std::string& path) {
  if (path != "/api/login" && path != "/api/logout" && path != "/api/me") return std::nullopt;
  const bool post = request.method == "POST";
  const std::int64_t now = store_->clock().now_ms();

  if (path == "/api/me") {
    if (request.method != "GET") return error_reply(405, "bad_request", "只支持 GET");
    auto who = actor(request);
    if (!who) return status_reply(who.status());
    return reply(200, {{"login_required", who->accounts},
                       {"clerk", who->session ? account_json(who->session->account) : json(nullptr)},
                       {"idle_timeout_s", sessions_.limits().idle_timeout_ms / 1000}});
  }
  if (!post) return error_reply(405, "bad_request", "只支持 POST");

  if (path == "/api/logout") {
    sessions_.close(cookie_value(request.header_value("Cookie"), kCookie));
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
    return error_reply(429, "locked", "密码连续输错次数过多，该工号已暂时锁定，请 " +
                                          std::to_string((wait + 59'999) / 60'000) + " 分钟后再试，或请负责人重置密码");
  }
  auto account = check_login(store_->db(), clerk, password);
  if (!account) {
    if (account.status().kind() != ErrorKind::Auth) return status_reply(account.status());
    sessions_.record_failure(clerk, now);
    log_warn("sign-in failed for clerk " + clerk);
    return status_reply(account.status());
  }
  sessions_.record_success(clerk);
  std::string token = sessions_.open(*account, now);
  log_info("clerk " + clerk + " signed in");
  HttpResponse r = reply(200, {{"clerk", account_json(*account)}});
  r.headers.emplace_back("Set-Cookie", session_cookie(token));
  return r;
}

}  // namespace hallsync::client::daemon
