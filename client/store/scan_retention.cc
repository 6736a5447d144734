// Which closed cases' scans expired, the material_purged event, then the files.
#include "client/store/scan_retention.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "client/store/case_repository.h"
#include "client/store/material_attach.h"
#include "sync/api/blob_store.h"

namespace hallsync::client {
namespace {

Result<std::vector<std::string>> cases_with_scans(Database& db) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT DISTINCT case_id FROM case_events WHERE kind = ?"));
  stmt.bind(1, schema::event_kind_code(schema::EventKind::MaterialAttached));
  return stmt.column_texts();
}

// Held here but not confirmed by the hub (an upload still waiting), or fetched
// back from the hub within the period: both stay.
Result<bool> must_keep(Database& db, const std::string& sha, std::int64_t fetched_after_ms) {
  HALLSYNC_ASSIGN_OR_RETURN(auto up, db.prepare("SELECT state FROM blob_uploads WHERE sha256 = ?"));
  up.bind(1, sha);
  HALLSYNC_ASSIGN_OR_RETURN(bool queued, up.step());
  if (queued && up.column_text(0) != "uploaded") return true;
  HALLSYNC_ASSIGN_OR_RETURN(auto down, db.prepare("SELECT done_ms FROM blob_downloads WHERE sha256 = ? AND state = 'done'"));
  down.bind(1, sha);
  HALLSYNC_ASSIGN_OR_RETURN(bool fetched, down.step());
  return fetched && down.column_int(0) > fetched_after_ms;
}

}  // namespace

Result<ScanRetentionRun> purge_expired_scans(HallStore& store, std::int64_t retention_ms, bool dry_run) {
  ScanRetentionRun run;
  CaseRepository repo(store);
  BlobStore blobs(blob_dir(store));
  const std::int64_t now = store.clock().now_ms(), horizon = now - retention_ms;
  const std::string device = store.identity().device_id();
  HALLSYNC_ASSIGN_OR_RETURN(auto case_ids, cases_with_scans(store.db()));

  // A file shared by several cases goes only when every one of them expired.
  std::map<std::string, CaseView> expired;  // by case id
  std::set<std::string> still_needed;
  for (const auto& id : case_ids) {
    HALLSYNC_ASSIGN_OR_RETURN(CaseView v, repo.load(id));
    std::int64_t last = 0;
    for (const auto& e : v.events) last = std::max(last, e.wall_ms);
    if (is_open(v.state) || last >= horizon) {
      for (const auto& a : v.attachments) still_needed.insert(a.sha256);
      continue;
    }
    expired.emplace(id, std::move(v));
  }

  for (auto& [id, v] : expired) {
    std::vector<std::string> to_remove, to_record;
    for (const auto& a : v.attachments) {
      if (std::find(to_remove.begin(), to_remove.end(), a.sha256) != to_remove.end()) continue;
      if (!blobs.contains(a.sha256)) continue;
      if (still_needed.count(a.sha256)) {
        ++run.kept_shared;
        continue;
      }
      HALLSYNC_ASSIGN_OR_RETURN(bool keep, must_keep(store.db(), a.sha256, horizon));
      if (keep) {
        ++run.kept_unconfirmed;
        continue;
      }
      to_remove.push_back(a.sha256);
      // Recorded once per device and scan: a copy fetched back and expired
      // again is removed without a second event.
      if (std::find(a.purged_on.begin(), a.purged_on.end(), device) == a.purged_on.end()) to_record.push_back(a.sha256);
    }
    if (to_remove.empty()) continue;
    ++run.cases;
    if (dry_run) {
      for (const auto& sha : to_remove) {
        ++run.files_removed;
        std::error_code ec;
        run.bytes_freed += static_cast<std::int64_t>(std::filesystem::file_size(blobs.path_of(sha), ec));
      }
      continue;
    }
    if (!to_record.empty()) {
      schema::CaseEvent draft;
      draft.kind = schema::EventKind::MaterialPurged;
      draft.clerk_id = "retention";  // no person acted: the retention rule did
      for (const auto& sha : to_record) draft.value += (draft.value.empty() ? "" : ",") + sha;
      HALLSYNC_RETURN_IF_ERROR(repo.record(id, std::move(draft)).status());
    }
    // Files after the event: a crash between leaves files the next run removes.
    for (const auto& sha : to_remove) {
      std::error_code ec;
      std::string path = blobs.path_of(sha);
      auto size = static_cast<std::int64_t>(std::filesystem::file_size(path, ec));
      if (!std::filesystem::remove(path, ec) && ec)
        return Status::storage("cannot remove " + path + ": " + ec.message());
      ++run.files_removed;
      run.bytes_freed += size;
    }
  }
  return run;
}

}  // namespace hallsync::client
