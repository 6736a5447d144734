// A hub (or something posing as one) answering with broken or hostile replies
// beyond sync_loopback_test's: fields of the wrong type, lists and lengths out
// of all proportion, text that is not UTF-8, content codings nobody asked for,
// and push acknowledgements that do not match what was sent. Each reply is
// refused with a protocol error; nothing of it reaches the store (cursor,
// events, digests) and the outbox keeps the same pending entries, so the next
// honest session delivers everything exactly once.
#include <catch2/catch.hpp>

#include <map>

#include "sync/api/event_codec.h"
#include "sync/protocol/messages.h"
#include "sync/protocol/wire_archive.h"
#include "tests/support/sync_world.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {

constexpr int kVersion = protocol::kCurrentVersion;

// What a refused reply must leave exactly as it was.
struct Snapshot {
  std::int64_t cursor = 0, acknowledged = 0, events = 0;
  std::vector<std::pair<std::int64_t, std::vector<std::uint8_t>>> pending;
  std::vector<BucketDigest> digests;
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(Device& d) {
  Snapshot s;
  s.cursor = *read_sync_value(d.store->db(), kPullCursorKey, 0);
  s.acknowledged = ChangeLog(d.store->db()).stats()->acknowledged_through;
  auto pending = ChangeLog(d.store->db()).read_after(s.acknowledged, 1000, 1 << 24);
  REQUIRE(pending.is_ok());
  for (auto& e : *pending) s.pending.emplace_back(e.seq, e.payload);
  s.digests = *d.repo->digests();
  auto stmt = d.store->db().prepare("SELECT count(*) FROM case_events");
  REQUIRE(*stmt->step());
  s.events = stmt->column_int(0);
  return s;
}

std::string deflated(protocol::WireWriter& w) { return protocol::compress(w.finish(), kVersion); }

// A hall that has synced once, and a sibling device of the same hall whose
// three cases (six events with their platform numbers) wait for it at the hub.
struct HostileWorld {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  Device& sibling = w.add_device("360704100", "W02");
  HostileWorld() {
    w.register_case(hall);
    REQUIRE(w.sync(hall).is_ok());
    for (int i = 0; i < 3; ++i) w.register_case(sibling);
    REQUIRE(w.sync(sibling).is_ok());
  }
  // The refused session leaves the snapshot as it was; then an honest one
  // delivers everything once.
  void require_refused_untouched(const Snapshot& before, const std::string& expected_code) {
    auto s = w.sync(hall);
    REQUIRE_FALSE(s.is_ok());
    INFO(s.status().to_string());
    CHECK(s.status().kind() == ErrorKind::Protocol);
    CHECK_FALSE(s.status().message().empty());
    if (!expected_code.empty()) CHECK(s.status().code() == expected_code);
    CHECK_FALSE(hall.store->db().in_transaction());
    CHECK(snapshot(hall) == before);
    hall.transport->tamper = nullptr;
    w.converge();
    w.require_converged();
    CHECK(w.hub_count("SELECT count(*) FROM events WHERE origin_device = '360704100-W01'") ==
          static_cast<std::int64_t>(before.acknowledged + before.pending.size()));
  }
};

}  // namespace

TEST_CASE("Pull replies with wrong field types, absurd sizes, bad text or codings are refused and nothing is applied",
          "[sync][integration][hostile]") {
  HostileWorld h;
  Device& hall = h.hall;
  std::string kind = GENERATE(as<std::string>{}, "string-for-number", "number-for-string", "object-for-array",
                              "json-error-wrong-types", "more-than-asked", "absurd-count", "count-beyond-body",
                              "absurd-length", "bomb", "bad-utf8-text", "bad-utf8-key", "gzip-claimed",
                              "deflate-claimed-plain", "plain-body");
  INFO(kind);
  const std::map<std::string, std::string> codes = {
      {"json-error-wrong-types", "http_409"}, {"more-than-asked", "page_too_large"}, {"absurd-count", "malformed"},
      {"count-beyond-body", "malformed"}, {"absurd-length", "malformed"}, {"bomb", "too_large"},
      {"bad-utf8-key", "malformed"}, {"gzip-claimed", "bad_content_encoding"},
      {"deflate-claimed-plain", "bad_content_encoding"}, {"plain-body", "bad_encoding"}};
  if (kind == "more-than-asked") hall.options.pull_page = 2;
  const Snapshot before = snapshot(hall);
  REQUIRE(before.pending.empty());
  hall.transport->tamper = [&](HttpResponse& r) {
    if (hall.transport->last_request.target != "/v1/pull") return;
    auto page = protocol::decode_pull_response(r.body, kVersion);
    REQUIRE(page.is_ok());
    REQUIRE(page->changes.size() >= 2);
    protocol::WireWriter m;
    // What follows the list of changes in a well-formed page.
    auto page_end = [&] {
      m.num(page->next_cursor);
      m.num(std::uint8_t{0});
      m.num(page->server_time_ms);
      m.str(page->hub_epoch);
      return deflated(m);
    };
    if (kind == "string-for-number") {  // next_cursor sent as a string
      m.count(0);
      m.str(std::to_string(page->next_cursor));
      m.num(std::uint8_t{0});
      m.num(page->server_time_ms);
      m.str(page->hub_epoch);
      r.body = deflated(m);
    }
    if (kind == "number-for-string") {  // a change's collection sent as an integer
      m.count(1);
      m.num(page->changes[0].hub_seq);
      m.num(std::int64_t{12345});
      m.str(page->changes[0].doc_key);
      m.str(page->changes[0].payload);
      r.body = page_end();
    }
    if (kind == "object-for-array") {  // one change where the list (count first) belongs
      m.num(page->changes[0].hub_seq);
      m.str(page->changes[0].collection);
      m.str(page->changes[0].doc_key);
      m.str(page->changes[0].payload);
      r.body = page_end();
    }
    if (kind == "json-error-wrong-types") {
      r.status = 409;
      r.headers = {{"Content-Type", "application/json"}};
      r.body = R"({"code":409,"message":{"text":["not","a","string"]}})";
    }
    if (kind == "more-than-asked") {  // the whole backlog in one page of 2
      auto all = h.w.hub().pull(hall.id(), {hall.id(), before.cursor, 100, false});
      REQUIRE(all->changes.size() == 6);
      r.body = protocol::encode(*all, kVersion);
    }
    if (kind == "absurd-count") {
      m.num(std::uint32_t{0xFFFFFFFF});
      r.body = deflated(m);
    }
    if (kind == "count-beyond-body") {  // within the protocol's limit, far beyond the bytes sent
      m.count(4000);
      m.num(page->changes[0].hub_seq);
      m.str(page->changes[0].collection);
      r.body = deflated(m);
    }
    if (kind == "absurd-length") {
      m.count(1);
      m.num(page->changes[0].hub_seq);
      m.num(std::uint32_t{0xFFFFFFF0});
      m.str("case_events");
      r.body = deflated(m);
    }
    if (kind == "bomb") r.body = protocol::compress(std::string(protocol::kMaxBodyBytes + 4096, '\0'), kVersion);
    if (kind == "bad-utf8-text") {  // an acceptance whose applicant name ends in a stray byte
      bool changed = false;
      for (auto& c : page->changes) {
        auto e = decode_event(reinterpret_cast<const std::uint8_t*>(c.payload.data()), c.payload.size());
        if (!e || e->kind != schema::EventKind::Accepted || changed) continue;
        e->applicant.name += "\xFF";
        auto bytes = encode_event(*e);
        c.payload.assign(bytes.begin(), bytes.end());
        changed = true;
      }
      REQUIRE(changed);
      r.body = protocol::encode(*page, kVersion);
    }
    if (kind == "bad-utf8-key") {
      page->changes[0].doc_key = "\xC0\xAF";  // an overlong '/'
      r.body = protocol::encode(*page, kVersion);
    }
    if (kind == "gzip-claimed") r.headers.emplace_back("Content-Encoding", "gzip");
    if (kind == "deflate-claimed-plain") {
      r.headers.emplace_back("Content-Encoding", "deflate");
      r.body = *protocol::decompress(r.body, kVersion);
    }
    if (kind == "plain-body") r.body = *protocol::decompress(r.body, kVersion);
  };
  h.require_refused_untouched(before, codes.count(kind) ? codes.at(kind) : "");
}

TEST_CASE("Push acknowledgements that do not match the batch sent are refused and the outbox stays intact",
          "[sync][integration][hostile]") {
  HostileWorld h;
  Device& hall = h.hall;
  h.w.register_case(hall);
  h.w.register_case(hall);
  std::string kind = GENERATE(as<std::string>{}, "fewer-than-sent", "nothing-acknowledged", "beyond-the-outbox",
                              "rejects-unsent", "rejects-acknowledged", "bad-utf8-reason", "string-for-number",
                              "absurd-rejections", "gzip-claimed");
  INFO(kind);
  const std::map<std::string, std::string> codes = {
      {"fewer-than-sent", "partial_ack"}, {"nothing-acknowledged", "partial_ack"}, {"beyond-the-outbox", "hub_ahead"},
      {"rejects-unsent", "malformed"},    {"rejects-acknowledged", "malformed"},  {"bad-utf8-reason", "malformed"},
      {"string-for-number", "malformed"}, {"absurd-rejections", "malformed"},     {"gzip-claimed", "bad_content_encoding"}};
  const Snapshot before = snapshot(hall);
  REQUIRE(before.pending.size() == 2);
  hall.transport->tamper = [&](HttpResponse& r) {
    if (hall.transport->last_request.target != "/v1/push") return;
    auto sent = protocol::decode_push_request(hall.transport->last_request.body, kVersion);
    auto ack = protocol::decode_push_response(r.body, kVersion);
    REQUIRE(sent.is_ok());
    REQUIRE(ack.is_ok());
    REQUIRE(sent->entries.size() == 2);
    std::int64_t first = sent->entries.front().seq, last = sent->entries.back().seq;
    if (kind == "fewer-than-sent") ack->acknowledged_through = last - 1;
    if (kind == "nothing-acknowledged") ack->acknowledged_through = 0;
    if (kind == "beyond-the-outbox") ack->acknowledged_through = last + 5;
    if (kind == "rejects-unsent") ack->rejected.push_back({last + 3, "never sent"});
    if (kind == "rejects-acknowledged") ack->rejected.push_back({first - 1, "acknowledged long ago"});
    if (kind == "bad-utf8-reason") ack->rejected.push_back({last, "\xE6\x97"});  // a cut-off character
    r.body = protocol::encode(*ack, kVersion);
    protocol::WireWriter m;
    if (kind == "string-for-number") {  // acknowledged_through as a string
      m.str(std::to_string(last));
      m.count(0);
      m.num(ack->server_time_ms);
      m.str(ack->hub_epoch);
      r.body = deflated(m);
    }
    if (kind == "absurd-rejections") {
      m.num(last);
      m.num(std::uint32_t{0xFFFFFFFF});
      r.body = deflated(m);
    }
    if (kind == "gzip-claimed") r.headers.emplace_back("Content-Encoding", "gzip");
  };
  h.require_refused_untouched(before, codes.at(kind));
}
