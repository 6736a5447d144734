// Bucketed, order-independent digests of event sets.
#include "sync/api/digest.h"

#include <openssl/evp.h>

#include <algorithm>

namespace hallsync {

int digest_bucket(const std::string& case_id) {
  // The last digit: random in every UUID version (the first is a timestamp in v7).
  if (case_id.empty()) return 0;
  char c = case_id.back();
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return static_cast<unsigned char>(c) % kDigestBuckets;
}

std::vector<BucketDigest> compute_digests(std::vector<std::pair<std::string, std::string>> pairs) {
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  std::vector<BucketDigest> out(kDigestBuckets);
  std::vector<EVP_MD_CTX*> ctx(kDigestBuckets);
  for (int b = 0; b < kDigestBuckets; ++b) {
    out[static_cast<std::size_t>(b)].bucket = b;
    ctx[static_cast<std::size_t>(b)] = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx[static_cast<std::size_t>(b)], EVP_sha256(), nullptr);
  }
  for (const auto& [case_id, event_id] : pairs) {
    auto b = static_cast<std::size_t>(digest_bucket(case_id));
    std::string line = case_id + " " + event_id + "\n";
    EVP_DigestUpdate(ctx[b], line.data(), line.size());
    ++out[b].events;
  }
  for (std::size_t b = 0; b < ctx.size(); ++b) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx[b], md, &len);
    EVP_MD_CTX_free(ctx[b]);
    static const char* hex = "0123456789abcdef";
    for (unsigned int i = 0; i < len; ++i) {
      out[b].sha256_hex += hex[md[i] >> 4];
      out[b].sha256_hex += hex[md[i] & 15];
    }
  }
  return out;
}

}  // namespace hallsync
