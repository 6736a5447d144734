// PayloadSealer: how a store keeps the payloads it holds at rest (issue #7).
// The hall attaches one to its Database so the change log seals what it
// stores and opens what it reads; entries in memory and on the wire stay in
// clear. sync/ never learns the key or the cipher: the client supplies both.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "sync/api/result.h"

namespace hallsync {

class PayloadSealer {
 public:
  virtual ~PayloadSealer() = default;
  // `place` names where the bytes live (table.column/row key): bytes moved to
  // another place no longer open.
  virtual std::vector<std::uint8_t> seal_payload(std::string_view place, std::string_view plaintext) const = 0;
  virtual Result<std::vector<std::uint8_t>> open_payload(std::string_view place, std::string_view sealed) const = 0;
};

}  // namespace hallsync
