// `hall report --from --to [--format text|csv|html] [--out FILE]`: the hall's
// supervision report for a period (definitions in client/domain/supervision_report.h).
#include <iostream>

#include "client/cli/cli_support.h"
#include "client/domain/supervision_report.h"
#include "client/store/audit_log.h"
#include "client/store/service_rules.h"

namespace hallsync::client::cli {
namespace {

struct ReportArgs {
  std::string from, to, format = "text", out;
};

}  // namespace

void add_report_command(CLI::App& app, CommandSet& set) {
  auto* cmd = app.add_subcommand("report", "监督考核报表（按时办结、超期、满意度、投诉、一次性告知、AB岗）");
  auto a = std::make_shared<ReportArgs>();
  add_data_dir(*cmd, set.options);
  cmd->add_option("--from", a->from, "开始日期 YYYY-MM-DD")->required();
  cmd->add_option("--to", a->to, "结束日期 YYYY-MM-DD")->required();
  cmd->add_option("--format", a->format, "text、csv 或 html")->check(CLI::IsMember({"text", "csv", "html"}));
  cmd->add_option("--out", a->out, "写入文件（默认输出到屏幕）");
  on_store(*cmd, set, [&set, a](HallStore& hall) {
    auto from = CivilDate::parse(a->from);
    auto to = CivilDate::parse(a->to);
    if (!from || !to || *to < *from) return report(Status::validation("请给出有效的期间（YYYY-MM-DD，结束不早于开始）"));
    auto reg = ServiceRules(hall).load();
    if (!reg) return report(reg.status());
    // Breaches in the period may sit on cases accepted earlier.
    auto cases = CaseRepository(hall).cases_accepted_between(CivilDate{-1000000}, *to);
    if (!cases) return report(cases.status());
    auto r = build_report(hall.identity().hall_code, *cases, *reg, hall.calendar(), *from, *to);
    std::string body = a->format == "csv" ? report_to_csv(r) : a->format == "html" ? report_to_html(r) : report_to_text(r);
    int rc = write_output(body, a->out, "监督考核报表");
    // #7: a report written to a file leaves the PC's screen: an export, audited.
    if (!a->out.empty()) {
      AuditEntry e{0, hall.clock().now_ms(), os_actor(), "report_export", a->out.substr(a->out.find_last_of('/') + 1),
                   rc == 0 ? "ok" : "failed", a->from + ".." + a->to + " " + a->format};
      if (Status s = record_audit(hall.db(), e); !s.is_ok()) return report(s);
    }
    return rc;
  });
}

}  // namespace hallsync::client::cli
