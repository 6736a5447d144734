// Child processes for end-to-end tests: run a command to completion, or start
// a server in the background and always stop it (SIGTERM, then SIGKILL) when
// the handle goes away.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace hallsync::test {

struct Run {
  int status = -1;
  std::string out;  // stdout and stderr together
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline Run run_command(const std::vector<std::string>& argv) {
  std::string cmd;
  for (const auto& a : argv) cmd += shell_quote(a) + " ";
  cmd += "2>&1";
  Run r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  while (std::size_t n = fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// Holds a loopback port while its server is down: the socket is bound but not
// listening, so connections are refused (as for a stopped hub) and the kernel
// hands the port to no other test's listener meanwhile. Close-on-exec: a
// process started meanwhile must not inherit it and keep the port bound.
class PortReservation {
 public:
  explicit PortReservation(const std::string& port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(port)));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // The port usually belonged to a server just stopped, whose connections
    // linger in TIME_WAIT; without SO_REUSEADDR the bind fails on a busy machine.
    // Never listening, the socket still turns every connection away.
    int reuse = 1;
    if (fd_ >= 0) setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse);
    bound_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~PortReservation() { release(); }
  PortReservation(const PortReservation&) = delete;
  PortReservation& operator=(const PortReservation&) = delete;
  bool bound() const { return bound_; }
  // Frees the port for the server that is about to start on it.
  void release() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
};

// A server process whose output goes to a log file.
class Background {
 public:
  Background(const std::vector<std::string>& argv, std::string log_path) : log_(std::move(log_path)) {
    // Emptied before the fork: a restarted server reusing a log path must not
    // be seen as ready because of what its predecessor wrote there.
    std::ofstream(log_, std::ios::trunc).close();
    pid_ = fork();
    if (pid_ == 0) {
      FILE* f = std::fopen(log_.c_str(), "w");
      dup2(fileno(f), 1);
      dup2(fileno(f), 2);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Background() { stop(); }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  // Waits until the log contains `text`; returns the log (empty on timeout).
  // A process that has exited writes nothing more: the wait ends at once.
  std::string wait_for(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      bool gone = exited();  // before reading: its last words are in the file then
      std::string l = log();
      if (l.find(text) != std::string::npos) return l;
      if (gone) return {};
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return {};
  }
  pid_t pid() const { return pid_; }  // -1 once reaped
  // True once the process has ended (it is reaped; stop() returns its status).
  bool exited() {
    if (pid_ <= 0) return true;
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) != pid_) return false;
    pid_ = -1;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
    return true;
  }
  // SIGKILL now, as a power cut would; safe from another thread while the
  // owner does not reap (stop() later collects the status, -SIGKILL).
  void kill_now() {
    if (pid_ > 0) kill(pid_, SIGKILL);
  }
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // SIGTERM, then SIGKILL after 5 s; returns the exit status (or -signal).
  int stop() {
    if (pid_ <= 0) return status_;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 500; ++i) {
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return status_ = -SIGKILL;
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
  int status_ = -1;
};

}  // namespace hallsync::test
