// The blob upload queue (local table blob_uploads, migration 0008) and the
// uploader that drains it: each waiting blob is offered to the hub, which says
// which byte ranges it holds; only the missing ones are sent, in chunks of
// bounded size, each confirmed by the hub before the next. A cut, a restart or
// a reboot resumes from what the hub holds. Separate from the outbox, so a scan
// never delays a case event; sessions run it after push and pull.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sync/api/blob_store.h"
#include "sync/api/clock.h"
#include "sync/api/database.h"
#include "sync/api/replicator.h"
#include "sync/api/transport.h"

namespace hallsync {

namespace protocol {
struct BlobState;
}

struct BlobQueueEntry {
  std::string sha256;
  std::int64_t size = 0;
  std::string media_type;
  std::string case_id;
  bool uploaded = false;
  std::int64_t confirmed_bytes = 0;
  std::int64_t attempts = 0;
  std::string last_error;
  std::int64_t queued_ms = 0;
};

struct BlobQueueStats {
  std::int64_t waiting = 0;
  std::int64_t waiting_bytes = 0;
  std::int64_t uploaded = 0;
  std::int64_t oldest_waiting_ms = 0;  // 0 when none waits
};

// Queues a blob for upload inside the caller's transaction (the one that
// records the attachment event). A blob already queued or uploaded stays as it is.
Status enqueue_blob_upload(Transaction& txn, const BlobInfo& blob, const std::string& media_type,
                           const std::string& case_id, std::int64_t now_ms);
Result<BlobQueueStats> blob_queue_stats(Database& db);
// The entries for the given hashes (absent ones are left out).
Result<std::vector<BlobQueueEntry>> blob_queue_entries(Database& db, const std::vector<std::string>& sha256s);

struct BlobUploadOptions {
  std::size_t chunk_bytes = 64 * 1024;  // each chunk one request; also capped by the hub's max_chunk
  int protocol_version = 3;
};

struct BlobUploadStats {
  std::int64_t uploaded = 0;       // blobs the hub confirmed complete in this run
  std::int64_t chunks_sent = 0;
  std::int64_t bytes_sent = 0;     // chunk payload bytes
  std::int64_t failed = 0;         // blobs left waiting with an error
};

class BlobUploader {
 public:
  BlobUploader(Database& db, Transport& transport, const BlobStore& store, const Clock& clock,
               DeviceCredentials credentials, BlobUploadOptions options = {})
      : db_(&db), transport_(&transport), store_(&store), clock_(&clock), credentials_(credentials),
        options_(options), signer_(std::move(credentials), clock) {
    load_signing_state(signer_, db);
  }

  // Uploads every waiting blob, oldest first. A network error stops the run at
  // once (the next session resumes); a blob the hub or the local store refuses
  // is recorded (last_error) and the run goes on with the next; the first such
  // error is returned at the end.
  Result<BlobUploadStats> upload_waiting();
  // Called after each confirmed chunk (progress output, tests).
  std::function<void(const BlobUploadStats&)> on_progress;
  // Also after each confirmed chunk: the session pushes case events written
  // meanwhile here, so a long upload never holds one back. An error stops the run.
  std::function<Status()> between_chunks;

 private:
  Status upload_one(const BlobQueueEntry& entry, BlobUploadStats& stats);
  // Set when between_chunks failed: the session's error, not the blob's.
  Status session_error_ = Status::ok();
  Result<protocol::BlobState> send(const std::string& target, std::string body, const HeaderList& extra,
                                   const BlobQueueEntry& entry);
  Status record(const std::string& sha256, std::int64_t confirmed, bool uploaded, const std::string& error);

  Database* db_;
  Transport* transport_;
  const BlobStore* store_;
  const Clock* clock_;
  DeviceCredentials credentials_;
  BlobUploadOptions options_;
  RequestSigner signer_;  // with the offset the session before it learned
};

}  // namespace hallsync
