// The vocabulary of time limits shared by the catalog, the calendar and the
// deadline arithmetic.
#pragma once

#include <string_view>

namespace hallsync::client {

// 办件类型: 即办件 is done on the spot; 承诺件 is promised within N days.
enum class HandlingKind { Instant, Promised };

// A time limit carries its unit (DOMAIN.md: 行政许可法 art. 82 counts working days).
enum class TimeUnit { WorkingDays, CalendarDays };

struct TimeLimit {
  int days = 0;
  TimeUnit unit = TimeUnit::WorkingDays;
};

inline std::string_view handling_kind_code(HandlingKind k) { return k == HandlingKind::Instant ? "instant" : "promised"; }
inline std::string_view handling_kind_label(HandlingKind k) { return k == HandlingKind::Instant ? "即办件" : "承诺件"; }
inline std::string_view time_unit_code(TimeUnit u) { return u == TimeUnit::WorkingDays ? "working" : "calendar"; }
inline std::string_view time_unit_label(TimeUnit u) { return u == TimeUnit::WorkingDays ? "个工作日" : "日"; }

}  // namespace hallsync::client
