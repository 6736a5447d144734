// A "hub" that accepts connections and never answers: a listening loopback
// socket on a port the kernel picks, never read from. The TCP handshake
// completes (the kernel's backlog), the request is sent, no byte ever comes
// back — what a wedged hub or a black-holing middlebox looks like to a client.
// Close-on-exec, so processes started meanwhile do not keep it open.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace hallsync::test {

class SilentHub {
 public:
  SilentHub() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(fd_, 64) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      port_ = std::to_string(ntohs(addr.sin_port));
  }
  ~SilentHub() { close_now(); }
  SilentHub(const SilentHub&) = delete;
  SilentHub& operator=(const SilentHub&) = delete;

  // Empty when the socket could not be set up.
  const std::string& port() const { return port_; }
  // Closes the socket (pending connections are reset); the port is free again.
  void close_now() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  std::string port_;
};

}  // namespace hallsync::test
