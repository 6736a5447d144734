// The hub's error replies: a classified Status to an HTTP status and the JSON
// body `{"code", "message"}` every refusal carries (sync/PROTOCOL.md, Errors).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sync/api/status.h"
#include "sync/api/transport.h"

namespace hallsync::hub {

// `server_time_ms`, when given, joins the body (a stale_request refusal).
HttpResponse json_error(int status, const std::string& code, const std::string& message,
                        std::optional<std::int64_t> server_time_ms = std::nullopt);
int http_status_for(const Status& s);

}  // namespace hallsync::hub
