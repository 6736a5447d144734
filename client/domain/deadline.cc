// Deadline arithmetic. Days are walked one at a time: limits are at most a
// few dozen days and walking keeps every rule (holidays, 调休, pauses, the
// calendar-day roll-forward) a plain, checkable condition.
#include "client/domain/deadline.h"

#include <set>

namespace hallsync::client {
namespace {

// Remembers which calendar years were actually consulted outside the
// published schedule, so the warning names exactly those years.
class Scanner {
 public:
  Scanner(const WorkCalendar& calendar, const std::vector<DateRange>& pauses)
      : calendar_(calendar), pauses_(pauses) {}

  bool is_working_day(CivilDate d) {
    const int year = d.year();
    if (!calendar_.covers(year)) unknown_years_.insert(year);
    return calendar_.is_working_day(d);
  }

  bool is_paused(CivilDate d) const {
    for (const DateRange& p : pauses_)
      if (p.contains(d)) return true;
    return false;
  }

  const std::set<int>& unknown_years() const { return unknown_years_; }

 private:
  const WorkCalendar& calendar_;
  const std::vector<DateRange>& pauses_;
  std::set<int> unknown_years_;
};

std::string unknown_year_warning(const WorkCalendar& calendar, int year) {
  const std::string y = std::to_string(year);
  // Past the last published year the schedule simply is not out yet (it
  // appears each November); anything else is missing from our data.
  if (calendar.years().empty() || year > calendar.last_year())
    return y + "年节假日安排尚未发布，截止日期仅按周末推算，请发布后复核";
  return y + "年节假日安排未收录，截止日期仅按周末推算，请核实";
}

}  // namespace

Deadline compute_deadline(const WorkCalendar& calendar, const DeadlineRequest& request) {
  Deadline out;
  out.due = request.start;

  // A reversed pause is a data-entry slip; ignoring it loudly is safer than
  // guessing which end was meant.
  std::vector<DateRange> pauses;
  for (const DateRange& p : request.pauses) {
    if (p.last < p.first) {
      out.warnings.push_back("暂停区间" + p.first.chinese() + "至" + p.last.chinese() + "起止颠倒，已忽略");
    } else {
      pauses.push_back(p);
    }
  }

  int limit = request.limit.days;
  if (limit < 0) {
    out.warnings.push_back("时限天数无效（" + std::to_string(limit) + "），已按当日办结处理");
    limit = 0;
  }
  if (limit == 0) return out;  // 即办件: due on the day itself

  Scanner scan(calendar, pauses);
  CivilDate d = request.count_from == CountFrom::SameDay ? request.start : request.start.plus_days(1);
  int counted = 0;
  if (request.limit.unit == TimeUnit::WorkingDays) {
    for (;; d = d.plus_days(1)) {
      if (scan.is_paused(d) || !scan.is_working_day(d)) continue;
      if (++counted == limit) break;
    }
  } else {
    // Calendar days: every unpaused day counts whatever its kind; the
    // calendar only matters for where the period finally ends.
    for (;; d = d.plus_days(1)) {
      if (scan.is_paused(d)) continue;
      if (++counted == limit) break;
    }
    while (scan.is_paused(d) || !scan.is_working_day(d)) d = d.plus_days(1);
  }
  out.due = d;

  for (const int year : scan.unknown_years()) out.warnings.push_back(unknown_year_warning(calendar, year));
  out.beyond_known_calendar = !scan.unknown_years().empty();
  return out;
}

int working_days_between(const WorkCalendar& calendar, CivilDate from, CivilDate to) {
  if (to < from) return -working_days_between(calendar, to, from);
  int count = 0;
  for (CivilDate d = from.plus_days(1); d <= to; d = d.plus_days(1))
    if (calendar.is_working_day(d)) ++count;
  return count;
}

}  // namespace hallsync::client
