// The HTTP plumbing end to end over loopback: the hub's Beast server and the
// hall's curl transport talking to each other, plus raw sockets standing in
// for hubs that misbehave (silent, cut off mid-answer). Every server listens
// on 127.0.0.1 with a port chosen at run time and is stopped by its test.
#include <poll.h>

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <atomic>
#include <boost/asio.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "sync/api/transport.h"
#include "sync/net/http_server.h"

namespace hallsync {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using net::HttpServer;
using net::HttpServerOptions;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::unique_ptr<HttpServer> start_server(HttpServerOptions options, net::RequestHandler handler) {
  auto server = HttpServer::start(std::move(options), std::move(handler));
  INFO(server.status().to_string());
  REQUIRE(server.is_ok());
  return std::move(server).value();
}

HttpResponse ok_response(std::string body = "ok") {
  HttpResponse r;
  r.status = 200;
  r.headers.emplace_back("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

std::unique_ptr<Transport> transport_to(const std::string& address, long total_timeout_ms = 10'000) {
  CurlTransportOptions options;
  options.base_url = "http://" + address;
  options.connect_timeout_ms = 5'000;
  options.total_timeout_ms = total_timeout_ms;
  return make_curl_transport(options);
}

HttpRequest post(std::string target, std::string body = {}) {
  HttpRequest r;
  r.target = std::move(target);
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", "application/octet-stream");
  return r;
}

// A port with nothing listening: bound once by us, then released.
std::uint16_t unused_port() {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// A blocking client socket for speaking raw bytes to the server.
struct RawClient {
  asio::io_context ioc;
  tcp::socket socket{ioc};
  explicit RawClient(std::uint16_t port) {
    boost::system::error_code ec;
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    REQUIRE_FALSE(ec);
  }
  void send(const std::string& bytes) {
    boost::system::error_code ec;
    asio::write(socket, asio::buffer(bytes), ec);
    REQUIRE_FALSE(ec);
  }
  // Everything the server sends until it closes, or until `limit` passes;
  // `closed` tells which.
  std::string read_until_closed(std::chrono::milliseconds limit, bool& closed) {
    std::string out;
    closed = false;
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      pollfd pfd{socket.native_handle(), POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (::poll(&pfd, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0) continue;
      char buf[4096];
      boost::system::error_code ec;
      const std::size_t n = socket.read_some(asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) {
        closed = true;
        break;
      }
    }
    return out;
  }
};

// A misbehaving hub on a raw acceptor: it either never answers, or writes
// half an answer and hangs up.
class RawServer {
 public:
  enum class Mode { Silent, HalfResponse };
  explicit RawServer(Mode mode) : mode_(mode) {
    acceptor_.open(tcp::v4());
    acceptor_.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    acceptor_.listen();
    accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~RawServer() {
    ioc_.stop();
    thread_.join();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto held = std::make_shared<tcp::socket>(std::move(socket));
      sockets_.push_back(held);
      read_then_act(held);
      accept();
    });
  }
  void read_then_act(std::shared_ptr<tcp::socket> socket) {
    socket->async_read_some(asio::buffer(buffer_), [this, socket](boost::system::error_code ec, std::size_t) {
      if (ec) return;
      if (mode_ == Mode::Silent) return read_then_act(socket);  // swallow, never answer
      static const std::string kHalf = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part";
      asio::async_write(*socket, asio::buffer(kHalf), [socket](boost::system::error_code, std::size_t) {
        boost::system::error_code ignored;
        socket->close(ignored);
      });
    });
  }

  Mode mode_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_{ioc_};
  std::vector<std::shared_ptr<tcp::socket>> sockets_;
  char buffer_[4096];
  std::thread thread_;
};

}  // namespace

TEST_CASE("A binary POST round-trips with the handler's status and headers", "[net]") {
  HttpRequest seen;
  std::string seen_peer;
  auto server = start_server({}, [&](const HttpRequest& request, const std::string& peer) {
    seen = request;
    seen_peer = peer;
    HttpResponse r;
    r.status = 201;
    r.headers.emplace_back("Content-Type", "application/octet-stream");
    r.headers.emplace_back("X-Echo-Length", std::to_string(request.body.size()));
    r.body = request.body;
    return r;
  });
  CHECK(server->address() == "127.0.0.1:" + std::to_string(server->port()));

  std::string body;
  for (int i = 0; i < 5000; ++i) body.push_back(static_cast<char>(i % 256));  // NULs and high bytes
  HttpRequest request = post("/v1/push?batch=3", body);
  request.headers.emplace_back("X-Hall", "0042");
  auto transport = transport_to(server->address());
  auto response = transport->exchange(request);
  INFO(response.status().to_string());
  REQUIRE(response.is_ok());

  CHECK(seen.method == "POST");
  CHECK(seen.target == "/v1/push?batch=3");
  CHECK(seen.header_value("X-Hall") == "0042");
  CHECK(seen.header_value("Expect").empty());
  CHECK(seen.body == body);
  CHECK(seen_peer.rfind("127.0.0.1:", 0) == 0);
  CHECK(response->status == 201);
  CHECK(response->header("X-Echo-Length") == "5000");
  CHECK(response->header("Content-Type") == "application/octet-stream");
  CHECK(response->header("Server") == "hallsync");
  CHECK(response->header("Content-Length") == "5000");
  CHECK(response->body == body);
  // On-the-wire counts: the body plus a few hundred bytes of headers, once.
  CHECK(transport->bytes_sent() > body.size());
  CHECK(transport->bytes_sent() < body.size() + 1000);
  CHECK(transport->bytes_received() > body.size());
  CHECK(transport->bytes_received() < body.size() + 1000);
  server->stop();
}

TEST_CASE("A GET carries no body and no made-up Content-Type", "[net]") {
  HttpRequest seen;
  auto server = start_server({}, [&](const HttpRequest& request, const std::string&) {
    seen = request;
    return ok_response("pong");
  });
  HttpRequest request;
  request.method = "GET";
  request.target = "/v1/status";
  auto response = transport_to(server->address())->exchange(request);
  REQUIRE(response.is_ok());
  CHECK(response->body == "pong");
  CHECK(seen.method == "GET");
  CHECK(seen.body.empty());
  CHECK(seen.header_value("Content-Type").empty());
  server->stop();
}

TEST_CASE("The server listens on IPv6 loopback when the machine has it", "[net]") {
  HttpServerOptions options;
  options.listen = "[::1]:0";
  auto server = HttpServer::start(options, [](const HttpRequest&, const std::string& peer) {
    return ok_response(peer);
  });
  if (!server.is_ok()) {
    WARN("no IPv6 loopback here: " << server.status().to_string());
    return;
  }
  CHECK((*server)->address() == "[::1]:" + std::to_string((*server)->port()));
  auto response = transport_to((*server)->address())->exchange(post("/v1/ping"));
  REQUIRE(response.is_ok());
  CHECK(response->body.rfind("[::1]:", 0) == 0);
  (*server)->stop();
}

TEST_CASE("Sequential exchanges on one transport reuse one connection", "[net]") {
  int calls = 0;
  auto server = start_server({}, [&](const HttpRequest& request, const std::string&) {
    ++calls;
    return ok_response(request.body);
  });
  auto transport = transport_to(server->address());
  for (int i = 0; i < 100; ++i) {
    auto response = transport->exchange(post("/v1/ping", "n=" + std::to_string(i)));
    REQUIRE(response.is_ok());
    REQUIRE(response->status == 200);
    REQUIRE(response->body == "n=" + std::to_string(i));
  }
  CHECK(calls == 100);
  CHECK(server->connections_accepted() == 1);
  // Counters grow per exchange, not per connection.
  CHECK(transport->bytes_sent() > 100 * 50);
  server->stop();
}

TEST_CASE("A body over max_body_bytes gets 413 and never reaches the handler", "[net]") {
  std::atomic<int> calls{0};
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  auto server = start_server(options, [&](const HttpRequest&, const std::string&) {
    ++calls;
    return ok_response();
  });
  auto transport = transport_to(server->address());
  auto response = transport->exchange(post("/v1/push", std::string(4 * 1024 * 1024, 'x')));
  INFO(response.status().to_string());
  REQUIRE(response.is_ok());
  CHECK(response->status == 413);
  CHECK(response->body.find("payload_too_large") != std::string::npos);
  CHECK(calls == 0);

  auto small = transport->exchange(post("/v1/push", std::string(1024, 'x')));
  REQUIRE(small.is_ok());
  CHECK(small->status == 200);
  CHECK(calls == 1);
  server->stop();
}

TEST_CASE("A handler that throws gets a 500 and the server keeps serving", "[net]") {
  std::vector<std::string> log;
  HttpServerOptions options;
  options.error_log = [&](const std::string& line) { log.push_back(line); };
  auto server = start_server(options, [](const HttpRequest& request, const std::string&) -> HttpResponse {
    if (request.target == "/boom") throw std::runtime_error("store exploded");
    if (request.target == "/weird") return HttpResponse{42, {}, "not a status"};
    return ok_response();
  });
  auto transport = transport_to(server->address());
  auto failed = transport->exchange(post("/boom"));
  REQUIRE(failed.is_ok());
  CHECK(failed->status == 500);
  CHECK(failed->header("Content-Type") == "application/json");
  CHECK(failed->body.find("store exploded") == std::string::npos);  // internals stay in the log
  auto weird = transport->exchange(post("/weird"));
  REQUIRE(weird.is_ok());
  CHECK(weird->status == 500);
  auto next = transport->exchange(post("/fine"));
  REQUIRE(next.is_ok());
  CHECK(next->status == 200);
  server->stop();
  REQUIRE(log.size() == 2);
  CHECK(log[0].find("POST /boom") != std::string::npos);
  CHECK(log[0].find("store exploded") != std::string::npos);
  CHECK(log[1].find("status 42") != std::string::npos);
}

TEST_CASE("A malformed request gets 400 and the connection is closed", "[net]") {
  int calls = 0;
  auto server = start_server({}, [&](const HttpRequest&, const std::string&) {
    ++calls;
    return ok_response();
  });
  RawClient client(server->port());
  client.send("THIS IS NOT HTTP\r\n\r\n");
  bool closed = false;
  const std::string answer = client.read_until_closed(std::chrono::seconds(5), closed);
  CHECK(answer.rfind("HTTP/1.1 400", 0) == 0);
  CHECK(answer.find("Server: hallsync") != std::string::npos);
  CHECK(closed);
  CHECK(calls == 0);
  server->stop();
}

TEST_CASE("Connecting where nothing listens is a network error with code connect", "[net]") {
  const std::uint16_t port = unused_port();
  auto transport = transport_to("127.0.0.1:" + std::to_string(port));
  auto response = transport->exchange(post("/v1/push", "x"));
  REQUIRE_FALSE(response.is_ok());
  INFO(response.status().to_string());
  CHECK(response.status().kind() == ErrorKind::Network);
  CHECK(response.status().code() == "connect");
  CHECK(response.status().message().find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
  CHECK(response.status().is_transient());
}

TEST_CASE("A host that does not resolve is a network error with code dns", "[net]") {
  CurlTransportOptions options;
  options.base_url = "http://nonexistent.invalid:1";
  options.connect_timeout_ms = 5'000;
  auto response = make_curl_transport(options)->exchange(post("/v1/push"));
  REQUIRE_FALSE(response.is_ok());
  INFO(response.status().to_string());
  CHECK(response.status().kind() == ErrorKind::Network);
  CHECK(response.status().code() == "dns");
  CHECK(response.status().message().find("nonexistent.invalid:1") != std::string::npos);
}

TEST_CASE("A hub that never answers times out within the total timeout", "[net]") {
  RawServer silent(RawServer::Mode::Silent);
  auto transport = transport_to(silent.address(), /*total_timeout_ms=*/1000);
  const auto start = Clock::now();
  auto response = transport->exchange(post("/v1/push", "x"));
  const double elapsed = seconds_since(start);
  REQUIRE_FALSE(response.is_ok());
  INFO(response.status().to_string());
  CHECK(response.status().kind() == ErrorKind::Network);
  CHECK(response.status().code() == "timeout");
  CHECK(elapsed >= 0.9);
  CHECK(elapsed < 3.0);
}

TEST_CASE("A hub that goes quiet trips the low-speed limit as stalled", "[net]") {
  RawServer silent(RawServer::Mode::Silent);
  CurlTransportOptions options;
  options.base_url = "http://" + silent.address();
  options.low_speed_limit_bytes = 1000;
  options.low_speed_time_s = 1;
  options.total_timeout_ms = 20'000;
  auto transport = make_curl_transport(options);
  const auto start = Clock::now();
  auto response = transport->exchange(post("/v1/push", "x"));
  const double elapsed = seconds_since(start);
  REQUIRE_FALSE(response.is_ok());
  INFO(response.status().to_string());
  CHECK(response.status().kind() == ErrorKind::Network);
  CHECK(response.status().code() == "stalled");
  CHECK(elapsed < 5.0);
}

TEST_CASE("A hub that hangs up mid-answer is a network error with code reset", "[net]") {
  RawServer half(RawServer::Mode::HalfResponse);
  auto transport = transport_to(half.address());
  auto response = transport->exchange(post("/v1/pull", "x"));
  REQUIRE_FALSE(response.is_ok());
  INFO(response.status().to_string());
  CHECK(response.status().kind() == ErrorKind::Network);
  CHECK(response.status().code() == "reset");
  CHECK(transport->bytes_received() > 0);  // the half answer was still counted
}

TEST_CASE("stop() returns quickly with idle keep-alive connections open", "[net]") {
  auto server = start_server({}, [](const HttpRequest&, const std::string&) { return ok_response(); });
  auto transport = transport_to(server->address());
  REQUIRE(transport->exchange(post("/v1/ping")).is_ok());  // curl keeps this connection open
  RawClient idle(server->port());                           // and this one never sends a byte
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  const auto start = Clock::now();
  server->stop();
  const double elapsed = seconds_since(start);
  CHECK(elapsed < 2.0);
  bool closed = false;
  idle.read_until_closed(std::chrono::seconds(2), closed);
  CHECK(closed);
  server->stop();  // idempotent
}

TEST_CASE("A connection idle past idle_timeout is closed", "[net]") {
  HttpServerOptions options;
  options.idle_timeout = std::chrono::seconds(1);
  auto server = start_server(options, [](const HttpRequest&, const std::string&) { return ok_response(); });
  RawClient idle(server->port());
  idle.send("POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");  // then trickles nothing
  const auto start = Clock::now();
  bool closed = false;
  idle.read_until_closed(std::chrono::seconds(5), closed);
  CHECK(closed);
  CHECK(seconds_since(start) < 3.0);
  server->stop();
}

TEST_CASE("Connections beyond max_connections are refused with 503", "[net]") {
  HttpServerOptions options;
  options.max_connections = 2;
  auto server = start_server(options, [](const HttpRequest&, const std::string&) { return ok_response(); });
  RawClient first(server->port());
  RawClient second(server->port());
  RawClient third(server->port());
  bool closed = false;
  const std::string answer = third.read_until_closed(std::chrono::seconds(5), closed);
  CHECK(closed);
  CHECK(answer.rfind("HTTP/1.1 503", 0) == 0);
  CHECK(server->connections_accepted() == 3);
  server->stop();
}

TEST_CASE("Handler calls are never concurrent", "[net]") {
  std::atomic<bool> inside{false};
  std::atomic<int> overlaps{0};
  std::atomic<int> calls{0};
  auto server = start_server({}, [&](const HttpRequest& request, const std::string&) {
    if (inside.exchange(true)) ++overlaps;
    ++calls;
    std::this_thread::sleep_for(std::chrono::microseconds(200));  // widen any window
    inside.store(false);
    return ok_response(request.body);
  });
  constexpr int kPerThread = 150;
  std::atomic<int> failures{0};
  auto hammer = [&](int id) {
    auto transport = transport_to(server->address());
    for (int i = 0; i < kPerThread; ++i) {
      const std::string body = std::to_string(id) + ":" + std::to_string(i);
      auto response = transport->exchange(post("/v1/push", body));
      if (!response.is_ok() || response->status != 200 || response->body != body) ++failures;
    }
  };
  std::thread a(hammer, 1);
  std::thread b(hammer, 2);
  a.join();
  b.join();
  server->stop();
  CHECK(failures == 0);
  CHECK(overlaps == 0);
  CHECK(calls == 2 * kPerThread);
}

TEST_CASE("A bad or busy listen address fails to start with a clear message", "[net]") {
  auto handler = [](const HttpRequest&, const std::string&) { return ok_response(); };
  for (const char* bad : {"127.0.0.1", "127.0.0.1:99999", "hub.example:80", "::1:80", "127.0.0.1:x"}) {
    HttpServerOptions options;
    options.listen = bad;
    auto server = HttpServer::start(options, handler);
    INFO(bad);
    REQUIRE_FALSE(server.is_ok());
    CHECK(server.status().kind() == ErrorKind::Validation);
    CHECK(server.status().message().find(bad) != std::string::npos);
  }
  auto first = start_server({}, handler);
  HttpServerOptions again;
  again.listen = first->address();
  auto second = HttpServer::start(again, handler);
  REQUIRE_FALSE(second.is_ok());
  INFO(second.status().to_string());
  CHECK(second.status().kind() == ErrorKind::Network);
  CHECK(second.status().code() == "listen");
  CHECK(second.status().message().find("in use") != std::string::npos);
  first->stop();
}

}  // namespace hallsync
