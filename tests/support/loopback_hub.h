// LoopbackTransport: a Transport that hands requests straight to an in-process
// HubService, with scripted faults — fail before the hub sees the request, or
// lose the response after the hub has committed — so sync tests need no sockets.
#pragma once

#include <functional>
#include <random>

#include "sync/api/transport.h"
#include "sync/hub/hub_service.h"

namespace hallsync::test {

enum class Fault { None, FailBeforeSend, LoseResponse, ServerError };

class LoopbackTransport final : public Transport {
 public:
  explicit LoopbackTransport(hub::HubService& hub) : hub_(&hub) {}

  // Decides the fault for each request (in order); default none.
  std::function<Fault(const HttpRequest&)> fault_plan;
  // Rewrites a response before the client sees it (hostile-hub tests).
  std::function<void(HttpResponse&)> tamper;
  // The request being answered, so a tamper can forge a reply about what was sent.
  HttpRequest last_request;

  Result<HttpResponse> exchange(const HttpRequest& request) override {
    ++requests_;
    last_request = request;
    Fault f = fault_plan ? fault_plan(request) : Fault::None;
    sent_ += request.body.size() + 200;  // ~headers
    if (f == Fault::FailBeforeSend) return Status::network("injected: connection refused").with_code("connect");
    if (f == Fault::ServerError) {
      HttpResponse r;
      r.status = 503;
      r.body = "{\"code\":\"unavailable\",\"message\":\"injected\"}";
      return r;
    }
    HttpResponse r = hub_->handle(request, "loopback");
    if (f == Fault::LoseResponse) return Status::network("injected: connection reset after the hub answered").with_code("reset");
    if (tamper) tamper(r);
    received_ += r.body.size() + 150;
    return r;
  }
  std::uint64_t bytes_sent() const override { return sent_; }
  std::uint64_t bytes_received() const override { return received_; }
  int requests() const { return requests_; }

 private:
  hub::HubService* hub_;
  std::uint64_t sent_ = 0, received_ = 0;
  int requests_ = 0;
};

}  // namespace hallsync::test
