// Deadline arithmetic for promised cases (承诺件): from an acceptance day and a
// time limit to a due date, over the working-day calendar, honouring clock
// pauses (行政许可法 art. 45) and 补正 restarts. Pure functions: no clock, no I/O.
#pragma once

#include <string>
#include <vector>

#include "client/domain/civil_date.h"
#include "client/domain/time_limit.h"
#include "client/domain/work_calendar.h"

namespace hallsync::client {

// Whether the acceptance day itself is day 1. The province's rule is unknown
// (DOMAIN.md), so it is a setting; NextDay is common practice and matches
// 民法典 art. 201 for calendar-day periods.
enum class CountFrom { NextDay, SameDay };

// An inclusive span of days, e.g. a pause for a hearing, inspection or
// appraisal (特别程序, 行政许可法 art. 45).
struct DateRange {
  CivilDate first;
  CivilDate last;
  bool contains(CivilDate d) const { return first <= d && d <= last; }
};

struct DeadlineRequest {
  CivilDate start;                // acceptance day, or the day missing materials arrived (补正 restarts the count)
  TimeLimit limit;                // days + unit
  std::vector<DateRange> pauses;  // days inside a pause are not counted
  CountFrom count_from = CountFrom::NextDay;
};

struct Deadline {
  CivilDate due;
  // True when some day that decided the result lies in a year whose holiday
  // schedule is not in the calendar, so only weekends were treated as off.
  bool beyond_known_calendar = false;
  std::vector<std::string> warnings;  // Chinese, shown to clerks as-is
};

// Working-day limits: the N-th working, unpaused day counting from the day
// after `start` (or `start` itself with SameDay).
// Calendar-day limits (民法典 art. 201, 203): the N-th unpaused day; if that
// is not a working day the period ends on the next working day.
// A limit of 0 days (即办件) is due on `start`.
Deadline compute_deadline(const WorkCalendar& calendar, const DeadlineRequest& request);

// Working days strictly after `from` up to and including `to`; negative (the
// same count, negated) when `to` is before `from`. Used for "N working days
// left" (from = today, to = due): 0 on the due day, negative once overdue.
int working_days_between(const WorkCalendar& calendar, CivilDate from, CivilDate to);

}  // namespace hallsync::client
