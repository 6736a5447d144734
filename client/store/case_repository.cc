// Case writes and reads over case_events, cases and the change log.
#include "client/store/case_repository.h"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <cstdio>

#include "client/domain/hall_register.h"
#include "client/domain/uuid_text.h"
#include "client/domain/work_calendar.h"
#include "sync/api/case_policy.h"
#include "sync/api/change_log.h"
#include "sync/api/crash_point.h"
#include "sync/api/event_codec.h"

namespace hallsync::client {
namespace {

constexpr const char* kCollection = "case_events";

std::string_view as_view(const std::vector<std::uint8_t>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Today for people (the civil clock): birth-date and deferral checks.
int today_number(const Clock& civil) {
  CivilDate d = CivilDate::from_unix_ms(civil.now_ms());
  return d.year() * 10000 + static_cast<int>(d.month()) * 100 + static_cast<int>(d.day());
}

}  // namespace

std::string new_case_uuid() {
  // Version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids
  // made close in time sort close together, so every b-tree keyed by case id
  // (cases, events by case, on both ends) grows at its right edge instead of
  // dirtying a random page per new case: #3's write amplification.
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) std::abort();  // no entropy: nothing safe to do
  auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
  return uuid_text(b, 7);
}

Result<CaseView> CaseRepository::register_case(const IntakeForm& form) {
  HALLSYNC_RETURN_IF_ERROR(store_->refresh_civil_clock());
  HALLSYNC_ASSIGN_OR_RETURN(IntakeDrafts drafts,
                            prepare_intake(form, store_->catalog(), today_number(store_->civil_clock())));
  // AB 岗: the case goes to the post's clerk on duty today (B while A is away).
  HALLSYNC_ASSIGN_OR_RETURN(auto records, hall_records(/*duty_only=*/true));
  if (!records.empty()) {
    HallRegister reg = HallRegister::fold(std::move(records));
    if (const Post* post = reg.post_for_matter(form.matter_id))
      drafts.accepted.subject = reg.on_duty(*post, CivilDate::from_unix_ms(store_->civil_clock().now_ms()));
  }
  return write_local(new_case_uuid(), std::move(drafts).events());
}

Result<CaseView> CaseRepository::record(const std::string& case_ref, schema::CaseEvent draft) {
  return record(case_ref, std::move(draft), {});
}

Result<CaseView> CaseRepository::record(const std::string& case_ref, schema::CaseEvent draft,
                                        const AlsoInTransaction& also) {
  if (draft.kind == schema::EventKind::Accepted) return Status::validation("新案件请使用受理登记");
  HALLSYNC_RETURN_IF_ERROR(store_->refresh_civil_clock());
  HALLSYNC_ASSIGN_OR_RETURN(std::string case_id, resolve_case_id(case_ref));
  if (draft.kind == schema::EventKind::Forwarded && draft.department.empty()) {
    // The back office defaults to the matter's guiding department (行业指导部门).
    HALLSYNC_ASSIGN_OR_RETURN(CaseView current, load(case_id));
    if (auto catalog = store_->catalog_version(current.catalog_version); catalog.is_ok())
      if (const Matter* m = catalog->find(current.matter_id)) draft.department = m->department;
  }
  return write_local(case_id, {std::move(draft)}, also);
}

Result<std::vector<CaseView>> CaseRepository::register_batch(const std::vector<IntakeForm>& forms) {
  HALLSYNC_RETURN_IF_ERROR(store_->refresh_civil_clock());
  int today = today_number(store_->civil_clock());
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(store_->db()));
  std::vector<CaseView> out;
  out.reserve(forms.size());
  for (std::size_t i = 0; i < forms.size(); ++i) {
    auto drafts = prepare_intake(forms[i], store_->catalog(), today);
    if (!drafts) return drafts.status().with_context("第" + std::to_string(i + 1) + "条");
    HALLSYNC_ASSIGN_OR_RETURN(CaseView v, append_local(txn, new_case_uuid(), std::move(*drafts).events()));
    out.push_back(std::move(v));
  }
  return commit_local(txn, std::move(out));
}

Result<CaseView> CaseRepository::write_local(const std::string& case_id, std::vector<schema::CaseEvent> drafts,
                                             const AlsoInTransaction& also) {
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(store_->db()));
  HALLSYNC_ASSIGN_OR_RETURN(CaseView view, append_local(txn, case_id, std::move(drafts)));
  if (also) HALLSYNC_RETURN_IF_ERROR(also(txn, case_id));
  return commit_local(txn, std::move(view));
}

template <typename Written>
Result<Written> CaseRepository::commit_local(Transaction& txn, Written written) {
  crash_point("local.before_commit");
  HALLSYNC_RETURN_IF_ERROR(txn.commit());
  crash_point("local.after_commit");  // durable; the clerk has not been told yet
  return written;
}

Result<CaseView> CaseRepository::import_case(Transaction& txn, const std::string& case_id,
                                             std::vector<schema::CaseEvent> drafts) {
  if (drafts.empty() || drafts.front().kind != schema::EventKind::Accepted)
    return Status::internal("an imported case starts with its acceptance");
  return append_local(txn, case_id, std::move(drafts), /*keep_times=*/true);
}

Result<bool> CaseRepository::holds_case(const std::string& case_id) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, store_->db().prepare("SELECT 1 FROM case_events WHERE case_id = ? LIMIT 1"));
  stmt.bind(1, case_id);
  return stmt.step();
}

Result<CaseView> CaseRepository::append_local(Transaction& txn, const std::string& case_id,
                                              std::vector<schema::CaseEvent> drafts, bool keep_times) {
  HALLSYNC_RETURN_IF_ERROR(store_->adopt_persisted_hlc(txn));
  HALLSYNC_ASSIGN_OR_RETURN(auto history, load_events(case_id));
  ChangeLog log(store_->db());
  const HallIdentity& me = store_->identity();
  for (auto& e : drafts) {
    CaseView before = fold_case(history);
    e.case_id = case_id;
    e.device_id = me.device_id();
    // The event's date is for people (acceptance date, the time limit's start,
    // the hub's and every device's deadline): corrected time. Its order is the
    // HLC's, on the device's own clock.
    if (!keep_times) e.wall_ms = store_->civil_clock().now_ms();
    e.hlc = store_->hlc().tick_above(latest_hlc(history)).value;
    HALLSYNC_ASSIGN_OR_RETURN(e.origin_seq, log.next_seq(txn));
    if (e.kind == schema::EventKind::Accepted) {
      e.hall_code = me.hall_code;
      HALLSYNC_ASSIGN_OR_RETURN(std::int64_t n, store_->take_acceptance_counter(txn));
      char no[64];
      // 受理编号: hall + device + date + per-device counter — unique with no coordination, ≤ 50 chars.
      CivilDate day = CivilDate::from_unix_ms(e.wall_ms);
      int date = day.year() * 10000 + static_cast<int>(day.month()) * 100 + static_cast<int>(day.day());
      std::snprintf(no, sizeof no, "%s-%s-%08d-%06lld", me.hall_code.c_str(), me.device_code.c_str(), date,
                    static_cast<long long>(n));
      e.acceptance_no = no;
    }
    HALLSYNC_RETURN_IF_ERROR(check_transition(before, e));
    auto body = encode_event(e);
    HALLSYNC_RETURN_IF_ERROR(insert_event(txn, e, as_view(body)));
    // The outbox entry's time is the device clock's, which its age is measured
    // against (doctor, the device report); an import keeps its historical time there as before.
    const std::int64_t queued_ms = keep_times ? e.wall_ms : store_->clock().now_ms();
    HALLSYNC_ASSIGN_OR_RETURN(std::int64_t seq, log.append(txn, {kCollection, case_id, Hlc{e.hlc}, body}, queued_ms));
    if (seq != e.origin_seq) return Status::internal("change-log sequence moved during a write");
    history.push_back(e);
  }
  CaseView view = fold_case(std::move(history));
  HALLSYNC_RETURN_IF_ERROR(refresh_case_row(txn, view));
  HALLSYNC_RETURN_IF_ERROR(store_->persist_hlc(txn));
  return view;
}

Result<int> CaseRepository::apply_remote(Transaction& txn, std::vector<ReceivedEvent> received) {
  HALLSYNC_RETURN_IF_ERROR(store_->adopt_persisted_hlc(txn));
  // Per case of the page: its events new here, and whether the store held any
  // before the page. A case first seen in this page (the common case for a
  // fresh device) is folded from memory, never read back.
  struct PageCase {
    bool had_history = false;
    std::vector<schema::CaseEvent> fresh;
  };
  std::unordered_map<std::string, PageCase> cases;
  std::vector<const std::string*> order;  // first-seen order of cases with new events
  int fresh = 0;
  for (auto& r : received) {
    auto [it, first_in_page] = cases.try_emplace(r.event.case_id);
    if (first_in_page) {
      HALLSYNC_ASSIGN_OR_RETURN(it->second.had_history, holds_case(r.event.case_id));
    }
    // Already held (re-pull, or an event this device made): the insert is a no-op.
    HALLSYNC_RETURN_IF_ERROR(insert_event(txn, r.event, r.body, /*skip_existing=*/true));
    if (txn.db().changes() == 0) continue;
    store_->hlc().observe(Hlc{r.event.hlc});
    if (it->second.fresh.empty()) order.push_back(&it->first);
    it->second.fresh.push_back(std::move(r.event));
    ++fresh;
  }
  for (const std::string* case_id : order) {
    PageCase& c = cases[*case_id];
    std::vector<schema::CaseEvent> history;
    if (c.had_history) {
      HALLSYNC_ASSIGN_OR_RETURN(history, load_events(*case_id));
    } else {
      history = std::move(c.fresh);
    }
    HALLSYNC_RETURN_IF_ERROR(refresh_case_row(txn, fold_case(std::move(history))));
  }
  if (fresh) HALLSYNC_RETURN_IF_ERROR(store_->persist_hlc(txn));
  return fresh;
}

Status CaseRepository::insert_event(Transaction& txn, const schema::CaseEvent& e, std::string_view body,
                                    bool skip_existing) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, txn.db().prepare(
      skip_existing ? "INSERT INTO case_events (event_id, case_id, hlc, device_id, origin_seq, clerk_id, wall_ms, kind, body)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING"
                    : "INSERT INTO case_events (event_id, case_id, hlc, device_id, origin_seq, clerk_id, wall_ms, kind, body)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  const std::string event_id = e.event_id();
  const std::string sealed = seal_event_body(store_->sealer(), event_id, body);
  stmt.bind(1, event_id).bind(2, e.case_id).bind(3, static_cast<std::int64_t>(e.hlc)).bind(4, e.device_id)
      .bind(5, e.origin_seq).bind(6, e.clerk_id).bind(7, e.wall_ms).bind(8, schema::event_kind_code(e.kind))
      .bind_blob(9, sealed.data(), sealed.size());
  return stmt.run();
}

Status CaseRepository::refresh_case_row(Transaction& txn, const CaseView& v) {
  if (!v.exists() || v.acceptance_no.empty()) return Status::ok();  // events of a case whose acceptance has not arrived yet
  std::string due;
  // Only a case still in hand has a due date worth listing or flagging.
  if (is_open(v.state)) {
    if (auto d = case_deadline(v, store_->calendar())) due = d->due.to_string();
  }
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, txn.db().prepare(
      "INSERT OR REPLACE INTO cases (case_id, acceptance_no, platform_case_no, hall_code, matter_id, catalog_version,"
      " applicant_name, id_number, phone, state, handling_kind, accepted_on, due_on, first_clerk, last_hlc,"
      " event_count, conflict_count, name_index, id_index, phone_index)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  const SealedApplicant a = seal_applicant(store_->sealer(), v.case_id, v.applicant.name, v.applicant.id_number,
                                           v.applicant.phone);
  stmt.bind(1, v.case_id).bind(2, v.acceptance_no);
  if (v.platform_case_no.empty()) stmt.bind_null(3); else stmt.bind(3, v.platform_case_no);
  stmt.bind(4, v.hall_code).bind(5, v.matter_id).bind(6, v.catalog_version).bind_blob(7, a.name.data(), a.name.size())
      .bind_blob(8, a.id_number.data(), a.id_number.size()).bind_blob(9, a.phone.data(), a.phone.size())
      .bind_blob(18, a.name_index.data(), a.name_index.size()).bind_blob(19, a.id_index.data(), a.id_index.size())
      .bind_blob(20, a.phone_index.data(), a.phone_index.size()).bind(10, case_state_code(v.state))
      .bind(11, handling_kind_code(v.handling_kind)).bind(12, v.accepted_on.to_string());
  if (due.empty()) stmt.bind_null(13); else stmt.bind(13, due);
  stmt.bind(14, v.first_clerk).bind(15, static_cast<std::int64_t>(v.last_hlc))
      .bind(16, static_cast<std::int64_t>(v.events.size())).bind(17, v.open_conflicts());
  return stmt.run();
}

Result<std::string> CaseRepository::resolve_case_id(const std::string& case_ref) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, store_->db().prepare(
      "SELECT case_id FROM cases WHERE case_id = ? OR acceptance_no = ? OR platform_case_no = ?"));
  stmt.bind(1, case_ref).bind(2, case_ref).bind(3, case_ref);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return Status::not_found("找不到案件“" + case_ref + "”（可使用受理编号或案件ID）");
  return stmt.column_text(0);
}

Result<std::vector<schema::CaseEvent>> CaseRepository::load_events(const std::string& case_id) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, store_->db().prepare("SELECT event_id, body FROM case_events WHERE case_id = ?"));
  stmt.bind(1, case_id);
  std::vector<schema::CaseEvent> events;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    HALLSYNC_ASSIGN_OR_RETURN(auto body, open_event_body(store_->sealer(), stmt.column_text(0), stmt.column_blob(1)));
    HALLSYNC_ASSIGN_OR_RETURN(auto e, decode_event(body));
    events.push_back(std::move(e));
  }
  return events;
}

Result<std::vector<std::pair<std::string, std::string>>> CaseRepository::event_ids(int bucket) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, store_->db().prepare("SELECT case_id, event_id FROM case_events"));
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

Result<std::vector<BucketDigest>> CaseRepository::digests() {
  HALLSYNC_ASSIGN_OR_RETURN(auto pairs, event_ids(-1));
  return compute_digests(std::move(pairs));
}

Result<std::vector<std::string>> CaseRepository::cases_with_conflicts() {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, store_->db().prepare("SELECT case_id FROM cases WHERE conflict_count > 0"));
  return stmt.column_texts();
}

Result<CaseView> CaseRepository::load(const std::string& case_ref) {
  HALLSYNC_ASSIGN_OR_RETURN(std::string case_id, resolve_case_id(case_ref));
  HALLSYNC_ASSIGN_OR_RETURN(auto events, load_events(case_id));
  return fold_case(std::move(events));
}

Result<std::vector<CaseSummary>> CaseRepository::list(const CaseFilter& f) {
  std::string sql =
      "SELECT case_id, acceptance_no, coalesce(platform_case_no, ''), matter_id, applicant_name, id_number, state,"
      " accepted_on, coalesce(due_on, ''), first_clerk, conflict_count FROM cases WHERE 1 = 1";
  // Each optional filter appends a fixed clause; its value is always bound.
  if (f.state) sql += " AND state = :state";
  if (!f.matter_id.empty()) sql += " AND matter_id = :matter";
  if (f.overdue_only) sql += " AND due_on IS NOT NULL AND due_on < :today AND state IN ('accepted', 'forwarded')";
  if (!f.clerk_id.empty()) sql += " AND first_clerk = :clerk";
  if (!f.accepted_from.empty()) sql += " AND accepted_on >= :from";
  if (!f.accepted_to.empty()) sql += " AND accepted_on <= :to";
  // Names and ID numbers are sealed: they are matched by blind index (field_sealer.h).
  if (!f.search.empty())
    sql += " AND (acceptance_no = :q OR platform_case_no = :q OR name_index = :qn OR id_index = :qi)";
  sql += " ORDER BY accepted_on DESC, acceptance_no DESC LIMIT :limit";
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, store_->db().prepare(sql));
  int i = 1;
  if (f.state) stmt.bind(i++, case_state_code(*f.state));
  if (!f.matter_id.empty()) stmt.bind(i++, f.matter_id);
  if (f.overdue_only) stmt.bind(i++, f.today.to_string());
  if (!f.clerk_id.empty()) stmt.bind(i++, f.clerk_id);
  if (!f.accepted_from.empty()) stmt.bind(i++, f.accepted_from);
  if (!f.accepted_to.empty()) stmt.bind(i++, f.accepted_to);
  if (!f.search.empty()) {
    const std::string by_name = store_->sealer().blind_index(BlindField::Name, f.search);
    const std::string by_id = store_->sealer().blind_index(BlindField::IdNumber, f.search);
    stmt.bind(i, f.search).bind_blob(i + 1, by_name.data(), by_name.size()).bind_blob(i + 2, by_id.data(), by_id.size());
    i += 3;
  }
  stmt.bind(i++, static_cast<std::int64_t>(f.limit));
  std::vector<CaseSummary> out;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    CaseSummary s;
    s.case_id = stmt.column_text(0);
    s.acceptance_no = stmt.column_text(1);
    s.platform_case_no = stmt.column_text(2);
    s.matter_id = stmt.column_text(3);
    HALLSYNC_ASSIGN_OR_RETURN(s.applicant_name, open_case_column(store_->sealer(), "applicant_name", s.case_id,
                                                                 as_view(stmt.column_blob(4))));
    HALLSYNC_ASSIGN_OR_RETURN(s.id_number, open_case_column(store_->sealer(), "id_number", s.case_id,
                                                            as_view(stmt.column_blob(5))));
    s.state = parse_case_state(stmt.column_text(6)).value_or(CaseState::Accepted);
    s.accepted_on = stmt.column_text(7);
    s.due_on = stmt.column_text(8);
    s.first_clerk = stmt.column_text(9);
    s.conflicts = static_cast<int>(stmt.column_int(10));
    if (f.due_within_days >= 0) {
      if (s.due_on.empty() || !is_open(s.state) || s.state == CaseState::AwaitingMaterials) continue;
      auto due = CivilDate::parse(s.due_on);
      if (!due || working_days_between(store_->calendar(), f.today, *due) > f.due_within_days) continue;
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace hallsync::client
