// CaseRepository: every case write goes through here. Each write appends the
// new events, their change-log entries and the refreshed case row in one
// SQLite transaction: no event without its log entry and vice versa.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/domain/case_lifecycle.h"
#include "client/domain/intake.h"
#include "client/store/hall_store.h"
#include "sync/api/digest.h"

namespace hallsync::client {

struct CaseFilter {
  std::optional<CaseState> state;
  std::string matter_id;
  bool overdue_only = false;     // open cases past their due date
  int due_within_days = -1;      // open cases due within N working days (>= 0 to use)
  std::string clerk_id;          // first clerk (首问负责人)
  std::string accepted_from;     // accepted on or after, YYYY-MM-DD
  std::string accepted_to;       // accepted on or before, YYYY-MM-DD
  std::string search;            // acceptance number, applicant name or full ID number
  CivilDate today;               // for overdue/due-soon
  int limit = 1000;
};

struct CaseSummary {
  std::string case_id;
  std::string acceptance_no;
  std::string platform_case_no;
  std::string matter_id;
  std::string applicant_name;
  std::string id_number;
  CaseState state = CaseState::Accepted;
  std::string accepted_on;
  std::string due_on;  // empty when no clock is running
  std::string first_clerk;
  int conflicts = 0;
};

class CaseRepository {
 public:
  explicit CaseRepository(HallStore& store) : store_(&store) {}

  // Registers a case: the accepted event, plus the one-time notification of
  // missing materials if any, committed durably before this returns.
  Result<CaseView> register_case(const IntakeForm& form);

  // Registers many cases in one transaction (bulk import, data generation):
  // all of them or none. Each form is validated as register_case does.
  Result<std::vector<CaseView>> register_batch(const std::vector<IntakeForm>& forms);

  // Writes a case imported from a previous system (drafts from import_drafts:
  // accepted first, each with its historical wall time) under `case_id`, inside
  // the caller's transaction, with change-log entries as for any local write.
  // The acceptance number carries the acceptance date.
  Result<CaseView> import_case(Transaction& txn, const std::string& case_id, std::vector<schema::CaseEvent> drafts);

  // True when any event of `case_id` is held here.
  Result<bool> holds_case(const std::string& case_id);

  // Records one lifecycle step on an existing case (by case id or acceptance
  // number). `draft` carries kind, clerk and body; identity is filled here.
  Result<CaseView> record(const std::string& case_ref, schema::CaseEvent draft);
  // The same, with `also` run inside the write transaction after the event is
  // appended (e.g. queueing a scanned file's upload): both commit or neither.
  using AlsoInTransaction = std::function<Status(Transaction&, const std::string& case_id)>;
  Result<CaseView> record(const std::string& case_ref, schema::CaseEvent draft, const AlsoInTransaction& also);

  Result<CaseView> load(const std::string& case_ref);
  // Ids of cases with at least one unresolved conflict.
  Result<std::vector<std::string>> cases_with_conflicts();
  Result<std::vector<CaseSummary>> list(const CaseFilter& filter);

  // Digests of every case event held here (compared with the hub's).
  Result<std::vector<BucketDigest>> digests();
  Result<std::vector<std::pair<std::string, std::string>>> event_ids(int bucket);

  // Stores events that originated elsewhere (pulled from the hub) inside the
  // caller's transaction; events already present are skipped. They are not
  // written to the outbox. Returns how many were new.
  // `body` is the event's wire encoding, stored as received.
  struct ReceivedEvent {
    schema::CaseEvent event;
    std::string_view body;
  };
  Result<int> apply_remote(Transaction& txn, std::vector<ReceivedEvent> events);

  // Hall records (schema::is_hall_record kinds: roster, posts, absences,
  // enquiries, complaints), in hall_records.cc. One is appended with its
  // change-log entry in one transaction; `draft.case_id` names the record (a
  // new record id when empty). Returns the event as written.
  Result<schema::CaseEvent> record_hall_event(schema::CaseEvent draft);
  // Every hall record held here, local and pulled, in fold order; with
  // `duty_only`, just the roster, posts and absences (who is on duty), which
  // registration reads without decoding years of enquiries and complaints.
  Result<std::vector<schema::CaseEvent>> hall_records(bool duty_only = false);
  // Folded views of the cases accepted in [from, to] (reports, handovers).
  Result<std::vector<CaseView>> cases_accepted_between(CivilDate from, CivilDate to);
  // Ids of cases holding at least one event of `kind` (e.g. every 容缺 case).
  Result<std::vector<std::string>> case_ids_with_kind(schema::EventKind kind);

 private:
  Result<std::string> resolve_case_id(const std::string& case_ref);
  Result<std::vector<schema::CaseEvent>> load_events(const std::string& case_id);
  Result<CaseView> write_local(const std::string& case_id, std::vector<schema::CaseEvent> drafts,
                               const AlsoInTransaction& also = {});
  // Commits a clerk's write (with its crash points) and hands back what was written.
  template <typename Written>
  Result<Written> commit_local(Transaction& txn, Written written);
  // The body of write_local inside a transaction the caller commits.
  // `keep_times` keeps each draft's wall_ms (imports); otherwise it is now.
  Result<CaseView> append_local(Transaction& txn, const std::string& case_id, std::vector<schema::CaseEvent> drafts,
                                bool keep_times = false);
  Status insert_event(Transaction& txn, const schema::CaseEvent& e, std::string_view body, bool skip_existing = false);
  Status refresh_case_row(Transaction& txn, const CaseView& view);
  HallStore* store_;
};

// A fresh time-ordered (version 7) UUID, the case's offline identity:
// unique with no coordination, and close to its neighbours in every index.
std::string new_case_uuid();

}  // namespace hallsync::client
