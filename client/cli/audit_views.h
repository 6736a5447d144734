// Views of the audit log shared by `hall audit` and halld's GET /api/audit:
// the --since/?since= date and one entry as JSON, so both read the same.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "client/store/audit_log.h"

namespace hallsync::client::cli {

// "YYYY-MM-DD" as the start of that day in Beijing time (UTC+8), in ms; 0 for
// an empty text (everything); Validation for anything else.
Result<std::int64_t> audit_since_ms(const std::string& text);
// "2026-11-29 14:05:09", Beijing time.
std::string beijing_time(std::int64_t ms);
// {id, at_ms, time, actor, action, target, outcome, detail}
nlohmann::json audit_entry_json(const AuditEntry& e);

}  // namespace hallsync::client::cli
