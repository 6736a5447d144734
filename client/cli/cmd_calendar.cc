// `hall calendar due|show`: working-day arithmetic a clerk can quote to a citizen.
#include <iostream>

#include "client/cli/cli_support.h"
#include "client/domain/deadline.h"
#include "client/domain/work_calendar.h"

namespace hallsync::client::cli {
namespace {

std::string_view day_kind_label(DayKind k) {
  switch (k) {
    case DayKind::Workday: return "工作日";
    case DayKind::Weekend: return "周末";
    case DayKind::Holiday: return "法定节假日";
    case DayKind::AdjustedWorkday: return "调休上班";
  }
  return "";
}

struct DueArgs {
  std::string date;
  int days = 0;
  std::string unit = "working";
  bool same_day = false;
};

}  // namespace

void add_calendar_commands(CLI::App& app, CommandSet& set) {
  auto* calendar = app.add_subcommand("calendar", "工作日历")->require_subcommand(1);

  auto* due = calendar->add_subcommand("due", "计算办结期限：DATE 之后 N 个工作日");
  auto args = std::make_shared<DueArgs>();
  add_data_dir(*due, set.options);
  add_json(*due, set.options);
  due->add_option("DATE", args->date, "受理日期 YYYY-MM-DD")->required();
  due->add_option("N", args->days, "天数")->required()->check(CLI::Range(0, 3650));
  due->add_option("--unit", args->unit, "working（工作日，默认）或 calendar（自然日）")
      ->check(CLI::IsMember({"working", "calendar"}));
  due->add_flag("--same-day", args->same_day, "从受理当日起算（默认从次日起算）");
  due->callback([&set, args] {
    set.action = [&set, args] {
      auto store = open_store(set.options);
      if (!store) return 3;
      auto start = CivilDate::parse(args->date);
      if (!start) return report(Status::validation("日期格式应为 YYYY-MM-DD 且为有效日期：" + args->date));
      DeadlineRequest req;
      req.start = *start;
      req.limit = {args->days, args->unit == "calendar" ? TimeUnit::CalendarDays : TimeUnit::WorkingDays};
      req.count_from = args->same_day ? CountFrom::SameDay : CountFrom::NextDay;
      Deadline d = compute_deadline(store->calendar(), req);
      if (set.options.json) {
        print_json({{"start", start->to_string()},
                    {"days", args->days},
                    {"unit", args->unit},
                    {"count_from", args->same_day ? "same_day" : "next_day"},
                    {"due", d.due.to_string()},
                    {"beyond_known_calendar", d.beyond_known_calendar},
                    {"warnings", d.warnings},
                    {"calendar_version", store->calendar().version()}});
        return 0;
      }
      std::cout << start->chinese() << "受理，" << args->days
                << (req.limit.unit == TimeUnit::WorkingDays ? "个工作日" : "日") << "，办结期限为 " << d.due.chinese()
                << "（" << d.due.to_string() << "）\n";
      for (const auto& w : d.warnings) std::cout << "注意：" << w << "\n";
      return 0;
    };
  });

  auto* show = calendar->add_subcommand("show", "显示某年的节假日和调休安排");
  auto year = std::make_shared<int>(0);
  add_data_dir(*show, set.options);
  add_json(*show, set.options);
  show->add_option("YEAR", *year, "年份")->required()->check(CLI::Range(1970, 2199));
  show->callback([&set, year] {
    set.action = [&set, year] {
      auto store = open_store(set.options);
      if (!store) return 3;
      const auto& cal = store->calendar();
      auto days = cal.listed_days(*year);
      if (set.options.json) {
        nlohmann::json out = {{"year", *year},
                              {"published", cal.covers(*year)},
                              {"working_days", cal.working_days_in_year(*year)},
                              {"calendar_version", cal.version()},
                              {"days", nlohmann::json::array()}};
        for (const auto& d : days)
          out["days"].push_back({{"date", d.date.to_string()},
                                 {"kind", d.kind == DayKind::Holiday ? "holiday" : "workday"},
                                 {"name", d.name}});
        print_json(out);
        return 0;
      }
      std::cout << *year << "年：全年工作日 " << cal.working_days_in_year(*year) << " 天（日历版本 " << cal.version()
                << "）\n";
      if (!cal.covers(*year)) std::cout << "注意：" << *year << "年节假日安排尚未发布，仅按周末计算\n";
      for (const auto& d : days)
        std::cout << d.date.to_string() << "  " << day_kind_label(d.kind) << "  " << d.name << "\n";
      return 0;
    };
  });
}

}  // namespace hallsync::client::cli
