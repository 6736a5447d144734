// Request signing, both ends' shared part: key derivation, the canonical
// string, the MAC, reading the headers back; and the device's signer with its
// one-time answers to a stale timestamp or a hub row that predates signing.
#include "sync/api/request_signing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <strings.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "sync/api/blob_store.h"

namespace hallsync {
namespace {

constexpr std::string_view kKeyLabel = "hallsync-request-key-v1";
constexpr std::string_view kCanonicalTag = "HALLSYNC-HMAC-SHA256-V1";
// Headers that change what a request does besides its body: signed too, so a
// chunk's offset or a repair's epoch cannot be altered in flight.
constexpr const char* kSignedHeaders[] = {"Content-Type", "X-Hallsync-Protocol", "X-Hallsync-Blob", "X-Hallsync-Offset",
                                          "X-Hallsync-Expected-Epoch"};

std::string to_hex(const unsigned char* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  s.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

bool is_lower_hex(std::string_view s) { return s.find_first_not_of("0123456789abcdef") == std::string_view::npos; }

std::string from_hex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) {
    auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    out += static_cast<char>(nib(h[i]) << 4 | nib(h[i + 1]));
  }
  return out;
}

std::string hmac_hex(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return to_hex(out, len);
}

void set_header(HeaderList& headers, const std::string& name, std::string value) {
  std::erase_if(headers, [&](const auto& h) { return strcasecmp(h.first.c_str(), name.c_str()) == 0; });
  headers.emplace_back(name, std::move(value));
}

}  // namespace

std::string random_hex(std::size_t bytes) {
  std::string b(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(b.data()), static_cast<int>(b.size())) != 1) std::abort();
  return to_hex(reinterpret_cast<const unsigned char*>(b.data()), b.size());
}

std::string request_key(std::string_view token) { return hmac_hex(token, kKeyLabel); }

std::string canonical_request(const HttpRequest& request, std::string_view device_id, std::int64_t timestamp_ms,
                              std::string_view nonce) {
  std::string s;
  s.append(kCanonicalTag).append("\n");
  s.append(request.method).append("\n");
  s.append(request.target).append("\n");
  s.append(device_id).append("\n");
  s.append(std::to_string(timestamp_ms)).append("\n");
  s.append(nonce).append("\n");
  for (const char* name : kSignedHeaders) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    s.append(lower).append(":").append(request.header_value(name)).append("\n");
  }
  s.append(sha256_hex(request.body));
  return s;
}

std::string request_signature(std::string_view key_hex, const HttpRequest& request, std::string_view device_id,
                              std::int64_t timestamp_ms, std::string_view nonce) {
  return hmac_hex(from_hex(key_hex), canonical_request(request, device_id, timestamp_ms, nonce));
}

void sign_request(HttpRequest& request, const DeviceCredentials& credentials, std::string_view key_hex,
                  std::int64_t timestamp_ms) {
  std::string nonce = random_hex(16);  // 128 bits
  set_header(request.headers, kDeviceHeader, credentials.device_id);
  set_header(request.headers, kTimestampHeader, std::to_string(timestamp_ms));
  set_header(request.headers, kNonceHeader, nonce);
  std::erase_if(request.headers, [](const auto& h) { return strcasecmp(h.first.c_str(), kKeyUpgradeHeader) == 0; });
  set_header(request.headers, "Authorization",
             std::string(kSignatureScheme) +
                 request_signature(key_hex, request, credentials.device_id, timestamp_ms, nonce));
}

SignedHeaders read_signed_headers(const HttpRequest& request) {
  SignedHeaders h;
  h.device_id = request.header_value(kDeviceHeader);
  std::string auth = request.header_value("Authorization");
  if (h.device_id.empty()) {
    h.error = "the request names no device (" + std::string(kDeviceHeader) + ")";
    return h;
  }
  if (auth.rfind("Bearer ", 0) == 0) {
    h.bearer = true;
    h.bearer_token = auth.substr(7);
    return h;
  }
  if (auth.rfind(kSignatureScheme, 0) != 0) {
    h.error = "the request carries no HMAC-SHA256 signature";
    return h;
  }
  h.signature = auth.substr(kSignatureScheme.size());
  h.nonce = request.header_value(kNonceHeader);
  std::string ts = request.header_value(kTimestampHeader);
  auto [end, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), h.timestamp_ms);
  if (ts.empty() || ec != std::errc() || end != ts.data() + ts.size())
    h.error = "the request's timestamp is missing or not a number of milliseconds";
  else if (h.nonce.size() != 32 || !is_lower_hex(h.nonce))
    h.error = "the request's nonce is not 32 lowercase hex digits";
  else if (h.signature.size() != 64 || !is_lower_hex(h.signature))
    h.error = "the request's signature is not 64 lowercase hex digits";
  return h;
}

bool signature_matches(const HttpRequest& request, const SignedHeaders& signed_headers, std::string_view key_hex) {
  std::string expected =
      request_signature(key_hex, request, signed_headers.device_id, signed_headers.timestamp_ms, signed_headers.nonce);
  return signed_headers.signature.size() == expected.size() &&
         CRYPTO_memcmp(signed_headers.signature.data(), expected.data(), expected.size()) == 0;
}

RequestSigner::RequestSigner(DeviceCredentials credentials, const Clock& device_clock, std::int64_t learned_offset_ms)
    : credentials_(std::move(credentials)), key_hex_(request_key(credentials_.token)), clock_(&device_clock),
      offset_ms_(learned_offset_ms) {}

Result<HttpResponse> RequestSigner::exchange(Transport& transport, HttpRequest request, ExchangeTimes* times) {
  ExchangeTimes local;
  ExchangeTimes& t = times ? *times : local;
  bool offset_retried = false, replay_retried = false, bearer_sent = false;
  for (;;) {
    t.sent_ms = clock_->now_ms();
    sign_request(request, credentials_, key_hex_, t.sent_ms + offset_ms());
    auto res = transport.exchange(request);
    t.received_ms = clock_->now_ms();
    if (!res || res->status != 401) return res;
    auto j = nlohmann::json::parse(res->body, nullptr, false);
    std::string code = j.is_object() && j.contains("code") && j["code"].is_string() ? j["code"].get<std::string>() : "";
    if (code == "stale_request" && !offset_retried && j.contains("server_time_ms") &&
        j["server_time_ms"].is_number_integer()) {
      // Our corrected clock is outside the hub's window: the hub's time in the
      // refusal is a fresh offset sample (midpoint of the round trip).
      offset_retried = true;
      learn_offset(j["server_time_ms"].get<std::int64_t>() - (t.sent_ms + t.received_ms) / 2);
      continue;
    }
    if (code == "replayed_request" && !replay_retried) {
      // Our own nonce already reached the hub: the transport delivered this
      // request twice (libcurl resends a request whose reused connection died,
      // and the first copy may have arrived). Every endpoint is idempotent
      // (resends are the normal path), so a fresh signature is safe.
      replay_retried = true;
      continue;
    }
    if (code == "legacy_credentials" && !bearer_upgrade_allowed_.load())
      return Status::auth("the hub asked for this device's token, although it has accepted this device's signed "
                          "requests before: refused (the hub was restored from before the upgrade, or it is not the "
                          "real hub); re-enroll the device (`hallhub device add` or `hallhub enroll-code`)")
          .with_code("bearer_refused");
    if (code == "legacy_credentials" && !bearer_sent) {
      // The hub knows only the token's SHA-256: one request with the token
      // lets it store the derived key; from then on it refuses bearer tokens.
      bearer_sent = true;
      HttpRequest upgrade = request;
      std::erase_if(upgrade.headers, [](const auto& h) {
        return strcasecmp(h.first.c_str(), "Authorization") == 0 || strcasecmp(h.first.c_str(), kTimestampHeader) == 0 ||
               strcasecmp(h.first.c_str(), kNonceHeader) == 0;
      });
      upgrade.headers.emplace_back("Authorization", "Bearer " + credentials_.token);
      upgrade.headers.emplace_back(kKeyUpgradeHeader, "1");
      t.sent_ms = clock_->now_ms();
      res = transport.exchange(upgrade);
      t.received_ms = clock_->now_ms();
      return res;
    }
    return res;
  }
}

}  // namespace hallsync
