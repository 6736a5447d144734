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
#include "tests/support/test_hub_store.h"

namespace hallsync::test {

inline std::string port_in(const std::string& log, const std::string& prefix) {
  std::smatch m;
  if (!std::regex_search(log, m, std::regex(prefix + " 127\\.0\\.0\\.1:([0-9]+)"))) return "";
  return m[1];
}

struct Hub {
  explicit Hub(TempDir& d) : dir(d) {}
  TempDir& dir;
  TestHubStore store;  // SQLite in data(), or a fresh PostgreSQL database in the "pg: " run (#11)
  std::unique_ptr<Background> server;
  std::string port;
  std::unique_ptr<PortReservation> held;  // the port while the hub is down (see stop_holding_port)
  std::string data() const { return dir.file("hub"); }
  Run admin(std::vector<std::string> args) {
    args.insert(args.begin(), HALLHUB_BINARY);
    args.push_back("--data-dir");
    args.push_back(data());
    if (store.is_postgres()) args.insert(args.end(), {"--store", store.url()});
    return run_command(args);
  }
  // `env`: "NAME=value" settings for this process only (e.g. an armed crash point).
  // `serve_flags`: more `hallhub serve` flags (e.g. --tls-cert FILE --tls-key FILE).
  void start(const std::string& listen = "127.0.0.1:0", const std::vector<std::string>& env = {},
             const std::vector<std::string>& serve_flags = {}) {
    held.reset();  // frees a held port for this start
    std::vector<std::string> argv{"/usr/bin/env"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), {HALLHUB_BINARY, "serve", "--data-dir", data(), "--listen", listen});
    argv.insert(argv.end(), serve_flags.begin(), serve_flags.end());
    if (store.is_postgres()) argv.insert(argv.end(), {"--store", store.url()});
    server = std::make_unique<Background>(argv, dir.file("hub.log"));
    port = port_in(server->wait_for("listening on"), "listening on");
    INFO("hallhub serve --listen " << listen << ": " << server->log());
    REQUIRE_FALSE(port.empty());
  }
  void stop() {
    if (server) CHECK(server->stop() == 0);
    server.reset();
  }
  // Stops the hub and keeps its port bound but not listening until the next
  // start(): clients are refused as by a hub that is down, and no parallel
  // test's server can take the port meanwhile.
  void stop_holding_port() {
    stop();
    held = std::make_unique<PortReservation>(port);
    REQUIRE(held->bound());
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

// Registers hall 360704100 and its device W01 at the hub and creates the
// hall's store; returns the device's token.
inline std::string enroll_w01(TempDir& dir, Hub& hub) {
  REQUIRE(hub.admin({"hall", "add", "--code", "360704100", "--name", "梅林镇"}).status == 0);
  Run token = hub.admin({"device", "add", "--hall", "360704100", "--device", "W01"});
  REQUIRE(token.status == 0);
  REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
  return token.out.substr(0, token.out.find('\n'));
}

// `hallctl configure`: the hall's link to a hub on 127.0.0.1:PORT.
inline void link_hall(TempDir& dir, const std::string& port, const std::string& token) {
  REQUIRE(hallctl(dir, {"configure", "--hub", "http://127.0.0.1:" + port, "--token", token}).status == 0);
}

}  // namespace hallsync::test
