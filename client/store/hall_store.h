// HallStore: the hall's SQLite file — opened (and migrated) once per process,
// with the hall's identity and the reference data (catalog, calendar) it holds.
// Owned by one thread; the daemon serialises access through its store strand.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "client/domain/matter_catalog.h"
#include "client/domain/work_calendar.h"
#include "client/store/civil_clock.h"
#include "client/store/field_sealer.h"
#include "client/store/store_check.h"
#include "sync/api/clock.h"
#include "sync/api/database.h"
#include "sync/api/hlc.h"
#include "sync/api/wal_checkpointer.h"

namespace hallsync::client {

struct HallIdentity {
  std::string hall_code;    // 9–12 digit township code, e.g. 360704100 梅林镇
  std::string device_code;  // the PC within the hall, e.g. W01
  std::string device_id() const { return hall_code + "-" + device_code; }
};

class HallStore {
 public:
  static constexpr const char* kDatabaseFile = "hall.db";

  // Creates a new store in `data_dir` for one hall device, with the built-in
  // catalog and calendar installed. Refuses if the directory already holds one.
  // Personal data is sealed under the key in `key_file` (default
  // key_file_path(data_dir)), created when missing (store_key.h).
  static Result<std::unique_ptr<HallStore>> init(const std::string& data_dir, const HallIdentity& identity,
                                                 const Clock& clock, const std::string& key_file = {});
  // Opens an existing store, migrating it forward; refuses a newer schema.
  // Clerks' writes (the default) go before a Background store's (sync) when
  // both wait for the file's write lock: see WriterRank. A damaged file (see
  // StoreCheck for how much is read first) is refused untouched, and so is a
  // store whose key is missing or wrong (store_sealing.h); a store written in
  // clear is sealed once.
  static Result<std::unique_ptr<HallStore>> open(const std::string& data_dir, const Clock& clock,
                                                 WriterRank rank = WriterRank::Foreground,
                                                 StoreCheck check = StoreCheck::Header);

  ~HallStore();
  HallStore(const HallStore&) = delete;
  HallStore& operator=(const HallStore&) = delete;

  Database& db() { return *db_; }
  // Seals and opens the personal fields this store keeps (field_sealer.h).
  const FieldSealer& sealer() const { return *sealer_; }
  const HallIdentity& identity() const { return identity_; }
  // This PC's own clock: HLC, outbox and session times.
  const Clock& clock() const { return *clock_; }
  // The clock every date a person sees is taken from (civil_clock.h): the
  // device clock corrected by the offset learned at the last sync, as read
  // when the store was opened or last refreshed.
  const CivilClock& civil_clock() const { return civil_; }
  // Re-reads the learned offset: a long-lived store (halld's) calls it before
  // each request, and every case write before it stamps a date, since a sync
  // on another connection may have learned a new one.
  Status refresh_civil_clock();
  const std::string& data_dir() const { return data_dir_; }

  // The catalog new cases are accepted under, and any older version a case names.
  const MatterCatalog& catalog() const { return *catalog_; }
  Result<MatterCatalog> catalog_version(const std::string& version);
  const WorkCalendar& calendar() const { return *calendar_; }

  // Installs a published catalog or calendar (from the hub) inside `txn`; it
  // is current in the file once the transaction commits, and in this process
  // after reload_reference().
  Status install_reference(Transaction& txn, const std::string& name, const std::string& version, const std::string& body);

  Status reload_reference();

  // The device's HLC; persisted by persist_hlc inside each write transaction.
  HlcClock& hlc() { return hlc_; }
  Status persist_hlc(Transaction& txn);
  // Inside a write transaction: adopts hlc.last as stored, so two processes or
  // connections on one store (halld's API and sync threads, hall beside halld)
  // never issue timestamps that sort before each other's.
  Status adopt_persisted_hlc(Transaction& txn);

  // Next per-device acceptance counter, taken inside the write transaction.
  Result<std::int64_t> take_acceptance_counter(Transaction& txn);

  Result<std::string> meta(const std::string& key);
  Status set_meta(Transaction& txn, const std::string& key, const std::string& value);

 private:
  HallStore(std::unique_ptr<Database> db, std::string data_dir, const Clock& clock)
      : db_(std::move(db)), data_dir_(std::move(data_dir)), clock_(&clock), civil_(clock), hlc_(clock, Hlc{}) {}
  Status load();
  std::unique_ptr<FieldSealer> sealer_;  // before db_: the connection points at it until closed
  std::unique_ptr<Database> db_;
  std::string data_dir_;
  const Clock* clock_;
  CivilClock civil_;
  HallIdentity identity_;
  HlcClock hlc_;
  std::optional<MatterCatalog> catalog_;
  std::optional<WorkCalendar> calendar_;
  std::unique_ptr<WalCheckpointer> checkpointer_;  // declared last: stops first
};

// Applies the embedded local migrations (used by open/init and by tests).
Status migrate_hall_database(Database& db);

}  // namespace hallsync::client
