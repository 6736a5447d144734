// Hall isolation on the wire (#7): a device, correctly signed with its own
// key, names another device or reaches for another hall's cases and scans at
// every sync endpoint of a real `hallhub serve`; unsigned and mis-signed
// requests too. Each is refused, nothing at the hub changes, and the hub's log
// names every refused attempt.
#include <catch2/catch.hpp>

#include <fstream>

#include "sync/api/blob_store.h"
#include "sync/api/change_chain.h"
#include "sync/api/crypto_suite.h"
#include "sync/api/event_codec.h"
#include "sync/api/replicator.h"
#include "sync/api/request_signing.h"
#include "sync/protocol/blob_messages.h"
#include "sync/protocol/messages.h"
#include "tests/support/halld_process.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {

constexpr int kVersion = protocol::kCurrentVersion;

std::string sqlite(const std::string& db, const std::string& sql) {
  Run r = run_command({"sqlite3", "-readonly", db, sql});
  INFO(r.out);
  REQUIRE(r.status == 0);
  return r.out;
}

// What a refused request must not change at the hub: events, high-water marks,
// rejections, cases, blobs, their ranges and references, partial files.
std::string hub_state(TempDir& dir) {
  std::string s = sqlite(dir.file("hub/hub.db"),
                         "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM rejected),"
                         " (SELECT count(*) FROM cases), (SELECT count(*) FROM blobs), (SELECT count(*) FROM blob_upload_ranges), (SELECT count(*) FROM blob_holders),"
                         " (SELECT count(*) FROM blob_refs), (SELECT group_concat(device_id || '=' || high_water, ',')"
                         " FROM (SELECT * FROM devices ORDER BY device_id))");
  std::error_code ec;
  std::size_t partials = 0;
  if (std::filesystem::exists(dir.file("hub/blobs/partial")))
    for (auto it = std::filesystem::directory_iterator(dir.file("hub/blobs/partial"), ec);
         it != std::filesystem::directory_iterator(); ++it)
      ++partials;
  return s + " partial files " + std::to_string(partials);
}

std::string case_with_scan(TempDir& dir, const std::string& scan_seed) {
  Run made = hall(dir, {"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number", "360704198503120023",
                        "--phone", "13907971234", "--all-materials", "--json"});
  REQUIRE(made.status == 0);
  auto c = json::parse(made.out.substr(made.out.find('{')));
  std::string scan = "\xFF\xD8\xFF\xE0" + std::string(40'000, scan_seed[0]);
  std::ofstream(dir.file("scan.jpg"), std::ios::binary) << scan;
  REQUIRE(hall(dir, {"case", "attach", c["acceptance_no"], dir.file("scan.jpg"), "--material", "申请书"}).status == 0);
  Run synced = hallctl(dir, {"sync"});
  INFO(synced.out);
  REQUIRE(synced.status == 0);
  return c["case_id"];
}

// A request as the device would send it, for `device_id` named in the body.
HttpRequest request(const std::string& target, std::string body, const std::string& device_id) {
  return protocol_request(target, std::move(body), {device_id, ""}, kVersion);
}

}  // namespace

TEST_CASE("A device reaching for another device or hall at any sync endpoint is refused, nothing changes, and the hub logs it",
          "[e2e][auth][isolation]") {
  TempDir dir, other;
  Hub hub{dir};
  std::string token_a = enroll_w01(dir, hub);
  REQUIRE(hub.admin({"hall", "add", "--code", "360704101", "--name", "王母渡镇"}).status == 0);
  Run b = hub.admin({"device", "add", "--hall", "360704101", "--device", "W01"});
  REQUIRE(b.status == 0);
  std::string token_b = b.out.substr(0, b.out.find('\n'));
  REQUIRE(hall(other, {"init", "--hall", "360704101", "--device", "W01"}).status == 0);
  hub.start();
  link_hall(dir, hub.port, token_a);
  link_hall(other, hub.port, token_b);
  case_with_scan(dir, "a");
  std::string b_case = case_with_scan(other, "b");
  const std::string b_scan_sha = sha256_hex("\xFF\xD8\xFF\xE0" + std::string(40'000, 'b'));
  const std::string a_id = "360704100-W01", b_id = "360704101-W01";

  CurlTransportOptions topts;
  topts.base_url = "http://127.0.0.1:" + hub.port;
  auto transport = make_curl_transport(topts);
  RequestSigner signer_a({a_id, token_a}, SystemClock::instance());
  const std::string before = hub_state(dir);
  int refused = 0;

  auto expect = [&](HttpRequest req, int status, const std::string& code, bool sign = true) {
    INFO(req.target << " expecting " << status << " " << code);
    auto res = sign ? signer_a.exchange(*transport, std::move(req)) : transport->exchange(std::move(req));
    REQUIRE(res.is_ok());
    CHECK(res->status == status);
    CHECK(res->body.find("\"code\":\"" + code + "\"") != std::string::npos);
    if (status == 401 || status == 403) ++refused;
    CHECK(hub_state(dir) == before);
  };

  // Signed by A, naming B in the body: every endpoint that carries a device id.
  protocol::PushRequest push{b_id, {{3, 1, "case_events", b_case, "x"}}, {}};
  push.chain_before = push.chain_head = std::string(32, 'x');  // v3: refused for the device, not the hashes
  expect(request("/v1/push", protocol::encode(push, kVersion), a_id), 403, "forbidden");
  HttpRequest repush = request("/v1/repush", protocol::encode(push, kVersion), a_id);
  repush.headers.push_back({protocol::kExpectedEpochHeader, sqlite(dir.file("hub/hub.db"),
                                                                   "SELECT value FROM hub_meta WHERE key = 'epoch'")
                                                                .substr(0, 16)});
  expect(repush, 403, "forbidden");
  expect(request("/v1/pull", protocol::encode(protocol::PullRequest{b_id, 0, 100, true}, kVersion), a_id), 403,
         "forbidden");
  expect(request("/v1/digests", protocol::encode(protocol::DigestRequest{b_id, -1}, kVersion), a_id), 403, "forbidden");
  expect(request("/v1/blobs/offer", protocol::encode(protocol::BlobOffer{b_id, b_scan_sha, 40'004, b_case}, kVersion), a_id),
         403, "forbidden");
  expect(request("/v1/blobs/read", protocol::encode(protocol::BlobRead{b_id, b_scan_sha, 0, 1000}, kVersion), a_id), 403,
         "forbidden");

  // A's own id, B's case or B's scan: refused, or to A they do not exist.
  expect(request("/v1/blobs/offer", protocol::encode(protocol::BlobOffer{a_id, b_scan_sha, 40'004, b_case}, kVersion), a_id),
         403, "forbidden");
  expect(request("/v1/blobs/read", protocol::encode(protocol::BlobRead{a_id, b_scan_sha, 0, 1000}, kVersion), a_id), 404,
         "unknown_blob");
  HttpRequest chunk = request("/v1/blobs/chunk", std::string(1000, 'z'), a_id);
  for (auto& [name, value] : chunk.headers)
    if (name == "Content-Type") value = protocol::kChunkContentType;
  chunk.headers.push_back({protocol::kBlobHeader, b_scan_sha});
  chunk.headers.push_back({protocol::kOffsetHeader, "0"});
  expect(chunk, 404, "unknown_blob");

  // Unsigned, and signed with A's key while claiming to be B.
  expect(request("/v1/pull", protocol::encode(protocol::PullRequest{b_id, 0, 100, true}, kVersion), b_id), 401,
         "unauthenticated", false);
  HttpRequest impostor = request("/v1/pull", protocol::encode(protocol::PullRequest{b_id, 0, 100, true}, kVersion), b_id);
  sign_request(impostor, {b_id, token_a}, request_key(token_a), SystemClock::instance().now_ms());
  expect(impostor, 401, "bad_signature", false);

  // The forged event goes through A's own push: recorded as rejected, B's case untouched.
  const std::string b_events = sqlite(dir.file("hub/hub.db"), "SELECT count(*) FROM events WHERE doc_key = '" + b_case + "'");
  schema::CaseEvent forged;
  forged.kind = schema::EventKind::Withdrawn;
  forged.case_id = b_case;
  forged.device_id = a_id;
  forged.origin_seq = 3;
  forged.reason = "x";
  forged.clerk_id = "c001";
  auto encoded = encode_event(forged);
  protocol::PushRequest own{a_id, {{3, 1, "case_events", b_case, std::string(encoded.begin(), encoded.end())}}, {}};
  // It continues A's chain as the hub holds it: the refusal is the hub's hall check, not the chain's.
  std::string head_hex = sqlite(dir.file("hub/hub.db"), "SELECT hex(head) FROM device_chains WHERE device_id = '" + a_id + "'");
  own.chain_before = crypto::from_hex(head_hex.substr(0, head_hex.find('\n'))).value();
  own.chain_head = chain_link(own.chain_before, 3, 1, "case_events", b_case, own.entries[0].payload);
  auto pushed = signer_a.exchange(*transport, request("/v1/push", protocol::encode(own, kVersion), a_id));
  REQUIRE(pushed.is_ok());
  REQUIRE(pushed->status == 200);
  auto reply = protocol::decode_push_response(pushed->body, kVersion);
  REQUIRE(reply.is_ok());
  REQUIRE(reply->rejected.size() == 1);
  CHECK(reply->rejected[0].reason.find("another hall") != std::string::npos);
  CHECK(sqlite(dir.file("hub/hub.db"), "SELECT count(*) FROM events WHERE doc_key = '" + b_case + "'") == b_events);

  // Every refusal is in the hub's log, with where it came from and why.
  std::string log = hub.server->log();
  std::size_t lines = 0;
  for (std::size_t at = log.find("hallhub: refused "); at != std::string::npos; at = log.find("hallhub: refused ", at + 1))
    ++lines;
  INFO(log);
  CHECK(lines == static_cast<std::size_t>(refused));
  CHECK(log.find("refused POST /v1/pull from 127.0.0.1:") != std::string::npos);
  CHECK(log.find("bad_signature") != std::string::npos);
  // B still syncs as before.
  CHECK(hallctl(other, {"sync"}).status == 0);
  hub.stop();
}
