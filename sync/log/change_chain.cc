// Computing and checking the change-log chain (see sync/api/change_chain.h).
#include "sync/api/change_chain.h"
#include "sync/api/change_log.h"

#include "sync/api/crypto_suite.h"

namespace hallsync {

std::string chain_genesis() {
  static const std::string genesis = [] {
    crypto::DigestBuilder b;
    b.add_field("hallsync change-log chain genesis").add_field(crypto::kSuiteTag);
    return b.finish();
  }();
  return genesis;
}

std::string chain_link(std::string_view prev, std::int64_t seq, std::uint64_t hlc, std::string_view collection,
                       std::string_view doc_key, std::string_view payload) {
  return chain_link_digest(prev, seq, hlc, collection, doc_key, crypto::digest(payload));
}

std::string chain_link_digest(std::string_view prev, std::int64_t seq, std::uint64_t hlc, std::string_view collection,
                              std::string_view doc_key, std::string_view payload_digest) {
  crypto::DigestBuilder b;
  b.add_field(prev).add_int(seq).add_int(static_cast<std::int64_t>(hlc)).add_field(collection).add_field(doc_key)
      .add_field(payload_digest);
  return b.finish();
}

namespace {
std::string as_string(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }
}  // namespace

Status complete_change_log_chain(Database& db) {
  {
    HALLSYNC_ASSIGN_OR_RETURN(auto probe, db.prepare("SELECT chain IS NULL FROM change_log ORDER BY seq LIMIT 1"));
    HALLSYNC_ASSIGN_OR_RETURN(bool row, probe.step());
    if (!row || probe.column_int(0) == 0) return Status::ok();
  }
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(db));
  HALLSYNC_ASSIGN_OR_RETURN(auto read, db.prepare("SELECT seq, hlc, collection, doc_key, payload, chain FROM change_log"
                                                  " ORDER BY seq"));
  std::string prev = chain_genesis();
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, read.step());
    if (!row) break;
    if (!read.column_is_null(5)) {
      // Entries appended after the fill started chain on from here (never
      // happens in one transaction, but the stored hash is the truth).
      prev = as_string(read.column_blob(5));
      continue;
    }
    std::int64_t seq = read.column_int(0);
    prev = chain_link(prev, seq, static_cast<std::uint64_t>(read.column_int(1)), read.column_text(2),
                      read.column_text(3), as_string(read.column_blob(4)));
    HALLSYNC_ASSIGN_OR_RETURN(auto write, db.prepare("UPDATE change_log SET chain = ? WHERE seq = ? AND chain IS NULL"));
    write.bind_blob(1, prev.data(), prev.size()).bind(2, seq);
    HALLSYNC_RETURN_IF_ERROR(write.run());
  }
  return txn.commit();
}

Result<ChainCheck> verify_change_log_chain(Database& db) {
  ChainCheck out;
  out.head = chain_genesis();
  HALLSYNC_ASSIGN_OR_RETURN(auto read, db.prepare("SELECT seq, hlc, collection, doc_key, payload, chain FROM change_log"
                                                  " ORDER BY seq"));
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, read.step());
    if (!row) break;
    ++out.entries;
    std::int64_t seq = read.column_int(0);
    if (read.column_is_null(5)) {
      out.broken = ChainBreak{seq, "entry has no chain hash (the store was opened by a release older than migration 0011"
                                   " after the upgrade, or the column was cleared)"};
      return out;
    }
    std::string stored = as_string(read.column_blob(5));
    const Hlc hlc{static_cast<std::uint64_t>(read.column_int(1))};
    auto payload = clear_payload(db, read.column_text(2), read.column_text(3), hlc, read.column_blob(4));
    if (!payload) {
      out.broken = ChainBreak{seq, "its sealed payload does not open (" + payload.status().message() + ")"};
      return out;
    }
    std::string expected = chain_link(out.head, seq, hlc.value, read.column_text(2), read.column_text(3),
                                      as_string(*payload));
    if (stored != expected) {
      out.broken = ChainBreak{seq, "stored hash " + crypto::to_hex(stored).substr(0, 16) +
                                       "… does not follow from the previous entry and this entry's contents (expected " +
                                       crypto::to_hex(expected).substr(0, 16) +
                                       "…): the entry or one before it was altered outside hallsync"};
      return out;
    }
    out.head = std::move(stored);
  }
  return out;
}

}  // namespace hallsync
