// Namespaces via `ip netns`, TUN devices opened from inside each namespace, and
// the addresses set with `ip -n`. No shell: `ip` is run with an argument list.
#include "tools/netemu/netns_pair.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace hallsync::netemu {
namespace {

constexpr const char* kTunName = "emu0";

// Runs `ip ARGS...`; on failure, the status carries what ip printed.
Status run_ip(const std::vector<std::string>& args) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return Status::internal(std::string("netemu: pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  std::vector<char*> argv{const_cast<char*>("ip")};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  int spawned = posix_spawnp(&pid, "ip", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  std::string said;
  char buf[512];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) said.append(buf, static_cast<std::size_t>(n));
  close(out[0]);
  std::string command = "ip";
  for (const auto& a : args) command += " " + a;
  if (spawned != 0)
    return Status::internal("netemu: cannot run `" + command + "`: " + std::strerror(spawned) +
                            " (install iproute2: bash tools/setup.sh)");
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return Status::internal("netemu: `" + command + "` failed: " + said);
  return Status::ok();
}

// Opens emu0 inside the calling thread's namespace; the fd keeps it there.
Result<int> open_tun() {
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Status::internal(std::string("netemu: cannot open /dev/net/tun: ") + std::strerror(errno));
  ifreq req{};
  req.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::strncpy(req.ifr_name, kTunName, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &req) != 0) {
    int e = errno;
    close(fd);
    return Status::internal(std::string("netemu: cannot create TUN device emu0: ") + std::strerror(e));
  }
  return fd;
}

// IPv6 would send its own router solicitations across the link; off, the
// link carries only what the programs under test send.
Status no_ipv6_on_tun() {
  std::string path = std::string("/proc/sys/net/ipv6/conf/") + kTunName + "/disable_ipv6";
  if (!std::filesystem::exists(path)) return Status::ok();  // a kernel without IPv6
  std::ofstream(path) << "1\n";
  std::ifstream check(path);
  std::string value;
  check >> value;
  if (value != "1") return Status::internal("netemu: cannot switch IPv6 off on emu0 (" + path + ")");
  return Status::ok();
}

// One side: a TUN device in `ns`, its address, peer route, and lo up.
Result<int> make_side(const std::string& ns, const char* self, const char* peer) {
  int fd = -1;
  Status s = run_in_namespace(ns, [&fd]() -> Status {
    HALLSYNC_ASSIGN_OR_RETURN(fd, open_tun());
    return no_ipv6_on_tun();
  });
  if (s.is_ok()) s = run_ip({"-n", ns, "addr", "add", self, "peer", peer, "dev", kTunName});
  if (s.is_ok()) s = run_ip({"-n", ns, "link", "set", kTunName, "up"});
  if (s.is_ok()) s = run_ip({"-n", ns, "link", "set", "lo", "up"});
  if (!s.is_ok()) {
    if (fd >= 0) close(fd);
    return s;
  }
  return fd;
}

}  // namespace

bool namespace_exists(const std::string& ns) { return std::filesystem::exists("/run/netns/" + ns); }

Status run_in_namespace(const std::string& ns, const std::function<Status()>& fn) {
  Status result = Status::ok();
  std::thread worker([&] {
    int fd = open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      result = Status::not_found("netemu: no network namespace " + ns + ": " + std::strerror(errno));
      return;
    }
    int entered = setns(fd, CLONE_NEWNET);
    int e = errno;
    close(fd);
    if (entered != 0) {
      result = Status::internal("netemu: cannot enter namespace " + ns + ": " + std::strerror(e));
      return;
    }
    result = fn();
  });
  worker.join();
  return result;
}

Result<long> tcp_retransmits(const std::string& ns) {
  long count = -1;
  HALLSYNC_RETURN_IF_ERROR(run_in_namespace(ns, [&count]() -> Status {
    // thread-self: /proc/self/net would show the main thread's namespace.
    std::ifstream snmp("/proc/thread-self/net/snmp");
    std::string header, values;
    while (std::getline(snmp, header))
      if (header.rfind("Tcp:", 0) == 0 && std::getline(snmp, values)) break;
    std::istringstream names(header), numbers(values);
    for (std::string name, number; names >> name && numbers >> number;)
      if (name == "RetransSegs") count = std::stol(number);
    return Status::ok();
  }));
  if (count < 0) return Status::internal("netemu: no TCP RetransSegs in /proc/net/snmp of " + ns);
  return count;
}

Status check_available() {
  if (geteuid() != 0) return Status::validation("netemu needs root (it creates network namespaces and TUN devices)");
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) return Status::validation(std::string("netemu: /dev/net/tun is not usable: ") + std::strerror(errno));
  close(fd);
  // A throwaway namespace in a child, so this process's own stays as it is.
  pid_t child = fork();
  if (child == 0) _exit(unshare(CLONE_NEWNET) == 0 ? 0 : 1);
  int st = 0;
  if (child < 0 || waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
    return Status::validation("netemu: this kernel or container does not allow new network namespaces");
  if (Status s = run_ip({"-V"}); !s.is_ok()) return Status::validation(s.message());
  // Named namespaces also need /run/netns to be mountable (not so in some containers).
  std::string probe = "hsemu-" + std::to_string(getpid()) + "-probe";
  if (Status s = run_ip({"netns", "add", probe}); !s.is_ok())
    return Status::validation("netemu: cannot create a named network namespace: " + s.message());
  return run_ip({"netns", "delete", probe});
}

std::string unique_pair_name() {
  static std::atomic<int> counter{0};
  return "hsemu-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

void reap_stale_namespaces() {
  std::error_code ec;
  static const std::regex ours("hsemu-([0-9]+)-[0-9]+-[ab]");
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns", ec)) {
    std::string ns = entry.path().filename().string();
    std::smatch m;
    if (!std::regex_match(ns, m, ours)) continue;
    pid_t owner = static_cast<pid_t>(std::stol(m[1]));
    if (kill(owner, 0) == 0 || errno != ESRCH) continue;
    Status s = run_ip({"netns", "delete", ns});
    // Another emulator reaping at the same moment may have won; that is fine.
    if (!s.is_ok() && namespace_exists(ns)) std::fprintf(stderr, "%s\n", s.to_string().c_str());
  }
}

Result<std::unique_ptr<NetnsPair>> NetnsPair::create(const std::string& name) {
  std::unique_ptr<NetnsPair> pair(new NetnsPair(name));
  for (const auto& ns : {pair->ns_a(), pair->ns_b()})
    if (namespace_exists(ns))
      return Status::conflict("netemu: network namespace " + ns + " exists already (another emulator? `ip netns delete " +
                              ns + "` if not)");
  HALLSYNC_RETURN_IF_ERROR(run_ip({"netns", "add", pair->ns_a()}));
  pair->made_a_ = true;
  HALLSYNC_RETURN_IF_ERROR(run_ip({"netns", "add", pair->ns_b()}));
  pair->made_b_ = true;
  HALLSYNC_ASSIGN_OR_RETURN(pair->tun_a_, make_side(pair->ns_a(), kAddressA, kAddressB));
  HALLSYNC_ASSIGN_OR_RETURN(pair->tun_b_, make_side(pair->ns_b(), kAddressB, kAddressA));
  return pair;
}

NetnsPair::~NetnsPair() {
  if (tun_a_ >= 0) close(tun_a_);
  if (tun_b_ >= 0) close(tun_b_);
  // A destructor cannot return a status; a namespace that will not go is
  // said on stderr (and reap_stale_namespaces removes it later).
  for (auto [made, ns] : {std::pair{made_a_, ns_a()}, std::pair{made_b_, ns_b()}}) {
    if (!made) continue;
    if (Status s = run_ip({"netns", "delete", ns}); !s.is_ok()) std::fprintf(stderr, "%s\n", s.to_string().c_str());
  }
}

}  // namespace hallsync::netemu
