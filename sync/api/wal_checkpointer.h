// WalCheckpointer: runs PASSIVE WAL checkpoints on its own thread and its own
// connection, so the fsyncs of copying the WAL into the database never land
// on a clerk's intake commit. Stops (joining its thread) when destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "sync/api/status.h"

namespace hallsync {

class WalCheckpointer {
 public:
  WalCheckpointer(std::string db_path, std::chrono::milliseconds interval);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // The last checkpoint failure, if any (for diagnostics); ok otherwise.
  Status last_status() const;

 private:
  void run();
  std::string path_;
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  Status last_status_;
  std::thread thread_;
};

}  // namespace hallsync
