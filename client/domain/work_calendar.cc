// WorkCalendar parsing, lookup and export. Published data and hall overrides
// are kept apart so each can be exported and re-read unchanged, and so a
// hall's local choices never masquerade as the platform's published version.
#include "client/domain/work_calendar.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "schema/embedded.h"

namespace hallsync::client {
namespace {

struct Row {
  int line;
  CivilDate date;
  DayKind kind;
  std::string name;
};

struct ParsedCsv {
  std::map<std::string, std::string, std::less<>> meta;  // from "# key: value" comments
  std::map<std::string, int, std::less<>> meta_line;
  std::vector<Row> rows;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// "# calendar_version: x" is metadata; "# Note: ..." is prose.
bool is_meta_key(std::string_view key) {
  if (key.empty()) return false;
  for (const char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

Status line_error(std::string_view what, int line, const std::string& msg) {
  return Status::validation(std::string(what) + " line " + std::to_string(line) + ": " + msg);
}

// Reads the shared format; rules that differ between the published calendar
// and hall overrides are checked by the callers.
Result<ParsedCsv> read_csv(std::string_view csv, std::string_view what) {
  // Spreadsheet programs on hall PCs save a UTF-8 BOM and CRLF line ends.
  if (csv.substr(0, 3) == "\xEF\xBB\xBF") csv.remove_prefix(3);
  ParsedCsv out;
  std::map<std::int32_t, int> seen;  // day -> line of first row
  bool header_seen = false;
  int line_no = 0;
  while (!csv.empty()) {
    const std::size_t nl = csv.find('\n');
    const std::string_view raw = csv.substr(0, nl);
    csv.remove_prefix(nl == std::string_view::npos ? csv.size() : nl + 1);
    ++line_no;
    const std::string_view line = trim(raw);
    if (line.empty()) continue;
    if (line.front() == '#') {
      const std::string_view body = trim(line.substr(1));
      const std::size_t colon = body.find(':');
      const std::string key(trim(body.substr(0, colon == std::string_view::npos ? 0 : colon)));
      if (!is_meta_key(key)) continue;  // a prose comment
      if (out.meta.count(key)) return line_error(what, line_no, "'" + key + "' is given twice");
      out.meta[key] = std::string(trim(body.substr(colon + 1)));
      out.meta_line[key] = line_no;
      continue;
    }
    if (!header_seen) {
      if (line != "day,kind,name")
        return line_error(what, line_no, "expected the header 'day,kind,name', got '" + std::string(line) + "'");
      header_seen = true;
      continue;
    }
    std::vector<std::string_view> fields;
    std::string_view rest = line;
    for (;;) {
      const std::size_t comma = rest.find(',');
      fields.push_back(trim(rest.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (fields.size() != 3)
      return line_error(what, line_no, "expected 3 fields (day,kind,name), got " + std::to_string(fields.size()));
    const auto date = CivilDate::parse(fields[0]);
    if (!date) return line_error(what, line_no, "bad date '" + std::string(fields[0]) + "' (want a real YYYY-MM-DD)");
    DayKind kind;
    if (fields[1] == "holiday") {
      kind = DayKind::Holiday;
    } else if (fields[1] == "workday") {
      kind = DayKind::AdjustedWorkday;
    } else {
      return line_error(what, line_no, "bad kind '" + std::string(fields[1]) + "' (want holiday or workday)");
    }
    if (fields[2].empty()) return line_error(what, line_no, "a name is required (clerks see it)");
    if (auto [it, fresh] = seen.emplace(date->days, line_no); !fresh)
      return line_error(what, line_no, "duplicate day " + date->to_string() + " (first on line " +
                                           std::to_string(it->second) + ")");
    out.rows.push_back({line_no, *date, kind, std::string(fields[2])});
  }
  if (!header_seen) return Status::validation(std::string(what) + ": no 'day,kind,name' header");
  return out;
}

Result<std::vector<int>> parse_years(std::string_view text, int line) {
  std::vector<int> years;
  std::string_view rest = text;
  for (;;) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    int y = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), y);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || y < 1900 || y > 2199)
      return line_error("calendar", line, "bad year '" + std::string(item) + "' in '# years:'");
    years.push_back(y);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  std::sort(years.begin(), years.end());
  years.erase(std::unique(years.begin(), years.end()), years.end());
  return years;
}

bool is_weekend(CivilDate d) { return d.weekday() >= 6; }

}  // namespace

std::string_view day_kind_name(DayKind kind) {
  switch (kind) {
    case DayKind::Workday: return "workday";
    case DayKind::Weekend: return "weekend";
    case DayKind::Holiday: return "holiday";
    case DayKind::AdjustedWorkday: return "adjusted_workday";
  }
  return "unknown";
}

Result<WorkCalendar> WorkCalendar::parse_csv(std::string_view csv) {
  HALLSYNC_ASSIGN_OR_RETURN(ParsedCsv parsed, read_csv(csv, "calendar"));
  WorkCalendar cal;
  const auto version = parsed.meta.find("calendar_version");
  if (version == parsed.meta.end() || version->second.empty())
    return Status::validation("calendar: missing '# calendar_version:' comment");
  cal.version_ = version->second;
  const auto years = parsed.meta.find("years");
  // Coverage must be explicit: a published year with no rows would otherwise
  // look exactly like an unpublished one.
  if (years == parsed.meta.end()) return Status::validation("calendar: missing '# years:' comment");
  HALLSYNC_ASSIGN_OR_RETURN(cal.years_, parse_years(years->second, parsed.meta_line["years"]));
  if (const auto source = parsed.meta.find("source"); source != parsed.meta.end()) cal.source_ = source->second;

  for (Row& row : parsed.rows) {
    if (!cal.covers(row.date.year()))
      return line_error("calendar", row.line, row.date.to_string() + " lies outside '# years: " + years->second + "'");
    // 调休 only ever moves work onto a weekend; a weekday here is a typo.
    if (row.kind == DayKind::AdjustedWorkday && !is_weekend(row.date))
      return line_error("calendar", row.line, row.date.to_string() + " is a weekday; a workday row must be a Saturday or Sunday");
    cal.published_[row.date.days] = Entry{row.kind, std::move(row.name)};
  }
  return cal;
}

const WorkCalendar& WorkCalendar::builtin() {
  static const WorkCalendar cal = [] {
    auto parsed = parse_csv(schema::embedded_file("catalog/calendar.csv"));
    if (!parsed) {
      std::fprintf(stderr, "embedded catalog/calendar.csv is invalid: %s\n", parsed.status().message().c_str());
      std::abort();
    }
    return std::move(parsed).value();
  }();
  return cal;
}

Status WorkCalendar::apply_overrides(std::string_view csv) {
  HALLSYNC_ASSIGN_OR_RETURN(ParsedCsv parsed, read_csv(csv, "calendar overrides"));
  for (const Row& row : parsed.rows) {
    // Opening a day that is already a working day would change nothing and
    // usually means the wrong date was typed; compare against the published data.
    const auto base = published_.find(row.date.days);
    const bool base_working = base != published_.end() ? base->second.kind == DayKind::AdjustedWorkday
                                                       : !is_weekend(row.date);
    if (row.kind == DayKind::AdjustedWorkday && base_working)
      return line_error("calendar overrides", row.line,
                        row.date.to_string() + " is already a working day; a workday override must open a day off");
  }
  for (Row& row : parsed.rows) overrides_[row.date.days] = Entry{row.kind, std::move(row.name)};
  return Status::ok();
}

bool WorkCalendar::covers(int year) const { return std::binary_search(years_.begin(), years_.end(), year); }
int WorkCalendar::first_year() const { return years_.empty() ? 0 : years_.front(); }
int WorkCalendar::last_year() const { return years_.empty() ? 0 : years_.back(); }

const WorkCalendar::Entry* WorkCalendar::find(CivilDate date) const {
  if (const auto it = overrides_.find(date.days); it != overrides_.end()) return &it->second;
  if (const auto it = published_.find(date.days); it != published_.end()) return &it->second;
  return nullptr;
}

DayKind WorkCalendar::kind(CivilDate date) const {
  if (const Entry* e = find(date)) return e->kind;
  return is_weekend(date) ? DayKind::Weekend : DayKind::Workday;
}

bool WorkCalendar::is_working_day(CivilDate date) const {
  const DayKind k = kind(date);
  return k == DayKind::Workday || k == DayKind::AdjustedWorkday;
}

std::string WorkCalendar::day_name(CivilDate date) const {
  const Entry* e = find(date);
  return e ? e->name : std::string();
}

std::vector<CalendarDay> WorkCalendar::listed_days(int year) const {
  const std::int32_t first = CivilDate::from_ymd(year, 1, 1).days;
  const std::int32_t end = CivilDate::from_ymd(year + 1, 1, 1).days;
  Days merged(published_.lower_bound(first), published_.lower_bound(end));
  for (auto it = overrides_.lower_bound(first); it != overrides_.lower_bound(end); ++it)
    merged.insert_or_assign(it->first, it->second);
  std::vector<CalendarDay> out;
  out.reserve(merged.size());
  for (const auto& [days, entry] : merged) out.push_back({CivilDate{days}, entry.kind, entry.name});
  return out;
}

int WorkCalendar::working_days_in_year(int year) const {
  int count = 0;
  const CivilDate end = CivilDate::from_ymd(year + 1, 1, 1);
  for (CivilDate d = CivilDate::from_ymd(year, 1, 1); d < end; d = d.plus_days(1))
    if (is_working_day(d)) ++count;
  return count;
}

std::string WorkCalendar::rows_csv(const Days& days) {
  std::string out = "day,kind,name\n";
  for (const auto& [d, entry] : days) {
    out += CivilDate{d}.to_string();
    out += entry.kind == DayKind::Holiday ? ",holiday," : ",workday,";
    out += entry.name;
    out += '\n';
  }
  return out;
}

std::string WorkCalendar::to_csv() const {
  std::string out = "# calendar_version: " + version_ + "\n# years: ";
  for (std::size_t i = 0; i < years_.size(); ++i) out += (i ? "," : "") + std::to_string(years_[i]);
  out += '\n';
  if (!source_.empty()) out += "# source: " + source_ + "\n";
  return out + rows_csv(published_);
}

std::string WorkCalendar::overrides_csv() const { return rows_csv(overrides_); }

}  // namespace hallsync::client
