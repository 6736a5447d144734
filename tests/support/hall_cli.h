// HallCli: a fresh hall store driven through the real `hall` binary (clerk
// c001), for end-to-end tests of the command line.
#pragma once

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace hallsync::test {

struct HallCli {
  TempDir dir;
  Run run(std::vector<std::string> args) {
    args.insert(args.begin(), HALL_BINARY);
    args.push_back("--data-dir");
    args.push_back(dir.file("hall"));
    setenv("HALL_CLERK", "c001", 1);
    return run_command(args);
  }
  // Runs a command that must succeed; returns its output.
  std::string ok(const std::vector<std::string>& args) {
    Run r = run(args);
    INFO(r.out);
    REQUIRE(r.status == 0);
    return r.out;
  }
  nlohmann::json json(const std::vector<std::string>& args) { return nlohmann::json::parse(ok(args)); }
  HallCli() { REQUIRE(run({"init", "--hall", "360704100", "--device", "W01"}).status == 0); }
};

}  // namespace hallsync::test
