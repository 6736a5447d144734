// Tamper-evident history end to end (#7), with the real binaries: a real
// `hallhub serve` refuses a forked and a forged push from a correctly signed
// device with nothing applied and a log line naming the refusal; an entry
// altered in hall.db behind hallsync's back is named by `hallctl doctor` and
// refused by the hub on the next sync; a case's audit proof verifies, carries
// no personal data, and fails once altered.
#include <catch2/catch.hpp>

#include <fstream>

#include "sync/api/change_chain.h"
#include "sync/api/crypto_suite.h"
#include "sync/api/replicator.h"
#include "sync/api/request_signing.h"
#include "sync/protocol/messages.h"
#include "tests/support/halld_process.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {

constexpr int kVersion = protocol::kCurrentVersion;
const std::string kDevice = "360704100-W01";

std::string sqlite(const std::string& db, const std::string& sql) {
  Run r = run_command({"sqlite3", db, sql});
  INFO(r.out);
  REQUIRE(r.status == 0);
  return r.out.substr(0, r.out.find_last_not_of('\n') + 1);
}

std::string hub_state(TempDir& dir) {
  return sqlite(dir.file("hub/hub.db"),
                "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM rejected), (SELECT count(*) FROM cases),"
                " (SELECT group_concat(device_id || '=' || high_water) FROM devices),"
                " (SELECT group_concat(device_id || '=' || head_seq || ':' || hex(head)) FROM device_chains)");
}

std::string new_case(TempDir& dir) {
  Run made = hall(dir, {"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number", "360704198503120023",
                        "--phone", "13907971234", "--all-materials", "--json"});
  INFO(made.out);
  REQUIRE(made.status == 0);
  return json::parse(made.out.substr(made.out.find('{')))["acceptance_no"];
}

// The outbox entries after `after`, as the hub would receive them, read from hall.db.
protocol::PushRequest pending_push(TempDir& dir, std::int64_t after) {
  auto db = Database::open(dir.file("hall/hall.db"));
  REQUIRE(db.is_ok());
  ChangeLog log(**db);
  auto entries = log.read_after(after, 1000, 1 << 20);
  REQUIRE(entries.is_ok());
  REQUIRE_FALSE(entries->empty());
  protocol::PushRequest req;
  req.device_id = kDevice;
  for (const auto& e : *entries)
    req.entries.push_back({e.seq, e.hlc.value, e.collection, e.doc_key, std::string(e.payload.begin(), e.payload.end())});
  req.chain_before = log.chain_before(entries->front().seq).value();
  req.chain_head = entries->back().chain;
  return req;
}

void rehash(protocol::PushRequest& req) {
  std::string c = req.chain_before;
  for (const auto& e : req.entries) c = chain_link(c, e.seq, e.hlc, e.collection, e.doc_key, e.payload);
  req.chain_head = c;
}

}  // namespace

// Reads hub.db with sqlite3, so not in the "pg: e2e_tests" run; the hub's
// chain check on PostgreSQL is covered by "pg: integration_tests" [chain].
TEST_CASE("A real hub refuses a forked or forged chained push with nothing applied and logs the refusal",
          "[e2e][chain][auth]") {
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  hub.start();
  link_hall(dir, hub.port, token);
  new_case(dir);
  REQUIRE(hallctl(dir, {"sync"}).status == 0);
  std::int64_t high_water = std::stoll(sqlite(dir.file("hub/hub.db"), "SELECT high_water FROM devices"));
  new_case(dir);  // waiting in the outbox

  CurlTransportOptions topts;
  topts.base_url = "http://127.0.0.1:" + hub.port;
  auto transport = make_curl_transport(topts);
  RequestSigner signer({kDevice, token}, SystemClock::instance());
  const std::string before = hub_state(dir);
  auto send = [&](const protocol::PushRequest& req) {
    auto res = signer.exchange(*transport, protocol_request("/v1/push", protocol::encode(req, kVersion), {kDevice, ""}, kVersion));
    REQUIRE(res.is_ok());
    return *res;
  };

  // A fork: the device's own entries, continuing another history than the hub holds.
  protocol::PushRequest forked = pending_push(dir, high_water);
  forked.chain_before = crypto::digest("another store's history");
  rehash(forked);
  HttpResponse fork = send(forked);
  CHECK(fork.status == 409);
  CHECK(fork.body.find("\"code\":\"chain_fork\"") != std::string::npos);
  CHECK(hub_state(dir) == before);

  // A forgery: one entry changed, the claimed head left as the device computed it.
  protocol::PushRequest forged = pending_push(dir, high_water);
  forged.entries.back().payload[forged.entries.back().payload.size() / 2] ^= 0x20;
  HttpResponse mismatch = send(forged);
  CHECK(mismatch.status == 409);
  CHECK(mismatch.body.find("\"code\":\"chain_mismatch\"") != std::string::npos);
  CHECK(hub_state(dir) == before);

  std::string log = hub.server->log();
  INFO(log);
  CHECK(log.find("refused POST /v1/push from 127.0.0.1:") != std::string::npos);
  CHECK(log.find("chain_fork") != std::string::npos);
  CHECK(log.find("chain_mismatch") != std::string::npos);
  // No personal data in the refusal lines.
  CHECK(log.find("360704198503120023") == std::string::npos);

  // The device's true outbox still goes through, and the hub's head follows it.
  REQUIRE(hallctl(dir, {"sync"}).status == 0);
  CHECK(hub_state(dir) != before);
  Run chain = hub.admin({"device", "chain", kDevice});
  INFO(chain.out);
  CHECK(chain.status == 0);
  CHECK(chain.out.find("head at sequence " + sqlite(dir.file("hub/hub.db"), "SELECT high_water FROM devices")) !=
        std::string::npos);
  hub.stop();
}

// Reads hub.db with sqlite3 too: not in the "pg: e2e_tests" run.
TEST_CASE("hallctl doctor names the change-log entry altered in hall.db and the altered entry never leaves the PC",
          "[e2e][chain][hallctl]") {
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  hub.start();
  link_hall(dir, hub.port, token);
  for (int i = 0; i < 3; ++i) new_case(dir);
  Run healthy = hallctl(dir, {"doctor", "--json"});
  auto checks = json::parse(healthy.out.substr(healthy.out.find('{')))["checks"];
  bool seen = false;
  for (const auto& c : checks)
    if (c["check"] == "outbox.chain") {
      seen = true;
      CHECK(c["mark"] == "pass");
    }
  CHECK(seen);

  const std::string db = dir.file("hall/hall.db");
  std::string seq = sqlite(db, "SELECT min(seq) + 1 FROM change_log");
  // The append-only trigger refuses the edit until it is dropped: what someone with the file would do.
  CHECK(run_command({"sqlite3", db, "UPDATE change_log SET payload = payload || x'00' WHERE seq = " + seq}).status != 0);
  sqlite(db, "DROP TRIGGER change_log_no_update; UPDATE change_log SET payload = payload || x'00' WHERE seq = " + seq);

  Run broken = hallctl(dir, {"doctor"});
  INFO(broken.out);
  CHECK(broken.status == 2);
  CHECK(broken.out.find("[FAIL] outbox.chain") != std::string::npos);
  CHECK(broken.out.find("change-log entry " + seq + " breaks the chain") != std::string::npos);

  // The payload is sealed at rest (#7), so bytes altered without the key do
  // not even open: the push stops on this PC, before the hub's chain check
  // (which the test above drives with a forged batch), and nothing arrives.
  const std::string before = hub_state(dir);
  Run sync = hallctl(dir, {"sync"});
  INFO(sync.out);
  CHECK(sync.status != 0);
  CHECK(sync.out.find("does not open") != std::string::npos);
  CHECK(hub_state(dir) == before);
  hub.stop();
}

TEST_CASE("A case's audit proof verifies on its own, holds no personal data, and fails once altered",
          "[e2e][chain][audit]") {
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  hub.start();
  link_hall(dir, hub.port, token);
  std::string first = new_case(dir);
  new_case(dir);
  REQUIRE(hallctl(dir, {"sync"}).status == 0);
  new_case(dir);  // after the acknowledged head: not part of this case's proof

  Run made = hallctl(dir, {"case-proof", first, "--out", dir.file("proof.json")});
  INFO(made.out);
  REQUIRE(made.status == 0);
  std::ifstream f(dir.file("proof.json"));
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  CHECK(text.find("刘桂英") == std::string::npos);
  CHECK(text.find("360704198503120023") == std::string::npos);
  CHECK(text.find("13907971234") == std::string::npos);
  auto proof = json::parse(text);
  CHECK(proof["acknowledged"]["head"].get<std::string>().size() == 64);

  Run ok = run_command({HALLCTL_BINARY, "verify-proof", dir.file("proof.json"), "--json"});
  INFO(ok.out);
  CHECK(ok.status == 0);
  auto verdict = json::parse(ok.out);
  CHECK(verdict["valid"] == true);
  CHECK(verdict["case_events"].get<int>() >= 1);
  // The head the proof was checked against is the one the hub holds for this device.
  Run chain = hub.admin({"device", "chain", kDevice});
  CHECK(chain.out.find(verdict["acknowledged_head"].get<std::string>()) != std::string::npos);

  // Any change to the listed history breaks a link.
  proof["entries"][0]["hlc"] = proof["entries"][0]["hlc"].get<std::int64_t>() + 1;
  std::ofstream(dir.file("altered.json")) << proof.dump();
  Run bad = run_command({HALLCTL_BINARY, "verify-proof", dir.file("altered.json")});
  INFO(bad.out);
  CHECK(bad.status == 2);
  CHECK(bad.out.find("BROKEN") != std::string::npos);

  // Making a proof is in the hall's audit log.
  CHECK(sqlite(dir.file("hall/hall.db"), "SELECT count(*) FROM audit_log WHERE action = 'case_proof'") == "1");
  hub.stop();
}
