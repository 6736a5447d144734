// halld as end-to-end tests drive it: the daemon on a loopback port picked by
// the kernel, a client of its local API over the project's curl transport,
// and small helpers (polling, a case body, the failed sessions of its history).
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sync/api/transport.h"
#include "tests/support/e2e_binaries.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace hallsync::test {

using nlohmann::json;

using std::chrono::milliseconds;
using std::chrono::seconds;
using Steady = std::chrono::steady_clock;

// Polls `done` every 100 ms until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& done, seconds timeout) {
  auto end = Steady::now() + timeout;
  while (Steady::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return done();
}

struct Reply {
  int status = 0;
  json body;           // discarded when the reply is not JSON
  std::string raw;     // the body as sent (a scan, a page)
  std::string content_type;
};

// A client of halld's local API (or any JSON-over-HTTP server on loopback,
// e.g. chromedriver) over the project's curl transport.
class Api {
 public:
  explicit Api(const std::string& port, long timeout_ms = 10'000) {
    CurlTransportOptions o;
    o.base_url = "http://127.0.0.1:" + port;
    o.total_timeout_ms = timeout_ms;
    transport_ = make_curl_transport(o);
  }
  Reply call(const std::string& method, const std::string& target, const std::string& body = "") {
    std::string failure;
    auto reply = try_call(method, target, body, &failure);
    INFO(method << " " << target << ": " << failure);
    REQUIRE(reply);
    return *reply;
  }
  // As call, but no answer (the server died mid-call) is empty, not a failed test.
  std::optional<Reply> try_call(const std::string& method, const std::string& target, const std::string& body = "",
                                std::string* failure = nullptr) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    if (method == "POST") r.headers = {{"Content-Type", "application/json"}};
    auto res = transport_->exchange(r);
    if (!res) {
      if (failure) *failure = res.status().to_string();
      return std::nullopt;
    }
    return Reply{res->status, json::parse(res->body, nullptr, false), res->body, res->header("Content-Type")};
  }
  Reply get(const std::string& target) { return call("GET", target); }
  Reply post(const std::string& target, const json& body) { return call("POST", target, body.dump()); }

 private:
  std::unique_ptr<Transport> transport_;
};

// halld on a hall data directory, on a port picked by the kernel.
struct Halld {
  TempDir& dir;
  std::unique_ptr<Background> process;
  std::string port;
  int starts = 0;
  std::string data() const { return dir.file("hall"); }
  // `env`: "NAME=value" settings for this process only (e.g. an armed crash
  // point). Returns false only when halld died at an armed crash point before
  // it listened (its first session can pass one); any other failure fails the test.
  bool start(std::vector<std::string> extra = {}, const std::vector<std::string>& env = {}) {
    std::vector<std::string> argv{"/usr/bin/env"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), {HALLD_BINARY, "--data-dir", data(), "--listen", "127.0.0.1:0"});
    argv.insert(argv.end(), extra.begin(), extra.end());
    // A fresh log per start: a restart must not read the previous run's port.
    process.reset();
    process = std::make_unique<Background>(argv, dir.file("halld-" + std::to_string(++starts) + ".log"));
    std::string log = process->wait_for("halld listening on");
    if (log.empty() && process->log().find("hallsync: crash point") != std::string::npos) return false;
    INFO(process->log());
    port = port_in(log, "halld listening on");
    REQUIRE_FALSE(port.empty());
    return true;
  }
  Api api() const { return Api(port); }
};

inline json new_case(const std::string& id_number = "360704198503120023") {
  return {{"matter_id", "GX-009"},     {"applicant_name", "刘桂英"},
          {"id_number", id_number},     {"phone", "13907971234"},
          {"materials_received", json::array()}, {"all_materials", true},
          {"note", ""},                {"clerk_id", "c001"}};
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

inline std::vector<json> failed_runs(Api& api) {
  std::vector<json> out;
  Reply h = api.get("/api/sync/history?limit=100");
  if (h.status != 200) return out;
  for (const auto& r : h.body["runs"])
    if (r["outcome"] == "error") out.push_back(r);
  return out;
}


// True once halld reports a successful last session and an empty outbox.
inline bool all_sent_within(Api& api, seconds timeout) {
  return eventually([&] {
    Reply s = api.get("/api/sync/status");
    return s.body["online"] == true && s.body["pending"] == 0;
  }, timeout);
}

}  // namespace hallsync::test
