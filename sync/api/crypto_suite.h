// The one place that names the project's cryptographic primitives (issue #7):
// the digest that chains a device's history, the keyed digest of blind
// indexes, and the authenticated cipher that seals personal fields at rest.
// Callers never name an algorithm. Moving to the national algorithms
// (SM3 for the digests, SM4-GCM for the cipher; GB/T 32905, GB/T 32907) means
// changing crypto_suite.cc and kSuiteTag, and nothing else; what was written
// under the old suite records its tag, so a reader can tell which it needs.
// Hashes the wire protocol fixes (request MACs, blob content addresses, case
// digests) change with a protocol version instead, not here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sync/api/result.h"

namespace hallsync::crypto {

// Stored beside sealed data and chain heads: which suite produced them.
constexpr std::string_view kSuiteTag = "sha256+aes256gcm";
constexpr std::size_t kDigestBytes = 32;
constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
// Bytes seal() adds to a plaintext.
constexpr std::size_t kSealOverhead = kNonceBytes + kTagBytes;

// The suite's digest of `data` (kDigestBytes raw bytes).
std::string digest(std::string_view data);

// A digest fed in pieces; equal to digest() of the concatenation.
class DigestBuilder {
 public:
  DigestBuilder();
  ~DigestBuilder();
  DigestBuilder(const DigestBuilder&) = delete;
  DigestBuilder& operator=(const DigestBuilder&) = delete;
  DigestBuilder& add(std::string_view piece);
  // Adds the piece's length (8 bytes, big-endian) before it, so that
  // ("ab","c") and ("a","bc") never hash alike.
  DigestBuilder& add_field(std::string_view piece);
  DigestBuilder& add_int(std::int64_t value);  // 8 bytes, big-endian
  std::string finish();                        // kDigestBytes raw bytes; the builder is spent

 private:
  void* ctx_;
};

// Keyed digest (HMAC over the suite's digest), kDigestBytes raw bytes.
std::string keyed_digest(std::string_view key, std::string_view data);

// `n` bytes from the system's CSPRNG. Aborts if it has no entropy: nothing
// safe can follow.
std::string random_bytes(std::size_t n);

// Authenticated encryption under a kKeyBytes key: returns
// nonce || ciphertext || tag, with a fresh random nonce each call.
// `associated` is authenticated, not stored: pass where the value lives
// (e.g. "cases.phone/<case id>") so a sealed value moved elsewhere fails to open.
std::string seal(std::string_view key, std::string_view plaintext, std::string_view associated);

// The plaintext, or a Storage error when the value was altered, moved, or
// sealed under another key.
Result<std::string> open(std::string_view key, std::string_view sealed, std::string_view associated);

std::string to_hex(std::string_view bytes);
// The bytes of a lowercase or uppercase hex string; a Validation error on odd
// length or a non-hex digit.
Result<std::string> from_hex(std::string_view hex);

}  // namespace hallsync::crypto
