// FuzzInput: carves a fuzzer's byte string into the choices and fields a
// target needs, so one input picks a decoder, a version and a body.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sync/protocol/messages.h"

namespace hallsync::fuzz {

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  // One byte (0 when the input is used up).
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }

  // A field of up to `max` bytes: a length byte, then that many bytes.
  std::string field(std::size_t max = 255) {
    std::size_t n = byte();
    if (n > max) n = max;
    if (n > size_ - pos_) n = size_ - pos_;
    std::string out(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return out;
  }

  // Everything not yet taken.
  std::string rest() {
    std::string out(reinterpret_cast<const char*>(data_ + pos_), size_ - pos_);
    pos_ = size_;
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// The message targets' input: a choice byte (bit 0: the current protocol
// version, else the oldest; bits 1–2: which of three messages), then the
// message before compression, compressed here so mutations reach the parser.
struct MessageInput {
  int which;
  int version;
  std::string body;
};
inline MessageInput message_input(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  const std::uint8_t choice = in.byte();
  const int version = (choice & 1) ? protocol::kCurrentVersion : protocol::kOldestVersion;
  return {(choice >> 1) % 3, version, protocol::compress(in.rest(), version)};
}

// A decoded message that does not encode back to itself is a codec bug: crash
// so the fuzzer keeps the input.
inline void same_or_abort(bool same) {
  if (!same) std::abort();
}

}  // namespace hallsync::fuzz
