// Applying a pushed batch: exactly once per device sequence, in one
// transaction with the device's high-water mark; invalid entries are recorded
// as rejected (never silently dropped); first receipt of a case assigns its
// platform case number.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "sync/api/crash_point.h"
#include "sync/api/event_codec.h"
#include "sync/hub/hub_chain.h"
#include "sync/hub/hub_service.h"

namespace hallsync::hub {
namespace {

constexpr const char* kCaseEvents = "case_events";

struct DeviceState {
  std::string hall_code;
  std::int64_t high_water = 0;
};

Result<DeviceState> load_device(Database& db, const std::string& device_id) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT hall_code, high_water FROM devices WHERE device_id = ?"));
  stmt.bind(1, device_id);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return Status::auth("unknown device " + device_id).with_code("unauthenticated");
  return DeviceState{stmt.column_text(0), stmt.column_int(1)};
}

}  // namespace

Result<protocol::PushResponse> HubService::push(const std::string& device_id, const protocol::PushRequest& req) {
  auto before = counters();
  auto res = apply_push(device_id, req, /*repair=*/false, nullptr);
  if (!res) restore(before);  // the transaction rolled back; so must the counters
  return res;
}

Result<protocol::PushResponse> HubService::repair_push(const std::string& device_id, const protocol::PushRequest& req) {
  auto before = counters();
  auto res = apply_push(device_id, req, /*repair=*/true, nullptr);
  if (!res) restore(before);
  return res;
}

Result<protocol::PushResponse> HubService::push_signed(const Caller& caller, const protocol::PushRequest& req,
                                                      bool repair) {
  auto before = counters();
  auto res = apply_push(caller.device_id, req, repair, &caller);
  if (res || res.status().code() == "replayed_request") return res;
  restore(before);
  // The batch rolled back and its nonce with it: record the nonce on its own,
  // so a refused request is no more replayable than an applied one. If even
  // that fails the store is failing: answer its 503 (retryable), not the
  // refusal, since the nonce is not on record.
  Status recorded = record_nonce(caller);
  if (!recorded.is_ok() && recorded.code() != "replayed_request") return recorded;
  return res;
}

Result<protocol::PushResponse> HubService::apply_push(const std::string& device_id, const protocol::PushRequest& req,
                                                     bool repair, const Caller* caller) {
  if (req.device_id != device_id)
    return Status::auth("push names device " + req.device_id + " but is signed by " + device_id).with_code("forbidden");
  if (req.entries.size() > protocol::kMaxPushEntries) return Status::protocol("batch too large").with_code("too_large");
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
  HALLSYNC_RETURN_IF_ERROR(begin_write(txn));
  // First, so a replay is refused before anything of it is applied.
  if (caller) HALLSYNC_RETURN_IF_ERROR(insert_nonce(*db_, *caller));
  HALLSYNC_ASSIGN_OR_RETURN(DeviceState device, load_device(*db_, device_id));
  const std::int64_t high_water_before = device.high_water;
  HALLSYNC_ASSIGN_OR_RETURN(PushChain chain, check_push_chain(*db_, device_id, device.high_water, req, repair));
  protocol::PushResponse res;
  std::int64_t now = clock_->now_ms();
  // PostgreSQL: every round trip to the server is paid while the whole
  // store's write lock is held, so the batch's reads come first in one
  // statement each (the halls of its cases, the event ids already held) and
  // its events go in one INSERT at the end. SQLite runs one statement per
  // event in-process, as cheap as a batched one.
  const bool batched = db_->is_postgres();
  std::vector<std::optional<schema::CaseEvent>> decoded(req.entries.size());
  std::vector<std::string> undecodable(req.entries.size()), case_keys, event_keys;
  for (std::size_t i = 0; i < req.entries.size(); ++i) {
    const auto& entry = req.entries[i];
    if ((!repair && entry.seq <= device.high_water) || entry.collection != kCaseEvents) continue;
    auto event = decode_event(reinterpret_cast<const std::uint8_t*>(entry.payload.data()), entry.payload.size());
    if (!event) {
      undecodable[i] = event.status().message();
      continue;
    }
    case_keys.push_back(event->case_id);
    if (batched) event_keys.push_back(event->event_id());
    decoded[i] = std::move(event).value();
  }
  HALLSYNC_ASSIGN_OR_RETURN(auto known_halls, case_halls(case_keys));
  // PostgreSQL: events the hub holds already (read under the write lock, so
  // still true at the INSERT), then also those staged in this batch: skipped
  // exactly as an insert that finds its event held would be.
  std::unordered_set<std::string> held;
  if (batched) {
    HALLSYNC_ASSIGN_OR_RETURN(held, held_events(event_keys));
  }
  std::vector<EventRow> staged;
  // Inserts an event (SQLite) or stages it for the batch's INSERT
  // (PostgreSQL); false when the hub holds it already.
  std::int64_t last_hub_seq = 0;
  auto add_event = [&](const schema::CaseEvent& e, const std::string& body) -> Result<bool> {
    if (!batched) {
      HALLSYNC_ASSIGN_OR_RETURN(std::int64_t inserted, insert_event(txn, e, device.hall_code, body));
      if (inserted != 0) last_hub_seq = inserted;
      return inserted != 0;
    }
    if (!held.insert(e.event_id()).second) return false;
    staged.push_back({e.event_id(), device.hall_code, e.case_id, e.device_id, body, clock_->now_ms()});
    return true;
  };
  // Cases the batch touched, in first-touched order, and of those the ones first
  // seen in this batch with their events: they need no re-read when their row is built.
  std::unordered_set<std::string> touched;
  std::vector<const std::string*> touched_order;
  std::unordered_map<std::string, std::vector<schema::CaseEvent>> fresh_cases;
  touched.reserve(req.entries.size());
  touched_order.reserve(req.entries.size());
  fresh_cases.reserve(req.entries.size());

  for (std::size_t i = 0; i < req.entries.size(); ++i) {
    const auto& entry = req.entries[i];
    if (repair) {
      // Every entry is judged by its event id below (an event already held is a
      // no-op); the mark never moves back, so the normal path stays exactly-once.
      if (entry.seq < 1) return Status::protocol("repair entry with sequence " + std::to_string(entry.seq)).with_code("malformed");
    } else if (entry.seq <= device.high_water) {
      continue;  // a resend: already applied
    } else if (entry.seq != device.high_water + 1) {
      return Status::conflict("sequence gap from " + device_id + ": expected " + std::to_string(device.high_water + 1) +
                              ", got " + std::to_string(entry.seq) + "; the hub holds everything up to " +
                              std::to_string(device.high_water))
          .with_code("sequence_gap");
    }
    device.high_water = std::max(device.high_water, entry.seq);
    std::string reason;
    std::string hall;  // the hall of the event's case, if the hub already lists it
    schema::CaseEvent event;
    if (entry.collection != kCaseEvents) {
      reason = "unknown collection " + entry.collection;
    } else if (!decoded[i]) {
      reason = undecodable[i];
    } else {
      event = std::move(*decoded[i]);
      if (auto known = known_halls.find(event.case_id); known != known_halls.end()) hall = known->second;
      if (event.device_id != device_id || event.origin_seq != entry.seq) {
        reason = "event " + event.event_id() + " does not match its outbox entry " + device_id + "#" + std::to_string(entry.seq);
      } else if (event.case_id != entry.doc_key) {
        reason = "event belongs to case " + event.case_id + " but the entry names " + entry.doc_key;
      } else if (event.kind == schema::EventKind::Accepted && event.hall_code != device.hall_code) {
        reason = "case accepted for hall " + event.hall_code + " pushed by a device of hall " + device.hall_code;
      } else if (schema::is_hall_record(event.kind) && event.hall_code != device.hall_code) {
        // A hall record (roster, posts, absences, enquiries, complaints) names its hall on every event.
        reason = "hall record for hall " + event.hall_code + " pushed by a device of hall " + device.hall_code;
      } else if (!hall.empty() && hall != device.hall_code) {
        reason = "case " + event.case_id + " belongs to another hall";
      } else if (hall.empty() && event.kind != schema::EventKind::Accepted && !schema::is_hall_record(event.kind) &&
                 !touched.count(event.case_id)) {
        reason = "case " + event.case_id + " is unknown to the hub (its acceptance never arrived)";
      }
    }
    if (!reason.empty()) {
      // ON CONFLICT, not INSERT OR REPLACE: the SQL both stores accept (#11).
      HALLSYNC_ASSIGN_OR_RETURN(auto rej, db_->prepare("INSERT INTO rejected (device_id, seq, reason, received_ms)"
                                                       " VALUES (?, ?, ?, ?) ON CONFLICT (device_id, seq) DO UPDATE"
                                                       " SET reason = excluded.reason, received_ms = excluded.received_ms"));
      rej.bind(1, device_id).bind(2, entry.seq).bind(3, reason).bind(4, now);
      HALLSYNC_RETURN_IF_ERROR(rej.run());
      res.rejected.push_back({entry.seq, reason});
      continue;
    }
    hlc_.observe(Hlc{event.hlc});
    HALLSYNC_ASSIGN_OR_RETURN(bool inserted, add_event(event, entry.payload));
    if (!inserted) continue;  // the same event came from another path already
    if (schema::is_hall_record(event.kind)) continue;  // no case row to build
    auto [where, first_touch] = touched.insert(event.case_id);
    bool known_case = first_touch ? !hall.empty() : !fresh_cases.count(event.case_id);
    if (first_touch) touched_order.push_back(&*where);
    if (known_case) continue;
    auto& fresh = fresh_cases[event.case_id];
    bool first_receipt = event.kind == schema::EventKind::Accepted && fresh.empty();
    fresh.push_back(std::move(event));
    if (first_receipt) {
      // The platform number goes right after the acceptance, so a pulling
      // device finds both in one page and folds the case once.
      schema::CaseEvent number = platform_number_event(fresh.back().case_id, device.hall_code, latest_hlc(fresh));
      auto body = encode_event(number);
      HALLSYNC_ASSIGN_OR_RETURN(bool added, add_event(number, std::string(body.begin(), body.end())));
      if (!added) return Status::internal("platform number event " + number.event_id() + " is already held");
      fresh.push_back(std::move(number));
    }
  }
  if (!staged.empty()) {
    HALLSYNC_ASSIGN_OR_RETURN(auto seqs, insert_events(txn, staged));
    last_hub_seq = seqs.back();
  }

  std::vector<CaseRowUpdate> rows;
  rows.reserve(touched_order.size());
  for (const std::string* case_id : touched_order) {
    auto fresh = fresh_cases.find(*case_id);
    HALLSYNC_ASSIGN_OR_RETURN(auto row, fold_case(txn, *case_id, last_hub_seq,
                                                  fresh == fresh_cases.end() ? nullptr : &fresh->second));
    if (row) rows.push_back(std::move(*row));
  }
  HALLSYNC_RETURN_IF_ERROR(upsert_cases(txn, rows));

  HALLSYNC_ASSIGN_OR_RETURN(auto upd, db_->prepare(
      "UPDATE devices SET high_water = ?, last_seen_ms = ?, unsent = ?, oldest_unsent_ms = ?, clock_offset_ms = ?,"
      " software_version = ?, last_error = ? WHERE device_id = ?"));
  upd.bind(1, device.high_water).bind(2, now).bind(3, req.report.unsent).bind(4, req.report.oldest_unsent_ms)
      .bind(5, req.report.clock_offset_ms).bind(6, req.report.software_version).bind(7, req.report.last_error)
      .bind(8, device_id);
  HALLSYNC_RETURN_IF_ERROR(upd.run());
  std::string chain_notice;
  HALLSYNC_RETURN_IF_ERROR(record_push_chain(*db_, device_id, chain, high_water_before, device.high_water, now, &chain_notice));
  HALLSYNC_RETURN_IF_ERROR(save_meta(txn));
  crash_point("hub.push.before_commit");
  HALLSYNC_RETURN_IF_ERROR(txn.commit());
  crash_point("hub.push.after_commit");
  if (!chain_notice.empty() && notice_log_) notice_log_(chain_notice);
  res.acknowledged_through = device.high_water;
  res.server_time_ms = clock_->now_ms();
  res.hub_epoch = epoch_;
  return res;
}

Result<std::int64_t> HubService::insert_event(Transaction& txn, const schema::CaseEvent& e, const std::string& hall_code,
                                              const std::string& body) {
  // PostgreSQL has no rowid: RETURNING there (#11). SQLite keeps
  // last_insert_rowid: its RETURNING cost ~15% more CPU per pushed event.
  const bool returning = txn.db().is_postgres();
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, txn.db().prepare(
      returning ? "INSERT INTO events (event_id, hall_code, collection, doc_key, origin_device, body, received_ms)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING RETURNING hub_seq"
                : "INSERT INTO events (event_id, hall_code, collection, doc_key, origin_device, body, received_ms)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING"));
  stmt.bind(1, e.event_id()).bind(2, hall_code).bind(3, kCaseEvents).bind(4, e.case_id).bind(5, e.device_id)
      .bind_blob(6, body.data(), body.size()).bind(7, clock_->now_ms());
  // 0: the event was already held.
  if (!returning) {
    HALLSYNC_RETURN_IF_ERROR(stmt.run());
    return txn.db().changes() == 0 ? 0 : txn.db().last_insert_rowid();
  }
  HALLSYNC_ASSIGN_OR_RETURN(bool inserted, stmt.step());
  return inserted ? stmt.column_int(0) : 0;
}

Result<std::vector<schema::CaseEvent>> HubService::case_events(const std::string& case_id) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare("SELECT body FROM events WHERE doc_key = ? AND collection = ?"));
  stmt.bind(1, case_id).bind(2, kCaseEvents);
  std::vector<schema::CaseEvent> out;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    HALLSYNC_ASSIGN_OR_RETURN(auto e, decode_event(stmt.column_blob(0)));
    out.push_back(std::move(e));
  }
  return out;
}

schema::CaseEvent HubService::hub_event(const std::string& case_id, schema::EventKind kind, Hlc after) {
  // Counters are saved by save_meta inside the caller's transaction.
  schema::CaseEvent e;
  e.case_id = case_id;
  e.device_id = "hub";
  e.origin_seq = ++hub_seq_counter_;
  e.hlc = hlc_.tick_above(after).value;
  e.wall_ms = clock_->now_ms();
  e.kind = kind;
  return e;
}

std::string HubService::next_platform_case_no(const std::string& hall_code) {
  // 办件编号: district code + date + district-wide sequence (DOMAIN.md: the
  // province's own format is unknown; this stays within 50 characters).
  char buf[64];
  auto day = clock_->now_ms() / 1000 + 8 * 3600;
  std::time_t t = static_cast<std::time_t>(day);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::snprintf(buf, sizeof buf, "%.6s%04d%02d%02d%08lld", hall_code.c_str(), tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, static_cast<long long>(++case_no_counter_));
  return std::string(buf);
}

schema::CaseEvent HubService::platform_number_event(const std::string& case_id, const std::string& hall_code, Hlc after) {
  // First receipt of a case: its platform case number, as an event that flows down to the hall.
  schema::CaseEvent e = hub_event(case_id, schema::EventKind::PlatformNumberAssigned, after);
  e.clerk_id = "platform";
  e.platform_case_no = next_platform_case_no(hall_code);
  return e;
}

Result<std::pair<schema::CaseEvent, std::int64_t>> HubService::assign_platform_number(Transaction& txn,
                                                                                    const std::string& case_id,
                                                                                    const std::string& hall_code,
                                                                                    Hlc after) {
  schema::CaseEvent e = platform_number_event(case_id, hall_code, after);
  auto body = encode_event(e);
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t hub_seq, insert_event(txn, e, hall_code, std::string(body.begin(), body.end())));
  return std::make_pair(std::move(e), hub_seq);
}

Result<std::optional<HubService::CaseRowUpdate>> HubService::fold_case(
    Transaction& txn, const std::string& case_id, std::int64_t hub_seq, const std::vector<schema::CaseEvent>* new_case_events) {
  std::vector<schema::CaseEvent> loaded;
  if (!new_case_events) {
    HALLSYNC_ASSIGN_OR_RETURN(loaded, case_events(case_id));
  }
  CaseSnapshot snap = policy_->fold(new_case_events ? *new_case_events : loaded);
  if (!snap.accepted) return std::optional<CaseRowUpdate>();  // nothing to list until the acceptance arrives
  std::string platform_no;
  if (new_case_events) {
    for (const auto& e : *new_case_events)
      if (e.kind == schema::EventKind::PlatformNumberAssigned) platform_no = e.platform_case_no;
  } else {
    HALLSYNC_ASSIGN_OR_RETURN(auto existing, txn.db().prepare("SELECT platform_case_no FROM cases WHERE case_id = ?"));
    existing.bind(1, case_id);
    HALLSYNC_ASSIGN_OR_RETURN(bool known, existing.step());
    if (known) platform_no = existing.column_text(0);
  }
  if (platform_no.empty()) {
    HALLSYNC_ASSIGN_OR_RETURN(auto assigned, assign_platform_number(txn, case_id, snap.hall_code,
                                                                    latest_hlc(new_case_events ? *new_case_events : loaded)));
    platform_no = assigned.first.platform_case_no;
    hub_seq = assigned.second;
  }
  return std::optional<CaseRowUpdate>(CaseRowUpdate{
      {case_id, snap.hall_code, snap.acceptance_no, platform_no, snap.matter_id, snap.state, snap.department,
       snap.open_conflicts},
      hub_seq});
}

Status HubService::refresh_case(Transaction& txn, const std::string& case_id, std::int64_t hub_seq,
                                const std::vector<schema::CaseEvent>* new_case_events) {
  HALLSYNC_ASSIGN_OR_RETURN(auto row, fold_case(txn, case_id, hub_seq, new_case_events));
  if (!row) return Status::ok();
  return upsert_cases(txn, {std::move(*row)});
}

}  // namespace hallsync::hub
