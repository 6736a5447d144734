// One HTTP/1.1 connection of the hub's server: reads requests with Beast,
// hands each to the RequestHandler (on the server thread, so serially, or to
// the worker pool) and writes the answer, keeping the connection alive while
// the client asks to.
// The session is a template over the stream: plain TCP or TLS over it.
#include "sync/net/http_session.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <exception>
#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>

namespace hallsync::net::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using BeastRequest = http::request<http::string_body>;
using BeastResponse = http::response<http::string_body>;

// How long a connection we are closing after an error answer may keep sending
// before we drop it: long enough for the client to read our answer.
constexpr std::chrono::seconds kLingerTime{2};

HttpResponse json_error(int status, std::string_view code, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = "{\"code\":\"" + std::string(code) + "\",\"message\":\"" + std::string(message) + "\"}";
  return r;
}

// Beast reports every parser complaint in its own http error category.
bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

HttpRequest to_request(BeastRequest& req) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  for (const auto& field : req) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  out.body = std::move(req.body());
  return out;
}

// Fills `out` from the handler's answer. Throws (std::invalid_argument from
// Beast) when the answer cannot be put on the wire; the caller sends 500.
void to_beast(const HttpResponse& in, unsigned version, bool keep_alive, BeastResponse& out) {
  if (in.status < 200 || in.status > 599)
    throw std::invalid_argument("handler returned HTTP status " + std::to_string(in.status));
  out = BeastResponse{};
  out.version(version);
  out.result(static_cast<unsigned>(in.status));
  for (const auto& [name, value] : in.headers) {
    // Framing and connection headers are ours to set; a handler's
    // "Connection: close" is honoured through keep_alive below.
    http::field f = http::string_to_field(name);
    if (f == http::field::content_length || f == http::field::transfer_encoding || f == http::field::server ||
        f == http::field::connection)
      continue;
    out.insert(name, value);
  }
  out.set(http::field::server, "hallsync");
  out.keep_alive(keep_alive && !beast::iequals(find_header(in.headers, "Connection"), "close"));
  out.body() = in.body;
  out.prepare_payload();
}

template <class Stream>
class Session final : public Connection, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, std::shared_ptr<ServerShared> shared, std::string peer)
      : stream_(std::move(stream)), shared_(std::move(shared)), peer_(std::move(peer)) {}
  ~Session() override { shared_->connections.erase(id_); }

  void start() {
    id_ = ++shared_->next_id;
    shared_->connections[id_] = this->weak_from_this();
    if constexpr (kTls) {
      // A client that connects and never says hello is dropped like an idle one.
      beast::get_lowest_layer(stream_).expires_after(shared_->options.idle_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->close();  // not TLS, or a certificate the client refused
                                self->do_read();
                              });
    } else {
      do_read();
    }
  }

  void close() override {
    beast::error_code ec;
    auto& socket = beast::get_lowest_layer(stream_).socket();
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(shared_->options.max_body_bytes);
    // The deadline covers the whole request, so a client trickling bytes
    // cannot hold the connection longer than an idle one.
    beast::get_lowest_layer(stream_).expires_after(shared_->options.idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec == http::error::body_limit)
      return send_error_and_close(json_error(413, "payload_too_large",
                                             "request body exceeds " +
                                                 std::to_string(shared_->options.max_body_bytes) + " bytes"));
    if (ec == http::error::header_limit)
      return send_error_and_close(json_error(431, "headers_too_large", "request headers are too large"));
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return shutdown_send();
    if (ec && is_parse_error(ec))
      return send_error_and_close(json_error(400, "bad_request", "malformed HTTP request"));
    if (ec) return close();  // timeout, reset, aborted: nobody to answer
    handle_request();
  }

  void handle_request() {
    BeastRequest& req = parser_->get();
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    HttpRequest request = to_request(req);
    if (!shared_->pool) {
      std::string what = request.method + " " + request.target;
      return respond(call_handler(*shared_, request, peer_), version, keep_alive, what);
    }
    // On a worker: the answer comes back to this session through its
    // executor (the server thread), which alone touches the stream. The job
    // moves its reference to the session into that completion, so the session
    // is never destroyed on a worker.
    std::function<void()> job = [self = this->shared_from_this(), request = std::move(request), version,
                                 keep_alive]() mutable {
      Answer answer = call_handler(*self->shared_, request, self->peer_);
      auto executor = self->stream_.get_executor();
      asio::post(executor, [self = std::move(self), answer = std::move(answer), version, keep_alive,
                            what = request.method + " " + request.target]() mutable {
        self->respond(std::move(answer), version, keep_alive, what);
      });
    };
    if (!shared_->pool->submit(job)) {
      shared_->refused_busy.fetch_add(1, std::memory_order_relaxed);
      HttpResponse busy = json_error(503, "hub_busy",
                                     "the hub has " + std::to_string(shared_->pool->max_queued()) +
                                         " requests waiting already; nothing was applied, retry shortly");
      busy.headers.emplace_back("Retry-After", "1");
      to_beast(busy, version, keep_alive, response_);
      do_write(/*linger=*/false);
    }
  }

  // The handler's answer, or what it threw.
  struct Answer {
    std::optional<HttpResponse> response;
    std::string failure;
  };

  static Answer call_handler(const ServerShared& shared, const HttpRequest& request, const std::string& peer) {
    Answer a;
    try {
      a.response = shared.handler(request, peer);
    } catch (const std::exception& e) {
      a.failure = e.what();
    } catch (...) {
      a.failure = "unknown exception";
    }
    return a;
  }

  void respond(Answer answer, unsigned version, bool keep_alive, const std::string& what) {
    if (!answer.response) {
      report("answering " + what + " failed: " + answer.failure);
      return send_internal_error(version, keep_alive);
    }
    try {
      to_beast(*answer.response, version, keep_alive, response_);
    } catch (const std::exception& e) {
      report("answering " + what + " failed: " + e.what());
      return send_internal_error(version, keep_alive);
    }
    do_write(/*linger=*/false);
  }

  // The handler threw or its answer could not be encoded: the client gets a
  // bare 500 and the connection stays usable (the request was read whole).
  void send_internal_error(unsigned version, bool keep_alive) {
    to_beast(json_error(500, "internal", "the hub failed to handle the request"), version, keep_alive, response_);
    do_write(/*linger=*/false);
  }

  void report(const std::string& line) {
    if (!shared_->options.error_log) return;
    try {
      shared_->options.error_log(line);
    } catch (...) {
      // A failing logger must not take the server thread down.
    }
  }

  // Answers an unreadable request and closes. The request body may still be
  // arriving, so we linger: closing with unread bytes would make the kernel
  // send RST and the client would see a reset instead of our answer.
  void send_error_and_close(const HttpResponse& error) {
    to_beast(error, 11, /*keep_alive=*/false, response_);
    do_write(/*linger=*/true);
  }

  void do_write(bool linger) {
    beast::get_lowest_layer(stream_).expires_after(shared_->options.idle_timeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::on_write, this->shared_from_this(), linger));
  }

  void on_write(bool linger, beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return close();
    if (linger) return drain_and_close();
    if (!response_.keep_alive()) return shutdown_send();
    do_read();
  }

  void shutdown_send() {
    if constexpr (kTls) {
      // close_notify first, so the client can tell our end from a cut link.
      beast::get_lowest_layer(stream_).expires_after(kLingerTime);
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->close(); });
    } else {
      beast::error_code ec;
      beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ec);
      // The socket closes when the last handler holding this session is gone.
    }
  }

  void drain_and_close() {
    if constexpr (kTls) return shutdown_send();  // a TLS peer's leftover bytes are records we cannot skip
    shutdown_send();
    beast::get_lowest_layer(stream_).expires_after(kLingerTime);
    drain_more();
  }

  void drain_more() {
    stream_.async_read_some(asio::buffer(drain_buffer_), [self = this->shared_from_this()](beast::error_code ec,
                                                                                            std::size_t) {
      if (ec) return self->close();  // EOF, timeout or reset: done either way
      self->drain_more();
    });
  }

  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Stream stream_;
  std::shared_ptr<ServerShared> shared_;
  std::string peer_;
  std::uint64_t id_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  BeastResponse response_;
  char drain_buffer_[4096];
};

}  // namespace

std::string endpoint_string(const tcp::endpoint& endpoint) {
  const std::string host = endpoint.address().to_string();
  const std::string port = std::to_string(endpoint.port());
  return endpoint.address().is_v6() ? "[" + host + "]:" + port : host + ":" + port;
}

void start_plain_session(tcp::socket socket, std::shared_ptr<ServerShared> shared) {
  beast::error_code ec;
  const tcp::endpoint remote = socket.remote_endpoint(ec);
  std::string peer = ec ? std::string("unknown") : endpoint_string(remote);
  auto session =
      std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), std::move(shared), std::move(peer));
  session->start();
}

void start_tls_session(tcp::socket socket, asio::ssl::context& tls, std::shared_ptr<ServerShared> shared) {
  beast::error_code ec;
  const tcp::endpoint remote = socket.remote_endpoint(ec);
  std::string peer = ec ? std::string("unknown") : endpoint_string(remote);
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;
  auto session = std::make_shared<Session<TlsStream>>(TlsStream(beast::tcp_stream(std::move(socket)), tls),
                                                      std::move(shared), std::move(peer));
  session->start();
}

Result<std::unique_ptr<asio::ssl::context>> make_tls_context(const TlsServerConfig& config) {
  const auto fail = [](const std::string& what, const beast::error_code& ec) {
    return Status::tls("cannot " + what + " (" + ec.message() + ")").with_code("tls_config");
  };
  if (config.certificate_chain_file.empty() || config.private_key_file.empty())
    return Status::tls("TLS needs both a certificate chain file and a private key file").with_code("tls_config");
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  beast::error_code ec;
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                       ec);
  if (ec) return fail("set the TLS options", ec);
  context->use_certificate_chain_file(config.certificate_chain_file, ec);
  if (ec) return fail("load the certificate chain " + config.certificate_chain_file, ec);
  context->use_private_key_file(config.private_key_file, asio::ssl::context::pem, ec);
  if (ec) return fail("load the private key " + config.private_key_file + " (or it does not match the certificate)", ec);
  return context;
}

void refuse_connection(tcp::socket socket) {
  static const std::string kBusy = [] {
    const std::string body = R"({"code":"busy","message":"the hub has too many connections"})";
    return "HTTP/1.1 503 Service Unavailable\r\nServer: hallhub\r\nContent-Type: application/json\r\n"
           "Connection: close\r\nRetry-After: 5\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  auto held = std::make_shared<tcp::socket>(std::move(socket));
  asio::async_write(*held, asio::buffer(kBusy), [held](beast::error_code, std::size_t) {
    beast::error_code ec;
    held->shutdown(tcp::socket::shutdown_both, ec);
    held->close(ec);
  });
}

}  // namespace hallsync::net::detail
