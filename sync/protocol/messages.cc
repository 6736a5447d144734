// Encoders/decoders for push and pull messages.
//
// Grammar (all versions; integers little-endian, strings u32 length + bytes):
//   push_request  := str device_id u32 n entry{n} [v2: report] [v3: str chain_before str chain_head]
//   entry         := i64 seq u64 hlc str collection str doc_key str payload
//   report        := i64 unsent i64 oldest_unsent_ms i64 clock_offset_ms str version str last_error
//   push_response := i64 acknowledged_through u32 n (i64 seq str reason){n} i64 server_time_ms str hub_epoch
//   pull_request  := str device_id i64 after u32 max_changes u8 include_own
//   pull_response := u32 n (i64 hub_seq str collection str doc_key str payload){n}
//                    i64 next_cursor u8 has_more i64 server_time_ms str hub_epoch
//   digest_request  := str device_id i32 bucket
//   digest_response := u32 n (i32 bucket i64 events str sha256_hex){n}
//                      u32 m (str case_id str event_id){m} i64 server_time_ms str hub_epoch
// The whole message is then deflated (zlib format); v2 uses the preset
// dictionary in dictionary.cc.
#include "sync/protocol/messages.h"

#include "sync/api/crypto_suite.h"
#include "sync/api/utf8.h"
#include "sync/protocol/decode_message.h"
#include "sync/protocol/wire_archive.h"

namespace hallsync::protocol {
namespace {

constexpr std::size_t kMaxIdBytes = 256;

}  // namespace

std::string encode(const PushRequest& m, int version) {
  WireWriter w;
  w.str(m.device_id);
  w.count(m.entries.size());
  for (const auto& e : m.entries) {
    w.num(e.seq);
    w.num(e.hlc);
    w.str(e.collection);
    w.str(e.doc_key);
    w.str(e.payload);
  }
  if (version >= 2) {
    w.num(m.report.unsent);
    w.num(m.report.oldest_unsent_ms);
    w.num(m.report.clock_offset_ms);
    w.str(m.report.software_version);
    w.str(m.report.last_error);
  }
  if (version >= 3) {
    w.str(m.chain_before);
    w.str(m.chain_head);
  }
  return compress(w.finish(), version);
}

Result<PushRequest> decode_push_request(const std::string& body, int version) {
  return decode_message<PushRequest>(body, version, "push request", [&](WireReader& r, PushRequest& m) {
    m.device_id = r.str(kMaxIdBytes);
    m.entries.resize(r.count(kMaxPushEntries, 36));
    for (auto& e : m.entries) {
      e.seq = r.num<std::int64_t>();
      e.hlc = r.num<std::uint64_t>();
      e.collection = r.str(kMaxIdBytes);
      e.doc_key = r.str(kMaxIdBytes);
      e.payload = r.str(kMaxFieldBytes);
    }
    if (version >= 2) {
      m.report.unsent = r.num<std::int64_t>();
      m.report.oldest_unsent_ms = r.num<std::int64_t>();
      m.report.clock_offset_ms = r.num<std::int64_t>();
      m.report.software_version = r.str(kMaxIdBytes);
      m.report.last_error = r.str(4096);
    }
    if (version >= 3) {
      m.chained = true;
      m.chain_before = r.str(crypto::kDigestBytes);
      m.chain_head = r.str(crypto::kDigestBytes);
      // Without both hashes a v3 push could pass for an unchained v2 one.
      if (!m.entries.empty() && (m.chain_before.size() != crypto::kDigestBytes || m.chain_head.size() != crypto::kDigestBytes))
        throw WireError("a push with entries must name both chain hashes");
    }
  });
}

std::string encode(const PushResponse& m, int version) {
  WireWriter w;
  w.num(m.acknowledged_through);
  w.count(m.rejected.size());
  for (const auto& x : m.rejected) {
    w.num(x.seq);
    w.str(x.reason);
  }
  w.num(m.server_time_ms);
  w.str(m.hub_epoch);
  return compress(w.finish(), version);
}

Result<PushResponse> decode_push_response(const std::string& body, int version) {
  return decode_message<PushResponse>(body, version, "push response", [&](WireReader& r, PushResponse& m) {
    m.acknowledged_through = r.num<std::int64_t>();
    m.rejected.resize(r.count(kMaxPushEntries, 12));
    for (auto& x : m.rejected) {
      x.seq = r.num<std::int64_t>();
      x.reason = r.str(4096);
      // Shown to the technician and kept in sync_rejections as text.
      if (!is_valid_utf8(x.reason)) throw WireError("rejection reason is not valid UTF-8");
    }
    m.server_time_ms = r.num<std::int64_t>();
    m.hub_epoch = r.str(kMaxIdBytes);
  });
}

std::string encode(const PullRequest& m, int version) {
  WireWriter w;
  w.str(m.device_id);
  w.num(m.after);
  w.num(m.max_changes);
  w.num(static_cast<std::uint8_t>(m.include_own ? 1 : 0));
  return compress(w.finish(), version);
}

Result<PullRequest> decode_pull_request(const std::string& body, int version) {
  return decode_message<PullRequest>(body, version, "pull request", [&](WireReader& r, PullRequest& m) {
    m.device_id = r.str(kMaxIdBytes);
    m.after = r.num<std::int64_t>();
    m.max_changes = r.num<std::uint32_t>();
    auto own = r.num<std::uint8_t>();
    if (own > 1) throw WireError("include_own must be 0 or 1");
    m.include_own = own == 1;
  });
}

std::string encode(const PullResponse& m, int version) {
  WireWriter w;
  w.count(m.changes.size());
  for (const auto& c : m.changes) {
    w.num(c.hub_seq);
    w.str(c.collection);
    w.str(c.doc_key);
    w.str(c.payload);
  }
  w.num(m.next_cursor);
  w.num(static_cast<std::uint8_t>(m.has_more ? 1 : 0));
  w.num(m.server_time_ms);
  w.str(m.hub_epoch);
  return compress(w.finish(), version);
}

Result<PullResponse> decode_pull_response(const std::string& body, int version) {
  return decode_message<PullResponse>(body, version, "pull response", [&](WireReader& r, PullResponse& m) {
    m.changes.resize(r.count(kMaxPullChanges, 20));
    for (auto& c : m.changes) {
      c.hub_seq = r.num<std::int64_t>();
      c.collection = r.str(kMaxIdBytes);
      c.doc_key = r.str(kMaxIdBytes);
      c.payload = r.str(kMaxFieldBytes);
      if (!is_valid_utf8(c.collection) || !is_valid_utf8(c.doc_key)) throw WireError("change key is not valid UTF-8");
    }
    m.next_cursor = r.num<std::int64_t>();
    auto more = r.num<std::uint8_t>();
    if (more > 1) throw WireError("has_more must be 0 or 1");
    m.has_more = more == 1;
    m.server_time_ms = r.num<std::int64_t>();
    m.hub_epoch = r.str(kMaxIdBytes);
  });
}

std::string encode(const DigestRequest& m, int version) {
  WireWriter w;
  w.str(m.device_id);
  w.num(m.bucket);
  return compress(w.finish(), version);
}

Result<DigestRequest> decode_digest_request(const std::string& body, int version) {
  return decode_message<DigestRequest>(body, version, "digest request", [&](WireReader& r, DigestRequest& m) {
    m.device_id = r.str(kMaxIdBytes);
    m.bucket = r.num<std::int32_t>();
    if (m.bucket < -1 || m.bucket >= kDigestBuckets) throw WireError("bucket out of range");
  });
}

std::string encode(const DigestResponse& m, int version) {
  WireWriter w;
  w.count(m.buckets.size());
  for (const auto& b : m.buckets) {
    w.num(static_cast<std::int32_t>(b.bucket));
    w.num(b.events);
    w.str(b.sha256_hex);
  }
  w.count(m.events.size());
  for (const auto& [case_id, event_id] : m.events) {
    w.str(case_id);
    w.str(event_id);
  }
  w.num(m.server_time_ms);
  w.str(m.hub_epoch);
  return compress(w.finish(), version);
}

Result<DigestResponse> decode_digest_response(const std::string& body, int version) {
  return decode_message<DigestResponse>(body, version, "digest response", [&](WireReader& r, DigestResponse& m) {
    m.buckets.resize(r.count(kDigestBuckets, 16));
    for (auto& b : m.buckets) {
      b.bucket = r.num<std::int32_t>();
      b.events = r.num<std::int64_t>();
      b.sha256_hex = r.str(64);
    }
    m.events.resize(r.count(10'000'000, 8));
    for (auto& [case_id, event_id] : m.events) {
      case_id = r.str(kMaxIdBytes);
      event_id = r.str(kMaxIdBytes);
    }
    m.server_time_ms = r.num<std::int64_t>();
    m.hub_epoch = r.str(kMaxIdBytes);
  });
}

}  // namespace hallsync::protocol
