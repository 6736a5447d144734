// Replicator: one sync session of a device with the hub — push the outbox
// after the acknowledged sequence in bounded batches, then pull the hall's
// changes after the cursor page by page, each page committed with its cursor.
// Runs on the caller's thread; when to run it (schedule, backoff) is the
// caller's business (halld's scheduler, hallctl sync).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sync/api/change_log.h"
#include "sync/api/clock.h"
#include "sync/api/database.h"
#include "sync/api/transport.h"

namespace hallsync {

struct RemoteChange {
  std::int64_t hub_seq = 0;
  std::string collection;
  std::string doc_key;
  std::string payload;
};

// Implemented by the client: applies pulled changes to its domain tables.
class ChangeSink {
 public:
  virtual ~ChangeSink() = default;
  // Applies one page inside `txn` (the replicator commits it together with the
  // new cursor). A change it cannot accept is a Protocol error: the whole page
  // is refused and nothing of it is applied.
  virtual Status apply(Transaction& txn, const std::vector<RemoteChange>& changes) = 0;
  // Called after a page's transaction committed (e.g. to reload reference
  // data); an error ends the session but the page stays applied.
  virtual Status committed() { return Status::ok(); }
};

struct DeviceCredentials {
  std::string device_id;
  std::string token;
};

struct ReplicatorOptions {
  std::size_t push_batch_entries = 500;
  std::size_t push_batch_bytes = 256 * 1024;
  std::uint32_t pull_page = 1000;
  int protocol_version = 2;
  bool include_own = false;          // re-pull: also fetch this device's own events
  std::int64_t clock_warning_ms = 5 * 60 * 1000;  // offsets beyond this are reported
  std::string software_version = "hallsync/0.1";
};

struct SyncStats {
  std::int64_t pushed = 0;    // outbox entries acknowledged by the hub
  std::int64_t rejected = 0;  // of which the hub recorded as rejected
  std::int64_t pulled = 0;    // remote changes applied
  std::int64_t push_batches = 0;
  std::int64_t pull_pages = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::int64_t clock_offset_ms = 0;  // hub clock minus ours
  bool clock_warning = false;
};

// sync_state names the replicator keeps (beside the outbox's own).
constexpr std::string_view kPullCursorKey = "pull.cursor";
constexpr std::string_view kHubEpochKey = "hub.epoch";
constexpr std::string_view kClockOffsetKey = "clock.offset_ms";

class Replicator {
 public:
  Replicator(Database& db, Transport& transport, ChangeSink& sink, const Clock& clock, DeviceCredentials credentials,
             ReplicatorOptions options = {})
      : db_(&db), transport_(&transport), sink_(&sink), clock_(&clock), credentials_(std::move(credentials)),
        options_(options) {}

  // Called after each batch or page with the totals so far (progress output).
  std::function<void(const SyncStats&)> on_progress;

  Result<SyncStats> push();
  Result<SyncStats> pull();
  // Push, then pull. Stops at the first error; what was committed stays.
  Result<SyncStats> sync();
  // What the last run moved, including a run that ended in an error.
  const SyncStats& last_stats() const { return last_; }

 private:
  // One request and its reply, with what it cost; touches no session state,
  // so a worker thread may run it while the session thread applies a page.
  struct Fetched {
    Result<HttpResponse> response = Status::internal("not fetched");
    std::int64_t sent_ms = 0, received_ms = 0;
    std::uint64_t bytes_sent = 0, bytes_received = 0;
  };
  Fetched fetch(const std::string& target, std::string body);
  // Back on the session thread: counts the bytes and yields the reply.
  Result<HttpResponse> settle(Fetched fetched);
  std::string encode_batch(const std::vector<OutboxEntry>& entries, const OutboxStats& outbox,
                           std::int64_t clock_offset_ms) const;
  Status check_epoch(const std::string& epoch);
  void note_clock(std::int64_t server_ms, std::int64_t sent_ms, std::int64_t received_ms);
  Result<SyncStats> run(bool do_push, bool do_pull);
  Status push_into(SyncStats& stats);
  Status pull_into(SyncStats& stats);

  Database* db_;
  Transport* transport_;
  ChangeSink* sink_;
  const Clock* clock_;
  DeviceCredentials credentials_;
  ReplicatorOptions options_;
  SyncStats last_;
  SyncStats* current_ = nullptr;
};

// Turns a non-200 hub reply into a classified Status (shared with hallctl's probes).
Status status_from_hub_reply(const HttpResponse& response);

}  // namespace hallsync
