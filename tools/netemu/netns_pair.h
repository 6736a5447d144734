// The packet emulator's plumbing: two named network namespaces, NAME-a and
// NAME-b, whose only link to anything is one TUN device each (emu0), addressed
// 10.77.0.1 in a and 10.77.0.2 in b, point to point. Whatever crosses between
// them is read from one TUN and written to the other by the emulator. The
// addresses exist only inside these namespaces, so pairs never clash with each
// other or with the host. Created with iproute2's `ip`; removed when the
// object goes away (and by reap_stale_namespaces after a SIGKILL).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "sync/api/result.h"

namespace hallsync::netemu {

inline constexpr const char* kAddressA = "10.77.0.1";
inline constexpr const char* kAddressB = "10.77.0.2";

// Ok if this process can build a pair: root, /dev/net/tun opens, network
// namespaces can be made, and `ip` runs. Otherwise why not, in words a
// person can act on (tests SKIP with it).
Status check_available();

// A fresh name, "hsemu-PID-N", unique on this machine while PID runs.
std::string unique_pair_name();

bool namespace_exists(const std::string& ns);

// Deletes hsemu-PID-N-{a,b} namespaces whose PID no longer runs: what an
// emulator killed with SIGKILL leaves behind.
void reap_stale_namespaces();

class NetnsPair {
 public:
  static Result<std::unique_ptr<NetnsPair>> create(const std::string& name);
  ~NetnsPair();  // closes the TUNs and deletes both namespaces
  NetnsPair(const NetnsPair&) = delete;
  NetnsPair& operator=(const NetnsPair&) = delete;

  std::string ns_a() const { return name_ + "-a"; }
  std::string ns_b() const { return name_ + "-b"; }
  int tun_a() const { return tun_a_; }
  int tun_b() const { return tun_b_; }

 private:
  explicit NetnsPair(std::string name) : name_(std::move(name)) {}
  std::string name_;
  int tun_a_ = -1, tun_b_ = -1;
  bool made_a_ = false, made_b_ = false;
};

// TCP's RetransSegs in namespace `ns` (its /proc/net/snmp): how many
// segments TCP there has sent again, e.g. after the emulator lost them.
Result<long> tcp_retransmits(const std::string& ns);

// Runs `fn` on a new thread that has entered namespace `ns`, and waits for
// it. Sockets it opens and threads it starts stay in that namespace (a
// listener started here keeps serving there after fn returns).
Status run_in_namespace(const std::string& ns, const std::function<Status()>& fn);

}  // namespace hallsync::netemu
