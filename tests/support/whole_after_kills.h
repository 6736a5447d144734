// The end of a seeded kill run (#6): the hall syncs until nothing moves; then
// every case a clerk was told about must exist exactly once at the hall and
// at the hub, with its platform number, the digests equal, the outbox empty.
// On a faulty link a sync or verify may fail and is retried; on a clean link
// any failure is a failure.
#pragma once

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/e2e_binaries.h"

namespace hallsync::test {

// The JSON object in a command's output (which also carries its stderr).
inline nlohmann::json json_in(const std::string& out) {
  auto brace = out.find_first_of("{[");
  return nlohmann::json::parse(brace == std::string::npos ? out : out.substr(brace));
}

// `hallctl ARGS --json` for the hall of `dir`, under `env` ("NAME=value"),
// until it succeeds; at most `failures_allowed` failures are forgiven.
inline Run hallctl_retrying(TempDir& dir, std::vector<std::string> args, const std::vector<std::string>& env,
                            int failures_allowed) {
  std::vector<std::string> argv{"env"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.push_back(HALLCTL_BINARY);
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--json", "--data-dir", dir.file("hall")});
  Run r;
  for (int failures = 0;; ++failures) {
    r = run_command(argv);
    if (r.status == 0 || failures >= failures_allowed) break;
  }
  INFO(r.out);
  REQUIRE(r.status == 0);
  return r;
}

inline void require_told_cases_once(TempDir& dir, Hub& hub, const std::set<std::string>& told,
                                    const std::vector<std::string>& env = {}, int failures_allowed = 0) {
  nlohmann::json moved;
  for (int i = 0; i < 5; ++i) {
    moved = json_in(hallctl_retrying(dir, {"sync"}, env, failures_allowed).out);
    if (moved["pushed"] == 0 && moved["pulled"] == 0) break;
  }
  CHECK(moved["pushed"] == 0);
  Run verified = hallctl_retrying(dir, {"verify"}, env, failures_allowed);
  INFO(verified.out);
  CHECK(json_in(verified.out)["equal"] == true);

  nlohmann::json here = json_in(hall(dir, {"case", "list", "--limit", "100000", "--json"}).out)["cases"];
  nlohmann::json there = json_in(hub.admin({"cases", "--json"}).out);
  std::set<std::string> local, hub_side;
  for (const auto& c : here) local.insert(c["acceptance_no"].get<std::string>());
  for (const auto& c : there) hub_side.insert(c["acceptance_no"].get<std::string>());
  CHECK(local.size() == here.size());
  CHECK(hub_side.size() == there.size());
  CHECK(local == hub_side);
  for (const auto& no : told) CHECK(local.count(no) == 1);
  for (const auto& c : here) CHECK_FALSE(c["platform_case_no"].is_null());
}

}  // namespace hallsync::test
