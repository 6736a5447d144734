// Blob offer / blob state codec (grammar in sync/PROTOCOL.md, "Blobs") and the
// range arithmetic both ends share.
//   blob_offer := str device_id  str sha256  i64 size  str case_id
//   blob_state := str sha256  i64 size  u8 complete  u32 n (i64 begin  i64 end){n}
//                 u32 max_chunk  i64 server_time_ms  str hub_epoch
//   blob_read  := str device_id  str sha256  i64 offset  u32 length
#include "sync/protocol/blob_messages.h"

#include <algorithm>

#include "sync/api/blob_store.h"
#include "sync/protocol/decode_message.h"

namespace hallsync::protocol {
namespace {

constexpr std::size_t kMaxIdBytes = 256;

}  // namespace

std::string encode(const BlobOffer& m, int version) {
  WireWriter w;
  w.str(m.device_id);
  w.str(m.sha256);
  w.num(m.size);
  w.str(m.case_id);
  return compress(w.finish(), version);
}

Result<BlobOffer> decode_blob_offer(const std::string& body, int version) {
  return decode_message<BlobOffer>(body, version, "blob offer", [](WireReader& r, BlobOffer& m) {
    m.device_id = r.str(kMaxIdBytes);
    m.sha256 = r.str(64);
    m.size = r.num<std::int64_t>();
    m.case_id = r.str(kMaxIdBytes);
    if (!is_sha256_hex(m.sha256)) throw WireError("sha256 must be 64 lowercase hex digits");
  });
}

std::string encode(const BlobRead& m, int version) {
  WireWriter w;
  w.str(m.device_id);
  w.str(m.sha256);
  w.num(m.offset);
  w.num(m.length);
  return compress(w.finish(), version);
}

Result<BlobRead> decode_blob_read(const std::string& body, int version) {
  return decode_message<BlobRead>(body, version, "blob read", [](WireReader& r, BlobRead& m) {
    m.device_id = r.str(kMaxIdBytes);
    m.sha256 = r.str(64);
    m.offset = r.num<std::int64_t>();
    m.length = r.num<std::uint32_t>();
    if (!is_sha256_hex(m.sha256)) throw WireError("sha256 must be 64 lowercase hex digits");
  });
}

std::string encode(const BlobState& m, int version) {
  WireWriter w;
  w.str(m.sha256);
  w.num(m.size);
  w.num(static_cast<std::uint8_t>(m.complete ? 1 : 0));
  w.count(m.held.size());
  for (const auto& r : m.held) {
    w.num(r.begin);
    w.num(r.end);
  }
  w.num(m.max_chunk);
  w.num(m.server_time_ms);
  w.str(m.hub_epoch);
  return compress(w.finish(), version);
}

Result<BlobState> decode_blob_state(const std::string& body, int version) {
  return decode_message<BlobState>(body, version, "blob state", [](WireReader& r, BlobState& m) {
    m.sha256 = r.str(64);
    m.size = r.num<std::int64_t>();
    auto complete = r.num<std::uint8_t>();
    if (complete > 1) throw WireError("complete must be 0 or 1");
    m.complete = complete == 1;
    m.held.resize(r.count(kMaxBlobRanges, 16));
    std::int64_t prev_end = -1;
    for (auto& h : m.held) {
      h.begin = r.num<std::int64_t>();
      h.end = r.num<std::int64_t>();
      // A hub naming bytes outside the blob, or ranges out of order, is not
      // trusted with anything: the device would skip bytes it never sent.
      if (h.begin < 0 || h.end <= h.begin || h.end > m.size || h.begin <= prev_end)
        throw WireError("held range [" + std::to_string(h.begin) + ", " + std::to_string(h.end) +
                        ") is outside the blob of " + std::to_string(m.size) + " bytes or out of order");
      prev_end = h.end;
    }
    m.max_chunk = r.num<std::uint32_t>();
    m.server_time_ms = r.num<std::int64_t>();
    m.hub_epoch = r.str(kMaxIdBytes);
    if (!is_sha256_hex(m.sha256)) throw WireError("sha256 must be 64 lowercase hex digits");
    if (m.size <= 0 || m.size > kMaxBlobBytes) throw WireError("blob size out of range");
    if (m.max_chunk == 0) throw WireError("max_chunk is 0");
  });
}

std::vector<ByteRange> missing_ranges(const std::vector<ByteRange>& held, std::int64_t size) {
  std::vector<ByteRange> out;
  std::int64_t at = 0;
  for (const auto& h : held) {
    if (h.begin > at) out.push_back({at, std::min(h.begin, size)});
    at = std::max(at, h.end);
  }
  if (at < size) out.push_back({at, size});
  return out;
}

bool covers(const std::vector<ByteRange>& held, std::int64_t begin, std::int64_t end) {
  for (const auto& h : held)
    if (h.begin <= begin && end <= h.end) return true;
  return false;
}

std::vector<ByteRange> add_range(std::vector<ByteRange> held, ByteRange r) {
  held.push_back(r);
  std::sort(held.begin(), held.end(), [](const ByteRange& a, const ByteRange& b) { return a.begin < b.begin; });
  std::vector<ByteRange> merged;
  for (const auto& h : held) {
    if (!merged.empty() && h.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, h.end);
    } else {
      merged.push_back(h);
    }
  }
  return merged;
}

}  // namespace hallsync::protocol
