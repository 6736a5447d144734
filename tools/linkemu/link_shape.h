// How the mountain-link emulator shapes one TCP connection: per direction
// latency, jitter, a bandwidth cap, and faults (stall, cut after N bytes,
// reset), plus per-connection chances drawn from a seeded schedule so a
// failing run replays exactly with the same seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sync/api/result.h"

namespace hallsync::linkemu {

// One direction of a link ("up": client → target, "down": target → client).
struct DirectionShape {
  int latency_ms = 0;                   // one-way delay added to every chunk
  int jitter_ms = 0;                    // plus uniform [0, jitter_ms]; order is kept
  std::uint64_t rate_bytes_per_s = 0;   // token bucket; 0 = unlimited
  std::uint64_t cut_after_bytes = 0;    // forward exactly this many, then close; 0 = never
  std::uint64_t stall_after_bytes = 0;  // forward this many, then go silent with the socket open; 0 = never
  bool reset = false;                   // a cut closes with RST instead of FIN
};

// A scripted fault for one connection, applied on top of the seeded draw.
struct ConnectionRule {
  std::uint64_t index = 0;  // 0-based, in accept order
  bool refuse = false;
  bool up = true;           // which direction cut/stall apply to
  std::uint64_t cut_after_bytes = 0, stall_after_bytes = 0;
  bool reset = false;
};

struct LinkProfile {
  DirectionShape up, down;
  std::vector<ConnectionRule> rules;
  // Per connection, drawn from the seeded schedule:
  double cut_chance = 0;     // cut one direction after a random byte count below random_cut_window
  double stall_chance = 0;   // stall one direction after a random byte count below random_cut_window
  double refuse_chance = 0;  // reset the connection as soon as it is accepted
  std::uint64_t random_cut_window = 16384;
};

// Named profiles: "clean", "2g" (64 kbit/s, 300 ms RTT, 2% of connections cut),
// "3g" (384 kbit/s, 150 ms RTT, 0.5% cut), "lossy" (256 kbit/s, 200 ms RTT,
// heavy jitter, 10% cut, 2% stall, 5% refused).
Result<LinkProfile> named_profile(const std::string& name);

// Parses a rule file: one rule per line, '#' comments, e.g.
//   0 up cut=1200 reset     # connection 0: RST after 1,200 bytes client → target
//   2 down stall=300        # connection 2: silence after 300 bytes of the response
//   5 refuse                # connection 5: reset on accept
// A bad line is a Validation status naming its line number.
Result<std::vector<ConnectionRule>> parse_rules(const std::string& text);

// What the schedule decided for the connection numbered `index` (0-based):
// its two directions with any drawn fault filled in, or refused.
struct ConnectionPlan {
  bool refuse = false;
  DirectionShape up, down;
  std::uint64_t seed = 0;  // the connection's own stream, for jitter
};
ConnectionPlan plan_connection(const LinkProfile& profile, std::uint64_t seed, std::uint64_t index);

// splitmix64 step: the emulator's only randomness, identical on every machine.
std::uint64_t next_random(std::uint64_t& state);

}  // namespace hallsync::linkemu
