// JSON replies, errors, query strings and body fields (see local_api_http.h).
#include "client/daemon/local_api_http.h"

#include <charconv>

#include "client/daemon/daemon_log.h"

namespace hallsync::client::daemon {

using nlohmann::json;

HttpResponse reply(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json; charset=utf-8"}, {"Cache-Control", "no-store"}};
  r.body = body.dump();
  return r;
}

HttpResponse error_reply(int status, const std::string& code, const std::string& message) {
  return reply(status, {{"code", code}, {"message", message}});
}

HttpResponse status_reply(const Status& s) {
  switch (s.kind()) {
    case ErrorKind::Validation: return error_reply(400, "validation", s.message());
    case ErrorKind::Conflict: return error_reply(409, "conflict", s.message());
    case ErrorKind::NotFound: return error_reply(404, "not_found", s.message());
    case ErrorKind::Storage: return error_reply(503, "storage", s.message());
    case ErrorKind::Auth:
      // A signed-in person whose role may not (staff_roles.h) vs. no one signed in.
      if (s.code() == "forbidden") return error_reply(403, "forbidden", s.message());
      return error_reply(401, "unauthorized", s.message());
    default:
      log_error("local API: " + s.to_string());
      return error_reply(500, "internal", s.message());
  }
}

HttpResponse field_errors_reply(const std::vector<FieldError>& errors) {
  json list = json::array();
  for (const auto& e : errors) list.push_back({{"field", e.field}, {"message", e.message}});
  return reply(400, {{"code", "validation"},
                     {"field", errors.front().field},
                     {"message", errors.front().message},
                     {"errors", list}});
}

std::string percent_decode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size()) {
      unsigned v = 0;
      auto [end, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, v, 16);
      if (ec == std::errc() && end == in.data() + i + 3) {
        out += static_cast<char>(v);
        i += 2;
      } else {
        out += '%';
      }
    } else {
      out += in[i];
    }
  }
  return out;
}

Query parse_query(std::string_view q) {
  Query out;
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    auto eq = part.find('=');
    if (!part.empty())
      out[percent_decode(part.substr(0, eq))] = eq == std::string_view::npos ? "" : percent_decode(part.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

bool text_field(const json& body, const char* name, std::string& out, std::string& problem) {
  if (!body.contains(name) || body[name].is_null()) return true;
  if (!body[name].is_string()) {
    problem = std::string("字段 ") + name + " 应为文本";
    return false;
  }
  out = body[name].get<std::string>();
  return true;
}

bool text_list_field(const json& body, const char* name, std::vector<std::string>& out, std::string& problem) {
  if (!body.contains(name) || body[name].is_null()) return true;
  problem = std::string("字段 ") + name + " 应为文本数组";
  if (!body[name].is_array()) return false;
  for (const auto& m : body[name]) {
    if (!m.is_string()) return false;
    out.push_back(m.get<std::string>());
  }
  problem.clear();
  return true;
}

}  // namespace hallsync::client::daemon
