// Building a fresh store from the hub and swapping it in (see the header).
#include "client/store/store_rebuild.h"

#include "client/store/store_key.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "client/store/case_change_sink.h"
#include "client/store/store_key.h"
#include "client/store/store_salvage.h"
#include "sync/api/change_log.h"
#include "sync/api/event_codec.h"

namespace hallsync::client {
namespace {

namespace fs = std::filesystem;

// One event to store as if pulled, with its wire encoding (which must outlive the call).
std::vector<CaseRepository::ReceivedEvent> received(const schema::CaseEvent& event, const std::vector<std::uint8_t>& body) {
  return {{event, std::string_view(reinterpret_cast<const char*>(body.data()), body.size())}};
}
const char* const kSqliteSuffixes[] = {"", "-wal", "-shm"};

// What the old store holds that the rebuild needs, read before it is closed.
struct OldStore {
  HallIdentity identity;
  std::vector<OutboxEntry> outbox;
  std::map<std::string, std::vector<std::uint8_t>> foreign_events;  // event id -> body, other origins
  std::string acceptance_counter = "0", hlc_last = "0";
};

Result<OldStore> read_old_store(const std::string& data_dir, const Clock& clock) {
  HALLSYNC_ASSIGN_OR_RETURN(auto store, HallStore::open(data_dir, clock));
  OldStore old;
  old.identity = store->identity();
  ChangeLog log(store->db());
  for (std::int64_t after = 0;;) {
    HALLSYNC_ASSIGN_OR_RETURN(auto batch, log.read_after(after, 1000, 8 << 20));
    if (batch.empty()) break;
    after = batch.back().seq;
    for (auto& e : batch) old.outbox.push_back(std::move(e));
  }
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, store->db().prepare("SELECT event_id, body FROM case_events WHERE device_id <> ?"));
  stmt.bind(1, old.identity.device_id());
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    std::string id = stmt.column_text(0);
    HALLSYNC_ASSIGN_OR_RETURN(old.foreign_events[id], open_event_body(store->sealer(), id, stmt.column_blob(1)));
  }
  auto counter = store->meta("acceptance.counter");
  old.acceptance_counter = counter ? *counter : "0";
  auto hlc = store->meta("hlc.last");
  old.hlc_last = hlc ? *hlc : "0";
  return old;
}

std::string timestamp(const Clock& clock) {
  std::time_t t = clock.now_ms() / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

Status rename_store_files(const fs::path& from, const fs::path& to) {
  for (const char* suffix : kSqliteSuffixes) {
    fs::path a = from.string() + suffix, b = to.string() + suffix;
    if (!fs::exists(a)) continue;
    std::error_code ec;
    fs::rename(a, b, ec);
    if (ec) return Status::storage("cannot move " + a.string() + " to " + b.string() + ": " + ec.message());
  }
  return Status::ok();
}

// Moves the old store into backups/ and the completed new one into place.
Result<std::string> swap_in(const fs::path& data_dir, const Clock& clock) {
  fs::path current = data_dir / HallStore::kDatabaseFile;
  std::string backup;
  if (fs::exists(current)) {
    std::error_code ec;
    fs::create_directories(data_dir / kBackupDir, ec);
    if (ec) return Status::storage("cannot create " + (data_dir / kBackupDir).string() + ": " + ec.message());
    fs::path target = data_dir / kBackupDir / ("hall-" + timestamp(clock) + ".db");
    for (int n = 1; fs::exists(target); ++n)
      target = data_dir / kBackupDir / ("hall-" + timestamp(clock) + "-" + std::to_string(n) + ".db");
    HALLSYNC_RETURN_IF_ERROR(rename_store_files(current, target));
    backup = target.string();
  }
  HALLSYNC_RETURN_IF_ERROR(rename_store_files(data_dir / kRebuildDir / HallStore::kDatabaseFile, current));
  std::error_code ec;
  fs::remove_all(data_dir / kRebuildDir, ec);  // only the marker is left in it
  return backup;
}

Result<std::vector<std::uint8_t>> held_body(HallStore& store, const std::string& event_id) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, store.db().prepare("SELECT body FROM case_events WHERE event_id = ?"));
  stmt.bind(1, event_id);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return std::vector<std::uint8_t>{};
  return open_event_body(store.sealer(), event_id, stmt.column_blob(0));
}

// Copies the old outbox into the new store (see the header for the rule).
Status carry_over(HallStore& fresh, const OldStore& old, std::int64_t high_water, RebuildReport& report) {
  CaseRepository repo(fresh);
  ChangeLog log(fresh.db());
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(fresh.db()));
  HALLSYNC_RETURN_IF_ERROR(log.reserve_through(txn, high_water));
  HALLSYNC_RETURN_IF_ERROR(log.mark_acknowledged_through(txn, high_water));
  // This device's events the hub sent back go into the outbox under their own
  // sequence (acknowledged): the outbox stays the full record a later
  // `resync --repush` sends, even when the old store was lost.
  HALLSYNC_ASSIGN_OR_RETURN(auto own, fresh.db().prepare("SELECT origin_seq, case_id, hlc, body, wall_ms, event_id FROM case_events"
                                                         " WHERE device_id = ? ORDER BY origin_seq"));
  own.bind(1, old.identity.device_id());
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, own.step());
    if (!row) break;
    HALLSYNC_ASSIGN_OR_RETURN(auto body, open_event_body(fresh.sealer(), own.column_text(5), own.column_blob(3)));
    OutboxEntry e{own.column_int(0), "case_events", own.column_text(1), Hlc{static_cast<std::uint64_t>(own.column_int(2))},
                  std::move(body), own.column_int(4), {}};  // chain: recomputed by restore_entry
    HALLSYNC_RETURN_IF_ERROR(log.restore_entry(txn, e));
  }
  std::vector<const OutboxEntry*> renumber;
  // A kept sequence must follow the last one without a gap, or the hub refuses
  // the push (sequence_gap): after an entry lost with a damaged page, the rest
  // are renumbered. An intact outbox is contiguous, so there it changes nothing.
  std::int64_t next_kept = high_water + 1;
  for (const auto& entry : old.outbox) {
    HALLSYNC_ASSIGN_OR_RETURN(auto event, decode_event(entry.payload));
    HALLSYNC_ASSIGN_OR_RETURN(auto held, held_body(fresh, event.event_id()));
    if (!held.empty() && held == encode_event(event)) continue;  // the hub has it; it came back with the pull
    if (entry.seq == next_kept && held.empty()) {
      HALLSYNC_RETURN_IF_ERROR(log.restore_entry(txn, entry));
      HALLSYNC_ASSIGN_OR_RETURN(int n, repo.apply_remote(txn, received(event, entry.payload)));
      (void)n;
      ++next_kept;
      ++report.carried_same_seq;
    } else {
      renumber.push_back(&entry);
    }
  }
  for (const OutboxEntry* entry : renumber) {
    HALLSYNC_ASSIGN_OR_RETURN(auto event, decode_event(entry->payload));
    HALLSYNC_ASSIGN_OR_RETURN(event.origin_seq, log.next_seq(txn));
    auto body = encode_event(event);
    HALLSYNC_ASSIGN_OR_RETURN(std::int64_t seq, log.append(txn, {entry->collection, entry->doc_key, entry->hlc, body},
                                                           entry->created_ms));
    if (seq != event.origin_seq) return Status::internal("change-log sequence moved during the rebuild");
    HALLSYNC_ASSIGN_OR_RETURN(int n, repo.apply_remote(txn, received(event, body)));
    (void)n;
    ++report.renumbered;
  }
  // The counter continues after every acceptance number of this device the
  // hub returned: a lost store must not hand out a number twice.
  std::int64_t counter = std::stoll(old.acceptance_counter);
  std::string prefix = old.identity.hall_code + "-" + old.identity.device_code + "-";
  HALLSYNC_ASSIGN_OR_RETURN(auto numbers, fresh.db().prepare("SELECT acceptance_no FROM cases WHERE substr(acceptance_no, 1, ?) = ?"));
  numbers.bind(1, static_cast<std::int64_t>(prefix.size())).bind(2, prefix);
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, numbers.step());
    if (!row) break;
    std::string no = numbers.column_text(0);
    std::string tail = no.substr(no.rfind('-') + 1);
    if (!tail.empty() && tail.find_first_not_of("0123456789") == std::string::npos)
      counter = std::max<std::int64_t>(counter, std::stoll(tail));
  }
  HALLSYNC_RETURN_IF_ERROR(fresh.set_meta(txn, "acceptance.counter", std::to_string(counter)));
  return txn.commit();
}

}  // namespace

bool rebuild_interrupted(const std::string& data_dir) {
  fs::path dir = data_dir;
  return !fs::exists(dir / HallStore::kDatabaseFile) && fs::exists(dir / kRebuildDir / kRebuildCompleteMarker) &&
         fs::exists(dir / kRebuildDir / HallStore::kDatabaseFile);
}

Result<RebuildReport> rebuild_store(const RebuildRequest& request, Transport& transport, const std::string& token,
                                    const Clock& clock) {
  fs::path data_dir = request.data_dir, partial = data_dir / kRebuildDir;
  RebuildReport report;
  bool has_store = fs::exists(data_dir / HallStore::kDatabaseFile);
  if (rebuild_interrupted(request.data_dir) && !request.dry_run) {
    // An earlier run was interrupted after the old store was moved aside.
    HALLSYNC_ASSIGN_OR_RETURN(report.backup_path, swap_in(data_dir, clock));
    report.finished_interrupted_swap = true;
    return report;
  }
  OldStore old;
  auto readable = has_store ? read_old_store(request.data_dir, clock) : Result<OldStore>(Status::not_found("no store"));
  std::optional<SalvagedOutbox> salvaged;
  if (readable) {
    old = std::move(readable).value();
  } else if (has_store && request.identity) {
    // A damaged store: what the hub holds comes back, plus the own outbox
    // entries that can still be read from it; the file is kept in backups/.
    old.identity = *request.identity;
    report.unreadable_store = readable.status().to_string();
    auto key = read_key_file(key_file_path(request.data_dir));
    std::optional<FieldSealer> sealer;
    if (key) sealer.emplace(*key);
    auto salvage = salvage_outbox((data_dir / HallStore::kDatabaseFile).string(), (data_dir / kSalvageDir).string(),
                                  old.identity.device_id(), sealer ? &*sealer : nullptr);
    if (salvage) {
      salvaged = std::move(salvage).value();
      old.outbox = salvaged->entries;
      if (!salvaged->hlc_last.empty()) old.hlc_last = salvaged->hlc_last;
      if (!salvaged->acceptance_counter.empty()) old.acceptance_counter = salvaged->acceptance_counter;
    } else {
      report.salvage_failure = salvage.status().to_string();
    }
    has_store = false;
  } else if (has_store) {
    return Status::storage("the store cannot be read (" + readable.status().message() +
                           "): give --hall and --device to rebuild it from the hub; the damaged file is kept in backups/")
        .with_code("store_unreadable");
  } else if (request.identity) {
    old.identity = *request.identity;
  } else {
    return Status::validation("no hall store in " + request.data_dir + ": give --hall and --device to rebuild it from the hub");
  }
  report.identity = old.identity;
  report.local_events = static_cast<std::int64_t>(old.outbox.size());
  DeviceCredentials credentials{old.identity.device_id(), token};
  HALLSYNC_ASSIGN_OR_RETURN(HubHandshake hand, hub_handshake(transport, credentials, clock, nullptr));
  if (hand.hub_epoch != request.agreed_epoch)
    return Status::protocol("the hub's epoch is " + hand.hub_epoch + ", not the agreed " + request.agreed_epoch)
        .with_code("hub_epoch_changed");
  report.hub_high_water = hand.high_water;
  if (salvaged) {
    // Only what the hub has not acknowledged counts: the rest came back from it.
    for (const auto& e : salvaged->entries) report.salvaged_unsynced += e.seq > hand.high_water;
    for (std::int64_t seq : salvaged->unreadable) report.unreadable_unsynced += seq > hand.high_water;
  }
  if (request.dry_run) {
    for (const auto& e : old.outbox) report.carried_same_seq += e.seq > hand.high_water;
    return report;
  }

  std::error_code ec;
  fs::remove_all(partial, ec);  // an unfinished earlier build: ours, never the hall's data
  {
    HALLSYNC_ASSIGN_OR_RETURN(auto fresh, HallStore::init(partial.string(), old.identity, clock, key_file_path(request.data_dir)));
    if (has_store || (salvaged && !salvaged->hlc_last.empty())) {
      HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(fresh->db()));
      // The old HLC, so new events never sort before ones this device already made
      // (a lost store's HLC is recovered from the events pulled back).
      HALLSYNC_RETURN_IF_ERROR(fresh->set_meta(txn, "hlc.last", old.hlc_last));
      HALLSYNC_RETURN_IF_ERROR(txn.commit());
    }
    HALLSYNC_RETURN_IF_ERROR(agree_hub_epoch(fresh->db(), hand.hub_epoch));
    CaseChangeSink sink(*fresh);
    Replicator replicator(fresh->db(), transport, sink, clock, credentials, {.include_own = true});
    replicator.on_progress = request.on_progress;
    HALLSYNC_ASSIGN_OR_RETURN(auto pulled, replicator.pull());
    report.pulled = pulled.pulled;
    HALLSYNC_RETURN_IF_ERROR(carry_over(*fresh, old, hand.high_water, report));
    for (const auto& [id, body] : old.foreign_events) {
      HALLSYNC_ASSIGN_OR_RETURN(auto held, held_body(*fresh, id));
      report.left_with_backup += held.empty();
    }
  }
  std::ofstream(partial / kRebuildCompleteMarker) << "complete\n";
  HALLSYNC_ASSIGN_OR_RETURN(report.backup_path, swap_in(data_dir, clock));
  // Deliver what was carried over and take what the push brings back.
  HALLSYNC_ASSIGN_OR_RETURN(auto rebuilt, HallStore::open(request.data_dir, clock));
  CaseChangeSink sink(*rebuilt);
  Replicator replicator(rebuilt->db(), transport, sink, clock, credentials);
  replicator.on_progress = request.on_progress;
  HALLSYNC_ASSIGN_OR_RETURN(auto synced, replicator.sync());
  report.pushed = synced.pushed;
  report.pulled += synced.pulled;
  return report;
}

}  // namespace hallsync::client
