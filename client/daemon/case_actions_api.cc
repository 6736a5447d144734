// The web page's case endpoints beyond register/list/show: catalog search for
// intake, the lifecycle steps (the same drafts as `hall case <step>`), the
// documents as printable HTML (as `hall case print --html`), scanned
// materials (view one held here, fetch the ones another PC attached), and conflict
// resolution (as `hall conflicts resolve`). The acting clerk is the signed-in
// one when the store has accounts, else the body's clerk_id (local_api.h).
#include <nlohmann/json.hpp>

#include "client/cli/case_steps.h"
#include "client/cli/cli_support.h"
#include "client/daemon/daemon_log.h"
#include "client/daemon/local_api.h"
#include "client/domain/text_rules.h"
#include "client/store/audit_log.h"
#include "client/store/material_fetch.h"

namespace hallsync::client::daemon {
namespace {

using nlohmann::json;

json matter_json(const Matter& m) {
  return {{"matter_id", m.matter_id},
          {"name", m.name},
          {"department", m.department},
          {"handling_kind", handling_kind_code(m.handling_kind)},
          {"promised_days", m.promised_days},
          {"time_unit", time_unit_code(m.time_unit)},
          {"materials", m.materials}};
}

// "/api/cases/{ref}/{what}/{arg}[/{tail}]" split into its parts (percent-decoded).
struct CasePath {
  std::string ref, what, arg, tail;
};

std::optional<CasePath> split_case_path(const std::string& path) {
  const std::string prefix = "/api/cases/";
  if (path.rfind(prefix, 0) != 0) return std::nullopt;
  std::vector<std::string> parts;
  std::size_t pos = prefix.size();
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(percent_decode(std::string_view(path).substr(pos, slash - pos)));
    pos = slash + 1;
  }
  if (parts.size() < 3 || parts.size() > 4) return std::nullopt;
  return CasePath{parts[0], parts[1], parts[2], parts.size() == 4 ? parts[3] : ""};
}

// The clerk a write is recorded under; empty and a reply when there is none.
std::string acting_clerk(const json& body, bool accounts, const StaffSession* session) {
  if (accounts) return session ? session->account.clerk_id : "";
  return body.contains("clerk_id") && body["clerk_id"].is_string() ? body["clerk_id"].get<std::string>() : "";
}

}  // namespace

std::optional<HttpResponse> LocalApi::route_case_actions(const HttpRequest& request, const std::string& path,
                                                         const Query& query, const Actor& who) {
  const bool get = request.method == "GET", post = request.method == "POST";

  if (path == "/api/catalog") {
    if (!get) return error_reply(405, "bad_request", "只支持 GET");
    auto q = query.find("q");
    json out = {{"version", store_->catalog().version()}, {"matters", json::array()}};
    if (q == query.end() || q->second.empty()) {
      for (const auto& m : store_->catalog().matters()) out["matters"].push_back(matter_json(m));
    } else {
      for (const Matter* m : store_->catalog().search(q->second)) out["matters"].push_back(matter_json(*m));
    }
    return reply(200, out);
  }

  auto parts = split_case_path(path);
  if (!parts) return std::nullopt;
  CaseRepository repo(*store_);
  CivilDate today = cli::today(*store_);

  if (parts->what == "documents" && parts->tail.empty()) {
    if (!get) return error_reply(405, "bad_request", "只支持 GET");
    auto kind = parse_document_kind(parts->arg);
    if (!kind) return error_reply(404, "not_found", "未知的文书类型：" + parts->arg);
    auto view = repo.load(parts->ref);
    if (!view) return status_reply(view.status());
    auto doc = cli::render_case_document(*store_, *view, *kind);
    if (!doc) return status_reply(doc.status());
    HttpResponse r;
    r.status = 200;
    r.headers = {{"Content-Type", "text/html; charset=utf-8"}, {"Cache-Control", "no-store"},
                 {"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"}};
    r.body = doc->html;
    return r;
  }

  // Scanned materials: GET …/materials/{n|sha256} serves a scan this PC holds
  // (to view or print); POST …/materials/fetch queues the ones another PC of
  // the hall attached for download, and asks for a sync session now.
  if (parts->what == "materials" && parts->tail.empty()) {
    if (post && parts->arg == "fetch") {
      auto fetched = queue_material_downloads(*store_, parts->ref);
      if (!fetched) return status_reply(fetched.status());
      if (fetched->queued) {
        log_info("case " + fetched->view.acceptance_no + ": " + std::to_string(fetched->queued) +
                 " scans queued for download");
        scheduler_->request_sync_now();
      }
      json out = cli::case_detail_json(fetched->view, *store_, today);
      out["fetch"] = {{"queued", fetched->queued}, {"already_queued", fetched->already_queued},
                      {"here", fetched->here}, {"queued_bytes", fetched->queued_bytes}};
      return reply(200, out);
    }
    if (!get) return error_reply(405, "bad_request", "只支持 GET（查看）或 POST …/materials/fetch（下载到本机）");
    auto scan = read_material(*store_, parts->ref, parts->arg);
    if (!scan) return status_reply(scan.status());
    // #7: who opened which citizen's scan is an audited read.
    AuditEntry viewed{0, store_->clock().now_ms(), who.session ? who.session->account.clerk_id : "halld", "scan_view",
                      parts->ref, "ok", scan->attachment.material};
    if (Status s = record_audit(store_->db(), viewed); !s.is_ok()) return status_reply(s);
    HttpResponse r;
    r.status = 200;
    // A citizen's scan: never cached, never sniffed into something runnable.
    r.headers = {{"Content-Type", scan->attachment.media_type}, {"Cache-Control", "no-store"},
                 {"X-Content-Type-Options", "nosniff"}, {"Content-Disposition", "inline"},
                 {"Content-Security-Policy", "default-src 'none'; img-src 'self'; object-src 'self'"}};
    r.body = std::move(scan->bytes);
    return r;
  }

  const bool step = parts->what == "steps" && parts->tail.empty();
  const bool resolve = parts->what == "conflicts" && parts->tail == "resolve";
  if (!step && !resolve) return std::nullopt;
  if (!post) return error_reply(405, "bad_request", "只支持 POST");
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) return error_reply(400, "bad_request", "请求内容不是有效的 JSON 对象");
  std::string clerk = acting_clerk(body, who.accounts, who.session);

  schema::CaseEvent draft;
  if (step) {
    const cli::StepSpec* spec = cli::find_case_step(parts->arg);
    if (!spec) return error_reply(404, "not_found", "没有这个办理步骤：" + parts->arg);
    cli::StepArgs a;
    std::string problem;
    if (!text_list_field(body, "materials", a.materials, problem) || !text_field(body, "reason", a.reason, problem) ||
        !text_field(body, "basis", a.basis, problem) || !text_field(body, "approver", a.approver, problem) ||
        !text_field(body, "department", a.department, problem) || !text_field(body, "stage", a.stage, problem) ||
        !text_field(body, "note", a.note, problem) || !text_field(body, "field", a.field, problem) ||
        !text_field(body, "value", a.value, problem) || !text_field(body, "level", a.level, problem) ||
        !text_field(body, "service", a.service, problem))
      return error_reply(400, "bad_request", problem);
    if (body.contains("days")) {
      if (!body["days"].is_number_integer() || body["days"].get<int>() < 1 || body["days"].get<int>() > 365)
        return field_errors_reply({{"days", "延期天数应为 1–365 之间的整数"}});
      a.days = body["days"].get<int>();
    }
    auto built = cli::build_draft(*spec, a, clerk);
    if (!built) return status_reply(built.status());
    draft = std::move(*built);
  } else {
    std::string reason, problem;
    if (!text_field(body, "reason", reason, problem)) return error_reply(400, "bad_request", problem);
    auto clean = validate_free_text(reason, "处理说明", 500, true);
    if (!clean) return field_errors_reply({{"reason", clean.status().message()}});
    if (Status s = validate_clerk_id(clerk); !s.is_ok()) return status_reply(s);
    draft.kind = schema::EventKind::ConflictResolved;
    draft.clerk_id = clerk;
    draft.ref_event_id = parts->arg;
    draft.reason = *clean;
  }
  auto view = repo.record(parts->ref, std::move(draft));
  if (!view) return status_reply(view.status());
  log_info("case " + view->acceptance_no + ": " + (step ? parts->arg : "conflict resolved") + " by clerk " + clerk);
  scheduler_->notify_local_write();
  return reply(200, cli::case_detail_json(*view, *store_, today));
}

}  // namespace hallsync::client::daemon
