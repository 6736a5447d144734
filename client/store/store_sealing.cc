// Opening a store's seal, and sealing a store written in clear (see the header).
#include "client/store/store_sealing.h"

#include <utility>
#include <vector>

#include "client/store/store_key.h"
#include "sync/api/change_log.h"
#include "sync/api/crypto_suite.h"

namespace hallsync::client {
namespace {

constexpr const char* kCheckKey = "seal.check";
constexpr const char* kSuiteKey = "seal.suite";

std::string_view as_text(const std::vector<std::uint8_t>& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

Result<std::string> read_meta(Database& db, const char* key) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT value FROM hall_meta WHERE key = ?"));
  stmt.bind(1, key);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  return row ? stmt.column_text(0) : std::string();
}

Status write_meta(Transaction& txn, const char* key, std::string_view value) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, txn.db().prepare("INSERT OR REPLACE INTO hall_meta (key, value) VALUES (?, ?)"));
  stmt.bind(1, key).bind(2, value);
  return stmt.run();
}

Status check_key(const std::string& recorded, const FieldSealer& sealer, const std::string& key_file) {
  if (recorded == sealer.check_value()) return Status::ok();
  return Status::storage("本机个人信息密钥与数据库不匹配，数据库无法打开，请联系技术人员。The key in " + key_file +
                         " is not the key this store was sealed with: put back the store's own key file; if it is "
                         "lost, rebuild the store from the hub (hallctl resync --rebuild --hall CODE --device CODE).")
      .with_code("store_key_wrong");
}

// case_events and change_log are append-only by trigger; sealing rewrites each
// stored body once (the clear bytes, which the change-log chain covers, stay
// the same), with the table's triggers lifted inside the same transaction and
// restored as they were. Returns the lifted triggers' names and SQL.
Result<std::vector<std::pair<std::string, std::string>>> lift_triggers(Database& db, const std::string& table) {
  std::vector<std::pair<std::string, std::string>> triggers;
  {
    HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                                                    " AND tbl_name = ?"));
    stmt.bind(1, table);
    for (;;) {
      HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
      if (!row) break;
      triggers.emplace_back(stmt.column_text(0), stmt.column_text(1));
    }
  }
  for (const auto& [name, sql] : triggers) HALLSYNC_RETURN_IF_ERROR(db.exec_script("DROP TRIGGER \"" + name + "\""));
  return triggers;
}

Status restore_triggers(Database& db, const std::vector<std::pair<std::string, std::string>>& triggers) {
  for (const auto& [name, sql] : triggers) HALLSYNC_RETURN_IF_ERROR(db.exec_script(sql));
  return Status::ok();
}

Status seal_event_bodies(Transaction& txn, const FieldSealer& sealer, std::size_t& rewritten) {
  Database& db = txn.db();
  HALLSYNC_ASSIGN_OR_RETURN(auto triggers, lift_triggers(db, "case_events"));
  std::vector<std::pair<std::string, std::string>> sealed;
  {
    HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT event_id, body FROM case_events"));
    for (;;) {
      HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
      if (!row) break;
      std::string id = stmt.column_text(0);
      sealed.emplace_back(id, sealer.seal(event_body_place(id), as_text(stmt.column_blob(1))));
    }
  }
  rewritten += sealed.size();
  for (const auto& [id, body] : sealed) {
    HALLSYNC_ASSIGN_OR_RETURN(auto up, db.prepare("UPDATE case_events SET body = ? WHERE event_id = ?"));
    up.bind_blob(1, body.data(), body.size()).bind(2, id);
    HALLSYNC_RETURN_IF_ERROR(up.run());
  }
  return restore_triggers(db, triggers);
}

Status seal_outbox(Transaction& txn, const FieldSealer& sealer, std::size_t& rewritten) {
  struct Row {
    std::int64_t seq;
    std::vector<std::uint8_t> payload;
  };
  std::vector<Row> rows;
  {
    HALLSYNC_ASSIGN_OR_RETURN(auto stmt, txn.db().prepare("SELECT seq, collection, doc_key, hlc, payload FROM change_log"));
    for (;;) {
      HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
      if (!row) break;
      Hlc hlc{static_cast<std::uint64_t>(stmt.column_int(3))};
      rows.push_back({stmt.column_int(0), sealer.seal_payload(change_log_payload_place(stmt.column_text(1),
                                                                                       stmt.column_text(2), hlc),
                                                              as_text(stmt.column_blob(4)))});
    }
  }
  rewritten += rows.size();
  HALLSYNC_ASSIGN_OR_RETURN(auto triggers, lift_triggers(txn.db(), "change_log"));
  for (const auto& r : rows) {
    HALLSYNC_ASSIGN_OR_RETURN(auto up, txn.db().prepare("UPDATE change_log SET payload = ? WHERE seq = ?"));
    up.bind_blob(1, r.payload.data(), r.payload.size()).bind(2, r.seq);
    HALLSYNC_RETURN_IF_ERROR(up.run());
  }
  return restore_triggers(txn.db(), triggers);
}

Status seal_case_rows(Transaction& txn, const FieldSealer& sealer, std::size_t& rewritten) {
  std::vector<std::pair<std::string, SealedApplicant>> rows;
  {
    HALLSYNC_ASSIGN_OR_RETURN(auto stmt, txn.db().prepare("SELECT case_id, applicant_name, id_number, phone FROM cases"));
    for (;;) {
      HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
      if (!row) break;
      std::string id = stmt.column_text(0);
      rows.emplace_back(id, seal_applicant(sealer, id, stmt.column_text(1), stmt.column_text(2), stmt.column_text(3)));
    }
  }
  rewritten += rows.size();
  for (const auto& [id, a] : rows) {
    HALLSYNC_ASSIGN_OR_RETURN(auto up, txn.db().prepare(
        "UPDATE cases SET applicant_name = ?, id_number = ?, phone = ?, name_index = ?, id_index = ?, phone_index = ?"
        " WHERE case_id = ?"));
    up.bind_blob(1, a.name.data(), a.name.size()).bind_blob(2, a.id_number.data(), a.id_number.size())
        .bind_blob(3, a.phone.data(), a.phone.size()).bind_blob(4, a.name_index.data(), a.name_index.size())
        .bind_blob(5, a.id_index.data(), a.id_index.size()).bind_blob(6, a.phone_index.data(), a.phone_index.size())
        .bind(7, id);
    HALLSYNC_RETURN_IF_ERROR(up.run());
  }
  return Status::ok();
}

// Seals everything held in clear; true when there was anything to seal.
Result<bool> seal_clear_store(Database& db, const FieldSealer& sealer, const std::string& key_file) {
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(db));
  // Another process may have sealed it since we looked.
  HALLSYNC_ASSIGN_OR_RETURN(std::string recorded, read_meta(db, kCheckKey));
  if (!recorded.empty()) {
    HALLSYNC_RETURN_IF_ERROR(check_key(recorded, sealer, key_file));
    return false;
  }
  std::size_t rewritten = 0;
  HALLSYNC_RETURN_IF_ERROR(seal_event_bodies(txn, sealer, rewritten));
  HALLSYNC_RETURN_IF_ERROR(seal_outbox(txn, sealer, rewritten));
  HALLSYNC_RETURN_IF_ERROR(seal_case_rows(txn, sealer, rewritten));
  HALLSYNC_RETURN_IF_ERROR(write_meta(txn, kCheckKey, sealer.check_value()));
  HALLSYNC_RETURN_IF_ERROR(write_meta(txn, kSuiteKey, crypto::kSuiteTag));
  HALLSYNC_RETURN_IF_ERROR(txn.commit());
  return rewritten > 0;
}

}  // namespace

Status check_store_key(Database& db, const std::string& key_file) {
  HALLSYNC_ASSIGN_OR_RETURN(std::string recorded, read_meta(db, kCheckKey));
  if (recorded.empty()) return Status::ok();
  HALLSYNC_ASSIGN_OR_RETURN(std::string key, read_key_file(key_file));
  return check_key(recorded, FieldSealer(key), key_file);
}

Result<std::unique_ptr<FieldSealer>> attach_sealer_read_only(Database& db, const std::string& key_file) {
  HALLSYNC_ASSIGN_OR_RETURN(std::string recorded, read_meta(db, kCheckKey));
  if (recorded.empty()) return std::unique_ptr<FieldSealer>();
  HALLSYNC_ASSIGN_OR_RETURN(std::string key, read_key_file(key_file));
  auto sealer = std::make_unique<FieldSealer>(key);
  HALLSYNC_RETURN_IF_ERROR(check_key(recorded, *sealer, key_file));
  db.set_payload_sealer(sealer.get());
  return sealer;
}

Result<std::unique_ptr<FieldSealer>> attach_sealer(Database& db, const std::string& key_file) {
  // Freed pages are zeroed, so a sealed row's clear predecessor (a store
  // sealed on upgrade, a rewritten row) does not linger in the file.
  HALLSYNC_RETURN_IF_ERROR(db.exec_script("PRAGMA secure_delete = ON"));
  HALLSYNC_ASSIGN_OR_RETURN(std::string recorded, read_meta(db, kCheckKey));
  std::unique_ptr<FieldSealer> sealer;
  if (!recorded.empty()) {
    HALLSYNC_ASSIGN_OR_RETURN(std::string key, read_key_file(key_file));
    sealer = std::make_unique<FieldSealer>(key);
    HALLSYNC_RETURN_IF_ERROR(check_key(recorded, *sealer, key_file));
  } else {
    HALLSYNC_ASSIGN_OR_RETURN(std::string key, create_or_read_key_file(key_file));
    sealer = std::make_unique<FieldSealer>(key);
    HALLSYNC_ASSIGN_OR_RETURN(bool sealed_rows, seal_clear_store(db, *sealer, key_file));
    if (sealed_rows) {
      // The clear rows' pages were zeroed by secure_delete as they were
      // rewritten; VACUUM drops the rest of the old layout, and the TRUNCATE
      // checkpoints empty hall.db-wal, which held the clear pages too.
      HALLSYNC_RETURN_IF_ERROR(db.exec_script("PRAGMA wal_checkpoint(TRUNCATE)"));
      HALLSYNC_RETURN_IF_ERROR(db.exec_script("VACUUM"));
      HALLSYNC_RETURN_IF_ERROR(db.exec_script("PRAGMA wal_checkpoint(TRUNCATE)"));
    }
  }
  db.set_payload_sealer(sealer.get());
  return sealer;
}

}  // namespace hallsync::client
