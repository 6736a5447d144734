// `hall case <step>`: one command per lifecycle step (case_steps.h). Each
// builds an event draft from its options; the repository validates and commits it.
#include <iostream>

#include "client/cli/case_steps.h"
#include "client/cli/cli_support.h"

namespace hallsync::client::cli {
namespace {

using schema::EventKind;

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
  for (const StepSpec& spec : case_steps()) {
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
              ->check(CLI::IsMember(evaluation_levels())), kLevel);
    if (spec.options & kService)
      req(cmd->add_option("--service", a->service, "green_channel 绿色通道, extended_hours 延时服务, door_to_door 上门服务")
              ->check(CLI::IsMember(service_flags())), kService);
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
