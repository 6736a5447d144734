// The packet emulator's scheduler (tools/netemu/packet_scheduler.h) on made-up
// timestamps: loss at the configured rate within statistical bounds and
// replayed by its seed, delay and jitter that never reorder, a rate cap that
// spaces packets by their serialization time, and tail drop at a full queue.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "tools/netemu/packet_scheduler.h"

using namespace hallsync::netemu;

namespace {

DirectionParams params(std::int64_t delay_us, std::int64_t jitter_us, double loss, std::uint64_t rate, std::size_t queue) {
  DirectionParams p;
  p.delay_us = delay_us;
  p.jitter_us = jitter_us;
  p.loss = loss;
  p.rate_bytes_per_s = rate;
  p.queue_packets = queue;
  return p;
}

// Offers `n` packets of `bytes`, one every `gap_us`, and returns the decisions.
std::vector<Decision> offer_many(PacketScheduler& s, int n, std::size_t bytes, std::int64_t gap_us) {
  std::vector<Decision> out;
  for (int i = 0; i < n; ++i) out.push_back(s.offer(i * gap_us, bytes));
  return out;
}

}  // namespace

TEST_CASE("Random loss drops the configured share of packets, within four and a half standard deviations", "[netemu]") {
  const int n = 100'000;
  double p = GENERATE(0.01, 0.05, 0.20);
  std::uint64_t seed = GENERATE(1, 7, 12345);
  PacketScheduler s(params(0, 0, p, 0, 0), seed);
  offer_many(s, n, 100, 10);
  double expected = n * p, sigma = std::sqrt(n * p * (1 - p));
  INFO("loss " << p << " seed " << seed << ": " << s.counters().lost << " lost");
  CHECK(std::abs(static_cast<double>(s.counters().lost) - expected) < 4.5 * sigma);
  CHECK(s.counters().lost + s.counters().delivered == static_cast<std::uint64_t>(n));
}

TEST_CASE("The same seed makes the same decision for every packet — another seed does not", "[netemu]") {
  auto run = [](std::uint64_t seed) {
    PacketScheduler s(params(150'000, 20'000, 0.05, 8'000, 20), seed);
    std::vector<std::pair<Verdict, std::int64_t>> fates;
    for (const Decision& d : offer_many(s, 2'000, 600, 50'000)) fates.emplace_back(d.verdict, d.release_us);
    return fates;
  };
  CHECK(run(42) == run(42));
  CHECK(run(42) != run(43));
}

TEST_CASE("Without jitter or rate a packet is delivered exactly one delay after it arrives", "[netemu]") {
  PacketScheduler s(params(150'000, 0, 0, 0, 0), 1);
  for (std::int64_t t : {0, 5, 1'000, 1'000, 400'000}) {
    Decision d = s.offer(t, 1500);
    CHECK(d.verdict == Verdict::Deliver);
    CHECK(d.release_us == t + 150'000);
  }
}

TEST_CASE("Jitter varies each packet's delay within its bound but never lets a packet overtake the one ahead",
          "[netemu]") {
  PacketScheduler s(params(150'000, 20'000, 0, 0, 0), 9);
  std::int64_t previous = 0;
  for (int i = 0; i < 5'000; ++i) {
    std::int64_t now = i * 1'000;  // closer together than the jitter: unordered draws would reorder
    Decision d = s.offer(now, 200);
    REQUIRE(d.verdict == Verdict::Deliver);
    CHECK(d.release_us >= previous);       // order kept
    CHECK(d.release_us >= now + 150'000);  // never early
    previous = d.release_us;
  }
  // Spread out beyond the jitter, each delay is its own draw within delay + jitter.
  PacketScheduler sparse(params(150'000, 20'000, 0, 0, 0), 9);
  std::int64_t shortest = 1 << 30, longest = 0;
  for (int i = 0; i < 1'000; ++i) {
    std::int64_t now = i * 100'000;
    std::int64_t delay = sparse.offer(now, 200).release_us - now;
    CHECK(delay >= 150'000);
    CHECK(delay <= 170'000);
    shortest = std::min(shortest, delay);
    longest = std::max(longest, delay);
  }
  CHECK(shortest < 150'000 + 1'000);  // some packets draw almost no jitter
  CHECK(longest > 150'000 + 19'000);  // some nearly the whole 20 ms
}

TEST_CASE("The rate cap spaces a burst by each packet's serialization time", "[netemu]") {
  // 8,000 B/s (64 kbit/s): a 1,000-byte packet takes 125 ms on the link.
  PacketScheduler s(params(150'000, 0, 0, 8'000, 0), 1);
  auto burst = offer_many(s, 40, 1'000, 0);  // all at t = 0, no queue limit
  for (std::size_t k = 0; k < burst.size(); ++k) {
    CHECK(burst[k].verdict == Verdict::Deliver);
    CHECK(burst[k].release_us == static_cast<std::int64_t>(k + 1) * 125'000 + 150'000);
  }
  // Throughput over the burst is the rate: 40,000 bytes in 5 s of link time.
  CHECK(burst.back().release_us - 150'000 == 5'000'000);
  // An idle link sends the next packet at once.
  Decision later = s.offer(10'000'000, 1'000);
  CHECK(later.release_us == 10'000'000 + 125'000 + 150'000);
}

TEST_CASE("A full queue drops arriving packets at the tail until the link has sent one", "[netemu]") {
  PacketScheduler s(params(0, 0, 0, 8'000, 10), 1);  // 125 ms per 1,000-byte packet
  auto burst = offer_many(s, 15, 1'000, 0);
  for (int k = 0; k < 10; ++k) CHECK(burst[k].verdict == Verdict::Deliver);
  for (int k = 10; k < 15; ++k) CHECK(burst[k].verdict == Verdict::QueueFull);
  CHECK(s.counters().queue_full == 5);
  // Just before the first packet finishes there is still no room; just after, one place.
  CHECK(s.offer(124'999, 1'000).verdict == Verdict::QueueFull);
  Decision fits = s.offer(125'000, 1'000);
  CHECK(fits.verdict == Verdict::Deliver);
  CHECK(fits.release_us == 11 * 125'000);  // behind the ten already queued
  CHECK(s.offer(125'000, 1'000).verdict == Verdict::QueueFull);
  CHECK(s.counters().delivered == 11);
}

TEST_CASE("A lost packet still used the link's time, so the next one waits behind it", "[netemu]") {
  // Loss 1: every packet is lost on the air after being sent.
  PacketScheduler lossy(params(0, 0, 1.0, 8'000, 3), 1);
  auto burst = offer_many(lossy, 5, 1'000, 0);
  for (int k = 0; k < 3; ++k) CHECK(burst[k].verdict == Verdict::Lost);
  for (int k = 3; k < 5; ++k) CHECK(burst[k].verdict == Verdict::QueueFull);  // the three lost ones fill the queue
  CHECK(lossy.counters().lost == 3);
  CHECK(lossy.counters().delivered == 0);
}
