// The hall's audit log (client/store/audit_log.h, migration 0009): append-only
// under SQLite's own triggers, the narrow retention purge, masking, and the
// account changes it records; and 0009 keeping the staff rows it rebuilds.
#include <catch2/catch.hpp>

#include <chrono>

#include "client/store/audit_log.h"
#include "client/store/staff_accounts.h"
#include "schema/embedded.h"
#include "sync/api/redact.h"
#include "tests/support/hall_fixture.h"

using namespace hallsync;
using namespace hallsync::client;

namespace {

constexpr std::int64_t kDay = 24LL * 3600 * 1000;

// The triggers measure the 184-day floor on SQLite's clock: these tests place
// their entries relative to the real time, not the fixture's manual clock.
std::int64_t real_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

AuditEntry entry_at(std::int64_t at_ms, const std::string& action = "sign_in") {
  return {0, at_ms, "c001", action, "c001", "ok", ""};
}

std::int64_t count_rows(Database& db, const std::string& where = "1") {
  auto stmt = db.prepare("SELECT count(*) FROM audit_log WHERE " + where);
  REQUIRE(stmt.is_ok());
  REQUIRE(stmt->step().value());
  return stmt->column_int(0);
}

}  // namespace

TEST_CASE("An audit entry cannot be changed or deleted through SQLite, nor replaced", "[audit]") {
  test::HallFixture f;
  Database& db = f.store->db();
  REQUIRE(record_audit(db, entry_at(real_now_ms() - 10 * kDay)).is_ok());
  REQUIRE(count_rows(db) == 1);

  Status update = db.exec_script("UPDATE audit_log SET actor = 'someone-else'");
  CHECK_FALSE(update.is_ok());
  CHECK(update.message().find("append-only") != std::string::npos);
  CHECK_FALSE(db.exec_script("DELETE FROM audit_log").is_ok());
  CHECK_FALSE(db.exec_script("INSERT OR REPLACE INTO audit_log (id, at_ms, actor, action, target, outcome, detail)"
                             " SELECT id, at_ms, 'x', action, target, outcome, detail FROM audit_log")
                  .is_ok());
  CHECK(count_rows(db, "actor = 'c001'") == 1);
  CHECK(count_rows(db) == 1);
}

TEST_CASE("The purge horizon cannot be moved within 184 days or removed, so young entries stay", "[audit]") {
  test::HallFixture f;
  Database& db = f.store->db();
  REQUIRE(record_audit(db, entry_at(real_now_ms() - 30 * kDay)).is_ok());
  CHECK_FALSE(db.exec_script("UPDATE audit_retention SET horizon_ms = 9000000000000").is_ok());
  CHECK_FALSE(db.exec_script("INSERT OR REPLACE INTO audit_retention (id, horizon_ms) VALUES (1, 9000000000000)").is_ok());
  CHECK_FALSE(db.exec_script("DELETE FROM audit_retention").is_ok());
  CHECK_FALSE(db.exec_script("DELETE FROM audit_log").is_ok());
  CHECK(count_rows(db) == 1);
}

TEST_CASE("The retention purge removes entries past the retention and keeps younger ones, and records itself", "[audit]") {
  test::HallFixture f;
  Database& db = f.store->db();
  const std::int64_t now = real_now_ms();
  REQUIRE(record_audit(db, entry_at(now - 400 * kDay, "old_one")).is_ok());
  REQUIRE(record_audit(db, entry_at(now - 200 * kDay, "past_six_months")).is_ok());
  REQUIRE(record_audit(db, entry_at(now - 183 * kDay, "within_six_months")).is_ok());
  REQUIRE(record_audit(db, entry_at(now - kDay, "yesterday")).is_ok());

  SECTION("a retention shorter than 184 days is raised to 184") {
    auto p = purge_audit(db, now, 30);
    REQUIRE(p.is_ok());
    CHECK(p->removed == 2);
    CHECK(count_rows(db, "action IN ('old_one', 'past_six_months')") == 0);
    CHECK(count_rows(db, "action IN ('within_six_months', 'yesterday')") == 2);
  }
  SECTION("a longer retention keeps more") {
    auto p = purge_audit(db, now, 365);
    REQUIRE(p.is_ok());
    CHECK(p->removed == 1);
    CHECK(count_rows(db, "action = 'past_six_months'") == 1);
  }
  CHECK(count_rows(db, "action = 'audit_purge' AND actor = 'halld'") == 1);
  // What the purge left is as protected as before.
  CHECK_FALSE(db.exec_script("DELETE FROM audit_log WHERE action = 'yesterday'").is_ok());
}

TEST_CASE("A purge with a clock far ahead of the PC's stays behind the 184-day floor", "[audit]") {
  test::HallFixture f;
  Database& db = f.store->db();
  const std::int64_t now = real_now_ms();
  REQUIRE(record_audit(db, entry_at(now - 10 * kDay, "recent")).is_ok());
  auto p = purge_audit(db, now + 1000 * kDay, 184);
  REQUIRE(p.is_ok());
  CHECK(p->removed == 0);
  CHECK(count_rows(db, "action = 'recent'") == 1);
}

TEST_CASE("Audit text is masked: no ID number or phone in clear, long text cut", "[audit]") {
  test::HallFixture f;
  Database& db = f.store->db();
  REQUIRE(record_audit(db, {0, real_now_ms(), "c001", "report_export", "申请人360704198503120023.csv", "ok",
                            "phone 13907971234 " + std::string(2000, 'x')})
              .is_ok());
  auto rows = list_audit(db, 0, 10);
  REQUIRE(rows.is_ok());
  REQUIRE(rows->size() == 1);
  CHECK_FALSE(contains_clear_pii(rows->front().target));
  CHECK_FALSE(contains_clear_pii(rows->front().detail));
  CHECK(rows->front().detail.size() < 500);
  CHECK(append_audit(db, {0, 1, "c001", "x", "", "maybe", ""}).kind() == ErrorKind::Internal);
}

TEST_CASE("Account creation, password reset and role change are audited in their own transaction", "[audit][staff]") {
  test::HallFixture f;
  Database& db = f.store->db();
  REQUIRE(add_staff(db, {"c001", "王小红", "clerk"}, "chuangkou-2026", 1, "s001").is_ok());
  REQUIRE(set_staff_password(db, "c001", "new-password-1", 2).is_ok());
  REQUIRE(set_staff_role(db, "c001", "auditor", 3, "s001").is_ok());
  CHECK(set_staff_role(db, "c001", "boss", 4).kind() == ErrorKind::Validation);
  CHECK(set_staff_role(db, "c404", "clerk", 4).kind() == ErrorKind::NotFound);
  CHECK(add_staff(db, {"c001", "王小红", "clerk"}, "chuangkou-2026", 5).kind() == ErrorKind::Conflict);
  auto rows = list_audit(db, 0, 100);
  REQUIRE(rows.is_ok());
  REQUIRE(rows->size() == 3);  // refused changes leave no entry: their transaction rolled back
  CHECK((*rows)[0].action == "account_create");
  CHECK((*rows)[0].actor == "s001");
  CHECK((*rows)[1].action == "account_password_reset");
  CHECK((*rows)[1].actor.rfind("os:", 0) == 0);  // `hall account` on the PC
  CHECK((*rows)[2].action == "account_role_change");
  CHECK((*rows)[2].detail == "clerk -> auditor");
  for (const auto& r : *rows) CHECK(r.detail.find("王小红") == std::string::npos);
  CHECK(find_staff(db, "c001")->value().role == "auditor");
}

TEST_CASE("Migration 0009 keeps every staff account and accepts the four roles", "[audit][staff]") {
  test::TempDir dir;
  auto db = Database::open(dir.file("hall.db"));
  REQUIRE(db.is_ok());
  std::vector<Migration> up_to_8, all;
  for (const auto& s : schema::sql_steps("sql/local")) {
    all.push_back({s.version, s.name, s.sql});
    if (s.version <= 8) up_to_8.push_back({s.version, s.name, s.sql});
  }
  REQUIRE(apply_migrations(**db, up_to_8, "hall").is_ok());
  REQUIRE((*db)->exec_script("INSERT INTO staff_accounts VALUES ('c001', '王小红', 'supervisor', '$argon2id$x', 1, 2)").is_ok());
  CHECK_FALSE((*db)->exec_script("INSERT INTO staff_accounts VALUES ('a001', '李四', 'auditor', 'h', 1, 2)").is_ok());
  REQUIRE(apply_migrations(**db, all, "hall").is_ok());
  auto kept = find_staff(**db, "c001");
  REQUIRE(kept.is_ok());
  REQUIRE(kept->has_value());
  CHECK((*kept)->role == "supervisor");
  CHECK((*kept)->updated_ms == 2);
  CHECK((*db)->exec_script("INSERT INTO staff_accounts VALUES ('a001', '李四', 'auditor', 'h', 1, 2)").is_ok());
  CHECK((*db)->exec_script("INSERT INTO staff_accounts VALUES ('t001', '张三', 'technician', 'h', 1, 2)").is_ok());
  CHECK_FALSE((*db)->exec_script("INSERT INTO staff_accounts VALUES ('x001', '王五', 'admin', 'h', 1, 2)").is_ok());
}
