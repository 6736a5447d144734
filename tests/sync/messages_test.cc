#include <catch2/catch.hpp>

#include <random>

#include "sync/protocol/messages.h"

using namespace hallsync;
using namespace hallsync::protocol;

namespace {

PushRequest sample_push() {
  PushRequest m;
  m.device_id = "360704100-W01";
  for (int i = 1; i <= 20; ++i)
    m.entries.push_back({i, 1000u + static_cast<std::uint64_t>(i), "case_events", "case-" + std::to_string(i),
                         std::string(60, static_cast<char>('a' + i % 26))});
  m.report = {3, 1789696800000, -1200, "hallsync/0.1", ""};
  m.chain_before = std::string(32, 'b');
  m.chain_head = std::string(32, 'h');
  return m;
}

PullResponse sample_pull() {
  PullResponse m;
  for (int i = 1; i <= 10; ++i) m.changes.push_back({i * 2, "case_events", "case-" + std::to_string(i), "payload"});
  m.next_cursor = 21;
  m.has_more = true;
  m.server_time_ms = 1789696800123;
  m.hub_epoch = "0123456789abcdef";
  return m;
}

}  // namespace

TEST_CASE("Every message survives encoding in every protocol version", "[sync][messages]") {
  int v = GENERATE(1, 2, 3);
  auto push = decode_push_request(encode(sample_push(), v), v);
  REQUIRE(push.is_ok());
  CHECK(push->entries == sample_push().entries);
  CHECK(push->device_id == "360704100-W01");
  if (v >= 2) CHECK(push->report == sample_push().report);
  // Only v3 carries the chain; the hub tells the two apart by `chained`.
  CHECK(push->chained == (v >= 3));
  CHECK(push->chain_before == (v >= 3 ? sample_push().chain_before : ""));
  CHECK(push->chain_head == (v >= 3 ? sample_push().chain_head : ""));
  auto pull = decode_pull_response(encode(sample_pull(), v), v);
  REQUIRE(pull.is_ok());
  CHECK(pull->changes == sample_pull().changes);
  CHECK(pull->has_more);
  CHECK(pull->next_cursor == 21);
  PushResponse ack{20, {{7, "bad"}}, 5, "0123456789abcdef"};
  auto ack2 = decode_push_response(encode(ack, v), v);
  REQUIRE(ack2.is_ok());
  CHECK(ack2->rejected == ack.rejected);
  auto req = decode_pull_request(encode(PullRequest{"d", 42, 500, true}, v), v);
  REQUIRE(req.is_ok());
  CHECK(req->after == 42);
  CHECK(req->include_own);
}

TEST_CASE("A v3 push with entries but without both chain hashes is refused as malformed", "[sync][messages][chain]") {
  PushRequest m = sample_push();
  m.chain_head.clear();
  auto r = decode_push_request(encode(m, 3), 3);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == "malformed");
  m = sample_push();
  m.chain_before = std::string(31, 'b');
  CHECK_FALSE(decode_push_request(encode(m, 3), 3).is_ok());
  // An empty push (the resync handshake) names no hashes.
  PushRequest empty;
  empty.device_id = "360704100-W01";
  auto e = decode_push_request(encode(empty, 3), 3);
  REQUIRE(e.is_ok());
  CHECK(e->chained);
}

TEST_CASE("A body encoded for one version is refused by the other", "[sync][messages]") {
  // v2 bodies need the preset dictionary; a v1 reader must not mistake them.
  auto r = decode_push_request(encode(sample_push(), 2), 1);
  CHECK_FALSE(r.is_ok());
  CHECK(r.status().kind() == ErrorKind::Protocol);
}

TEST_CASE("Every truncation of a compressed message is refused", "[sync][messages]") {
  std::string body = encode(sample_pull(), 2);
  for (std::size_t n = 0; n < body.size(); ++n) {
    auto r = decode_pull_response(body.substr(0, n), 2);
    INFO(n);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().kind() == ErrorKind::Protocol);
  }
}

TEST_CASE("Corrupted or random bodies never crash the decoders", "[sync][messages]") {
  std::mt19937 rng(11);
  std::string good = encode(sample_push(), 2);
  for (int i = 0; i < 3000; ++i) {
    std::string body = good;
    if (i % 2) {
      for (int k = 0; k < 3; ++k) body[rng() % body.size()] = static_cast<char>(rng());
    } else {
      body.resize(rng() % 200);
      for (auto& c : body) c = static_cast<char>(rng());
    }
    auto a = decode_push_request(body, 2);
    auto b = decode_pull_response(body, 2);
    auto c = decode_push_response(body, 1);
    if (!a.is_ok()) CHECK(a.status().kind() == ErrorKind::Protocol);
    if (!b.is_ok()) CHECK(b.status().kind() == ErrorKind::Protocol);
    if (!c.is_ok()) CHECK(c.status().kind() == ErrorKind::Protocol);
  }
}

TEST_CASE("A small body that inflates past the limit is refused early", "[sync][messages]") {
  std::string bomb = compress(std::string(64 * 1024 * 1024, '\0'), 1);
  CHECK(bomb.size() < 100 * 1024);
  auto r = decompress(bomb, 1);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == "too_large");
}

TEST_CASE("A hostile length prefix fails without allocating it", "[sync][messages]") {
  // device_id claims 4 GiB.
  std::string raw("\x01\xff\xff\xff\xff", 5);
  auto r = decode_pull_request(compress(raw, 1), 1);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("limit") != std::string::npos);
}
