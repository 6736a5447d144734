// Audit proof of one case's history (issue #7): the case's events this device
// wrote, each on its link of the change-log hash chain, and the chain up to
// the head the hub acknowledged — enough for anyone to recompute every link
// from the file alone (verify_case_proof, `hallctl verify-proof`) and compare
// the acknowledged head with the hub's record of this device. Payloads enter
// only by their digest: the proof carries no citizen's name, ID number or
// phone, so it may leave the hall (to an auditor or the district).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "client/store/hall_store.h"

namespace hallsync::client::diagnostics {

constexpr const char* kCaseProofFormat = "hallsync-case-proof-1";

// The proof for `case_ref` (case id, acceptance number or platform number).
Result<nlohmann::json> case_proof(HallStore& store, const std::string& case_ref);

struct ProofCheck {
  bool valid = false;
  std::string detail;                // why not, or what was proven
  std::int64_t case_events = 0;      // the case's events proven on the chain
  std::int64_t acknowledged_seq = 0;
  std::string acknowledged_head;     // hex: compare with the hub's head for this device
};
// Recomputes every link of a proof; a Validation error when the file is not a proof.
Result<ProofCheck> verify_case_proof(const nlohmann::json& proof);

}  // namespace hallsync::client::diagnostics
