// halld's LAN mode (#7): the hall's other PCs reach the web page over HTTPS
// only, from the hall's certificate, beside the loopback listener the PC's own
// tools use; the session cookie is Secure there; and every unsafe set-up —
// plain HTTP off loopback, LAN without a certificate, LAN without staff
// accounts — is refused at start with the fix in the message.
#include <catch2/catch.hpp>

#include "tests/support/halld_process.h"
#include "tests/support/test_certs.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {

const std::string kPassword = "Gx-2026-window";

Run halld_once(TempDir& dir) { return run_command({"timeout", "20", HALLD_BINARY, "--data-dir", dir.file("hall")}); }

void add_account(TempDir& dir) {
  Run add = run_command({"/bin/sh", "-c", "printf '%s\\n' " + shell_quote(kPassword) + " | " + shell_quote(HALL_BINARY) +
                                              " account add c001 --name 王小红 --data-dir " + shell_quote(dir.file("hall"))});
  INFO(add.out);
  REQUIRE(add.status == 0);
}

std::unique_ptr<Transport> client_for(const std::string& base_url, const std::string& ca_file = "") {
  CurlTransportOptions o;
  o.base_url = base_url;
  o.ca_file = ca_file;
  o.total_timeout_ms = 10'000;
  return make_curl_transport(o);
}

HttpRequest login_request() {
  HttpRequest r;
  r.method = "POST";
  r.target = "/api/login";
  r.headers = {{"Content-Type", "application/json"}};
  r.body = json{{"clerk_id", "c001"}, {"password", kPassword}}.dump();
  return r;
}

HttpRequest get(const std::string& target) {
  HttpRequest r;
  r.method = "GET";
  r.target = target;
  return r;
}

}  // namespace

TEST_CASE("halld refuses plain HTTP off loopback, a LAN listener without a certificate and LAN mode without accounts",
          "[e2e][halld][lan]") {
  TempDir dir;
  REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
  TestPki pki = make_test_pki(dir.file("pki"));

  write_file(dir.file("hall/halld.conf"), "listen = 0.0.0.0:8480\n");
  Run open_lan = halld_once(dir);
  CHECK(open_lan.status == 2);
  CHECK(open_lan.out.find("loopback only") != std::string::npos);
  CHECK(open_lan.out.find("lan_listen") != std::string::npos);

  write_file(dir.file("hall/halld.conf"), "lan_listen = 127.0.0.1:0\ntls_cert = " + pki.cert_file + "\n");
  Run no_key = halld_once(dir);
  CHECK(no_key.status == 2);
  CHECK(no_key.out.find("needs tls_cert and tls_key") != std::string::npos);

  write_file(dir.file("hall/halld.conf"), "tls_cert = " + pki.cert_file + "\ntls_key = " + pki.key_file + "\n");
  Run no_lan = halld_once(dir);
  CHECK(no_lan.status == 2);
  CHECK(no_lan.out.find("set lan_listen too") != std::string::npos);

  write_file(dir.file("hall/halld.conf"),
             "lan_listen = 127.0.0.1:0\ntls_cert = " + pki.cert_file + "\ntls_key = " + pki.key_file + "\n");
  Run no_accounts = halld_once(dir);
  CHECK(no_accounts.status == 2);
  CHECK(no_accounts.out.find("needs staff accounts") != std::string::npos);
  CHECK(no_accounts.out.find("hall account add") != std::string::npos);

  // A key that is not the certificate's: refused at start, not at the first client.
  TestPki other = make_test_pki(dir.file("pki-other"));
  add_account(dir);
  write_file(dir.file("hall/halld.conf"),
             "lan_listen = 127.0.0.1:0\ntls_cert = " + pki.cert_file + "\ntls_key = " + other.key_file + "\n");
  Run mismatched = halld_once(dir);
  CHECK(mismatched.status != 0);
  CHECK(mismatched.out.find("halld LAN listening") == std::string::npos);
}

TEST_CASE("In LAN mode the hall's other PCs get HTTPS with the hall's certificate, a sign-in and a Secure cookie",
          "[e2e][halld][lan]") {
  TempDir dir;
  REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
  add_account(dir);
  TestPki pki = make_test_pki(dir.file("pki"));
  write_file(dir.file("hall/halld.conf"), "sync_period_s = 3600\nlan_listen = 127.0.0.1:0\ntls_cert = " + pki.cert_file +
                                              "\ntls_key = " + pki.key_file + "\n");
  Halld halld{dir, nullptr, ""};
  halld.start();
  std::string lan_port = port_in(halld.process->wait_for("halld LAN listening on"), "halld LAN listening on");
  INFO(halld.process->log());
  REQUIRE_FALSE(lan_port.empty());
  CHECK(halld.process->log().find("halld LAN listening on 127.0.0.1:" + lan_port + " (TLS)") != std::string::npos);

  auto lan = client_for("https://127.0.0.1:" + lan_port, pki.ca_file);
  auto health = lan->exchange(get("/api/health"));
  REQUIRE(health.is_ok());
  CHECK(health->status == 200);
  auto cases = lan->exchange(get("/api/cases"));
  REQUIRE(cases.is_ok());
  CHECK(cases->status == 401);  // the case pages need a sign-in
  auto login = lan->exchange(login_request());
  REQUIRE(login.is_ok());
  REQUIRE(login->status == 200);
  std::string cookie = login->header("Set-Cookie");
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("; Secure") != std::string::npos);
  HttpRequest listed = get("/api/cases");
  listed.headers = {{"Cookie", cookie.substr(0, cookie.find(';'))}};
  auto signed_in = lan->exchange(listed);
  REQUIRE(signed_in.is_ok());
  CHECK(signed_in->status == 200);

  // Not over plain HTTP, and not to a client that does not trust the hall's CA.
  auto plain = client_for("http://127.0.0.1:" + lan_port)->exchange(get("/api/health"));
  CHECK_FALSE((plain.is_ok() && plain->status == 200));
  auto untrusting = client_for("https://127.0.0.1:" + lan_port)->exchange(get("/api/health"));
  REQUIRE_FALSE(untrusting.is_ok());
  CHECK(untrusting.status().kind() == ErrorKind::Tls);

  // The PC's own loopback listener is unchanged: plain HTTP, a cookie without Secure.
  auto local = client_for("http://127.0.0.1:" + halld.port)->exchange(login_request());
  REQUIRE(local.is_ok());
  CHECK(local->status == 200);
  CHECK(local->header("Set-Cookie").find("Secure") == std::string::npos);
  CHECK(halld.process->stop() == 0);
}
