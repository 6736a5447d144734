// HubService: the platform end of the sync protocol over its embedded SQLite
// store — authenticates devices, applies pushed batches exactly once, serves
// pulls by hall, assigns platform case numbers and records back-office
// decisions. Not thread safe: the HTTP server calls it serially.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sync/api/case_policy.h"
#include "sync/api/clock.h"
#include "sync/api/database.h"
#include "sync/api/digest.h"
#include "sync/api/hlc.h"
#include "sync/api/transport.h"
#include "sync/api/wal_checkpointer.h"
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
};

class HubService {
 public:
  static constexpr const char* kDatabaseFile = "hub.db";
  static Result<std::unique_ptr<HubService>> open(const std::string& data_dir, const Clock& clock,
                                                  const CasePolicy& policy);

  // One HTTP request of the protocol (see sync/PROTOCOL.md for the routes).
  HttpResponse handle(const HttpRequest& request, const std::string& peer);

  // Administration (hallhub subcommands).
  Status add_hall(const std::string& hall_code, const std::string& name);
  // Registers a device of a hall and returns its secret token (shown once).
  Result<std::string> add_device(const std::string& hall_code, const std::string& device_code);
  Status revoke_device(const std::string& device_id);
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
  Database& db() { return *db_; }

  // Direct entry points (the HTTP layer decodes to these; tests call them too).
  Result<protocol::PushResponse> push(const std::string& device_id, const protocol::PushRequest& request);
  // Repair mode (POST /v1/repush): the same validation, but entries are kept
  // or skipped by event id, not by the device's high-water mark, so events the
  // hub lost come back; the high-water mark only ever grows.
  Result<protocol::PushResponse> repair_push(const std::string& device_id, const protocol::PushRequest& request);
  Result<protocol::PullResponse> pull(const std::string& device_id, const protocol::PullRequest& request);
  Result<protocol::DigestResponse> digest_reply(const std::string& device_id, const protocol::DigestRequest& request);

 private:
  HubService(std::unique_ptr<Database> db, const Clock& clock, const CasePolicy& policy)
      : db_(std::move(db)), clock_(&clock), policy_(&policy), hlc_(clock, Hlc{}) {}
  Status load_meta();
  // Re-reads the counters inside a write transaction: admin commands and the
  // server may be different processes sharing the file.
  Status begin_write(Transaction& txn);
  Result<std::string> authenticate(const HttpRequest& request);
  Result<std::vector<schema::CaseEvent>> case_events(const std::string& case_id);
  // Refolds a case and updates its row. `new_case_events`, when given, are all
  // the events of a case the hub had never seen before this batch: no re-read.
  Status refresh_case(Transaction& txn, const std::string& case_id, std::int64_t hub_seq,
                      const std::vector<schema::CaseEvent>* new_case_events = nullptr);
  Result<std::int64_t> insert_event(Transaction& txn, const schema::CaseEvent& e, const std::string& hall_code,
                                    const std::string& body);
  // A hub-made event on a case, stamped after `after` (the case's latest HLC).
  schema::CaseEvent hub_event(const std::string& case_id, schema::EventKind kind, Hlc after);
  // Inserts the PlatformNumberAssigned event of a case seen for the first
  // time; returns it with its hub sequence.
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
  Result<protocol::PushResponse> apply_push(const std::string& device_id, const protocol::PushRequest& request,
                                            bool repair);

  std::unique_ptr<Database> db_;
  const Clock* clock_;
  const CasePolicy* policy_;
  HlcClock hlc_;
  std::string epoch_;
  std::int64_t hub_seq_counter_ = 0;  // origin sequence of hub-made events
  std::int64_t case_no_counter_ = 0;
  std::unique_ptr<WalCheckpointer> checkpointer_;  // last: stops before the store closes
};

}  // namespace hallsync::hub
