// Verifier: proves a device and the hub hold the same events of the device's
// hall, or finds exactly which cases differ — bucket digests first, then the
// event ids of each differing bucket only.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sync/api/digest.h"
#include "sync/api/replicator.h"
#include "sync/api/transport.h"

namespace hallsync {

struct CaseDifference {
  std::string case_id;
  std::vector<std::string> missing_here;    // at the hub, not on this device (not pulled yet, or lost here)
  std::vector<std::string> missing_at_hub;  // here and acknowledged, but not at the hub
  std::vector<std::string> not_yet_pushed;  // here, still waiting in the outbox: expected to differ
};

struct VerifyReport {
  std::vector<int> differing_buckets;
  std::vector<CaseDifference> cases;
  bool equal() const { return differing_buckets.empty(); }
  // Equal once the outbox is pushed (only not-yet-pushed events differ).
  bool consistent() const;
};

// `local` is every (case_id, event_id) the device holds; `pending` the event ids
// still in its outbox. `signer` signs the digest requests (the device's own).
Result<VerifyReport> verify_with_hub(Transport& transport, RequestSigner& signer,
                                     std::vector<std::pair<std::string, std::string>> local,
                                     const std::vector<std::string>& pending, int protocol_version = 3);

}  // namespace hallsync
