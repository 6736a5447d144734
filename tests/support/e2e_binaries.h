// The project's binaries as end-to-end tests drive them: a hallhub process
// (admin commands, serve on a runtime-chosen loopback port, stop), and the
// hall / hallctl CLIs on a test's data directory. The binary paths come from
// the e2e_tests target's compile definitions.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace hallsync::test {

inline std::string port_in(const std::string& log, const std::string& prefix) {
  std::smatch m;
  if (!std::regex_search(log, m, std::regex(prefix + " 127\\.0\\.0\\.1:([0-9]+)"))) return "";
  return m[1];
}

struct Hub {
  TempDir& dir;
  std::unique_ptr<Background> server;
  std::string port;
  std::string data() const { return dir.file("hub"); }
  Run admin(std::vector<std::string> args) {
    args.insert(args.begin(), HALLHUB_BINARY);
    args.push_back("--data-dir");
    args.push_back(data());
    return run_command(args);
  }
  void start(const std::string& listen = "127.0.0.1:0") {
    // A restart must not read the previous run's "listening on" before the
    // new process truncates the log.
    std::filesystem::remove(dir.file("hub.log"));
    server = std::make_unique<Background>(
        std::vector<std::string>{HALLHUB_BINARY, "serve", "--data-dir", data(), "--listen", listen}, dir.file("hub.log"));
    port = port_in(server->wait_for("listening on"), "listening on");
    REQUIRE_FALSE(port.empty());
  }
  void stop() {
    if (server) CHECK(server->stop() == 0);
    server.reset();
  }
};


// `hall ARGS --data-dir DIR/hall` as clerk c001.
inline Run hall(TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), HALL_BINARY);
  args.push_back("--data-dir");
  args.push_back(dir.file("hall"));
  setenv("HALL_CLERK", "c001", 1);
  return run_command(args);
}

inline Run hallctl(TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), HALLCTL_BINARY);
  args.push_back("--data-dir");
  args.push_back(dir.file("hall"));
  return run_command(args);
}

}  // namespace hallsync::test
