// For end-to-end tests of dates on corrected time: plant the clock offset a
// sync would have learned in a hall store, and compute the platform's date.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

#include "sync/api/change_log.h"
#include "sync/api/database.h"

namespace hallsync::test {

constexpr std::int64_t kTenYearsMs = 3652LL * 24 * 3600 * 1000;

// What the replicator stores after a sync with a hub `offset_ms` ahead of this
// PC (hub minus ours); a running hall process sees it at its next request.
inline void plant_learned_offset(const std::string& data_dir, std::int64_t offset_ms) {
  auto db = Database::open(data_dir + "/hall.db");
  REQUIRE(db.is_ok());
  auto txn = Transaction::begin(**db);
  REQUIRE(txn.is_ok());
  REQUIRE(write_sync_value(*txn, "clock.offset_ms", offset_ms).is_ok());
  REQUIRE(txn->commit().is_ok());
}

// Today on a clock `offset_ms` ahead of this PC's, in China time (UTC+8) as
// every date a clerk sees, YYYY-MM-DD.
inline std::string platform_day(std::int64_t offset_ms) {
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  std::time_t t = static_cast<std::time_t>((now_ms + offset_ms) / 1000 + 8 * 3600);
  std::tm day{};
  gmtime_r(&t, &day);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &day);
  return text;
}

}  // namespace hallsync::test
