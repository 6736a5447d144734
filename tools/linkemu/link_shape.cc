// Profiles and the seeded per-connection schedule.
#include "tools/linkemu/link_shape.h"

#include <sstream>

namespace hallsync::linkemu {
namespace {

double unit(std::uint64_t& state) { return static_cast<double>(next_random(state) >> 11) / 9007199254740992.0; }

DirectionShape both(int latency_ms, int jitter_ms, std::uint64_t bits_per_s) {
  return {latency_ms, jitter_ms, bits_per_s / 8, 0, 0, false};
}

}  // namespace

std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Result<LinkProfile> named_profile(const std::string& name) {
  LinkProfile p;
  if (name == "clean") return p;
  if (name == "2g") {
    p.up = p.down = both(150, 30, 64'000);
    p.cut_chance = 0.02;
    return p;
  }
  if (name == "3g") {
    p.up = p.down = both(75, 20, 384'000);
    p.cut_chance = 0.005;
    return p;
  }
  if (name == "lossy") {
    p.up = p.down = both(100, 80, 256'000);
    p.cut_chance = 0.10;
    p.stall_chance = 0.02;
    p.refuse_chance = 0.05;
    return p;
  }
  return Status::validation("unknown link profile '" + name + "' (clean, 2g, 3g, lossy)");
}

ConnectionPlan plan_connection(const LinkProfile& profile, std::uint64_t seed, std::uint64_t index) {
  std::uint64_t state = seed ^ (0x5bd1e995ULL * (index + 1));
  ConnectionPlan plan;
  plan.up = profile.up;
  plan.down = profile.down;
  plan.seed = next_random(state);
  // Every draw is made whatever the outcome, so one connection's plan never
  // shifts another's when a chance changes.
  double refuse = unit(state), cut = unit(state), stall = unit(state);
  bool cut_up = next_random(state) & 1, stall_up = next_random(state) & 1;
  std::uint64_t window = profile.random_cut_window ? profile.random_cut_window : 1;
  std::uint64_t cut_at = 1 + next_random(state) % window, stall_at = 1 + next_random(state) % window;
  plan.refuse = refuse < profile.refuse_chance;
  if (cut < profile.cut_chance) (cut_up ? plan.up : plan.down).cut_after_bytes = cut_at;
  if (stall < profile.stall_chance) (stall_up ? plan.up : plan.down).stall_after_bytes = stall_at;
  for (const auto& rule : profile.rules) {
    if (rule.index != index) continue;
    plan.refuse = plan.refuse || rule.refuse;
    DirectionShape& d = rule.up ? plan.up : plan.down;
    if (rule.cut_after_bytes) d.cut_after_bytes = rule.cut_after_bytes;
    if (rule.stall_after_bytes) d.stall_after_bytes = rule.stall_after_bytes;
    d.reset = d.reset || rule.reset;
  }
  return plan;
}

Result<std::vector<ConnectionRule>> parse_rules(const std::string& text) {
  std::vector<ConnectionRule> rules;
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::string word;
    if (!(words >> word)) continue;
    auto bad = [&](const std::string& why) {
      return Status::validation("rules line " + std::to_string(number) + ": " + why);
    };
    ConnectionRule rule;
    try {
      std::size_t used = 0;
      rule.index = std::stoull(word, &used);
      if (used != word.size()) return bad("starts with a connection number, not '" + word + "'");
      while (words >> word) {
        if (word == "refuse") rule.refuse = true;
        else if (word == "reset") rule.reset = true;
        else if (word == "up" || word == "down") rule.up = word == "up";
        else if (word.rfind("cut=", 0) == 0) rule.cut_after_bytes = std::stoull(word.substr(4));
        else if (word.rfind("stall=", 0) == 0) rule.stall_after_bytes = std::stoull(word.substr(6));
        else return bad("unknown word '" + word + "' (up, down, cut=N, stall=N, reset, refuse)");
      }
    } catch (const std::exception&) {
      return bad("a number is not a number");
    }
    rules.push_back(rule);
  }
  return rules;
}

}  // namespace hallsync::linkemu
