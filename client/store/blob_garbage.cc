// Finding and removing unreferenced blob files after their grace period.
#include "client/store/blob_garbage.h"

#include <sys/stat.h>

#include <filesystem>
#include <set>

#include "client/domain/material_file.h"
#include "client/store/material_attach.h"
#include "sync/api/blob_store.h"
#include "sync/api/event_codec.h"

namespace hallsync::client {
namespace fs = std::filesystem;

namespace {

// Every blob a case event names, and every one the upload queue holds
// (waiting ones are in flight; uploaded ones are named by an event anyway).
Result<std::set<std::string>> referenced_blobs(HallStore& store) {
  std::set<std::string> out;
  HALLSYNC_ASSIGN_OR_RETURN(auto events, store.db().prepare("SELECT event_id, body FROM case_events WHERE kind = ?"));
  events.bind(1, schema::event_kind_code(schema::EventKind::MaterialAttached));
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, events.step());
    if (!row) break;
    HALLSYNC_ASSIGN_OR_RETURN(auto body, open_event_body(store.sealer(), events.column_text(0), events.column_blob(1)));
    HALLSYNC_ASSIGN_OR_RETURN(auto e, decode_event(body.data(), body.size()));
    if (auto ref = parse_material_descriptor(e.value)) out.insert(ref->sha256);
  }
  HALLSYNC_ASSIGN_OR_RETURN(auto queued, store.db().prepare("SELECT sha256 FROM blob_uploads"));
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, queued.step());
    if (!row) break;
    out.insert(queued.column_text(0));
  }
  return out;
}

std::int64_t modified_ms(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 0;
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

}  // namespace

Result<BlobGarbageReport> collect_blob_garbage(HallStore& store, std::int64_t grace_ms, bool dry_run) {
  BlobGarbageReport report;
  fs::path root = blob_dir(store);
  std::error_code ec;
  if (!fs::exists(root, ec)) return report;
  HALLSYNC_ASSIGN_OR_RETURN(auto referenced, referenced_blobs(store));
  const std::int64_t now = store.clock().now_ms();
  for (const auto& entry : fs::recursive_directory_iterator(root, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const fs::path& p = entry.path();
    std::string name = p.filename().string();
    bool temporary = p.parent_path().filename() == "tmp";
    if (!temporary && !is_sha256_hex(name)) continue;  // not ours: never touched
    if (!temporary && referenced.count(name)) {
      ++report.referenced;
      continue;
    }
    if (now - modified_ms(p) < grace_ms) {
      ++report.too_recent;
      continue;
    }
    auto size = static_cast<std::int64_t>(entry.file_size(ec));
    if (!dry_run && !fs::remove(p, ec)) return Status::storage("cannot remove " + p.string() + ": " + ec.message());
    ++report.removed;
    report.removed_bytes += size;
    report.removed_files.push_back(p.string());
  }
  if (ec) return Status::storage("cannot list " + root.string() + ": " + ec.message());
  return report;
}

}  // namespace hallsync::client
