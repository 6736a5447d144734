// The hub's check of a device's change-log chain on push (issue #7; the rules
// are in sync/PROTOCOL.md, "The change-log chain"). Both calls run inside the
// push's own transaction: a refused batch applies nothing, an accepted one
// moves the stored head with the high-water mark.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sync/api/database.h"
#include "sync/protocol/messages.h"

namespace hallsync::hub {

struct PushChain {
  bool chained = false;   // a v3 push with entries: its chain was recomputed
  std::string head;       // the recomputed hash after the batch's last entry
  std::int64_t head_seq = 0;
  std::string anchor;     // non-empty: the device's chain is (re)anchored, and why
};

// Before any entry is applied, with the device's high-water mark as stored.
// Refuses (Conflict, 409) a batch whose entries do not hash to the head it
// claims (chain_mismatch), or whose chain at the high-water mark is not the
// one the hub holds (chain_fork). A repair push is never refused as a fork:
// it re-anchors, recorded with its reason.
Result<PushChain> check_push_chain(Database& db, const std::string& device_id, std::int64_t high_water,
                                   const protocol::PushRequest& req, bool repair);

// After the entries were applied: stores the head at the new high-water mark,
// or forgets it when the batch leaves the chain unverifiable (a v2 push that
// moved the mark), and records every (re)anchoring in chain_anchors.
Status record_push_chain(Database& db, const std::string& device_id, const PushChain& chain,
                         std::int64_t old_high_water, std::int64_t new_high_water, std::int64_t now_ms,
                         std::string* notice);

// What the hub holds of a device's chain (`hallhub device chain`): the head at
// its high-water mark (empty when unverified) and every (re)anchoring.
struct ChainAnchor {
  std::int64_t seq = 0, at_ms = 0;
  std::string reason;
};
struct DeviceChain {
  std::string head;  // raw; empty: no verified head
  std::int64_t head_seq = 0;
  std::vector<ChainAnchor> anchors;
};
Result<DeviceChain> device_chain(Database& db, const std::string& device_id);

}  // namespace hallsync::hub
