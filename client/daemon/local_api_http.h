// The HTTP side of halld's local API shared by its route files: JSON replies
// and errors (with the status code each error class maps to), query strings,
// and reading fields of a JSON body.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "client/domain/intake.h"
#include "sync/api/result.h"
#include "sync/api/transport.h"

namespace hallsync::client::daemon {

using Query = std::map<std::string, std::string>;

HttpResponse reply(int status, const nlohmann::json& body);
HttpResponse error_reply(int status, const std::string& code, const std::string& message);
// Validation 400, Conflict 409, NotFound 404, Storage 503, Auth 401 (403 with
// code "forbidden": a role without the permission), anything else 500 (logged).
HttpResponse status_reply(const Status& s);
// 400 {"code":"validation","field":F,"message":M,"errors":[{field,message}…]}: the
// page shows each message next to its field; `field`/`message` are the first.
HttpResponse field_errors_reply(const std::vector<FieldError>& errors);

std::string percent_decode(std::string_view in);
Query parse_query(std::string_view q);

// Reads one optional text field of a request body; a wrong type is a bad request.
bool text_field(const nlohmann::json& body, const char* name, std::string& out, std::string& problem);
// Reads an optional array of text; a wrong type is a bad request.
bool text_list_field(const nlohmann::json& body, const char* name, std::vector<std::string>& out, std::string& problem);

}  // namespace hallsync::client::daemon
