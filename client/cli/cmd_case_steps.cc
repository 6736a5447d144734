// `hall case <step>`: one command per lifecycle step. Each builds an event
// draft from its options; the repository validates and commits it.
#include <iostream>

#include "client/cli/cli_support.h"
#include "client/domain/intake.h"
#include "client/domain/text_rules.h"

namespace hallsync::client::cli {
namespace {

using schema::EventKind;

// Options any step may use; each step declares the ones it takes.
struct StepArgs {
  std::string case_ref;
  std::vector<std::string> materials;
  std::string reason, basis, approver, department, stage, note, field, value, level, service;
  int days = 0;
};

enum Opt : unsigned {
  kMaterials = 1, kReason = 2, kBasis = 4, kApprover = 8, kDepartment = 16, kStage = 32, kDays = 64, kField = 128,
  kLevel = 256, kService = 512,
};

struct StepSpec {
  const char* name;
  const char* help;
  EventKind kind;
  unsigned options;
  unsigned required;
  const char* done;  // Chinese confirmation
};

constexpr StepSpec kSteps[] = {
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
  if (spec.options & kLevel) e.value = a.level;
  if (spec.options & kService) e.field = a.service;
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

// What the service rules ask of the clerk right after a step.
void print_rule_notes(EventKind kind, const CaseView& v) {
  if (kind == EventKind::Extended)
    std::cout << "请打印延期办结告知书交申请人：hall case print " << v.acceptance_no << " --doc extension\n";
  if (kind == EventKind::Refused)
    std::cout << "已列入否定报备登记表；请打印决定书交申请人：hall case print " << v.acceptance_no << " --doc refusal\n";
  if (kind == EventKind::MaterialsRequested && !v.one_time_breaches.empty() &&
      v.one_time_breaches.back().event_id == v.events.back().event_id()) {
    std::cerr << "提示：本次告知的材料";
    for (const auto& m : v.one_time_breaches.back().materials) std::cerr << "“" << m << "”";
    std::cerr << "不在首次一次性告知书中，已记为违反一次性告知制度，供监督检查\n";
  }
}

}  // namespace

void add_case_step_commands(CLI::App& case_cmd, CommandSet& set) {
  for (const StepSpec& spec : kSteps) {
    auto* cmd = case_cmd.add_subcommand(spec.name, spec.help);
    auto a = std::make_shared<StepArgs>();
    add_data_dir(*cmd, set.options);
    add_clerk(*cmd, set.options);
    add_json(*cmd, set.options);
    cmd->add_option("CASE", a->case_ref, "受理编号或案件ID")->required();
    auto req = [&spec](CLI::Option* o, unsigned bit) { return (spec.required & bit) ? o->required() : o; };
    if (spec.options & kMaterials) req(cmd->add_option("--material", a->materials, "材料名称（可多次填写）"), kMaterials);
    if (spec.options & kReason) req(cmd->add_option("--reason", a->reason, "理由"), kReason);
    if (spec.options & kBasis) req(cmd->add_option("--basis", a->basis, "法律依据"), kBasis);
    if (spec.options & kApprover) cmd->add_option("--approver", a->approver, "审批领导");
    if (spec.options & kDepartment) cmd->add_option("--department", a->department, "后台审批部门（默认为事项的行业指导部门）");
    if (spec.options & kStage)
      req(cmd->add_option("--stage", a->stage, "acceptance 不予受理 / decision 不予许可")
              ->check(CLI::IsMember({"acceptance", "decision"})), kStage);
    if (spec.options & kDays) req(cmd->add_option("--days", a->days, "延期天数")->check(CLI::Range(1, 365)), kDays);
    if (spec.options & kField) {
      req(cmd->add_option("--field", a->field, "name 或 phone")->check(CLI::IsMember({"name", "phone"})), kField);
      cmd->add_option("--value", a->value, "更正后的值")->required();
    }
    if (spec.options & kLevel)
      req(cmd->add_option("--level", a->level, "非常满意、满意、基本满意、不满意、非常不满意")
              ->check(CLI::IsMember({"非常满意", "满意", "基本满意", "不满意", "非常不满意"})), kLevel);
    if (spec.options & kService)
      req(cmd->add_option("--service", a->service, "green_channel 绿色通道, extended_hours 延时服务, door_to_door 上门服务")
              ->check(CLI::IsMember({"green_channel", "extended_hours", "door_to_door"})), kService);
    cmd->add_option("--note", a->note, "备注");
    cmd->callback([&set, &spec, a] {
      set.action = [&set, &spec, a] {
        auto store = open_store(set.options);
        if (!store) return 3;
        auto draft = build_draft(spec, *a, clerk_id(set.options));
        if (!draft) return report(draft.status());
        CaseRepository repo(*store);
        auto v = repo.record(a->case_ref, std::move(*draft));
        if (!v) return report(v.status());
        if (set.options.json) {
          print_json(case_detail_json(*v, *store, today(*store)));
          return 0;
        }
        std::cout << spec.done << "：" << v->acceptance_no << "（状态：" << case_state_label(v->state) << "）\n";
        print_rule_notes(spec.kind, *v);
        return 0;
      };
    });
  }
}

}  // namespace hallsync::client::cli
