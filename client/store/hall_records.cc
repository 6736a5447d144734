// Hall records in the store: written like case steps (event, change-log entry
// and persisted HLC in one transaction) but without a case fold, since a
// roster entry, post, absence, enquiry or complaint belongs to no case.
#include <string_view>

#include "client/store/case_repository.h"
#include "sync/api/change_log.h"
#include "sync/api/crash_point.h"
#include "sync/api/event_codec.h"

namespace hallsync::client {

Result<schema::CaseEvent> CaseRepository::record_hall_event(schema::CaseEvent e) {
  if (!schema::is_hall_record(e.kind)) return Status::internal("not a hall record kind");
  HALLSYNC_RETURN_IF_ERROR(validate_clerk_id(e.clerk_id));
  if (e.case_id.empty()) e.case_id = new_case_uuid();
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(store_->db()));
  HALLSYNC_RETURN_IF_ERROR(store_->adopt_persisted_hlc(txn));
  HALLSYNC_RETURN_IF_ERROR(store_->refresh_civil_clock());
  ChangeLog log(store_->db());
  const HallIdentity& me = store_->identity();
  e.device_id = me.device_id();
  e.hall_code = me.hall_code;  // every hall record names its hall (the hub checks it)
  e.wall_ms = store_->civil_clock().now_ms();  // a record's date is for people; its order is the HLC's
  e.hlc = store_->hlc().tick().value;
  HALLSYNC_ASSIGN_OR_RETURN(e.origin_seq, log.next_seq(txn));
  auto body = encode_event(e);
  std::string_view view(reinterpret_cast<const char*>(body.data()), body.size());
  HALLSYNC_RETURN_IF_ERROR(insert_event(txn, e, view));
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t seq, log.append(txn, {"case_events", e.case_id, Hlc{e.hlc}, body},
                                                                   store_->clock().now_ms()));
  if (seq != e.origin_seq) return Status::internal("change-log sequence moved during a write");
  HALLSYNC_RETURN_IF_ERROR(store_->persist_hlc(txn));
  crash_point("local.before_commit");
  HALLSYNC_RETURN_IF_ERROR(txn.commit());
  crash_point("local.after_commit");
  return e;
}

Result<std::vector<schema::CaseEvent>> CaseRepository::hall_records(bool duty_only) {
  // One bound parameter per hall-record kind; the kinds are our own constants.
  std::vector<schema::EventKind> kinds;
  for (int k = 1; k <= schema::kMaxEventKind; ++k) {
    auto kind = static_cast<schema::EventKind>(k);
    bool duty = kind >= schema::EventKind::StaffRegistered && kind <= schema::EventKind::AbsenceEnded;
    if (schema::is_hall_record(kind) && (duty || !duty_only)) kinds.push_back(kind);
  }
  std::string sql = "SELECT event_id, body FROM case_events WHERE kind IN (?";
  for (std::size_t i = 1; i < kinds.size(); ++i) sql += ", ?";
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, store_->db().prepare(sql + ")"));
  int i = 1;
  for (auto k : kinds) stmt.bind(i++, schema::event_kind_code(k));
  std::vector<schema::CaseEvent> out;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    HALLSYNC_ASSIGN_OR_RETURN(auto body, open_event_body(store_->sealer(), stmt.column_text(0), stmt.column_blob(1)));
    HALLSYNC_ASSIGN_OR_RETURN(auto e, decode_event(body));
    out.push_back(std::move(e));
  }
  sort_for_fold(out);
  return out;
}

Result<std::vector<CaseView>> CaseRepository::cases_accepted_between(CivilDate from, CivilDate to) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, store_->db().prepare(
      "SELECT case_id FROM cases WHERE accepted_on BETWEEN ? AND ? ORDER BY accepted_on, acceptance_no"));
  stmt.bind(1, from.to_string()).bind(2, to.to_string());
  std::vector<std::string> ids;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    ids.push_back(stmt.column_text(0));
  }
  std::vector<CaseView> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    HALLSYNC_ASSIGN_OR_RETURN(auto events, load_events(id));
    out.push_back(fold_case(std::move(events)));
  }
  return out;
}

Result<std::vector<std::string>> CaseRepository::case_ids_with_kind(schema::EventKind kind) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, store_->db().prepare(
      "SELECT DISTINCT case_id FROM case_events WHERE kind = ? ORDER BY case_id"));
  stmt.bind(1, schema::event_kind_code(kind));
  return stmt.column_texts();
}

}  // namespace hallsync::client
