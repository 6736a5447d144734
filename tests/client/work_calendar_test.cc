// CivilDate and WorkCalendar: the shipped 2025/2026 schedule checked against
// the State Council notices, parse errors that point at the line, and hall
// overrides layered on top.
#include <catch2/catch.hpp>

#include "client/domain/civil_date.h"
#include "client/domain/work_calendar.h"

using hallsync::client::CivilDate;
using hallsync::client::DayKind;
using hallsync::client::WorkCalendar;

namespace {

CivilDate date(const char* text) {
  const auto d = CivilDate::parse(text);
  REQUIRE(d.has_value());
  return *d;
}

// A small calendar in the published format, for the error cases.
std::string calendar_with(const std::string& rows) {
  return "# calendar_version: test.1\n# years: 2026\nday,kind,name\n" + rows;
}

}  // namespace

TEST_CASE("CivilDate parses strict ISO dates and rejects anything else", "[calendar]") {
  CHECK(date("2024-02-29").to_string() == "2024-02-29");  // leap year
  CHECK_FALSE(CivilDate::parse("2026-02-29"));
  CHECK_FALSE(CivilDate::parse("2026-13-01"));
  CHECK_FALSE(CivilDate::parse("2026-00-10"));
  CHECK_FALSE(CivilDate::parse("2026-04-31"));
  CHECK_FALSE(CivilDate::parse("2026-1-5"));
  CHECK_FALSE(CivilDate::parse("2026/01/05"));
  CHECK_FALSE(CivilDate::parse(" 2026-01-05"));
  CHECK_FALSE(CivilDate::parse("2026-01-05T00:00"));
  CHECK_FALSE(CivilDate::parse("+026-01-05"));
  CHECK_FALSE(CivilDate::parse("1899-12-31"));
  CHECK_FALSE(CivilDate::parse("2200-01-01"));
  CHECK_FALSE(CivilDate::parse("2100-02-29"));  // century, not a leap year
  CHECK(CivilDate::parse("2000-02-29"));        // 400-year rule
  CHECK(CivilDate::parse("1900-01-01")->days == -25567);
}

TEST_CASE("CivilDate day numbers, fields and weekdays agree", "[calendar]") {
  CHECK(CivilDate::from_ymd(1970, 1, 1).days == 0);
  CHECK(date("2026-11-28").days == 20785);
  CHECK(date("2026-11-28").weekday() == 6);  // Saturday
  CHECK(date("2027-01-01").weekday() == 5);  // Friday
  CHECK(date("1969-12-31").weekday() == 3);  // Wednesday, before the epoch
  CHECK(date("2026-11-28").chinese() == "2026年11月28日");
  CHECK(date("2026-01-05").chinese() == "2026年1月5日");
  CHECK(date("2026-02-28").plus_days(1) == date("2026-03-01"));
  CHECK(date("2024-02-28").plus_days(1) == date("2024-02-29"));
  CHECK(date("2026-12-31") < date("2027-01-01"));

  // Every representable day survives text and back, and weekdays cycle.
  int mismatches = 0;
  const CivilDate last = date("2199-12-31");
  for (CivilDate d = date("1900-01-01"); d <= last; d = d.plus_days(1)) {
    const auto back = CivilDate::parse(d.to_string());
    if (!back || *back != d || CivilDate::from_ymd(d.year(), d.month(), d.day()) != d ||
        d.plus_days(1).weekday() != d.weekday() % 7 + 1)
      ++mismatches;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("from_unix_ms uses China time (UTC+8) by default", "[calendar]") {
  const std::int64_t t = 1795797000000;  // 2026-11-27T16:30:00Z
  CHECK(CivilDate::from_unix_ms(t) == date("2026-11-28"));
  CHECK(CivilDate::from_unix_ms(t, 0) == date("2026-11-27"));
  CHECK(CivilDate::from_unix_ms(1795795199999) == date("2026-11-27"));  // 23:59:59.999 in Beijing
  CHECK(CivilDate::from_unix_ms(-1, 0) == date("1969-12-31"));
  CHECK(CivilDate::from_unix_ms(-1) == date("1970-01-01"));
}

TEST_CASE("The shipped calendar matches the 2025 and 2026 State Council schedules", "[calendar]") {
  const WorkCalendar& cal = WorkCalendar::builtin();
  CHECK(cal.version() == "cn-2025-2026.1");
  CHECK(cal.covers(2025));
  CHECK(cal.covers(2026));
  CHECK_FALSE(cal.covers(2024));
  CHECK_FALSE(cal.covers(2027));
  CHECK(cal.first_year() == 2025);
  CHECK(cal.last_year() == 2026);

  // 365 days − 104 weekend days − 13 statutory holidays: 调休 only moves days.
  CHECK(cal.working_days_in_year(2026) == 248);
  CHECK(cal.working_days_in_year(2025) == 248);

  CHECK(cal.kind(date("2026-02-14")) == DayKind::AdjustedWorkday);
  CHECK(cal.kind(date("2026-02-28")) == DayKind::AdjustedWorkday);
  CHECK(cal.kind(date("2026-10-10")) == DayKind::AdjustedWorkday);
  CHECK(cal.day_name(date("2026-02-14")) == "春节调休上班");
  CHECK(cal.is_working_day(date("2026-01-04")));  // a Sunday, worked for New Year
  CHECK(cal.is_working_day(date("2026-09-20")));  // a Sunday, worked for National Day
  for (CivilDate d = date("2026-10-01"); d <= date("2026-10-07"); d = d.plus_days(1)) {
    CHECK(cal.kind(d) == DayKind::Holiday);
    CHECK(cal.day_name(d) == "国庆节");
  }
  CHECK(cal.kind(date("2026-03-08")) == DayKind::Weekend);  // an ordinary Sunday
  CHECK_FALSE(cal.is_working_day(date("2026-03-08")));
  CHECK(cal.kind(date("2026-03-09")) == DayKind::Workday);
  CHECK(cal.day_name(date("2026-03-09")).empty());
  CHECK(cal.kind(date("2025-10-06")) == DayKind::Holiday);
  CHECK(cal.is_working_day(date("2025-10-11")));

  const auto listed = cal.listed_days(2026);
  CHECK(listed.size() == 39);  // 33 days off + 6 make-up days
  CHECK(listed.front().date == date("2026-01-01"));
  CHECK(listed.back().date == date("2026-10-10"));
  for (std::size_t i = 1; i < listed.size(); ++i) CHECK(listed[i - 1].date < listed[i].date);
}

TEST_CASE("Beyond the published years only weekends are days off", "[calendar]") {
  const WorkCalendar& cal = WorkCalendar::builtin();
  CHECK_FALSE(cal.covers(2027));
  CHECK(cal.kind(date("2027-01-01")) == DayKind::Workday);  // a Friday; its holiday is not yet published
  CHECK(cal.is_working_day(date("2027-01-01")));
  CHECK(cal.kind(date("2027-01-02")) == DayKind::Weekend);
  CHECK(cal.working_days_in_year(2027) == 261);
  CHECK(cal.listed_days(2027).empty());
}

TEST_CASE("The calendar exports and re-reads unchanged", "[calendar]") {
  const WorkCalendar& cal = WorkCalendar::builtin();
  const auto again = WorkCalendar::parse_csv(cal.to_csv());
  REQUIRE(again.is_ok());
  CHECK(again->version() == cal.version());
  CHECK(again->to_csv() == cal.to_csv());
  CHECK(again->working_days_in_year(2025) == 248);
}

TEST_CASE("Calendar parse errors name the offending line", "[calendar]") {
  auto error_of = [](const std::string& csv) {
    const auto r = WorkCalendar::parse_csv(csv);
    REQUIRE_FALSE(r.is_ok());
    return r.status().message();
  };
  using Catch::Matchers::Contains;
  CHECK_THAT(error_of(calendar_with("2026-02-30,holiday,春节\n")), Contains("line 4") && Contains("2026-02-30"));
  CHECK_THAT(error_of(calendar_with("2026-10-01,holiday,国庆节\n2026-10-02,vacation,国庆节\n")),
             Contains("line 5") && Contains("vacation"));
  CHECK_THAT(error_of(calendar_with("2026-10-01,holiday,国庆节\n\n2026-10-01,holiday,国庆节\n")),
             Contains("line 6") && Contains("duplicate") && Contains("line 4"));
  CHECK_THAT(error_of(calendar_with("2026-10-01,holiday\n")), Contains("line 4"));
  CHECK_THAT(error_of(calendar_with("2026-10-01,holiday,\n")), Contains("line 4"));
  CHECK_THAT(error_of(calendar_with("2026-03-03,workday,调休上班\n")), Contains("line 4") && Contains("weekday"));
  CHECK_THAT(error_of(calendar_with("2027-01-01,holiday,元旦\n")), Contains("line 4") && Contains("2027-01-01"));
  CHECK_THAT(error_of("# calendar_version: x\n# years: 2026\ndate,kind,name\n"), Contains("line 3"));
  CHECK_THAT(error_of("# years: 2026\nday,kind,name\n"), Contains("calendar_version"));
  CHECK_THAT(error_of("# calendar_version: x\nday,kind,name\n"), Contains("years"));
  CHECK_THAT(error_of("# calendar_version: x\n# years: 2026,20x6\nday,kind,name\n"), Contains("line 2"));
}

TEST_CASE("Calendar files saved by spreadsheets (BOM, CRLF) are accepted", "[calendar]") {
  const auto r = WorkCalendar::parse_csv(
      "\xEF\xBB\xBF# calendar_version: t\r\n# Note: prose comments may contain colons\r\n# years: 2026\r\n"
      "day,kind,name\r\n2026-10-10,workday,国庆节调休上班\r\n");
  REQUIRE(r.is_ok());
  CHECK(r->day_name(date("2026-10-10")) == "国庆节调休上班");
}

TEST_CASE("Hall overrides open a Saturday or close a day on top of the published calendar", "[calendar]") {
  WorkCalendar cal = WorkCalendar::builtin();  // a copy: the builtin stays untouched
  REQUIRE(cal.apply_overrides("day,kind,name\n"
                              "2026-03-07,workday,周六便民服务日\n"
                              "2026-03-10,holiday,大厅停电检修\n"
                              "2026-10-02,workday,国庆值班受理\n")
              .is_ok());
  CHECK(cal.kind(date("2026-03-07")) == DayKind::AdjustedWorkday);
  CHECK(cal.day_name(date("2026-03-07")) == "周六便民服务日");
  CHECK_FALSE(cal.is_working_day(date("2026-03-10")));
  CHECK(cal.is_working_day(date("2026-10-02")));
  CHECK(cal.working_days_in_year(2026) == 248 + 1 - 1 + 1);
  CHECK(cal.has_overrides());
  CHECK(cal.version() == WorkCalendar::builtin().version());
  CHECK_FALSE(WorkCalendar::builtin().has_overrides());
  CHECK(WorkCalendar::builtin().working_days_in_year(2026) == 248);

  // Overrides export separately and re-apply to the published data.
  WorkCalendar again = WorkCalendar::builtin();
  REQUIRE(again.apply_overrides(cal.overrides_csv()).is_ok());
  CHECK(again.working_days_in_year(2026) == cal.working_days_in_year(2026));
  CHECK(again.listed_days(2026).size() == cal.listed_days(2026).size());
}

TEST_CASE("A bad override file is rejected whole, naming the line", "[calendar]") {
  WorkCalendar cal = WorkCalendar::builtin();
  const hallsync::Status s = cal.apply_overrides(
      "day,kind,name\n2026-03-07,workday,周六便民服务日\n2026-03-09,workday,周一\n");
  REQUIRE_FALSE(s.is_ok());
  CHECK_THAT(s.message(), Catch::Matchers::Contains("line 3") && Catch::Matchers::Contains("2026-03-09"));
  CHECK_FALSE(cal.is_working_day(date("2026-03-07")));  // nothing applied
  CHECK_FALSE(cal.has_overrides());
}
