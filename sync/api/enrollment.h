// One-time enrollment codes (issue #7): the district issues a short-lived,
// single-use code for a hall's device; the device exchanges it once, over an
// unauthenticated endpoint (POST /v1/enroll), for its credentials. The code is
// typed by a person, so it is grouped and case-insensitive.
#pragma once

#include <cstdint>
#include <string>

#include "sync/api/result.h"
#include "sync/api/transport.h"

namespace hallsync {

struct EnrollmentGrant {
  std::string device_id, hall_code, device_code, token;
};

// The code as stored and compared: upper case, without '-' or spaces.
std::string normalize_enrollment_code(std::string_view typed);

// Device side: exchanges `code` for the device's credentials. Refusals are
// classified auth errors: unknown_code, code_used, code_expired.
Result<EnrollmentGrant> redeem_enrollment_code(Transport& transport, const std::string& code);

}  // namespace hallsync
