// The signing primitives both ends share: the key derivation, the canonical
// string and what a signature covers (sync/PROTOCOL.md, Request authentication).
#include <catch2/catch.hpp>

#include "sync/api/request_signing.h"

namespace hallsync {

TEST_CASE("The request key is HMAC-SHA256 of the label keyed by the token", "[auth]") {
  // Python: hmac.new(b"tok", b"hallsync-request-key-v1", hashlib.sha256).hexdigest()
  CHECK(request_key("tok") == "1450a43781e57a4fc97823df111790438d12f816761a9de403ad6e89e93363c9");
  CHECK(request_key("tok") != request_key("tok2"));
}

TEST_CASE("Changing any signed part of a request invalidates its signature", "[auth]") {
  DeviceCredentials device{"360704100-W01", "secret-token"};
  std::string key = request_key(device.token);
  HttpRequest base;
  base.target = "/v1/blobs/chunk";
  base.headers = {{"Content-Type", "application/octet-stream"}, {"X-Hallsync-Protocol", "2"},
                  {"X-Hallsync-Blob", std::string(64, 'a')}, {"X-Hallsync-Offset", "0"}};
  base.body = "bytes";
  sign_request(base, device, key, 1'790'000'000'000);
  SignedHeaders h = read_signed_headers(base);
  REQUIRE(h.error.empty());
  CHECK(h.nonce.size() == 32);
  CHECK(signature_matches(base, h, key));
  CHECK_FALSE(signature_matches(base, h, request_key("other-token")));

  auto altered = [&](auto change) {
    HttpRequest r = base;
    change(r);
    SignedHeaders hr = read_signed_headers(r);
    return hr.error.empty() && signature_matches(r, hr, key);
  };
  CHECK_FALSE(altered([](HttpRequest& r) { r.method = "PUT"; }));
  CHECK_FALSE(altered([](HttpRequest& r) { r.target = "/v1/blobs/read"; }));
  CHECK_FALSE(altered([](HttpRequest& r) { r.body += "x"; }));
  for (const char* name : {"X-Hallsync-Device", "X-Hallsync-Timestamp", "X-Hallsync-Offset", "X-Hallsync-Blob",
                           "X-Hallsync-Protocol", "Content-Type"}) {
    INFO(name);
    CHECK_FALSE(altered([&](HttpRequest& r) {
      for (auto& [k, v] : r.headers)
        if (k == name) v = v == "1" ? "2" : "1";
    }));
  }
  CHECK_FALSE(altered([](HttpRequest& r) {
    for (auto& [k, v] : r.headers)
      if (k == "X-Hallsync-Nonce") v = std::string(32, '0');
  }));
  // Signing again gives a fresh nonce, and replaces the headers rather than adding more.
  HttpRequest again = base;
  sign_request(again, device, key, 1'790'000'000'000);
  CHECK(read_signed_headers(again).nonce != h.nonce);
  CHECK(again.headers.size() == base.headers.size());
}

TEST_CASE("Missing or malformed signing headers are named", "[auth]") {
  HttpRequest r;
  CHECK_FALSE(read_signed_headers(r).error.empty());
  r.headers = {{"X-Hallsync-Device", "360704100-W01"}, {"Authorization", "HMAC-SHA256 " + std::string(64, 'a')},
               {"X-Hallsync-Nonce", std::string(32, 'b')}, {"X-Hallsync-Timestamp", "12x"}};
  CHECK(read_signed_headers(r).error.find("timestamp") != std::string::npos);
  r.headers[3].second = "12";
  r.headers[2].second = "short";
  CHECK(read_signed_headers(r).error.find("nonce") != std::string::npos);
  r.headers[2].second = std::string(32, 'b');
  CHECK(read_signed_headers(r).error.empty());
}

}  // namespace hallsync
