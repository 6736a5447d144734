// Signed, replay-protected device requests (issue #7): every refusal the hub
// makes before a request is applied — unknown or revoked device, wrong or
// altered signature, stale or future timestamp, replayed nonce, also after a
// restart and across two hub processes — names its code and leaves the hub's
// tables as they were; and a device whose clock is years off still syncs.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "sync/api/change_chain.h"
#include "sync/api/request_signing.h"
#include "sync/protocol/messages.h"
#include "tests/support/sync_world.h"

namespace hallsync::test {
namespace {

constexpr std::int64_t kMinute = 60 * 1000;

// A push of the device's whole outbox as the replicator sends it, unsigned.
HttpRequest outbox_push(Device& d) {
  auto entries = ChangeLog(d.store->db()).read_after(0, 1000, 1 << 20);
  REQUIRE(entries.is_ok());
  protocol::PushRequest req;
  req.device_id = d.id();
  for (const auto& e : *entries)
    req.entries.push_back({e.seq, e.hlc.value, e.collection, e.doc_key, std::string(e.payload.begin(), e.payload.end())});
  if (!entries->empty()) {
    req.chain_before = chain_genesis();
    req.chain_head = entries->back().chain;
  }
  return protocol_request("/v1/push", protocol::encode(req, protocol::kCurrentVersion), d.credentials,
                          protocol::kCurrentVersion);
}

HttpRequest signed_push(Device& d, std::int64_t timestamp_ms) {
  HttpRequest r = outbox_push(d);
  sign_request(r, d.credentials, request_key(d.credentials.token), timestamp_ms);
  return r;
}

std::string code_of(const HttpResponse& r) { return status_from_hub_reply(r).code(); }

// What a request could have changed at the hub: events, cases, rejections,
// each device's mark, last contact and report, blobs.
std::vector<std::int64_t> hub_state(SyncWorld& w) {
  return {w.hub_count("SELECT count(*) FROM events"), w.hub_count("SELECT count(*) FROM cases"),
          w.hub_count("SELECT count(*) FROM rejected"), w.hub_count("SELECT coalesce(sum(high_water), 0) FROM devices"),
          w.hub_count("SELECT coalesce(sum(last_seen_ms), 0) FROM devices"),
          w.hub_count("SELECT coalesce(sum(unsent), 0) FROM devices"), w.hub_count("SELECT count(*) FROM blobs")};
}

}  // namespace

TEST_CASE("A correctly signed push is applied and the device never sends its token", "[auth][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  HttpRequest req = signed_push(hall, w.clock().now_ms());
  CHECK(req.header_value("Authorization").rfind("HMAC-SHA256 ", 0) == 0);
  for (const auto& [name, value] : req.headers) CHECK(value.find(hall.credentials.token) == std::string::npos);
  HttpResponse res = w.hub().handle(req, "loopback");
  CHECK(res.status == 200);
  CHECK(w.hub_count("SELECT count(*) FROM events WHERE origin_device = '360704100-W01'") == 1);
}

TEST_CASE("A request signed with another key is refused as bad_signature and nothing is applied", "[auth][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  auto before = hub_state(w);
  HttpRequest req = outbox_push(hall);
  sign_request(req, hall.credentials, request_key("not-the-device-token"), w.clock().now_ms());
  HttpResponse res = w.hub().handle(req, "loopback");
  CHECK(res.status == 401);
  CHECK(code_of(res) == "bad_signature");
  CHECK(status_from_hub_reply(res).kind() == ErrorKind::Auth);
  CHECK(hub_state(w) == before);
}

TEST_CASE("A body altered after signing is refused as bad_signature and nothing is applied", "[auth][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  auto before = hub_state(w);
  HttpRequest req = signed_push(hall, w.clock().now_ms());
  req.body[req.body.size() / 2] ^= 0x01;
  CHECK(code_of(w.hub().handle(req, "loopback")) == "bad_signature");
  // Swapping in another valid body is no better.
  HttpRequest other = signed_push(hall, w.clock().now_ms());
  other.body = protocol::encode(protocol::PushRequest{hall.id(), {}, {}}, protocol::kCurrentVersion);
  CHECK(code_of(w.hub().handle(other, "loopback")) == "bad_signature");
  CHECK(hub_state(w) == before);
}

TEST_CASE("A signed header altered after signing (a chunk's offset) is refused as bad_signature", "[auth][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  HttpRequest req = protocol_request("/v1/blobs/chunk", "0123456789", hall.credentials, 2);
  req.headers.push_back({"X-Hallsync-Blob", std::string(64, 'a')});
  req.headers.push_back({"X-Hallsync-Offset", "0"});
  sign_request(req, hall.credentials, request_key(hall.credentials.token), w.clock().now_ms());
  for (auto& [name, value] : req.headers)
    if (name == "X-Hallsync-Offset") value = "4096";
  CHECK(code_of(w.hub().handle(req, "loopback")) == "bad_signature");
}

TEST_CASE("A timestamp more than five minutes old is refused as stale_request with the hub's time, nothing applied",
          "[auth][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  auto before = hub_state(w);
  HttpResponse res = w.hub().handle(signed_push(hall, w.clock().now_ms() - 5 * kMinute - 1), "loopback");
  CHECK(res.status == 401);
  CHECK(code_of(res) == "stale_request");
  auto body = nlohmann::json::parse(res.body);
  CHECK(body["server_time_ms"].get<std::int64_t>() == w.clock().now_ms());
  CHECK(hub_state(w) == before);
  // Inside the window (a PC a few minutes off) it is accepted.
  CHECK(w.hub().handle(signed_push(hall, w.clock().now_ms() - 4 * kMinute), "loopback").status == 200);
}

TEST_CASE("A timestamp more than five minutes ahead is refused as stale_request, nothing applied", "[auth][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  auto before = hub_state(w);
  CHECK(code_of(w.hub().handle(signed_push(hall, w.clock().now_ms() + 5 * kMinute + 1), "loopback")) == "stale_request");
  CHECK(hub_state(w) == before);
  CHECK(w.hub().handle(signed_push(hall, w.clock().now_ms() + 4 * kMinute), "loopback").status == 200);
}

TEST_CASE("The same signed request sent twice is refused the second time as replayed_request, hub unchanged",
          "[auth][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  HttpRequest req = signed_push(hall, w.clock().now_ms());
  REQUIRE(w.hub().handle(req, "loopback").status == 200);
  auto after_first = hub_state(w);
  w.clock().advance(30'000);  // a resend would move last contact: a replay must not
  HttpResponse replay = w.hub().handle(req, "loopback");
  CHECK(replay.status == 401);
  CHECK(code_of(replay) == "replayed_request");
  CHECK(hub_state(w) == after_first);
  // The device's own retry signs anew and is accepted (a resend, exactly once).
  CHECK(w.hub().handle(signed_push(hall, w.clock().now_ms()), "loopback").status == 200);
  CHECK(w.hub_count("SELECT count(*) FROM events WHERE origin_device = '360704100-W01'") == 1);
}

TEST_CASE("A replay is refused after a hub restart and by a second hub process on the same store",
          "[auth][integration]") {
  TempDir dir;
  TestHubStore store;
  ManualClock clock(kFri20260918_10h);
  client::HallCasePolicy policy;
  auto hub = hub::HubService::open(dir.file("hub"), clock, policy, store.url());
  REQUIRE(hub.is_ok());
  REQUIRE((*hub)->add_hall("360704100", "hall").is_ok());
  auto token = (*hub)->add_device("360704100", "W01");
  REQUIRE(token.is_ok());
  DeviceCredentials device{"360704100-W01", *token};
  auto pull = [&] {
    HttpRequest r = protocol_request("/v1/pull", protocol::encode(protocol::PullRequest{device.device_id, 0, 100, false}, 2),
                                     device, 2);
    sign_request(r, device, request_key(device.token), clock.now_ms());
    return r;
  };
  HttpRequest first = pull(), second = pull();
  REQUIRE((*hub)->handle(first, "a").status == 200);

  auto other = hub::HubService::open(dir.file("hub"), clock, policy, store.url());  // a second process on the same file
  REQUIRE(other.is_ok());
  CHECK(code_of((*other)->handle(first, "b")) == "replayed_request");
  REQUIRE((*other)->handle(second, "b").status == 200);
  CHECK(code_of((*hub)->handle(second, "a")) == "replayed_request");

  hub->reset();
  other->reset();
  auto restarted = hub::HubService::open(dir.file("hub"), clock, policy, store.url());
  REQUIRE(restarted.is_ok());
  CHECK(code_of((*restarted)->handle(first, "a")) == "replayed_request");
  CHECK(code_of((*restarted)->handle(second, "a")) == "replayed_request");
  CHECK((*restarted)->handle(pull(), "a").status == 200);
}

TEST_CASE("An unknown device is refused as unauthenticated and nothing is applied", "[auth][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  auto before = hub_state(w);
  DeviceCredentials stranger{"360704100-W99", "made-up-token"};
  HttpRequest req = outbox_push(hall);
  sign_request(req, stranger, request_key(stranger.token), w.clock().now_ms());
  CHECK(code_of(w.hub().handle(req, "loopback")) == "unauthenticated");
  // No signing headers at all: the same.
  CHECK(code_of(w.hub().handle(outbox_push(hall), "loopback")) == "unauthenticated");
  CHECK(hub_state(w) == before);
}

TEST_CASE("A revoked device is refused as revoked and nothing is applied", "[auth][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  REQUIRE(w.hub().revoke_device(hall.id()).is_ok());
  auto before = hub_state(w);
  CHECK(code_of(w.hub().handle(signed_push(hall, w.clock().now_ms()), "loopback")) == "revoked");
  auto s = w.sync(hall);
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.status().kind() == ErrorKind::Auth);
  CHECK(s.status().code() == "revoked");
  CHECK(hub_state(w) == before);
}

TEST_CASE("A device years off that never learned the offset retries once on the hub's time and syncs",
          "[auth][clock][integration]") {
  for (std::int64_t skew : {10 * 365 * 24 * 3600 * 1000LL, -10 * 365 * 24 * 3600 * 1000LL}) {
    SyncWorld w;
    Device& hall = w.add_device("360704100", "W01", skew);
    w.register_case(hall);
    std::vector<std::string> refusals;
    hall.transport->tamper = [&](HttpResponse& r) {
      if (r.status != 200) refusals.push_back(code_of(r));
    };
    auto first = w.sync(hall);
    INFO(first.status().to_string());
    REQUIRE(first.is_ok());
    CHECK(first->pushed == 1);
    CHECK(refusals == std::vector<std::string>{"stale_request"});  // once, then the corrected request
    auto offset = read_sync_value(hall.store->db(), kClockOffsetKey, 0);
    CHECK(std::llabs(*offset + skew) < 1000);
    // The next session signs on the learned offset from its first request.
    w.register_case(hall);
    refusals.clear();
    REQUIRE(w.sync(hall).is_ok());
    CHECK(refusals.empty());
  }
}

TEST_CASE("A device whose clock was set back after it learned the offset recovers with one retry",
          "[auth][clock][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  REQUIRE(w.sync(hall).is_ok());
  hall.clock->shift(-3 * 24 * 3600 * 1000LL);  // someone set the PC's date back three days
  w.register_case(hall);
  int stale = 0;
  hall.transport->tamper = [&](HttpResponse& r) { stale += code_of(r) == "stale_request"; };
  auto s = w.sync(hall);
  REQUIRE(s.is_ok());
  CHECK(s->pushed == 1);
  CHECK(stale == 1);
}

TEST_CASE("A request the link delivers twice is signed anew once and applied exactly once", "[auth][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  // As libcurl does when a reused connection dies after the request left: the
  // hub gets the same bytes twice and only the second answer comes back.
  bool duplicated = false;
  std::vector<std::string> refusals;
  hall.transport->fault_plan = [&](const HttpRequest& r) {
    if (!duplicated && r.target == "/v1/push") {
      duplicated = true;
      REQUIRE(w.hub().handle(r, "first copy").status == 200);
    }
    return Fault::None;
  };
  hall.transport->tamper = [&](HttpResponse& r) {
    if (r.status != 200) refusals.push_back(code_of(r));
  };
  auto s = w.sync(hall);
  INFO(s.status().to_string());
  REQUIRE(s.is_ok());
  CHECK(refusals == std::vector<std::string>{"replayed_request"});
  CHECK(s->pushed == 1);
  CHECK(w.hub_count("SELECT count(*) FROM events WHERE origin_device = '360704100-W01'") == 1);
}

TEST_CASE("A device enrolled before signing upgrades to a stored key at its first sync and its token is refused after",
          "[auth][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  w.register_case(hall);
  // As after migration 0004: the hub knows only the token's SHA-256.
  auto clear = w.hub().db().prepare("UPDATE devices SET request_key = '' WHERE device_id = ?");
  REQUIRE(clear.is_ok());
  clear->bind(1, hall.id());
  REQUIRE(clear->run().is_ok());
  auto listed = w.hub().devices();
  REQUIRE(listed.is_ok());
  CHECK(listed->front().legacy_bearer);

  // Old software (bearer, no upgrade header) keeps working and changes nothing.
  HttpRequest old_style = protocol_request("/v1/pull", protocol::encode(protocol::PullRequest{hall.id(), 0, 10, false}, 2),
                                           hall.credentials, 2);
  old_style.headers.push_back({"Authorization", "Bearer " + hall.credentials.token});
  CHECK(w.hub().handle(old_style, "loopback").status == 200);
  CHECK(w.hub().devices()->front().legacy_bearer);

  auto s = w.sync(hall);
  INFO(s.status().to_string());
  REQUIRE(s.is_ok());
  CHECK(s->pushed == 1);
  CHECK_FALSE(w.hub().devices()->front().legacy_bearer);
  CHECK(code_of(w.hub().handle(old_style, "loopback")) == "unauthenticated");
  // A wrong token never upgrades anything.
  HttpRequest forged = old_style;
  for (auto& [name, value] : forged.headers)
    if (name == "Authorization") value = "Bearer wrong";
  CHECK(code_of(w.hub().handle(forged, "loopback")) == "unauthenticated");
}

TEST_CASE("A device whose signatures the hub accepted before never sends its token to a hub that asks for it",
          "[auth][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  REQUIRE(w.sync(hall).is_ok());
  CHECK(*read_sync_value(hall.store->db(), kSignedKey, 0) == 1);
  // A hub restored from before the upgrade (or one that is not the real hub)
  // knows no key for the device and asks for the token.
  auto clear = w.hub().db().prepare("UPDATE devices SET request_key = '' WHERE device_id = ?");
  REQUIRE(clear.is_ok());
  clear->bind(1, hall.id());
  REQUIRE(clear->run().is_ok());
  bool token_sent = false;
  hall.transport->fault_plan = [&](const HttpRequest& r) {
    token_sent = token_sent || r.header_value("Authorization").find(hall.credentials.token) != std::string::npos;
    return Fault::None;
  };
  w.register_case(hall);
  auto s = w.sync(hall);
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.status().code() == "bearer_refused");
  CHECK_FALSE(token_sent);
  CHECK(w.hub_count("SELECT count(*) FROM events") == 0);
}

TEST_CASE("Expired nonces are pruned a few at a time as requests arrive", "[auth][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  auto pull = [&] {
    HttpRequest r = protocol_request("/v1/pull", protocol::encode(protocol::PullRequest{hall.id(), 0, 10, false}, 2),
                                     hall.credentials, 2);
    sign_request(r, hall.credentials, request_key(hall.credentials.token), w.clock().now_ms());
    return w.hub().handle(r, "loopback").status;
  };
  for (int i = 0; i < 20; ++i) REQUIRE(pull() == 200);
  CHECK(w.hub_count("SELECT count(*) FROM request_nonces") == 20);
  w.clock().advance(11 * kMinute);  // every nonce is now past any replay window
  REQUIRE(pull() == 200);
  CHECK(w.hub_count("SELECT count(*) FROM request_nonces") == 20 - 8 + 1);  // bounded work per request
  for (int i = 0; i < 3; ++i) REQUIRE(pull() == 200);
  CHECK(w.hub_count("SELECT count(*) FROM request_nonces") == 4);
}

}  // namespace hallsync::test
