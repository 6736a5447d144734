// The hash chain over a device's change log (issue #7, tamper-evident
// history). Each outbox entry's chain hash is the suite digest of the previous
// entry's chain hash and the entry's own fields, so altering, removing or
// reordering any entry changes every hash after it. Both ends compute it: the
// device when it appends, the hub when it verifies a pushed batch
// (sync/PROTOCOL.md, "The change-log chain").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sync/api/database.h"

namespace hallsync {

// The hash before a device's first entry. Not per device: every entry a hub
// accepts names its device inside the payload (the hub checks it), so two
// devices' chains can never coincide; a constant lets both ends agree on it
// without the device id reaching the change log.
std::string chain_genesis();

// digest(prev, seq, hlc, collection, doc_key, digest(payload)), each field
// length-prefixed (crypto::DigestBuilder::add_field / add_int). The payload
// enters by its digest so a case's history can be proven without carrying
// the citizen's data (an audit proof lists payload digests).
std::string chain_link(std::string_view prev, std::int64_t seq, std::uint64_t hlc, std::string_view collection,
                       std::string_view doc_key, std::string_view payload);
std::string chain_link_digest(std::string_view prev, std::int64_t seq, std::uint64_t hlc, std::string_view collection,
                              std::string_view doc_key, std::string_view payload_digest);

// Computes the chain of the entries written before migration 0011 (their
// chain is NULL), once, in sequence order, in one transaction. Cheap when
// there is nothing to do: the unfilled entries are always a prefix.
Status complete_change_log_chain(Database& db);

struct ChainBreak {
  std::int64_t seq = 0;   // the first entry whose stored hash does not follow
  std::string detail;     // what is wrong with it (technician English)
};
struct ChainCheck {
  std::int64_t entries = 0;
  std::string head;                  // the last entry's stored hash (raw), genesis if none
  std::optional<ChainBreak> broken;  // empty when the whole chain verifies
};
// Recomputes every link from the genesis: reads the whole log once.
Result<ChainCheck> verify_change_log_chain(Database& db);

}  // namespace hallsync
