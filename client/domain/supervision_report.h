// Supervision report (监督考核报表) per hall and period, and the district's
// sum of halls: cases by matter and status, on-time completion, overdue
// cases, satisfaction, complaints and outcomes, one-time-notification
// breaches, post coverage gaps and clerks to flag. Pure: built from folded
// cases and a hall register, so the hall and the hub compute it alike.
//
// Definitions (a supervisor must be able to recompute every figure by hand):
// - scope: cases accepted in [from, to] (withdrawn ones are counted by status only);
// - completed: approved, refused or delivered, on the day of the first such event;
//   on time: an instant case completed on its acceptance day, a promised one by its
//   due date (extensions and paused procedure days included, as the law allows);
// - overdue: cases in scope still open (accepted or forwarded) whose due date is before `to`;
// - satisfaction: evaluations of cases in scope; complaints and enquiries filed in the period;
// - breaches: one-time-notification breaches recorded in the period.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "client/domain/case_lifecycle.h"
#include "client/domain/hall_register.h"

namespace hallsync::client {

class WorkCalendar;

struct SupervisionReport {
  std::string scope;  // hall code, or "district" for a sum
  CivilDate from, to;
  int halls = 1;
  int cases = 0;
  std::map<std::string, std::map<std::string, int>> by_matter;  // matter id -> state code -> count
  int completed = 0, on_time = 0;
  std::vector<std::string> overdue;  // acceptance numbers
  std::array<int, 5> satisfaction{};  // counts per kSatisfactionLevels
  int enquiries = 0;
  int complaints = 0;
  std::map<std::string, int> complaints_by_channel;  // channel code -> count
  std::map<std::string, int> complaint_outcomes;     // upheld | not_upheld | pending -> count
  struct Breach {
    std::string acceptance_no, clerk_id, on;
    std::vector<std::string> materials;
  };
  std::vector<Breach> one_time_breaches;
  std::vector<std::string> coverage_gaps;  // "<hall> <post> <from>–<to>"
  std::vector<std::string> flagged_clerks; // "<hall> <clerk> (n)"

  double on_time_rate() const { return completed ? static_cast<double>(on_time) / completed : 0.0; }
  int evaluations() const;
  // Adds another hall's report into this one (the district's sum).
  void add(const SupervisionReport& other);
};

// `cases`: folded cases (any; those outside the scope are skipped).
SupervisionReport build_report(const std::string& hall_code, const std::vector<CaseView>& cases,
                               const HallRegister& reg, const WorkCalendar& calendar, CivilDate from, CivilDate to);

// The same report from one hall's raw events (case events and hall records
// mixed, any order), as the hub holds them.
SupervisionReport report_from_events(const std::string& hall_code, std::vector<schema::CaseEvent> events,
                                     const WorkCalendar& calendar, CivilDate from, CivilDate to);

std::string report_to_text(const SupervisionReport& r);
std::string report_to_csv(const SupervisionReport& r);   // section,key,value rows
std::string report_to_html(const SupervisionReport& r);  // a standalone A4 page

}  // namespace hallsync::client
