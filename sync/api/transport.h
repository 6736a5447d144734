// Transport: moves one HTTP request to the hub and brings back its response.
// The sync engine never calls libcurl directly; tests plug in a loopback hub
// or a faulty transport instead.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sync/api/result.h"

namespace hallsync {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive lookup of a header's value; empty if absent.
std::string find_header(const HeaderList& headers, std::string_view name);

struct HttpRequest {
  std::string method = "POST";
  std::string target;  // path and query, e.g. "/v1/push"
  HeaderList headers;
  std::string body;
  long timeout_ms = 0;  // whole exchange; 0 = the transport's default (a quick probe sets less)
  std::string header_value(std::string_view name) const { return find_header(headers, name); }
};

struct HttpResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
  // Case-insensitive header lookup; empty if absent (defined inline: no .cc needed).
  std::string header(std::string_view name) const { return find_header(headers, name); }
};

class Transport {
 public:
  virtual ~Transport() = default;
  // A response of any HTTP status is a success here; only failing to get one
  // is an error: Network (code "dns", "connect", "timeout", "reset", "stalled",
  // "cancelled") or Tls (code "tls_verify", "tls_clock", "tls_handshake").
  virtual Result<HttpResponse> exchange(const HttpRequest& request) = 0;
  // Bytes sent and received on the wire so far (headers included).
  virtual std::uint64_t bytes_sent() const = 0;
  virtual std::uint64_t bytes_received() const = 0;
};

struct CurlTransportOptions {
  std::string base_url;            // e.g. "https://hub.example:8443"
  long connect_timeout_ms = 10'000;
  long low_speed_limit_bytes = 50; // below this many bytes/s ...
  long low_speed_time_s = 30;      // ... for this long, the transfer is stalled
  long total_timeout_ms = 300'000;
  std::string ca_file;             // extra CA bundle; empty = system store
  std::string pinned_public_key;   // optional "sha256//..." pin
  // Polled about once a second during a transfer with the bytes it has moved
  // so far (up plus down); returning false abandons the transfer, which then
  // fails as Network "cancelled" (a watchdog or a stopping daemon decides).
  std::function<bool(std::uint64_t bytes_moved)> keep_going;
};

std::unique_ptr<Transport> make_curl_transport(const CurlTransportOptions& options);

}  // namespace hallsync
