// The technician's rebuild of a damaged store (issue #6): every event the hub
// holds comes back, and every unsynced own event that can still be read from
// the damaged file is carried over and reaches the hub exactly once, in a
// sequence without gaps; those lost with a damaged page are counted.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "client/domain/case_policy.h"
#include "client/store/case_change_sink.h"
#include "client/store/store_rebuild.h"
#include "sync/api/change_log.h"
#include "sync/api/replicator.h"
#include "sync/hub/hub_service.h"
#include "tests/support/file_bytes.h"
#include "tests/support/hall_fixture.h"
#include "tests/support/loopback_hub.h"

namespace hallsync::test {
namespace {

namespace fs = std::filesystem;
constexpr const char* kHall = "360704100";
constexpr const char* kDevice = "360704100-W01";
constexpr std::int64_t kSynced = 30, kUnsynced = 30;

// One b-tree leaf of the outbox (change_log) and the sequences on it.
struct Leaf {
  std::int64_t page = 0, first_seq = 0, last_seq = 0;
};

// A closed store whose outbox holds 30 acknowledged registrations (one event
// each) and 30 the hub has never seen, and a hub holding the first 30.
struct DamagedWorld {
  HallFixture h;
  client::HallCasePolicy policy;
  std::unique_ptr<hub::HubService> hub;
  std::unique_ptr<LoopbackTransport> link;
  std::string token, data_dir, file;
  std::vector<std::string> unsynced_cases;  // [i]: the case of sequence kSynced + 1 + i

  DamagedWorld() {
    hub = hub::HubService::open(h.dir.file("hub"), h.clock, policy).value();
    REQUIRE(hub->add_hall(kHall, "梅林镇").is_ok());
    token = hub->add_device(kHall, "W01").value();
    link = std::make_unique<LoopbackTransport>(*hub);
    for (std::int64_t i = 0; i < kSynced; ++i) h.register_complete();
    REQUIRE(sync(*h.store).is_ok());
    for (std::int64_t i = 0; i < kUnsynced; ++i) unsynced_cases.push_back(h.register_complete().case_id);
    REQUIRE(ChangeLog(h.store->db()).stats()->pending == kUnsynced);
    data_dir = h.store->data_dir();
    file = (fs::path(data_dir) / client::HallStore::kDatabaseFile).string();
    h.repo.reset();
    h.store.reset();  // checkpoints: the file holds everything, no WAL left
  }

  Result<SyncStats> sync(client::HallStore& store) {
    client::CaseChangeSink sink(store);
    return Replicator(store.db(), *link, sink, h.clock, {kDevice, token}).sync();
  }

  // The outbox's leaves in key order (SQLite's dbstat): sequences are 1..N
  // without gaps, so each leaf's cell count gives its range.
  std::pair<std::vector<Leaf>, std::int64_t> outbox_leaves() {
    auto db = Database::open(file).value();
    auto size = db->prepare("PRAGMA page_size");
    REQUIRE(*size->step());
    std::int64_t page_size = size->column_int(0);
    auto stmt = db->prepare("SELECT pageno, ncell FROM dbstat WHERE name = ? AND pagetype = ? ORDER BY path");
    stmt->bind(1, "change_log").bind(2, "leaf");
    std::vector<Leaf> leaves;
    for (std::int64_t next = 1; *stmt->step(); next = leaves.back().last_seq + 1)
      leaves.push_back({stmt->column_int(0), next, next + stmt->column_int(1) - 1});
    REQUIRE(leaves.size() >= 4);
    REQUIRE(leaves.back().last_seq == kSynced + kUnsynced);
    return {leaves, page_size};
  }

  void damage(const Leaf& leaf, std::int64_t page_size) {
    overwrite_bytes(file, static_cast<std::size_t>((leaf.page - 1) * page_size),
                    std::string(static_cast<std::size_t>(page_size), '\xA5'));
  }

  client::RebuildReport rebuild() {
    auto hand = hub_handshake(*link, {kDevice, token}, h.clock, nullptr);
    REQUIRE(hand.is_ok());
    client::RebuildRequest request{data_dir, client::HallIdentity{kHall, "W01"}, hand->hub_epoch, false, nullptr};
    auto report = client::rebuild_store(request, *link, token, h.clock);
    INFO(report.status().to_string());
    REQUIRE(report.is_ok());
    CHECK_FALSE(report->unreadable_store.empty());  // the damage was met, so the salvage ran
    CHECK(fs::exists(report->backup_path));
    return *report;
  }

  std::int64_t hub_int(const std::string& sql, const std::string& bound) {
    auto stmt = hub->db().prepare(sql);
    stmt->bind(1, bound);
    REQUIRE(*stmt->step());
    return stmt->column_int(0);
  }

  // Every readable unsynced case is at the hub once, each lost one not at
  // all; nothing rejected, the sequence gap-free; one more sync moves nothing.
  void require_delivered_once(std::int64_t lost_first, std::int64_t lost_last) {
    std::int64_t lost = lost_last >= lost_first ? lost_last - lost_first + 1 : 0;
    for (std::int64_t i = 0; i < kUnsynced; ++i) {
      std::int64_t seq = kSynced + 1 + i;
      INFO("sequence " << seq);
      CHECK(hub_int("SELECT count(*) FROM events WHERE doc_key = ? AND origin_device = '360704100-W01'",
                    unsynced_cases[static_cast<std::size_t>(i)]) == (seq >= lost_first && seq <= lost_last ? 0 : 1));
    }
    CHECK(hub_int("SELECT count(*) FROM events WHERE origin_device = ?", kDevice) == kSynced + kUnsynced - lost);
    CHECK(hub_int("SELECT high_water FROM devices WHERE device_id = ?", kDevice) == kSynced + kUnsynced - lost);
    CHECK(hub_int("SELECT count(*) FROM rejected WHERE device_id = ?", kDevice) == 0);
    auto store = client::HallStore::open(data_dir, h.clock);
    REQUIRE(store.is_ok());
    auto again = sync(**store);
    REQUIRE(again.is_ok());
    CHECK(again->pushed == 0);
    CHECK(ChangeLog((*store)->db()).stats()->pending == 0);
    CHECK(client::CaseRepository(**store).digests().value() == hub->digests(kHall).value());
  }
};

}  // namespace

TEST_CASE("rebuild of a store damaged where only synced events lie recovers every unsynced event once", "[corrupt][rebuild]") {
  DamagedWorld w;
  auto [leaves, page_size] = w.outbox_leaves();
  REQUIRE(leaves.front().last_seq <= kSynced);
  w.damage(leaves.front(), page_size);
  auto report = w.rebuild();
  CHECK(report.salvaged_unsynced == kUnsynced);
  CHECK(report.unreadable_unsynced == 0);
  CHECK(report.carried_same_seq == kUnsynced);
  CHECK(report.renumbered == 0);
  CHECK(report.pushed == kUnsynced);
  w.require_delivered_once(1, 0);
}

TEST_CASE("rebuild of a store whose damaged page held unsynced events recovers the rest and counts the lost", "[corrupt][rebuild]") {
  DamagedWorld w;
  auto [leaves, page_size] = w.outbox_leaves();
  // A leaf of unsynced entries with more after it: those must be renumbered to close the gap.
  auto middle = std::find_if(leaves.begin(), leaves.end() - 1, [](const Leaf& l) { return l.first_seq > kSynced; });
  REQUIRE(middle != leaves.end() - 1);
  w.damage(*middle, page_size);
  std::int64_t lost = middle->last_seq - middle->first_seq + 1;
  auto report = w.rebuild();
  CHECK(report.unreadable_unsynced == lost);
  CHECK(report.salvaged_unsynced == kUnsynced - lost);
  CHECK(report.carried_same_seq == middle->first_seq - kSynced - 1);
  CHECK(report.renumbered == kSynced + kUnsynced - middle->last_seq);
  CHECK(report.pushed == kUnsynced - lost);
  w.require_delivered_once(middle->first_seq, middle->last_seq);
}

TEST_CASE("rebuild of a store whose last outbox page is damaged still counts the events lost on it", "[corrupt][rebuild]") {
  DamagedWorld w;
  auto [leaves, page_size] = w.outbox_leaves();
  const Leaf last = leaves.back();
  REQUIRE(last.first_seq > kSynced);
  w.damage(last, page_size);  // max(seq) cannot be read now: the end comes from sqlite_sequence
  auto report = w.rebuild();
  CHECK(report.unreadable_unsynced == last.last_seq - last.first_seq + 1);
  CHECK(report.salvaged_unsynced == last.first_seq - kSynced - 1);
  CHECK(report.renumbered == 0);
  w.require_delivered_once(last.first_seq, last.last_seq);
}

TEST_CASE("rebuild of a store SQLite cannot open at all says nothing of its outbox could be read", "[corrupt][rebuild]") {
  DamagedWorld w;
  overwrite_bytes(w.file, 0, std::string(512, '\xA5'));
  auto report = w.rebuild();
  CHECK_FALSE(report.salvage_failure.empty());
  CHECK(report.salvaged_unsynced == 0);
  CHECK(w.hub_int("SELECT count(*) FROM events WHERE origin_device = ?", kDevice) == kSynced);
}

}  // namespace hallsync::test
