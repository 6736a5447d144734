// Verifying and storing a device's change-log chain head (see hub_chain.h).
#include "sync/hub/hub_chain.h"

#include <optional>

#include "sync/api/change_chain.h"
#include "sync/api/crypto_suite.h"

namespace hallsync::hub {
namespace {

struct StoredHead {
  std::string head;
  std::int64_t seq = 0;
};

Result<std::optional<StoredHead>> stored_head(Database& db, const std::string& device_id) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT head, head_seq FROM device_chains WHERE device_id = ?"));
  stmt.bind(1, device_id);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return std::optional<StoredHead>();
  auto blob = stmt.column_blob(0);
  return std::optional<StoredHead>(StoredHead{std::string(blob.begin(), blob.end()), stmt.column_int(1)});
}

std::string short_hex(const std::string& raw) { return crypto::to_hex(raw).substr(0, 16); }

Status fork(const std::string& device_id, std::int64_t seq, const std::string& held, const std::string& sent) {
  return Status::conflict("chain fork from " + device_id + " at sequence " + std::to_string(seq) +
                          ": the hub holds chain hash " + short_hex(held) + "… there, this push continues from " +
                          short_hex(sent) + "…. This device's change log is not the history the hub acknowledged"
                          " (a store restored from an old backup, copied to another PC, or altered); nothing was"
                          " applied. Run `hallctl doctor` on the hall PC, then `hallctl resync` to reconcile it")
      .with_code("chain_fork");
}

}  // namespace

Result<PushChain> check_push_chain(Database& db, const std::string& device_id, std::int64_t high_water,
                                   const protocol::PushRequest& req, bool repair) {
  PushChain out;
  if (!req.chained || req.entries.empty()) return out;
  out.chained = true;
  HALLSYNC_ASSIGN_OR_RETURN(auto stored, stored_head(db, device_id));
  // What the chain must be at the high-water mark; empty when the hub has no
  // verified head there (history pushed unchained, or a repair).
  std::string expected;
  if (stored && stored->seq == high_water) expected = stored->head;
  else if (high_water == 0) expected = chain_genesis();

  std::string c = req.chain_before;
  std::optional<std::string> at_high_water;
  if (req.entries.front().seq - 1 == high_water) at_high_water = c;
  for (const auto& e : req.entries) {
    c = chain_link(c, e.seq, e.hlc, e.collection, e.doc_key, e.payload);
    if (e.seq == high_water) at_high_water = c;
  }
  if (c != req.chain_head)
    return Status::conflict("chain mismatch from " + device_id + ": entries " + std::to_string(req.entries.front().seq) +
                            ".." + std::to_string(req.entries.back().seq) + " hash to " + short_hex(c) +
                            "… but the push claims " + short_hex(req.chain_head) +
                            "…; the batch was altered on its way or the device's change log is damaged. Nothing was"
                            " applied. Run `hallctl doctor` on the hall PC")
        .with_code("chain_mismatch");
  out.head = c;
  out.head_seq = req.entries.back().seq;
  if (at_high_water && !expected.empty() && *at_high_water != expected) {
    if (!repair) return fork(device_id, high_water, expected, *at_high_water);
    out.anchor = "repair push (hallctl resync --repush) continued from another chain hash at sequence " +
                 std::to_string(high_water) + " (hub held " + short_hex(expected) + "…, device sent " +
                 short_hex(*at_high_water) + "…)";
  } else if (at_high_water && expected.empty()) {
    out.anchor = "first chained push after unverified history up to sequence " + std::to_string(high_water) +
                 " (protocol v2 or a repair): anchored at the device's hash " + short_hex(*at_high_water) + "…";
  }
  return out;
}

Status record_push_chain(Database& db, const std::string& device_id, const PushChain& chain,
                         std::int64_t old_high_water, std::int64_t new_high_water, std::int64_t now_ms,
                         std::string* notice) {
  std::string reason = chain.anchor;
  if (chain.chained && chain.head_seq == new_high_water) {
    HALLSYNC_ASSIGN_OR_RETURN(auto up, db.prepare("INSERT INTO device_chains (device_id, head, head_seq, suite, updated_ms)"
                                                  " VALUES (?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET"
                                                  " head = excluded.head, head_seq = excluded.head_seq,"
                                                  " suite = excluded.suite, updated_ms = excluded.updated_ms"));
    up.bind(1, device_id).bind_blob(2, chain.head.data(), chain.head.size()).bind(3, chain.head_seq)
        .bind(4, crypto::kSuiteTag).bind(5, now_ms);
    HALLSYNC_RETURN_IF_ERROR(up.run());
  } else if (new_high_water != old_high_water) {
    // The mark moved without a verified hash at it: the next chained push anchors.
    HALLSYNC_ASSIGN_OR_RETURN(auto del, db.prepare("DELETE FROM device_chains WHERE device_id = ?"));
    del.bind(1, device_id);
    HALLSYNC_RETURN_IF_ERROR(del.run());
    // Recorded once, when a verified head is given up; a device that never
    // pushed chained has nothing to record until it does.
    if (db.changes() == 0) return Status::ok();
    reason = chain.chained ? "repair push ended below the high-water mark " + std::to_string(new_high_water) +
                                 ": chain unverified until the next chained push"
                           : "protocol v2 push up to sequence " + std::to_string(new_high_water) +
                                 " carries no chain: unverified, anchored again at the next v3 push";
  }
  if (reason.empty()) return Status::ok();
  HALLSYNC_ASSIGN_OR_RETURN(auto log, db.prepare("INSERT INTO chain_anchors (device_id, seq, reason, at_ms) VALUES (?, ?, ?, ?)"));
  log.bind(1, device_id).bind(2, new_high_water).bind(3, reason).bind(4, now_ms);
  HALLSYNC_RETURN_IF_ERROR(log.run());
  if (notice) *notice = "chain of " + device_id + ": " + reason;
  return Status::ok();
}

Result<DeviceChain> device_chain(Database& db, const std::string& device_id) {
  DeviceChain out;
  HALLSYNC_ASSIGN_OR_RETURN(auto stored, stored_head(db, device_id));
  if (stored) {
    out.head = stored->head;
    out.head_seq = stored->seq;
  }
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT seq, at_ms, reason FROM chain_anchors WHERE device_id = ? ORDER BY id"));
  stmt.bind(1, device_id);
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    out.anchors.push_back({stmt.column_int(0), stmt.column_int(1), stmt.column_text(2)});
  }
  return out;
}

}  // namespace hallsync::hub
