// The packet emulator's shaping decisions, one direction of a link: given the
// time a packet arrives and its size, whether it is dropped (queue full, or
// lost on the air) and when it comes out the far end. Pure arithmetic on
// timestamps with a seeded random stream, so it is unit-tested without any
// device, and a run with the same seed makes the same decision for the n-th
// packet whatever the timing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace hallsync::netemu {

// One direction ("up": namespace a → b, "down": b → a).
struct DirectionParams {
  std::int64_t delay_us = 0;           // one-way propagation delay
  std::int64_t jitter_us = 0;          // plus uniform [0, jitter_us]; never reorders (see offer)
  double loss = 0;                     // chance that a transmitted packet is lost, 0..1
  std::uint64_t rate_bytes_per_s = 0;  // the link's serialization rate; 0 = unlimited
  std::size_t queue_packets = 0;       // packets waiting for (or on) the link; tail drop beyond; 0 = unlimited
                                       // (with rate 0 nothing waits, so no limit applies)
};

// The brief's mountain link, each direction: 150 ms one way (300 ms RTT),
// jitter up to 20 ms, 5% loss, 64 kbit/s, a 20-packet queue.
DirectionParams mountain_link();

enum class Verdict { Deliver, Lost, QueueFull };

struct Decision {
  Verdict verdict = Verdict::Deliver;
  std::int64_t release_us = 0;  // when a delivered packet leaves the far end
};

struct DirectionCounters {
  std::uint64_t offered = 0, offered_bytes = 0;
  std::uint64_t delivered = 0, delivered_bytes = 0;
  std::uint64_t lost = 0, queue_full = 0;
};

class PacketScheduler {
 public:
  PacketScheduler(DirectionParams params, std::uint64_t seed);

  // A packet of `bytes` arrives at `now_us` (non-decreasing across calls).
  // The model: a FIFO queue in front of a serial link. A packet that finds
  // queue_packets ahead of it still waiting or on the link is dropped at the
  // tail; otherwise it is transmitted when the link is free (bytes ÷ rate),
  // then lost with chance `loss` (a radio loses packets after they used the
  // air), else delivered after delay + jitter, but never before the packet
  // ahead of it: a serial link keeps order, so jitter bunches packets up.
  // Each call draws the same number of random values whatever the outcome.
  Decision offer(std::int64_t now_us, std::size_t bytes);

  const DirectionCounters& counters() const { return counters_; }
  const DirectionParams& params() const { return params_; }

 private:
  DirectionParams params_;
  std::uint64_t rng_;
  std::int64_t link_free_us_ = 0;      // when the link finishes its last accepted packet
  std::int64_t last_release_us_ = 0;   // release time of the last delivered packet
  std::deque<std::int64_t> on_link_;   // finish times of packets not yet fully transmitted
  DirectionCounters counters_;
};

}  // namespace hallsync::netemu
