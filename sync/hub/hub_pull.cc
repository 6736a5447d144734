// Serving pulls (a hall's changes after a cursor, plus reference data for
// every hall), back-office decisions, case lists and reference publishing.
#include <algorithm>

#include "sync/api/crash_point.h"
#include "sync/api/event_codec.h"
#include "sync/hub/hub_service.h"

namespace hallsync::hub {

Result<protocol::PullResponse> HubService::pull(const std::string& device_id, const protocol::PullRequest& req) {
  if (req.device_id != device_id)
    return Status::auth("pull names device " + req.device_id + " but is signed by " + device_id).with_code("forbidden");
  if (req.after < 0) return Status::protocol("cursor must not be negative").with_code("bad_cursor");
  HALLSYNC_ASSIGN_OR_RETURN(auto dev, db_->prepare("SELECT hall_code FROM devices WHERE device_id = ?"));
  dev.bind(1, device_id);
  HALLSYNC_ASSIGN_OR_RETURN(bool known, dev.step());
  if (!known) return Status::auth("unknown device " + device_id).with_code("unauthenticated");
  std::string hall = dev.column_text(0);
  auto limit = std::clamp<std::uint32_t>(req.max_changes, 1, static_cast<std::uint32_t>(protocol::kMaxPullChanges));

  // A read transaction: one consistent snapshot for the page and the cursor.
  // PostgreSQL takes one per statement already, and the page is one
  // statement: BEGIN and COMMIT there would be two more round trips.
  const bool own_snapshot = !db_->is_postgres();
  if (own_snapshot) HALLSYNC_RETURN_IF_ERROR(db_->exec_script("BEGIN"));
  struct EndRead {
    Database* db;
    bool open;
    ~EndRead() {
      if (open) (void)db->exec_script("COMMIT");
    }
  } end_read{db_.get(), own_snapshot};
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare(
      "SELECT hub_seq, collection, doc_key, origin_device, body FROM events"
      " WHERE hub_seq > ? AND hall_code IN (?, '*') ORDER BY hub_seq LIMIT ?"));
  stmt.bind(1, req.after).bind(2, hall).bind(3, static_cast<std::int64_t>(limit));
  protocol::PullResponse res;
  res.next_cursor = req.after;
  std::uint32_t scanned = 0;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    ++scanned;
    res.next_cursor = stmt.column_int(0);
    // A device's own events are already in its store; skipping them saves the
    // link, and the cursor still moves past them.
    if (!req.include_own && stmt.column_text(3) == device_id) continue;
    auto body = stmt.column_blob(4);
    res.changes.push_back({stmt.column_int(0), stmt.column_text(1), stmt.column_text(2),
                           std::string(body.begin(), body.end())});
  }
  res.has_more = scanned == limit;
  res.server_time_ms = clock_->now_ms();
  res.hub_epoch = epoch_;
  crash_point("hub.pull.before_reply");
  return res;
}

namespace {
constexpr const char* kCaseColumns =
    "SELECT case_id, hall_code, acceptance_no, coalesce(platform_case_no, ''), matter_id, state, department,"
    " open_conflicts FROM cases ";

HubCaseRow read_case_row(const Statement& stmt) {
  return {stmt.column_text(0), stmt.column_text(1), stmt.column_text(2), stmt.column_text(3),
          stmt.column_text(4), stmt.column_text(5), stmt.column_text(6), static_cast<int>(stmt.column_int(7))};
}
}  // namespace

Result<HubCaseRow> HubService::case_row(const std::string& case_id) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare(std::string(kCaseColumns) + "WHERE case_id = ?"));
  stmt.bind(1, case_id);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return Status::not_found("no case " + case_id + " at the hub");
  return read_case_row(stmt);
}

Result<std::vector<HubCaseRow>> HubService::cases(const std::string& state, const std::string& department) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare(std::string(kCaseColumns) +
                                                    "WHERE (? = '' OR state = ?) AND (? = '' OR department = ?)"
                                                    " ORDER BY last_hub_seq"));
  stmt.bind(1, state).bind(2, state).bind(3, department).bind(4, department);
  std::vector<HubCaseRow> out;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    out.push_back(read_case_row(stmt));
  }
  return out;
}

Result<std::pair<std::string, std::string>> HubService::find_case(const std::string& case_ref) {
  HALLSYNC_ASSIGN_OR_RETURN(auto find, db_->prepare(
      "SELECT case_id, hall_code FROM cases WHERE case_id = ? OR acceptance_no = ? OR platform_case_no = ?"));
  find.bind(1, case_ref).bind(2, case_ref).bind(3, case_ref);
  HALLSYNC_ASSIGN_OR_RETURN(bool found, find.step());
  if (!found) return Status::not_found("no case " + case_ref + " at the hub");
  return std::make_pair(find.column_text(0), find.column_text(1));
}

Result<HubCaseRow> HubService::decide(const std::string& case_ref, schema::CaseEvent draft) {
  // The back office decides; acceptance, hand-out and withdrawal happen at the window.
  using K = schema::EventKind;
  const K allowed[] = {K::Approved, K::Refused, K::Extended, K::MaterialsRequested, K::ProcedurePaused,
                       K::ProcedureResumed, K::MaterialAttached};
  if (std::find(std::begin(allowed), std::end(allowed), draft.kind) == std::end(allowed))
    return Status::validation(std::string("the back office cannot record '") +
                              std::string(schema::event_kind_code(draft.kind)) + "'");
  HALLSYNC_ASSIGN_OR_RETURN(auto found, find_case(case_ref));
  // Named references, not a structured binding: the lambda below captures them
  // (clang 14, which builds the fuzz targets, cannot capture bindings).
  const std::string& case_id = found.first;
  const std::string& hall = found.second;
  auto before = counters();
  auto result = [&]() -> Result<HubCaseRow> {
    HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
    HALLSYNC_RETURN_IF_ERROR(begin_write(txn));
    HALLSYNC_ASSIGN_OR_RETURN(auto history, case_events(case_id));
    for (const auto& e : history) hlc_.observe(Hlc{e.hlc});
    schema::CaseEvent e = hub_event(case_id, draft.kind, latest_hlc(history));
    draft.case_id = e.case_id;
    draft.device_id = e.device_id;
    draft.origin_seq = e.origin_seq;
    draft.hlc = e.hlc;
    draft.wall_ms = e.wall_ms;
    HALLSYNC_RETURN_IF_ERROR(policy_->check(history, draft));
    auto body = encode_event(draft);
    HALLSYNC_ASSIGN_OR_RETURN(std::int64_t seq, insert_event(txn, draft, hall, std::string(body.begin(), body.end())));
    HALLSYNC_RETURN_IF_ERROR(refresh_case(txn, case_id, seq));
    HALLSYNC_RETURN_IF_ERROR(save_meta(txn));
    HALLSYNC_RETURN_IF_ERROR(txn.commit());
    return case_row(case_id);
  }();
  if (!result) restore(before);
  return result;
}

Result<std::vector<std::pair<std::string, std::string>>> HubService::event_ids(const std::string& hall_code, int bucket) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare(
      "SELECT doc_key, event_id FROM events WHERE hall_code = ? AND collection = 'case_events'"));
  stmt.bind(1, hall_code);
  std::vector<std::pair<std::string, std::string>> out;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    std::string case_id = stmt.column_text(0);
    if (bucket >= 0 && digest_bucket(case_id) != bucket) continue;
    out.emplace_back(std::move(case_id), stmt.column_text(1));
  }
  return out;
}

Result<std::vector<BucketDigest>> HubService::digests(const std::string& hall_code) {
  HALLSYNC_ASSIGN_OR_RETURN(auto pairs, event_ids(hall_code, -1));
  return compute_digests(std::move(pairs));
}

Result<protocol::DigestResponse> HubService::digest_reply(const std::string& device_id,
                                                         const protocol::DigestRequest& req) {
  if (req.device_id != device_id)
    return Status::auth("digest request names device " + req.device_id + " but is signed by " + device_id)
        .with_code("forbidden");
  HALLSYNC_ASSIGN_OR_RETURN(auto dev, db_->prepare("SELECT hall_code FROM devices WHERE device_id = ?"));
  dev.bind(1, device_id);
  HALLSYNC_ASSIGN_OR_RETURN(bool known, dev.step());
  if (!known) return Status::auth("unknown device " + device_id).with_code("unauthenticated");
  std::string hall = dev.column_text(0);
  protocol::DigestResponse res;
  HALLSYNC_ASSIGN_OR_RETURN(auto pairs, event_ids(hall, req.bucket));
  res.buckets = compute_digests(pairs);
  if (req.bucket >= 0) res.events = std::move(pairs);
  res.server_time_ms = clock_->now_ms();
  res.hub_epoch = epoch_;
  return res;
}

Status HubService::publish_reference(const std::string& name, const std::string& version, const std::string& body) {
  if (name != "matters" && name != "calendar") return Status::validation("reference data is 'matters' or 'calendar'");
  if (version.empty() || version.size() > 64) return Status::validation("a version of 1-64 characters is required");
  auto before = counters();
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
  std::string event_id = "ref:" + name + ":" + version;
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare(
      "INSERT INTO events (event_id, hall_code, collection, doc_key, origin_device, body, received_ms)"
      " VALUES (?, '*', 'reference', ?, 'hub', ?, ?)"));
  stmt.bind(1, event_id).bind(2, name + ":" + version).bind_blob(3, body.data(), body.size()).bind(4, clock_->now_ms());
  Status s = stmt.run();
  if (!s.is_ok()) {
    restore(before);
    return Status::conflict(name + " version " + version + " was already published");
  }
  return txn.commit();
}

Result<std::vector<std::string>> HubService::hall_codes() {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare("SELECT hall_code FROM halls ORDER BY hall_code"));
  return stmt.column_texts();
}

Result<std::vector<schema::CaseEvent>> HubService::hall_events(const std::string& hall_code) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare(
      "SELECT body FROM events WHERE hall_code = ? AND collection = 'case_events' ORDER BY hub_seq"));
  stmt.bind(1, hall_code);
  std::vector<schema::CaseEvent> out;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    HALLSYNC_ASSIGN_OR_RETURN(auto e, decode_event(stmt.column_blob(0)));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace hallsync::hub
