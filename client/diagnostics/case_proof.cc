// Building and checking a case's audit proof (see case_proof.h).
#include "client/diagnostics/case_proof.h"

#include <map>

#include "client/store/case_repository.h"
#include "sync/api/change_chain.h"
#include "sync/api/change_log.h"
#include "sync/api/crypto_suite.h"

namespace hallsync::client::diagnostics {
namespace {

using nlohmann::json;
std::string hex(const std::string& raw) { return crypto::to_hex(raw); }
std::string hex(const std::vector<std::uint8_t>& raw) { return crypto::to_hex(std::string(raw.begin(), raw.end())); }

struct OwnEvent {
  std::string event_id, kind, clerk_id;
  std::int64_t wall_ms = 0;
};

}  // namespace

Result<json> case_proof(HallStore& store, const std::string& case_ref) {
  CaseRepository repo(store);
  HALLSYNC_ASSIGN_OR_RETURN(CaseView view, repo.load(case_ref));
  Database& db = store.db();
  const std::string device = store.identity().device_id();
  std::map<std::int64_t, OwnEvent> own;  // by origin sequence = change-log sequence
  json others = json::array();
  HALLSYNC_ASSIGN_OR_RETURN(auto events, db.prepare("SELECT event_id, device_id, origin_seq, kind, wall_ms, clerk_id"
                                                    " FROM case_events WHERE case_id = ? ORDER BY hlc, device_id, origin_seq"));
  events.bind(1, view.case_id);
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, events.step());
    if (!row) break;
    OwnEvent e{events.column_text(0), events.column_text(3), events.column_text(5), events.column_int(4)};
    if (events.column_text(1) == device) {
      own[events.column_int(2)] = e;
    } else {
      // Another device's or the hub's event: chained by its origin, not here.
      others.push_back({{"event_id", e.event_id}, {"kind", e.kind}, {"wall_ms", e.wall_ms}, {"origin", events.column_text(1)}});
    }
  }
  ChangeLog log(db);
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t acked, log.acknowledged_through());
  json proof = {{"format", kCaseProofFormat},     {"suite", crypto::kSuiteTag},
                {"device_id", device},            {"case_id", view.case_id},
                {"generated_ms", store.clock().now_ms()}, {"genesis", hex(chain_genesis())},
                {"events_of_other_origins", others}};
  json entries = json::array();
  if (!own.empty()) {
    std::int64_t first = own.begin()->first, last = std::max(own.rbegin()->first, acked);
    HALLSYNC_ASSIGN_OR_RETURN(std::string before, log.chain_before(first));
    proof["chain_before"] = hex(before);
    HALLSYNC_ASSIGN_OR_RETURN(auto read, db.prepare("SELECT seq, hlc, collection, doc_key, payload, chain FROM change_log"
                                                    " WHERE seq >= ? AND seq <= ? ORDER BY seq"));
    read.bind(1, first).bind(2, last);
    for (;;) {
      HALLSYNC_ASSIGN_OR_RETURN(bool row, read.step());
      if (!row) break;
      std::int64_t seq = read.column_int(0);
      HALLSYNC_ASSIGN_OR_RETURN(auto payload, clear_payload(db, read.column_text(2), read.column_text(3),
                                                            Hlc{static_cast<std::uint64_t>(read.column_int(1))},
                                                            read.column_blob(4)));
      json entry = {{"seq", seq},
                    {"hlc", read.column_int(1)},
                    {"collection", read.column_text(2)},
                    {"doc_key", read.column_text(3)},
                    {"payload_digest", hex(crypto::digest(std::string(payload.begin(), payload.end())))},
                    {"hash", hex(read.column_blob(5))}};
      if (auto it = own.find(seq); it != own.end())
        entry["event"] = {{"event_id", it->second.event_id}, {"kind", it->second.kind},
                          {"wall_ms", it->second.wall_ms}, {"clerk_id", it->second.clerk_id}};
      entries.push_back(std::move(entry));
    }
  }
  proof["entries"] = std::move(entries);
  json ack = {{"seq", acked}};
  if (acked > 0) {
    HALLSYNC_ASSIGN_OR_RETURN(std::string head, log.chain_before(acked + 1));
    ack["head"] = hex(head);
  }
  proof["acknowledged"] = std::move(ack);
  return proof;
}

Result<ProofCheck> verify_case_proof(const json& proof) {
  auto bad = [](const std::string& why) { return Status::validation("not a case proof: " + why); };
  if (!proof.is_object() || proof.value("format", "") != kCaseProofFormat) return bad("format is not " + std::string(kCaseProofFormat));
  if (proof.value("suite", "") != crypto::kSuiteTag)
    return bad("made under suite '" + proof.value("suite", "") + "', this program verifies " + std::string(crypto::kSuiteTag));
  ProofCheck out;
  try {
    const std::string case_id = proof.at("case_id").get<std::string>();
    const json& entries = proof.at("entries");
    const json& ack = proof.at("acknowledged");
    out.acknowledged_seq = ack.at("seq").get<std::int64_t>();
    out.acknowledged_head = ack.value("head", "");
    if (entries.empty()) {
      out.valid = true;
      out.detail = "no event of this case was written on this device: nothing to prove here";
      return out;
    }
    HALLSYNC_ASSIGN_OR_RETURN(std::string c, crypto::from_hex(proof.at("chain_before").get<std::string>()));
    std::int64_t prev_seq = 0;
    bool ack_seen = false;
    for (const auto& e : entries) {
      std::int64_t seq = e.at("seq").get<std::int64_t>();
      if (seq <= prev_seq) return bad("entries out of order at sequence " + std::to_string(seq));
      prev_seq = seq;
      HALLSYNC_ASSIGN_OR_RETURN(std::string payload_digest, crypto::from_hex(e.at("payload_digest").get<std::string>()));
      c = chain_link_digest(c, seq, e.at("hlc").get<std::uint64_t>(), e.at("collection").get<std::string>(),
                            e.at("doc_key").get<std::string>(), payload_digest);
      if (hex(c) != e.at("hash").get<std::string>()) {
        out.detail = "the link at sequence " + std::to_string(seq) + " does not follow from the entry before it: "
                     "the proof or the store it came from was altered";
        return out;
      }
      if (e.contains("event")) {
        if (e.at("doc_key").get<std::string>() != case_id) {
          out.detail = "sequence " + std::to_string(seq) + " is listed as an event of this case but its entry names another";
          return out;
        }
        ++out.case_events;
      }
      if (seq == out.acknowledged_seq) {
        ack_seen = true;
        if (hex(c) != out.acknowledged_head) {
          out.detail = "the chain at the acknowledged sequence " + std::to_string(seq) + " is not the acknowledged head";
          return out;
        }
      }
    }
    out.valid = true;
    out.detail = std::to_string(out.case_events) + " event(s) of case " + case_id + " on an unbroken chain of " +
                 std::to_string(entries.size()) + " entr" + (entries.size() == 1 ? "y" : "ies") +
                 (ack_seen ? ", up to the head the hub acknowledged at sequence " + std::to_string(out.acknowledged_seq)
                           : "; the hub had acknowledged only up to sequence " + std::to_string(out.acknowledged_seq) +
                                 ", before the events listed after it");
  } catch (const json::exception& e) {
    return bad(e.what());
  }
  return out;
}

}  // namespace hallsync::client::diagnostics
