// Field validation and event drafting for a new case.
#include "client/domain/intake.h"

#include <algorithm>

#include "client/domain/civil_date.h"
#include "client/domain/resident_id.h"
#include "client/domain/text_rules.h"

namespace hallsync::client {

Status validate_clerk_id(std::string_view clerk_id) {
  if (clerk_id.empty()) return Status::validation("经办人工号不能为空（--clerk）");
  if (clerk_id.size() > 32) return Status::validation("经办人工号过长（最多32个字符）");
  for (char c : clerk_id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      return Status::validation("经办人工号只能包含字母、数字、下划线、点和连字符");
  return Status::ok();
}

Result<std::vector<std::string>> validate_material_list(const std::vector<std::string>& materials) {
  if (materials.size() > kMaxMaterials) return Status::validation("材料项数过多（最多" + std::to_string(kMaxMaterials) + "项）");
  std::vector<std::string> out;
  for (const auto& m : materials) {
    HALLSYNC_ASSIGN_OR_RETURN(std::string clean, validate_free_text(m, "材料名称", kMaxMaterialChars, true));
    if (clean.find('\n') != std::string::npos) return Status::validation("材料名称不能换行");
    if (std::find(out.begin(), out.end(), clean) != out.end()) return Status::validation("材料“" + clean + "”重复填写");
    out.push_back(std::move(clean));
  }
  return out;
}

bool is_key_material(std::string_view m) {
  for (std::string_view key : {"身份证", "申请书", "申请表", "营业执照"})
    if (m.find(key) != std::string_view::npos) return true;
  return false;
}

std::vector<schema::CaseEvent> IntakeDrafts::events() && {
  std::vector<schema::CaseEvent> out{std::move(accepted)};
  if (deferral) out.push_back(std::move(*deferral));
  if (request_missing) out.push_back(std::move(*request_missing));
  return out;
}

std::vector<FieldError> intake_field_errors(const IntakeForm& form, const MatterCatalog& catalog, int today_yyyymmdd) {
  std::vector<FieldError> out;
  auto check = [&out](const char* field, const Status& s) {
    if (!s.is_ok()) out.push_back({field, s.message()});
  };
  if (form.matter_id.empty())
    out.push_back({"matter_id", "请选择办理事项"});
  else if (!catalog.find(form.matter_id))
    out.push_back({"matter_id", "事项“" + form.matter_id + "”不在事项目录（版本 " + catalog.version() + "）中"});
  check("applicant_name", validate_person_name(form.applicant_name).status());
  check("id_number", parse_resident_id(form.id_number, today_yyyymmdd).status());
  check("phone", validate_phone(form.phone).status());
  check("materials_received", validate_material_list(form.materials_received).status());
  check("note", validate_free_text(form.note, "备注", kMaxNoteChars, false).status());
  return out;
}

Result<IntakeDrafts> prepare_intake(const IntakeForm& form, const MatterCatalog& catalog, int today_yyyymmdd) {
  HALLSYNC_RETURN_IF_ERROR(validate_clerk_id(form.clerk_id));
  if (form.matter_id.empty()) return Status::validation("请选择办理事项");
  const Matter* matter = catalog.find(form.matter_id);
  if (!matter) return Status::validation("事项“" + form.matter_id + "”不在事项目录（版本 " + catalog.version() + "）中");
  HALLSYNC_ASSIGN_OR_RETURN(std::string name, validate_person_name(form.applicant_name));
  HALLSYNC_ASSIGN_OR_RETURN(ResidentId id, parse_resident_id(form.id_number, today_yyyymmdd));
  HALLSYNC_ASSIGN_OR_RETURN(std::string phone, validate_phone(form.phone));
  HALLSYNC_ASSIGN_OR_RETURN(std::vector<std::string> received, validate_material_list(form.materials_received));
  HALLSYNC_ASSIGN_OR_RETURN(std::string note, validate_free_text(form.note, "备注", kMaxNoteChars, false));

  IntakeDrafts drafts;
  schema::CaseEvent& a = drafts.accepted;
  a.kind = schema::EventKind::Accepted;
  a.clerk_id = form.clerk_id;
  a.matter_id = matter->matter_id;
  a.catalog_version = catalog.version();
  a.applicant = {name, id.number, phone};
  a.materials = received;
  a.handling_kind = std::string(handling_kind_code(matter->handling_kind));
  a.days = matter->promised_days;
  a.legal_max_days = matter->legal_max_days;
  a.time_unit = std::string(time_unit_code(matter->time_unit));
  a.note = note;

  HALLSYNC_ASSIGN_OR_RETURN(std::vector<std::string> deferred, validate_material_list(form.deferred));
  if (!deferred.empty()) {
    auto until = CivilDate::parse(form.deferred_until);
    if (!until) return Status::validation("容缺受理须写明后补材料的期限（YYYY-MM-DD）");
    if (until->year() * 10000 + static_cast<int>(until->month()) * 100 + static_cast<int>(until->day()) < today_yyyymmdd)
      return Status::validation("后补材料的期限不能早于今天");
    for (const auto& m : deferred) {
      if (std::find(matter->materials.begin(), matter->materials.end(), m) == matter->materials.end())
        return Status::validation("“" + m + "”不是该事项所需材料");
      if (is_key_material(m)) return Status::validation("“" + m + "”是关键材料，不能容缺受理");
      if (std::find(received.begin(), received.end(), m) != received.end())
        return Status::validation("“" + m + "”已收到，无需容缺");
    }
    schema::CaseEvent d;
    d.kind = schema::EventKind::MaterialDeferred;
    d.clerk_id = form.clerk_id;
    d.materials = deferred;
    d.to_date = until->to_string();
    drafts.deferral = std::move(d);
  }

  std::vector<std::string> missing;
  for (const auto& m : matter->materials)
    if (std::find(received.begin(), received.end(), m) == received.end() &&
        std::find(deferred.begin(), deferred.end(), m) == deferred.end())
      missing.push_back(m);
  if (!missing.empty()) {
    schema::CaseEvent r;
    r.kind = schema::EventKind::MaterialsRequested;
    r.clerk_id = form.clerk_id;
    r.materials = std::move(missing);
    drafts.request_missing = std::move(r);
  }
  return drafts;
}

}  // namespace hallsync::client
