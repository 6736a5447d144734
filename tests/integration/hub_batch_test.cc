// A push applied as one batch (#11: one statement per table per batch on
// PostgreSQL, the request nonce in the batch's own transaction), on both
// stores: the batch lands whole and in order; a batch that fails or is refused
// leaves nothing applied and still has its nonce on record, so the same
// request replayed is refused; several hub instances in one process (a
// HubPool) share a store as hub processes do.
#include <catch2/catch.hpp>

#include <thread>

#include "sync/api/request_signing.h"
#include "sync/hub/hub_pool.h"
#include "sync/hub/hub_reply.h"
#include "sync/protocol/messages.h"
#include "sync/storage/pg_connection.h"
#include "tests/support/sync_world.h"

namespace hallsync::test {
namespace {

// A signed push of the device's outbox after `skip` entries, as the replicator sends it.
HttpRequest signed_push(SyncWorld& w, Device& d, std::size_t skip = 0) {
  auto entries = ChangeLog(d.store->db()).read_after(0, 1000, 1 << 20);
  REQUIRE(entries.is_ok());
  protocol::PushRequest req;
  req.device_id = d.id();
  for (std::size_t i = skip; i < entries->size(); ++i) {
    const auto& e = (*entries)[i];
    req.entries.push_back({e.seq, e.hlc.value, e.collection, e.doc_key, std::string(e.payload.begin(), e.payload.end())});
  }
  if (skip < entries->size()) {  // protocol 3 carries the change-log chain around the batch
    req.chain_before = ChangeLog(d.store->db()).chain_before((*entries)[skip].seq).value();
    req.chain_head = entries->back().chain;
  }
  HttpRequest r = protocol_request("/v1/push", protocol::encode(req, protocol::kCurrentVersion), d.credentials,
                                   protocol::kCurrentVersion);
  sign_request(r, d.credentials, request_key(d.credentials.token), w.clock().now_ms());
  return r;
}

std::string code_of(const HttpResponse& r) { return status_from_hub_reply(r).code(); }

// Everything a push could have changed, the nonce table aside.
std::vector<std::int64_t> applied(SyncWorld& w) {
  return {w.hub_count("SELECT count(*) FROM events"), w.hub_count("SELECT count(*) FROM cases"),
          w.hub_count("SELECT count(*) FROM rejected"), w.hub_count("SELECT coalesce(sum(high_water), 0) FROM devices"),
          w.hub_count("SELECT coalesce(sum(last_seen_ms), 0) FROM devices")};
}

// Makes every insert into the hub's cases table fail: the batch's events are
// written by then, so its transaction must take them back.
void break_case_rows(SyncWorld& w) {
  Status s = w.hub_store().is_postgres()
                 ? w.hub().db().exec_script(
                       "CREATE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS"
                       " $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;"
                       " CREATE TRIGGER injected_failure BEFORE INSERT ON cases FOR EACH ROW"
                       " EXECUTE FUNCTION injected_failure()")
                 : w.hub().db().exec_script(
                       "CREATE TRIGGER injected_failure BEFORE INSERT ON cases BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  REQUIRE(s.is_ok());
}

void repair_case_rows(SyncWorld& w) {
  REQUIRE(w.hub().db().exec_script(w.hub_store().is_postgres() ? "DROP TRIGGER injected_failure ON cases"
                                                                : "DROP TRIGGER injected_failure")
              .is_ok());
}

// A device's requests straight into a HubPool (several threads at once).
class PoolTransport final : public Transport {
 public:
  explicit PoolTransport(hub::HubPool& pool) : pool_(&pool) {}
  Result<HttpResponse> exchange(const HttpRequest& request) override { return pool_->handle(request, "pool"); }
  std::uint64_t bytes_sent() const override { return 0; }
  std::uint64_t bytes_received() const override { return 0; }

 private:
  hub::HubPool* pool_;
};

}  // namespace

TEST_CASE("A pushed batch of many cases lands whole: every event once, each acceptance followed by its platform number",
          "[push][integration]") {
  SyncWorld w;
  Device& d = w.add_device("360704100", "W01");
  constexpr int kCases = 40;
  for (int i = 0; i < kCases; ++i) w.register_case(d);
  auto s = w.sync(d);
  INFO(s.status().to_string());
  REQUIRE(s.is_ok());
  CHECK(w.hub_count("SELECT count(*) FROM events WHERE origin_device = 'hub'") == kCases);
  CHECK(w.hub_count("SELECT count(*) FROM cases") == kCases);
  CHECK(w.hub_count("SELECT count(DISTINCT event_id) FROM events") == w.hub_count("SELECT count(*) FROM events"));
  // The number is drawn right after its case's acceptance, so a pulling device
  // finds both in one page.
  CHECK(w.hub_count("SELECT count(*) FROM events p JOIN events a ON a.hub_seq = p.hub_seq - 1"
                    " AND a.doc_key = p.doc_key AND a.origin_device = '360704100-W01'"
                    " WHERE p.origin_device = 'hub'") == kCases);
  // Every case row names the batch's last sequence or later: a reader sorting by it sees them all.
  CHECK(w.hub_count("SELECT count(*) FROM cases WHERE last_hub_seq > 0 AND platform_case_no <> ''") == kCases);
  w.converge();
  w.require_converged();
}

TEST_CASE("A pushed batch whose transaction fails is answered 503 with nothing applied, and replaying it is refused",
          "[push][integration]") {
  SyncWorld w;
  Device& d = w.add_device("360704100", "W01");
  for (int i = 0; i < 5; ++i) w.register_case(d);
  auto before = applied(w);
  auto nonces = w.hub_count("SELECT count(*) FROM request_nonces");
  break_case_rows(w);
  HttpRequest req = signed_push(w, d);
  HttpResponse failed = w.hub().handle(req, "loopback");
  CHECK(failed.status == 503);  // retryable: the device signs anew and sends again
  CHECK(applied(w) == before);
  // The batch rolled back, but its nonce was recorded on its own.
  CHECK(w.hub_count("SELECT count(*) FROM request_nonces") == nonces + 1);
  repair_case_rows(w);
  CHECK(code_of(w.hub().handle(req, "loopback")) == "replayed_request");
  CHECK(applied(w) == before);
  // The device's own retry is signed anew and applied exactly once.
  auto s = w.sync(d);
  INFO(s.status().to_string());
  REQUIRE(s.is_ok());
  CHECK(w.hub_count("SELECT count(*) FROM events WHERE origin_device = '360704100-W01'") == 5);
  CHECK(w.hub_count("SELECT count(*) FROM cases") == 5);
}

TEST_CASE("A push refused for a sequence gap applies nothing and its nonce stays on record against a replay",
          "[push][integration]") {
  SyncWorld w;
  Device& d = w.add_device("360704100", "W01");
  for (int i = 0; i < 3; ++i) w.register_case(d);
  auto before = applied(w);
  HttpRequest gap = signed_push(w, d, /*skip=*/1);  // starts at sequence 2: the hub holds nothing yet
  HttpResponse refused = w.hub().handle(gap, "loopback");
  CHECK(refused.status == 409);
  CHECK(code_of(refused) == "sequence_gap");
  CHECK(applied(w) == before);
  CHECK(code_of(w.hub().handle(gap, "loopback")) == "replayed_request");
  HttpRequest whole = signed_push(w, d);
  CHECK(w.hub().handle(whole, "loopback").status == 200);
  CHECK(code_of(w.hub().handle(whole, "loopback")) == "replayed_request");
  CHECK(w.hub_count("SELECT count(*) FROM events WHERE origin_device = '360704100-W01'") == 3);
}

TEST_CASE("Hub instances of one pool push and pull at once on one store, every device ending with exactly its hall's events",
          "[push][integration][pool]") {
  TempDir dir;
  TestHubStore store;
  ManualClock clock(kFri20260918_10h);
  client::HallCasePolicy policy;
  const std::size_t size = store.is_postgres() ? 4 : 1;
  auto pool = hub::HubPool::open(dir.file("hub"), clock, policy, store.url(), size);
  INFO(pool.status().to_string());
  REQUIRE(pool.is_ok());
  hub::HubService& admin = (*pool)->first();
  constexpr int kDevices = 8, kCases = 15;
  struct Hall {
    std::string code;
    DeviceCredentials credentials;
    std::unique_ptr<client::HallStore> store;
    std::string error;
  };
  std::vector<Hall> halls(kDevices);
  for (int i = 0; i < kDevices; ++i) {
    Hall& h = halls[i];
    h.code = std::to_string(360704100 + i);
    REQUIRE(admin.add_hall(h.code, "hall").is_ok());
    auto token = admin.add_device(h.code, "W01");
    REQUIRE(token.is_ok());
    h.credentials = {h.code + "-W01", *token};
    auto s = client::HallStore::init(dir.file(h.code), {h.code, "W01"}, clock);
    REQUIRE(s.is_ok());
    h.store = std::move(s).value();
    client::CaseRepository repo(*h.store);
    for (int c = 0; c < kCases; ++c) REQUIRE(repo.register_case(intake_form(*h.store, "GX-009", true)).is_ok());
  }
  std::vector<std::thread> threads;
  for (Hall& h : halls)
    threads.emplace_back([&h, &pool, &clock] {
      PoolTransport transport(**pool);
      client::CaseChangeSink sink(*h.store);
      ReplicatorOptions options;
      options.push_batch_entries = 4;  // several batches each, interleaved with the other devices'
      Replicator r(h.store->db(), transport, sink, clock, h.credentials, options);
      auto s = r.sync();
      if (!s) h.error = h.code + ": " + s.status().to_string();
    });
  for (auto& t : threads) t.join();
  for (const Hall& h : halls) {
    INFO(h.error);
    CHECK(h.error.empty());
  }
  for (const Hall& h : halls) {
    auto events = admin.hall_events(h.code);
    REQUIRE(events.is_ok());
    CHECK(events->size() == 2 * kCases);  // each acceptance and its platform number, once
    client::CaseRepository repo(*h.store);
    auto local = repo.digests();
    auto remote = admin.digests(h.code);
    REQUIRE(local.is_ok());
    REQUIRE(remote.is_ok());
    CHECK(*local == *remote);
  }
  auto cases = admin.cases("", "");
  REQUIRE(cases.is_ok());
  CHECK(cases->size() == static_cast<std::size_t>(kDevices * kCases));
}

TEST_CASE("A hub pool of several connections is refused on the embedded SQLite store", "[pool][sqlite]") {
  TempDir dir;
  ManualClock clock(kFri20260918_10h);
  client::HallCasePolicy policy;
  auto pool = hub::HubPool::open(dir.file("hub"), clock, policy, "", 2);
  REQUIRE_FALSE(pool.is_ok());
  CHECK(pool.status().kind() == ErrorKind::Validation);
}

TEST_CASE("PostgreSQL array parameters keep quotes, backslashes, commas, empty strings and the word NULL as text",
          "[storage][pg]") {
  auto literal = storage::pg_array_literal({"a\"b", "c\\d", "e,f", "", "NULL"});
  REQUIRE(literal.is_ok());
  CHECK(*literal == R"({"a\"b","c\\d","e,f","","NULL"})");
  CHECK_FALSE(storage::pg_array_literal({std::string("x\0y", 3)}).is_ok());
  TestHubStore store;
  if (!store.is_postgres()) return;
  auto db = Database::open_url(store.url());
  REQUIRE(db.is_ok());
  auto stmt = (*db)->prepare("SELECT v FROM unnest(?::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n");
  REQUIRE(stmt.is_ok());
  const std::vector<std::string> values{"a\"b", "c\\d", "e,f", "", "NULL", "{}", "中文"};
  stmt->bind_array(1, values);
  std::vector<std::string> back;
  for (;;) {
    auto row = stmt->step();
    REQUIRE(row.is_ok());
    if (!*row) break;
    CHECK_FALSE(stmt->column_is_null(0));
    back.push_back(stmt->column_text(0));
  }
  CHECK(back == values);
}

}  // namespace hallsync::test
