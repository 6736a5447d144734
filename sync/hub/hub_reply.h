// The hub's error replies: a classified Status to an HTTP status and the JSON
// body `{"code", "message"}` every refusal carries (sync/PROTOCOL.md, Errors).
#pragma once

#include <string>

#include "sync/api/status.h"
#include "sync/api/transport.h"

namespace hallsync::hub {

HttpResponse json_error(int status, const std::string& code, const std::string& message);
int http_status_for(const Status& s);

}  // namespace hallsync::hub
