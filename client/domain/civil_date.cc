// CivilDate conversions. The day-count arithmetic follows Howard Hinnant's
// public-domain days_from_civil / civil_from_days derivation: shifting the
// year to start in March puts the leap day last, so every month length except
// February is a fixed pattern and no tables are needed.
#include "client/domain/civil_date.h"

#include <cstdio>

namespace hallsync::client {
namespace {

struct Ymd {
  int y;
  unsigned m;
  unsigned d;
};

// Floor division: plain `/` truncates toward zero, which would put the
// instants just before 1970 (or before local midnight) on the wrong day.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

constexpr std::int32_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);                // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;    // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;              // [0, 146096]
  return era * 146097 + static_cast<int>(doe) - 719468;
}

constexpr Ymd civil_from_days(std::int32_t z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);                  // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;    // [0, 399]
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                  // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                                       // [0, 11]
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;                               // [1, 31]
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;                                  // [1, 12]
  return {y + (m <= 2 ? 1 : 0), m, d};
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);
static_assert(civil_from_days(11017).y == 2000 && civil_from_days(11017).m == 3);

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned last_day_of_month(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `width` ASCII digits; no sign, no spaces.
std::optional<int> read_digits(std::string_view s, std::size_t pos, std::size_t width) {
  int v = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

bool CivilDate::is_valid_ymd(int y, unsigned m, unsigned d) {
  return y >= 1900 && y <= 2199 && m >= 1 && m <= 12 && d >= 1 && d <= last_day_of_month(y, m);
}

std::optional<CivilDate> CivilDate::parse(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = read_digits(text, 0, 4);
  const auto m = read_digits(text, 5, 2);
  const auto d = read_digits(text, 8, 2);
  if (!y || !m || !d) return std::nullopt;
  const auto um = static_cast<unsigned>(*m);
  const auto ud = static_cast<unsigned>(*d);
  if (!is_valid_ymd(*y, um, ud)) return std::nullopt;
  return from_ymd(*y, um, ud);
}

CivilDate CivilDate::from_ymd(int y, unsigned m, unsigned d) { return CivilDate{days_from_civil(y, m, d)}; }

CivilDate CivilDate::from_unix_ms(std::int64_t ms, int utc_offset_minutes) {
  const std::int64_t local_ms = ms + std::int64_t{utc_offset_minutes} * 60'000;
  return CivilDate{static_cast<std::int32_t>(floor_div(local_ms, 86'400'000))};
}

int CivilDate::year() const { return civil_from_days(days).y; }
unsigned CivilDate::month() const { return civil_from_days(days).m; }
unsigned CivilDate::day() const { return civil_from_days(days).d; }

int CivilDate::weekday() const {
  // 1970-01-01 was a Thursday (ISO 4).
  const std::int64_t shifted = std::int64_t{days} + 3;  // 0 = Monday
  return static_cast<int>(shifted - floor_div(shifted, 7) * 7) + 1;
}

std::string CivilDate::to_string() const {
  const Ymd c = civil_from_days(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", c.y, c.m, c.d);
  return buf;
}

std::string CivilDate::chinese() const {
  // Official documents write months and days without zero padding.
  const Ymd c = civil_from_days(days);
  return std::to_string(c.y) + "年" + std::to_string(c.m) + "月" + std::to_string(c.d) + "日";
}

}  // namespace hallsync::client
