// Draining the blob upload queue: offer, learn the hub's held ranges, send
// only what is missing chunk by chunk, and refuse a hub whose answers do not
// add up (wrong blob, ranges outside it, a chunk it does not confirm).
#include "sync/api/blob_upload.h"

#include <algorithm>

#include "sync/protocol/blob_messages.h"

namespace hallsync {

Status enqueue_blob_upload(Transaction& txn, const BlobInfo& blob, const std::string& media_type,
                           const std::string& case_id, std::int64_t now_ms) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, txn.db().prepare(
      "INSERT INTO blob_uploads (sha256, size, media_type, case_id, queued_ms) VALUES (?, ?, ?, ?, ?)"
      " ON CONFLICT (sha256) DO NOTHING"));
  stmt.bind(1, blob.sha256).bind(2, blob.size).bind(3, media_type).bind(4, case_id).bind(5, now_ms);
  return stmt.run();
}

Result<BlobQueueStats> blob_queue_stats(Database& db) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare(
      "SELECT count(*) FILTER (WHERE state = 'waiting'), coalesce(sum(size) FILTER (WHERE state = 'waiting'), 0),"
      " count(*) FILTER (WHERE state = 'uploaded'), coalesce(min(queued_ms) FILTER (WHERE state = 'waiting'), 0)"
      " FROM blob_uploads"));
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  BlobQueueStats s;
  if (row) s = {stmt.column_int(0), stmt.column_int(1), stmt.column_int(2), stmt.column_int(3)};
  return s;
}

namespace {

constexpr const char* kEntryColumns =
    "SELECT sha256, size, media_type, case_id, state, confirmed_bytes, attempts, last_error, queued_ms FROM blob_uploads";

BlobQueueEntry entry_from(const Statement& stmt) {
  return {stmt.column_text(0), stmt.column_int(1), stmt.column_text(2), stmt.column_text(3),
          stmt.column_text(4) == "uploaded", stmt.column_int(5), stmt.column_int(6), stmt.column_text(7),
          stmt.column_int(8)};
}

}  // namespace

Result<std::vector<BlobQueueEntry>> blob_queue_entries(Database& db, const std::vector<std::string>& sha256s) {
  std::vector<BlobQueueEntry> out;
  for (const auto& sha : sha256s) {
    HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare(std::string(kEntryColumns) + " WHERE sha256 = ?"));
    stmt.bind(1, sha);
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (row) out.push_back(entry_from(stmt));
  }
  return out;
}

Status BlobUploader::record(const std::string& sha256, std::int64_t confirmed, bool uploaded, const std::string& error) {
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare(
      "UPDATE blob_uploads SET confirmed_bytes = ?, state = ?, uploaded_ms = ?, last_error = ?,"
      " attempts = attempts + ? WHERE sha256 = ?"));
  stmt.bind(1, confirmed).bind(2, uploaded ? "uploaded" : "waiting");
  if (uploaded) {
    stmt.bind(3, clock_->now_ms());
  } else {
    stmt.bind_null(3);
  }
  stmt.bind(4, error).bind(5, error.empty() ? 0 : 1).bind(6, sha256);
  HALLSYNC_RETURN_IF_ERROR(stmt.run());
  return txn.commit();
}

Result<protocol::BlobState> BlobUploader::send(const std::string& target, std::string body, const HeaderList& extra,
                                               const BlobQueueEntry& entry) {
  HttpRequest req = protocol_request(target, std::move(body), credentials_, options_.protocol_version);
  for (const auto& h : extra) {
    auto it = std::find_if(req.headers.begin(), req.headers.end(), [&](const auto& x) { return x.first == h.first; });
    if (it != req.headers.end()) {
      it->second = h.second;
    } else {
      req.headers.push_back(h);
    }
  }
  HALLSYNC_ASSIGN_OR_RETURN(HttpResponse res, signer_.exchange(*transport_, std::move(req)));
  HALLSYNC_RETURN_IF_ERROR(check_protocol_reply(res));
  HALLSYNC_ASSIGN_OR_RETURN(auto state, protocol::decode_blob_state(res.body, options_.protocol_version));
  if (state.sha256 != entry.sha256 || state.size != entry.size)
    return Status::protocol("hub answered about blob " + state.sha256.substr(0, 12) + "… of " + std::to_string(state.size) +
                            " bytes, not the " + std::to_string(entry.size) + "-byte blob " + entry.sha256.substr(0, 12) + "… asked for")
        .with_code("bad_range");
  return state;
}

Status BlobUploader::upload_one(const BlobQueueEntry& entry, BlobUploadStats& stats) {
  // The local copy must still be what was attached: never send bytes that
  // would only make the hub drop the blob.
  if (!store_->contains(entry.sha256))
    return Status::storage("scanned file " + entry.sha256.substr(0, 12) + "… is missing from " + store_->dir());
  HALLSYNC_ASSIGN_OR_RETURN(std::string local, sha256_of_file(store_->path_of(entry.sha256)));
  if (local != entry.sha256)
    return Status::storage("scanned file " + entry.sha256.substr(0, 12) + "… in " + store_->dir() +
                           " no longer matches its hash (damaged on disk)")
        .with_code("blob_damaged");
  protocol::BlobOffer offer{credentials_.device_id, entry.sha256, entry.size, entry.case_id};
  HALLSYNC_ASSIGN_OR_RETURN(auto state, send("/v1/blobs/offer", protocol::encode(offer, options_.protocol_version), {}, entry));
  std::size_t chunk = std::min<std::size_t>(options_.chunk_bytes, state.max_chunk);
  if (chunk == 0) chunk = 1;
  while (!state.complete) {
    auto missing = protocol::missing_ranges(state.held, entry.size);
    if (missing.empty())
      return Status::protocol("hub holds every byte of blob " + entry.sha256.substr(0, 12) + "… but calls it incomplete")
          .with_code("bad_range");
    std::int64_t offset = missing.front().begin;
    std::int64_t length = std::min<std::int64_t>(static_cast<std::int64_t>(chunk), missing.front().end - offset);
    HALLSYNC_ASSIGN_OR_RETURN(std::string bytes, store_->read(entry.sha256, offset, static_cast<std::size_t>(length)));
    if (static_cast<std::int64_t>(bytes.size()) != length)
      return Status::storage("scanned file " + entry.sha256.substr(0, 12) + "… is shorter than recorded");
    HeaderList extra = {{"Content-Type", protocol::kChunkContentType},
                        {protocol::kBlobHeader, entry.sha256},
                        {protocol::kOffsetHeader, std::to_string(offset)}};
    HALLSYNC_ASSIGN_OR_RETURN(auto next, send("/v1/blobs/chunk", std::move(bytes), extra, entry));
    ++stats.chunks_sent;
    stats.bytes_sent += length;
    // The hub must now hold what it was just sent, or say the blob is complete.
    if (!next.complete && !protocol::covers(next.held, offset, offset + length))
      return Status::protocol("hub did not confirm bytes [" + std::to_string(offset) + ", " +
                              std::to_string(offset + length) + ") of blob " + entry.sha256.substr(0, 12) + "…")
          .with_code("bad_range");
    state = std::move(next);
    std::int64_t held = 0;
    for (const auto& r : state.held) held += r.end - r.begin;
    HALLSYNC_RETURN_IF_ERROR(record(entry.sha256, state.complete ? entry.size : held, false, ""));
    if (on_progress) on_progress(stats);
    if (between_chunks) {
      session_error_ = between_chunks();
      if (!session_error_.is_ok()) return session_error_;
    }
  }
  HALLSYNC_RETURN_IF_ERROR(record(entry.sha256, entry.size, true, ""));
  ++stats.uploaded;
  return Status::ok();
}

Result<BlobUploadStats> BlobUploader::upload_waiting() {
  session_error_ = Status::ok();
  std::vector<BlobQueueEntry> waiting;
  {
    HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare(std::string(kEntryColumns) +
                                                      " WHERE state = 'waiting' ORDER BY queued_ms, sha256"));
    for (;;) {
      HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
      if (!row) break;
      waiting.push_back(entry_from(stmt));
    }
  }
  BlobUploadStats stats;
  Status first_error = Status::ok();
  for (const auto& entry : waiting) {
    Status s = upload_one(entry, stats);
    if (s.is_ok()) continue;
    if (!session_error_.is_ok()) return session_error_;  // a push in between failed: not this blob's fault
    // Transient: the link or the hub; the next session resumes from what the hub holds.
    if (s.kind() == ErrorKind::Network) return s;
    ++stats.failed;
    HALLSYNC_RETURN_IF_ERROR(record(entry.sha256, entry.confirmed_bytes, false, s.message()));
    if (first_error.is_ok()) first_error = s;
  }
  if (!first_error.is_ok()) return first_error;
  return stats;
}

}  // namespace hallsync
