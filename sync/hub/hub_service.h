// HubService: the platform end of the sync protocol over its store (embedded
// SQLite by default, PostgreSQL with a `postgresql://` URL, #11) — authenticates devices, applies pushed batches exactly once, serves
// pulls by hall, assigns platform case numbers and records back-office
// decisions. Not thread safe: the HTTP server calls it serially.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sync/api/blob_store.h"
#include "sync/api/case_policy.h"
#include "sync/api/clock.h"
#include "sync/api/database.h"
#include "sync/api/digest.h"
#include "sync/api/enrollment.h"
#include "sync/api/hlc.h"
#include "sync/api/transport.h"
#include "sync/api/wal_checkpointer.h"
#include "sync/protocol/blob_messages.h"
#include "sync/protocol/messages.h"

namespace hallsync::hub {

struct HubCaseRow {
  std::string case_id, hall_code, acceptance_no, platform_case_no, matter_id, state, department;
  int open_conflicts = 0;
};

struct DeviceRow {
  std::string device_id, hall_code, status;
  std::int64_t high_water = 0, last_seen_ms = 0, unsent = 0, oldest_unsent_ms = 0, clock_offset_ms = 0;
  std::string software_version, last_error;
  // Enrolled before request signing and not yet upgraded: the hub still takes
  // its bearer token, without replay protection (sync/PROTOCOL.md).
  bool legacy_bearer = false;
};

class HubService {
 public:
  static constexpr const char* kDatabaseFile = "hub.db";
  // `store`: empty for the embedded SQLite file in `data_dir`, or a
  // PostgreSQL URL (`postgresql://…`); blobs stay under `data_dir` either way.
  static Result<std::unique_ptr<HubService>> open(const std::string& data_dir, const Clock& clock,
                                                  const CasePolicy& policy, const std::string& store = {});

  // One HTTP request of the protocol (see sync/PROTOCOL.md for the routes).
  HttpResponse handle(const HttpRequest& request, const std::string& peer);

  // Administration (hallhub subcommands).
  Status add_hall(const std::string& hall_code, const std::string& name);
  // Registers a device of a hall and returns its secret token (shown once).
  Result<std::string> add_device(const std::string& hall_code, const std::string& device_code);
  Status revoke_device(const std::string& device_id);
  // One-time enrollment (sync/hub/hub_enroll.cc): a code for a device of a
  // hall, valid `ttl_ms` and once; redeeming it (POST /v1/enroll) issues the
  // device's token as add_device does. Refusals: unknown_code, code_used,
  // code_expired (auth).
  Result<std::string> issue_enrollment_code(const std::string& hall_code, const std::string& device_code,
                                            std::int64_t ttl_ms);
  Result<EnrollmentGrant> redeem_enrollment_code(const std::string& code);
  Result<std::vector<DeviceRow>> devices();
  Result<std::vector<HubCaseRow>> cases(const std::string& state, const std::string& department);
  Result<HubCaseRow> case_row(const std::string& case_id);
  // Records a back-office decision on a case (by case id, acceptance number
  // or platform number): `draft` carries kind, clerk and body.
  Result<HubCaseRow> decide(const std::string& case_ref, schema::CaseEvent draft);
  // Publishes reference data (catalog or calendar) to every hall.
  Status publish_reference(const std::string& name, const std::string& version, const std::string& body);
  // Digests of one hall's case events, bucket by bucket (hallctl verify).
  Result<std::vector<BucketDigest>> digests(const std::string& hall_code);
  // The (case_id, event_id) pairs of one hall's cases in a bucket (-1 = all).
  Result<std::vector<std::pair<std::string, std::string>>> event_ids(const std::string& hall_code, int bucket);
  // Registered hall codes, and every case event and hall record of one hall
  // (district reports: the domain folds and sums them; the hub keeps no rules).
  Result<std::vector<std::string>> hall_codes();
  Result<std::vector<schema::CaseEvent>> hall_events(const std::string& hall_code);
  const std::string& epoch() const { return epoch_; }
  // Where the hub reports what an operator should know but nobody asked for
  // (a device's chain re-anchored); hallhub serve writes it to stderr.
  void set_notice_log(std::function<void(const std::string&)> log) { notice_log_ = std::move(log); }
  Database& db() { return *db_; }

  // Direct entry points (the HTTP layer decodes to these; tests call them too).
  Result<protocol::PushResponse> push(const std::string& device_id, const protocol::PushRequest& request);
  // Repair mode (POST /v1/repush): the same validation, but entries are kept
  // or skipped by event id, not by the device's high-water mark, so events the
  // hub lost come back; the high-water mark only ever grows.
  Result<protocol::PushResponse> repair_push(const std::string& device_id, const protocol::PushRequest& request);
  Result<protocol::PullResponse> pull(const std::string& device_id, const protocol::PullRequest& request);
  Result<protocol::DigestResponse> digest_reply(const std::string& device_id, const protocol::DigestRequest& request);
  // Blobs (sync/hub/hub_blobs.cc): an offer registers a blob for a case of the
  // device's hall and answers what the hub holds of it for that hall; a chunk
  // writes bytes at an offset of an offered blob into the hall's own upload.
  // The last missing chunk makes the hub hash the whole upload: equal to the
  // declared SHA-256, the hall becomes a holder (and the blob complete, stored
  // once); otherwise every byte of it is dropped (hash_mismatch). A hall reads
  // a blob only as a holder: knowing a hash is no proof of holding the bytes,
  // so another hall's copy never saves a hall its upload (PROTOCOL.md).
  Result<protocol::BlobState> blob_offer(const std::string& device_id, const protocol::BlobOffer& offer);
  Result<protocol::BlobState> blob_chunk(const std::string& device_id, const std::string& sha256, std::int64_t offset,
                                         const std::string& bytes);
  // Blobs the hub issues (a back-office document for a case): stored complete
  // and referenced for the case's hall, which holds it and reads it by range.
  Result<BlobInfo> store_issued_blob(const std::string& case_ref, std::string_view bytes);
  Result<std::string> blob_read(const std::string& device_id, const protocol::BlobRead& read);
  // Drops uploads no offer or chunk touched for `grace_ms` (sync/hub/hub_blob_gc.cc):
  // incomplete blobs with their partial files, ranges and references, and a
  // hall's unfinished upload of a blob the hub already holds; an upload in
  // flight is never one. Complete blobs are kept: cases reference them for
  // good. Returns how many uploads; `bytes_freed`, when given, receives the
  // size of the partial files removed.
  Result<std::int64_t> collect_abandoned_blobs(std::int64_t grace_ms, std::int64_t* bytes_freed = nullptr);
  // Chunks (and their bytes) the hub has taken since it started: for tests
  // that prove an upload never re-sends what the hub confirmed.
  std::int64_t blob_chunks_received() const { return blob_chunks_received_; }
  std::int64_t blob_bytes_received() const { return blob_bytes_received_; }
  std::string blob_dir() const { return data_dir_ + "/blobs"; }
  // Where one hall's upload of a blob gathers its bytes until they hash right.
  std::string upload_partial_path(const std::string& sha256, const std::string& hall_code) const;

 private:
  HubService(std::unique_ptr<Database> db, std::string data_dir, const Clock& clock, const CasePolicy& policy)
      : db_(std::move(db)), data_dir_(std::move(data_dir)), clock_(&clock), policy_(&policy), hlc_(clock, Hlc{}) {}
  // Reads the epoch and counters; load_meta also makes the epoch of a new store.
  Status read_meta();
  Status load_meta();
  // Re-reads the counters inside a write transaction: admin commands and the
  // server may be different processes sharing the file.
  Status begin_write(Transaction& txn);
  // A request whose credentials checked out. `nonce` is empty for a legacy
  // bearer token (no replay protection); otherwise it is not yet recorded:
  // record_nonce, or a push records it in its own transaction (one commit).
  struct Caller {
    std::string device_id;
    std::string nonce;
    std::int64_t nonce_expires_ms = 0;
  };
  // sync/hub/hub_auth.cc: the device a request comes from, or the refusal
  // (unauthenticated, revoked, bad_signature, stale_request,
  // legacy_credentials). Writes nothing but a legacy device's key upgrade.
  Result<Caller> authenticate(const HttpRequest& request);
  // Records the caller's nonce on its own (replayed_request if it was used).
  Status record_nonce(const Caller& caller);
  // The same inside the caller's open write transaction.
  Status insert_nonce(Database& db, const Caller& caller);
  // A new token for a device (its request key with it), active again; the
  // caller checked the hall.
  Result<std::string> issue_token(const std::string& hall_code, const std::string& device_code);
  HttpResponse handle_enroll(const HttpRequest& request);
  Result<std::vector<schema::CaseEvent>> case_events(const std::string& case_id);
  // (case id, hall) of a case named by id, acceptance number or platform number.
  Result<std::pair<std::string, std::string>> find_case(const std::string& case_ref);
  // A case's row as a refold leaves it, for upsert_cases.
  struct CaseRowUpdate {
    HubCaseRow row;
    std::int64_t last_hub_seq = 0;
  };
  // Refolds a case: its new row, or none while its acceptance has not arrived.
  // `new_case_events`, when given, are all the events of a case the hub had
  // never seen before this batch: no re-read.
  Result<std::optional<CaseRowUpdate>> fold_case(Transaction& txn, const std::string& case_id, std::int64_t hub_seq,
                                                 const std::vector<schema::CaseEvent>* new_case_events);
  // fold_case, then its row written.
  Status refresh_case(Transaction& txn, const std::string& case_id, std::int64_t hub_seq,
                      const std::vector<schema::CaseEvent>* new_case_events = nullptr);
  // sync/hub/hub_batch.cc: a push's statements per batch rather than per
  // event on PostgreSQL, where each is a round trip under the write lock.
  struct EventRow {
    std::string event_id, hall_code, doc_key, origin_device, body;
    std::int64_t received_ms = 0;
  };
  // case id → hall of the listed cases among `case_ids` (both stores).
  Result<std::unordered_map<std::string, std::string>> case_halls(const std::vector<std::string>& case_ids);
  // The event ids among `event_ids` the hub holds (PostgreSQL only).
  Result<std::unordered_set<std::string>> held_events(const std::vector<std::string>& event_ids);
  // Inserts new case events in one statement; their hub sequences, in order
  // (PostgreSQL only). Any row not inserted fails the batch.
  Result<std::vector<std::int64_t>> insert_events(Transaction& txn, const std::vector<EventRow>& rows);
  // Writes refolded case rows (one statement on PostgreSQL, one per row on SQLite).
  Status upsert_cases(Transaction& txn, const std::vector<CaseRowUpdate>& rows);
  Result<std::int64_t> insert_event(Transaction& txn, const schema::CaseEvent& e, const std::string& hall_code,
                                    const std::string& body);
  // A hub-made event on a case, stamped after `after` (the case's latest HLC).
  schema::CaseEvent hub_event(const std::string& case_id, schema::EventKind kind, Hlc after);
  // The PlatformNumberAssigned event of a case seen for the first time (not stored).
  schema::CaseEvent platform_number_event(const std::string& case_id, const std::string& hall_code, Hlc after);
  // The same, inserted; returns it with its hub sequence.
  Result<std::pair<schema::CaseEvent, std::int64_t>> assign_platform_number(Transaction& txn, const std::string& case_id,
                                                                           const std::string& hall_code, Hlc after);
  std::string next_platform_case_no(const std::string& hall_code);
  Status save_meta(Transaction& txn);
  // Restores the in-memory counters when a transaction that advanced them fails.
  struct CounterSnapshot {
    Hlc hlc;
    std::int64_t hub_seq, case_no;
  };
  CounterSnapshot counters() const { return {hlc_.last(), hub_seq_counter_, case_no_counter_}; }
  void restore(const CounterSnapshot& c) {
    hlc_ = HlcClock(*clock_, c.hlc);
    hub_seq_counter_ = c.hub_seq;
    case_no_counter_ = c.case_no;
  }
  // `caller`, when given, has its nonce recorded in the batch's transaction.
  Result<protocol::PushResponse> apply_push(const std::string& device_id, const protocol::PushRequest& request,
                                            bool repair, const Caller* caller);
  // A push from the HTTP layer: nonce and batch in one commit; a refused or
  // failed batch still records the nonce before it is answered.
  Result<protocol::PushResponse> push_signed(const Caller& caller, const protocol::PushRequest& request, bool repair);

  Result<protocol::BlobState> blob_state(const std::string& sha256, const std::string& hall_code);
  HttpResponse handle_blob(const HttpRequest& request, const std::string& device_id, int version);

  std::unique_ptr<Database> db_;
  std::string data_dir_;
  const Clock* clock_;
  const CasePolicy* policy_;
  HlcClock hlc_;
  std::string epoch_;
  std::int64_t hub_seq_counter_ = 0;  // origin sequence of hub-made events
  std::int64_t case_no_counter_ = 0;
  std::int64_t blob_chunks_received_ = 0, blob_bytes_received_ = 0;
  std::function<void(const std::string&)> notice_log_;
  std::unique_ptr<WalCheckpointer> checkpointer_;  // SQLite only; last: stops before the store closes
};

}  // namespace hallsync::hub
