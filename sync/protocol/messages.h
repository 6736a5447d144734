// The sync protocol's messages (see sync/PROTOCOL.md) and their encoding:
// cereal portable binary, then zlib deflate (v2: with a preset dictionary).
// Decoding treats bytes as untrusted and returns Protocol errors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sync/api/digest.h"
#include "sync/api/result.h"

namespace hallsync::protocol {

// v3 (#7): a push names the change-log chain hash before its first entry and
// after its last. The hub accepts the current and the previous version, so a
// hall upgrades without draining its queue first (PROTOCOL.md).
constexpr int kCurrentVersion = 3;
constexpr int kOldestVersion = 2;  // the hub accepts [kOldestVersion, kCurrentVersion]

// Limits the hub enforces; clients stay well below them (sync/base/tuning.h).
constexpr std::size_t kMaxPushEntries = 5000;
constexpr std::size_t kMaxBodyBytes = 8 * 1024 * 1024;      // decompressed
constexpr std::size_t kMaxPullChanges = 5000;
constexpr std::size_t kMaxFieldBytes = 1024 * 1024;

constexpr const char* kContentType = "application/x-hallsync";
constexpr const char* kVersionHeader = "X-Hallsync-Protocol";
// Header of a repair push (/v1/repush) naming the hub epoch the device agreed to.
constexpr const char* kExpectedEpochHeader = "X-Hallsync-Expected-Epoch";

struct PushEntry {
  std::int64_t seq = 0;
  std::uint64_t hlc = 0;
  std::string collection;
  std::string doc_key;
  std::string payload;
  friend bool operator==(const PushEntry&, const PushEntry&) = default;
};

// What a device says of itself on each push (v2+): the fleet view.
struct DeviceReport {
  std::int64_t unsent = 0;
  std::int64_t oldest_unsent_ms = 0;
  std::int64_t clock_offset_ms = 0;
  std::string software_version;
  std::string last_error;
  friend bool operator==(const DeviceReport&, const DeviceReport&) = default;
};

struct PushRequest {
  std::string device_id;
  std::vector<PushEntry> entries;
  DeviceReport report;
  // v3: the device's change-log chain hash just before the first entry and
  // after the last (crypto::kDigestBytes each; both empty for an empty push).
  std::string chain_before;
  std::string chain_head;
  // Set by the decoder: the request was v3 or later, so the chain is verified.
  // Not on the wire.
  bool chained = false;
};

struct Rejection {
  std::int64_t seq = 0;
  std::string reason;
  friend bool operator==(const Rejection&, const Rejection&) = default;
};

struct PushResponse {
  std::int64_t acknowledged_through = 0;  // the device's high-water mark after this batch
  std::vector<Rejection> rejected;        // entries recorded as rejected (also acknowledged)
  std::int64_t server_time_ms = 0;
  std::string hub_epoch;
};

struct PullRequest {
  std::string device_id;
  std::int64_t after = 0;  // cursor: the last hub sequence already applied
  std::uint32_t max_changes = 1000;
  bool include_own = false;  // also return this device's own events (re-pull)
};

struct PulledChange {
  std::int64_t hub_seq = 0;
  std::string collection;
  std::string doc_key;
  std::string payload;
  friend bool operator==(const PulledChange&, const PulledChange&) = default;
};

struct PullResponse {
  std::vector<PulledChange> changes;
  std::int64_t next_cursor = 0;  // apply changes, then store this as the cursor
  bool has_more = false;
  std::int64_t server_time_ms = 0;
  std::string hub_epoch;
};

// Verification: the hub's bucket digests of the device's hall, and for one
// bucket (bucket >= 0) the (case_id, event_id) pairs it holds.
struct DigestRequest {
  std::string device_id;
  std::int32_t bucket = -1;
};

struct DigestResponse {
  std::vector<BucketDigest> buckets;
  std::vector<std::pair<std::string, std::string>> events;  // only for bucket >= 0
  std::int64_t server_time_ms = 0;
  std::string hub_epoch;
};

std::string encode(const DigestRequest& m, int version);
std::string encode(const DigestResponse& m, int version);
Result<DigestRequest> decode_digest_request(const std::string& body, int version);
Result<DigestResponse> decode_digest_response(const std::string& body, int version);

std::string encode(const PushRequest& m, int version);
std::string encode(const PushResponse& m, int version);
std::string encode(const PullRequest& m, int version);
std::string encode(const PullResponse& m, int version);
Result<PushRequest> decode_push_request(const std::string& body, int version);
Result<PushResponse> decode_push_response(const std::string& body, int version);
Result<PullRequest> decode_pull_request(const std::string& body, int version);
Result<PullResponse> decode_pull_response(const std::string& body, int version);

// Deflate/inflate used by the codec (exposed for tests and byte counting).
std::string compress(const std::string& raw, int version);
Result<std::string> decompress(const std::string& body, int version, std::size_t max_bytes = kMaxBodyBytes);

}  // namespace hallsync::protocol
