// A full disk (issue #6 item 6), played by the power-loss VFS refusing to grow
// the store's files beyond a quota with SQLITE_FULL: the clerk gets a clear
// Chinese error, nothing is half-written (integrity, outbox ↔ events, cursor ↔
// pulled events), and the same process carries on once space returns.
#include <catch2/catch.hpp>

#include <limits>

#include "client/store/case_repository.h"
#include "tests/support/hall_fixture.h"
#include "tests/support/power_loss_harness.h"
#include "tests/support/pull_world.h"

namespace hallsync::test {
namespace {

constexpr std::int64_t kHeadroom = 16 * 1024;  // less than one registration's WAL frames and growth

void require_disk_full_error(const Status& s) {
  INFO(s.to_string());
  CHECK(s.kind() == ErrorKind::Storage);
  CHECK(s.code() == "disk_full");
  CHECK(s.message().find("磁盘已满，本次操作未保存") != std::string::npos);
  CHECK(s.message().find("清理数据盘空间后重试") != std::string::npos);
}

client::IntakeForm form(const client::HallStore& store) { return intake_form(store, "GX-009", true); }

}  // namespace

TEST_CASE("a full disk during intake refuses the registration cleanly and intake resumes when space returns",
          "[fulldisk]") {
  TempDir dir;
  const std::string hall_dir = dir.file("hall");
  PowerLossVfs::Installed vfs(hall_dir);
  ManualClock clock(kFri20260918_10h);
  auto store = client::HallStore::init(hall_dir, {"360704100", "W01"}, clock).value();
  client::CaseRepository repo(*store);
  const std::string me = store->identity().device_id();
  std::set<std::string> registered;
  for (int i = 0; i < 3; ++i) registered.insert(repo.register_case(form(*store)).value().case_id);

  PowerLossVfs::set_space_limit(PowerLossVfs::used_bytes() + kHeadroom);
  Status refused;
  for (int i = 0; i < 200 && refused.is_ok(); ++i) {
    auto v = repo.register_case(form(*store));
    if (v.is_ok()) registered.insert(v->case_id);
    else refused = v.status();
  }
  REQUIRE_FALSE(refused.is_ok());
  require_disk_full_error(refused);
  // Nothing of the refused registration, everything of the others.
  CHECK(store_damage(store->db(), me) == "");
  CHECK(strings(store->db(), "SELECT case_id FROM cases") == registered);
  // Still full: refused again, still whole.
  auto again = repo.register_case(form(*store));
  REQUIRE_FALSE(again.is_ok());
  require_disk_full_error(again.status());

  // Space returns: the same process registers again, and it all survives a restart.
  PowerLossVfs::set_space_limit(-1);
  auto resumed = repo.register_case(form(*store));
  INFO(resumed.status().to_string());
  REQUIRE(resumed.is_ok());
  registered.insert(resumed->case_id);
  store.reset();
  PowerLossVfs::flush();
  auto reopened = client::HallStore::open(hall_dir, clock, WriterRank::Foreground, client::StoreCheck::Pages);
  INFO(reopened.status().to_string());
  REQUIRE(reopened.is_ok());
  CHECK(store_damage((*reopened)->db(), me) == "");
  CHECK(strings((*reopened)->db(), "SELECT case_id FROM cases") == registered);
}

TEST_CASE("a full disk during a pull leaves no page half-applied and the pull completes when space returns",
          "[fulldisk]") {
  PullWorld w;
  PowerLossVfs::Installed vfs(w.run_dir);
  LoopbackTransport transport(w.world.hub());
  ReplicatorOptions options;
  options.pull_page = 7;
  // How much a whole pull grows the files: the disk will fill half-way.
  std::int64_t growth = 0;
  {
    StoreTemplate(w.template_dir).copy_to(w.run_dir);
    auto store = client::HallStore::open(w.run_dir, w.world.clock(), WriterRank::Background).value();
    RecordingSink sink(*store);
    const std::int64_t before = PowerLossVfs::used_bytes();
    REQUIRE(Replicator(store->db(), transport, sink, w.world.clock(), w.credentials, options).pull().is_ok());
    growth = PowerLossVfs::used_bytes() - before;
    store.reset();
    PowerLossVfs::flush();
  }
  StoreTemplate(w.template_dir).copy_to(w.run_dir);
  auto store = client::HallStore::open(w.run_dir, w.world.clock(), WriterRank::Background).value();
  RecordingSink sink(*store);

  PowerLossVfs::set_space_limit(PowerLossVfs::used_bytes() + growth / 2);
  auto full = Replicator(store->db(), transport, sink, w.world.clock(), w.credentials, options).pull();
  REQUIRE_FALSE(full.is_ok());
  require_disk_full_error(full.status());
  CHECK(store_damage(store->db(), w.credentials.device_id) == "");
  CHECK(w.cursor_disagreement(store->db(), sink.committed_through) == "");
  CHECK(sink.committed_through > 0);  // the disk filled mid-pull, after some pages

  PowerLossVfs::set_space_limit(-1);
  auto resumed = Replicator(store->db(), transport, sink, w.world.clock(), w.credentials, options).pull();
  INFO(resumed.status().to_string());
  REQUIRE(resumed.is_ok());
  CHECK(w.cursor_disagreement(store->db(), sink.committed_through) == "");
  auto everything = w.hub_events_through(std::numeric_limits<std::int64_t>::max());
  CHECK(strings(store->db(), "SELECT event_id FROM case_events WHERE device_id <> ?", w.credentials.device_id) ==
        everything);
  CHECK_FALSE(everything.empty());
  store.reset();
  PowerLossVfs::flush();
}

}  // namespace hallsync::test
