// Scanned materials: check, store by hash, record the event and queue the
// upload in one transaction.
#include "client/store/material_attach.h"

#include <algorithm>
#include <filesystem>

#include "client/store/scan_downscale.h"
#include "sync/api/blob_download.h"
#include "sync/api/blob_store.h"
#include "sync/api/blob_upload.h"

namespace hallsync::client {

std::string blob_dir(const HallStore& store) { return (std::filesystem::path(store.data_dir()) / "blobs").string(); }

Result<AttachResult> attach_material_file(HallStore& store, const std::string& case_ref, const std::string& path,
                                          const std::string& material, const std::string& clerk_id,
                                          AttachOptions options) {
  if (material.empty()) return Status::validation("请用 --material 写明扫描的是哪一项材料");
  HALLSYNC_ASSIGN_OR_RETURN(std::string bytes, read_material_file(path));
  return attach_material_bytes(store, case_ref, bytes, material, clerk_id, options);
}

Result<AttachResult> attach_material_bytes(HallStore& store, const std::string& case_ref, std::string_view bytes,
                                           const std::string& material, const std::string& clerk_id,
                                           AttachOptions options) {
  if (material.empty()) return Status::validation("请写明扫描的是哪一项材料");
  if (material.size() > kMaxMaterialNameBytes) return Status::validation("材料名称过长");
  HALLSYNC_RETURN_IF_ERROR(check_material_bytes(bytes));
  CaseRepository repo(store);
  // The case first: a file for a case that does not exist is never stored.
  HALLSYNC_ASSIGN_OR_RETURN(CaseView current, repo.load(case_ref));
  MaterialFileRef ref;
  ref.media_type = *sniff_media_type(bytes);
  // Limits apply to what the clerk gave; downscaling only ever makes it smaller.
  ScanDownscale scaled;
  if (!options.keep_original) {
    scaled = downscale_scan(bytes, ref.media_type);
    if (scaled.downscaled) {
      ref.original_width = scaled.original_width;
      ref.original_height = scaled.original_height;
      ref.original_size = static_cast<std::int64_t>(bytes.size());
      bytes = scaled.bytes;
    }
  }
  // The file is durable before the event that names it commits; if that
  // commit fails the file stays unreferenced (garbage collection: not done yet).
  BlobStore blobs(blob_dir(store));
  HALLSYNC_ASSIGN_OR_RETURN(BlobInfo info, blobs.put(bytes));
  ref.sha256 = info.sha256;
  ref.size = info.size;
  schema::CaseEvent draft;
  draft.kind = schema::EventKind::MaterialAttached;
  draft.clerk_id = clerk_id;
  draft.materials = {material};
  draft.value = material_descriptor(ref);
  std::int64_t now = store.clock().now_ms();
  HALLSYNC_ASSIGN_OR_RETURN(CaseView view,
                            repo.record(current.case_id, std::move(draft),
                                        [&](Transaction& txn, const std::string& case_id) {
                                          return enqueue_blob_upload(txn, info, ref.media_type, case_id, now);
                                        }));
  return AttachResult{std::move(view), ref};
}

Result<std::vector<std::string>> attachment_upload_states(HallStore& store, const CaseView& view) {
  std::vector<std::string> shas;
  for (const auto& a : view.attachments) shas.push_back(a.sha256);
  HALLSYNC_ASSIGN_OR_RETURN(auto entries, blob_queue_entries(store.db(), shas));
  std::vector<std::string> out;
  BlobStore held(blob_dir(store));
  const std::string device = store.identity().device_id();
  for (const auto& a : view.attachments) {
    // This PC's copy went when its retention ran out; the hub keeps it.
    if (std::find(a.purged_on.begin(), a.purged_on.end(), device) != a.purged_on.end() && !held.contains(a.sha256)) {
      HALLSYNC_ASSIGN_OR_RETURN(std::string download, blob_download_state(store.db(), a.sha256));
      out.push_back(download == "waiting" ? "to_download" : "purged");
      continue;
    }
    std::string state = "elsewhere";
    for (const auto& e : entries)
      if (e.sha256 == a.sha256) state = e.uploaded ? "uploaded" : "waiting";
    if (state == "elsewhere") {
      HALLSYNC_ASSIGN_OR_RETURN(std::string download, blob_download_state(store.db(), a.sha256));
      if (!download.empty()) state = download == "done" ? "downloaded" : "to_download";
    }
    out.push_back(state);
  }
  return out;
}

}  // namespace hallsync::client
