// Downscaling scanned JPEGs (client/store/scan_downscale): which images are
// reduced and to what size, which are kept byte for byte (small, turned by
// EXIF, CMYK, truncated, PNG, --keep-original), and what `hall case attach`
// then stores and records. Test images are made here with tjCompress2.
#include <catch2/catch.hpp>
#include <turbojpeg.h>

#include <vector>

#include "client/store/material_attach.h"
#include "client/store/scan_downscale.h"
#include "sync/api/blob_store.h"
#include "tests/support/hall_fixture.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {

// A page-like picture: light background, dark "lines of text", a little
// noise so it compresses like a photo of paper rather than a flat colour.
std::string make_jpeg(int w, int h, int pixel_format = TJPF_RGB, int subsamp = TJSAMP_420, int quality = 90) {
  int ps = tjPixelSize[pixel_format];
  std::vector<unsigned char> px(static_cast<std::size_t>(w) * h * ps);
  std::uint32_t seed = 12345;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      seed = seed * 1664525u + 1013904223u;
      bool ink = (y / 12) % 3 == 0 && (x / 7) % 5 != 0;
      int v = (ink ? 40 : 225) + static_cast<int>(seed >> 28) - 8;
      for (int c = 0; c < ps; ++c) px[(static_cast<std::size_t>(y) * w + x) * ps + c] = static_cast<unsigned char>(v);
    }
  tjhandle enc = tjInitCompress();
  unsigned char* out = nullptr;
  unsigned long size = 0;
  REQUIRE(tjCompress2(enc, px.data(), w, 0, h, pixel_format, &out, &size, subsamp, quality, 0) == 0);
  std::string bytes(reinterpret_cast<char*>(out), size);
  tjFree(out);
  tjDestroy(enc);
  return bytes;
}

// An APP1 EXIF block (big-endian TIFF, one IFD0 entry: Orientation) right after SOI.
std::string with_exif_orientation(const std::string& jpeg, int orientation) {
  std::string tiff("MM\0\x2a\0\0\0\x08", 8);
  tiff += std::string("\0\x01", 2);                                                   // one entry
  tiff += std::string("\x01\x12\0\x03\0\0\0\x01\0", 9) + char(orientation) + std::string("\0\0", 2);
  tiff += std::string(4, '\0');                                                       // no next IFD
  std::string payload = std::string("Exif\0\0", 6) + tiff;
  std::size_t len = payload.size() + 2;
  std::string app1 = std::string("\xFF\xE1") + char(len >> 8) + char(len & 0xFF) + payload;
  return jpeg.substr(0, 2) + app1 + jpeg.substr(2);
}

struct Dims {
  int w = 0, h = 0;
};
Dims dims(const std::string& jpeg) {
  tjhandle dec = tjInitDecompress();
  Dims d;
  int subsamp = 0, cs = 0;
  REQUIRE(tjDecompressHeader3(dec, reinterpret_cast<const unsigned char*>(jpeg.data()), jpeg.size(), &d.w, &d.h,
                              &subsamp, &cs) == 0);
  tjDestroy(dec);
  return d;
}

std::string read_blob(client::HallStore& store, const std::string& sha) {
  auto bytes = BlobStore(client::blob_dir(store)).read(sha, 0, 64u << 20);
  REQUIRE(bytes.is_ok());
  return *bytes;
}

}  // namespace

TEST_CASE("A large JPEG scan is decoded at the largest scale within 2480 px and stored smaller", "[attach][downscale]") {
  std::string big = make_jpeg(4000, 3000);
  auto r = client::downscale_scan(big, "image/jpeg");
  INFO(r.kept_because);
  REQUIRE(r.downscaled);
  // 5/8 would give 2500 px (over the limit); 1/2 is the largest that fits.
  CHECK(r.original_width == 4000);
  CHECK(r.original_height == 3000);
  CHECK(r.width == 2000);
  CHECK(r.height == 1500);
  CHECK(dims(r.bytes).w == 2000);
  CHECK(dims(r.bytes).h == 1500);
  CHECK(r.bytes.size() < big.size());
}

TEST_CASE("Images that are small, turned by EXIF, CMYK, truncated or not JPEG are kept byte for byte",
          "[attach][downscale]") {
  auto kept = [](const std::string& bytes, const std::string& type, const std::string& why) {
    auto r = client::downscale_scan(bytes, type);
    CHECK_FALSE(r.downscaled);
    CHECK(r.bytes == bytes);
    INFO(r.kept_because);
    CHECK(r.kept_because.find(why) != std::string::npos);
  };
  SECTION("within the limit") { kept(make_jpeg(2480, 1754), "image/jpeg", "within"); }
  SECTION("EXIF orientation 6: re-encoding would drop it and turn the page") {
    std::string turned = with_exif_orientation(make_jpeg(3000, 2600), 6);
    CHECK(client::jpeg_exif_orientation(turned) == 6);
    kept(turned, "image/jpeg", "orientation 6");
  }
  SECTION("CMYK") { kept(make_jpeg(3000, 2600, TJPF_CMYK, TJSAMP_444), "image/jpeg", "colourspace"); }
  SECTION("truncated: the decoder warns, the original is stored") {
    std::string whole = make_jpeg(3000, 2600);
    kept(whole.substr(0, whole.size() / 2), "image/jpeg", "decode failed");
  }
  SECTION("PNG") { kept(std::string("\x89PNG\r\n\x1A\n", 8) + std::string(5000, 'p'), "image/png", "not a JPEG"); }
  SECTION("JPEG magic with garbage after it") {
    // (libjpeg may or may not read a "header" out of it; either way it is kept)
    kept(std::string("\xFF\xD8\xFF\xE0", 4) + std::string(5000, 'j'), "image/jpeg", "");
  }
}

TEST_CASE("An EXIF orientation of 1 still allows downscaling, an unreadable EXIF block does not", "[attach][downscale]") {
  std::string upright = with_exif_orientation(make_jpeg(3000, 2600), 1);
  CHECK(client::jpeg_exif_orientation(upright) == 1);
  CHECK(client::downscale_scan(upright, "image/jpeg").downscaled);
  std::string broken = with_exif_orientation(make_jpeg(3000, 2600), 1);
  broken[2 + 4 + 6] = 'X';  // "MM" becomes "XM": no byte order
  CHECK(client::jpeg_exif_orientation(broken) == 0);
  CHECK_FALSE(client::downscale_scan(broken, "image/jpeg").downscaled);
}

TEST_CASE("Attaching a large JPEG stores the downscaled file and records the original's size", "[attach][downscale]") {
  HallFixture f;
  auto c = f.register_complete();
  std::string big = make_jpeg(4000, 3000);
  REQUIRE(big.size() < static_cast<std::size_t>(client::kMaxMaterialBytes));
  auto r = client::attach_material_bytes(*f.store, c.acceptance_no, big, "申请书", "c001");
  INFO(r.status().message());
  REQUIRE(r.is_ok());
  CHECK(r->file.downscaled());
  CHECK(r->file.sha256 != sha256_hex(big));
  std::string stored = read_blob(*f.store, r->file.sha256);
  CHECK(stored.size() == static_cast<std::size_t>(r->file.size));
  CHECK(sha256_hex(stored) == r->file.sha256);
  CHECK(dims(stored).w == 2000);
  auto view = f.repo->load(c.acceptance_no);
  REQUIRE(view->attachments.size() == 1);
  CHECK(view->attachments[0].size == r->file.size);
  CHECK(view->attachments[0].original_width == 4000);
  CHECK(view->attachments[0].original_height == 3000);
  CHECK(view->attachments[0].original_size == static_cast<std::int64_t>(big.size()));
}

TEST_CASE("keep_original stores the exact bytes of a large JPEG, and a PNG is never changed", "[attach][downscale]") {
  HallFixture f;
  auto c = f.register_complete();
  std::string big = make_jpeg(4000, 3000);
  auto r = client::attach_material_bytes(*f.store, c.acceptance_no, big, "申请书", "c001", {.keep_original = true});
  REQUIRE(r.is_ok());
  CHECK_FALSE(r->file.downscaled());
  CHECK(r->file.sha256 == sha256_hex(big));
  CHECK(read_blob(*f.store, r->file.sha256) == big);

  std::string png = std::string("\x89PNG\r\n\x1A\n", 8) + std::string(400'000, 'p');
  auto p = client::attach_material_bytes(*f.store, c.acceptance_no, png, "户口簿", "c001");
  REQUIRE(p.is_ok());
  CHECK(read_blob(*f.store, p->file.sha256) == png);
  auto view = f.repo->load(c.acceptance_no);
  REQUIRE(view->attachments.size() == 2);
  CHECK(view->attachments[0].original_size == 0);
  CHECK(view->attachments[1].original_size == 0);
}
