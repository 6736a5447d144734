// A damaged store at start (issue #6 item 8, first half): a store file cut
// short, emptied, with a garbage header or a torn page is refused with a
// classified storage error naming the file and what to do, and left exactly
// as it was — never recreated, migrated or overwritten.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/support/file_bytes.h"
#include "tests/support/hall_fixture.h"

namespace hallsync::test {
namespace {

namespace fs = std::filesystem;

// A closed store with enough cases to span many pages; returns its file.
std::string closed_store(HallFixture& h) {
  for (int i = 0; i < 40; ++i) h.register_complete();
  std::string dir = h.store->data_dir();
  h.repo.reset();
  h.store.reset();  // checkpoints: the file holds everything, no WAL left
  return (fs::path(dir) / client::HallStore::kDatabaseFile).string();
}

std::size_t page_size(const std::string& file) {
  std::string h = read_bytes(file).substr(0, 100);
  return (static_cast<unsigned char>(h[16]) << 8) | static_cast<unsigned char>(h[17]);
}

// Opening is refused as damaged, names the file and the remedies, and
// changes not a byte of it.
void require_refused_untouched(const std::string& file, client::StoreCheck check) {
  const std::string before = read_bytes(file);
  ManualClock clock(kFri20260918_10h);
  auto opened = client::HallStore::open(fs::path(file).parent_path().string(), clock, WriterRank::Foreground, check);
  REQUIRE_FALSE(opened.is_ok());
  const Status& s = opened.status();
  INFO(s.to_string());
  CHECK(s.kind() == ErrorKind::Storage);
  CHECK(s.code() == "store_damaged");
  CHECK(s.message().find(file) != std::string::npos);
  CHECK(s.message().find("已损坏") != std::string::npos);
  CHECK(s.message().find("从备份恢复") != std::string::npos);
  CHECK(s.message().find("hallctl resync --rebuild") != std::string::npos);
  CHECK(read_bytes(file) == before);
  CHECK_FALSE(fs::exists(file + "-wal"));
}

}  // namespace

TEST_CASE("a store file cut short is refused untouched", "[corrupt]") {
  HallFixture h;
  std::string file = closed_store(h);
  fs::resize_file(file, fs::file_size(file) / 2 + 1000);
  require_refused_untouched(file, client::StoreCheck::Header);
}

TEST_CASE("a store file cut at a page boundary is refused untouched", "[corrupt]") {
  HallFixture h;
  std::string file = closed_store(h);
  fs::resize_file(file, fs::file_size(file) - 2 * page_size(file));
  require_refused_untouched(file, client::StoreCheck::Header);
}

TEST_CASE("an emptied store file is refused, never recreated as a new store", "[corrupt]") {
  HallFixture h;
  std::string file = closed_store(h);
  fs::resize_file(file, 0);
  require_refused_untouched(file, client::StoreCheck::Header);
}

TEST_CASE("a store file with a garbage header is refused untouched", "[corrupt]") {
  HallFixture h;
  std::string file = closed_store(h);
  overwrite_bytes(file, 0, std::string(512, '\xA5'));
  require_refused_untouched(file, client::StoreCheck::Header);
}

TEST_CASE("a store file with a torn page is refused untouched when every page is checked", "[corrupt]") {
  HallFixture h;
  std::string file = closed_store(h);
  // One sector of garbage at the start of the third page: a b-tree page whose
  // write was torn by a power cut (no WAL left to repair it).
  overwrite_bytes(file, 2 * page_size(file), std::string(512, '\x5A'));
  require_refused_untouched(file, client::StoreCheck::Pages);
}

TEST_CASE("an intact store passes every check", "[corrupt]") {
  HallFixture h;
  std::string file = closed_store(h);
  ManualClock clock(kFri20260918_10h);
  auto opened = client::HallStore::open(fs::path(file).parent_path().string(), clock, WriterRank::Foreground,
                                        client::StoreCheck::Pages);
  INFO(opened.status().to_string());
  REQUIRE(opened.is_ok());
  CHECK(client::CaseRepository(**opened).list({}).value().size() == 40);
}

}  // namespace hallsync::test
