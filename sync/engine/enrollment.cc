// The device's side of enrollment: POST /v1/enroll with the code, read the
// grant (sync/PROTOCOL.md, "POST /v1/enroll").
#include "sync/api/enrollment.h"

#include <nlohmann/json.hpp>

#include <cctype>

#include "sync/api/replicator.h"

namespace hallsync {

std::string normalize_enrollment_code(std::string_view typed) {
  std::string out;
  for (char c : typed)
    if (c != '-' && c != ' ') out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Result<EnrollmentGrant> redeem_enrollment_code(Transport& transport, const std::string& code) {
  HttpRequest req;
  req.target = "/v1/enroll";
  req.headers = {{"Content-Type", "application/json"}};
  req.body = nlohmann::json{{"code", normalize_enrollment_code(code)}}.dump();
  HALLSYNC_ASSIGN_OR_RETURN(HttpResponse res, transport.exchange(req));
  if (res.status != 200) return status_from_hub_reply(res).with_context("enrollment");
  auto j = nlohmann::json::parse(res.body, nullptr, false);
  EnrollmentGrant g;
  auto text = [&](const char* key, std::string& out) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return false;
    out = j[key].get<std::string>();
    return !out.empty();
  };
  if (!text("device_id", g.device_id) || !text("hall_code", g.hall_code) || !text("device_code", g.device_code) ||
      !text("token", g.token) || g.device_id != g.hall_code + "-" + g.device_code)
    return Status::protocol("the hub's enrollment answer is not a device grant").with_code("malformed");
  return g;
}

}  // namespace hallsync
