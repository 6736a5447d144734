// Encoding of case events for the outbox, the local event table and the wire.
// Decoding treats its input as untrusted: any malformed byte string gives a
// Protocol error, never a crash or an unbounded allocation.
#pragma once

#include <cstdint>
#include <vector>

#include "schema/records/case_event.h"
#include "sync/api/result.h"

namespace hallsync {

std::vector<std::uint8_t> encode_event(const schema::CaseEvent& event);
Result<schema::CaseEvent> decode_event(const std::uint8_t* data, std::size_t size);
inline Result<schema::CaseEvent> decode_event(const std::vector<std::uint8_t>& bytes) {
  return decode_event(bytes.data(), bytes.size());
}

// Limits enforced by the decoder (and by validation before encoding).
constexpr std::size_t kMaxEventFieldBytes = 16 * 1024;
constexpr std::size_t kMaxEventMaterials = 64;

}  // namespace hallsync
