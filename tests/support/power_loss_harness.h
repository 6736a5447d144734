// PowerLossRun: what the simulated power-cut tests share — the seed and cut
// count (and their environment overrides), a fresh copy of a template store
// for each cut, the replay line a failure prints, and the checks every store
// must pass after a cut (it opens, integrity_check, outbox ↔ events).
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <string>

#include "client/store/hall_store.h"
#include "client/store/store_key.h"
#include "tests/support/power_loss_vfs.h"
#include "tests/support/temp_dir.h"

namespace hallsync::test {

inline std::int64_t env_int(const char* name, std::int64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoll(v, nullptr, 10) : fallback;
}

// HALLSYNC_POWER_SEED picks the seed, HALLSYNC_POWER_CUTS the number of cuts
// (the long mode), HALLSYNC_POWER_ONLY=N replays the N-th cut alone.
struct PowerLossPlan {
  std::uint64_t seed;
  std::int64_t cuts;
  std::int64_t only;
  PowerLossPlan(std::uint64_t default_seed, std::int64_t default_cuts)
      : seed(static_cast<std::uint64_t>(env_int("HALLSYNC_POWER_SEED", static_cast<std::int64_t>(default_seed)))),
        cuts(env_int("HALLSYNC_POWER_CUTS", default_cuts)),
        only(env_int("HALLSYNC_POWER_ONLY", -1)) {}
  bool runs(std::int64_t cut) const { return only < 0 || cut == only; }
  // Each cut has its own generator, so one cut replays without the others.
  std::mt19937_64 rng(std::int64_t cut) const { return std::mt19937_64(seed * 1000003ULL + static_cast<std::uint64_t>(cut)); }
  std::string replay(const std::string& tag, std::int64_t cut) const {
    return "replay: HALLSYNC_POWER_SEED=" + std::to_string(seed) + " HALLSYNC_POWER_ONLY=" + std::to_string(cut) +
           " build/tests/reliability_tests \"" + tag + "\"";
  }
};

// A closed store file copied into a watched directory before every cut.
class StoreTemplate {
 public:
  explicit StoreTemplate(const std::string& template_dir) : source_(template_dir) {}
  // Replaces `dir`'s store (and its WAL, shm) with the template's, and its key.
  void copy_to(const std::string& dir) const {
    namespace fs = std::filesystem;
    fs::remove_all(dir);
    fs::create_directories(dir);
    fs::copy_file(fs::path(source_) / client::HallStore::kDatabaseFile, fs::path(dir) / client::HallStore::kDatabaseFile);
    fs::copy_file(fs::path(source_) / client::kKeyFileName, fs::path(dir) / client::kKeyFileName);
  }

 private:
  std::string source_;
};

inline std::int64_t scalar(Database& db, const std::string& sql) {  // test SQL constants only
  auto stmt = db.prepare(sql);
  if (!stmt.is_ok()) return -1;
  auto row = stmt->step();
  return row.is_ok() && *row ? stmt->column_int(0) : -1;
}

inline std::set<std::string> strings(Database& db, const std::string& sql, const std::string& param = "") {
  std::set<std::string> out;
  auto stmt = db.prepare(sql);
  if (!stmt.is_ok()) return out;
  if (!param.empty()) stmt->bind(1, param);
  for (auto row = stmt->step(); row.is_ok() && *row; row = stmt->step()) out.insert(stmt->column_text(0));
  return out;
}

// What a store must be after any power cut, whatever was acknowledged:
// empty when it is.
inline std::string store_damage(Database& db, const std::string& own_device) {
  auto integrity = strings(db, "PRAGMA integrity_check");
  if (integrity != std::set<std::string>{"ok"}) return "integrity_check: " + *integrity.begin();
  // Every own event has its outbox entry (same sequence) and vice versa.
  auto own_events = strings(db, "SELECT origin_seq FROM case_events WHERE device_id = ?", own_device);
  auto outbox = strings(db, "SELECT seq FROM change_log WHERE collection = 'case_events'");
  if (own_events != outbox)
    return "outbox has " + std::to_string(outbox.size()) + " entries for " + std::to_string(own_events.size()) +
           " own events, or other sequences";
  // The cases table is the fold of exactly the events present.
  auto folded = strings(db, "SELECT case_id FROM cases");
  auto with_events = strings(db, "SELECT DISTINCT case_id FROM case_events");
  if (folded != with_events) return "cases rows and case events disagree";
  return {};
}

}  // namespace hallsync::test
