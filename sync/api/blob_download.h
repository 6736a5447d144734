// Downloads of blobs for this hall's cases (local table blob_downloads,
// migration 0008): documents the hub issued, queued as their events are
// pulled, and scans another PC of the hall attached, queued when a clerk here
// asks for them. Each waiting blob is read by range into
// DATA_DIR/blobs/partial/<sha>.part, every piece fsynced before the next is
// asked for, so a cut, a restart or a reboot resumes from the partial file's
// length; the whole SHA-256 is checked before the blob joins the store.
#pragma once

#include <cstdint>
#include <string>

#include "sync/api/blob_store.h"
#include "sync/api/clock.h"
#include "sync/api/database.h"
#include "sync/api/replicator.h"
#include "sync/api/transport.h"

namespace hallsync {

// Queues a download inside the caller's transaction (the pulled page that
// carries the hub's material_attached event). Known blobs are left as they are.
Status enqueue_blob_download(Transaction& txn, const BlobInfo& blob, const std::string& media_type,
                             const std::string& case_id, std::int64_t now_ms);
// "waiting", "done", or empty when the blob is not queued for download.
Result<std::string> blob_download_state(Database& db, const std::string& sha256);

struct BlobDownloadStats {
  std::int64_t downloaded = 0;
  std::int64_t bytes_received = 0;  // payload bytes
  std::int64_t failed = 0;
  // Not on the hub yet (the PC that attached it has not finished uploading):
  // still waiting, retried next session, and not an error of this one.
  std::int64_t not_yet_on_hub = 0;
};

class BlobDownloader {
 public:
  BlobDownloader(Database& db, Transport& transport, const BlobStore& store, const Clock& clock,
                 DeviceCredentials credentials, std::size_t piece_bytes = 64 * 1024, int protocol_version = 3)
      : db_(&db), transport_(&transport), store_(&store), clock_(&clock), credentials_(credentials),
        piece_bytes_(piece_bytes), protocol_version_(protocol_version),
        signer_(std::move(credentials), clock) {
    load_signing_state(signer_, db);
  }

  // Every waiting download, oldest first. A network error stops the run (the
  // next session resumes); a refusal or a hash mismatch is recorded on that
  // blob and the run goes on; the first such error is returned at the end. A
  // blob the hub does not hold yet (unknown_blob) is recorded and counted in
  // not_yet_on_hub, not returned: its uploader is simply behind.
  Result<BlobDownloadStats> download_waiting();

 private:
  Status download_one(const std::string& sha256, std::int64_t size, BlobDownloadStats& stats);
  Status finish(const std::string& sha256, const std::string& error);

  Database* db_;
  Transport* transport_;
  const BlobStore* store_;
  const Clock* clock_;
  DeviceCredentials credentials_;
  std::size_t piece_bytes_;
  int protocol_version_;
  RequestSigner signer_;  // with the offset the session before it learned
};

}  // namespace hallsync
