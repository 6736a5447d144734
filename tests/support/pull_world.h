// PullWorld: a hub holding a hall's history (one device's cases, some
// decided by the back office) and the closed store of a second device that
// has never pulled — for tests that interrupt its pull (power cuts, a full
// disk) and then check the cursor and the applied events agree.
#pragma once

#include <catch2/catch.hpp>

#include <set>

#include "client/store/case_change_sink.h"
#include "sync/api/replicator.h"
#include "tests/support/power_loss_harness.h"
#include "tests/support/sync_world.h"

namespace hallsync::test {

inline constexpr const char* kPullHall = "360704100";

// Remembers the last hub sequence of the newest page whose commit returned.
class RecordingSink final : public ChangeSink {
 public:
  explicit RecordingSink(client::HallStore& store) : inner_(store) {}
  Status apply(Transaction& txn, const std::vector<RemoteChange>& changes) override {
    if (!changes.empty()) page_end_ = changes.back().hub_seq;
    return inner_.apply(txn, changes);
  }
  Status committed() override {
    committed_through = page_end_;
    return inner_.committed();
  }
  std::int64_t committed_through = 0;

 private:
  client::CaseChangeSink inner_;
  std::int64_t page_end_ = 0;
};

struct PullWorld {
  SyncWorld world;
  TempDir dir;
  std::string template_dir = dir.file("template");
  std::string run_dir = dir.file("run");
  DeviceCredentials credentials;

  // W01 registers cases and syncs them, the back office decides some; W02
  // is a fresh device that has never pulled.
  PullWorld() {
    Device& w01 = world.add_device(kPullHall, "W01");
    std::vector<std::string> accepted;
    for (int i = 0; i < 24; ++i) accepted.push_back(world.register_case(w01, "GX-009", i % 4 != 0).acceptance_no);
    REQUIRE(world.sync(w01).is_ok());
    for (std::size_t i = 1; i < accepted.size(); i += 4)  // complete ones: the office approves
      REQUIRE(world.decide(accepted[i], schema::EventKind::Approved).is_ok());
    auto token = world.hub().add_device(kPullHall, "W02");
    REQUIRE(token.is_ok());
    credentials = {std::string(kPullHall) + "-W02", *token};
    REQUIRE(client::HallStore::init(template_dir, {kPullHall, "W02"}, world.clock()).is_ok());
  }

  // The hub's case events for this device up to `cursor`.
  std::set<std::string> hub_events_through(std::int64_t cursor) {
    auto stmt = world.hub().db().prepare(
        "SELECT event_id FROM events WHERE hall_code IN (?, '*') AND collection = 'case_events'"
        " AND origin_device <> ? AND hub_seq <= ?");
    REQUIRE(stmt.is_ok());
    stmt->bind(1, kPullHall).bind(2, credentials.device_id).bind(3, cursor);
    std::set<std::string> out;
    while (*stmt->step()) out.insert(stmt->column_text(0));
    return out;
  }

  // Empty when `db`'s cursor and pulled events agree: exactly the hub's events
  // up to the cursor, and the cursor at or past the last page whose commit
  // returned.
  std::string cursor_disagreement(Database& db, std::int64_t committed_through) {
    std::int64_t cursor = scalar(db, "SELECT coalesce(max(value), 0) FROM sync_state WHERE name = 'pull.cursor'");
    if (cursor < committed_through)
      return "a committed page was lost: cursor " + std::to_string(cursor) + " < " + std::to_string(committed_through);
    auto local = strings(db, "SELECT event_id FROM case_events WHERE device_id <> ?", credentials.device_id);
    auto expected = hub_events_through(cursor);
    if (local != expected)
      return "cursor " + std::to_string(cursor) + " with " + std::to_string(local.size()) + " pulled events, the hub has " +
             std::to_string(expected.size()) + " up to it";
    return {};
  }
};

}  // namespace hallsync::test
