// Direct and HTTP transports for the sync benchmark.
#include "tools/bench/bench_transport.h"

#include "sync/net/http_server.h"

namespace hallsync {
namespace {

// Hands requests to the hub object; counts body bytes only (no headers exist).
class DirectTransport final : public Transport {
 public:
  explicit DirectTransport(hub::HubService& hub) : hub_(&hub) {}
  Result<HttpResponse> exchange(const HttpRequest& request) override {
    sent_ += request.body.size();
    HttpResponse r = hub_->handle(request, "direct");
    received_ += r.body.size();
    return r;
  }
  std::uint64_t bytes_sent() const override { return sent_; }
  std::uint64_t bytes_received() const override { return received_; }

 private:
  hub::HubService* hub_;
  std::uint64_t sent_ = 0, received_ = 0;
};

// The hub's real HTTP server on 127.0.0.1 and the production curl client:
// bytes are what crosses the socket, headers included.
class HttpTransport final : public Transport {
 public:
  HttpTransport(std::unique_ptr<net::HttpServer> server, std::unique_ptr<Transport> client)
      : server_(std::move(server)), client_(std::move(client)) {}
  Result<HttpResponse> exchange(const HttpRequest& request) override { return client_->exchange(request); }
  std::uint64_t bytes_sent() const override { return client_->bytes_sent(); }
  std::uint64_t bytes_received() const override { return client_->bytes_received(); }

 private:
  std::unique_ptr<net::HttpServer> server_;
  std::unique_ptr<Transport> client_;
};

}  // namespace

Result<std::unique_ptr<Transport>> make_bench_transport(const std::string& mode, hub::HubService& hub) {
  if (mode == "direct") return std::unique_ptr<Transport>(new DirectTransport(hub));
  if (mode != "http") return Status::validation("transport is 'direct' or 'http', not '" + mode + "'");
  HALLSYNC_ASSIGN_OR_RETURN(auto server, net::HttpServer::start({}, [&hub](const HttpRequest& r, const std::string& peer) {
                              return hub.handle(r, peer);
                            }));
  CurlTransportOptions options;
  options.base_url = "http://" + server->address();
  auto client = make_curl_transport(options);
  return std::unique_ptr<Transport>(new HttpTransport(std::move(server), std::move(client)));
}

}  // namespace hallsync
