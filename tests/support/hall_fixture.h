// HallFixture: a freshly initialised hall store in a temp dir, with a manual
// clock, and verbs for registering and advancing cases in tests.
#pragma once

#include <catch2/catch.hpp>

#include "client/domain/resident_id.h"
#include "client/store/case_repository.h"
#include "client/store/hall_store.h"
#include "tests/support/temp_dir.h"

namespace hallsync::test {

// 2026-09-18 10:00 China time (a Friday before the Mid-Autumn holidays).
constexpr std::int64_t kFri20260918_10h = 1789696800000;
constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

// A valid resident ID built from a 17-digit prefix.
inline std::string valid_id(std::string first17) {
  return first17 + client::resident_id_check_char(first17);
}

// A clerk's intake form for `matter`, with every required material received
// or none of them.
inline client::IntakeForm intake_form(const client::HallStore& store, const std::string& matter, bool complete) {
  client::IntakeForm f;
  f.matter_id = matter;
  f.applicant_name = "刘桂英";
  f.id_number = valid_id("36070419850312002");
  f.phone = "13907971234";
  f.clerk_id = "c001";
  if (complete) f.materials_received = store.catalog().find(matter)->materials;
  return f;
}

struct HallFixture {
  TempDir dir;
  ManualClock clock{kFri20260918_10h};
  std::unique_ptr<client::HallStore> store;
  std::unique_ptr<client::CaseRepository> repo;

  explicit HallFixture(std::string device = "W01") {
    auto s = client::HallStore::init(dir.file("hall"), {"360704100", device}, clock);
    REQUIRE(s.is_ok());
    store = std::move(s).value();
    repo = std::make_unique<client::CaseRepository>(*store);
  }

  client::IntakeForm form(const std::string& matter = "GX-008") const {
    client::IntakeForm f;
    f.matter_id = matter;
    f.applicant_name = "张三";
    f.id_number = valid_id("36070419800101123");
    f.phone = "13800001234";
    f.clerk_id = "c001";
    return f;
  }

  // Registers a case with every required material received.
  client::CaseView register_complete(const std::string& matter = "GX-008") {
    auto f = form(matter);
    f.materials_received = store->catalog().find(matter)->materials;
    auto v = repo->register_case(f);
    REQUIRE(v.is_ok());
    return *v;
  }

  client::CaseView step(const client::CaseView& c, schema::CaseEvent draft) {
    if (draft.clerk_id.empty()) draft.clerk_id = "c001";
    auto v = repo->record(c.acceptance_no, std::move(draft));
    INFO(v.status().message());
    REQUIRE(v.is_ok());
    return *v;
  }

  std::int64_t count(const std::string& table) {
    auto stmt = store->db().prepare("SELECT count(*) FROM " + table);  // table names are test constants
    REQUIRE(stmt.is_ok());
    REQUIRE(*stmt->step());
    return stmt->column_int(0);
  }
};

inline schema::CaseEvent draft(schema::EventKind kind) {
  schema::CaseEvent e;
  e.kind = kind;
  return e;
}

}  // namespace hallsync::test
