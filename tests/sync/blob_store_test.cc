// The content-addressed blob store and the blob messages' range arithmetic and
// hostile-input checks.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "sync/api/blob_store.h"
#include "sync/protocol/blob_messages.h"
#include "tests/support/temp_dir.h"

using namespace hallsync;
using protocol::ByteRange;

TEST_CASE("SHA-256 matches the standard test vector, whole or fed in pieces", "[blobs]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.update("a", 1);
  h.update("bc", 2);
  CHECK(h.hex() == sha256_hex("abc"));
  CHECK(is_sha256_hex(sha256_hex("")));
  CHECK_FALSE(is_sha256_hex("ABC"));
}

TEST_CASE("A blob is stored under its hash, read back by range, and the same bytes are stored once", "[blobs]") {
  test::TempDir dir;
  BlobStore store(dir.file("blobs"));
  std::string bytes(100'000, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 + i / 251);
  auto a = store.put(bytes);
  REQUIRE(a.is_ok());
  CHECK(a->sha256 == sha256_hex(bytes));
  CHECK(a->size == 100'000);
  CHECK(store.contains(a->sha256));
  CHECK(store.path_of(a->sha256) == dir.file("blobs") + "/" + a->sha256.substr(0, 2) + "/" + a->sha256);
  CHECK(sha256_of_file(store.path_of(a->sha256)).value() == a->sha256);
  CHECK(store.read(a->sha256, 99'990, 100).value() == bytes.substr(99'990));
  CHECK(store.read(a->sha256, 5, 10).value() == bytes.substr(5, 10));
  auto again = store.put(bytes);
  REQUIRE(again.is_ok());
  CHECK(again->sha256 == a->sha256);
  int files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.file("blobs")))
    if (e.is_regular_file()) ++files;
  CHECK(files == 1);  // no temp file left, no second copy
  CHECK_FALSE(store.read(sha256_hex("other"), 0, 1).is_ok());
}

TEST_CASE("Held ranges merge, and the missing ones are exactly the rest of the blob", "[blobs]") {
  std::vector<ByteRange> held;
  held = protocol::add_range(held, {100, 200});
  held = protocol::add_range(held, {0, 50});
  held = protocol::add_range(held, {200, 300});  // touches: merged
  REQUIRE(held == std::vector<ByteRange>{{0, 50}, {100, 300}});
  CHECK(protocol::missing_ranges(held, 400) == std::vector<ByteRange>{{50, 100}, {300, 400}});
  CHECK(protocol::covers(held, 120, 300));
  CHECK_FALSE(protocol::covers(held, 40, 60));
  held = protocol::add_range(held, {40, 120});
  CHECK(held == std::vector<ByteRange>{{0, 300}});
  CHECK(protocol::missing_ranges({}, 10) == std::vector<ByteRange>{{0, 10}});
  CHECK(protocol::missing_ranges({{0, 10}}, 10).empty());
}

TEST_CASE("A blob state naming bytes outside the blob or ranges out of order is refused", "[blobs]") {
  protocol::BlobState st;
  st.sha256 = sha256_hex("x");
  st.size = 1000;
  st.max_chunk = 4096;
  st.hub_epoch = "0123456789abcdef";
  st.held = {{0, 100}, {200, 1000}};
  auto ok = protocol::decode_blob_state(protocol::encode(st, 2), 2);
  REQUIRE(ok.is_ok());
  CHECK(ok->held == st.held);
  for (auto bad : std::vector<std::vector<ByteRange>>{{{0, 1001}}, {{-5, 10}}, {{200, 300}, {0, 100}}, {{50, 50}},
                                                       {{0, 100}, {50, 150}}}) {
    st.held = bad;
    auto r = protocol::decode_blob_state(protocol::encode(st, 2), 2);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().kind() == ErrorKind::Protocol);
  }
}

TEST_CASE("A blob offer must name a SHA-256", "[blobs]") {
  protocol::BlobOffer offer{"360704100-W01", "not-a-hash", 10, "case"};
  CHECK_FALSE(protocol::decode_blob_offer(protocol::encode(offer, 2), 2).is_ok());
  offer.sha256 = sha256_hex("y");
  auto r = protocol::decode_blob_offer(protocol::encode(offer, 2), 2);
  REQUIRE(r.is_ok());
  CHECK(r->size == 10);
  CHECK(r->case_id == "case");
}
