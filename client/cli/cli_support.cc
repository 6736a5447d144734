// Store opening, error reporting and the JSON views shared by `hall` commands.
#include "client/cli/cli_support.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "client/domain/documents.h"
#include "client/domain/work_calendar.h"
#include "sync/api/redact.h"

namespace hallsync::client::cli {

using nlohmann::json;

void add_data_dir(CLI::App& cmd, GlobalOptions& o) {
  cmd.add_option("--data-dir", o.data_dir, "数据目录（默认取环境变量 HALL_DATA_DIR）");
}
void add_json(CLI::App& cmd, GlobalOptions& o) { cmd.add_flag("--json", o.json, "以 JSON 输出（格式见 README）"); }
void add_clerk(CLI::App& cmd, GlobalOptions& o) {
  cmd.add_option("--clerk", o.clerk, "经办人工号（默认取环境变量 HALL_CLERK）");
}

std::string clerk_id(const GlobalOptions& o) {
  if (!o.clerk.empty()) return o.clerk;
  const char* env = std::getenv("HALL_CLERK");
  return env ? env : "";
}

std::string data_dir(const GlobalOptions& o) {
  if (!o.data_dir.empty()) return o.data_dir;
  const char* env = std::getenv("HALL_DATA_DIR");
  return env ? env : "";
}

std::unique_ptr<HallStore> open_store(const GlobalOptions& o) {
  std::string dir = data_dir(o);
  if (dir.empty()) {
    report(Status::validation("请用 --data-dir 指定数据目录"));
    return nullptr;
  }
  auto store = HallStore::open(dir, SystemClock::instance());
  if (!store) {
    report(store.status());
    return nullptr;
  }
  // Every date this command shows or records follows the platform's time when
  // this PC's clock is off; said on stderr so --json output stays parseable.
  if (std::string notice = (*store)->civil_clock().notice(); !notice.empty()) std::cerr << notice << "\n";
  return std::move(store).value();
}

int report(const Status& s) {
  std::cerr << "错误：" << s.message() << "\n";
  switch (s.kind()) {
    case ErrorKind::Ok: return 0;
    case ErrorKind::Validation:
    case ErrorKind::Conflict:
    case ErrorKind::NotFound: return 1;
    case ErrorKind::Storage: return 3;
    default: return 2;
  }
}

void print_json(const json& j) { std::cout << j.dump(2) << "\n"; }

CivilDate today(const HallStore& store) { return CivilDate::from_unix_ms(store.civil_clock().now_ms()); }

Result<RenderedDocument> render_case_document(HallStore& store, const CaseView& view, DocumentKind kind) {
  auto catalog = store.catalog_version(view.catalog_version);
  DocumentContext ctx;
  ctx.view = &view;
  ctx.matter = catalog ? catalog->find(view.matter_id) : nullptr;
  ctx.deadline = case_deadline(view, store.calendar());
  ctx.hall_code = view.hall_code;
  ctx.issued_on = today(store);
  return render_document(kind, ctx);
}

std::string matter_name(const HallStore& store, const std::string& matter_id) {
  const Matter* m = store.catalog().find(matter_id);
  return m ? m->name : matter_id;
}

std::string deadline_state(const std::string& due_on, CaseState state, const WorkCalendar& calendar, CivilDate now) {
  if (due_on.empty() || !is_open(state) || state == CaseState::AwaitingMaterials) return "none";
  auto due = CivilDate::parse(due_on);
  if (!due) return "none";
  if (*due < now) return "overdue";
  return working_days_between(calendar, now, *due) <= 2 ? "due_soon" : "ok";
}

json case_summary_json(const CaseSummary& s, const HallStore& store, CivilDate now) {
  return {
      {"case_id", s.case_id},
      {"acceptance_no", s.acceptance_no},
      {"platform_case_no", s.platform_case_no.empty() ? json(nullptr) : json(s.platform_case_no)},
      {"matter_id", s.matter_id},
      {"matter_name", matter_name(store, s.matter_id)},
      {"applicant_name", s.applicant_name},
      {"id_number_masked", mask_id_number(s.id_number)},
      {"state", case_state_code(s.state)},
      {"state_label", case_state_label(s.state)},
      {"accepted_on", s.accepted_on},
      {"due_on", s.due_on.empty() ? json(nullptr) : json(s.due_on)},
      {"deadline_state", deadline_state(s.due_on, s.state, store.calendar(), now)},
      {"first_clerk", s.first_clerk},
      {"open_conflicts", s.conflicts},
  };
}

namespace {
// "原图 4032×3024（3.1 MB）已缩小为 612 KB", or "" when stored as scanned.
std::string downscale_note(const AttachedMaterial& a) {
  if (a.original_size <= 0) return "";
  char buf[160];
  std::snprintf(buf, sizeof buf, "原图 %d×%d（%.1f MB）已缩小为 %lld KB", a.original_width, a.original_height,
                static_cast<double>(a.original_size) / (1024.0 * 1024.0), static_cast<long long>(a.size / 1024));
  return buf;
}
}  // namespace

std::string upload_state_label(const std::string& state) {
  if (state == "uploaded") return "已上传";
  if (state == "waiting") return "未上传";
  if (state == "elsewhere") return "在本厅其他电脑（未下载到本机）";
  if (state == "downloaded") return "已下载";
  if (state == "to_download") return "等待下载";
  if (state == "purged") return "保存期满已从本机清除（平台存档，可重新下载）";
  return "状态未知";
}

namespace {

json event_json(const schema::CaseEvent& e) {
  json j = {{"event_id", e.event_id()},
            {"kind", schema::event_kind_code(e.kind)},
            {"kind_label", event_kind_label(e.kind)},
            {"clerk_id", e.clerk_id},
            {"device_id", e.device_id},
            {"wall_time_ms", e.wall_ms},
            {"date", CivilDate::from_unix_ms(e.wall_ms).to_string()},
            {"hlc", e.hlc}};
  json d = json::object();
  if (!e.materials.empty()) d["materials"] = e.materials;
  if (e.days) d["days"] = e.days;
  if (!e.reason.empty()) d["reason"] = e.reason;
  if (!e.legal_basis.empty()) d["legal_basis"] = e.legal_basis;
  if (!e.approver.empty()) d["approver"] = e.approver;
  if (!e.department.empty()) d["department"] = e.department;
  if (!e.stage.empty()) d["stage"] = e.stage;
  if (!e.field.empty()) d["field"] = e.field;
  // Corrected personal values are masked like the rest of the view.
  if (!e.value.empty()) d["value"] = e.field == "applicant.id_number" ? mask_id_number(e.value)
                                     : e.field == "applicant.phone"   ? mask_phone(e.value)
                                                                      : e.value;
  if (!e.platform_case_no.empty()) d["platform_case_no"] = e.platform_case_no;
  if (!e.note.empty()) d["note"] = e.note;
  if (!e.ref_event_id.empty()) d["ref_event_id"] = e.ref_event_id;
  if (!e.subject.empty()) d["subject"] = e.subject;  // accepted: the clerk on duty (承办人)
  if (!e.to_date.empty()) d["to_date"] = e.to_date;  // material_deferred: due date
  j["details"] = d;
  return j;
}

}  // namespace

json case_detail_json(const CaseView& v, HallStore& store, CivilDate now) {
  auto deadline = case_deadline(v, store.calendar());
  std::string due = deadline ? deadline->due.to_string() : "";
  json j = {
      {"case_id", v.case_id},
      {"acceptance_no", v.acceptance_no},
      {"platform_case_no", v.platform_case_no.empty() ? json(nullptr) : json(v.platform_case_no)},
      {"hall_code", v.hall_code},
      {"origin_device", v.origin_device},
      {"matter_id", v.matter_id},
      {"matter_name", matter_name(store, v.matter_id)},
      {"catalog_version", v.catalog_version},
      {"applicant",
       {{"name", v.applicant.name},
        {"id_number_masked", mask_id_number(v.applicant.id_number)},
        {"phone_masked", mask_phone(v.applicant.phone)}}},
      {"first_clerk", v.first_clerk},
      {"handling_kind", handling_kind_code(v.handling_kind)},
      {"time_limit",
       {{"days", v.promised.days},
        {"unit", time_unit_code(v.promised.unit)},
        {"extension_days", v.extension_days},
        {"legal_max_days", v.legal_max_days}}},
      {"state", case_state_code(v.state)},
      {"state_label", case_state_label(v.state)},
      {"accepted_on", v.accepted_on.to_string()},
      {"paused", v.paused},
      {"due_on", due.empty() ? json(nullptr) : json(due)},
      {"deadline_state", deadline_state(due, v.state, store.calendar(), now)},
      {"deadline_warnings", deadline ? deadline->warnings : std::vector<std::string>{}},
      {"materials_received", v.materials_received},
      {"materials_missing", v.materials_missing},
      {"department", v.department},
  };
  j["refusal"] = v.state == CaseState::Refused
                     ? json{{"stage", v.refusal_stage}, {"reason", v.refusal_reason},
                            {"legal_basis", v.refusal_basis}, {"approver", v.refusal_approver}}
                     : json(nullptr);
  // Service rules (issue #8).
  j["handler"] = v.handler;
  j["service_flags"] = v.service_flags;
  j["evaluation"] = v.evaluation.empty() ? json(nullptr)
                                         : json{{"level", v.evaluation}, {"comment", v.evaluation_comment},
                                                {"clerk_id", v.evaluated_by}};
  j["one_time_breaches"] = json::array();
  for (const auto& b : v.one_time_breaches)
    j["one_time_breaches"].push_back(
        {{"event_id", b.event_id}, {"clerk_id", b.clerk_id}, {"on", b.on.to_string()}, {"materials", b.materials}});
  j["deferred_materials"] = json::array();
  for (const auto& d : v.deferred)
    j["deferred_materials"].push_back({{"name", d.name}, {"due", d.due.to_string()}, {"supplied", d.supplied},
                                       {"supplied_on", d.supplied ? json(d.supplied_on.to_string()) : json(nullptr)}});
  j["events"] = json::array();
  for (const auto& e : v.events) j["events"].push_back(event_json(e));
  j["conflicts"] = json::array();
  for (const auto& c : v.conflicts)
    j["conflicts"].push_back({{"event_id", c.event_id}, {"message", c.message}, {"resolved", c.resolved},
                              {"resolution", c.resolution}});
  j["documents"] = json::array();
  for (auto kind : available_documents(v)) j["documents"].push_back(document_kind_code(kind));
  // Scanned materials and whether the hub confirmed each (未上传 until it did).
  j["attachments"] = json::array();
  auto states = attachment_upload_states(store, v);
  for (std::size_t i = 0; i < v.attachments.size(); ++i) {
    const auto& a = v.attachments[i];
    std::string state = states ? (*states)[i] : "unknown";
    j["attachments"].push_back({{"material", a.material}, {"sha256", a.sha256}, {"size", a.size},
                                {"media_type", a.media_type}, {"event_id", a.event_id}, {"upload_state", state},
                                {"upload_state_label", upload_state_label(state)},
                                {"downscaled", a.original_size > 0},
                                {"original", a.original_size > 0 ? json{{"width", a.original_width},
                                                                        {"height", a.original_height},
                                                                        {"size", a.original_size}}
                                                                  : json(nullptr)},
                                {"downscale_note", downscale_note(a)}});
  }
  return j;
}

void on_store(CLI::App& cmd, CommandSet& set, std::function<int(HallStore&)> fn) {
  cmd.callback([&set, fn] {
    set.action = [&set, fn] {
      auto store = open_store(set.options);
      return store ? fn(*store) : 3;
    };
  });
}

int write_output(const std::string& body, const std::string& path, const std::string& what) {
  if (path.empty()) {
    std::cout << body;
    return 0;
  }
  std::ofstream out(path, std::ios::binary);
  out << body;
  if (!out) return report(Status::storage("无法写入文件 " + path));
  std::cout << "已生成" << what << "：" << path << "\n";
  return 0;
}

}  // namespace hallsync::client::cli
