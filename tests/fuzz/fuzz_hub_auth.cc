// Fuzz target: the hub's front door for requests from the network before
// and after authentication — the signing headers (device, timestamp, nonce,
// Authorization: HMAC or Bearer), the one-time enrollment body, and, with a
// correctly signed request from a registered device, the compressed message
// behind it. Every request must get an HTTP answer without crashing; the
// hub's store is real (one for the whole run, in a directory removed at exit).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "client/domain/case_policy.h"
#include "sync/api/clock.h"
#include "sync/api/request_signing.h"
#include "sync/hub/hub_service.h"
#include "tests/fuzz/fuzz_input.h"

using namespace hallsync;

namespace {

struct Hub {
  std::filesystem::path dir;
  ManualClock clock{1789696800000};  // 2026-09-18 10:00 China time
  client::HallCasePolicy policy;
  std::unique_ptr<hub::HubService> service;
  std::string device = "360704100-W01", key, code;
  long nonce = 0;

  Hub() {
    char tmpl[] = "/tmp/hallsync-fuzz-hub-XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    dir = tmpl;
    auto s = hub::HubService::open(dir.string(), clock, policy);
    if (!s) std::abort();
    service = std::move(s).value();
    if (!service->add_hall("360704100", "梅林镇").is_ok()) std::abort();
    auto token = service->add_device("360704100", "W01");
    if (!token) std::abort();
    key = request_key(*token);
    auto c = service->issue_enrollment_code("360704100", "W02", 24LL * 3600 * 1000);
    if (!c) std::abort();
    code = *c;
  }
  ~Hub() {
    service.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

const char* const kTargets[] = {"/v1/enroll", "/v1/push", "/v1/pull", "/v1/digests", "/v1/repush",
                                "/v1/blobs/offer", "/v1/blobs/chunk", "/v1/blobs/read"};

// 32 lowercase hex digits, never used before in this run.
std::string fresh_nonce(long n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%032lx", n);
  return buf;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Hub hub;
  fuzz::FuzzInput in(data, size);
  const std::uint8_t choice = in.byte();
  HttpRequest request;
  request.method = (choice & 0x80) ? "GET" : "POST";
  request.target = kTargets[choice % std::size(kTargets)];
  request.headers.push_back({protocol::kVersionHeader, (choice & 0x40) ? "2" : in.field(4)});
  request.headers.push_back({"Content-Type", "application/x-hallsync"});
  const std::uint8_t auth = in.byte();
  const std::string device = (auth & 1) ? hub.device : in.field(40);
  const std::string timestamp = (auth & 2) ? std::to_string(hub.clock.now_ms()) : in.field(24);
  const std::string nonce = (auth & 4) ? fresh_nonce(++hub.nonce) : in.field(40);
  const std::string claimed = in.field(80);
  if (request.target == "/v1/enroll") {
    // Half the time the real code, so a body can also redeem it (once).
    request.body = (auth & 8) ? "{\"code\":\"" + hub.code + "\"}" : in.rest();
  } else {
    std::string message = in.rest();
    request.body = (auth & 8) ? protocol::compress(message, protocol::kCurrentVersion) : message;
  }
  if (auth & 16) {
    // A correct signature: the request reaches the decoders behind authentication.
    request.headers.push_back({kDeviceHeader, device});
    request.headers.push_back({kTimestampHeader, timestamp});
    request.headers.push_back({kNonceHeader, nonce});
    std::int64_t ts = std::strtoll(timestamp.c_str(), nullptr, 10);
    request.headers.push_back(
        {"Authorization", std::string(kSignatureScheme) + request_signature(hub.key, request, device, ts, nonce)});
  } else {
    request.headers.push_back({kDeviceHeader, device});
    request.headers.push_back({kTimestampHeader, timestamp});
    request.headers.push_back({kNonceHeader, nonce});
    request.headers.push_back({"Authorization", ((auth & 32) ? "Bearer " : "HMAC-SHA256 ") + claimed});
  }
  HttpResponse response = hub.service->handle(request, "127.0.0.1:1");
  if (response.status < 200 || response.status > 599) std::abort();
  return 0;
}
