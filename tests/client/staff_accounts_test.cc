// Staff accounts (hall.db, Argon2id) and halld's sign-in sessions.
#include <catch2/catch.hpp>

#include "client/daemon/staff_sessions.h"
#include "client/domain/intake.h"
#include "client/store/staff_accounts.h"
#include "tests/support/hall_fixture.h"

using namespace hallsync;
using namespace hallsync::client;
using namespace hallsync::client::daemon;

TEST_CASE("A staff account signs in with its password only, and the hash is not the password", "[staff]") {
  test::HallFixture f;
  Database& db = f.store->db();
  CHECK_FALSE(*any_staff(db));
  REQUIRE(add_staff(db, {"c001", "王小红", "clerk"}, "chuangkou-2026", 1).is_ok());
  CHECK(*any_staff(db));
  auto ok = check_login(db, "c001", "chuangkou-2026");
  REQUIRE(ok.is_ok());
  CHECK(ok->display_name == "王小红");
  auto wrong = check_login(db, "c001", "chuangkou-2027");
  CHECK(wrong.status().kind() == ErrorKind::Auth);
  auto unknown = check_login(db, "c999", "chuangkou-2026");
  CHECK(unknown.status().message() == wrong.status().message());  // who exists is not told
  auto hash = db.prepare("SELECT password_hash FROM staff_accounts");
  REQUIRE(hash->step().value());
  CHECK(hash->column_text(0).rfind("$argon2id$", 0) == 0);
}

TEST_CASE("Staff accounts refuse a duplicate id, a bad clerk id, a short password — passwd replaces it", "[staff]") {
  test::HallFixture f;
  Database& db = f.store->db();
  REQUIRE(add_staff(db, {"c001", "王小红", "clerk"}, "chuangkou-2026", 1).is_ok());
  CHECK(add_staff(db, {"c001", "李四", "clerk"}, "another-pass", 2).kind() == ErrorKind::Conflict);
  CHECK(add_staff(db, {"c 2", "李四", "clerk"}, "another-pass", 2).kind() == ErrorKind::Validation);
  CHECK(add_staff(db, {"c002", "李四", "boss"}, "another-pass", 2).kind() == ErrorKind::Validation);
  CHECK(add_staff(db, {"c002", "李四", "clerk"}, "short", 2).kind() == ErrorKind::Validation);
  REQUIRE(set_staff_password(db, "c001", "new-password-1", 3).is_ok());
  CHECK_FALSE(check_login(db, "c001", "chuangkou-2026").is_ok());
  CHECK(check_login(db, "c001", "new-password-1").is_ok());
  CHECK(set_staff_password(db, "c404", "new-password-1", 3).kind() == ErrorKind::NotFound);
  CHECK(list_staff(db)->size() == 1);
}

TEST_CASE("A session ends after the idle timeout and a used one stays alive", "[staff]") {
  StaffSessions s({/*idle_timeout_ms=*/1000, /*max_failures=*/3, /*lockout_ms=*/5000});
  std::string a = s.open({"c001", "王小红", "clerk"}, 0);
  std::string b = s.open({"c002", "李四", "clerk"}, 0);
  CHECK(a.size() == 64);
  CHECK(a != b);
  REQUIRE(s.find(a, 900) != nullptr);
  CHECK(s.find(a, 1800)->account.clerk_id == "c001");  // touched at 900
  CHECK(s.find(b, 1800) == nullptr);                    // idle since 0
  s.close(a);
  CHECK(s.find(a, 1801) == nullptr);
  CHECK(s.find("", 0) == nullptr);
}

TEST_CASE("Repeated wrong passwords lock the clerk id for a while, then it may try again", "[staff]") {
  StaffSessions s({/*idle_timeout_ms=*/1000, /*max_failures=*/3, /*lockout_ms=*/5000});
  s.record_failure("c001", 0);
  s.record_failure("c001", 1);
  CHECK(s.locked_for("c001", 2) == 0);
  s.record_failure("c001", 2);
  CHECK(s.locked_for("c001", 3) == 4999);
  CHECK(s.locked_for("c002", 3) == 0);
  CHECK(s.locked_for("c001", 5002) == 0);
  s.record_failure("c001", 5003);  // a served lockout starts a fresh count
  CHECK(s.locked_for("c001", 5004) == 0);
}

TEST_CASE("The failure that starts a lockout says so once, and an expired session names its clerk", "[staff][audit]") {
  StaffSessions s({/*idle_timeout_ms=*/1000, /*max_failures=*/2, /*lockout_ms=*/5000});
  CHECK_FALSE(s.record_failure("c001", 0));
  CHECK(s.record_failure("c001", 1));  // the audit log's "lockout"
  std::string token = s.open({"c002", "李四", "auditor"}, 0);
  std::string expired;
  CHECK(s.find(token, 500, &expired) != nullptr);
  CHECK(expired.empty());
  CHECK(s.find(token, 1600, &expired) == nullptr);
  CHECK(expired == "c002");  // the audit log's "session_expired"
}

TEST_CASE("The session cookie is read from a Cookie header among others", "[staff]") {
  CHECK(cookie_value("a=1; hall_session=abc; b=2", "hall_session") == "abc");
  CHECK(cookie_value("hall_session=xyz", "hall_session") == "xyz");
  CHECK(cookie_value("not_hall_session=1", "hall_session").empty());
  CHECK(cookie_value("", "hall_session").empty());
}

TEST_CASE("Intake field errors name every bad field at once", "[intake]") {
  test::HallFixture f;
  IntakeForm form = f.form();
  form.applicant_name = "";
  form.id_number = "360704198503120024";
  form.note = std::string(501, 'a');
  auto errors = intake_field_errors(form, f.store->catalog(), 20260918);
  std::vector<std::string> fields;
  for (const auto& e : errors) fields.push_back(e.field);
  CHECK(fields == std::vector<std::string>{"applicant_name", "id_number", "note"});
  CHECK(intake_field_errors(f.form(), f.store->catalog(), 20260918).empty());
}
