// Imported cases are ordinary cases to sync: their events, with their
// historical dates, reach the hub and the hall's other devices.
#include <catch2/catch.hpp>

#include <sstream>

#include "client/store/case_importer.h"
#include "client/testdata/case_generator.h"
#include "tests/support/sync_world.h"

using namespace hallsync;

TEST_CASE("Cases imported on one device sync to the hub and the hall's other device unchanged", "[integration][import]") {
  test::SyncWorld world;
  test::Device& window = world.add_device("360704100", "W01");
  test::Device& office = world.add_device("360704100", "W02");
  client::testdata::CaseGenerator generator(window.store->catalog(),
                                            {.seed = 21, .today = client::CivilDate::from_ymd(2026, 9, 17)});
  std::ostringstream file;
  for (int i = 0; i < 60; ++i) file << client::to_import_line(generator.next_case()) << "\n";
  std::istringstream in(file.str());
  auto summary = client::import_cases(*window.store, in);
  REQUIRE(summary.is_ok());
  REQUIRE(summary->imported == 60);
  world.converge();
  world.require_converged();
  CHECK(world.hub_count("SELECT count(*) FROM rejected") == 0);
  auto here = window.repo->list({});
  auto there = office.repo->list({});
  REQUIRE(here.is_ok());
  REQUIRE(there.is_ok());
  REQUIRE(there->size() == 60);
  std::map<std::string, std::pair<std::string, client::CaseState>> seen;
  for (const auto& c : *here) seen[c.case_id] = {c.accepted_on, c.state};
  for (const auto& c : *there) {
    INFO(c.case_id);
    CHECK(seen.at(c.case_id).first == c.accepted_on);  // the historical date, not the sync day
    CHECK(seen.at(c.case_id).second == c.state);
  }
}
