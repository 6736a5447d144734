// Gathering a diagnostics bundle (see the header).
#include "client/diagnostics/diagnostics_bundle.h"

#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "client/daemon/sync_history.h"
#include "client/diagnostics/doctor.h"
#include "client/diagnostics/sync_log.h"
#include "client/diagnostics/tar_gz_writer.h"
#include "client/enrollment/hub_link.h"
#include "client/store/verification.h"
#include "sync/api/change_log.h"
#include "sync/api/clock.h"
#include "sync/api/redact.h"

namespace hallsync::client::diagnostics {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Verify needs the hub; its failure is part of the diagnosis, not an error of the export.
nlohmann::json verify_member(const std::string& data_dir, const Clock& clock) {
  auto store = HallStore::open(data_dir, clock);
  if (!store) return {{"not_run", "the store cannot be opened: " + store.status().to_string()}};
  auto link = load_hub_link(data_dir);
  if (!link) return {{"not_run", "no hub link: " + link.status().to_string()}};
  auto options = transport_options(*link);
  options.connect_timeout_ms = 5000;
  options.total_timeout_ms = 30000;
  auto transport = make_curl_transport(options);
  auto report = verify_hall_with_hub(**store, *transport, {(*store)->identity().device_id(), link->token});
  if (!report) return {{"error", {{"kind", error_kind_name(report.status().kind())}, {"code", report.status().code()},
                                  {"message", report.status().message()}}}};
  return verify_json(*report);
}

nlohmann::json versions_member(const std::string& data_dir, const std::string& software, const Clock& clock) {
  nlohmann::json j = {{"software", software}, {"sqlite", sqlite3_libversion()}, {"exported", utc_timestamp(clock.now_ms())}};
  DatabaseOptions read;
  read.create = false;
  auto db = Database::open((fs::path(data_dir) / HallStore::kDatabaseFile).string(), read);
  if (!db) {
    j["store"] = "cannot be opened: " + db.status().to_string();
    return j;
  }
  if (auto v = schema_version(**db)) j["schema_version"] = *v;
  if (auto e = known_hub_epoch(**db)) j["hub_epoch"] = *e;
  ChangeLog log(**db);
  if (auto s = log.stats())
    j["outbox"] = {{"pending", s->pending}, {"acknowledged_through", s->acknowledged_through}, {"last_seq", s->last_seq},
                   {"oldest_pending", s->oldest_pending_ms ? utc_timestamp(s->oldest_pending_ms) : ""}};
  if (auto cursor = read_sync_value(**db, kPullCursorKey, 0)) j["pull_cursor"] = *cursor;
  if (auto runs = daemon::recent_sync_runs(**db, 500)) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : *runs) list.push_back(sync_run_json(r));
    j["sync_history"] = list;
  }
  return j;
}

// halld writes its log lines to stderr, which systemd keeps in the journal:
// the last ones, when this PC has journalctl (a fixed command, no input in it).
std::string journal_member() {
  FILE* p = ::popen("if command -v journalctl >/dev/null 2>&1; then journalctl -u halld --no-pager -n 1000 -o short-iso"
                    " 2>&1; else echo 'journalctl is not available on this PC: no halld log lines'; fi",
                    "r");
  if (!p) return "could not run journalctl\n";
  std::string text;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) text.append(buf, n);
  ::pclose(p);
  return text;
}

}  // namespace

nlohmann::json verify_json(const VerifyReport& report) {
  nlohmann::json cases = nlohmann::json::array();
  for (const auto& d : report.cases)
    cases.push_back({{"case_id", d.case_id}, {"missing_here", d.missing_here}, {"missing_at_hub", d.missing_at_hub},
                     {"not_yet_pushed", d.not_yet_pushed}});
  return {{"equal", report.equal()}, {"consistent", report.consistent()},
          {"differing_buckets", report.differing_buckets}, {"cases", cases}};
}

std::string without_secrets(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    std::string key = line.substr(0, eq);
    key.erase(0, key.find_first_not_of(" \t"));
    key.erase(key.find_last_not_of(" \t") + 1);
    if (eq != std::string::npos && (key == "token" || key.find("secret") != std::string::npos ||
                                    key.find("password") != std::string::npos))
      line = key + " = <removed>";
    out += line + "\n";
  }
  return out;
}

Result<BundleReport> write_diagnostics_bundle(const BundleRequest& request, const Clock& clock) {
  BundleReport report;
  HALLSYNC_ASSIGN_OR_RETURN(auto tar, TarGzWriter::create(request.output));
  std::int64_t now_s = clock.now_ms() / 1000;
  auto add = [&](const std::string& name, const std::string& text) -> Status {
    report.members.push_back(name);
    return tar->add("hallsync-diagnostics/" + name, redact_pii(text), now_s);
  };
  auto checks = run_doctor(request.data_dir, clock);
  HALLSYNC_RETURN_IF_ERROR(add("doctor.txt", doctor_text(checks)));
  HALLSYNC_RETURN_IF_ERROR(add("doctor.json", doctor_json(checks).dump(2) + "\n"));
  HALLSYNC_RETURN_IF_ERROR(add("verify.json", verify_member(request.data_dir, clock).dump(2) + "\n"));
  HALLSYNC_RETURN_IF_ERROR(add("versions.json", versions_member(request.data_dir, request.software_version, clock).dump(2) + "\n"));
  HALLSYNC_RETURN_IF_ERROR(add("logs/halld.journal.txt", journal_member()));
  for (const char* name : {kHubLinkFile, "halld.conf"}) {
    fs::path path = fs::path(request.data_dir) / name;
    if (fs::exists(path)) HALLSYNC_RETURN_IF_ERROR(add(std::string("config/") + name, without_secrets(read_text(path))));
  }
  if (request.include_db) {
    // A consistent copy (VACUUM INTO) rather than the live file and its WAL.
    fs::path copy = fs::path(request.output).string() + ".db.tmp";
    std::error_code ec;
    fs::remove(copy, ec);
    DatabaseOptions read;
    read.create = false;
    HALLSYNC_ASSIGN_OR_RETURN(auto db, Database::open((fs::path(request.data_dir) / HallStore::kDatabaseFile).string(), read));
    HALLSYNC_ASSIGN_OR_RETURN(auto vacuum, db->prepare("VACUUM INTO ?"));
    vacuum.bind(1, copy.string());
    HALLSYNC_RETURN_IF_ERROR(vacuum.run());
    Status s = tar->add_file("hallsync-diagnostics/hall.db", copy.string(), now_s);
    fs::remove(copy, ec);
    HALLSYNC_RETURN_IF_ERROR(s);
    report.members.push_back("hall.db");
    report.database_included = true;
  }
  HALLSYNC_RETURN_IF_ERROR(add("README.txt",
                               "hallsync diagnostics bundle\n"
                               "doctor.txt/json: hallctl doctor; verify.json: hallctl verify; versions.json: software, "
                               "schema, outbox, sync history (newest first); config/: configuration with secrets removed; "
                               "logs/: halld's journal (last 1000 lines).\n"
                               "Personal data (ID numbers, phones) is masked in every text file.\n" +
                                   std::string(report.database_included
                                                   ? "hall.db: the hall's database. Its personal fields are sealed; the key "
                                                     "(hall.key) is never included.\n"
                                                   : "The database is not included (hallctl export-diagnostics --include-db).\n")));
  HALLSYNC_RETURN_IF_ERROR(tar->finish());
  return report;
}

}  // namespace hallsync::client::diagnostics
