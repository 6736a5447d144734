// LinkEmulator: a user-space TCP proxy that makes a loopback connection behave
// like a mountain link (this kernel has no netem). Listens on 127.0.0.1 (a
// port chosen by the OS unless given; see listen_host), forwards each accepted connection to the
// target, and shapes each direction as the connection's plan says. Runs on its
// own threads; usable in-process by tests and as the `linkemu` tool.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "sync/api/result.h"
#include "tools/linkemu/link_shape.h"

namespace hallsync::linkemu {

// The emulator's own counts, for tests and benchmarks (never wall time).
struct LinkCounters {
  std::uint64_t connections = 0;
  std::uint64_t refused = 0;
  std::uint64_t cuts = 0;
  std::uint64_t stalls = 0;
  std::uint64_t bytes_up = 0;     // forwarded client → target
  std::uint64_t bytes_down = 0;   // forwarded target → client
  std::uint64_t rate_waits = 0;   // times a write waited for the token bucket
  std::uint64_t delayed_chunks = 0;  // chunks held for latency/jitter
};

struct EmulatorOptions {
  std::string target_host = "127.0.0.1";
  std::uint16_t target_port = 0;
  std::uint16_t listen_port = 0;  // 0: any free port
  // The linkemu tool always listens on loopback. tools/netemu passes the link
  // address of a namespace it owns, to publish a loopback-only hub there.
  std::string listen_host = "127.0.0.1";
  LinkProfile profile;
  std::uint64_t seed = 1;
};

class LinkEmulator {
 public:
  static Result<std::unique_ptr<LinkEmulator>> start(const EmulatorOptions& options);
  ~LinkEmulator();  // stops: closes every socket and joins every thread
  LinkEmulator(const LinkEmulator&) = delete;
  LinkEmulator& operator=(const LinkEmulator&) = delete;

  std::uint16_t port() const;
  std::string address() const;  // listen_host:port
  LinkCounters counters() const;

  struct Impl;

 private:
  explicit LinkEmulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hallsync::linkemu
