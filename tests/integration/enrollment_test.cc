// One-time enrollment codes (issue #7): a code is exchanged once, before it
// expires, for credentials that sync; a used, expired or unknown code is
// refused with its own code and issues nothing.
#include <catch2/catch.hpp>

#include "sync/api/enrollment.h"
#include "tests/support/sync_world.h"

namespace hallsync::test {
namespace {

constexpr std::int64_t kHour = 3600 * 1000;

}  // namespace

TEST_CASE("An enrollment code is exchanged once for credentials that sync and replace the old token",
          "[enroll][auth][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  auto code = w.hub().issue_enrollment_code("360704100", "W01", 24 * kHour);
  REQUIRE(code.is_ok());
  CHECK(code->size() == 24);  // 20 symbols in groups of four
  LoopbackTransport link(w.hub());
  // Typed by a person: lower case, dashes dropped.
  std::string typed;
  for (char c : *code)
    if (c != '-') typed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto grant = redeem_enrollment_code(link, typed);
  INFO(grant.status().to_string());
  REQUIRE(grant.is_ok());
  CHECK(grant->device_id == "360704100-W01");
  CHECK(grant->hall_code == "360704100");
  CHECK(grant->device_code == "W01");

  std::string old_token = hall.credentials.token;
  hall.credentials.token = grant->token;
  auto s = w.sync(hall);
  INFO(s.status().to_string());
  REQUIRE(s.is_ok());
  CHECK(s->pushed == 1);
  hall.credentials.token = old_token;
  auto refused = w.sync(hall);
  CHECK(refused.status().code() == "bad_signature");
}

TEST_CASE("A used enrollment code is refused as code_used and issues no new token", "[enroll][auth][integration]") {
  SyncWorld w;
  REQUIRE(w.hub().add_hall("360704100", "hall").is_ok());
  auto code = w.hub().issue_enrollment_code("360704100", "W02", kHour);
  REQUIRE(code.is_ok());
  LoopbackTransport link(w.hub());
  auto first = redeem_enrollment_code(link, *code);
  REQUIRE(first.is_ok());
  auto devices_before = w.hub_count("SELECT count(*) FROM devices");
  auto key_before = w.hub_count("SELECT count(*) FROM devices WHERE token_sha256 IS NOT NULL AND request_key != ''");
  auto second = redeem_enrollment_code(link, *code);
  REQUIRE_FALSE(second.is_ok());
  CHECK(second.status().kind() == ErrorKind::Auth);
  CHECK(second.status().code() == "code_used");
  CHECK(second.status().message().find("already used") != std::string::npos);
  CHECK(w.hub_count("SELECT count(*) FROM devices") == devices_before);
  CHECK(w.hub_count("SELECT count(*) FROM devices WHERE token_sha256 IS NOT NULL AND request_key != ''") == key_before);
  // The first grant still holds: the refused attempt changed nothing.
  auto hub_row = w.hub().db().prepare("SELECT request_key FROM devices WHERE device_id = '360704100-W02'");
  REQUIRE(hub_row.is_ok());
  REQUIRE(*hub_row->step());
  CHECK(hub_row->column_text(0) == request_key(first->token));
}

TEST_CASE("An expired enrollment code is refused as code_expired and registers no device", "[enroll][auth][integration]") {
  SyncWorld w;
  REQUIRE(w.hub().add_hall("360704100", "hall").is_ok());
  auto code = w.hub().issue_enrollment_code("360704100", "W03", kHour);
  REQUIRE(code.is_ok());
  w.clock().advance(kHour);
  LoopbackTransport link(w.hub());
  auto late = redeem_enrollment_code(link, *code);
  CHECK(late.status().code() == "code_expired");
  CHECK(w.hub_count("SELECT count(*) FROM devices WHERE device_id = '360704100-W03'") == 0);
  CHECK(w.hub_count("SELECT count(*) FROM enrollment_codes WHERE used_ms IS NOT NULL") == 0);
}

TEST_CASE("An unknown enrollment code or a malformed request is refused, and codes need a known hall and a sane lifetime",
          "[enroll][auth][integration]") {
  SyncWorld w;
  REQUIRE(w.hub().add_hall("360704100", "hall").is_ok());
  LoopbackTransport link(w.hub());
  CHECK(redeem_enrollment_code(link, "AAAA-BBBB-CCCC-DDDD-EEEE").status().code() == "unknown_code");
  HttpRequest bad;
  bad.target = "/v1/enroll";
  bad.body = "not json";
  CHECK(w.hub().handle(bad, "loopback").status == 400);
  CHECK(w.hub().issue_enrollment_code("999999999", "W01", kHour).status().kind() == ErrorKind::NotFound);
  CHECK(w.hub().issue_enrollment_code("360704100", "W01", 1000).status().kind() == ErrorKind::Validation);
  CHECK(w.hub().issue_enrollment_code("360704100", "W 1", kHour).status().kind() == ErrorKind::Validation);
  CHECK(w.hub_count("SELECT count(*) FROM devices") == 0);
}

}  // namespace hallsync::test
