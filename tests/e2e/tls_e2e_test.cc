// TLS with the real binaries: hallhub serving HTTPS from a district CA's
// certificate on a loopback port chosen at run time, hallctl trusting that CA
// (and pinning the hub's key), and the refusals a technician meets — an
// untrusted hub, a certificate outside its validity by this PC's clock,
// plain HTTP to another machine.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/support/e2e_binaries.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

using namespace hallsync::test;

namespace {

void register_one(TempDir& dir) {
  REQUIRE(hall(dir, {"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number", "360704198503120023",
                     "--phone", "13907971234", "--all-materials"})
              .status == 0);
}

std::vector<std::string> serve_tls(const TestPki& pki) { return {"--tls-cert", pki.cert_file, "--tls-key", pki.key_file}; }

}  // namespace

TEST_CASE("A hall syncs with a hub serving TLS from the district CA's certificate, key pinned", "[e2e][tls]") {
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  TestPki pki = make_test_pki(dir.file("tls-"));
  hub.start("127.0.0.1:0", {}, serve_tls(pki));
  CHECK(hub.server->log().find("(TLS)") != std::string::npos);
  REQUIRE(hallctl(dir, {"configure", "--hub", "https://localhost:" + hub.port, "--token", token, "--ca-file", pki.ca_file,
                        "--pin", public_key_pin(pki.cert_file)})
              .status == 0);
  register_one(dir);
  Run synced = hallctl(dir, {"sync", "--json"});
  INFO(synced.out);
  REQUIRE(synced.status == 0);
  CHECK(nlohmann::json::parse(synced.out.substr(synced.out.find('{')))["pushed"] == 1);

  // The same hub, but this hall no longer trusts its CA: refused as TLS, nothing sent.
  TestPki stranger = make_test_pki(dir.file("other-"));
  REQUIRE(hallctl(dir, {"configure", "--hub", "https://localhost:" + hub.port, "--token", token, "--ca-file",
                        stranger.ca_file})
              .status == 0);
  register_one(dir);
  Run refused = hallctl(dir, {"sync", "--json"});
  INFO(refused.out);
  CHECK(refused.status != 0);
  CHECK(refused.out.find("tls_verify") != std::string::npos);
  hub.stop();
}

TEST_CASE("Certificates made with the district CA script serve a hub that a hall syncs with, pinned", "[e2e][tls]") {
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  const std::string pki = dir.file("district");
  REQUIRE(run_command({"bash", DISTRICT_CA_SCRIPT, "ca", pki}).status == 0);
  REQUIRE(run_command({"bash", DISTRICT_CA_SCRIPT, "hub", pki, "127.0.0.1"}).status == 0);
  CHECK(run_command({"bash", DISTRICT_CA_SCRIPT, "ca", pki}).status != 0);  // never replaces a district's CA
  Run pin = run_command({"bash", DISTRICT_CA_SCRIPT, "pin", pki + "/127.0.0.1.pem"});
  REQUIRE(pin.status == 0);
  hub.start("127.0.0.1:0", {}, {"--tls-cert", pki + "/127.0.0.1.pem", "--tls-key", pki + "/127.0.0.1.key"});
  REQUIRE(hallctl(dir, {"configure", "--hub", "https://127.0.0.1:" + hub.port, "--token", token, "--ca-file",
                        pki + "/ca.pem", "--pin", pin.out.substr(0, pin.out.find('\n'))})
              .status == 0);
  register_one(dir);
  Run synced = hallctl(dir, {"sync"});
  INFO(synced.out);
  CHECK(synced.status == 0);
  hub.stop();
}

TEST_CASE("A hub certificate that looks expired to this PC's clock is refused with the clock named", "[e2e][tls][clock]") {
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  CertSpec expired;
  expired.valid_from_days = -400;
  expired.valid_until_days = -1;
  TestPki pki = make_test_pki(dir.file("tls-"), expired);
  hub.start("127.0.0.1:0", {}, serve_tls(pki));
  REQUIRE(hallctl(dir, {"configure", "--hub", "https://127.0.0.1:" + hub.port, "--token", token, "--ca-file", pki.ca_file})
              .status == 0);
  register_one(dir);
  Run refused = hallctl(dir, {"sync"});
  INFO(refused.out);
  CHECK(refused.status != 0);
  CHECK(refused.out.find("tls_clock") != std::string::npos);
  CHECK(refused.out.find("this PC's clock says") != std::string::npos);
  // The technician's tool stops at the TLS step and says to set the clock, not to change the CA.
  Run doctor = hallctl(dir, {"doctor"});
  INFO(doctor.out);
  CHECK(doctor.status == 2);
  CHECK(doctor.out.find("[tls_clock]") != std::string::npos);
  CHECK(doctor.out.find("set this PC's date and time") != std::string::npos);
  hub.stop();
}

TEST_CASE("Plain HTTP is refused off this PC: hallctl will not link to it and hallhub will not serve it", "[e2e][tls]") {
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  Run remote = hallctl(dir, {"configure", "--hub", "http://10.20.30.40:8470", "--token", token});
  CHECK(remote.status != 0);
  CHECK(remote.out.find("use https://") != std::string::npos);
  Run pin_without_tls = hallctl(dir, {"configure", "--hub", "http://127.0.0.1:8470", "--token", token, "--pin",
                                      "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="});
  CHECK(pin_without_tls.status != 0);
  Run local = hallctl(dir, {"configure", "--hub", "http://127.0.0.1:8470", "--token", token});
  CHECK(local.status == 0);
  CHECK(local.out.find("warning: plain HTTP") != std::string::npos);
  // The hub refuses before binding, so nothing listens beyond loopback even for a moment.
  Run serve = hub.admin({"serve", "--listen", "0.0.0.0:0"});
  CHECK(serve.status != 0);
  CHECK(serve.out.find("--tls-cert") != std::string::npos);
}
