// WorkCalendar: which days a service hall counts as working days. The national
// schedule (holidays and 调休 make-up days) is data published each November by
// the State Council General Office and shipped as schema/catalog/calendar.csv;
// a hall may layer its own overrides on top. Weekends are implicit.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "client/domain/civil_date.h"
#include "sync/api/result.h"
#include "sync/api/status.h"

namespace hallsync::client {

enum class DayKind {
  Workday,          // Monday–Friday with nothing listed
  Weekend,          // Saturday or Sunday with nothing listed
  Holiday,          // a listed day off (statutory holiday, or a hall closure)
  AdjustedWorkday,  // 调休上班: a listed weekend day that is worked (or a hall service day)
};

struct CalendarDay {
  CivilDate date;
  DayKind kind;
  std::string name;
};

class WorkCalendar {
 public:
  // An empty calendar: weekends only, covering no year.
  WorkCalendar() = default;

  // The published format (see schema/catalog/README.md). Requires the
  // `# calendar_version:` and `# years:` comments; errors name the line.
  static Result<WorkCalendar> parse_csv(std::string_view csv);

  // The calendar compiled into the binary. Aborts if the embedded file does
  // not parse: that is a build defect the test suite catches, and silently
  // counting weekends only would produce wrong legal deadlines.
  static const WorkCalendar& builtin();

  // Hall overrides in the same CSV format (metadata comments are optional and
  // ignored): `holiday` closes a day, `workday` opens a day that would
  // otherwise be off. All rows are checked before any is applied; a later
  // call replaces earlier overrides of the same day.
  Status apply_overrides(std::string_view csv);
  bool has_overrides() const { return !overrides_.empty(); }

  // The published data's version; overrides are hall configuration and do
  // not change it (see has_overrides()).
  const std::string& version() const { return version_; }

  // Years whose national schedule is published. Outside them only weekends
  // are days off, and deadline arithmetic warns.
  bool covers(int year) const;
  int first_year() const;  // 0 when no year is covered
  int last_year() const;   // 0 when no year is covered
  const std::vector<int>& years() const { return years_; }

  DayKind kind(CivilDate date) const;
  bool is_working_day(CivilDate date) const;
  std::string day_name(CivilDate date) const;  // holiday / adjusted-day name, or ""

  // Listed days (holidays and adjusted days, overrides applied) of a year, sorted.
  std::vector<CalendarDay> listed_days(int year) const;
  int working_days_in_year(int year) const;

  // The published data, in the format parse_csv reads (round-trips).
  std::string to_csv() const;
  // The hall overrides, in the format apply_overrides reads (round-trips).
  std::string overrides_csv() const;

 private:
  struct Entry {
    DayKind kind;
    std::string name;
  };
  using Days = std::map<std::int32_t, Entry>;  // keyed by CivilDate::days

  const Entry* find(CivilDate date) const;
  static std::string rows_csv(const Days& days);

  std::string version_;
  std::string source_;
  std::vector<int> years_;  // sorted, unique
  Days published_;
  Days overrides_;
};

std::string_view day_kind_name(DayKind kind);

}  // namespace hallsync::client
