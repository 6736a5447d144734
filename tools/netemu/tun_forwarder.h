// TunForwarder: the emulator's engine. One thread polls the two TUN devices of
// a NetnsPair; each packet read from one is offered to that direction's
// PacketScheduler and, unless dropped, written to the other device when its
// release time comes. TCP in the namespaces therefore sees real delay, loss,
// a rate limit and tail drops, and retransmits on its own.
#pragma once

#include <memory>

#include "sync/api/result.h"
#include "tools/netemu/packet_scheduler.h"

namespace hallsync::netemu {

struct ForwarderCounters {
  DirectionCounters up, down;     // up: a → b, down: b → a
  std::uint64_t write_errors = 0;  // packets the far TUN refused (errno in last_write_error)
  int last_write_error = 0;
  int poll_error = 0;  // non-zero: the loop stopped on this errno and forwards nothing more
};

class TunForwarder {
 public:
  // `tun_a`, `tun_b`: non-blocking TUN fds, still owned by the caller and
  // open until this object is gone. The two directions draw from separate
  // streams derived from `seed`.
  static Result<std::unique_ptr<TunForwarder>> start(int tun_a, int tun_b, DirectionParams up, DirectionParams down,
                                                     std::uint64_t seed);
  ~TunForwarder();  // stops the thread; packets still held are dropped
  TunForwarder(const TunForwarder&) = delete;
  TunForwarder& operator=(const TunForwarder&) = delete;

  ForwarderCounters counters() const;

  struct Impl;

 private:
  explicit TunForwarder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hallsync::netemu
