// Scanned materials going up to the hub: after the case events, in chunks,
// resuming from the ranges the hub holds after any cut, verified whole by the
// hub, stored once; documents the hub issues coming down, resumable the same
// way; and each protocol refusal on either side.
#include <catch2/catch.hpp>

#include <filesystem>
#include <random>
#include <set>

#include "client/domain/material_file.h"
#include "client/store/material_attach.h"
#include "sync/api/blob_download.h"
#include "sync/api/blob_upload.h"
#include "sync/protocol/blob_messages.h"
#include "tests/support/scan_fixtures.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {

std::int64_t offset_of(const HttpRequest& r) { return std::stoll(r.header_value(protocol::kOffsetHeader)); }

}  // namespace

TEST_CASE("A 5 MB scan cut at dozens of random points arrives whole without re-sending confirmed chunks",
          "[blobs][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  auto c = w.register_case(hall);
  const std::string bytes = random_jpeg(5 * 1024 * 1024, 12);
  auto a = attach(hall, c, bytes);
  hall.options.blob_dir = client::blob_dir(*hall.store);
  hall.options.blob_chunk_bytes = 64 * 1024;
  const std::int64_t chunks = (5 * 1024 * 1024) / (64 * 1024);

  // Cut points along the chunk exchanges, each a request (body plus ~200 B of
  // headers) then a reply window weighted as half the request (the hub's
  // fsync and its answer), so replies are lost often: a cut inside the request
  // means the hub never saw the chunk; inside the reply window, the hub stored
  // it but the hall never heard.
  std::mt19937 rng(2026);
  std::int64_t wire = 0, next_cut = 0, cuts = 0, lost_replies = 0, resent_confirmed = 0;
  auto plan_cut = [&] { next_cut = wire + std::uniform_int_distribution<std::int64_t>(1, 160 * 1024)(rng); };
  plan_cut();
  std::vector<protocol::ByteRange> confirmed;  // what the hub told the hall it holds
  hall.transport->fault_plan = [&](const HttpRequest& r) {
    if (r.target != "/v1/blobs/chunk") return Fault::None;
    std::int64_t begin = offset_of(r), end = begin + static_cast<std::int64_t>(r.body.size());
    if (protocol::covers(confirmed, begin, end)) ++resent_confirmed;
    std::int64_t request_bytes = static_cast<std::int64_t>(r.body.size()) + 200, total = request_bytes * 3 / 2;
    std::int64_t at = wire;
    wire += total;
    if (next_cut >= at + total) return Fault::None;
    std::int64_t cut_at = next_cut - at;
    plan_cut();
    ++cuts;
    if (cut_at < request_bytes) return Fault::FailBeforeSend;
    ++lost_replies;
    return Fault::LoseResponse;
  };
  hall.transport->tamper = [&](HttpResponse& res) {
    auto st = protocol::decode_blob_state(res.body, 2);
    if (!st) return;  // not a blob reply
    for (const auto& h : st->held) confirmed = protocol::add_range(confirmed, h);
    if (st->complete) confirmed = {{0, st->size}};
  };

  int sessions = 0;
  for (; sessions < 500; ++sessions) {
    auto s = w.sync(hall);  // a fresh Replicator each time: the hall restarts knowing only its store
    if (s.is_ok()) break;
    INFO(s.status().to_string());
    REQUIRE(s.status().kind() == ErrorKind::Network);
    REQUIRE(blob_queue_stats(hall.store->db())->waiting == 1);
  }
  INFO("cuts " << cuts << ", lost replies " << lost_replies << ", sessions " << sessions);
  CHECK(cuts >= 24);
  CHECK(lost_replies >= 5);
  CHECK(resent_confirmed == 0);
  // Each chunk reached the hub exactly once: even one whose reply was lost is
  // in the held ranges the hub names at the next offer, so it is not resent.
  CHECK(w.hub().blob_chunks_received() == chunks);
  CHECK(w.hub().blob_bytes_received() == static_cast<std::int64_t>(bytes.size()));
  CHECK(w.hub_count("SELECT count(*) FROM blobs WHERE complete = 1") == 1);
  CHECK(w.hub_count("SELECT count(*) FROM blob_upload_ranges") == 0);
  BlobStore hub_blobs(w.hub().blob_dir());
  REQUIRE(hub_blobs.contains(a.file.sha256));
  CHECK(sha256_of_file(hub_blobs.path_of(a.file.sha256)).value() == sha256_hex(bytes));
  CHECK(blob_queue_stats(hall.store->db())->waiting == 0);
  auto view = hall.repo->load(c.acceptance_no);
  CHECK(client::attachment_upload_states(*hall.store, *view).value() == std::vector<std::string>{"uploaded"});
}

TEST_CASE("Case events reach the hub even when every blob chunk fails", "[blobs][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  auto c = w.register_case(hall);
  attach(hall, c, random_jpeg(300'000, 1));
  hall.options.blob_dir = client::blob_dir(*hall.store);
  hall.transport->fault_plan = [](const HttpRequest& r) {
    return r.target == "/v1/blobs/chunk" ? Fault::FailBeforeSend : Fault::None;
  };
  auto s = w.sync(hall);
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.status().kind() == ErrorKind::Network);
  // The acceptance, the attachment event and the platform number all moved.
  CHECK(w.hub_count("SELECT count(*) FROM events WHERE origin_device = '360704100-W01'") == 2);
  CHECK(hall.repo->load(c.acceptance_no)->platform_case_no.size() > 0);
  CHECK(blob_queue_stats(hall.store->db())->waiting == 1);
  hall.transport->fault_plan = nullptr;
  REQUIRE(w.sync(hall).is_ok());
  CHECK(blob_queue_stats(hall.store->db())->waiting == 0);
}

TEST_CASE("A case registered while a scan uploads reaches the hub before the scan's next chunk",
          "[blobs][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  attach(hall, w.register_case(hall), random_jpeg(1024 * 1024, 4));
  hall.options.blob_dir = client::blob_dir(*hall.store);
  hall.options.blob_chunk_bytes = 64 * 1024;
  int chunk = 0;
  std::string late_case;
  std::int64_t hub_events_at_next_chunk = -1;
  hall.transport->fault_plan = [&](const HttpRequest& r) {
    if (r.target != "/v1/blobs/chunk") return Fault::None;
    ++chunk;
    if (chunk == 3) late_case = w.register_case(hall).case_id;  // a clerk at the window, mid-upload
    if (chunk == 4)
      hub_events_at_next_chunk = w.hub_count("SELECT count(*) FROM events WHERE doc_key = '" + late_case + "'");
    return Fault::None;
  };
  auto s = w.sync(hall);
  INFO(s.status().to_string());
  REQUIRE(s.is_ok());
  CHECK(hub_events_at_next_chunk == 2);  // its acceptance and platform number, 13 chunks before the scan's end
  CHECK(s->pushed == 3);
  CHECK(s->blobs_uploaded == 1);
  CHECK(ChangeLog(hall.store->db()).stats()->pending == 0);
}

TEST_CASE("The same scan from two halls is stored once, and each hall sends its bytes once to prove it holds them",
          "[blobs][integration]") {
  SyncWorld w;
  Device& a = w.add_device("360704100", "W01");
  Device& b = w.add_device("360704101", "W01");
  const std::string bytes = random_jpeg(200'000, 7);
  attach(a, w.register_case(a), bytes);
  attach(b, w.register_case(b), bytes);
  for (Device* d : {&a, &b}) {
    d->options.blob_dir = client::blob_dir(*d->store);
    auto s = w.sync(*d);
    INFO(s.status().to_string());
    REQUIRE(s.is_ok());
    CHECK(s->blobs_uploaded == 1);
    CHECK(s->blob_chunks == 4);  // 200,000 bytes in 64 KiB chunks, from each hall
  }
  CHECK(w.hub_count("SELECT count(*) FROM blobs") == 1);
  CHECK(w.hub_count("SELECT count(*) FROM blob_refs") == 2);
  CHECK(w.hub_count("SELECT count(*) FROM blob_holders") == 2);
  CHECK(std::filesystem::is_empty(w.hub().blob_dir() + "/partial"));  // the second copy was dropped once checked
}

TEST_CASE("A second PC of the same hall attaching a scan the hall already holds sends no chunk", "[blobs][integration]") {
  SyncWorld w;
  Device& first = w.add_device("360704100", "W01");
  Device& second = w.add_device("360704100", "W02");
  const std::string bytes = random_jpeg(200'000, 8);
  attach(first, w.register_case(first), bytes);
  first.options.blob_dir = client::blob_dir(*first.store);
  REQUIRE(w.sync(first)->blob_chunks == 4);
  attach(second, w.register_case(second), bytes);
  second.options.blob_dir = client::blob_dir(*second.store);
  auto s = w.sync(second);
  REQUIRE(s.is_ok());
  CHECK(s->blobs_uploaded == 1);
  CHECK(s->blob_chunks == 0);
}

TEST_CASE("A hall that knows only a scan's hash and size never reads another hall's copy", "[blobs][integration]") {
  SyncWorld w;
  Device& owner = w.add_device("360704100", "W01");
  Device& prober = w.add_device("360704101", "W01");
  const std::string bytes = random_jpeg(3000, 21);
  const std::string sha = sha256_hex(bytes);
  attach(owner, w.register_case(owner), bytes);
  owner.options.blob_dir = client::blob_dir(*owner.store);
  REQUIRE(w.sync(owner)->blobs_uploaded == 1);
  auto theirs = w.register_case(prober);
  REQUIRE(w.sync(prober).is_ok());
  auto& hub = w.hub();

  // The offer for its own case is taken, but to this hall nothing is held.
  auto st = hub.blob_offer(prober.id(), {prober.id(), sha, 3000, theirs.case_id});
  REQUIRE(st.is_ok());
  CHECK_FALSE(st->complete);
  CHECK(st->held.empty());
  auto read = hub.blob_read(prober.id(), {prober.id(), sha, 0, 1000});
  REQUIRE_FALSE(read.is_ok());
  CHECK(read.status().code() == "unknown_blob");

  // Part of the bytes, or bytes that are not the scan, prove nothing.
  REQUIRE(hub.blob_chunk(prober.id(), sha, 0, bytes.substr(0, 1000)).is_ok());
  CHECK(hub.blob_read(prober.id(), {prober.id(), sha, 0, 1000}).status().code() == "unknown_blob");
  std::string forged = bytes;
  forged[2500] ^= 1;
  CHECK(hub.blob_chunk(prober.id(), sha, 1000, forged.substr(1000)).status().code() == "hash_mismatch");
  CHECK(hub.blob_read(prober.id(), {prober.id(), sha, 0, 1000}).status().code() == "unknown_blob");
  CHECK(w.hub_count("SELECT count(*) FROM blob_holders") == 1);

  // The owner's copy is untouched by all this, and still reads whole.
  CHECK(hub.blob_read(owner.id(), {owner.id(), sha, 0, 3000}).value() == bytes);
  CHECK(BlobStore(hub.blob_dir()).contains(sha));
}

TEST_CASE("The hub refuses chunks outside the declared size, other halls' blobs and a wrong whole hash",
          "[blobs][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  Device& other = w.add_device("360704101", "W01");
  auto c = w.register_case(hall);
  REQUIRE(w.sync(hall).is_ok());
  const std::string bytes = random_jpeg(1000, 3);
  const std::string sha = sha256_hex(bytes);
  auto& hub = w.hub();

  // Offered for a case of another hall, or unknown: refused before any byte.
  auto foreign = hub.blob_offer(other.id(), {other.id(), sha, 1000, c.case_id});
  REQUIRE_FALSE(foreign.is_ok());
  CHECK(foreign.status().code() == "forbidden");
  CHECK(hub.blob_offer(hall.id(), {hall.id(), sha, 1000, "no-such-case"}).status().code() == "unknown_case");
  CHECK(hub.blob_chunk(hall.id(), sha, 0, bytes.substr(0, 10)).status().code() == "unknown_blob");

  auto st = hub.blob_offer(hall.id(), {hall.id(), sha, 1000, c.case_id});
  REQUIRE(st.is_ok());
  CHECK(st->held.empty());
  CHECK(hub.blob_chunk(other.id(), sha, 0, bytes.substr(0, 10)).status().code() == "unknown_blob");
  CHECK(hub.blob_chunk(hall.id(), sha, 995, bytes.substr(0, 10)).status().code() == "out_of_range");
  CHECK(hub.blob_offer(hall.id(), {hall.id(), sha, 999, c.case_id}).status().code() == "size_mismatch");

  // Bytes that disagree with the hash: the last chunk is refused and the hub
  // keeps none of them, so a clean resend starts from zero.
  std::string bad = bytes;
  bad[700] ^= 1;
  REQUIRE(hub.blob_chunk(hall.id(), sha, 0, bad.substr(0, 500)).is_ok());
  auto mismatch = hub.blob_chunk(hall.id(), sha, 500, bad.substr(500));
  REQUIRE_FALSE(mismatch.is_ok());
  CHECK(mismatch.status().code() == "hash_mismatch");
  auto after = hub.blob_offer(hall.id(), {hall.id(), sha, 1000, c.case_id});
  CHECK(after->held.empty());
  CHECK_FALSE(after->complete);
  REQUIRE(hub.blob_chunk(hall.id(), sha, 0, bytes).is_ok());
  CHECK(hub.blob_offer(hall.id(), {hall.id(), sha, 1000, c.case_id})->complete);

  // Over HTTP the refusal is a classified protocol error the device can read.
  HttpRequest req = protocol_request("/v1/blobs/chunk", bytes.substr(0, 10), hall.credentials, 2);
  req.headers.push_back({protocol::kBlobHeader, sha256_hex("never offered")});
  req.headers.push_back({protocol::kOffsetHeader, "0"});
  sign_request(req, hall.credentials, request_key(hall.credentials.token), w.clock().now_ms());
  HttpResponse res = hub.handle(req, "loopback");
  CHECK(res.status == 404);
  CHECK(status_from_hub_reply(res).code() == "unknown_blob");
}

TEST_CASE("The hall refuses a hub that answers with a wrong range, and keeps the blob waiting", "[blobs][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  auto c = w.register_case(hall);
  attach(hall, c, random_jpeg(100'000, 5));
  hall.options.blob_dir = client::blob_dir(*hall.store);
  hall.options.blob_chunk_bytes = 32 * 1024;

  auto tamper_with = [&](std::function<void(protocol::BlobState&)> change) {
    hall.transport->tamper = [change](HttpResponse& res) {
      auto st = protocol::decode_blob_state(res.body, 2);
      if (!st) return;
      change(*st);
      // Re-encoded without the decoder's checks, as a hostile hub would.
      res.body = protocol::encode(*st, 2);
    };
  };
  SECTION("a range beyond the blob's size") {
    tamper_with([](protocol::BlobState& st) { st.held = {{0, st.size + 10}}; });
  }
  SECTION("a chunk the hub does not confirm") {
    tamper_with([](protocol::BlobState& st) { st.held.clear(); });
  }
  SECTION("a state about another blob") {
    tamper_with([](protocol::BlobState& st) { st.sha256 = sha256_hex("another"); });
  }
  auto s = w.sync(hall);
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.status().kind() == ErrorKind::Protocol);
  auto q = blob_queue_entries(hall.store->db(), {sha256_hex(random_jpeg(100'000, 5))});
  REQUIRE(q->size() == 1);
  CHECK_FALSE((*q)[0].uploaded);
  CHECK_FALSE((*q)[0].last_error.empty());
  hall.transport->tamper = nullptr;
  REQUIRE(w.sync(hall).is_ok());
  CHECK(blob_queue_stats(hall.store->db())->uploaded == 1);
}

TEST_CASE("A damaged local copy is never sent and the hall reports it", "[blobs][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  auto c = w.register_case(hall);
  auto a = attach(hall, c, random_jpeg(50'000, 9));
  hall.options.blob_dir = client::blob_dir(*hall.store);
  BlobStore local(hall.options.blob_dir);
  std::filesystem::permissions(local.path_of(a.file.sha256), std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  REQUIRE(write_at_durably(local.path_of(a.file.sha256), 100, "XX").is_ok());
  auto s = w.sync(hall);
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.status().code() == "blob_damaged");
  CHECK(w.hub().blob_chunks_received() == 0);
}

TEST_CASE("A hub restarted mid-upload still names the ranges it held, and only the rest is sent", "[blobs][integration]") {
  TempDir dir;
  TestHubStore hub_store;
  ManualClock clock(kFri20260918_10h);
  client::HallCasePolicy policy;
  auto hub = hub::HubService::open(dir.file("hub"), clock, policy, hub_store.url());
  REQUIRE(hub.is_ok());
  REQUIRE((*hub)->add_hall("360704100", "梅林镇").is_ok());
  auto token = (*hub)->add_device("360704100", "W01");
  auto store = client::HallStore::init(dir.file("hall"), {"360704100", "W01"}, clock);
  REQUIRE(store.is_ok());
  client::CaseRepository repo(**store);
  client::IntakeForm f;
  f.matter_id = "GX-009";
  f.applicant_name = "刘桂英";
  f.id_number = valid_id("36070419850312002");
  f.phone = "13907971234";
  f.clerk_id = "c001";
  f.materials_received = (*store)->catalog().find("GX-009")->materials;
  auto c = repo.register_case(f);
  REQUIRE(c.is_ok());
  const std::string bytes = random_jpeg(640 * 1024, 8);
  REQUIRE(client::attach_material_bytes(**store, c->acceptance_no, bytes, "申请书", "c001").is_ok());
  client::CaseChangeSink sink(**store);
  ReplicatorOptions options;
  options.blob_dir = client::blob_dir(**store);
  options.blob_chunk_bytes = 64 * 1024;
  {
    LoopbackTransport link(**hub);
    int chunks = 0;
    link.fault_plan = [&](const HttpRequest& r) {
      return r.target == "/v1/blobs/chunk" && ++chunks > 4 ? Fault::FailBeforeSend : Fault::None;
    };
    REQUIRE_FALSE(Replicator((*store)->db(), link, sink, clock, {"360704100-W01", *token}, options).sync().is_ok());
  }
  hub->reset();  // the hub process stops ...
  auto again = hub::HubService::open(dir.file("hub"), clock, policy, hub_store.url());  // ... and starts again
  REQUIRE(again.is_ok());
  LoopbackTransport link(**again);
  std::int64_t first_offset = -1;
  link.fault_plan = [&](const HttpRequest& r) {
    if (r.target == "/v1/blobs/chunk" && first_offset < 0) first_offset = offset_of(r);
    return Fault::None;
  };
  auto s = Replicator((*store)->db(), link, sink, clock, {"360704100-W01", *token}, options).sync();
  INFO(s.status().to_string());
  REQUIRE(s.is_ok());
  CHECK(first_offset == 4 * 64 * 1024);
  CHECK(s->blob_chunks == 6);
  CHECK((*again)->blob_chunks_received() == 6);
  BlobStore at_hub((*again)->blob_dir());
  CHECK(sha256_of_file(at_hub.path_of(sha256_hex(bytes))).value() == sha256_hex(bytes));
}

TEST_CASE("The hub drops an upload abandoned past the grace period, never one in flight or a complete blob",
          "[blobs][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  auto c = w.register_case(hall);
  REQUIRE(w.sync(hall).is_ok());
  auto& hub = w.hub();
  const std::string abandoned = random_jpeg(3000, 11), active = random_jpeg(3000, 12), done = random_jpeg(3000, 13);
  for (const auto* b : {&abandoned, &active, &done}) {
    REQUIRE(hub.blob_offer(hall.id(), {hall.id(), sha256_hex(*b), 3000, c.case_id}).is_ok());
    REQUIRE(hub.blob_chunk(hall.id(), sha256_hex(*b), 0, b->substr(0, 1000)).is_ok());
  }
  REQUIRE(hub.blob_chunk(hall.id(), sha256_hex(done), 1000, done.substr(1000)).is_ok());
  w.clock().advance(6 * kDayMs);
  REQUIRE(hub.blob_chunk(hall.id(), sha256_hex(active), 1000, active.substr(1000, 1000)).is_ok());  // still moving
  w.clock().advance(2 * kDayMs);
  auto dropped = hub.collect_abandoned_blobs(7 * kDayMs);
  REQUIRE(dropped.is_ok());
  CHECK(*dropped == 1);
  CHECK_FALSE(std::filesystem::exists(hub.upload_partial_path(sha256_hex(abandoned), "360704100")));
  CHECK(hub.blob_offer(hall.id(), {hall.id(), sha256_hex(abandoned), 3000, c.case_id})->held.empty());  // starts over
  CHECK(hub.blob_offer(hall.id(), {hall.id(), sha256_hex(active), 3000, c.case_id})->held ==
        std::vector<protocol::ByteRange>{{0, 2000}});
  CHECK(hub.blob_offer(hall.id(), {hall.id(), sha256_hex(done), 3000, c.case_id})->complete);
}

namespace {

// What `hallhub attach` does: the back office issues a document for a case.
std::string issue_document(SyncWorld& w, const client::CaseView& c, const std::string& bytes) {
  auto blob = w.hub().store_issued_blob(c.acceptance_no, bytes);
  REQUIRE(blob.is_ok());
  schema::CaseEvent e;
  e.kind = schema::EventKind::MaterialAttached;
  e.clerk_id = "office-01";
  e.materials = {"准予许可决定书"};
  e.value = client::material_descriptor({blob->sha256, blob->size, "image/jpeg"});
  REQUIRE(w.hub().decide(c.acceptance_no, e).is_ok());
  return blob->sha256;
}

}  // namespace

TEST_CASE("A document the back office issues is downloaded whole, resuming after cuts without fetching a piece twice",
          "[blobs][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  auto c = w.register_case(hall);
  REQUIRE(w.sync(hall).is_ok());
  const std::string bytes = random_jpeg(2 * 1024 * 1024, 21);
  std::string sha = issue_document(w, c, bytes);
  hall.options.blob_dir = client::blob_dir(*hall.store);
  hall.options.blob_chunk_bytes = 64 * 1024;
  std::mt19937 rng(7);
  std::int64_t asked_offset = -1, cuts = 0, fetched_twice = 0;
  std::set<std::int64_t> delivered;
  hall.transport->fault_plan = [&](const HttpRequest& r) {
    if (r.target != "/v1/blobs/read") return Fault::None;
    asked_offset = protocol::decode_blob_read(r.body, 2)->offset;
    int roll = std::uniform_int_distribution<int>(0, 4)(rng);  // 40% of reads cut
    if (roll == 0) return ++cuts, Fault::FailBeforeSend;
    if (roll == 1) return ++cuts, Fault::LoseResponse;
    return Fault::None;
  };
  hall.transport->tamper = [&](HttpResponse& res) {
    if (res.header("Content-Type") != protocol::kChunkContentType) return;
    if (!delivered.insert(asked_offset).second) ++fetched_twice;
  };
  int sessions = 0;
  for (; sessions < 300; ++sessions) {
    auto s = w.sync(hall);  // a fresh Replicator each time: resuming relies on the partial file alone
    if (s.is_ok()) break;
    REQUIRE(s.status().kind() == ErrorKind::Network);
  }
  INFO("cuts " << cuts << ", sessions " << sessions);
  CHECK(cuts >= 10);
  CHECK(fetched_twice == 0);
  CHECK(delivered.size() == 32);
  BlobStore local(client::blob_dir(*hall.store));
  REQUIRE(local.contains(sha));
  CHECK(sha256_of_file(local.path_of(sha)).value() == sha);
  CHECK_FALSE(std::filesystem::exists(client::blob_dir(*hall.store) + "/partial/" + sha + ".part"));
  auto view = hall.repo->load(c.acceptance_no);
  CHECK(client::attachment_upload_states(*hall.store, *view).value() == std::vector<std::string>{"downloaded"});
}

TEST_CASE("The hall refuses a hub piece of the wrong length and keeps the download waiting", "[blobs][integration]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  auto c = w.register_case(hall);
  REQUIRE(w.sync(hall).is_ok());
  std::string sha = issue_document(w, c, random_jpeg(100'000, 22));
  hall.options.blob_dir = client::blob_dir(*hall.store);
  hall.transport->tamper = [](HttpResponse& res) {
    if (res.header("Content-Type") == protocol::kChunkContentType) res.body.resize(res.body.size() / 2);
  };
  auto s = w.sync(hall);
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.status().code() == "bad_range");
  CHECK(blob_download_state(hall.store->db(), sha).value() == "waiting");
  hall.transport->tamper = nullptr;
  REQUIRE(w.sync(hall).is_ok());
  CHECK(blob_download_state(hall.store->db(), sha).value() == "done");
}
