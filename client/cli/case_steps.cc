// The lifecycle steps' table and drafting (see case_steps.h).
#include "client/cli/case_steps.h"

#include <algorithm>

#include "client/domain/intake.h"
#include "client/domain/text_rules.h"

namespace hallsync::client::cli {
namespace {

using schema::EventKind;

const std::vector<StepSpec> kSteps = {
    {"request-materials", "一次性告知需补正的全部材料", EventKind::MaterialsRequested, kMaterials, kMaterials, "已登记一次性告知"},
    {"supplement", "登记申请人补正的材料", EventKind::MaterialsSupplemented, kMaterials, kMaterials, "已登记补正材料"},
    {"forward", "转后台（区直部门）审批", EventKind::Forwarded, kDepartment, 0, "已转后台审批"},
    {"approve", "准予（办结）", EventKind::Approved, kApprover, 0, "已办结"},
    {"extend", "延期办结（须写明理由，不得超过法定时限）", EventKind::Extended, kDays | kReason | kApprover, kDays | kReason,
     "已延期"},
    {"refuse", "不予受理/不予许可（须写明理由和法律依据）", EventKind::Refused, kStage | kReason | kBasis | kApprover,
     kStage | kReason | kBasis, "已登记否定报备"},
    {"deliver", "出件（结果已交申请人）", EventKind::Delivered, 0, 0, "已出件"},
    {"withdraw", "申请人撤回申请", EventKind::Withdrawn, kReason, kReason, "已撤回"},
    {"pause", "特别程序开始（听证、检验、鉴定等，不计入时限）", EventKind::ProcedurePaused, kReason, kReason,
     "已暂停计时"},
    {"resume", "特别程序结束，恢复计时", EventKind::ProcedureResumed, 0, 0, "已恢复计时"},
    {"correct", "更正申请人信息（须写明原因）", EventKind::FieldCorrected, kField | kReason, kField | kReason, "已更正"},
    {"evaluate", "登记申请人满意度评价（出件后，--note 填写评价意见）", EventKind::Evaluated, kLevel, kLevel, "已登记评价"},
    {"flag", "标记拓展服务：绿色通道、延时服务、上门服务", EventKind::ServiceFlagged, kService, kService, "已标记"},
};

bool one_of(const std::vector<std::string>& allowed, const std::string& value) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

}  // namespace

const std::vector<StepSpec>& case_steps() { return kSteps; }

const std::vector<std::string>& evaluation_levels() {
  static const std::vector<std::string> levels{"非常满意", "满意", "基本满意", "不满意", "非常不满意"};
  return levels;
}

const std::vector<std::string>& service_flags() {
  static const std::vector<std::string> flags{"green_channel", "extended_hours", "door_to_door"};
  return flags;
}

const StepSpec* find_case_step(std::string_view name) {
  for (const auto& s : kSteps)
    if (name == s.name) return &s;
  return nullptr;
}

std::vector<const StepSpec*> allowed_steps(const CaseView& view) {
  std::vector<const StepSpec*> out;
  for (const auto& s : kSteps) {
    schema::CaseEvent probe;
    probe.kind = s.kind;
    probe.days = 1;
    if (s.kind == EventKind::FieldCorrected) probe.field = "applicant.name";
    if (check_transition(view, probe).kind() != ErrorKind::Conflict) out.push_back(&s);
  }
  return out;
}

// Validates the free-text options a step carries and builds its event draft.
Result<schema::CaseEvent> build_draft(const StepSpec& spec, const StepArgs& a, const std::string& clerk) {
  HALLSYNC_RETURN_IF_ERROR(validate_clerk_id(clerk));
  schema::CaseEvent e;
  e.kind = spec.kind;
  e.clerk_id = clerk;
  if (spec.options & kMaterials) {
    HALLSYNC_ASSIGN_OR_RETURN(e.materials, validate_material_list(a.materials));
  }
  if (spec.options & kReason) {
    HALLSYNC_ASSIGN_OR_RETURN(e.reason, validate_free_text(a.reason, "理由", kMaxReasonChars, spec.required & kReason));
  }
  if (spec.options & kBasis) {
    HALLSYNC_ASSIGN_OR_RETURN(e.legal_basis, validate_free_text(a.basis, "法律依据", kMaxReasonChars, true));
  }
  if (spec.options & kApprover) {
    HALLSYNC_ASSIGN_OR_RETURN(e.approver, validate_free_text(a.approver, "审批领导", 30, false));
  }
  if (spec.options & kDepartment) {
    HALLSYNC_ASSIGN_OR_RETURN(e.department, validate_free_text(a.department, "审批部门", 60, false));
  }
  HALLSYNC_ASSIGN_OR_RETURN(e.note, validate_free_text(a.note, "备注", kMaxNoteChars, false));
  if (spec.options & kStage) e.stage = a.stage;
  if (spec.options & kLevel) {
    if (!one_of(evaluation_levels(), a.level))
      return Status::validation("满意度评价须为：非常满意、满意、基本满意、不满意、非常不满意");
    e.value = a.level;
  }
  if (spec.options & kService) {
    if (!one_of(service_flags(), a.service))
      return Status::validation("拓展服务须为 green_channel（绿色通道）、extended_hours（延时服务）或 door_to_door（上门服务）");
    e.field = a.service;
  }
  if (spec.options & kDays) e.days = a.days;
  if (spec.options & kField) {
    if (a.field == "name") {
      e.field = "applicant.name";
      HALLSYNC_ASSIGN_OR_RETURN(e.value, validate_person_name(a.value));
    } else if (a.field == "phone") {
      e.field = "applicant.phone";
      HALLSYNC_ASSIGN_OR_RETURN(e.value, validate_phone(a.value));
    } else {
      return Status::validation("可更正的字段为 name（姓名）或 phone（电话）；身份证号码错误请撤回后重新受理");
    }
  }
  return e;
}

}  // namespace hallsync::client::cli
