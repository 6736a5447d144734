// The crypto suite (sync/api/crypto_suite.h): known-answer vectors for the
// digests, and the sealing properties personal fields at rest rely on.
#include <catch2/catch.hpp>

#include "sync/api/crypto_suite.h"

using namespace hallsync;

TEST_CASE("The suite digest is SHA-256 and a piecewise digest equals the whole", "[crypto]") {
  CHECK(crypto::to_hex(crypto::digest("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  crypto::DigestBuilder b;
  b.add("a").add("bc");
  CHECK(b.finish() == crypto::digest("abc"));
}

TEST_CASE("Length-prefixed digest fields never collide across a moved boundary", "[crypto]") {
  crypto::DigestBuilder one, two;
  one.add_field("ab").add_field("c");
  two.add_field("a").add_field("bc");
  CHECK(one.finish() != two.finish());
}

TEST_CASE("The keyed digest is HMAC-SHA-256 (RFC 4231 case 2)", "[crypto]") {
  CHECK(crypto::to_hex(crypto::keyed_digest("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("A sealed field opens only with its key and its place, and hides its text", "[crypto]") {
  const std::string key = crypto::random_bytes(crypto::kKeyBytes);
  const std::string id = "36072119900101001X";
  const std::string sealed = crypto::seal(key, id, "cases.id_number/c1");
  CHECK(sealed.size() == id.size() + crypto::kSealOverhead);
  CHECK(sealed.find(id) == std::string::npos);
  CHECK(crypto::seal(key, id, "cases.id_number/c1") != sealed);  // a fresh nonce each time

  auto opened = crypto::open(key, sealed, "cases.id_number/c1");
  REQUIRE(opened.is_ok());
  CHECK(*opened == id);

  SECTION("moved to another case") { CHECK(!crypto::open(key, sealed, "cases.id_number/c2").is_ok()); }
  SECTION("under another key") {
    auto r = crypto::open(crypto::random_bytes(crypto::kKeyBytes), sealed, "cases.id_number/c1");
    REQUIRE(!r.is_ok());
    CHECK(r.status().kind() == ErrorKind::Storage);
    CHECK(r.status().code() == "unseal_failed");
  }
  SECTION("one bit flipped anywhere") {
    for (std::size_t i = 0; i < sealed.size(); ++i) {
      std::string bad = sealed;
      bad[i] = static_cast<char>(bad[i] ^ 1);
      CHECK(!crypto::open(key, bad, "cases.id_number/c1").is_ok());
    }
  }
  SECTION("truncated below nonce and tag") { CHECK(!crypto::open(key, sealed.substr(0, 20), "cases.id_number/c1").is_ok()); }
}

TEST_CASE("An empty field seals and opens", "[crypto]") {
  const std::string key = crypto::random_bytes(crypto::kKeyBytes);
  auto r = crypto::open(key, crypto::seal(key, "", "x"), "x");
  REQUIRE(r.is_ok());
  CHECK(r->empty());
}

TEST_CASE("Hex text round-trips and malformed hex is a validation error", "[crypto]") {
  auto r = crypto::from_hex("00ffA5");
  REQUIRE(r.is_ok());
  CHECK(crypto::to_hex(*r) == "00ffa5");
  CHECK(crypto::from_hex("abc").status().kind() == ErrorKind::Validation);
  CHECK(!crypto::from_hex("zz").is_ok());
}
