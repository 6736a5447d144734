// The single-instance lock of halld (see instance_lock.h).
#include "client/daemon/instance_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace hallsync::client::daemon {

Result<InstanceLock> InstanceLock::acquire(const std::string& data_dir) {
  std::string path = (std::filesystem::path(data_dir) / kLockFile).string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::storage("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK)
      return Status::conflict("another halld is already running on " + data_dir + " (" + path +
                              " is locked); stop it first")
          .with_code("already_running");
    return Status::storage("cannot lock " + path + ": " + std::strerror(err));
  }
  return InstanceLock(fd);
}

InstanceLock::~InstanceLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

}  // namespace hallsync::client::daemon
