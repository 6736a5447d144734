// Applying a pushed batch: exactly once per device sequence, in one
// transaction with the device's high-water mark; invalid entries are recorded
// as rejected (never silently dropped); first receipt of a case assigns its
// platform case number.
#include <algorithm>
#include <cstdio>
#include <ctime>
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

// The hall a known case belongs to, or empty if the hub has not seen it.
Result<std::string> case_hall(Database& db, const std::string& case_id) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT hall_code FROM cases WHERE case_id = ?"));
  stmt.bind(1, case_id);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  return row ? stmt.column_text(0) : std::string();
}

}  // namespace

Result<protocol::PushResponse> HubService::push(const std::string& device_id, const protocol::PushRequest& req) {
  auto before = counters();
  auto res = apply_push(device_id, req, /*repair=*/false);
  if (!res) restore(before);  // the transaction rolled back; so must the counters
  return res;
}

Result<protocol::PushResponse> HubService::repair_push(const std::string& device_id, const protocol::PushRequest& req) {
  auto before = counters();
  auto res = apply_push(device_id, req, /*repair=*/true);
  if (!res) restore(before);
  return res;
}

Result<protocol::PushResponse> HubService::apply_push(const std::string& device_id, const protocol::PushRequest& req,
                                                     bool repair) {
  if (req.device_id != device_id)
    return Status::auth("push names device " + req.device_id + " but is signed by " + device_id).with_code("forbidden");
  if (req.entries.size() > protocol::kMaxPushEntries) return Status::protocol("batch too large").with_code("too_large");
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
  HALLSYNC_RETURN_IF_ERROR(begin_write(txn));
  HALLSYNC_ASSIGN_OR_RETURN(DeviceState device, load_device(*db_, device_id));
  const std::int64_t high_water_before = device.high_water;
  HALLSYNC_ASSIGN_OR_RETURN(PushChain chain, check_push_chain(*db_, device_id, device.high_water, req, repair));
  protocol::PushResponse res;
  std::int64_t now = clock_->now_ms();
  // Cases the batch touched, in first-touched order, and of those the ones first
  // seen in this batch with their events: they need no re-read when their row is built.
  std::unordered_set<std::string> touched;
  std::vector<const std::string*> touched_order;
  std::unordered_map<std::string, std::vector<schema::CaseEvent>> fresh_cases;
  touched.reserve(req.entries.size());
  touched_order.reserve(req.entries.size());
  fresh_cases.reserve(req.entries.size());
  std::int64_t last_hub_seq = 0;

  for (const auto& entry : req.entries) {
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
    } else if (auto decoded = decode_event(reinterpret_cast<const std::uint8_t*>(entry.payload.data()),
                                           entry.payload.size());
               !decoded) {
      reason = decoded.status().message();
    } else {
      event = std::move(decoded).value();
      HALLSYNC_ASSIGN_OR_RETURN(hall, case_hall(*db_, event.case_id));
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
    HALLSYNC_ASSIGN_OR_RETURN(std::int64_t inserted, insert_event(txn, event, device.hall_code, entry.payload));
    if (inserted == 0) continue;  // the same event came from another path already
    last_hub_seq = inserted;
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
      HALLSYNC_ASSIGN_OR_RETURN(auto assigned, assign_platform_number(txn, fresh.back().case_id, device.hall_code,
                                                                        latest_hlc(fresh)));
      last_hub_seq = assigned.second;
      fresh.push_back(std::move(assigned.first));
    }
  }

  for (const std::string* case_id : touched_order) {
    auto fresh = fresh_cases.find(*case_id);
    HALLSYNC_RETURN_IF_ERROR(refresh_case(txn, *case_id, last_hub_seq, fresh == fresh_cases.end() ? nullptr : &fresh->second));
  }

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

Result<std::pair<schema::CaseEvent, std::int64_t>> HubService::assign_platform_number(Transaction& txn,
                                                                                    const std::string& case_id,
                                                                                    const std::string& hall_code,
                                                                                    Hlc after) {
  // First receipt of a case: its platform case number, as an event that flows down to the hall.
  schema::CaseEvent e = hub_event(case_id, schema::EventKind::PlatformNumberAssigned, after);
  e.clerk_id = "platform";
  e.platform_case_no = next_platform_case_no(hall_code);
  auto body = encode_event(e);
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t hub_seq, insert_event(txn, e, hall_code, std::string(body.begin(), body.end())));
  return std::make_pair(std::move(e), hub_seq);
}

Status HubService::refresh_case(Transaction& txn, const std::string& case_id, std::int64_t hub_seq,
                                const std::vector<schema::CaseEvent>* new_case_events) {
  std::vector<schema::CaseEvent> loaded;
  if (!new_case_events) {
    HALLSYNC_ASSIGN_OR_RETURN(loaded, case_events(case_id));
  }
  CaseSnapshot snap = policy_->fold(new_case_events ? *new_case_events : loaded);
  if (!snap.accepted) return Status::ok();  // nothing to list until the acceptance arrives
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
  HALLSYNC_ASSIGN_OR_RETURN(auto upsert, txn.db().prepare(
      "INSERT INTO cases (case_id, hall_code, acceptance_no, platform_case_no, matter_id, state, department,"
      " open_conflicts, last_hub_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET"
      " hall_code = excluded.hall_code, acceptance_no = excluded.acceptance_no,"
      " platform_case_no = excluded.platform_case_no, matter_id = excluded.matter_id, state = excluded.state,"
      " department = excluded.department, open_conflicts = excluded.open_conflicts,"
      " last_hub_seq = excluded.last_hub_seq"));
  upsert.bind(1, case_id).bind(2, snap.hall_code).bind(3, snap.acceptance_no).bind(4, platform_no)
      .bind(5, snap.matter_id).bind(6, snap.state).bind(7, snap.department).bind(8, snap.open_conflicts)
      .bind(9, hub_seq);
  return upsert.run();
}

}  // namespace hallsync::hub
