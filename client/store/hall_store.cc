// Opening, initialising and identifying the hall's store.
#include "client/store/hall_store.h"

#include <charconv>
#include <filesystem>
#include <regex>

#include "client/store/store_key.h"
#include "client/store/store_sealing.h"
#include "schema/embedded.h"
#include "sync/api/change_chain.h"
#include "sync/api/change_log.h"
#include "sync/api/replicator.h"

namespace hallsync::client {
namespace {

std::string db_path(const std::string& dir) { return (std::filesystem::path(dir) / HallStore::kDatabaseFile).string(); }

// Commits never checkpoint the WAL themselves (#2: intake p99); a background
// thread does, and the store checkpoints once more when it closes.
constexpr DatabaseOptions kStoreOptions{.read_only = false,
                                       .create = true,
                                       .busy_timeout_ms = 5000,
                                       .auto_checkpoint = false,
                                       .writer_rank = WriterRank::Foreground};
constexpr auto kCheckpointInterval = std::chrono::milliseconds(500);

Status validate_identity(const HallIdentity& id) {
  static const std::regex hall(R"(\d{9}|\d{12})");
  static const std::regex device(R"([A-Z0-9]{1,8})");
  if (!std::regex_match(id.hall_code, hall))
    return Status::validation("大厅编码应为9位或12位乡镇区划代码（如 360704100 梅林镇），当前为“" + id.hall_code + "”");
  if (!std::regex_match(id.device_code, device))
    return Status::validation("设备编码应为1–8位大写字母或数字（如 W01），当前为“" + id.device_code + "”");
  return Status::ok();
}

}  // namespace

Status migrate_hall_database(Database& db) {
  std::vector<Migration> steps;
  for (const auto& s : schema::sql_steps("sql/local")) steps.push_back({s.version, s.name, s.sql});
  HALLSYNC_RETURN_IF_ERROR(apply_migrations(db, steps, "hall"));
  // Entries written before 0011 get their chain hash once, here.
  return complete_change_log_chain(db);
}

Result<std::unique_ptr<HallStore>> HallStore::init(const std::string& data_dir, const HallIdentity& identity,
                                                   const Clock& clock, const std::string& key_file) {
  HALLSYNC_RETURN_IF_ERROR(validate_identity(identity));
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Status::storage("无法创建数据目录 " + data_dir + "：" + ec.message());
  if (std::filesystem::exists(db_path(data_dir)))
    return Status::conflict("数据目录 " + data_dir + " 已初始化过，不能重复初始化");
  HALLSYNC_ASSIGN_OR_RETURN(auto db, Database::open(db_path(data_dir), kStoreOptions));
  HALLSYNC_RETURN_IF_ERROR(migrate_hall_database(*db));
  HALLSYNC_ASSIGN_OR_RETURN(auto sealer, attach_sealer(*db, key_file.empty() ? key_file_path(data_dir) : key_file));
  std::unique_ptr<HallStore> store(new HallStore(std::move(db), data_dir, clock));
  store->sealer_ = std::move(sealer);
  {
    HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(store->db()));
    HALLSYNC_RETURN_IF_ERROR(store->set_meta(txn, "hall_code", identity.hall_code));
    HALLSYNC_RETURN_IF_ERROR(store->set_meta(txn, "device_code", identity.device_code));
    HALLSYNC_RETURN_IF_ERROR(store->set_meta(txn, "created_ms", std::to_string(clock.now_ms())));
    const auto& catalog = MatterCatalog::builtin();
    HALLSYNC_RETURN_IF_ERROR(store->install_reference(txn, "matters", catalog.version(),
                                                      std::string(schema::embedded_file("catalog/matters.csv"))));
    const auto& calendar = WorkCalendar::builtin();
    HALLSYNC_RETURN_IF_ERROR(store->install_reference(txn, "calendar", calendar.version(),
                                                      std::string(schema::embedded_file("catalog/calendar.csv"))));
    HALLSYNC_RETURN_IF_ERROR(txn.commit());
  }
  HALLSYNC_RETURN_IF_ERROR(store->load());
  return store;
}

Result<std::unique_ptr<HallStore>> HallStore::open(const std::string& data_dir, const Clock& clock,
                                                   WriterRank rank, StoreCheck check) {
  if (!std::filesystem::exists(db_path(data_dir)))
    return Status::not_found("数据目录 " + data_dir + " 中没有大厅数据库，请先运行 hall init");
  // Before SQLite touches it: an emptied file would otherwise be taken for a
  // new database and migrated into an empty store.
  HALLSYNC_RETURN_IF_ERROR(check_store_header(db_path(data_dir)));
  DatabaseOptions options = kStoreOptions;
  options.create = false;
  options.writer_rank = rank;
  HALLSYNC_ASSIGN_OR_RETURN(auto db, Database::open(db_path(data_dir), options));
  if (check == StoreCheck::Pages) HALLSYNC_RETURN_IF_ERROR(check_store_pages(*db));
  HALLSYNC_RETURN_IF_ERROR(migrate_hall_database(*db));
  HALLSYNC_ASSIGN_OR_RETURN(auto sealer, attach_sealer(*db, key_file_path(data_dir)));
  std::unique_ptr<HallStore> store(new HallStore(std::move(db), data_dir, clock));
  store->sealer_ = std::move(sealer);
  HALLSYNC_RETURN_IF_ERROR(store->load());
  return store;
}

HallStore::~HallStore() {
  checkpointer_.reset();
  (void)db_->checkpoint();  // best effort: the WAL is durable either way
}

Status HallStore::load() {
  if (!checkpointer_) checkpointer_ = std::make_unique<WalCheckpointer>(db_path(data_dir_), kCheckpointInterval);
  HALLSYNC_ASSIGN_OR_RETURN(identity_.hall_code, meta("hall_code"));
  HALLSYNC_ASSIGN_OR_RETURN(identity_.device_code, meta("device_code"));
  auto hlc_text = meta("hlc.last");
  hlc_ = HlcClock(*clock_, Hlc{hlc_text.is_ok() ? std::stoull(*hlc_text) : 0});
  HALLSYNC_RETURN_IF_ERROR(refresh_civil_clock());
  return reload_reference();
}

Status HallStore::refresh_civil_clock() {
  // Absent until the first sync: offset 0, the device clock, said nothing about.
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t offset, read_sync_value(*db_, kClockOffsetKey, 0));
  HALLSYNC_ASSIGN_OR_RETURN(auto anchor, read_clock_anchor(*db_));
  civil_.set_correction(offset, anchor);
  return Status::ok();
}

Status HallStore::reload_reference() {
  HALLSYNC_ASSIGN_OR_RETURN(std::string catalog_version, meta("current.matters"));
  HALLSYNC_ASSIGN_OR_RETURN(auto catalog, this->catalog_version(catalog_version));
  catalog_.emplace(std::move(catalog));

  HALLSYNC_ASSIGN_OR_RETURN(std::string calendar_version, meta("current.calendar"));
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare("SELECT body FROM reference_data WHERE name = 'calendar' AND version = ?"));
  stmt.bind(1, calendar_version);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return Status::storage("当前工作日历版本 " + calendar_version + " 不在数据库中");
  HALLSYNC_ASSIGN_OR_RETURN(auto calendar, WorkCalendar::parse_csv(stmt.column_text(0)));
  HALLSYNC_ASSIGN_OR_RETURN(auto overrides, db_->prepare("SELECT body FROM reference_data WHERE name = 'calendar_overrides'"
                                                         " ORDER BY installed_ms"));
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool more, overrides.step());
    if (!more) break;
    HALLSYNC_RETURN_IF_ERROR(calendar.apply_overrides(overrides.column_text(0)));
  }
  calendar_.emplace(std::move(calendar));
  return Status::ok();
}

Result<MatterCatalog> HallStore::catalog_version(const std::string& version) {
  if (catalog_ && catalog_->version() == version) return *catalog_;
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare("SELECT body FROM reference_data WHERE name = 'matters' AND version = ?"));
  stmt.bind(1, version);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return Status::not_found("事项目录版本 " + version + " 不在本机数据库中");
  return MatterCatalog::parse_csv(stmt.column_text(0));
}

Status HallStore::install_reference(Transaction& txn, const std::string& name, const std::string& version,
                                    const std::string& body) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, txn.db().prepare("INSERT INTO reference_data (name, version, body, installed_ms)"
                                                        " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"));
  stmt.bind(1, name).bind(2, version).bind(3, body).bind(4, clock_->now_ms());
  HALLSYNC_RETURN_IF_ERROR(stmt.run());
  if (name == "calendar_overrides") return Status::ok();
  return set_meta(txn, "current." + name, version);
}

Status HallStore::adopt_persisted_hlc(Transaction& txn) {
  (void)txn;  // read under the caller's write lock, so no other writer can move it meanwhile
  auto text = meta("hlc.last");
  if (!text) return text.status().kind() == ErrorKind::NotFound ? Status::ok() : text.status();
  std::uint64_t persisted = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), persisted);
  if (ec != std::errc() || end != text->data() + text->size())
    return Status::storage("hall_meta hlc.last is not a number: " + *text);
  hlc_.adopt_own(Hlc{persisted});
  return Status::ok();
}

Status HallStore::persist_hlc(Transaction& txn) { return set_meta(txn, "hlc.last", std::to_string(hlc_.last().value)); }

Result<std::int64_t> HallStore::take_acceptance_counter(Transaction& txn) {
  auto current = meta("acceptance.counter");
  std::int64_t next = (current.is_ok() ? std::stoll(*current) : 0) + 1;
  HALLSYNC_RETURN_IF_ERROR(set_meta(txn, "acceptance.counter", std::to_string(next)));
  return next;
}

Result<std::string> HallStore::meta(const std::string& key) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare("SELECT value FROM hall_meta WHERE key = ?"));
  stmt.bind(1, key);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return Status::not_found("hall_meta has no " + key);
  return stmt.column_text(0);
}

Status HallStore::set_meta(Transaction& txn, const std::string& key, const std::string& value) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, txn.db().prepare("INSERT INTO hall_meta (key, value) VALUES (?, ?)"
                                                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
  stmt.bind(1, key).bind(2, value);
  return stmt.run();
}

}  // namespace hallsync::client
