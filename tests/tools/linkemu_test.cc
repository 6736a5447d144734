// The mountain-link emulator really forwards, limits, cuts, stalls and refuses
// — proved by bytes received and the emulator's own counters, never by wall
// time — and sync over a link that cuts connections still converges.
#include <catch2/catch.hpp>

#include <boost/asio.hpp>
#include <chrono>
#include <thread>

#include "client/store/case_change_sink.h"
#include "sync/api/replicator.h"
#include "sync/net/http_server.h"
#include "tests/support/sync_world.h"
#include "tools/linkemu/link_emulator.h"

using namespace hallsync;
using namespace hallsync::linkemu;
using boost::asio::ip::tcp;

namespace {

// A target on 127.0.0.1 that serves one connection: echoes it back, or just
// counts what arrives until the peer closes.
class Target {
 public:
  explicit Target(bool echo) : acceptor_(io_, {boost::asio::ip::address_v4::loopback(), 0}) {
    thread_ = std::thread([this, echo] {
      tcp::socket s(io_);
      boost::system::error_code ec;
      acceptor_.accept(s, ec);
      if (ec) return;
      connected_ = true;
      char buf[8192];
      for (;;) {
        std::size_t n = s.read_some(boost::asio::buffer(buf), ec);
        if (ec) break;
        received_ += n;
        if (echo) boost::asio::write(s, boost::asio::buffer(buf, n), ec);
      }
      closed_ = true;
    });
  }
  ~Target() {
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    thread_.join();
  }
  std::uint16_t port() { return acceptor_.local_endpoint().port(); }
  std::size_t received() const { return received_; }
  bool closed() const { return closed_; }
  bool connected() const { return connected_; }

 private:
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<std::size_t> received_{0};
  std::atomic<bool> closed_{false}, connected_{false};
};

std::unique_ptr<LinkEmulator> emulate(std::uint16_t target_port, LinkProfile profile, std::uint64_t seed = 1) {
  EmulatorOptions o;
  o.target_port = target_port;
  o.profile = profile;
  o.seed = seed;
  auto e = LinkEmulator::start(o);
  REQUIRE(e.is_ok());
  return std::move(e).value();
}

tcp::socket connect_to(boost::asio::io_context& io, std::uint16_t port) {
  tcp::socket s(io);
  s.connect({boost::asio::ip::address_v4::loopback(), port});
  return s;
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  std::uint64_t state = 99;
  for (auto& c : s) c = static_cast<char>(next_random(state));
  return s;
}

// Waits for a condition the emulator's threads will make true; the limit is
// only there so a broken emulator fails instead of hanging.
template <typename F>
bool eventually(F done) {
  for (int i = 0; i < 2000 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return done();
}

std::size_t send_all_and_close(std::uint16_t port, std::size_t bytes) {
  boost::asio::io_context io;
  tcp::socket s = connect_to(io, port);
  boost::system::error_code ec;
  std::size_t n = boost::asio::write(s, boost::asio::buffer(pattern(bytes)), ec);
  s.shutdown(tcp::socket::shutdown_send, ec);
  char buf[256];
  while (!ec) s.read_some(boost::asio::buffer(buf), ec);  // until the emulator closes its side
  return n;
}

}  // namespace

TEST_CASE("Bytes cross the emulated link intact and in order, with latency and jitter", "[linkemu]") {
  Target echo(true);
  LinkProfile p;
  p.up = p.down = {2, 5, 0, 0, 0, false};
  auto link = emulate(echo.port(), p);
  boost::asio::io_context io;
  tcp::socket s = connect_to(io, link->port());
  std::string sent = pattern(300'000);
  std::string got(sent.size(), '\0');
  std::thread writer([&] { boost::asio::write(s, boost::asio::buffer(sent)); });
  boost::asio::read(s, boost::asio::buffer(got));
  writer.join();
  CHECK(got == sent);
  CHECK(link->counters().bytes_up == sent.size());
  // The writer counts just after its write returns, so possibly after our read did.
  CHECK(eventually([&] { return link->counters().bytes_down == sent.size(); }));
  CHECK(link->counters().delayed_chunks > 0);
}

TEST_CASE("A bandwidth cap makes the link wait for its token bucket — an uncapped link never does", "[linkemu]") {
  LinkProfile capped;
  capped.up.rate_bytes_per_s = 200'000;
  LinkCounters with_cap, without_cap;
  {
    Target sink(false);
    auto link = emulate(sink.port(), capped);
    send_all_and_close(link->port(), 60'000);
    REQUIRE(eventually([&] { return sink.closed(); }));
    CHECK(sink.received() == 60'000);
    with_cap = link->counters();
  }
  {
    Target sink(false);
    auto link = emulate(sink.port(), LinkProfile{});
    send_all_and_close(link->port(), 60'000);
    REQUIRE(eventually([&] { return sink.closed(); }));
    CHECK(sink.received() == 60'000);
    without_cap = link->counters();
  }
  // 60,000 bytes through a 10,000-byte bucket that starts empty: at least six waits.
  CHECK(with_cap.rate_waits >= 6);
  CHECK(without_cap.rate_waits == 0);
}

TEST_CASE("Cut after N bytes delivers exactly N bytes, then closes the connection", "[linkemu]") {
  Target sink(false);
  LinkProfile p;
  p.up.cut_after_bytes = 1234;
  auto link = emulate(sink.port(), p);
  send_all_and_close(link->port(), 10'000);
  REQUIRE(eventually([&] { return sink.closed(); }));
  CHECK(sink.received() == 1234);
  CHECK(link->counters().cuts == 1);
  CHECK(link->counters().bytes_up == 1234);
}

TEST_CASE("A stalled link forwards nothing more but keeps the connection open until the client gives up", "[linkemu]") {
  Target sink(false);
  LinkProfile p;
  p.up.stall_after_bytes = 100;
  auto link = emulate(sink.port(), p);
  boost::asio::io_context io;
  tcp::socket s = connect_to(io, link->port());
  boost::asio::write(s, boost::asio::buffer(pattern(1000)));
  REQUIRE(eventually([&] { return link->counters().stalls == 1; }));
  CHECK(eventually([&] { return sink.received() == 100; }));  // the sink may not have read them yet
  CHECK_FALSE(sink.closed());
  s.close();  // the client gives up
  REQUIRE(eventually([&] { return sink.closed(); }));
  CHECK(sink.received() == 100);
}

TEST_CASE("A refused connection is reset at once and never reaches the target", "[linkemu]") {
  Target sink(false);
  LinkProfile p;
  p.refuse_chance = 1.0;
  auto link = emulate(sink.port(), p);
  boost::asio::io_context io;
  tcp::socket s = connect_to(io, link->port());
  char c;
  boost::system::error_code ec;
  s.read_some(boost::asio::buffer(&c, 1), ec);
  CHECK(ec);
  CHECK(link->counters().refused == 1);
  CHECK_FALSE(sink.connected());
}

TEST_CASE("The fault schedule is a function of the seed: the same seed replays it, another changes it", "[linkemu]") {
  LinkProfile p;
  p.cut_chance = 0.3;
  p.stall_chance = 0.1;
  p.refuse_chance = 0.1;
  auto schedule = [&](std::uint64_t seed) {
    std::string s;
    for (std::uint64_t i = 0; i < 200; ++i) {
      ConnectionPlan c = plan_connection(p, seed, i);
      s += std::to_string(c.refuse) + "/" + std::to_string(c.up.cut_after_bytes) + "/" +
           std::to_string(c.down.cut_after_bytes) + "/" + std::to_string(c.up.stall_after_bytes) + ";";
    }
    return s;
  };
  CHECK(schedule(5) == schedule(5));
  CHECK(schedule(5) != schedule(6));
  CHECK(schedule(5).find("0/0/0/0") != std::string::npos);  // most connections are clean
}

TEST_CASE("A rule file scripts faults for chosen connections and refuses malformed lines by number", "[linkemu]") {
  auto rules = parse_rules("# replay of a failing run\n0 down cut=900 reset\n\n2 refuse\n3 up stall=10\n");
  REQUIRE(rules.is_ok());
  LinkProfile p;
  p.rules = *rules;
  ConnectionPlan first = plan_connection(p, 1, 0), second = plan_connection(p, 1, 1), third = plan_connection(p, 1, 2),
                 fourth = plan_connection(p, 1, 3);
  CHECK(first.down.cut_after_bytes == 900);
  CHECK(first.down.reset);
  CHECK(first.up.cut_after_bytes == 0);
  CHECK_FALSE(second.refuse);
  CHECK(second.down.cut_after_bytes == 0);
  CHECK(third.refuse);
  CHECK(fourth.up.stall_after_bytes == 10);
  auto bad = parse_rules("0 up cut=5\n1 sideways\n");
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().message().find("line 2") != std::string::npos);
}

TEST_CASE("A scripted cut of the response truncates it for the client at exactly that byte", "[linkemu]") {
  Target echo(true);
  LinkProfile p;
  p.rules = {{0, false, false, 700, 0, false}};  // connection 0, down, cut after 700 bytes
  auto link = emulate(echo.port(), p);
  boost::asio::io_context io;
  tcp::socket s = connect_to(io, link->port());
  boost::asio::write(s, boost::asio::buffer(pattern(5000)));
  std::string got;
  char buf[1024];
  boost::system::error_code ec;
  while (!ec) {
    std::size_t n = s.read_some(boost::asio::buffer(buf), ec);
    got.append(buf, n);
  }
  CHECK(got == pattern(5000).substr(0, 700));
  CHECK(link->counters().cuts == 1);
}

TEST_CASE("A hub answer cut at any byte before its end is a network error to the client, never a response", "[linkemu][net]") {
  const std::string body(300, 'x');
  auto server = net::HttpServer::start({}, [&body](const HttpRequest&, const std::string&) {
    HttpResponse r;
    r.status = 200;
    r.headers = {{"Content-Type", "application/x-hallsync"}};
    r.body = body;
    return r;
  });
  REQUIRE(server.is_ok());
  HttpRequest request;
  request.target = "/v1/anything";
  request.body = "hello";
  std::uint64_t whole = 0;
  {  // the answer's full size on the wire, through a clean link
    auto link = emulate((*server)->port(), LinkProfile{});
    CurlTransportOptions options;
    options.base_url = "http://" + link->address();
    auto transport = make_curl_transport(options);
    auto r = transport->exchange(request);
    REQUIRE(r.is_ok());
    CHECK(r->body == body);
    REQUIRE(eventually([&] { return link->counters().bytes_down > body.size(); }));
    whole = link->counters().bytes_down;
  }
  // Inside the status line, the headers (where curl alone would report an
  // empty 200) and the body.
  for (std::uint64_t cut = 1; cut < whole; cut += 3) {
    LinkProfile p;
    p.rules = {{0, false, false, cut, 0, false}};
    auto link = emulate((*server)->port(), p);
    CurlTransportOptions options;
    options.base_url = "http://" + link->address();
    auto transport = make_curl_transport(options);
    auto r = transport->exchange(request);
    INFO("cut after " << cut << " of " << whole << " bytes");
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().kind() == ErrorKind::Network);
  }
}

TEST_CASE("Sync through a link that cuts a third of its connections still converges", "[linkemu][sync]") {
  test::SyncWorld world;
  test::Device& window = world.add_device("360704100", "W01");
  test::Device& office = world.add_device("360704100", "W02");
  for (int i = 0; i < 40; ++i) world.register_case(window);
  auto server = net::HttpServer::start({}, [&world](const HttpRequest& r, const std::string& peer) {
    return world.hub().handle(r, peer);
  });
  REQUIRE(server.is_ok());
  LinkProfile p;
  p.cut_chance = 0.35;
  p.random_cut_window = 6000;
  auto link = emulate((*server)->port(), p, 2026);
  CurlTransportOptions options;
  options.base_url = "http://" + link->address();
  ReplicatorOptions small;
  small.push_batch_entries = 5;  // many requests, so many cut chances
  small.pull_page = 5;
  int failures = 0;
  for (test::Device* d : {&window, &office, &window, &office}) {
    auto transport = make_curl_transport(options);
    Replicator r(d->store->db(), *transport, *d->sink, world.clock(), d->credentials, small);
    bool done = false;
    for (int attempt = 0; attempt < 60 && !done; ++attempt) {
      auto s = r.sync();
      done = s.is_ok();
      if (!done) {
        ++failures;
        CHECK(s.status().kind() == ErrorKind::Network);
      }
    }
    REQUIRE(done);
  }
  CHECK(link->counters().cuts > 0);  // the faults really happened
  CHECK(failures > 0);
  (*server)->stop();
  world.require_converged();
  auto at_office = office.repo->list({});
  REQUIRE(at_office.is_ok());
  CHECK(at_office->size() == 40);
}
