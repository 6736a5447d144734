// The suite named in sync/api/crypto_suite.h, over OpenSSL 3's EVP layer:
// SHA-256, HMAC-SHA-256 and AES-256-GCM (12-byte nonce, 16-byte tag).
// The algorithms are fetched once and each thread reuses its contexts: with
// OpenSSL 3 an implicit fetch per call cost more than the cryptography of a
// short field, and the hall seals fields on every pulled event.
#include "sync/api/crypto_suite.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <memory>

namespace hallsync::crypto {
namespace {

struct Algorithms {
  EVP_MD* digest = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
};

// Fetched once per process and never freed: they live as long as any thread
// may seal. An OpenSSL without them cannot run this suite at all.
const Algorithms& algorithms() {
  static const Algorithms a;
  if (!a.digest || !a.cipher || !a.mac) std::abort();
  return a;
}

const EVP_MD* suite_digest() { return algorithms().digest; }

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
using MacContext = std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)>;

EVP_CIPHER_CTX* thread_cipher_context() {
  thread_local CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  if (!ctx) std::abort();
  return ctx.get();
}

// HMAC over the suite digest; the digest is set once, the key on each use.
EVP_MAC_CTX* thread_mac_context() {
  thread_local MacContext ctx = [] {
    MacContext c(EVP_MAC_CTX_new(algorithms().mac), EVP_MAC_CTX_free);
    char digest_name[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                           OSSL_PARAM_construct_end()};
    if (!c || EVP_MAC_CTX_set_params(c.get(), params) != 1) std::abort();
    return c;
  }();
  return ctx.get();
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// A wrong key length is a programming error, never input: stop rather than
// seal under a truncated or padded key.
void require_key(std::string_view key) {
  if (key.size() != kKeyBytes) std::abort();
}

void put_be64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

}  // namespace

std::string digest(std::string_view data) {
  std::string out(kDigestBytes, '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), bytes(out), &len, suite_digest(), nullptr) != 1 || len != kDigestBytes)
    std::abort();
  return out;
}

DigestBuilder::DigestBuilder() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), suite_digest(), nullptr) != 1) std::abort();
}

DigestBuilder::~DigestBuilder() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

DigestBuilder& DigestBuilder::add(std::string_view piece) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), piece.data(), piece.size());
  return *this;
}

DigestBuilder& DigestBuilder::add_int(std::int64_t value) {
  std::string be;
  put_be64(be, static_cast<std::uint64_t>(value));
  return add(be);
}

DigestBuilder& DigestBuilder::add_field(std::string_view piece) {
  add_int(static_cast<std::int64_t>(piece.size()));
  return add(piece);
}

std::string DigestBuilder::finish() {
  std::string out(kDigestBytes, '\0');
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), bytes(out), &len) != 1 || len != kDigestBytes) std::abort();
  return out;
}

std::string keyed_digest(std::string_view key, std::string_view data) {
  std::string out(kDigestBytes, '\0');
  std::size_t len = 0;
  EVP_MAC_CTX* ctx = thread_mac_context();
  if (EVP_MAC_init(ctx, bytes(key), key.size(), nullptr) != 1 || EVP_MAC_update(ctx, bytes(data), data.size()) != 1 ||
      EVP_MAC_final(ctx, bytes(out), &len, out.size()) != 1 || len != kDigestBytes)
    std::abort();
  return out;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (n && RAND_bytes(bytes(out), static_cast<int>(n)) != 1) std::abort();
  return out;
}

std::string seal(std::string_view key, std::string_view plaintext, std::string_view associated) {
  require_key(key);
  std::string out = random_bytes(kNonceBytes);  // GCM's default nonce length
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  EVP_CIPHER_CTX* ctx = thread_cipher_context();
  int len = 0;
  bool ok = EVP_EncryptInit_ex2(ctx, algorithms().cipher, bytes(key), bytes(out), nullptr) == 1 &&
            EVP_EncryptUpdate(ctx, nullptr, &len, bytes(associated), static_cast<int>(associated.size())) == 1 &&
            EVP_EncryptUpdate(ctx, bytes(out) + kNonceBytes, &len, bytes(plaintext), static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx, bytes(out) + kNonceBytes + len, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes, bytes(out) + kNonceBytes + plaintext.size()) == 1;
  if (!ok) std::abort();  // only an OpenSSL without AES-GCM gets here
  return out;
}

Result<std::string> open(std::string_view key, std::string_view sealed, std::string_view associated) {
  require_key(key);
  if (sealed.size() < kSealOverhead)
    return Status::storage("a sealed value is " + std::to_string(sealed.size()) +
                           " bytes, shorter than its nonce and tag: the stored field is damaged");
  const std::size_t text_bytes = sealed.size() - kSealOverhead;
  std::string plain(text_bytes, '\0');
  std::string tag(sealed.substr(kNonceBytes + text_bytes));
  EVP_CIPHER_CTX* ctx = thread_cipher_context();
  int len = 0;
  bool ok = EVP_DecryptInit_ex2(ctx, algorithms().cipher, bytes(key), bytes(sealed), nullptr) == 1 &&
            EVP_DecryptUpdate(ctx, nullptr, &len, bytes(associated), static_cast<int>(associated.size())) == 1 &&
            EVP_DecryptUpdate(ctx, bytes(plain), &len, bytes(sealed) + kNonceBytes, static_cast<int>(text_bytes)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes, bytes(tag)) == 1;
  // The tag is checked here: any altered, moved or foreign value fails.
  if (!ok || EVP_DecryptFinal_ex(ctx, bytes(plain) + len, &len) != 1)
    return Status::storage("a sealed field failed its authentication check: it was altered, copied from another "
                           "place, or sealed under another key (is this the store's own key file?)")
        .with_code("unseal_failed");
  return plain;
}

std::string to_hex(std::string_view data) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  s.reserve(2 * data.size());
  for (unsigned char c : data) {
    s += digits[c >> 4];
    s += digits[c & 15];
  }
  return s;
}

Result<std::string> from_hex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2) return Status::validation("a hex string has an odd number of digits");
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return Status::validation("a hex string holds a character that is not a hex digit");
    out += static_cast<char>(hi << 4 | lo);
  }
  return out;
}

}  // namespace hallsync::crypto
