// Messages of the blob endpoints (sync/PROTOCOL.md, "Blobs"): a device offers
// a blob (hash, size, the case it belongs to) and gets the hub's state of it —
// which byte ranges it durably holds, or that it is complete. Chunks travel as
// raw bytes; every reply to them is a state too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sync/api/result.h"

namespace hallsync::protocol {

constexpr std::int64_t kMaxBlobBytes = 16 * 1024 * 1024;   // hub refuses larger offers
constexpr std::size_t kMaxChunkBytes = 1024 * 1024;        // hub refuses larger chunks
constexpr std::size_t kMaxBlobRanges = 4096;
// Headers of a chunk (POST /v1/blobs/chunk): which blob, at which byte.
constexpr const char* kBlobHeader = "X-Hallsync-Blob";
constexpr const char* kOffsetHeader = "X-Hallsync-Offset";
constexpr const char* kChunkContentType = "application/octet-stream";

struct BlobOffer {
  std::string device_id;
  std::string sha256;  // 64 lowercase hex digits
  std::int64_t size = 0;
  std::string case_id;
};

struct ByteRange {
  std::int64_t begin = 0, end = 0;  // [begin, end)
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

struct BlobState {
  std::string sha256;
  std::int64_t size = 0;
  bool complete = false;            // hashed whole and found equal to sha256
  std::vector<ByteRange> held;      // sorted, disjoint, within [0, size); empty when complete
  std::uint32_t max_chunk = 0;      // largest chunk the hub takes
  std::int64_t server_time_ms = 0;
  std::string hub_epoch;
};

// A range of a complete blob the device's hall holds a reference to
// (POST /v1/blobs/read); the reply is the raw bytes.
struct BlobRead {
  std::string device_id;
  std::string sha256;
  std::int64_t offset = 0;
  std::uint32_t length = 0;
};

std::string encode(const BlobRead& m, int version);
Result<BlobRead> decode_blob_read(const std::string& body, int version);
std::string encode(const BlobOffer& m, int version);
std::string encode(const BlobState& m, int version);
Result<BlobOffer> decode_blob_offer(const std::string& body, int version);
// Also checks the ranges: sorted, disjoint, non-empty, within the size.
Result<BlobState> decode_blob_state(const std::string& body, int version);

// Bytes of [0, size) not covered by `held`.
std::vector<ByteRange> missing_ranges(const std::vector<ByteRange>& held, std::int64_t size);
// Whether `held` covers [begin, end).
bool covers(const std::vector<ByteRange>& held, std::int64_t begin, std::int64_t end);
// Adds [begin, end) to sorted disjoint ranges, merging ranges that touch.
std::vector<ByteRange> add_range(std::vector<ByteRange> held, ByteRange r);

}  // namespace hallsync::protocol
