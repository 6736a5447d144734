// Parsing, serialising and checking bulk-import lines. Messages are for the
// clerk running the import, so in Chinese, each naming the field at fault.
#include "client/domain/case_import.h"

#include <openssl/sha.h>

#include <nlohmann/json.hpp>

#include "client/domain/case_lifecycle.h"
#include "client/domain/intake.h"
#include "client/domain/text_rules.h"
#include "client/domain/uuid_text.h"

namespace hallsync::client {
namespace {

using nlohmann::json;
using schema::EventKind;

// Kinds an import may carry after acceptance. Corrections and conflict
// resolutions refer to this system's own events, so they cannot come from outside.
bool importable(EventKind k) {
  return k != EventKind::Accepted && k != EventKind::FieldCorrected && k != EventKind::ConflictResolved &&
         !schema::is_hall_record(k);
}

Status missing(std::string_view field) { return Status::validation("缺少字段“" + std::string(field) + "”"); }
Status wrong_type(std::string_view field, std::string_view want) {
  return Status::validation("字段“" + std::string(field) + "”应为" + std::string(want));
}

// Reads an optional string member; absent or null leaves `out` empty.
Status read_string(const json& obj, const char* key, std::string& out, bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return required ? missing(key) : Status::ok();
  if (!it->is_string()) return wrong_type(key, "字符串");
  out = it->get<std::string>();
  if (required && out.empty()) return Status::validation("字段“" + std::string(key) + "”不能为空");
  return Status::ok();
}

Status read_strings(const json& obj, const char* key, std::vector<std::string>& out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::ok();
  if (!it->is_array()) return wrong_type(key, "字符串数组");
  for (const auto& v : *it) {
    if (!v.is_string()) return wrong_type(key, "字符串数组");
    out.push_back(v.get<std::string>());
  }
  return Status::ok();
}

Status read_date(const json& obj, const char* key, CivilDate& out) {
  std::string text;
  HALLSYNC_RETURN_IF_ERROR(read_string(obj, key, text, true));
  auto d = CivilDate::parse(text);
  if (!d) return Status::validation("字段“" + std::string(key) + "”不是有效日期（应为 YYYY-MM-DD）：" + text);
  out = *d;
  return Status::ok();
}

Result<ImportStep> parse_step(const json& j) {
  if (!j.is_object()) return wrong_type("history[]", "对象");
  ImportStep s;
  std::string kind;
  HALLSYNC_RETURN_IF_ERROR(read_string(j, "kind", kind, true));
  if (!schema::parse_event_kind(kind, s.kind)) return Status::validation("未知的办理环节“" + kind + "”");
  if (!importable(s.kind)) return Status::validation("办理环节“" + kind + "”不能出现在导入的历史中");
  HALLSYNC_RETURN_IF_ERROR(read_date(j, "date", s.date));
  HALLSYNC_RETURN_IF_ERROR(read_string(j, "clerk", s.clerk, true));
  auto it = j.find("details");
  if (it == j.end() || it->is_null()) return s;
  if (!it->is_object()) return wrong_type("details", "对象");
  const json& d = *it;
  HALLSYNC_RETURN_IF_ERROR(read_strings(d, "materials", s.materials));
  HALLSYNC_RETURN_IF_ERROR(read_string(d, "department", s.department, false));
  HALLSYNC_RETURN_IF_ERROR(read_string(d, "approver", s.approver, false));
  HALLSYNC_RETURN_IF_ERROR(read_string(d, "stage", s.stage, false));
  HALLSYNC_RETURN_IF_ERROR(read_string(d, "reason", s.reason, false));
  HALLSYNC_RETURN_IF_ERROR(read_string(d, "legal_basis", s.legal_basis, false));
  HALLSYNC_RETURN_IF_ERROR(read_string(d, "platform_case_no", s.platform_case_no, false));
  HALLSYNC_RETURN_IF_ERROR(read_string(d, "note", s.note, false));
  if (auto days = d.find("days"); days != d.end() && !days->is_null()) {
    if (!days->is_number_integer()) return wrong_type("details.days", "整数");
    s.days = days->get<int>();
  }
  return s;
}

json step_json(const ImportStep& s) {
  json d = json::object();
  if (!s.materials.empty()) d["materials"] = s.materials;
  auto put = [&d](const char* key, const std::string& v) {
    if (!v.empty()) d[key] = v;
  };
  put("department", s.department);
  put("approver", s.approver);
  put("stage", s.stage);
  put("reason", s.reason);
  put("legal_basis", s.legal_basis);
  put("platform_case_no", s.platform_case_no);
  put("note", s.note);
  if (s.days != 0) d["days"] = s.days;
  json j = {{"kind", schema::event_kind_code(s.kind)}, {"date", s.date.to_string()}, {"clerk", s.clerk}};
  if (!d.empty()) j["details"] = std::move(d);
  return j;
}

// 09:00 China time on `date`, plus one minute per step so a day's steps keep their order.
std::int64_t wall_ms_of(CivilDate date, int step) {
  constexpr std::int64_t kDayMs = 86'400'000, kOneAmUtcMs = 3'600'000;
  return static_cast<std::int64_t>(date.days) * kDayMs + kOneAmUtcMs + step * 60'000;
}

int yyyymmdd(CivilDate d) { return d.year() * 10000 + static_cast<int>(d.month()) * 100 + static_cast<int>(d.day()); }

Result<schema::CaseEvent> step_draft(const ImportStep& s, const Matter& matter) {
  HALLSYNC_RETURN_IF_ERROR(validate_clerk_id(s.clerk));
  schema::CaseEvent e;
  e.kind = s.kind;
  e.clerk_id = s.clerk;
  HALLSYNC_ASSIGN_OR_RETURN(e.materials, validate_material_list(s.materials));
  e.department = s.kind == EventKind::Forwarded && s.department.empty() ? matter.department : s.department;
  e.approver = s.approver;
  e.stage = s.stage;
  HALLSYNC_ASSIGN_OR_RETURN(e.reason, validate_free_text(s.reason, "理由", kMaxReasonChars, false));
  HALLSYNC_ASSIGN_OR_RETURN(e.legal_basis, validate_free_text(s.legal_basis, "法律依据", kMaxReasonChars, false));
  HALLSYNC_ASSIGN_OR_RETURN(e.note, validate_free_text(s.note, "备注", kMaxNoteChars, false));
  e.days = s.days;
  e.platform_case_no = s.platform_case_no;
  return e;
}

}  // namespace

Result<ImportRecord> parse_import_line(std::string_view line) {
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::validation("不是有效的 JSON");
  if (!j.is_object()) return Status::validation("每行应为一个 JSON 对象");
  ImportRecord r;
  HALLSYNC_RETURN_IF_ERROR(read_string(j, "source_id", r.source_id, true));
  if (r.source_id.size() > 64) return Status::validation("字段“source_id”过长（最多64个字符）");
  auto applicant = j.find("applicant");
  if (applicant == j.end()) return missing("applicant");
  if (!applicant->is_object()) return wrong_type("applicant", "对象");
  HALLSYNC_RETURN_IF_ERROR(read_string(*applicant, "name", r.applicant.name, true));
  HALLSYNC_RETURN_IF_ERROR(read_string(*applicant, "id_number", r.applicant.id_number, true));
  HALLSYNC_RETURN_IF_ERROR(read_string(*applicant, "phone", r.applicant.phone, true));
  HALLSYNC_RETURN_IF_ERROR(read_string(j, "matter_id", r.matter_id, true));
  HALLSYNC_RETURN_IF_ERROR(read_strings(j, "materials", r.materials));
  HALLSYNC_RETURN_IF_ERROR(read_string(j, "status", r.status, true));
  if (!parse_case_state(r.status)) return Status::validation("未知的案件状态“" + r.status + "”");
  HALLSYNC_RETURN_IF_ERROR(read_date(j, "accepted_on", r.accepted_on));
  HALLSYNC_RETURN_IF_ERROR(read_string(j, "clerk", r.clerk, true));
  HALLSYNC_RETURN_IF_ERROR(read_string(j, "note", r.note, false));
  if (auto h = j.find("history"); h != j.end() && !h->is_null()) {
    if (!h->is_array()) return wrong_type("history", "数组");
    for (std::size_t i = 0; i < h->size(); ++i) {
      auto step = parse_step((*h)[i]);
      if (!step) return step.status().with_context("history 第" + std::to_string(i + 1) + "项");
      r.history.push_back(std::move(*step));
    }
  }
  return r;
}

std::string to_import_line(const ImportRecord& r) {
  json history = json::array();
  for (const auto& s : r.history) history.push_back(step_json(s));
  json j = {{"source_id", r.source_id},
            {"applicant", {{"name", r.applicant.name}, {"id_number", r.applicant.id_number}, {"phone", r.applicant.phone}}},
            {"matter_id", r.matter_id},
            {"materials", r.materials},
            {"status", r.status},
            {"accepted_on", r.accepted_on.to_string()},
            {"clerk", r.clerk},
            {"history", std::move(history)}};
  if (!r.note.empty()) j["note"] = r.note;
  return j.dump();
}

Result<CheckedImport> check_import_history(const ImportRecord& r, const MatterCatalog& catalog, CivilDate today) {
  if (r.accepted_on > today) return Status::validation("受理日期 " + r.accepted_on.to_string() + " 晚于今天");
  IntakeForm form{r.matter_id, r.applicant.name, r.applicant.id_number, r.applicant.phone, r.materials, r.note, r.clerk, {}, {}};
  // Only the acceptance is taken from intake: the notification of missing
  // materials, if there was one, is part of the imported history.
  HALLSYNC_ASSIGN_OR_RETURN(IntakeDrafts intake, prepare_intake(form, catalog, yyyymmdd(today)));
  const Matter& matter = *catalog.find(intake.accepted.matter_id);
  std::vector<schema::CaseEvent> events{std::move(intake.accepted)};
  events[0].wall_ms = wall_ms_of(r.accepted_on, 0);
  CivilDate previous = r.accepted_on;
  for (std::size_t i = 0; i < r.history.size(); ++i) {
    const ImportStep& s = r.history[i];
    std::string where = "history 第" + std::to_string(i + 1) + "项（" + std::string(event_kind_label(s.kind)) + "）";
    if (s.date < previous)
      return Status::validation(where + "：日期 " + s.date.to_string() + " 早于上一环节 " + previous.to_string());
    if (s.date > today) return Status::validation(where + "：日期 " + s.date.to_string() + " 晚于今天");
    previous = s.date;
    auto draft = step_draft(s, matter);
    if (!draft) return draft.status().with_context(where);
    draft->wall_ms = wall_ms_of(s.date, static_cast<int>(i) + 1);
    events.push_back(std::move(*draft));
  }
  // The lifecycle check, on provisional identities in history order (the
  // store re-checks each step under the real ones as it writes).
  std::vector<schema::CaseEvent> so_far;
  for (std::size_t i = 0; i < events.size(); ++i) {
    schema::CaseEvent e = events[i];
    e.device_id = "import";
    e.origin_seq = static_cast<std::int64_t>(i) + 1;
    e.hlc = i + 1;
    if (Status ok = check_transition(fold_case(so_far), e); !ok.is_ok())
      return ok.with_context("history 第" + std::to_string(i) + "项（" + std::string(event_kind_label(e.kind)) + "）");
    so_far.push_back(std::move(e));
  }
  return CheckedImport{std::move(events), fold_case(std::move(so_far))};
}

Result<std::vector<schema::CaseEvent>> import_drafts(const ImportRecord& r, const MatterCatalog& catalog,
                                                     CivilDate today) {
  HALLSYNC_ASSIGN_OR_RETURN(CheckedImport checked, check_import_history(r, catalog, today));
  CaseState end = checked.view.state;
  if (case_state_code(end) != r.status)
    return Status::validation("状态“" + r.status + "”与办理历史不符：按历史应为“" + std::string(case_state_code(end)) +
                              "”（" + std::string(case_state_label(end)) + "）");
  return std::move(checked.drafts);
}

std::string import_case_id(std::string_view hall_code, std::string_view source_id) {
  // RFC 4122 §4.3: SHA-1 over a namespace UUID and the name. The namespace is
  // ours (fixed forever); the name is "<hall>/<source_id>".
  static constexpr unsigned char kNamespace[16] = {0x6b, 0x1f, 0x2e, 0x90, 0x5c, 0x3a, 0x4d, 0x1e,
                                                   0x9a, 0x77, 0x02, 0x4f, 0xc1, 0x58, 0xe3, 0x0d};
  std::string name(reinterpret_cast<const char*>(kNamespace), sizeof kNamespace);
  name.append(hall_code).append("/").append(source_id);
  unsigned char h[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(name.data()), name.size(), h);
  return uuid_text(h, 5);  // the first 16 of SHA-1's 20 bytes
}

}  // namespace hallsync::client
