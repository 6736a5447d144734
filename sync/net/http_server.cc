// HttpServer: binds the listen address, accepts connections on one background
// thread and hands each to a session (http_session.cc), plain or TLS. Stopping closes the
// acceptor and every open connection so idle keep-alive clients cannot hold
// the hub's shutdown.
#include "sync/net/http_server.h"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <mutex>
#include <thread>
#include <vector>

#include "sync/net/http_session.h"

namespace hallsync::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// After an accept error other than shutdown (e.g. out of file descriptors)
// wait a little before trying again instead of spinning.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

Result<tcp::endpoint> parse_listen(const std::string& listen) {
  const auto bad = [&](const std::string& why) {
    return Status::validation("bad listen address \"" + listen + "\": " + why +
                              " (expected host:port, e.g. 127.0.0.1:8443 or [::1]:8443)");
  };
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad("no port");
  std::string host = listen.substr(0, colon);
  const std::string port_text = listen.substr(colon + 1);
  if (host.front() == '[') {
    if (host.back() != ']') return bad("unclosed [");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return bad("an IPv6 address must be written in brackets");
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
    return bad("port must be a number from 0 to 65535");
  if (host == "localhost") host = "127.0.0.1";
  error_code addr_ec;
  const asio::ip::address address = asio::ip::make_address(host, addr_ec);
  if (addr_ec) return bad("host must be an IP address or localhost");
  return tcp::endpoint(address, static_cast<std::uint16_t>(port));
}

}  // namespace

struct HttpServer::Impl {
  std::unique_ptr<asio::ssl::context> tls;  // null: plain HTTP; declared first, so it outlives every session
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  asio::steady_timer retry_timer{ioc};
  std::shared_ptr<detail::ServerShared> shared = std::make_shared<detail::ServerShared>();
  tcp::endpoint bound;
  std::atomic<std::uint64_t> accepted{0};
  std::thread thread;
  std::mutex stop_mutex;
  bool stopped = false;

  Status bind(const tcp::endpoint& endpoint) {
    const auto fail = [&](const char* step, const error_code& ec) {
      return Status::network("cannot listen on " + detail::endpoint_string(endpoint) + ": " + step + " failed (" +
                             ec.message() + ")")
          .with_code("listen");
    };
    error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (ec) return fail("open", ec);
    // Lets a restarted hub rebind at once while old connections sit in
    // TIME_WAIT; a live listener on the port still fails with "in use".
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) return fail("setsockopt", ec);
    acceptor.bind(endpoint, ec);
    if (ec) return fail("bind", ec);
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail("listen", ec);
    bound = acceptor.local_endpoint(ec);
    if (ec) return fail("getsockname", ec);
    return Status::ok();
  }

  void do_accept() {
    acceptor.async_accept([this](const error_code& ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
  }

  void on_accept(const error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      retry_timer.expires_after(kAcceptRetryDelay);
      retry_timer.async_wait([this](const error_code& wait_ec) {
        if (!wait_ec) do_accept();
      });
      return;
    }
    accepted.fetch_add(1, std::memory_order_relaxed);
    if (shared->connections.size() >= shared->options.max_connections) {
      detail::refuse_connection(std::move(socket));
    } else if (tls) {
      detail::start_tls_session(std::move(socket), *tls, shared);
    } else {
      detail::start_plain_session(std::move(socket), shared);
    }
    do_accept();
  }

  void run() {
    // Handlers catch their own exceptions; this loop only keeps a stray one
    // (a bug) from ending the thread while the server is meant to be up.
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        if (shared->options.error_log) shared->options.error_log(std::string("server loop: ") + e.what());
      } catch (...) {
        if (shared->options.error_log) shared->options.error_log("server loop: unknown exception");
      }
    }
  }
};

Result<std::unique_ptr<HttpServer>> HttpServer::start(HttpServerOptions options, RequestHandler handler) {
  if (!handler) return Status::internal("HttpServer::start needs a request handler");
  HALLSYNC_ASSIGN_OR_RETURN(const tcp::endpoint endpoint, parse_listen(options.listen));
  auto impl = std::make_unique<Impl>();
  if (options.tls.enabled()) {
    HALLSYNC_ASSIGN_OR_RETURN(impl->tls, detail::make_tls_context(options.tls));
  }
  if (options.workers > 0) {
    if (options.max_queued == 0) return Status::validation("max_queued must be at least 1 with worker threads");
    impl->shared->pool = std::make_unique<detail::HandlerPool>(options.workers, options.max_queued);
  }
  impl->shared->options = std::move(options);
  impl->shared->handler = std::move(handler);
  HALLSYNC_RETURN_IF_ERROR(impl->bind(endpoint));
  impl->do_accept();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { stop(); }

std::uint16_t HttpServer::port() const { return impl_->bound.port(); }

std::string HttpServer::address() const { return detail::endpoint_string(impl_->bound); }

std::uint64_t HttpServer::connections_accepted() const { return impl_->accepted.load(std::memory_order_relaxed); }

std::uint64_t HttpServer::requests_refused_busy() const {
  return impl_->shared->refused_busy.load(std::memory_order_relaxed);
}

void HttpServer::stop() {
  std::lock_guard<std::mutex> lock(impl_->stop_mutex);
  if (impl_->stopped) return;
  impl_->stopped = true;
  // Stopping the loop first (rather than posting a close) bounds stop() by the
  // handler call in progress, whatever the connections are doing.
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  // Running handler calls finish (their answers are posted to the stopped
  // loop and never written); waiting ones are dropped here.
  if (impl_->shared->pool) impl_->shared->pool->stop();
  // The server thread is gone, so this thread may now touch the sessions.
  error_code ec;
  impl_->acceptor.close(ec);
  impl_->retry_timer.cancel();
  // Collected first: a session whose last reference dies here unregisters
  // itself from the map, which must not happen while we iterate it.
  std::vector<std::shared_ptr<detail::Connection>> open;
  for (auto& [id, weak] : impl_->shared->connections)
    if (auto connection = weak.lock()) open.push_back(std::move(connection));
  for (auto& connection : open) connection->close();
}

}  // namespace hallsync::net
