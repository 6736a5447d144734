// Attaching a scanned material to a case: the file is checked (type by its
// bytes, size), stored content-addressed under DATA_DIR/blobs, and recorded by
// a material_attached event whose transaction also queues the upload.
#pragma once

#include <string>
#include <vector>

#include "client/domain/material_file.h"
#include "client/store/case_repository.h"
#include "client/store/hall_store.h"

namespace hallsync::client {

// Where the hall's blob files live.
std::string blob_dir(const HallStore& store);

struct AttachResult {
  CaseView view;
  MaterialFileRef file;  // what was stored (downscaled or as scanned)
};

struct AttachOptions {
  // Store the exact bytes the clerk gave, never downscaled (--keep-original).
  bool keep_original = false;
};

// `path`: a file the clerk named. Every refusal is a Chinese Validation
// (missing file, directory, over the limit, type not allowed) or NotFound
// (no such case); nothing is written then. A large JPEG is downscaled where
// safe unless options.keep_original (client/store/scan_downscale.h).
Result<AttachResult> attach_material_file(HallStore& store, const std::string& case_ref, const std::string& path,
                                          const std::string& material, const std::string& clerk_id,
                                          AttachOptions options = {});
// The same for bytes already read (the daemon's API receives the file itself).
Result<AttachResult> attach_material_bytes(HallStore& store, const std::string& case_ref, std::string_view bytes,
                                           const std::string& material, const std::string& clerk_id,
                                           AttachOptions options = {});

// Transfer state of a case's attachments, for views: "uploaded", "waiting" (to
// upload), "downloaded", "to_download" (issued by the hub, or asked for),
// "elsewhere" (attached on another device of the hall, which uploads it), or
// "purged" (this PC's copy removed when its retention ran out; the hub has it).
Result<std::vector<std::string>> attachment_upload_states(HallStore& store, const CaseView& view);

}  // namespace hallsync::client
