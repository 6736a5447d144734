// TLS between a hall and the hub, end to end over loopback: the hub's Beast
// server with a certificate from a test CA made at run time, the hall's curl
// transport verifying it. Every way the hall must refuse a hub — unknown CA,
// another host name, a certificate outside its validity, a wrong key pin —
// is a Tls error with a code a technician can act on, and the hub's handler
// never runs for it.
#include <catch2/catch.hpp>

#include <atomic>

#include "sync/api/transport.h"
#include "sync/net/http_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

namespace hallsync {
namespace {

using test::CertSpec;
using test::make_test_pki;
using test::TempDir;
using test::TestPki;

struct TlsHub {
  std::atomic<int> calls{0};
  std::unique_ptr<net::HttpServer> server;

  explicit TlsHub(const TestPki& pki) {
    net::HttpServerOptions options;
    options.tls = {pki.cert_file, pki.key_file};
    auto started = net::HttpServer::start(options, [this](const HttpRequest&, const std::string&) {
      ++calls;
      HttpResponse r;
      r.status = 200;
      r.body = "hub";
      return r;
    });
    INFO(started.status().to_string());
    REQUIRE(started.is_ok());
    server = std::move(started).value();
  }
  std::string url(const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(server->port());
  }
};

Result<HttpResponse> get(const std::string& base_url, const std::string& ca_file, const std::string& pin = "") {
  CurlTransportOptions o;
  o.base_url = base_url;
  o.ca_file = ca_file;
  o.pinned_public_key = pin;
  o.connect_timeout_ms = 5000;
  o.total_timeout_ms = 10000;
  HttpRequest r;
  r.method = "GET";
  r.target = "/v1/health";
  return make_curl_transport(o)->exchange(r);
}

void require_tls_refusal(const Result<HttpResponse>& r, const std::string& code, const std::string& words) {
  REQUIRE_FALSE(r.is_ok());
  INFO(r.status().to_string());
  CHECK(r.status().kind() == ErrorKind::Tls);
  CHECK(r.status().code() == code);
  CHECK(r.status().message().find(words) != std::string::npos);
}

}  // namespace

TEST_CASE("A hall that trusts the district CA reaches the hub over TLS by address and by name", "[tls]") {
  TempDir dir;
  TestPki pki = make_test_pki(dir.file(""));
  TlsHub hub(pki);
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    auto r = get(hub.url(host), pki.ca_file);
    INFO(host << ": " << r.status().to_string());
    REQUIRE(r.is_ok());
    CHECK(r->status == 200);
    CHECK(r->body == "hub");
  }
  CHECK(hub.calls == 2);
}

TEST_CASE("A hub whose certificate no trusted CA signed is refused before any request is sent", "[tls]") {
  TempDir dir;
  TestPki hub_pki = make_test_pki(dir.file("hub-"));
  TestPki other = make_test_pki(dir.file("other-"));
  TlsHub hub(hub_pki);
  require_tls_refusal(get(hub.url(), other.ca_file), "tls_verify", "not accepted");
  require_tls_refusal(get(hub.url(), ""), "tls_verify", "not accepted");  // the system store does not know it either
  CHECK(hub.calls == 0);
}

TEST_CASE("A hub certificate for another host name is refused", "[tls]") {
  TempDir dir;
  CertSpec elsewhere;
  elsewhere.subject_alt_names = "DNS:hub.other-district.example";
  TestPki pki = make_test_pki(dir.file(""), elsewhere);
  TlsHub hub(pki);
  require_tls_refusal(get(hub.url(), pki.ca_file), "tls_verify", "not accepted");
  CHECK(hub.calls == 0);
}

TEST_CASE("A certificate outside its validity by this PC's clock is refused with the clock named", "[tls][clock]") {
  TempDir dir;
  CertSpec expired;
  expired.valid_from_days = -400;
  expired.valid_until_days = -30;
  CertSpec future;
  future.valid_from_days = 30;
  future.valid_until_days = 400;
  for (const CertSpec& spec : {expired, future}) {
    TestPki pki = make_test_pki(dir.file(std::to_string(spec.valid_from_days) + "-"), spec);
    TlsHub hub(pki);
    auto r = get(hub.url(), pki.ca_file);
    require_tls_refusal(r, "tls_clock", "this PC's clock says 20");
    CHECK(r.status().message().find("set the clock") != std::string::npos);
    CHECK(hub.calls == 0);
  }
}

TEST_CASE("A pinned hub key is required on top of the CA and a wrong pin is refused", "[tls][pin]") {
  TempDir dir;
  TestPki pki = make_test_pki(dir.file(""));
  TestPki other = make_test_pki(dir.file("other-"));
  TlsHub hub(pki);
  auto pinned = get(hub.url(), pki.ca_file, test::public_key_pin(pki.cert_file));
  INFO(pinned.status().to_string());
  REQUIRE(pinned.is_ok());
  CHECK(pinned->status == 200);
  require_tls_refusal(get(hub.url(), pki.ca_file, test::public_key_pin(other.cert_file)), "tls_verify", "not accepted");
  CHECK(hub.calls == 1);
}

TEST_CASE("Plain HTTP to a TLS hub gets no answer from the handler", "[tls]") {
  TempDir dir;
  TestPki pki = make_test_pki(dir.file(""));
  TlsHub hub(pki);
  auto r = get("http://127.0.0.1:" + std::to_string(hub.server->port()), "");
  CHECK_FALSE(r.is_ok());
  CHECK(hub.calls == 0);
}

TEST_CASE("A hub whose certificate or key cannot be loaded does not start, and says which file", "[tls]") {
  TempDir dir;
  TestPki pki = make_test_pki(dir.file(""));
  TestPki other = make_test_pki(dir.file("other-"));
  struct Bad {
    net::TlsServerConfig config;
    std::string names;
  };
  for (const Bad& bad : {Bad{{dir.file("missing.pem"), pki.key_file}, "missing.pem"},
                         Bad{{pki.cert_file, dir.file("missing.key")}, "missing.key"},
                         Bad{{pki.cert_file, other.key_file}, "does not match"},
                         Bad{{pki.cert_file, ""}, "both"}}) {
    net::HttpServerOptions options;
    options.tls = bad.config;
    auto started = net::HttpServer::start(options, [](const HttpRequest&, const std::string&) { return HttpResponse{}; });
    REQUIRE_FALSE(started.is_ok());
    INFO(started.status().to_string());
    CHECK(started.status().kind() == ErrorKind::Tls);
    CHECK(started.status().code() == "tls_config");
    CHECK(started.status().message().find(bad.names) != std::string::npos);
  }
}

}  // namespace hallsync
