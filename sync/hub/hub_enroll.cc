// One-time enrollment codes at the hub: issuing one (hallhub enroll-code) and
// redeeming it over POST /v1/enroll, the only write a request without a
// device signature can make. A code carries 100 random bits, so guessing one
// within its lifetime is hopeless; only its SHA-256 is stored.
#include <openssl/rand.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "sync/api/blob_store.h"
#include "sync/hub/hub_reply.h"
#include "sync/hub/hub_service.h"

namespace hallsync::hub {
namespace {

// 32 symbols without 0/O and 1/I, which a person copying a code confuses.
constexpr std::string_view kCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
constexpr int kCodeSymbols = 20;  // 5 bits each: 100 bits
constexpr std::int64_t kMaxTtlMs = 30LL * 24 * 3600 * 1000;

std::string new_code() {
  unsigned char b[kCodeSymbols];
  if (RAND_bytes(b, sizeof b) != 1) std::abort();  // no entropy: nothing safe to issue
  std::string code;
  for (int i = 0; i < kCodeSymbols; ++i) {
    if (i > 0 && i % 4 == 0) code += '-';
    code += kCodeAlphabet[b[i] % kCodeAlphabet.size()];  // 256 % 32 == 0: uniform
  }
  return code;
}

}  // namespace

Result<std::string> HubService::issue_enrollment_code(const std::string& hall_code, const std::string& device_code,
                                                      std::int64_t ttl_ms) {
  if (ttl_ms < 60'000 || ttl_ms > kMaxTtlMs)
    return Status::validation("an enrollment code lives between 1 minute and 30 days");
  if (device_code.empty() || device_code.find_first_of(" -\t") != std::string::npos)
    return Status::validation("device code must be non-empty, without spaces or '-' (e.g. W01)");
  HALLSYNC_ASSIGN_OR_RETURN(auto hall, db_->prepare("SELECT 1 FROM halls WHERE hall_code = ?"));
  hall.bind(1, hall_code);
  HALLSYNC_ASSIGN_OR_RETURN(bool known, hall.step());
  if (!known) return Status::not_found("unknown hall " + hall_code + " (add it with `hallhub hall add`)");
  std::string code = new_code();
  std::int64_t now = clock_->now_ms();
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare("INSERT INTO enrollment_codes (code_sha256, hall_code, device_code,"
                                                    " created_ms, expires_ms) VALUES (?, ?, ?, ?, ?)"));
  stmt.bind(1, sha256_hex(normalize_enrollment_code(code))).bind(2, hall_code).bind(3, device_code).bind(4, now)
      .bind(5, now + ttl_ms);
  HALLSYNC_RETURN_IF_ERROR(stmt.run());
  return code;
}

Result<EnrollmentGrant> HubService::redeem_enrollment_code(const std::string& code) {
  // One transaction: the code is marked used together with the token it
  // issues, so two devices racing with one code cannot both get a token.
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
  EnrollmentGrant g;
  std::int64_t expires_ms = 0, used_ms = 0;
  bool used = false;
  {
    HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare("SELECT hall_code, device_code, expires_ms, used_ms"
                                                      " FROM enrollment_codes WHERE code_sha256 = ?"));
    stmt.bind(1, sha256_hex(normalize_enrollment_code(code)));
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row)
      return Status::auth("unknown enrollment code: check how it was typed, or ask the district for a new one "
                          "(`hallhub enroll-code`)")
          .with_code("unknown_code");
    g.hall_code = stmt.column_text(0);
    g.device_code = stmt.column_text(1);
    expires_ms = stmt.column_int(2);
    used = !stmt.column_is_null(3);
    if (used) used_ms = stmt.column_int(3);
  }
  if (used)
    return Status::auth("this enrollment code was already used (" + utc_timestamp(used_ms) +
                        "); a code works once: ask the district for a new one")
        .with_code("code_used");
  std::int64_t now = clock_->now_ms();
  if (now >= expires_ms)
    return Status::auth("this enrollment code expired at " + utc_timestamp(expires_ms) + ": ask the district for a new one")
        .with_code("code_expired");
  HALLSYNC_ASSIGN_OR_RETURN(auto mark, db_->prepare("UPDATE enrollment_codes SET used_ms = ? WHERE code_sha256 = ?"));
  mark.bind(1, now).bind(2, sha256_hex(normalize_enrollment_code(code)));
  HALLSYNC_RETURN_IF_ERROR(mark.run());
  HALLSYNC_ASSIGN_OR_RETURN(g.token, issue_token(g.hall_code, g.device_code));
  HALLSYNC_RETURN_IF_ERROR(txn.commit());
  g.device_id = g.hall_code + "-" + g.device_code;
  return g;
}

HttpResponse HubService::handle_enroll(const HttpRequest& request) {
  auto j = nlohmann::json::parse(request.body, nullptr, false);
  if (!j.is_object() || !j.contains("code") || !j["code"].is_string() || j["code"].get<std::string>().size() > 64)
    return json_error(400, "malformed", "an enrollment request is {\"code\": \"XXXX-XXXX-…\"}");
  auto grant = redeem_enrollment_code(j["code"].get<std::string>());
  if (!grant) return json_error(http_status_for(grant.status()), grant.status().code(), grant.status().message());
  HttpResponse r;
  r.status = 200;
  r.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}};
  r.body = nlohmann::json{{"device_id", grant->device_id},
                          {"hall_code", grant->hall_code},
                          {"device_code", grant->device_code},
                          {"token", grant->token}}
               .dump();
  return r;
}

}  // namespace hallsync::hub
