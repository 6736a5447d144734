// The doctor's local checks: store integrity and schema, halld, config files,
// outbox, sync history, disk, conflicts, blobs.
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <filesystem>

#include "client/daemon/daemon_config.h"
#include "client/daemon/instance_lock.h"
#include "client/diagnostics/doctor.h"
#include "client/diagnostics/sync_log.h"
#include "client/enrollment/hub_link.h"
#include "client/store/hall_store.h"
#include "client/store/store_key.h"
#include "client/store/store_sealing.h"
#include "schema/embedded.h"
#include "sync/api/blob_upload.h"
#include "sync/api/change_log.h"
#include "sync/api/database.h"
#include "sync/api/redact.h"

namespace hallsync::client::diagnostics {
namespace {

namespace fs = std::filesystem;

std::string age_text(std::int64_t ms) {
  std::int64_t s = ms / 1000;
  if (s < 120) return std::to_string(s) + " s";
  if (s < 7200) return std::to_string(s / 60) + " min";
  if (s < 172800) return std::to_string(s / 3600) + " h";
  return std::to_string(s / 86400) + " days";
}

std::string size_text(std::int64_t bytes) {
  if (bytes < 10 * 1024) return std::to_string(bytes) + " B";
  if (bytes < 10LL << 20) return std::to_string(bytes >> 10) + " KiB";
  if (bytes < 10LL << 30) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes >> 30) + " GiB";
}

int latest_local_schema() {
  int latest = 0;
  for (const auto& s : schema::sql_steps("sql/local")) latest = std::max(latest, s.version);
  return latest;
}

// Opens the store without migrating or creating anything; runs quick_check.
Check check_database(const std::string& data_dir, std::unique_ptr<Database>& db) {
  Check c{"database", Mark::Pass, "", ""};
  std::string path = (fs::path(data_dir) / HallStore::kDatabaseFile).string();
  const std::string restore = "the store is damaged: stop halld, then run `hallctl resync --rebuild --hall CODE --device CODE` (what "
                              "reached the hub comes back; the damaged file is kept in backups/); report it if it happens "
                              "again (disk or power problem)";
  if (!fs::exists(path)) {
    c.mark = Mark::Fail;
    c.detail = "no store at " + path;
    c.advice = "wrong --data-dir, or the store was lost: `hallctl resync --rebuild --hall CODE --device CODE`";
    return c;
  }
  DatabaseOptions options;
  options.create = false;
  auto opened = Database::open(path, options);
  if (!opened) {
    c.mark = Mark::Fail;
    c.detail = "cannot open " + path + ": " + opened.status().message();
    c.advice = restore;
    return c;
  }
  db = std::move(opened).value();
  std::string first;
  int problems = 0;
  {  // the statement must be gone before a damaged store is closed below
    auto check = db->prepare("PRAGMA quick_check");
    if (!check) {
      first = check.status().message();
      problems = 1;
    } else {
      for (;;) {
        auto row = check->step();
        if (!row) {
          first = row.status().message();
          ++problems;
          break;
        }
        if (!*row) break;
        std::string line = check->column_text(0);
        if (line == "ok") continue;
        if (problems++ == 0) first = line;
      }
    }
  }
  if (problems > 0) {
    c.mark = Mark::Fail;
    c.detail = "quick_check found " + std::to_string(problems) + " problem(s), first: " + first;
    c.advice = restore;
    db.reset();
    return c;
  }
  c.detail = "quick_check ok";
  return c;
}

Check check_schema(Database& db) {
  Check c{"database.schema", Mark::Pass, "", ""};
  auto version = schema_version(db);
  int latest = latest_local_schema();
  if (!version) {
    c.mark = Mark::Fail;
    c.detail = version.status().message();
    c.advice = "the store cannot be read: `hallctl resync --rebuild`";
  } else if (*version == latest) {
    c.detail = "version " + std::to_string(*version) + " (current)";
  } else if (*version < latest) {
    c.mark = Mark::Warn;
    c.detail = "version " + std::to_string(*version) + ", this software has " + std::to_string(latest);
    c.advice = "it is migrated the next time halld or hall opens it; restart halld";
  } else {
    c.mark = Mark::Fail;
    c.detail = "version " + std::to_string(*version) + " is newer than this software (" + std::to_string(latest) + ")";
    c.advice = "the software was downgraded: install the version that wrote this store";
  }
  return c;
}

Check check_daemon(const std::string& data_dir, const DoctorThresholds& t) {
  Check c{"daemon", Mark::Pass, "", ""};
  auto lock = daemon::InstanceLock::acquire(data_dir);
  if (lock) {
    c.mark = Mark::Warn;
    c.detail = "halld is not running (" + std::string(daemon::kLockFile) + " is free)";
    c.advice = "the hall syncs only when someone runs `hallctl sync`: start it (systemctl start halld)";
    return c;
  }
  if (lock.status().kind() != ErrorKind::Conflict) {
    c.mark = Mark::Fail;
    c.detail = lock.status().message();
    c.advice = "fix the data directory's permissions (the service user must own it)";
    return c;
  }
  auto config = daemon::load_config({"halld", "--data-dir", data_dir});
  std::string listen = config ? config->listen : daemon::DaemonConfig{}.listen;
  CurlTransportOptions options;
  options.base_url = "http://" + listen;
  options.connect_timeout_ms = t.network_timeout_ms;
  options.total_timeout_ms = t.network_timeout_ms;
  auto transport = make_curl_transport(options);
  HttpRequest req;
  req.method = "GET";
  req.target = "/api/health";
  auto res = transport->exchange(req);
  if (!res || res->status != 200) {
    c.mark = Mark::Fail;
    c.detail = "halld holds the lock but its local API on " + listen + " does not answer (" +
               (res ? "HTTP " + std::to_string(res->status) : res.status().to_string()) + ")";
    c.advice = "halld is hung or listens elsewhere: check `journalctl -u halld`, then restart it";
    return c;
  }
  c.detail = "halld running, local API healthy on " + listen;
  return c;
}

// A config file readable by others leaks the device token (or invites edits).
std::string loose_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "";
  if ((st.st_mode & 0077) == 0) return "";
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
  return mode;
}

Check check_config(const std::string& data_dir) {
  Check c{"config", Mark::Pass, "", ""};
  std::vector<std::string> notes, warns, fails;
  std::string halld_conf = (fs::path(data_dir) / daemon::kConfigFile).string();
  if (fs::exists(halld_conf)) {
    auto config = daemon::load_config({"halld", "--data-dir", data_dir});
    if (!config) fails.push_back(config.status().message());
    else notes.push_back("halld.conf ok (listen " + config->listen + ", every " + std::to_string(config->sync_period_s) + " s)");
    if (auto mode = loose_mode(halld_conf); !mode.empty()) warns.push_back("halld.conf has mode " + mode);
  } else {
    notes.push_back("no halld.conf (defaults)");
  }
  std::string hub_conf = (fs::path(data_dir) / kHubLinkFile).string();
  auto link = load_hub_link(data_dir);
  if (!link) fails.push_back(link.status().message());
  else notes.push_back("hub.conf ok (" + link->hub_url + ")");
  if (auto mode = loose_mode(hub_conf); !mode.empty()) warns.push_back("hub.conf has mode " + mode + " (it holds the device token)");
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : "; ") + x;
    return s;
  };
  if (!fails.empty()) {
    c.mark = Mark::Fail;
    c.detail = join(fails);
    c.advice = "fix the file named above; set the hub link with `hallctl configure --hub URL --token TOKEN`";
  } else if (!warns.empty()) {
    c.mark = Mark::Warn;
    c.detail = join(warns);
    c.advice = "chmod 600 the file named above (only the service user may read it)";
  } else {
    c.detail = join(notes);
  }
  return c;
}

Check check_outbox(Database& db, const Clock& clock, const DoctorThresholds& t) {
  Check c{"outbox", Mark::Pass, "", ""};
  ChangeLog log(db);
  auto stats = log.stats();
  if (!stats) return {"outbox", Mark::Fail, stats.status().message(), "the store cannot be read: `hallctl resync --rebuild`"};
  if (stats->pending == 0) {
    c.detail = "empty (acknowledged through " + std::to_string(stats->acknowledged_through) + ")";
    return c;
  }
  std::int64_t age = clock.now_ms() - stats->oldest_pending_ms;
  c.detail = std::to_string(stats->pending) + " change(s) waiting, oldest " + age_text(age) + " old";
  if (age > t.outbox_fail_ms) c.mark = Mark::Fail;
  else if (age > t.outbox_warn_ms) c.mark = Mark::Warn;
  if (c.mark != Mark::Pass)
    c.advice = "the outbox is not draining: see the hub checks below and `hallctl log --outcome failed`; then `hallctl sync`";
  return c;
}

// Scanned materials waiting for the hub (issue #12): how many, how many
// bytes, how old, and the last refusal if one is stuck.
Check check_blobs(Database& db, const Clock& clock, const DoctorThresholds& t) {
  Check c{"blobs", Mark::Pass, "", ""};
  auto stats = blob_queue_stats(db);
  if (!stats) return {"blobs", Mark::NotApplicable, "no upload queue in this store yet (it is created when halld or hall opens it)", ""};
  if (stats->waiting == 0) {
    c.detail = "no scanned material waiting (" + std::to_string(stats->uploaded) + " uploaded)";
    return c;
  }
  std::int64_t age = clock.now_ms() - stats->oldest_waiting_ms;
  c.detail = std::to_string(stats->waiting) + " scanned file(s) waiting, " + std::to_string(stats->waiting_bytes) +
             " bytes, oldest " + age_text(age) + " old";
  auto stuck = db.prepare("SELECT last_error FROM blob_uploads WHERE state = 'waiting' AND last_error <> ''"
                          " ORDER BY queued_ms LIMIT 1");
  auto has_stuck = stuck ? stuck->step() : Result<bool>(false);
  if (has_stuck && *has_stuck) {
    c.mark = Mark::Warn;
    c.detail += "; last refusal: " + redact_pii(stuck->column_text(0));
  }
  if (age > t.outbox_fail_ms) c.mark = Mark::Fail;
  else if (age > t.outbox_warn_ms) c.mark = Mark::Warn;
  if (c.mark != Mark::Pass)
    c.advice = "scanned materials upload after the case events in each session: fix the hub checks below, then `hallctl sync`";
  return c;
}

Check check_history(Database& db, const Clock& clock, const DoctorThresholds& t) {
  Check c{"sync.history", Mark::Pass, "", ""};
  auto runs = read_sync_log(db, {std::nullopt, std::nullopt, 1000});
  if (!runs) return {"sync.history", Mark::Fail, runs.status().message(), "the store cannot be read: `hallctl resync --rebuild`"};
  if (runs->empty()) {
    c.mark = Mark::Warn;
    c.detail = "no sync session recorded (neither halld nor `hallctl sync` has run one)";
    c.advice = "start halld (systemctl start halld), or run `hallctl sync`";
    return c;
  }
  const daemon::SyncRunRecord* last_ok = nullptr;
  const daemon::SyncRunRecord* last_error = nullptr;
  for (const auto& r : *runs) {
    if (r.ok && !last_ok) last_ok = &r;
    if (!r.ok && !last_error) last_error = &r;
  }
  std::int64_t now = clock.now_ms();
  c.detail = last_ok ? "last success " + age_text(now - last_ok->ended_ms) + " ago" : "no successful session in the last " +
                                                                                         std::to_string(runs->size());
  if (last_error)
    c.detail += "; last error " + age_text(now - last_error->ended_ms) + " ago: " + last_error->error_kind +
                (last_error->error_code.empty() ? "" : "/" + last_error->error_code) + " " + last_error->error_message;
  bool failing = !runs->front().ok;
  if (!last_ok || now - last_ok->ended_ms > t.sync_stale_ms) c.mark = failing ? Mark::Fail : Mark::Warn;
  else if (failing) c.mark = Mark::Warn;
  if (c.mark != Mark::Pass) {
    const std::string& kind = runs->front().error_kind;
    c.advice = kind == "network" ? "the hub cannot be reached: see the hub checks below"
               : kind == "tls"   ? "certificate problem: check the hub certificate and ca_file in hub.conf"
               : kind == "auth"  ? "the device's credentials are refused: re-enroll it (hallhub device add, hallctl configure)"
               : kind == "protocol" && runs->front().error_code == "hub_epoch_changed"
                   ? "the hub was reset or restored: run `hallctl resync` (see the README)"
                   : "see `hallctl log --outcome failed`";
  }
  return c;
}

Check check_disk(const std::string& data_dir, const DoctorThresholds& t) {
  Check c{"disk", Mark::Pass, "", ""};
  struct statvfs vfs {};
  if (::statvfs(data_dir.c_str(), &vfs) != 0) return {"disk", Mark::Fail, "cannot stat " + data_dir, "check the data directory"};
  std::int64_t free_bytes = static_cast<std::int64_t>(vfs.f_bavail) * static_cast<std::int64_t>(vfs.f_frsize);
  auto file_size = [&](const char* suffix) -> std::int64_t {
    std::error_code ec;
    auto n = fs::file_size(fs::path(data_dir) / (std::string(HallStore::kDatabaseFile) + suffix), ec);
    return ec ? 0 : static_cast<std::int64_t>(n);
  };
  std::int64_t db = file_size(""), wal = file_size("-wal");
  c.detail = size_text(free_bytes) + " free; database " + size_text(db) + ", WAL " + size_text(wal);
  if (free_bytes < t.free_fail_bytes) {
    c.mark = Mark::Fail;
    c.advice = "the disk is (nearly) full: writes will fail; free space (old backups/, logs) now";
  } else if (free_bytes < t.free_warn_bytes) {
    c.mark = Mark::Warn;
    c.advice = "free disk space soon (old backups/ in the data directory, logs)";
  } else if (wal > t.wal_warn_bytes) {
    c.mark = Mark::Warn;
    c.advice = "the WAL is not being checkpointed: restart halld; if it stays large, report it";
  }
  return c;
}

// The key that seals the store's personal fields (#7): missing or wrong, no
// process can open the store, whatever the other checks say.
Check check_key_file(const std::string& data_dir, Database& db) {
  const std::string key_file = key_file_path(data_dir);
  Status s = client::check_store_key(db, key_file);
  if (s.is_ok()) return {"database.key", Mark::Pass, key_file + " opens the store", ""};
  return {"database.key", Mark::Fail, s.message(),
          "put back this PC's own " + key_file + " (mode 0600, the service user's); if it is lost, stop halld and run "
          "`hallctl resync --rebuild --hall CODE --device CODE`: what reached the hub comes back, changes never "
          "pushed are lost"};
}

Check check_conflicts(Database& db) {
  auto stmt = db.prepare("SELECT count(*) FROM cases WHERE conflict_count > 0");
  if (!stmt) return {"conflicts", Mark::Fail, stmt.status().message(), "the store cannot be read"};
  auto row = stmt->step();
  if (!row || !*row) return {"conflicts", Mark::Fail, "cannot count conflicts", "the store cannot be read"};
  std::int64_t n = stmt->column_int(0);
  if (n == 0) return {"conflicts", Mark::Pass, "no open conflicts", ""};
  return {"conflicts", Mark::Warn, std::to_string(n) + " case(s) with open conflicts",
          "a clerk resolves them: `hall conflicts` lists them (冲突待处理)"};
}

}  // namespace

std::vector<Check> local_checks(const std::string& data_dir, const Clock& clock, const DoctorThresholds& t) {
  std::vector<Check> out;
  std::unique_ptr<Database> db;
  out.push_back(check_database(data_dir, db));
  // The change-log chain covers payloads as they travel: a sealed store's are
  // opened with its key, so the chain is checked only when the key is right.
  std::unique_ptr<FieldSealer> sealer;
  bool payloads_readable = false;
  if (db) {
    out.push_back(check_schema(*db));
    out.push_back(check_key_file(data_dir, *db));
    auto attached = attach_sealer_read_only(*db, key_file_path(data_dir));
    payloads_readable = attached.is_ok();
    if (attached) sealer = std::move(attached).value();
  } else {
    out.push_back({"database.schema", Mark::NotApplicable, "the store could not be opened", ""});
    out.push_back({"database.key", Mark::NotApplicable, "the store could not be opened", ""});
  }
  out.push_back(check_daemon(data_dir, t));
  out.push_back(check_config(data_dir));
  if (db) {
    out.push_back(check_outbox(*db, clock, t));
    if (payloads_readable)
      out.push_back(check_change_log_chain(*db));
    else
      out.push_back({"outbox.chain", Mark::NotApplicable, "the store's payloads cannot be opened without its key (database.key)", ""});
    out.push_back(check_history(*db, clock, t));
    out.push_back(check_conflicts(*db));
  } else {
    for (const char* name : {"outbox", "outbox.chain", "sync.history", "conflicts"})
      out.push_back({name, Mark::NotApplicable, "the store could not be opened", ""});
  }
  out.push_back(check_disk(data_dir, t));
  if (db) {
    out.push_back(check_blobs(*db, clock, t));
  } else {
    out.push_back({"blobs", Mark::NotApplicable, "the store could not be opened", ""});
  }
  return out;
}

}  // namespace hallsync::client::diagnostics
