// CivilDate: a calendar date with no time of day and no time zone. Time limits,
// holidays and due dates are all whole days in China's civil calendar, so they
// are counted on these values rather than on timestamps.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hallsync::client {

struct CivilDate {
  std::int32_t days = 0;  // since 1970-01-01 (proleptic Gregorian); negative before

  // Strict "YYYY-MM-DD": zero-padded, real dates only, years 1900–2199. Anything
  // else (e.g. "2026-1-5", "2026-02-29") is rejected rather than guessed at.
  static std::optional<CivilDate> parse(std::string_view text);

  // For dates known to be valid (literals, already-checked fields). An
  // out-of-range day rolls into the next month; use parse() for input.
  static CivilDate from_ymd(int y, unsigned m, unsigned d);

  // The date in a zone `utc_offset_minutes` east of UTC at the instant `ms`.
  // China is UTC+8 all year (no DST), hence the default.
  static CivilDate from_unix_ms(std::int64_t ms, int utc_offset_minutes = 480);

  static bool is_valid_ymd(int y, unsigned m, unsigned d);

  std::string to_string() const;  // "2026-11-28"
  std::string chinese() const;    // "2026年11月28日", as written in notices to applicants

  int year() const;
  unsigned month() const;  // 1–12
  unsigned day() const;    // 1–31
  int weekday() const;     // ISO: 1 = Monday … 7 = Sunday

  CivilDate plus_days(int n) const { return CivilDate{days + n}; }

  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
  friend bool operator==(const CivilDate&, const CivilDate&) = default;
};

}  // namespace hallsync::client
