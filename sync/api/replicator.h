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
#include "sync/api/clock_anchor.h"
#include "sync/api/database.h"
#include "sync/api/request_signing.h"
#include "sync/api/transport.h"

namespace hallsync {

namespace protocol {
struct Rejection;
}

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

// The protocol version devices speak by default: protocol::kCurrentVersion
// (asserted in replicator.cc, where the protocol's headers are known).
constexpr int kDeviceProtocolVersion = 3;

struct ReplicatorOptions {
  std::size_t push_batch_entries = 500;
  std::size_t push_batch_bytes = 256 * 1024;
  std::uint32_t pull_page = 1000;
  int protocol_version = kDeviceProtocolVersion;
  bool include_own = false;          // re-pull: also fetch this device's own events
  std::int64_t clock_warning_ms = 5 * 60 * 1000;  // offsets beyond this are reported
  // Ties the learned hub time to this machine's boot clock (clock_anchor.h);
  // null: the one that goes with the replicator's clock (BootClockFor).
  const BootClock* boot_clock = nullptr;
  std::string software_version = "hallsync/0.1";
  // Scanned materials: when set (DATA_DIR/blobs), sync() uploads the waiting
  // blobs after the push and the pull, so case data is never behind a blob,
  // then downloads the blobs the hub issued for this hall's cases.
  std::string blob_dir{};
  std::size_t blob_chunk_bytes = 64 * 1024;  // a case written meanwhile waits at most one chunk (~8 s at 64 kbit/s)
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
  std::int64_t blobs_uploaded = 0;   // scanned materials the hub confirmed complete
  std::int64_t blob_chunks = 0;
  std::int64_t blob_bytes = 0;       // chunk payload bytes sent
  std::int64_t blobs_downloaded = 0; // hub-issued blobs fetched whole and verified
  std::int64_t blobs_not_yet_on_hub = 0;  // asked for, but their uploader has not finished
};

// sync_state names the replicator keeps (beside the outbox's own).
constexpr std::string_view kPullCursorKey = "pull.cursor";
constexpr std::string_view kHubEpochKey = "hub.epoch";
constexpr std::string_view kClockOffsetKey = "clock.offset_ms";  // with a ClockAnchor beside it
// 1 once a session of signed requests succeeded: from then on this device
// never sends its token to a hub that asks for it (RequestSigner).
constexpr std::string_view kSignedKey = "auth.signed";
// A re-pull's own cursor while one is unfinished (absent or -1 otherwise).
constexpr std::string_view kRepullCursorKey = "repull.cursor";

// What the hub says about this device before a repair (hallctl resync): an
// empty push, answered with the hub's epoch, its high-water mark for this
// device and its clock. Changes nothing at the hub but the device's report.
struct HubHandshake {
  std::string hub_epoch;            // the hub's epoch now (16 hex digits)
  std::string known_epoch;          // the epoch this store recorded; empty if it never synced
  std::int64_t high_water = 0;      // the hub holds this device's outbox up to here
  std::int64_t server_time_ms = 0;
  // True when the store synced with another incarnation of the hub.
  bool epoch_changed() const { return !known_epoch.empty() && known_epoch != hub_epoch; }
};

// Signed with `clock` corrected by the offset the store learned (none: 0).
Result<HubHandshake> hub_handshake(Transport& transport, const DeviceCredentials& credentials, const Clock& clock,
                                   Database* db, int protocol_version = 3);

// An authenticated call that moves nothing (a pull beyond the end of the log):
// Ok, or the hub's refusal classified (auth/revoked, ...). For hallctl doctor.
// `db`, when given, is the hall store (its kSignedKey: no bearer fallback).
Status probe_authentication(Transport& transport, const DeviceCredentials& credentials, const Clock& clock,
                            std::int64_t learned_offset_ms = 0, Database* db = nullptr, int protocol_version = 3);
// The hub clock offset this store learned at its last sync (0 if none).
std::int64_t learned_clock_offset(Database& db);
// Sets `signer` up from the store: the learned offset, and no bearer-token
// fallback once the hub has accepted this device's signatures (kSignedKey).
void load_signing_state(RequestSigner& signer, Database& db);
// Records kSignedKey after a successful session (a no-op once it is set).
Status note_signed_session(Database& db);

// The stored epoch as 16 hex digits; empty if none was recorded yet.
Result<std::string> known_hub_epoch(Database& db);
// The epoch as stored in sync_state (its 64-bit value), and the wire form check.
std::int64_t hub_epoch_value(const std::string& hex);
bool is_hub_epoch(const std::string& epoch);
// Records `epoch` as the hub this store now follows (a technician's decision).
Status agree_hub_epoch(Database& db, const std::string& epoch);

class Replicator {
 public:
  Replicator(Database& db, Transport& transport, ChangeSink& sink, const Clock& clock, DeviceCredentials credentials,
             ReplicatorOptions options = {})
      : db_(&db), transport_(&transport), sink_(&sink), clock_(&clock), credentials_(credentials),
        options_(options), signer_(std::move(credentials), clock) {}

  // Called after each batch or page with the totals so far (progress output).
  std::function<void(const SyncStats&)> on_progress;

  Result<SyncStats> push();
  Result<SyncStats> pull();
  // Push, then pull. Stops at the first error; what was committed stays.
  Result<SyncStats> sync();
  // Repair (sync/engine/replicator_repair.cc). repush(): sends the whole
  // outbox again in repair mode (POST /v1/repush); the hub keeps each event
  // once by its id and refuses if its epoch is not `agreed_epoch`.
  Result<SyncStats> repush(const std::string& agreed_epoch);
  // repull(): reads the hall's whole history from 0, this device's own events
  // included, with its own cursor (kRepullCursorKey): an interrupted re-pull
  // resumes where it stopped, and normal syncs meanwhile keep their cursor.
  // At the end the normal cursor moves to at least where the re-pull ended.
  Result<SyncStats> repull();

  // What the last run moved, including a run that ended in an error.
  const SyncStats& last_stats() const { return last_; }

 private:
  // One request and its reply, with what it cost; touches no session state
  // nor the store, so a worker thread may run it while the session thread
  // applies a page.
  struct Fetched {
    Result<HttpResponse> response = Status::internal("not fetched");
    int http_status = 0;  // 0 when no reply arrived
    std::int64_t sent_ms = 0, received_ms = 0;
    std::uint64_t bytes_sent = 0, bytes_received = 0;
  };
  Fetched fetch(const std::string& target, std::string body, const HeaderList& extra = {});
  // Back on the session thread: counts the bytes, names a hub reset behind a
  // 409, and yields the reply.
  Result<HttpResponse> settle(Fetched fetched);
  // Records the hub's rejections in a batch (after, last] and moves the acknowledged sequence.
  Status commit_batch(const std::vector<protocol::Rejection>& rejected, std::int64_t after, std::int64_t last);
  Status repush_into(SyncStats& stats, const std::string& agreed_epoch);
  // An encoded push request of `entries` with the device's report, and (v3)
  // the chain hash before the first entry and after the last.
  std::string push_body(const std::vector<OutboxEntry>& entries, const OutboxStats& outbox,
                        std::int64_t clock_offset_ms, std::string chain_before) const;
  Status check_epoch(const std::string& epoch);
  // After a 409: hub_epoch_changed if the hub's health names another epoch, else Ok.
  Status epoch_behind_refusal();
  void note_clock(std::int64_t server_ms, std::int64_t sent_ms, std::int64_t received_ms);
  // The learned offset and its boot-clock anchor, inside a page's or an acknowledgement's transaction.
  Status record_clock(Transaction& txn, std::int64_t offset_ms);
  Result<SyncStats> run(bool do_push, bool do_pull);
  Status blobs_into(SyncStats& stats);
  Status push_into(SyncStats& stats);
  Status pull_into(SyncStats& stats, std::string_view cursor_key = kPullCursorKey);

  Database* db_;
  Transport* transport_;
  ChangeSink* sink_;
  const Clock* clock_;
  DeviceCredentials credentials_;
  ReplicatorOptions options_;
  SyncStats last_;
  SyncStats* current_ = nullptr;
  // Signs every request; its offset is the stored one at the start of a run,
  // then every hub reply's (note_clock).
  RequestSigner signer_;
};

// Turns a non-200 hub reply into a classified Status (shared with hallctl's probes).
Status status_from_hub_reply(const HttpResponse& response);
// Ok for a 200 carrying a protocol message; otherwise the classified error.
Status check_protocol_reply(const HttpResponse& response);
// A protocol POST from the device, not yet signed (RequestSigner::exchange signs it).
HttpRequest protocol_request(const std::string& target, std::string body, const DeviceCredentials& credentials,
                             int version);

}  // namespace hallsync
