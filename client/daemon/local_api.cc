// Routing and JSON of halld's local API (see local_api.h). The case views are
// the `hall` CLI's (cli_support), so both show the same masked shapes.
#include "client/daemon/local_api.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>

#include "client/cli/cli_support.h"
#include "client/daemon/daemon_log.h"
#include "client/daemon/sync_history.h"
#include "client/store/case_repository.h"
#include "client/store/material_attach.h"
#include "sync/api/change_log.h"
#include "sync/api/replicator.h"

namespace hallsync::client::daemon {
namespace {

using nlohmann::json;
using Query = std::map<std::string, std::string>;

HttpResponse reply(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json; charset=utf-8"}, {"Cache-Control", "no-store"}};
  r.body = body.dump();
  return r;
}

HttpResponse error_reply(int status, const std::string& code, const std::string& message) {
  return reply(status, {{"code", code}, {"message", message}});
}

HttpResponse status_reply(const Status& s) {
  switch (s.kind()) {
    case ErrorKind::Validation: return error_reply(400, "validation", s.message());
    case ErrorKind::Conflict: return error_reply(409, "conflict", s.message());
    case ErrorKind::NotFound: return error_reply(404, "not_found", s.message());
    case ErrorKind::Storage: return error_reply(503, "storage", s.message());
    default:
      log_error("local API: " + s.to_string());
      return error_reply(500, "internal", s.message());
  }
}

std::string percent_decode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size()) {
      unsigned v = 0;
      auto [end, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, v, 16);
      if (ec == std::errc() && end == in.data() + i + 3) {
        out += static_cast<char>(v);
        i += 2;
      } else {
        out += '%';
      }
    } else {
      out += in[i];
    }
  }
  return out;
}

Query parse_query(std::string_view q) {
  Query out;
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    auto eq = part.find('=');
    if (!part.empty())
      out[percent_decode(part.substr(0, eq))] = eq == std::string_view::npos ? "" : percent_decode(part.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

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

// Reads one optional text field of a request body; a wrong type is a bad request.
bool text_field(const json& body, const char* name, std::string& out, std::string& problem) {
  if (!body.contains(name) || body[name].is_null()) return true;
  if (!body[name].is_string()) {
    problem = std::string("字段 ") + name + " 应为文本";
    return false;
  }
  out = body[name].get<std::string>();
  return true;
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
  if (Status s = reference_->refresh(*store_); !s.is_ok()) return status_reply(s);
  CivilDate today = cli::today(*store_);

  if (path == "/api/health") {
    if (!get) return error_reply(405, "bad_request", "只支持 GET");
    return reply(200, {{"status", "ok"}});
  }

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
        !text_field(body, "note", form.note, problem) || !text_field(body, "clerk_id", form.clerk_id, problem))
      return error_reply(400, "bad_request", problem);
    if (body.contains("materials_received") && !body["materials_received"].is_null()) {
      const json& mats = body["materials_received"];
      if (!mats.is_array()) return error_reply(400, "bad_request", "字段 materials_received 应为文本数组");
      for (const auto& m : mats) {
        if (!m.is_string()) return error_reply(400, "bad_request", "字段 materials_received 应为文本数组");
        form.materials_received.push_back(m.get<std::string>());
      }
    }
    if (body.contains("all_materials") && body["all_materials"].is_boolean() && body["all_materials"].get<bool>()) {
      if (const Matter* m = store_->catalog().find(form.matter_id))
        for (const auto& mat : m->materials)
          if (std::find(form.materials_received.begin(), form.materials_received.end(), mat) ==
              form.materials_received.end())
            form.materials_received.push_back(mat);
    }
    CaseRepository repo(*store_);
    auto view = repo.register_case(form);
    if (!view) return status_reply(view.status());
    log_info("case registered: " + view->acceptance_no + " matter " + view->matter_id + " by clerk " + form.clerk_id);
    scheduler_->notify_local_write();
    return reply(201, cli::case_detail_json(*view, *store_, today));
  }

  // A scanned material: the file itself is the body (never a path, so nothing
  // outside what the clerk sent can be read); ?material=NAME&clerk_id=ID.
  const std::string kMaterials = "/materials";
  if (path.rfind("/api/cases/", 0) == 0 && post && path.size() > kMaterials.size() &&
      path.compare(path.size() - kMaterials.size(), kMaterials.size(), kMaterials) == 0) {
    std::string ref = percent_decode(path.substr(11, path.size() - 11 - kMaterials.size()));
    auto r = attach_material_bytes(*store_, ref, request.body, query["material"], query["clerk_id"]);
    if (!r) return status_reply(r.status());
    log_info("material attached to " + r->view.acceptance_no + ": " + r->file.media_type + ", " +
             std::to_string(r->file.size) + " bytes, by clerk " + query["clerk_id"]);
    scheduler_->notify_local_write();
    return reply(201, cli::case_detail_json(r->view, *store_, today));
  }

  if (path.rfind("/api/cases/", 0) == 0 && get) {
    std::string ref = percent_decode(path.substr(std::string("/api/cases/").size()));
    if (ref.empty()) return error_reply(404, "not_found", "请指定受理编号");
    CaseRepository repo(*store_);
    auto view = repo.load(ref);
    if (!view) return status_reply(view.status());
    return reply(200, cli::case_detail_json(*view, *store_, today));
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
                       {"clock_offset_ms", *offset}});
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
               path == "/api/sync" || path == "/api/sync/history";
  if (known) return error_reply(405, "bad_request", "此地址不支持 " + method + " 方法");
  return error_reply(404, "not_found", "没有这个接口：" + path);
}

}  // namespace hallsync::client::daemon
