// `hallhub report --from --to [--hall CODE] [--format text|csv|html]`: the
// district's supervision report — each hall's report from the events the hub
// holds, summed (definitions in client/domain/supervision_report.h).
#include <iostream>

#include "client/domain/supervision_report.h"
#include "client/domain/work_calendar.h"
#include "tools/hallhub/hub_commands.h"

namespace hallsync::tools {
namespace {

struct ReportArgs {
  std::string from, to, hall, format = "text";
};

}  // namespace

void add_report_command(CLI::App& app, HubCommandSet& set) {
  auto a = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand("report", "district supervision report (all halls summed, or one hall)");
  cmd->add_option("--data-dir", set.data_dir, "hub data directory")->required();
  cmd->add_option("--store", set.store, "postgresql://… URL of the hub's PostgreSQL store (default: SQLite in --data-dir)");
  cmd->add_option("--from", a->from, "first day, YYYY-MM-DD")->required();
  cmd->add_option("--to", a->to, "last day, YYYY-MM-DD")->required();
  cmd->add_option("--hall", a->hall, "one hall only");
  cmd->add_option("--format", a->format, "text, csv or html")->check(CLI::IsMember({"text", "csv", "html"}));
  cmd->callback([&set, a] {
    set.action = [&set, a] {
      auto from = client::CivilDate::parse(a->from);
      auto to = client::CivilDate::parse(a->to);
      if (!from || !to || *to < *from) return report_error(Status::validation("give a valid period (YYYY-MM-DD)"));
      auto hub = open_hub(set.data_dir, set.store);
      if (!hub) return 2;
      auto halls = hub->hall_codes();
      if (!halls) return report_error(halls.status());
      // The hub holds no hall calendar overrides: the published national calendar counts.
      const auto& calendar = client::WorkCalendar::builtin();
      client::SupervisionReport district;
      district.scope = a->hall.empty() ? "district" : a->hall;
      district.from = *from;
      district.to = *to;
      district.halls = 0;
      for (const auto& hall : *halls) {
        if (!a->hall.empty() && hall != a->hall) continue;
        auto events = hub->hall_events(hall);  // one hall in memory at a time
        if (!events) return report_error(events.status());
        district.add(client::report_from_events(hall, std::move(*events), calendar, *from, *to));
      }
      std::cout << (a->format == "csv"    ? client::report_to_csv(district)
                    : a->format == "html" ? client::report_to_html(district)
                                          : client::report_to_text(district));
      return 0;
    };
  });
}

}  // namespace hallsync::tools
