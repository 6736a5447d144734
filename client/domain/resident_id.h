// Resident ID numbers (居民身份证号码, GB 11643-1999) as a clerk types them at
// the counter: checked once on entry so a typo is caught while the applicant
// is still standing there, not weeks later when the provincial platform
// rejects the synced case.
#pragma once

#include <string>
#include <string_view>

#include "sync/api/result.h"

namespace hallsync::client {

struct ResidentId {
  std::string number;     // 18 characters; a trailing x is stored as X
  std::string area_code;  // 6 digits, as issued (may be a code no longer current)
  int birth_year = 0;
  unsigned birth_month = 0;
  unsigned birth_day = 0;
  bool male = false;      // the 17th digit: odd = male
};

// Accepts surrounding ASCII whitespace (pasted from spreadsheets). Rejects with
// Status::validation and a Chinese message naming the exact problem. The area
// code is checked only for a real province prefix: the code is frozen at issue,
// so e.g. 360721 (赣县 before 2017) stays valid for life.
// `today_yyyymmdd` (e.g. 20261128) bounds the birth date; it is a parameter so
// the hall's clock, not the machine's, decides and tests stay deterministic.
Result<ResidentId> parse_resident_id(std::string_view text, int today_yyyymmdd);

// ISO 7064 MOD 11-2 check character ('0'..'9' or 'X') for 17 leading digits.
// Returns '\0' when `first17` is not exactly 17 ASCII digits.
char resident_id_check_char(std::string_view first17);

}  // namespace hallsync::client
