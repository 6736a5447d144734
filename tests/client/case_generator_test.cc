// The seeded case generator: reproducible, and every case it makes is one the
// import (and so the lifecycle) accepts.
#include <catch2/catch.hpp>

#include <set>

#include "client/domain/case_import.h"
#include "client/domain/intake.h"
#include "client/domain/resident_id.h"
#include "client/testdata/case_generator.h"

using namespace hallsync::client;

TEST_CASE("The case generator gives the same cases for the same seed and different ones for another", "[generator]") {
  testdata::CaseGenerator a(MatterCatalog::builtin(), {.seed = 42}), b(MatterCatalog::builtin(), {.seed = 42}),
      c(MatterCatalog::builtin(), {.seed = 43});
  std::string from_a, from_b, from_c;
  for (int i = 0; i < 50; ++i) {
    from_a += to_import_line(a.next_case());
    from_b += to_import_line(b.next_case());
    from_c += to_import_line(c.next_case());
  }
  CHECK(from_a == from_b);
  CHECK(from_a != from_c);
}

TEST_CASE("Generated cases pass the import checks, with valid IDs, 3 to 6 materials and a mix of end states", "[generator]") {
  testdata::GeneratorOptions options{.seed = 7};
  testdata::CaseGenerator generator(MatterCatalog::builtin(), options);
  std::set<std::string> states, kinds, areas;
  int today = options.today.year() * 10000 + static_cast<int>(options.today.month()) * 100 +
              static_cast<int>(options.today.day());
  for (int i = 0; i < 500; ++i) {
    ImportRecord r = generator.next_case();
    auto parsed = parse_import_line(to_import_line(r));
    REQUIRE(parsed.is_ok());
    auto drafts = import_drafts(*parsed, MatterCatalog::builtin(), options.today);
    INFO(to_import_line(r));
    REQUIRE(drafts.is_ok());
    auto id = parse_resident_id(r.applicant.id_number, today);
    REQUIRE(id.is_ok());
    areas.insert(id->area_code);
    CHECK(r.materials.size() >= 3);
    CHECK(r.materials.size() <= 6);
    states.insert(r.status);
    for (const auto& s : r.history) kinds.insert(std::string(hallsync::schema::event_kind_code(s.kind)));
  }
  CHECK(areas == std::set<std::string>{"360704", "360721"});
  for (const char* s : {"accepted", "awaiting_materials", "forwarded", "approved", "refused", "delivered", "withdrawn"})
    CHECK(states.count(s) == 1);
  for (const char* k : {"materials_requested", "materials_supplemented", "forwarded", "approved", "refused", "extended",
                        "delivered", "withdrawn", "procedure_paused"})
    CHECK(kinds.count(k) == 1);
}

TEST_CASE("Generated intake forms pass the window's checks", "[generator]") {
  testdata::CaseGenerator generator(MatterCatalog::builtin(), {.seed = 9});
  for (int i = 0; i < 200; ++i) {
    IntakeForm f = generator.next_intake();
    auto drafts = prepare_intake(f, MatterCatalog::builtin(), 20261127);
    INFO(f.id_number);
    REQUIRE(drafts.is_ok());
  }
}
