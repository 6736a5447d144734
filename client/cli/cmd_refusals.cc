// `hall refusals`: the refusal register (否定报备登记) — every 不予受理 and
// 不予许可 in a period with applicant, contact, matter, reason, basis and the
// approving leader, as text or CSV. Applicant and contact are masked: this is
// an export that leaves the window.
#include <iostream>

#include "client/cli/cli_support.h"
#include "client/store/service_rules.h"
#include "sync/api/redact.h"

namespace hallsync::client::cli {
namespace {

struct RefusalArgs {
  std::string from, to, format = "text";
};

}  // namespace

void add_refusal_commands(CLI::App& app, CommandSet& set) {
  auto* cmd = app.add_subcommand("refusals", "否定报备登记表（不予受理、不予许可）");
  auto a = std::make_shared<RefusalArgs>();
  add_data_dir(*cmd, set.options);
  cmd->add_option("--from", a->from, "开始日期 YYYY-MM-DD")->required();
  cmd->add_option("--to", a->to, "结束日期 YYYY-MM-DD")->required();
  cmd->add_option("--format", a->format, "text 或 csv")->check(CLI::IsMember({"text", "csv"}));
  on_store(*cmd, set, [&set, a](HallStore& hall) {
    auto from = CivilDate::parse(a->from);
    auto to = CivilDate::parse(a->to);
    if (!from || !to) return report(Status::validation("日期应为 YYYY-MM-DD 格式"));
    auto rows = ServiceRules(hall).refusal_register(*from, *to);
    if (!rows) return report(rows.status());
    if (a->format == "csv") std::cout << "受理编号,日期,申请人,联系电话,申办事项,类别,否定理由,依据,审批领导\n";
    else std::cout << "否定报备登记表  " << a->from << " 至 " << a->to << "  共 " << rows->size() << " 件\n";
    for (const auto& r : *rows) {
      std::string stage = r.stage == "acceptance" ? "不予受理" : "不予许可";
      std::vector<std::string> f{r.acceptance_no, r.refused_on, mask_name(r.applicant_name), mask_phone(r.phone),
                                 matter_name(hall, r.matter_id), stage, r.reason, r.basis,
                                 r.approver.empty() ? "（未填写）" : r.approver};
      for (std::size_t i = 0; i < f.size(); ++i)
        std::cout << (i ? (a->format == "csv" ? "," : "  ") : "") << (a->format == "csv" ? csv_field(f[i]) : f[i]);
      std::cout << "\n";
    }
    return 0;
  });
}

}  // namespace hallsync::client::cli
