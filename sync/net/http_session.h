// Internal to sync/net: what HttpServer shares with its per-connection
// sessions, and the entry points that start a session on an accepted socket.
// Everything here runs on the server's one thread.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "sync/net/handler_pool.h"
#include "sync/net/http_server.h"

namespace hallsync::net::detail {

// A live connection that the server closes when it stops.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void close() = 0;
};

// Server state shared with sessions. Touched only on the server thread, or by
// HttpServer::stop() after that thread has been joined — so it needs no lock;
// except `options`, `handler` and `pool`, set before the server starts and
// then only read (workers call the handler), and the atomic counter.
struct ServerShared {
  HttpServerOptions options;
  RequestHandler handler;
  std::unique_ptr<HandlerPool> pool;  // null: handlers run on the server thread
  std::atomic<std::uint64_t> refused_busy{0};
  std::uint64_t next_id = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections;
};

// Serves HTTP/1.1 with keep-alive on an accepted plain-TCP socket until the
// peer leaves, idles out, or the server stops.
void start_plain_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerShared> shared);

// The same over TLS: the handshake first (bounded by the idle timeout), then
// the same session. `tls` is the server's context and outlives the session.
void start_tls_session(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls,
                       std::shared_ptr<ServerShared> shared);

// Loads the certificate chain and key into a TLS 1.2+ server context.
Result<std::unique_ptr<boost::asio::ssl::context>> make_tls_context(const TlsServerConfig& config);

// Answers 503 and closes: the server already holds max_connections.
void refuse_connection(boost::asio::ip::tcp::socket socket);

// "1.2.3.4:5" or "[::1]:5".
std::string endpoint_string(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace hallsync::net::detail
