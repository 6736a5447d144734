// Hall devices and a hub in one process over loopback transports: exactly-once
// push, gap-free pull, decisions flowing down, and convergence under faults.
#include <catch2/catch.hpp>

#include "sync/api/event_codec.h"
#include "sync/protocol/messages.h"
#include "tests/support/sync_world.h"

using namespace hallsync;
using namespace hallsync::test;
using schema::EventKind;

TEST_CASE("Cases registered offline reach the hub once and their platform numbers come back", "[sync][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  auto a = w.register_case(hall);
  auto b = w.register_case(hall, "GX-035", false);
  auto s = w.sync(hall);
  REQUIRE(s.is_ok());
  CHECK(s->pushed == 3);  // two acceptances and one one-time notification
  CHECK(s->pulled == 2);  // the two platform numbers
  CHECK(w.hub_count("SELECT count(*) FROM events WHERE origin_device = '360704100-W01'") == 3);
  auto local = hall.repo->load(a.acceptance_no);
  CHECK_FALSE(local->platform_case_no.empty());
  CHECK(local->platform_case_no.rfind("36070420260918", 0) == 0);
  w.require_converged();
  auto again = w.sync(hall);
  CHECK(again->pushed == 0);
  CHECK(again->pulled == 0);
  (void)b;
}

TEST_CASE("A push whose response is lost is resent and applied exactly once", "[sync][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  for (int i = 0; i < 5; ++i) w.register_case(hall);
  hall.options.push_batch_entries = 2;
  int pushes = 0;
  hall.transport->fault_plan = [&](const HttpRequest& r) {
    return r.target == "/v1/push" && ++pushes == 2 ? Fault::LoseResponse : Fault::None;
  };
  auto first = w.sync(hall);
  REQUIRE_FALSE(first.is_ok());
  CHECK(first.status().kind() == ErrorKind::Network);
  CHECK(first.status().is_transient());
  CHECK(hall.transport->requests() == 2);
  // The hub committed batch 2 but the hall never heard: it resends it.
  CHECK(w.hub_count("SELECT high_water FROM devices") == 4);
  w.converge();
  CHECK(w.hub_count("SELECT count(*) FROM events WHERE origin_device = '360704100-W01'") == 5);
  CHECK(w.hub_count("SELECT count(*) FROM cases") == 5);
  w.require_converged();
}

TEST_CASE("A pull cut mid-way resumes after the last committed page", "[sync][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  for (int i = 0; i < 7; ++i) w.register_case(hall);
  REQUIRE(w.sync(hall).is_ok());
  auto rows = w.hub().cases("", "");
  for (const auto& r : *rows) REQUIRE(w.decide(r.case_id, EventKind::Approved).is_ok());
  hall.options.pull_page = 3;
  int pulls = 0;
  hall.transport->fault_plan = [&](const HttpRequest& r) {
    return r.target == "/v1/pull" && ++pulls == 2 ? Fault::LoseResponse : Fault::None;
  };
  auto cut = w.sync(hall);
  REQUIRE_FALSE(cut.is_ok());
  CHECK(hall.store->db().in_transaction() == false);
  std::int64_t cursor = *read_sync_value(hall.store->db(), kPullCursorKey, 0);
  CHECK(cursor > 0);
  w.converge();
  for (const auto& r : *rows) CHECK(hall.repo->load(r.case_id)->state == client::CaseState::Approved);
  w.require_converged();
}

TEST_CASE("Back-office decisions reach only the hall that owns the case", "[sync][integration]") {
  SyncWorld w;
  Device& meilin = w.add_device("360704100", "W01");
  Device& wangmu = w.add_device("360704101", "W01");
  auto c = w.register_case(meilin);
  w.register_case(wangmu);
  w.converge();
  REQUIRE(w.step(meilin, c.acceptance_no, EventKind::Forwarded).is_ok());
  w.converge();
  auto waiting = w.hub().cases("forwarded", "");
  REQUIRE(waiting->size() == 1);
  CHECK((*waiting)[0].department == "民政局");
  REQUIRE(w.decide(c.acceptance_no, EventKind::Extended).is_ok());
  REQUIRE(w.decide(c.acceptance_no, EventKind::Approved).is_ok());
  auto pulled = w.sync(meilin);
  CHECK(pulled->pulled == 2);
  CHECK(meilin.repo->load(c.acceptance_no)->state == client::CaseState::Approved);
  CHECK(meilin.repo->load(c.acceptance_no)->extension_days == 5);
  auto other = w.sync(wangmu);
  CHECK(other->pulled == 0);
  CHECK_FALSE(wangmu.repo->load(c.case_id).is_ok());
  w.require_converged();
}

TEST_CASE("An illegal back-office decision is refused at the hub and changes nothing", "[sync][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  auto c = w.register_case(hall);
  w.converge();
  REQUIRE(w.decide(c.acceptance_no, EventKind::Refused).is_ok());
  auto before = w.hub_count("SELECT count(*) FROM events");
  auto again = w.decide(c.acceptance_no, EventKind::Approved);
  REQUIRE_FALSE(again.is_ok());
  CHECK(again.status().kind() == ErrorKind::Conflict);
  CHECK(w.hub_count("SELECT count(*) FROM events") == before);
}

TEST_CASE("A device that pushes a gap is refused and nothing of the batch is applied", "[sync][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  auto c = w.register_case(hall);
  protocol::PushRequest req;
  req.device_id = hall.id();
  auto entries = ChangeLog(hall.store->db()).read_after(0, 10, 1 << 20);
  auto e = (*entries)[0];
  req.entries.push_back({e.seq + 1, e.hlc.value, e.collection, e.doc_key, std::string(e.payload.begin(), e.payload.end())});
  auto res = w.hub().push(hall.id(), req);
  REQUIRE_FALSE(res.is_ok());
  CHECK(res.status().code() == "sequence_gap");
  CHECK(w.hub_count("SELECT count(*) FROM events") == 0);
  CHECK(w.hub_count("SELECT high_water FROM devices") == 0);
  (void)c;
}

TEST_CASE("An entry the hub cannot accept is recorded as rejected and reported back", "[sync][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  Device& other = w.add_device("360704101", "W01");
  auto foreign = w.register_case(other);
  w.converge();
  // A forged event on the other hall's case, written into this device's outbox.
  schema::CaseEvent forged = draft(EventKind::Withdrawn);
  forged.case_id = foreign.case_id;
  forged.device_id = hall.id();
  forged.origin_seq = 1;
  forged.reason = "x";
  forged.clerk_id = "c001";
  auto txn = Transaction::begin(hall.store->db());
  auto body = encode_event(forged);
  REQUIRE(ChangeLog(hall.store->db()).append(*txn, {"case_events", foreign.case_id, Hlc{1}, body}, 1).is_ok());
  REQUIRE(txn->commit().is_ok());
  auto s = w.sync(hall);
  REQUIRE(s.is_ok());
  CHECK(s->pushed == 1);
  CHECK(s->rejected == 1);
  CHECK(w.hub_count("SELECT count(*) FROM rejected") == 1);
  auto stmt = hall.store->db().prepare("SELECT reason FROM sync_rejections");
  REQUIRE(*stmt->step());
  CHECK(stmt->column_text(0).find("another hall") != std::string::npos);
  CHECK(other.repo->load(foreign.case_id)->state == client::CaseState::Accepted);
}

TEST_CASE("The previous protocol version still syncs and an unknown one is refused clearly", "[sync][integration][version]") {
  SyncWorld w;
  Device& old_hall = w.add_device("360704100", "W01");
  old_hall.options.protocol_version = protocol::kOldestVersion;
  w.register_case(old_hall);
  auto s = w.sync(old_hall);
  REQUIRE(s.is_ok());
  CHECK(s->pushed == 1);
  CHECK(s->pulled == 1);
  Device& future = w.add_device("360704101", "W01");
  future.options.protocol_version = protocol::kCurrentVersion + 1;
  w.register_case(future);
  auto refused = w.sync(future);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == "unsupported_protocol");
  CHECK(refused.status().message().find("upgrade") != std::string::npos);
}

TEST_CASE("A revoked device or a wrong token is refused and nothing is applied", "[sync][integration][auth]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  hall.credentials.token = "wrong";
  auto wrong = w.sync(hall);
  CHECK(wrong.status().kind() == ErrorKind::Auth);
  REQUIRE(w.hub().revoke_device(hall.id()).is_ok());
  auto token = w.hub().add_device("360704100", "W01");
  hall.credentials.token = *token;
  REQUIRE(w.hub().revoke_device(hall.id()).is_ok());
  auto revoked = w.sync(hall);
  CHECK(revoked.status().code() == "revoked");
  CHECK(w.hub_count("SELECT count(*) FROM events") == 0);
}

TEST_CASE("Hostile hub replies are refused and nothing of them is applied", "[sync][integration][hostile]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  Device& other = w.add_device("360704101", "W01");
  w.register_case(other);
  w.converge();
  w.register_case(hall);
  REQUIRE(w.sync(hall).is_ok());
  auto outbox_before = ChangeLog(hall.store->db()).stats()->acknowledged_through;
  auto cursor_before = *read_sync_value(hall.store->db(), kPullCursorKey, 0);
  auto events_before = [&] { auto s = hall.store->db().prepare("SELECT count(*) FROM case_events"); (void)s->step(); return s->column_int(0); }();
  std::string kind = GENERATE(as<std::string>{}, "truncated", "garbage", "backwards", "other-hall", "error-200", "wrong-epoch");
  INFO(kind);
  hall.transport->tamper = [&](HttpResponse& r) {
    int v = protocol::kCurrentVersion;
    auto pull = protocol::decode_pull_response(r.body, v);
    if (kind == "truncated") r.body.resize(r.body.size() / 2);
    if (kind == "garbage") r.body = std::string(100, '\x7f');
    if (kind == "error-200") {
      r.headers = {{"Content-Type", "application/json"}};
      r.body = "{\"error\":\"oops\"}";
    }
    if (!pull) return;
    if (kind == "backwards") {
      pull->next_cursor = 0;
      r.body = protocol::encode(*pull, v);
    }
    if (kind == "other-hall") {
      auto rows = w.hub().pull(other.id(), {other.id(), 0, 100, true});
      pull->changes = rows->changes;
      pull->next_cursor = cursor_before + 1000;
      r.body = protocol::encode(*pull, v);
    }
    if (kind == "wrong-epoch") {
      pull->hub_epoch = "0123456789abcdef";
      r.body = protocol::encode(*pull, v);
    }
  };
  if (kind == "backwards") {
    // Needs a cursor above zero to go back from.
    REQUIRE(cursor_before > 0);
  }
  auto s = w.sync(hall);
  REQUIRE_FALSE(s.is_ok());
  CHECK((s.status().kind() == ErrorKind::Protocol));
  CHECK_FALSE(s.status().message().empty());
  CHECK(*read_sync_value(hall.store->db(), kPullCursorKey, 0) == cursor_before);
  CHECK(ChangeLog(hall.store->db()).stats()->acknowledged_through == outbox_before);
  auto s2 = hall.store->db().prepare("SELECT count(*) FROM case_events");
  REQUIRE(*s2->step());
  CHECK(s2->column_int(0) == events_before);
}

TEST_CASE("Concurrent window and back-office steps raise the same conflict on both sides until a person resolves it", "[sync][integration][conflict]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  auto c = w.register_case(hall);
  REQUIRE(w.step(hall, c.acceptance_no, EventKind::Forwarded).is_ok());
  w.converge();
  // Offline from each other: the back office refuses while the window records a withdrawal.
  REQUIRE(w.decide(c.acceptance_no, EventKind::Refused).is_ok());
  REQUIRE(w.step(hall, c.acceptance_no, EventKind::Withdrawn).is_ok());
  w.converge();
  auto local = hall.repo->load(c.acceptance_no);
  REQUIRE(local->open_conflicts() == 1);
  CHECK(local->events.size() == 5);  // accepted, platform no., forwarded, refused, withdrawn: nothing dropped
  auto at_hub = w.hub().case_row(c.case_id);
  CHECK(at_hub->open_conflicts == 1);
  CHECK(at_hub->state == std::string(client::case_state_code(local->state)));
  auto listed = hall.repo->cases_with_conflicts();
  REQUIRE(listed->size() == 1);

  schema::CaseEvent settle = draft(EventKind::ConflictResolved);
  settle.clerk_id = "c001";
  settle.ref_event_id = local->conflicts.front().event_id;
  settle.reason = "经核实以后台不予许可决定为准，已告知申请人";
  REQUIRE(hall.repo->record(c.acceptance_no, settle).is_ok());
  w.converge();
  CHECK(hall.repo->load(c.acceptance_no)->open_conflicts() == 0);
  CHECK(w.hub().case_row(c.case_id)->open_conflicts == 0);
  CHECK(hall.repo->cases_with_conflicts()->empty());
  w.require_converged();
}

TEST_CASE("The back office cannot record window-only steps", "[sync][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  auto c = w.register_case(hall);
  w.converge();
  REQUIRE(w.decide(c.acceptance_no, EventKind::Approved).is_ok());
  auto delivered = w.decide(c.acceptance_no, EventKind::Delivered);
  REQUIRE_FALSE(delivered.is_ok());
  CHECK(delivered.status().kind() == ErrorKind::Validation);
}
