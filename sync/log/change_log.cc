// Outbox append/read/acknowledge over the change_log and sync_state tables.
#include "sync/api/change_log.h"

#include "sync/api/change_chain.h"
#include "sync/api/payload_sealer.h"

namespace hallsync {
namespace {
constexpr std::string_view kAckedName = "outbox.acknowledged_through";

std::vector<std::uint8_t> stored_payload(Database& db, std::string_view collection, std::string_view doc_key, Hlc hlc,
                                         const std::vector<std::uint8_t>& payload) {
  const PayloadSealer* sealer = db.payload_sealer();
  if (!sealer) return payload;
  return sealer->seal_payload(change_log_payload_place(collection, doc_key, hlc),
                              std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size()));
}

std::string as_string(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }

// The hash the entry at `seq` chains from. One rowid-index probe: SQLite
// serves it from the b-tree's rightmost page, so an append pays microseconds
// and no in-memory head can go stale when another process (halld, hall, a
// rebuild) appends.
Result<std::string> prev_chain(Database& db, std::int64_t seq) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT seq, chain FROM change_log WHERE seq < ? ORDER BY seq DESC LIMIT 1"));
  stmt.bind(1, seq);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return chain_genesis();
  if (stmt.column_is_null(1))
    return Status::storage("change-log entry " + std::to_string(stmt.column_int(0)) +
                           " has no chain hash: reopen the store with this release so it completes the chain (migration 0011)");
  return as_string(stmt.column_blob(1));
}

// The chain covers the payload as it travels (the hub recomputes it from the
// wire); a store with a sealer keeps the payload itself sealed.
Status insert_entry(Transaction& txn, std::int64_t seq, const std::string& collection, const std::string& doc_key,
                    Hlc hlc, const std::vector<std::uint8_t>& clear_payload, std::int64_t created_ms) {
  HALLSYNC_ASSIGN_OR_RETURN(std::string prev, prev_chain(txn.db(), seq));
  std::string chain = chain_link(prev, seq, hlc.value, collection, doc_key,
                                 std::string_view(reinterpret_cast<const char*>(clear_payload.data()), clear_payload.size()));
  const auto payload = stored_payload(txn.db(), collection, doc_key, hlc, clear_payload);
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, txn.db().prepare("INSERT INTO change_log (seq, collection, doc_key, hlc, payload,"
                                                        " created_ms, chain) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  stmt.bind(1, seq).bind(2, collection).bind(3, doc_key).bind(4, static_cast<std::int64_t>(hlc.value))
      .bind_blob(5, payload.data(), payload.size()).bind(6, created_ms).bind_blob(7, chain.data(), chain.size());
  return stmt.run();
}
}  // namespace

// A store with a sealer keeps payloads sealed, bound to their entry, so a
// payload copied onto another entry fails to open.
std::string change_log_payload_place(std::string_view collection, std::string_view doc_key, Hlc hlc) {
  return "change_log.payload/" + std::string(collection) + "/" + std::string(doc_key) + "/" + std::to_string(hlc.value);
}

Result<std::vector<std::uint8_t>> clear_payload(Database& db, std::string_view collection, std::string_view doc_key,
                                                Hlc hlc, std::vector<std::uint8_t> stored) {
  const PayloadSealer* sealer = db.payload_sealer();
  if (!sealer) return stored;
  return sealer->open_payload(change_log_payload_place(collection, doc_key, hlc),
                              std::string_view(reinterpret_cast<const char*>(stored.data()), stored.size()));
}

Result<std::int64_t> ChangeLog::next_seq(Transaction& txn) {
  // With AUTOINCREMENT the next rowid is max(sqlite_sequence.seq, max(seq)) + 1.
  HALLSYNC_ASSIGN_OR_RETURN(
      auto stmt, txn.db().prepare("SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'change_log'), 0),"
                                  " coalesce((SELECT max(seq) FROM change_log), 0)) + 1"));
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return Status::storage("cannot read the next change-log sequence");
  return stmt.column_int(0);
}

Result<std::int64_t> ChangeLog::append(Transaction& txn, const LocalChange& change, std::int64_t now_ms) {
  if (!txn.db().in_transaction()) return Status::internal("ChangeLog::append outside a transaction");
  // The sequence is chosen here, not by AUTOINCREMENT, because the chain hash
  // covers it; next_seq honours what reserve_through set aside.
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t seq, next_seq(txn));
  HALLSYNC_RETURN_IF_ERROR(insert_entry(txn, seq, change.collection, change.doc_key, change.hlc, change.payload, now_ms));
  return seq;
}

Result<std::string> ChangeLog::chain_before(std::int64_t seq) { return prev_chain(*db_, seq); }

Result<std::vector<OutboxEntry>> ChangeLog::read_after(std::int64_t after_seq, std::size_t max_count,
                                                       std::size_t max_bytes) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare("SELECT seq, collection, doc_key, hlc, payload, created_ms, chain"
                                                    " FROM change_log"
                                                    " WHERE seq > ? ORDER BY seq LIMIT ?"));
  stmt.bind(1, after_seq).bind(2, static_cast<std::int64_t>(max_count));
  std::vector<OutboxEntry> out;
  std::size_t bytes = 0;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    OutboxEntry e;
    e.seq = stmt.column_int(0);
    e.collection = stmt.column_text(1);
    e.doc_key = stmt.column_text(2);
    e.hlc = Hlc{static_cast<std::uint64_t>(stmt.column_int(3))};
    e.payload = stmt.column_blob(4);
    e.created_ms = stmt.column_int(5);
    e.chain = as_string(stmt.column_blob(6));
    HALLSYNC_ASSIGN_OR_RETURN(e.payload, clear_payload(*db_, e.collection, e.doc_key, e.hlc, std::move(e.payload)));
    bytes += e.payload.size();
    out.push_back(std::move(e));
    if (bytes >= max_bytes) break;
  }
  return out;
}

Result<std::int64_t> ChangeLog::acknowledged_through() { return read_sync_value(*db_, kAckedName, 0); }

Status ChangeLog::mark_acknowledged_through(Transaction& txn, std::int64_t seq) {
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t current, read_sync_value(txn.db(), kAckedName, 0));
  if (seq <= current) return Status::ok();
  return write_sync_value(txn, kAckedName, seq);
}

Result<OutboxStats> ChangeLog::stats() {
  // O(log n), not a count: sequences are contiguous (next_seq, never deleted),
  // so the pending count is a difference, and the oldest pending entry is the
  // first after the acknowledged one. Called before every push batch.
  OutboxStats s;
  HALLSYNC_ASSIGN_OR_RETURN(s.acknowledged_through, acknowledged_through());
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare("SELECT coalesce((SELECT max(seq) FROM change_log), 0),"
                                                    " coalesce((SELECT created_ms FROM change_log WHERE seq > ?"
                                                    " ORDER BY seq LIMIT 1), 0)"));
  stmt.bind(1, s.acknowledged_through);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (row) {
    s.last_seq = stmt.column_int(0);
    s.oldest_pending_ms = stmt.column_int(1);
    s.pending = s.last_seq > s.acknowledged_through ? s.last_seq - s.acknowledged_through : 0;
  }
  return s;
}

Result<std::int64_t> read_sync_value(Database& db, std::string_view name, std::int64_t fallback) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT value FROM sync_state WHERE name = ?"));
  stmt.bind(1, name);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  return row ? stmt.column_int(0) : fallback;
}

Status write_sync_value(Transaction& txn, std::string_view name, std::int64_t value) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, txn.db().prepare("INSERT INTO sync_state (name, value) VALUES (?, ?)"
                                                        " ON CONFLICT (name) DO UPDATE SET value = excluded.value"));
  stmt.bind(1, name).bind(2, value);
  return stmt.run();
}

}  // namespace hallsync

namespace hallsync {

Status ChangeLog::restore_entry(Transaction& txn, const OutboxEntry& e) {
  return insert_entry(txn, e.seq, e.collection, e.doc_key, e.hlc, e.payload, e.created_ms);
}

Status ChangeLog::reserve_through(Transaction& txn, std::int64_t seq) {
  // AUTOINCREMENT continues after max(sqlite_sequence.seq, max(seq)); the row
  // exists once anything was ever appended.
  HALLSYNC_ASSIGN_OR_RETURN(auto up, txn.db().prepare("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'change_log'"));
  up.bind(1, seq);
  HALLSYNC_RETURN_IF_ERROR(up.run());
  if (txn.db().changes() > 0) return Status::ok();
  HALLSYNC_ASSIGN_OR_RETURN(auto ins, txn.db().prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('change_log', ?)"));
  ins.bind(1, seq);
  return ins.run();
}

}  // namespace hallsync
