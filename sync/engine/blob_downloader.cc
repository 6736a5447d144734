// Resumable downloads of hub-issued blobs: the partial file's length is the
// resume point; a reply of another length than asked is refused.
#include "sync/api/blob_download.h"

#include <algorithm>
#include <filesystem>

#include "sync/protocol/blob_messages.h"

namespace hallsync {
namespace fs = std::filesystem;

Status enqueue_blob_download(Transaction& txn, const BlobInfo& blob, const std::string& media_type,
                             const std::string& case_id, std::int64_t now_ms) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, txn.db().prepare(
      "INSERT INTO blob_downloads (sha256, size, media_type, case_id, queued_ms) VALUES (?, ?, ?, ?, ?)"
      // A blob fetched before and removed since (its retention ran out) is
      // fetched again; one waiting stays as it is.
      " ON CONFLICT (sha256) DO UPDATE SET state = 'waiting', done_ms = NULL, last_error = ''"
      " WHERE blob_downloads.state = 'done'"));
  stmt.bind(1, blob.sha256).bind(2, blob.size).bind(3, media_type).bind(4, case_id).bind(5, now_ms);
  return stmt.run();
}

Result<std::string> blob_download_state(Database& db, const std::string& sha256) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT state FROM blob_downloads WHERE sha256 = ?"));
  stmt.bind(1, sha256);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  return row ? stmt.column_text(0) : std::string();
}

Status BlobDownloader::finish(const std::string& sha256, const std::string& error) {
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
  // Done, or still waiting with the error that stopped it.
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare(
      "UPDATE blob_downloads SET state = ?, done_ms = ?, last_error = ? WHERE sha256 = ?"));
  stmt.bind(1, error.empty() ? "done" : "waiting");
  if (error.empty()) {
    stmt.bind(2, clock_->now_ms());
  } else {
    stmt.bind_null(2);
  }
  stmt.bind(3, error).bind(4, sha256);
  HALLSYNC_RETURN_IF_ERROR(stmt.run());
  return txn.commit();
}

Status BlobDownloader::download_one(const std::string& sha256, std::int64_t size, BlobDownloadStats& stats) {
  // Already here (the same file came another way, or a store rebuilt beside
  // its old blobs): nothing to fetch once its bytes are checked.
  if (store_->contains(sha256)) {
    auto held = sha256_of_file(store_->path_of(sha256));
    if (held && *held == sha256) return finish(sha256, "");
  }
  std::error_code ec;
  fs::path partial_dir = fs::path(store_->dir()) / "partial";
  fs::create_directories(partial_dir, ec);
  if (ec) return Status::storage("cannot create " + partial_dir.string() + ": " + ec.message());
  std::string partial = (partial_dir / (sha256 + ".part")).string();
  // What is on disk was fsynced piece by piece: that is where to resume.
  auto have = static_cast<std::int64_t>(fs::exists(partial, ec) ? fs::file_size(partial, ec) : 0);
  if (have > size) {
    fs::remove(partial, ec);
    have = 0;
  }
  while (have < size) {
    auto length = static_cast<std::uint32_t>(std::min<std::int64_t>(static_cast<std::int64_t>(piece_bytes_), size - have));
    protocol::BlobRead read{credentials_.device_id, sha256, have, length};
    HttpRequest req = protocol_request("/v1/blobs/read", protocol::encode(read, protocol_version_), credentials_,
                                       protocol_version_);
    HALLSYNC_ASSIGN_OR_RETURN(HttpResponse res, signer_.exchange(*transport_, std::move(req)));
    if (res.status != 200) return status_from_hub_reply(res);
    if (res.header("Content-Type") != protocol::kChunkContentType || res.body.size() != length)
      return Status::protocol("hub answered a read of " + std::to_string(length) + " bytes at " + std::to_string(have) +
                              " with " + std::to_string(res.body.size()) + " bytes")
          .with_code("bad_range");
    HALLSYNC_RETURN_IF_ERROR(write_at_durably(partial, have, res.body));
    have += length;
    stats.bytes_received += length;
  }
  HALLSYNC_ASSIGN_OR_RETURN(std::string actual, sha256_of_file(partial));
  if (actual != sha256) {
    fs::remove(partial, ec);  // start over next time rather than keep bytes that are wrong somewhere
    return Status::protocol("downloaded bytes hash to " + actual + ", not " + sha256).with_code("hash_mismatch");
  }
  if (!store_->contains(sha256)) HALLSYNC_RETURN_IF_ERROR(store_->adopt(partial, sha256));
  fs::remove(partial, ec);
  HALLSYNC_RETURN_IF_ERROR(finish(sha256, ""));
  ++stats.downloaded;
  return Status::ok();
}

Result<BlobDownloadStats> BlobDownloader::download_waiting() {
  std::vector<std::pair<std::string, std::int64_t>> waiting;
  {
    HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare(
        "SELECT sha256, size FROM blob_downloads WHERE state = 'waiting' ORDER BY queued_ms, sha256"));
    for (;;) {
      HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
      if (!row) break;
      waiting.emplace_back(stmt.column_text(0), stmt.column_int(1));
    }
  }
  BlobDownloadStats stats;
  Status first_error = Status::ok();
  for (const auto& [sha, size] : waiting) {
    Status s = download_one(sha, size, stats);
    if (s.is_ok()) continue;
    if (s.kind() == ErrorKind::Network) return s;
    HALLSYNC_RETURN_IF_ERROR(finish(sha, s.message()));
    if (s.code() == "unknown_blob") {
      ++stats.not_yet_on_hub;
      continue;
    }
    ++stats.failed;
    if (first_error.is_ok()) first_error = s;
  }
  if (!first_error.is_ok()) return first_error;
  return stats;
}

}  // namespace hallsync
