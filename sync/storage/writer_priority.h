// WriterPriority: lets a clerk's write go before background sync writes on
// the same SQLite file, across threads and processes. SQLite grants the write
// lock to whoever asks first after a commit; its busy handler only polls, so a
// sync that begins its next page the instant it commits the last one can keep
// a waiting registration out for many pages (#4: registration p99 105 ms
// during a 100,000-event sync). A lock file beside the database carries the
// "a clerk is waiting" signal: foreground writers hold it shared while they
// wait for the write lock; a background writer begins only when it can take
// it exclusively, i.e. when no clerk is waiting (or after a bound, so sync is
// never starved by a flood of writes). Internal to sync/storage.
#pragma once

#include <chrono>
#include <string>

#include "sync/api/database.h"

namespace hallsync::storage {

class WriterPriority {
 public:
  // Opens (creating if needed) `db_path` + "-writers"; Unranked opens nothing.
  WriterPriority(const std::string& db_path, WriterRank rank);
  ~WriterPriority();
  WriterPriority(const WriterPriority&) = delete;
  WriterPriority& operator=(const WriterPriority&) = delete;

  // Called around BEGIN IMMEDIATE by Transaction::begin.
  void before_begin();
  void after_begin();

  // The longest a background writer defers to waiting clerks before it begins anyway.
  static constexpr std::chrono::milliseconds kBackgroundPatience{2000};

 private:
  WriterRank rank_;
  int fd_ = -1;
};

}  // namespace hallsync::storage
