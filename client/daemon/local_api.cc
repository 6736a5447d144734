// Routing and JSON of halld's local API (see local_api.h). The case views are
// the `hall` CLI's (cli_support), so both show the same masked shapes.
#include "client/daemon/local_api.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>

#include "client/cli/case_steps.h"
#include "client/cli/cli_support.h"
#include "client/daemon/daemon_log.h"
#include "client/daemon/local_api_http.h"
#include "client/daemon/sync_history.h"
#include "client/web/web_assets.h"
#include "client/store/case_repository.h"
#include "client/store/material_attach.h"
#include "sync/api/change_log.h"
#include "sync/api/replicator.h"

namespace hallsync::client::daemon {
namespace {

using nlohmann::json;

// An integer query parameter within [min, max]; `fallback` when absent.
Result<int> int_param(const Query& q, const std::string& name, int fallback, int min, int max) {
  auto it = q.find(name);
  if (it == q.end() || it->second.empty()) return fallback;
  int v = 0;
  auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || end != it->second.data() + it->second.size() || v < min || v > max)
    return Status::validation("参数 " + name + " 应为 " + std::to_string(min) + "–" + std::to_string(max) + " 之间的整数");
  return v;
}

json run_json(const SyncRunRecord& r) {
  auto text_or_null = [&](const std::string& s) { return r.ok ? json(nullptr) : json(s); };
  return {{"id", r.id},
          {"started_ms", r.started_ms},
          {"ended_ms", r.ended_ms},
          {"pushed", r.pushed},
          {"pulled", r.pulled},
          {"rejected", r.rejected},
          {"bytes_sent", r.bytes_sent},
          {"bytes_received", r.bytes_received},
          {"outcome", r.ok ? "ok" : "error"},
          {"error_class", text_or_null(error_class(r.error_kind, r.error_code))},
          {"error_kind", text_or_null(r.error_kind)},
          {"error_code", text_or_null(r.error_code)},
          {"error_message", text_or_null(r.error_message)}};
}

// The web page's files. The CSP allows only this origin's own script and
// style: the page works with no network, and injected markup cannot run.
HttpResponse serve_asset(const std::string& method, const std::string& path) {
  if (method != "GET" && method != "HEAD") return error_reply(405, "bad_request", "只支持 GET");
  web::WebAsset asset = web::web_asset(path);
  if (asset.body.empty()) return error_reply(404, "not_found", "没有这个页面：" + path);
  HttpResponse r;
  r.status = 200;
  r.headers = {{"Content-Type", std::string(asset.content_type)},
               {"Cache-Control", "no-cache"},
               {"X-Content-Type-Options", "nosniff"},
               {"X-Frame-Options", "DENY"},
               {"Referrer-Policy", "no-referrer"},
               {"Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"}};
  r.body = std::string(asset.body);
  return r;
}

}  // namespace

HttpResponse LocalApi::handle(const HttpRequest& request) {
  try {
    return route(request);
  } catch (const std::exception& e) {
    log_error(std::string("local API: ") + request.method + " request failed: " + e.what());
    return error_reply(500, "internal", "内部错误，请联系技术人员");
  }
}

HttpResponse LocalApi::route(const HttpRequest& request) {
  std::string_view target = request.target;
  auto qmark = target.find('?');
  std::string path(target.substr(0, qmark));
  Query query = parse_query(qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1));
  const std::string& method = request.method;
  const bool get = method == "GET", post = method == "POST";
  if (path.rfind("/api/", 0) != 0) return serve_asset(method, path);
  if (Status s = reference_->refresh(*store_); !s.is_ok()) return status_reply(s);
  // The sync thread's store may have learned a new clock offset since the last request.
  if (Status s = store_->refresh_civil_clock(); !s.is_ok()) return status_reply(s);
  CivilDate today = cli::today(*store_);

  if (path == "/api/health") {
    if (!get) return error_reply(405, "bad_request", "只支持 GET");
    return reply(200, {{"status", "ok"}});
  }
  if (auto r = route_staff(request, path)) return *r;

  // Sign-in gate (local_api.h): case and catalog endpoints need a session once
  // the store has staff accounts; the sync endpoints never do.
  auto who = actor(request);
  if (!who) return status_reply(who.status());
  const bool anonymous = who->accounts && !who->session;
  if (anonymous && path.rfind("/api/sync", 0) != 0)
    return error_reply(401, "unauthorized", "请先登录（登录已超时或尚未登录）");
  // Role gate (#7), before any route runs so a refusal changes nothing. An
  // anonymous sync call is `hall sync` on this PC and keeps its open path.
  if (!anonymous)
    if (auto r = refuse_if_forbidden(request, path, *who)) return *r;
  if (auto r = route_admin(request, path, query, *who)) return *r;
  if (auto r = route_case_actions(request, path, query, *who)) return *r;

  if (path == "/api/cases" && get) {
    CaseFilter f;
    if (auto it = query.find("status"); it != query.end() && !it->second.empty()) {
      f.state = parse_case_state(it->second);
      if (!f.state) return error_reply(400, "validation", "未知的办件状态：" + it->second);
    }
    if (auto it = query.find("matter"); it != query.end() && !it->second.empty()) {
      const Matter* m = store_->catalog().find(it->second);
      f.matter_id = m ? m->matter_id : it->second;
    }
    f.overdue_only = query.count("overdue") && query["overdue"] != "0" && query["overdue"] != "false";
    auto due_within = int_param(query, "due_within", -1, 0, 365);
    auto limit = int_param(query, "limit", 200, 1, 10000);
    if (!due_within) return status_reply(due_within.status());
    if (!limit) return status_reply(limit.status());
    f.due_within_days = *due_within;
    f.limit = *limit;
    if (auto it = query.find("search"); it != query.end()) f.search = it->second;
    if (auto it = query.find("clerk"); it != query.end()) f.clerk_id = it->second;
    for (auto [name, field] : {std::pair{"from", &f.accepted_from}, std::pair{"to", &f.accepted_to}}) {
      auto it = query.find(name);
      if (it == query.end() || it->second.empty()) continue;
      if (!CivilDate::parse(it->second)) return error_reply(400, "validation", "日期格式应为 YYYY-MM-DD：" + it->second);
      *field = it->second;
    }
    f.today = today;
    CaseRepository repo(*store_);
    auto rows = repo.list(f);
    if (!rows) return status_reply(rows.status());
    json out = {{"cases", json::array()}};
    for (const auto& s : *rows) out["cases"].push_back(cli::case_summary_json(s, *store_, today));
    return reply(200, out);
  }

  if (path == "/api/cases" && post) {
    json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object())
      return error_reply(400, "bad_request", "请求内容不是有效的 JSON 对象");
    IntakeForm form;
    std::string problem;
    if (!text_field(body, "matter_id", form.matter_id, problem) ||
        !text_field(body, "applicant_name", form.applicant_name, problem) ||
        !text_field(body, "id_number", form.id_number, problem) || !text_field(body, "phone", form.phone, problem) ||
        !text_field(body, "note", form.note, problem) || !text_field(body, "clerk_id", form.clerk_id, problem) ||
        !text_list_field(body, "materials_received", form.materials_received, problem))
      return error_reply(400, "bad_request", problem);
    // With staff accounts the signed-in clerk acts, whatever the body says.
    if (who->accounts) form.clerk_id = who->session->account.clerk_id;
    if (body.contains("all_materials") && body["all_materials"].is_boolean() && body["all_materials"].get<bool>()) {
      if (const Matter* m = store_->catalog().find(form.matter_id))
        for (const auto& mat : m->materials)
          if (std::find(form.materials_received.begin(), form.materials_received.end(), mat) ==
              form.materials_received.end())
            form.materials_received.push_back(mat);
    }
    // Every field's problem at once, each named, so the page marks them all.
    auto errors = intake_field_errors(form, store_->catalog(),
                                      today.year() * 10000 + static_cast<int>(today.month()) * 100 + static_cast<int>(today.day()));
    if (!errors.empty()) return field_errors_reply(errors);
    CaseRepository repo(*store_);
    auto view = repo.register_case(form);
    if (!view) return status_reply(view.status());
    log_info("case registered: " + view->acceptance_no + " matter " + view->matter_id + " by clerk " + form.clerk_id);
    scheduler_->notify_local_write();
    return reply(201, cli::case_detail_json(*view, *store_, today));
  }

  // A scanned material: the file itself is the body (never a path, so nothing
  // outside what the clerk sent can be read); ?material=NAME&clerk_id=ID, and
  // keep_original=1 to store the exact bytes (no downscaling).
  const std::string kMaterials = "/materials";
  if (path.rfind("/api/cases/", 0) == 0 && post && path.size() > kMaterials.size() &&
      path.compare(path.size() - kMaterials.size(), kMaterials.size(), kMaterials) == 0) {
    std::string ref = percent_decode(path.substr(11, path.size() - 11 - kMaterials.size()));
    // With staff accounts the signed-in clerk attaches, as for every other write.
    std::string clerk = who->accounts ? who->session->account.clerk_id : query["clerk_id"];
    auto r = attach_material_bytes(*store_, ref, request.body, query["material"], clerk,
                                   AttachOptions{query["keep_original"] == "1"});
    if (!r) return status_reply(r.status());
    log_info("material attached to " + r->view.acceptance_no + ": " + r->file.media_type + ", " +
             std::to_string(r->file.size) + " bytes" +
             (r->file.downscaled() ? " (downscaled from " + std::to_string(r->file.original_size) + ")" : "") +
             ", by clerk " + clerk);
    scheduler_->notify_local_write();
    return reply(201, cli::case_detail_json(r->view, *store_, today));
  }

  if (path.rfind("/api/cases/", 0) == 0 && get) {
    std::string ref = percent_decode(path.substr(std::string("/api/cases/").size()));
    if (ref.empty()) return error_reply(404, "not_found", "请指定受理编号");
    CaseRepository repo(*store_);
    auto view = repo.load(ref);
    if (!view) return status_reply(view.status());
    json out = cli::case_detail_json(*view, *store_, today);
    out["actions"] = json::array();
    for (const auto* step : cli::allowed_steps(*view))
      out["actions"].push_back({{"step", step->name}, {"label", step->help}, {"options", step->options},
                                {"required", step->required}});
    return reply(200, out);
  }

  if (path == "/api/sync/status" && get) {
    SchedulerStatus st = scheduler_->status();
    ChangeLog log(store_->db());
    auto outbox = log.stats();
    if (!outbox) return status_reply(outbox.status());
    auto offset = read_sync_value(store_->db(), kClockOffsetKey, 0);
    if (!offset) return status_reply(offset.status());
    json last_error = st.has_run && !st.last_ok
                          ? json{{"class", error_class(st.error_kind, st.error_code)},
                                 {"kind", st.error_kind},
                                 {"code", st.error_code},
                                 {"message", st.error_message}}
                          : json(nullptr);
    return reply(200, {{"online", st.has_run && st.last_ok},
                       {"running", st.running},
                       {"hub_linked", st.hub_linked},
                       {"sessions", st.sessions},
                       {"sessions_started", st.sessions_started},
                       {"last_run_ms", st.has_run ? json(st.last_run_ms) : json(nullptr)},
                       {"last_success_ms", st.last_success_ms ? json(st.last_success_ms) : json(nullptr)},
                       {"last_error", last_error},
                       {"consecutive_failures", st.consecutive_failures},
                       {"next_run_ms", st.next_run_ms},
                       {"pending", outbox->pending},
                       {"outbox", {{"acknowledged_through", outbox->acknowledged_through},
                                   {"last_seq", outbox->last_seq},
                                   {"oldest_pending_ms", outbox->oldest_pending_ms}}},
                       {"clock_offset_ms", *offset},
                       // Non-empty when dates follow the platform's time, not this PC's clock.
                       {"clock_notice", store_->civil_clock().notice()}});
  }

  if (path == "/api/sync" && post) {
    std::uint64_t session = scheduler_->request_sync_now();
    return reply(202, {{"status", "scheduled"}, {"session", session}});
  }

  if (path == "/api/sync/history" && get) {
    auto limit = int_param(query, "limit", 50, 1, 1000);
    if (!limit) return status_reply(limit.status());
    auto runs = recent_sync_runs(store_->db(), *limit);
    if (!runs) return status_reply(runs.status());
    json out = {{"runs", json::array()}};
    for (const auto& r : *runs) out["runs"].push_back(run_json(r));
    return reply(200, out);
  }

  bool known = path == "/api/cases" || path.rfind("/api/cases/", 0) == 0 || path == "/api/sync/status" ||
               path == "/api/sync" || path == "/api/sync/history" || path == "/api/audit" || path == "/api/staff";
  if (known) return error_reply(405, "bad_request", "此地址不支持 " + method + " 方法");
  return error_reply(404, "not_found", "没有这个接口：" + path);
}

}  // namespace hallsync::client::daemon
