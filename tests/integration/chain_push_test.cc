// The hub's check of each device's change-log chain on push (issue #7), over
// the hub's HTTP handler with signed v3 requests, on both hub stores: a batch
// that does not continue the head the hub holds is refused as a fork, one
// whose entries do not hash to the head it claims as a mismatch, each with
// nothing applied; a resent batch stays idempotent; a v2 push is accepted
// unverified and the device's next v3 push re-anchors its chain, recorded.
#include <catch2/catch.hpp>

#include "sync/api/change_chain.h"
#include "sync/api/payload_sealer.h"
#include "sync/api/request_signing.h"
#include "sync/protocol/messages.h"
#include "tests/support/sync_world.h"

namespace hallsync::test {
namespace {

std::vector<OutboxEntry> outbox(Device& d, std::int64_t after = 0) {
  auto entries = ChangeLog(d.store->db()).read_after(after, 1000, 1 << 20);
  REQUIRE(entries.is_ok());
  return *entries;
}

protocol::PushRequest push_of(Device& d, const std::vector<OutboxEntry>& entries) {
  protocol::PushRequest req;
  req.device_id = d.id();
  for (const auto& e : entries)
    req.entries.push_back({e.seq, e.hlc.value, e.collection, e.doc_key, std::string(e.payload.begin(), e.payload.end())});
  req.chain_before = ChangeLog(d.store->db()).chain_before(entries.front().seq).value();
  req.chain_head = entries.back().chain;
  return req;
}

HttpResponse send(SyncWorld& w, Device& d, const protocol::PushRequest& req, int version = protocol::kCurrentVersion) {
  HttpRequest r = protocol_request("/v1/push", protocol::encode(req, version), d.credentials, version);
  sign_request(r, d.credentials, request_key(d.credentials.token), w.clock().now_ms());
  return w.hub().handle(r, "loopback");
}

// Makes `chain_head` what the entries hash to from `chain_before`: a batch
// that is internally consistent, whatever history it continues.
void rehash(protocol::PushRequest& req) {
  std::string c = req.chain_before;
  for (const auto& e : req.entries) c = chain_link(c, e.seq, e.hlc, e.collection, e.doc_key, e.payload);
  req.chain_head = c;
}

std::string code_of(const HttpResponse& r) { return status_from_hub_reply(r).code(); }

std::string hub_head(SyncWorld& w, const std::string& device_id) {
  auto stmt = w.hub().db().prepare("SELECT head FROM device_chains WHERE device_id = ?");
  REQUIRE(stmt.is_ok());
  stmt->bind(1, device_id);
  if (!*stmt->step()) return "";
  auto blob = stmt->column_blob(0);
  return std::string(blob.begin(), blob.end());
}

// Everything a refused push could have changed at the hub.
std::vector<std::int64_t> hub_state(SyncWorld& w) {
  return {w.hub_count("SELECT count(*) FROM events"), w.hub_count("SELECT count(*) FROM cases"),
          w.hub_count("SELECT count(*) FROM rejected"), w.hub_count("SELECT coalesce(sum(high_water), 0) FROM devices"),
          w.hub_count("SELECT count(*) FROM device_chains"), w.hub_count("SELECT count(*) FROM chain_anchors")};
}

}  // namespace

TEST_CASE("A synced device's chain head is held by the hub at its high-water mark", "[sync][chain][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  w.register_case(hall);
  REQUIRE(w.sync(hall).is_ok());
  auto entries = outbox(hall);
  CHECK(hub_head(w, hall.id()) == entries.back().chain);
  CHECK(w.hub_count("SELECT head_seq FROM device_chains") == entries.back().seq);
  CHECK(w.hub_count("SELECT high_water FROM devices") == entries.back().seq);
  CHECK(w.hub_count("SELECT count(*) FROM chain_anchors") == 0);  // verified from the genesis
}

TEST_CASE("A push that does not continue the chain the hub holds is refused as a fork with nothing applied",
          "[sync][chain][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  REQUIRE(w.sync(hall).is_ok());
  std::string head = hub_head(w, hall.id());
  w.register_case(hall);
  auto fresh = outbox(hall, w.hub_count("SELECT high_water FROM devices"));
  REQUIRE_FALSE(fresh.empty());
  // Internally consistent, but continuing another history (a restored or
  // cloned store): the hash before the first new entry is not the hub's.
  protocol::PushRequest req = push_of(hall, fresh);
  req.chain_before = std::string(32, '\x5a');
  rehash(req);
  auto before = hub_state(w);
  HttpResponse res = send(w, hall, req);
  CHECK(res.status == 409);
  CHECK(code_of(res) == "chain_fork");
  CHECK(res.body.find("hallctl doctor") != std::string::npos);
  CHECK(hub_state(w) == before);
  CHECK(hub_head(w, hall.id()) == head);

  // The same fork reached through resent entries: the chain at the mark differs.
  auto all = outbox(hall);
  protocol::PushRequest resent = push_of(hall, all);
  resent.entries[0].payload.back() ^= 1;  // an old entry as a different store holds it
  rehash(resent);
  HttpResponse res2 = send(w, hall, resent);
  CHECK(res2.status == 409);
  CHECK(code_of(res2) == "chain_fork");
  CHECK(hub_state(w) == before);

  // The device's true batch still goes through.
  CHECK(send(w, hall, push_of(hall, fresh)).status == 200);
  CHECK(hub_head(w, hall.id()) == fresh.back().chain);
}

TEST_CASE("A push whose entries do not hash to the head it claims is refused as a mismatch with nothing applied",
          "[sync][chain][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  REQUIRE(w.sync(hall).is_ok());
  w.register_case(hall);
  auto fresh = outbox(hall, w.hub_count("SELECT high_water FROM devices"));
  auto before = hub_state(w);
  std::string head = hub_head(w, hall.id());

  protocol::PushRequest altered = push_of(hall, fresh);
  altered.entries.back().payload.back() ^= 1;  // changed on the way, head left as the device computed it
  HttpResponse res = send(w, hall, altered);
  CHECK(res.status == 409);
  CHECK(code_of(res) == "chain_mismatch");
  CHECK(hub_state(w) == before);

  protocol::PushRequest wrong_head = push_of(hall, fresh);
  wrong_head.chain_head[0] ^= 1;
  HttpResponse res2 = send(w, hall, wrong_head);
  CHECK(res2.status == 409);
  CHECK(code_of(res2) == "chain_mismatch");
  CHECK(hub_state(w) == before);
  CHECK(hub_head(w, hall.id()) == head);
}

TEST_CASE("A resent, already applied chained batch is acknowledged again and changes nothing",
          "[sync][chain][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  w.register_case(hall);
  auto all = outbox(hall);
  protocol::PushRequest req = push_of(hall, all);
  HttpResponse first = send(w, hall, req);
  REQUIRE(first.status == 200);
  auto after_first = hub_state(w);
  std::string head = hub_head(w, hall.id());
  for (int i = 0; i < 2; ++i) {
    HttpResponse again = send(w, hall, req);
    REQUIRE(again.status == 200);
    auto ack = protocol::decode_push_response(again.body, protocol::kCurrentVersion);
    REQUIRE(ack.is_ok());
    CHECK(ack->acknowledged_through == all.back().seq);
    CHECK(hub_state(w) == after_first);
    CHECK(hub_head(w, hall.id()) == head);
  }
  // A batch that repeats applied entries and adds new ones applies only the new.
  w.register_case(hall);
  auto more = outbox(hall);
  HttpResponse straddling = send(w, hall, push_of(hall, more));
  REQUIRE(straddling.status == 200);
  CHECK(w.hub_count("SELECT high_water FROM devices") == more.back().seq);
  CHECK(hub_head(w, hall.id()) == more.back().chain);
}

TEST_CASE("A v2 push is accepted unverified and the next v3 push re-anchors the device's chain, recorded",
          "[sync][chain][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  REQUIRE(w.sync(hall).is_ok());  // v3: verified from the genesis
  REQUIRE_FALSE(hub_head(w, hall.id()).empty());

  // The hall runs an older release for a while (or the hub sees a v2 client).
  hall.options.protocol_version = 2;
  w.register_case(hall);
  auto v2 = w.sync(hall);
  REQUIRE(v2.is_ok());
  CHECK(v2->pushed > 0);
  CHECK(hub_head(w, hall.id()).empty());  // nothing verifiable at the new mark
  CHECK(w.hub_count("SELECT count(*) FROM chain_anchors WHERE reason LIKE 'protocol v2 push%'") == 1);

  // Upgraded again: the first v3 push anchors at what the device sends.
  hall.options.protocol_version = protocol::kCurrentVersion;
  w.register_case(hall);
  auto v3 = w.sync(hall);
  REQUIRE(v3.is_ok());
  CHECK(hub_head(w, hall.id()) == outbox(hall).back().chain);
  CHECK(w.hub_count("SELECT count(*) FROM chain_anchors WHERE reason LIKE 'first chained push%'") == 1);

  // From there on it is verified again.
  w.register_case(hall);
  auto fresh = outbox(hall, w.hub_count("SELECT high_water FROM devices"));
  protocol::PushRequest forked = push_of(hall, fresh);
  forked.chain_before = chain_genesis();
  rehash(forked);
  CHECK(code_of(send(w, hall, forked)) == "chain_fork");
}

TEST_CASE("A device whose local log was rewritten stops its session with chain_fork and does not retry by itself",
          "[sync][chain][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  REQUIRE(w.sync(hall).is_ok());
  // Someone rewrites the first entry and its hash in the file, as the chain
  // would have it, so the local chain verifies again from there.
  Database& db = hall.store->db();
  auto first = outbox(hall).front();
  first.payload.back() ^= 1;
  std::string forged = chain_link(chain_genesis(), first.seq, first.hlc.value, first.collection, first.doc_key,
                                  std::string(first.payload.begin(), first.payload.end()));
  REQUIRE(db.exec_script("DROP TRIGGER change_log_no_update").is_ok());
  // Stored as the store stores it: sealed with its key (someone who has the key file too).
  std::vector<std::uint8_t> stored = first.payload;
  if (const PayloadSealer* sealer = db.payload_sealer())
    stored = sealer->seal_payload(change_log_payload_place(first.collection, first.doc_key, first.hlc),
                                  std::string_view(reinterpret_cast<const char*>(first.payload.data()), first.payload.size()));
  auto up = db.prepare("UPDATE change_log SET payload = ?, chain = ? WHERE seq = ?");
  up->bind_blob(1, stored.data(), stored.size()).bind_blob(2, forged.data(), forged.size()).bind(3, first.seq);
  REQUIRE(up->run().is_ok());
  std::int64_t last = outbox(hall).back().seq;
  REQUIRE(last == first.seq);  // only entry 1 existed: the rewritten one is the head
  w.register_case(hall);
  auto before = hub_state(w);
  auto refused = w.sync(hall);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().kind() == ErrorKind::Protocol);
  CHECK(refused.status().code() == "chain_fork");
  CHECK(refused.status().message().find("hallctl doctor") != std::string::npos);
  CHECK(hub_state(w) == before);
  CHECK(ChangeLog(db).acknowledged_through().value() == last);
}

}  // namespace hallsync::test
