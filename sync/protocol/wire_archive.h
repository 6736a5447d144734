// WireWriter / WireReader: cereal's portable binary archive with bounded
// strings and lists, shared by every encoder in sync/protocol. The reader
// knows how many bytes remain, so a hostile length prefix fails instead of
// allocating; every failure throws WireError, turned into Status::protocol at
// the codec's edge.
#pragma once

#include <cereal/archives/portable_binary.hpp>

#include <algorithm>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

namespace hallsync::protocol {

struct WireError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class WireWriter {
 public:
  WireWriter() : out_(std::ios::binary), ar_(std::make_unique<cereal::PortableBinaryOutputArchive>(out_)) {}
  template <typename T>
  void num(T v) { (*ar_)(v); }
  void str(const std::string& s) {
    num(static_cast<std::uint32_t>(s.size()));
    (*ar_)(cereal::binary_data(s.data(), s.size()));
  }
  // A short string with a 16-bit length (event fields); callers keep it under 64 KiB.
  void str16(const std::string& s) {
    auto n = static_cast<std::uint16_t>(std::min<std::size_t>(s.size(), 0xffff));
    num(n);
    (*ar_)(cereal::binary_data(s.data(), n));
  }
  void count(std::size_t n) { num(static_cast<std::uint32_t>(n)); }
  std::string finish() {
    ar_.reset();  // flush
    return out_.str();
  }

 private:
  std::ostringstream out_;
  std::unique_ptr<cereal::PortableBinaryOutputArchive> ar_;
};

class WireReader {
 public:
  explicit WireReader(const std::string& bytes)
      : in_(bytes, std::ios::binary), remaining_(bytes.size()), ar_(in_) {
    remaining_ -= 1;  // the archive's endianness tag
  }
  template <typename T>
  T num() {
    if (remaining_ < sizeof(T)) throw WireError("message ends inside a number");
    T v{};
    ar_(v);
    remaining_ -= sizeof(T);
    return v;
  }
  std::string str(std::size_t max_bytes) { return bytes(num<std::uint32_t>(), max_bytes); }
  std::string str16(std::size_t max_bytes) { return bytes(num<std::uint16_t>(), max_bytes); }
  // Whether any bytes remain (a decoder checks this to refuse trailing data).
  bool at_end() const { return remaining_ == 0; }
  std::string bytes(std::size_t n, std::size_t max_bytes) {
    if (n > max_bytes) throw WireError("field of " + std::to_string(n) + " bytes exceeds the limit");
    if (n > remaining_) throw WireError("field longer than the message");
    std::string s(n, '\0');
    ar_(cereal::binary_data(s.data(), n));
    remaining_ -= n;
    return s;
  }
  // A list length, checked against a limit and against what could still fit.
  std::size_t count(std::size_t max_items, std::size_t min_item_bytes) {
    auto n = num<std::uint32_t>();
    if (n > max_items) throw WireError("list of " + std::to_string(n) + " items exceeds the limit");
    if (min_item_bytes && n > remaining_ / min_item_bytes) throw WireError("list longer than the message");
    return n;
  }
  void expect_end() const {
    if (remaining_ != 0) throw WireError("message has " + std::to_string(remaining_) + " trailing bytes");
  }

 private:
  std::istringstream in_;
  std::size_t remaining_;
  cereal::PortableBinaryInputArchive ar_;
};

}  // namespace hallsync::protocol
