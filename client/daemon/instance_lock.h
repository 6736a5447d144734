// InstanceLock: one halld per data directory. An exclusive, non-blocking
// flock on DATA_DIR/halld.lock, held for the life of the process; the kernel
// drops it when the process dies, so a crash never leaves a stale lock.
#pragma once

#include <string>

#include "sync/api/result.h"

namespace hallsync::client::daemon {

class InstanceLock {
 public:
  // Conflict when another process holds the lock; Storage when the file
  // cannot be opened.
  static Result<InstanceLock> acquire(const std::string& data_dir);
  InstanceLock(InstanceLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  InstanceLock& operator=(InstanceLock&&) = delete;
  InstanceLock(const InstanceLock&) = delete;
  ~InstanceLock();

 private:
  explicit InstanceLock(int fd) : fd_(fd) {}
  int fd_;
};

constexpr const char* kLockFile = "halld.lock";

}  // namespace hallsync::client::daemon
