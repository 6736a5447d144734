// HttpServer: the hub's HTTP/1.1 listener (Boost.Beast over Asio), over TLS
// when a certificate is configured, else plain TCP. One background thread runs one io_context; every connection is a
// session on that thread. By default the RequestHandler runs on that thread
// too, so serially — never two calls at once — which the single-writer SQLite
// store behind the hub relies on; with `workers` it runs on that many threads
// at once (a hub on PostgreSQL, one database connection per worker).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sync/api/result.h"
#include "sync/api/transport.h"

namespace hallsync::net {

// Called on the server thread, one call at a time (or, with workers, on a
// worker thread, up to `workers` calls at once). A handler that throws gets
// the client a 500 and the server goes on serving. It must not call stop().
// `peer_address` is the client's "ip:port" ("[v6]:port" for IPv6).
using RequestHandler = std::function<HttpResponse(const HttpRequest& request, const std::string& peer_address)>;

// The server's certificate: PEM files, the chain (leaf first, then any
// intermediates) and its private key. Both empty = plain HTTP.
struct TlsServerConfig {
  std::string certificate_chain_file;
  std::string private_key_file;
  bool enabled() const { return !certificate_chain_file.empty() || !private_key_file.empty(); }
};

struct HttpServerOptions {
  // "host:port" with a literal IPv4 address, "[v6]:port", or "localhost:port";
  // port 0 picks a free port (see HttpServer::port()).
  std::string listen = "127.0.0.1:0";
  // A larger request body gets 413 with a short JSON error; the handler is not called.
  std::size_t max_body_bytes = 16 * 1024 * 1024;
  // A connection idle (or trickling one request) this long is closed.
  std::chrono::seconds idle_timeout{60};
  // Connections beyond this are answered 503 and closed at once.
  std::size_t max_connections = 256;
  // 0: the handler runs on the server thread, one call at a time. N > 0: on N
  // worker threads; requests wait in a queue of at most `max_queued`, and one
  // that finds it full is answered 503 `hub_busy` at once (a device retries
  // later), so an overloaded hub neither buffers without bound nor lets
  // requests wait longer than the queue takes to drain.
  std::size_t workers = 0;
  std::size_t max_queued = 1024;
  // Receives one English line per handler failure (the exception's text),
  // which the client only sees as a bare 500; empty = not reported.
  std::function<void(const std::string& line)> error_log;
  // TLS 1.2 or newer only, with OpenSSL's default ciphers for that level.
  TlsServerConfig tls;
};

class HttpServer {
 public:
  // Binds, listens and starts serving on a background thread. Fails with
  // Validation for a bad listen string, Network (code "listen") when the
  // address cannot be bound (e.g. already in use), Tls (code "tls_config")
  // when the certificate or key cannot be loaded or do not match.
  static Result<std::unique_ptr<HttpServer>> start(HttpServerOptions options, RequestHandler handler);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();  // calls stop()

  std::uint16_t port() const;
  // The bound address, e.g. "127.0.0.1:8443" or "[::1]:8443".
  std::string address() const;

  // Stops accepting, closes every connection (idle keep-alive ones too) and
  // joins the threads; returns once the running handler calls have finished
  // (queued requests are dropped unanswered).
  // Idempotent. Must not be called from inside the handler.
  void stop();

  // Connections accepted since start (including ones refused with 503); for
  // tests and diagnostics. Safe from any thread.
  std::uint64_t connections_accepted() const;
  // Requests answered 503 hub_busy because the worker queue was full.
  std::uint64_t requests_refused_busy() const;

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hallsync::net
