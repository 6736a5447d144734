// Clerk-before-sync ordering of SQLite writers (see writer_priority.h).
#include "sync/storage/writer_priority.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <thread>

namespace hallsync::storage {

WriterPriority::WriterPriority(const std::string& db_path, WriterRank rank) : rank_(rank) {
  if (rank_ == WriterRank::Unranked) return;
  // Without the file the order is SQLite's own (first come): slower for the
  // clerk, never wrong, so a failure to open it is not an error.
  fd_ = ::open((db_path + "-writers").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

WriterPriority::~WriterPriority() {
  if (fd_ >= 0) ::close(fd_);
}

void WriterPriority::before_begin() {
  if (fd_ < 0) return;
  if (rank_ == WriterRank::Foreground) {
    // Shared: clerks never wait for each other here, only (for an instant)
    // for a background writer's probe below.
    while (::flock(fd_, LOCK_SH) != 0 && errno == EINTR) {
    }
    return;
  }
  // Background: begin only when no foreground writer holds the file.
  const auto give_up = std::chrono::steady_clock::now() + kBackgroundPatience;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (std::chrono::steady_clock::now() >= give_up) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::flock(fd_, LOCK_UN);
}

void WriterPriority::after_begin() {
  if (fd_ >= 0 && rank_ == WriterRank::Foreground) ::flock(fd_, LOCK_UN);
}

}  // namespace hallsync::storage
