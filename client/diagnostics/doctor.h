// Doctor: the checks `hallctl doctor` runs on a hall's data directory — the
// local store, halld, config, outbox, sync history, the path to the hub step
// by step, the clock, the disk — each with a mark and, when it is not a pass,
// what the technician should do. Reads only: it never migrates or writes the
// store (a damaged file stays as found for the backup).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sync/api/clock.h"
#include "sync/api/database.h"

namespace hallsync::client::diagnostics {

enum class Mark { Pass, Warn, Fail, NotApplicable };

struct Check {
  std::string name;    // stable id, e.g. "hub.tcp"
  Mark mark = Mark::Pass;
  std::string detail;  // what was found
  std::string advice;  // what to do (empty for a pass)
};

struct DoctorThresholds {
  std::int64_t outbox_warn_ms = 60LL * 60 * 1000;        // oldest unsynced change older than 1 h
  std::int64_t outbox_fail_ms = 24LL * 60 * 60 * 1000;   // ... older than a day
  std::int64_t clock_warn_ms = 2LL * 60 * 1000;
  std::int64_t clock_fail_ms = 60LL * 60 * 1000;
  std::int64_t free_warn_bytes = 1LL << 30;              // 1 GiB
  std::int64_t free_fail_bytes = 100LL << 20;            // 100 MiB
  std::int64_t wal_warn_bytes = 64LL << 20;
  std::int64_t sync_stale_ms = 24LL * 60 * 60 * 1000;    // no successful sync for a day
  long network_timeout_ms = 5000;
};

std::vector<Check> run_doctor(const std::string& data_dir, const Clock& clock, const DoctorThresholds& thresholds = {});

// The local half (store, daemon, config, outbox, history, disk, conflicts,
// blobs) and the hub half (DNS, TCP, TLS, HTTP, auth, epoch, clock).
std::vector<Check> local_checks(const std::string& data_dir, const Clock& clock, const DoctorThresholds& thresholds);
std::vector<Check> hub_checks(const std::string& data_dir, const Clock& clock, const DoctorThresholds& thresholds);

// "outbox.chain": recomputes the change log's hash chain from the genesis and
// fails at the first entry that does not follow (client/diagnostics/doctor_chain.cc).
Check check_change_log_chain(Database& db);

// 0 all pass, 1 some warning, 2 some failure.
int doctor_exit_code(const std::vector<Check>& checks);
const char* mark_name(Mark mark);  // "pass", "warn", "fail", "n/a"
nlohmann::json doctor_json(const std::vector<Check>& checks);
// One line per check ("[FAIL] hub.tcp  ...") with the advice indented below.
std::string doctor_text(const std::vector<Check>& checks);

}  // namespace hallsync::client::diagnostics
