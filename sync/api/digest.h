// Digests over buckets of cases, so two replicas can prove they hold the same
// events or find exactly which buckets (then cases) differ. A case's bucket is
// the last hex digit of its UUID; a bucket's digest is SHA-256 over its
// sorted "case_id event_id" lines, so it does not depend on arrival order.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hallsync {

constexpr int kDigestBuckets = 16;

struct BucketDigest {
  int bucket = 0;
  std::int64_t events = 0;
  std::string sha256_hex;  // of the empty string for an empty bucket
  friend bool operator==(const BucketDigest&, const BucketDigest&) = default;
};

int digest_bucket(const std::string& case_id);

// `case_events`: (case_id, event_id) pairs in any order; duplicates count once.
std::vector<BucketDigest> compute_digests(std::vector<std::pair<std::string, std::string>> case_events);

}  // namespace hallsync
