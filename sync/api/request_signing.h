// Request signing (issue #7): a device proves each request with an HMAC over
// what it sends, keyed by a key derived from its token, so the token itself
// never travels and a captured request cannot be replayed. The device signs
// here (RequestSigner); the hub verifies with signature_matches and keeps
// the window and the nonce cache itself (sync/hub/hub_auth.cc).
// Normative description: sync/PROTOCOL.md, "Request authentication".
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "sync/api/clock.h"
#include "sync/api/transport.h"

namespace hallsync {

struct DeviceCredentials {
  std::string device_id;
  std::string token;
};

constexpr const char* kDeviceHeader = "X-Hallsync-Device";
constexpr const char* kTimestampHeader = "X-Hallsync-Timestamp";
constexpr const char* kNonceHeader = "X-Hallsync-Nonce";
// Sent only with a bearer token, by a device whose hub row predates signing:
// asks the hub to store the request key derived from that token (PROTOCOL.md).
constexpr const char* kKeyUpgradeHeader = "X-Hallsync-Key-Upgrade";
constexpr std::string_view kSignatureScheme = "HMAC-SHA256 ";
// A request is accepted only within this much of the hub's clock, either way.
constexpr std::int64_t kRequestWindowMs = 5 * 60 * 1000;

// `bytes` random bytes from OpenSSL's CSPRNG as lowercase hex (nonces, tokens,
// epochs). Aborts if the generator has no entropy: nothing safe can follow.
std::string random_hex(std::size_t bytes);

// HMAC-SHA256(token, "hallsync-request-key-v1") as 64 hex digits: what the hub
// stores and both ends key the request MAC with.
std::string request_key(std::string_view token);

// The exact text that is signed (PROTOCOL.md lists it line by line).
std::string canonical_request(const HttpRequest& request, std::string_view device_id, std::int64_t timestamp_ms,
                              std::string_view nonce);

// HMAC-SHA256(key, canonical_request) as 64 hex digits.
std::string request_signature(std::string_view key_hex, const HttpRequest& request, std::string_view device_id,
                              std::int64_t timestamp_ms, std::string_view nonce);

// Adds (or replaces) the device, timestamp, nonce and Authorization headers.
void sign_request(HttpRequest& request, const DeviceCredentials& credentials, std::string_view key_hex,
                  std::int64_t timestamp_ms);

// The four signing headers as the hub reads them; `error` names what is
// missing or malformed (then the request is unauthenticated).
struct SignedHeaders {
  std::string device_id, nonce, signature;
  std::int64_t timestamp_ms = 0;
  std::string error;
  bool bearer = false;  // Authorization: Bearer (a device enrolled before signing)
  std::string bearer_token;
};
SignedHeaders read_signed_headers(const HttpRequest& request);

// Constant-time comparison of the request's signature with the one `key_hex` gives.
bool signature_matches(const HttpRequest& request, const SignedHeaders& signed_headers, std::string_view key_hex);

// When the last attempt of a signed exchange left and its reply came back, on
// the device's own clock (for the offset estimate of the replicator).
struct ExchangeTimes {
  std::int64_t sent_ms = 0, received_ms = 0;
};

// A device's signer: its credentials, its own clock and the offset to the
// hub's clock it has learned (hub minus ours). Timestamps are on the device's
// clock corrected by that offset, so a PC whose clock is years off still signs
// within the hub's window once it has heard the hub's time.
class RequestSigner {
 public:
  RequestSigner(DeviceCredentials credentials, const Clock& device_clock, std::int64_t learned_offset_ms = 0);

  const DeviceCredentials& credentials() const { return credentials_; }
  std::int64_t offset_ms() const { return offset_ms_.load(); }
  // Atomic: a pull's next page is fetched on a worker thread while the session
  // thread learns the offset from the page before.
  void learn_offset(std::int64_t offset_ms) { offset_ms_.store(offset_ms); }
  // Once the hub has accepted this device's signatures, a hub that asks for
  // its token (legacy_credentials) is refused instead of answered: the real
  // hub holds the key, so that is a hub restored from before the upgrade or
  // not the real one, and the token must not go to it.
  void allow_bearer_upgrade(bool allowed) { bearer_upgrade_allowed_.store(allowed); }

  // Signs `request` (fresh nonce, corrected timestamp) and sends it. Two
  // refusals are answered once each, automatically:
  // - `stale_request` carrying the hub's time: the offset is learned from it
  //   and the request signed and sent again (a first sync of a PC years off);
  // - `replayed_request` for our own nonce: the transport delivered the
  //   request twice (libcurl resends on a reused connection that died); a
  //   fresh signature is safe, since every endpoint takes resends;
  // - `legacy_credentials` (the hub row predates signing): sent once with the
  //   bearer token and the key-upgrade header; the hub then stores the key
  //   (unless allow_bearer_upgrade(false): then auth/bearer_refused).
  Result<HttpResponse> exchange(Transport& transport, HttpRequest request, ExchangeTimes* times = nullptr);

 private:
  DeviceCredentials credentials_;
  std::string key_hex_;
  const Clock* clock_;
  std::atomic<std::int64_t> offset_ms_;
  std::atomic<bool> bearer_upgrade_allowed_{true};
};

}  // namespace hallsync
