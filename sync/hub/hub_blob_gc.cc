// The hub's collection of abandoned uploads: incomplete blobs nobody touched
// within the grace period (rows, references and every hall's partial file),
// a hall's unfinished proof upload of a blob the hub already holds, and
// partial files no upload owns any more (a crash between the file and its
// row, or the shared partials of hubs before migration 0006).
#include <filesystem>
#include <optional>
#include <set>
#include <utility>

#include "sync/api/crypto_suite.h"
#include "sync/hub/hub_service.h"

namespace hallsync::hub {
namespace {

using Upload = std::pair<std::string, std::string>;  // sha256, hall code

Result<std::vector<std::string>> column_of(Database& db, const char* sql, std::int64_t cutoff) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare(sql));
  stmt.bind(1, cutoff);
  return stmt.column_texts();
}

Result<std::vector<Upload>> stale_uploads(Database& db, std::int64_t cutoff) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT sha256, hall_code FROM blob_upload_ranges"
                                                  " GROUP BY sha256, hall_code HAVING max(updated_ms) < ?"));
  stmt.bind(1, cutoff);
  std::vector<Upload> out;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    out.emplace_back(stmt.column_text(0), stmt.column_text(1));
  }
  return out;
}

Status delete_where(Transaction& txn, const char* sql, const std::string& a, const std::string* b = nullptr) {
  HALLSYNC_ASSIGN_OR_RETURN(auto del, txn.db().prepare(sql));
  del.bind(1, a);
  if (b) del.bind(2, *b);
  return del.run();
}

// The (sha256, hall) a partial file belongs to, from "<sha>.<hex hall>.part";
// nullopt for any other name (the pre-0006 "<sha>.part" among them).
std::optional<Upload> upload_of_file(const std::string& name) {
  constexpr std::size_t kSha = 64;
  const std::string suffix = ".part";
  if (name.size() <= kSha + 1 + suffix.size() || name[kSha] != '.' ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return std::nullopt;
  auto hall = crypto::from_hex(name.substr(kSha + 1, name.size() - kSha - 1 - suffix.size()));
  if (!hall) return std::nullopt;
  return Upload{name.substr(0, kSha), *hall};
}

}  // namespace

Result<std::int64_t> HubService::collect_abandoned_blobs(std::int64_t grace_ms, std::int64_t* bytes_freed) {
  const std::int64_t cutoff = clock_->now_ms() - grace_ms;
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
  HALLSYNC_ASSIGN_OR_RETURN(std::vector<std::string> blobs,
                            column_of(*db_, "SELECT sha256 FROM blobs WHERE complete = 0 AND updated_ms < ?", cutoff));
  HALLSYNC_ASSIGN_OR_RETURN(std::vector<Upload> uploads, stale_uploads(*db_, cutoff));
  const std::set<std::string> dropped_blobs(blobs.begin(), blobs.end());
  std::int64_t dropped = static_cast<std::int64_t>(blobs.size());
  for (const auto& [sha, hall] : uploads) {
    if (dropped_blobs.count(sha)) continue;  // goes with its blob below
    HALLSYNC_RETURN_IF_ERROR(
        delete_where(txn, "DELETE FROM blob_upload_ranges WHERE sha256 = ? AND hall_code = ?", sha, &hall));
    ++dropped;
  }
  for (const auto& sha : blobs)
    for (const char* sql : {"DELETE FROM blob_upload_ranges WHERE sha256 = ?", "DELETE FROM blob_refs WHERE sha256 = ?",
                            "DELETE FROM blob_holders WHERE sha256 = ?", "DELETE FROM blobs WHERE sha256 = ?"})
      HALLSYNC_RETURN_IF_ERROR(delete_where(txn, sql, sha));
  HALLSYNC_RETURN_IF_ERROR(txn.commit());

  // Files after the rows: a crash in between leaves a file no row names, which
  // the next sweep removes or the next offer of that blob overwrites.
  const std::set<Upload> stale(uploads.begin(), uploads.end());
  std::int64_t freed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(blob_dir() + "/partial", ec)) {
    auto owner = upload_of_file(entry.path().filename().string());
    bool remove = !owner || dropped_blobs.count(owner->first) || stale.count(*owner);
    if (!remove) {
      // A file whose blob row is gone belongs to no upload.
      HALLSYNC_ASSIGN_OR_RETURN(auto known, db_->prepare("SELECT 1 FROM blobs WHERE sha256 = ?"));
      known.bind(1, owner->first);
      HALLSYNC_ASSIGN_OR_RETURN(bool exists, known.step());
      remove = !exists;
    }
    if (!remove) continue;
    std::error_code size_ec, rm_ec;
    auto size = entry.file_size(size_ec);
    if (std::filesystem::remove(entry.path(), rm_ec) && !size_ec) freed += static_cast<std::int64_t>(size);
  }
  if (bytes_freed) *bytes_freed = freed;
  return dropped;
}

}  // namespace hallsync::hub
