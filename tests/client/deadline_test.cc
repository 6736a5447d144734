// Deadline arithmetic over the shipped calendar. Every expected date below was
// counted by hand on a 2026 calendar; the comments show the count.
#include <catch2/catch.hpp>

#include "client/domain/deadline.h"

using hallsync::client::CivilDate;
using hallsync::client::compute_deadline;
using hallsync::client::CountFrom;
using hallsync::client::DateRange;
using hallsync::client::Deadline;
using hallsync::client::DeadlineRequest;
using hallsync::client::TimeLimit;
using hallsync::client::TimeUnit;
using hallsync::client::WorkCalendar;
using hallsync::client::working_days_between;

namespace {

CivilDate date(const char* text) {
  const auto d = CivilDate::parse(text);
  REQUIRE(d.has_value());
  return *d;
}

Deadline working(const char* start, int days, CountFrom from = CountFrom::NextDay,
                 std::vector<DateRange> pauses = {}) {
  return compute_deadline(WorkCalendar::builtin(),
                          DeadlineRequest{date(start), TimeLimit{days, TimeUnit::WorkingDays}, std::move(pauses), from});
}

Deadline calendar_days(const char* start, int days) {
  return compute_deadline(WorkCalendar::builtin(), DeadlineRequest{date(start), TimeLimit{days, TimeUnit::CalendarDays}, {}});
}

}  // namespace

TEST_CASE("Working days skip Mid-Autumn and count the 调休 Sunday", "[deadline]") {
  // Accepted Fri 09-18. Sat 09-19 off; Sun 09-20 is a make-up working day (1);
  // 09-21 (2), 22 (3), 23 (4), 24 (5); 09-25..27 Mid-Autumn; 09-28 (6), 29 (7).
  CHECK(working("2026-09-18", 5).due == date("2026-09-24"));
  CHECK(working("2026-09-18", 6).due == date("2026-09-28"));
  CHECK(working("2026-09-18", 7).due == date("2026-09-29"));
  const Deadline d = working("2026-09-18", 5);
  CHECK_FALSE(d.beyond_known_calendar);
  CHECK(d.warnings.empty());
}

TEST_CASE("Working days skip National Day and land on the 10-10 make-up Saturday", "[deadline]") {
  // Accepted Wed 09-30: 10-01..07 off; 10-08 Thu (1), 10-09 Fri (2), 10-10 Sat 调休 (3).
  CHECK(working("2026-09-30", 3).due == date("2026-10-10"));
  // 10-11 Sun off; 10-12 Mon (4).
  CHECK(working("2026-09-30", 4).due == date("2026-10-12"));
}

TEST_CASE("A 20-working-day limit across Spring Festival 2026", "[deadline]") {
  // Accepted Tue 02-10: 02-11 (1), 12 (2), 13 (3), Sat 14 调休 (4); 02-15..23 off;
  // 24 (5), 25 (6), 26 (7), 27 (8), Sat 28 调休 (9); Sun 03-01 off; 03-02..06 (10–14);
  // 03-09..13 (15–19); Mon 03-16 (20).
  CHECK(working("2026-02-10", 20).due == date("2026-03-16"));
  // Accepted Thu 02-12: 13 (1), 14 (2), 24..27 (3–6), Sat 28 (7).
  CHECK(working("2026-02-12", 7).due == date("2026-02-28"));
  CHECK(working("2026-02-12", 2).due == date("2026-02-14"));
  CHECK(working("2026-02-12", 3).due == date("2026-02-24"));
}

TEST_CASE("SameDay counting makes the acceptance day day 1 when it is a working day", "[deadline]") {
  // 09-30 (1), 10-08 (2), 10-09 (3).
  CHECK(working("2026-09-30", 3, CountFrom::SameDay).due == date("2026-10-09"));
  // Accepted on a holiday: the day itself cannot count either way.
  CHECK(working("2026-10-03", 1, CountFrom::SameDay).due == date("2026-10-08"));
  CHECK(working("2026-10-03", 1, CountFrom::NextDay).due == date("2026-10-08"));
}

TEST_CASE("Days inside a pause (特别程序) are not counted", "[deadline]") {
  // Accepted Mon 03-02, 10 working days: 03-03..06 (1–4), 03-09..13 (5–9), 03-16 (10).
  CHECK(working("2026-03-02", 10).due == date("2026-03-16"));
  // An inspection Tue 03-10..Thu 03-12 stops the clock for 3 working days:
  // 03-03..06 (1–4), 03-09 (5), 03-13 (6), 03-16..19 (7–10).
  const Deadline paused = working("2026-03-02", 10, CountFrom::NextDay, {{date("2026-03-10"), date("2026-03-12")}});
  CHECK(paused.due == date("2026-03-19"));
  CHECK(working_days_between(WorkCalendar::builtin(), date("2026-03-16"), paused.due) == 3);
  // A pause Fri 03-06..Mon 03-09 covers only 2 working days.
  CHECK(working("2026-03-02", 10, CountFrom::NextDay, {{date("2026-03-06"), date("2026-03-09")}}).due ==
        date("2026-03-18"));
  // A pause entirely over the National Day holidays changes nothing.
  CHECK(working("2026-09-30", 3, CountFrom::NextDay, {{date("2026-10-01"), date("2026-10-07")}}).due ==
        date("2026-10-10"));
}

TEST_CASE("A reversed pause is ignored with a warning", "[deadline]") {
  const Deadline d = working("2026-03-02", 10, CountFrom::NextDay, {{date("2026-03-12"), date("2026-03-10")}});
  CHECK(d.due == date("2026-03-16"));
  REQUIRE(d.warnings.size() == 1);
  CHECK_THAT(d.warnings[0], Catch::Matchers::Contains("2026年3月12日"));
}

TEST_CASE("补正 restarts the count from the day the materials arrive", "[deadline]") {
  // Accepted Mon 03-02 with 5 working days: due 03-09.
  CHECK(working("2026-03-02", 5).due == date("2026-03-09"));
  // Materials supplemented Thu 03-05: 03-06 (1), 03-09..12 (2–5).
  CHECK(working("2026-03-05", 5).due == date("2026-03-12"));
}

TEST_CASE("A calendar-day period ending on a day off ends on the next working day", "[deadline]") {
  // From Thu 09-24, 7 calendar days: 09-25 .. 10-01 (7), a holiday; next working day Thu 10-08.
  CHECK(calendar_days("2026-09-24", 7).due == date("2026-10-08"));
  // From Fri 11-20, 8 calendar days: Sat 11-28; next working day Mon 11-30.
  CHECK(calendar_days("2026-11-20", 8).due == date("2026-11-30"));
  // From Sat 10-03, 7 calendar days: Sat 10-10, a make-up working day, so it stands.
  CHECK(calendar_days("2026-10-03", 7).due == date("2026-10-10"));
  // Holidays inside the period still count as calendar days: from 09-30, 3 days: 10-03, then 10-08.
  CHECK(calendar_days("2026-09-30", 3).due == date("2026-10-08"));
  CHECK(calendar_days("2026-03-02", 3).due == date("2026-03-05"));
}

TEST_CASE("Counting into an unpublished year sets beyond_known_calendar and warns in Chinese", "[deadline]") {
  // From Fri 2026-12-25: 12-28..31 (1–4), 2027-01-01 Fri (5, weekends-only guess),
  // 01-04..08 (6–10).
  const Deadline d = working("2026-12-25", 10);
  CHECK(d.due == date("2027-01-08"));
  CHECK(d.beyond_known_calendar);
  REQUIRE(d.warnings.size() == 1);
  CHECK(d.warnings[0] == "2027年节假日安排尚未发布，截止日期仅按周末推算，请发布后复核");

  // Ending exactly on 2026-12-31 consults nothing beyond the calendar.
  const Deadline inside = working("2026-12-25", 4);
  CHECK(inside.due == date("2026-12-31"));
  CHECK_FALSE(inside.beyond_known_calendar);
  CHECK(inside.warnings.empty());

  const Deadline cal = calendar_days("2026-12-20", 30);  // 2027-01-19
  CHECK(cal.due == date("2027-01-19"));
  CHECK(cal.beyond_known_calendar);
}

TEST_CASE("Counting from before the first published year warns too", "[deadline]") {
  // From Mon 2024-12-30: 12-31 (1, 2024 is not in the data), 2025-01-01 元旦, 01-02 (2), 01-03 (3).
  const Deadline d = working("2024-12-30", 3);
  CHECK(d.due == date("2025-01-03"));
  CHECK(d.beyond_known_calendar);
  REQUIRE(d.warnings.size() == 1);
  CHECK_THAT(d.warnings[0], Catch::Matchers::StartsWith("2024年"));
}

TEST_CASE("A limit of 0 days is due the same day", "[deadline]") {
  CHECK(working("2026-10-03", 0).due == date("2026-10-03"));
  CHECK(calendar_days("2026-03-05", 0).due == date("2026-03-05"));
  const Deadline far = working("2027-06-01", 0);
  CHECK(far.due == date("2027-06-01"));
  CHECK_FALSE(far.beyond_known_calendar);
  const Deadline negative = working("2026-03-05", -2);
  CHECK(negative.due == date("2026-03-05"));
  CHECK(negative.warnings.size() == 1);
}

TEST_CASE("Hall overrides change the deadline", "[deadline]") {
  WorkCalendar cal = WorkCalendar::builtin();
  REQUIRE(cal.apply_overrides("day,kind,name\n2026-03-07,workday,周六便民服务日\n").is_ok());
  // Accepted Fri 03-06: Sat 03-07 (1), 03-09 (2) instead of 03-09 (1), 03-10 (2).
  const DeadlineRequest req{date("2026-03-06"), TimeLimit{2, TimeUnit::WorkingDays}, {}};
  CHECK(compute_deadline(cal, req).due == date("2026-03-09"));
  CHECK(compute_deadline(WorkCalendar::builtin(), req).due == date("2026-03-10"));
}

TEST_CASE("working_days_between counts remaining working days across holidays", "[deadline]") {
  const WorkCalendar& cal = WorkCalendar::builtin();
  CHECK(working_days_between(cal, date("2026-09-30"), date("2026-10-08")) == 1);
  CHECK(working_days_between(cal, date("2026-09-30"), date("2026-10-10")) == 3);
  CHECK(working_days_between(cal, date("2026-09-24"), date("2026-09-28")) == 1);
  CHECK(working_days_between(cal, date("2026-09-28"), date("2026-09-24")) == -1);
  CHECK(working_days_between(cal, date("2026-09-18"), date("2026-09-24")) == 5);
  CHECK(working_days_between(cal, date("2026-10-08"), date("2026-10-08")) == 0);
  CHECK(working_days_between(cal, date("2025-12-31"), date("2026-12-31")) == 248);

  // Consistency: a working-day deadline is exactly N working days after its start.
  for (const char* start : {"2026-01-30", "2026-02-11", "2026-04-30", "2026-09-17", "2026-12-15"})
    for (int n = 1; n <= 30; ++n) {
      INFO(start << " + " << n);
      CHECK(working_days_between(cal, date(start), working(start, n).due) == n);
    }
}
