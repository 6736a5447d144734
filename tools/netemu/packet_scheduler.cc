// The queue, serial link, loss and delay line of one direction.
#include "tools/netemu/packet_scheduler.h"

#include <algorithm>

#include "tools/linkemu/link_shape.h"

namespace hallsync::netemu {
namespace {

// A uniform draw in [0, 1) from the shared splitmix64 stream.
double unit(std::uint64_t& state) {
  return static_cast<double>(linkemu::next_random(state) >> 11) / 9007199254740992.0;
}

}  // namespace

DirectionParams mountain_link() {
  DirectionParams p;
  p.delay_us = 150'000;
  p.jitter_us = 20'000;
  p.loss = 0.05;
  p.rate_bytes_per_s = 64'000 / 8;
  p.queue_packets = 20;
  return p;
}

PacketScheduler::PacketScheduler(DirectionParams params, std::uint64_t seed) : params_(params), rng_(seed) {}

Decision PacketScheduler::offer(std::int64_t now_us, std::size_t bytes) {
  // Both draws first, so the n-th packet's fate depends on the seed only.
  double loss_draw = unit(rng_);
  std::uint64_t jitter_draw = linkemu::next_random(rng_);
  std::int64_t jitter =
      params_.jitter_us > 0 ? static_cast<std::int64_t>(jitter_draw % static_cast<std::uint64_t>(params_.jitter_us + 1)) : 0;
  ++counters_.offered;
  counters_.offered_bytes += bytes;

  while (!on_link_.empty() && on_link_.front() <= now_us) on_link_.pop_front();
  if (params_.queue_packets > 0 && on_link_.size() >= params_.queue_packets) {
    ++counters_.queue_full;
    return {Verdict::QueueFull, 0};
  }
  std::int64_t start = std::max(now_us, link_free_us_);
  // Rounded up to whole microseconds; a packet (< 64 KiB) times 10^6 fits in 64 bits.
  std::uint64_t rate = params_.rate_bytes_per_s;
  std::int64_t transmit = rate > 0 ? static_cast<std::int64_t>((bytes * 1'000'000ULL + rate - 1) / rate) : 0;
  link_free_us_ = start + transmit;
  if (transmit > 0) on_link_.push_back(link_free_us_);

  if (loss_draw < params_.loss) {
    ++counters_.lost;
    return {Verdict::Lost, 0};
  }
  std::int64_t release = std::max(link_free_us_ + params_.delay_us + jitter, last_release_us_);
  last_release_us_ = release;
  ++counters_.delivered;
  counters_.delivered_bytes += bytes;
  return {Verdict::Deliver, release};
}

}  // namespace hallsync::netemu
