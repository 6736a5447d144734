// A push's reads and writes as one statement per batch on PostgreSQL (#11):
// there each statement is a round trip to the server, paid while the whole
// store's write lock is held, so a 500-event batch issued row by row spent
// most of its time waiting on the network. Rows travel as array parameters
// (`unnest`, `= ANY`); SQLite, in-process, keeps one statement per row.
#include <algorithm>

#include "sync/hub/hub_service.h"

namespace hallsync::hub {
namespace {

constexpr const char* kCaseEvents = "case_events";

std::string hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 15];
  }
  return out;
}

}  // namespace

Result<std::unordered_map<std::string, std::string>> HubService::case_halls(const std::vector<std::string>& case_ids) {
  std::unordered_map<std::string, std::string> out;
  if (case_ids.empty()) return out;
  if (db_->is_postgres()) {
    HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare("SELECT case_id, hall_code FROM cases WHERE case_id = ANY(?::text[])",
                                                      Database::Planning::PerCall));
    stmt.bind_array(1, case_ids);
    for (;;) {
      HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
      if (!row) break;
      out.emplace(stmt.column_text(0), stmt.column_text(1));
    }
    return out;
  }
  std::unordered_set<std::string> asked;
  for (const auto& id : case_ids) {
    if (!asked.insert(id).second) continue;
    HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare("SELECT hall_code FROM cases WHERE case_id = ?"));
    stmt.bind(1, id);
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (row) out.emplace(id, stmt.column_text(0));
  }
  return out;
}

Result<std::unordered_set<std::string>> HubService::held_events(const std::vector<std::string>& event_ids) {
  std::unordered_set<std::string> out;
  if (event_ids.empty()) return out;
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare("SELECT event_id FROM events WHERE event_id = ANY(?::text[])",
                                                    Database::Planning::PerCall));
  stmt.bind_array(1, event_ids);
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    out.insert(stmt.column_text(0));
  }
  return out;
}

Result<std::vector<std::int64_t>> HubService::insert_events(Transaction& txn, const std::vector<EventRow>& rows) {
  std::vector<std::string> ids, halls, keys, devices, bodies, received;
  for (auto* column : {&ids, &halls, &keys, &devices, &bodies, &received}) column->reserve(rows.size());
  for (const auto& r : rows) {
    ids.push_back(r.event_id);
    halls.push_back(r.hall_code);
    keys.push_back(r.doc_key);
    devices.push_back(r.origin_device);
    bodies.push_back(hex(r.body));  // bytea through a text array: decode(…, 'hex') on the server
    received.push_back(std::to_string(r.received_ms));
  }
  // ORDER BY the array position: the identity column draws hub_seq as rows
  // are inserted, so the batch's order (an acceptance, then its platform
  // number) is the pull order. Checked below rather than assumed.
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, txn.db().prepare(
      "INSERT INTO events (event_id, hall_code, collection, doc_key, origin_device, body, received_ms)"
      " SELECT event_id, hall_code, ?, doc_key, origin_device, decode(body_hex, 'hex'), received_ms"
      " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[])"
      " WITH ORDINALITY AS batch(event_id, hall_code, doc_key, origin_device, body_hex, received_ms, position)"
      " ORDER BY position ON CONFLICT (event_id) DO NOTHING RETURNING event_id, hub_seq"));
  stmt.bind(1, kCaseEvents).bind_array(2, ids).bind_array(3, halls).bind_array(4, keys).bind_array(5, devices)
      .bind_array(6, bodies).bind_array(7, received);
  std::unordered_map<std::string, std::int64_t> seq_of;
  seq_of.reserve(rows.size());
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    seq_of.emplace(stmt.column_text(0), stmt.column_int(1));
  }
  std::vector<std::int64_t> seqs;
  seqs.reserve(rows.size());
  for (const auto& r : rows) {
    auto found = seq_of.find(r.event_id);
    // The caller checked under the write lock that none is held: one missing
    // means another writer got past the lock, so nothing of the batch may stay.
    if (found == seq_of.end())
      return Status::internal("event " + r.event_id + " of a pushed batch was not inserted; the batch is rolled back");
    if (!seqs.empty() && found->second <= seqs.back())
      return Status::internal("hub sequences of a pushed batch came out of order; the batch is rolled back");
    seqs.push_back(found->second);
  }
  return seqs;
}

Status HubService::upsert_cases(Transaction& txn, const std::vector<CaseRowUpdate>& rows) {
  if (rows.empty()) return Status::ok();
  constexpr const char* kSet =
      " ON CONFLICT (case_id) DO UPDATE SET"
      " hall_code = excluded.hall_code, acceptance_no = excluded.acceptance_no,"
      " platform_case_no = excluded.platform_case_no, matter_id = excluded.matter_id, state = excluded.state,"
      " department = excluded.department, open_conflicts = excluded.open_conflicts,"
      " last_hub_seq = excluded.last_hub_seq";
  const std::string columns =
      "INSERT INTO cases (case_id, hall_code, acceptance_no, platform_case_no, matter_id, state, department,"
      " open_conflicts, last_hub_seq)";
  if (!txn.db().is_postgres()) {
    for (const auto& [c, last_hub_seq] : rows) {
      HALLSYNC_ASSIGN_OR_RETURN(auto upsert, txn.db().prepare(columns + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)" + kSet));
      upsert.bind(1, c.case_id).bind(2, c.hall_code).bind(3, c.acceptance_no).bind(4, c.platform_case_no)
          .bind(5, c.matter_id).bind(6, c.state).bind(7, c.department).bind(8, c.open_conflicts).bind(9, last_hub_seq);
      HALLSYNC_RETURN_IF_ERROR(upsert.run());
    }
    return Status::ok();
  }
  std::vector<std::vector<std::string>> cols(9);
  for (auto& col : cols) col.reserve(rows.size());
  for (const auto& [c, last_hub_seq] : rows) {
    const std::string* text[] = {&c.case_id, &c.hall_code, &c.acceptance_no, &c.platform_case_no,
                                 &c.matter_id, &c.state, &c.department};
    for (int i = 0; i < 7; ++i) cols[i].push_back(*text[i]);
    cols[7].push_back(std::to_string(c.open_conflicts));
    cols[8].push_back(std::to_string(last_hub_seq));
  }
  // A case appears once per batch (the caller folds each touched case once):
  // ON CONFLICT DO UPDATE may not touch one row twice in a statement.
  HALLSYNC_ASSIGN_OR_RETURN(auto upsert, txn.db().prepare(
      columns + " SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
                " ?::bigint[], ?::bigint[])" + kSet));
  for (int i = 0; i < 9; ++i) upsert.bind_array(i + 1, cols[i]);
  return upsert.run();
}

}  // namespace hallsync::hub
