// The hub's HTTP server with worker threads (#11, a hub on PostgreSQL): handler
// calls run at once on the workers, answers still reach the right client, and
// a full queue is answered 503 hub_busy at once instead of waiting or growing.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "sync/api/transport.h"
#include "sync/net/http_server.h"

namespace hallsync {
namespace {

using net::HttpServer;
using net::HttpServerOptions;

std::unique_ptr<Transport> transport_to(const std::string& address) {
  CurlTransportOptions options;
  options.base_url = "http://" + address;
  options.connect_timeout_ms = 5'000;
  options.total_timeout_ms = 20'000;
  return make_curl_transport(options);
}

HttpRequest post(std::string target) {
  HttpRequest r;
  r.target = std::move(target);
  r.headers.emplace_back("Content-Type", "application/octet-stream");
  return r;
}

// Handler calls wait here until the test opens the gate.
struct Gate {
  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  int inside = 0;
  void wait() {
    std::unique_lock<std::mutex> lock(m);
    ++inside;
    cv.notify_all();
    cv.wait(lock, [this] { return open; });
  }
  bool wait_inside(int n) {
    std::unique_lock<std::mutex> lock(m);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return inside >= n; });
  }
  void release() {
    std::lock_guard<std::mutex> lock(m);
    open = true;
    cv.notify_all();
  }
};

}  // namespace

TEST_CASE("A server with worker threads runs handler calls at once and answers each client its own request",
          "[net][workers]") {
  Gate gate;
  HttpServerOptions options;
  options.workers = 3;
  auto server = HttpServer::start(options, [&gate](const HttpRequest& r, const std::string&) {
    gate.wait();
    HttpResponse res;
    res.status = 200;
    res.body = r.target;
    return res;
  });
  REQUIRE(server.is_ok());
  std::vector<std::thread> clients;
  std::vector<std::string> answers(3);
  for (int i = 0; i < 3; ++i)
    clients.emplace_back([&, i] {
      auto t = transport_to((*server)->address());
      auto r = t->exchange(post("/c" + std::to_string(i)));
      if (r.is_ok()) answers[i] = r->body;
    });
  // All three are inside the handler together: none waits for another.
  CHECK(gate.wait_inside(3));
  gate.release();
  for (auto& c : clients) c.join();
  CHECK(answers == std::vector<std::string>{"/c0", "/c1", "/c2"});
}

TEST_CASE("A server whose worker queue is full answers 503 hub_busy at once, and the queued requests are served after",
          "[net][workers]") {
  Gate gate;
  HttpServerOptions options;
  options.workers = 1;
  options.max_queued = 1;
  auto server = HttpServer::start(options, [&gate](const HttpRequest&, const std::string&) {
    gate.wait();
    HttpResponse res;
    res.status = 200;
    res.body = "done";
    return res;
  });
  REQUIRE(server.is_ok());
  std::vector<int> statuses(2, 0);
  std::thread running([&] {
    auto r = transport_to((*server)->address())->exchange(post("/running"));
    if (r.is_ok()) statuses[0] = r->status;
  });
  REQUIRE(gate.wait_inside(1));  // the one worker is busy
  std::thread queued([&] {
    auto r = transport_to((*server)->address())->exchange(post("/queued"));
    if (r.is_ok()) statuses[1] = r->status;
  });
  // The second request is read and queued; no signal says when, so wait a little.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto t0 = std::chrono::steady_clock::now();
  auto refused = transport_to((*server)->address())->exchange(post("/third"));
  auto waited = std::chrono::steady_clock::now() - t0;
  REQUIRE(refused.is_ok());
  CHECK(refused->status == 503);
  CHECK(refused->body.find("\"code\":\"hub_busy\"") != std::string::npos);
  CHECK(refused->header("Retry-After") == "1");
  CHECK(waited < std::chrono::seconds(5));  // answered, not held until a worker frees up
  CHECK((*server)->requests_refused_busy() == 1);
  gate.release();
  running.join();
  queued.join();
  CHECK(statuses == std::vector<int>{200, 200});
}

TEST_CASE("Stopping a server with worker threads waits for the running handler call and drops the queued ones",
          "[net][workers]") {
  Gate gate;
  std::atomic<int> calls{0};
  HttpServerOptions options;
  options.workers = 1;
  auto server = HttpServer::start(options, [&](const HttpRequest&, const std::string&) {
    ++calls;
    gate.wait();
    HttpResponse res;
    res.status = 200;
    return res;
  });
  REQUIRE(server.is_ok());
  std::vector<std::thread> clients;
  for (int i = 0; i < 2; ++i)
    clients.emplace_back([&] { (void)transport_to((*server)->address())->exchange(post("/x")); });
  REQUIRE(gate.wait_inside(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the second one queued
  std::thread stopper([&] { (*server)->stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  gate.release();  // stop() returns only once the running call is done
  stopper.join();
  for (auto& c : clients) c.join();
  CHECK(calls == 1);
}

}  // namespace hallsync
