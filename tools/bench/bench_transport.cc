// Direct and HTTP transports for the sync benchmark.
#include "tools/bench/bench_transport.h"

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

}  // namespace

Result<std::unique_ptr<Transport>> make_bench_transport(const std::string& mode, hub::HubService& hub) {
  if (mode == "direct") return std::unique_ptr<Transport>(new DirectTransport(hub));
  return Status::validation("transport '" + mode + "' is not available in this build");
}

}  // namespace hallsync
