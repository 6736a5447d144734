// Safe downscaling of scanned JPEGs with TurboJPEG (scaled decode, re-encode),
// and the small EXIF reader that decides whether re-encoding would turn a page.
#include "client/store/scan_downscale.h"

#include <turbojpeg.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace hallsync::client {

namespace {

std::uint32_t read_u16(std::string_view s, std::size_t at, bool little) {
  auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])); };
  return little ? b(0) | b(1) << 8 : b(0) << 8 | b(1);
}
std::uint32_t read_u32(std::string_view s, std::size_t at, bool little) {
  return little ? read_u16(s, at, true) | read_u16(s, at + 2, true) << 16
                : read_u16(s, at, false) << 16 | read_u16(s, at + 2, false);
}

// Orientation from a TIFF block (the APP1 payload after "Exif\0\0"); 0 when malformed.
int tiff_orientation(std::string_view tiff) {
  if (tiff.size() < 8) return 0;
  bool little;
  if (tiff.substr(0, 2) == "II") little = true;
  else if (tiff.substr(0, 2) == "MM") little = false;
  else return 0;
  if (read_u16(tiff, 2, little) != 42) return 0;
  std::uint32_t ifd = read_u32(tiff, 4, little);
  if (ifd > tiff.size() || tiff.size() - ifd < 2) return 0;
  std::uint32_t count = read_u16(tiff, ifd, little);
  if ((tiff.size() - ifd - 2) / 12 < count) return 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::size_t entry = ifd + 2 + 12 * std::size_t{i};
    if (read_u16(tiff, entry, little) != 0x0112) continue;
    // SHORT, one value, stored in the first two bytes of the value field.
    if (read_u16(tiff, entry + 2, little) != 3 || read_u32(tiff, entry + 4, little) != 1) return 0;
    std::uint32_t v = read_u16(tiff, entry + 8, little);
    return v >= 1 && v <= 8 ? static_cast<int>(v) : 0;
  }
  return 1;
}

struct TjHandle {
  tjhandle h;
  explicit TjHandle(tjhandle handle) : h(handle) {}
  ~TjHandle() {
    if (h) tjDestroy(h);
  }
  TjHandle(const TjHandle&) = delete;
  TjHandle& operator=(const TjHandle&) = delete;
};

ScanDownscale keep(std::string_view bytes, ScanDownscale out, std::string reason) {
  out.bytes.assign(bytes);
  out.downscaled = false;
  out.width = out.original_width;
  out.height = out.original_height;
  out.kept_because = std::move(reason);
  return out;
}

}  // namespace

int jpeg_exif_orientation(std::string_view jpeg) {
  if (jpeg.size() < 4 || static_cast<unsigned char>(jpeg[0]) != 0xFF || static_cast<unsigned char>(jpeg[1]) != 0xD8)
    return 0;
  std::size_t at = 2;
  int orientation = 1;
  while (at + 4 <= jpeg.size()) {
    if (static_cast<unsigned char>(jpeg[at]) != 0xFF) return 0;
    unsigned marker = static_cast<unsigned char>(jpeg[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    // Start of scan or end of image: every APPn comes before them.
    if (marker == 0xDA || marker == 0xD9) break;
    if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      at += 2;
      continue;
    }
    std::size_t length = read_u16(jpeg, at + 2, false);
    if (length < 2 || at + 2 + length > jpeg.size()) return 0;
    std::string_view payload = jpeg.substr(at + 4, length - 2);
    if (marker == 0xE1 && payload.substr(0, 6) == std::string_view("Exif\0\0", 6)) {
      orientation = tiff_orientation(payload.substr(6));
      if (orientation != 1) return orientation;  // turned, or unreadable (0)
    }
    at += 2 + length;
  }
  return orientation;
}

ScanDownscale downscale_scan(std::string_view bytes, std::string_view media_type, int max_long_side) {
  ScanDownscale out;
  if (media_type != "image/jpeg") return keep(bytes, out, "not a JPEG");
  TjHandle dec(tjInitDecompress());
  if (!dec.h) return keep(bytes, out, "TurboJPEG unavailable");
  const auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
  int w = 0, h = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(dec.h, src, static_cast<unsigned long>(bytes.size()), &w, &h, &subsamp, &colorspace) != 0)
    return keep(bytes, out, "header not readable");
  out.original_width = w;
  out.original_height = h;
  if (std::max(w, h) <= max_long_side) return keep(bytes, out, "within the size limit");
  int orientation = jpeg_exif_orientation(bytes);
  if (orientation != 1) return keep(bytes, out, "EXIF orientation " + std::to_string(orientation));
  bool grey = colorspace == TJCS_GRAY;
  if (!grey && colorspace != TJCS_YCbCr) return keep(bytes, out, "colourspace " + std::to_string(colorspace));

  // Largest factor below 1 whose result fits; failing that (beyond 8× the
  // limit) the smallest one TurboJPEG offers, which still helps.
  int n = 0;
  tjscalingfactor* factors = tjGetScalingFactors(&n);
  if (!factors || n == 0) return keep(bytes, out, "no scaling factors");
  const tjscalingfactor* chosen = nullptr;
  const tjscalingfactor* smallest = nullptr;
  for (int i = 0; i < n; ++i) {
    const tjscalingfactor& f = factors[i];
    if (f.num >= f.denom) continue;
    auto below = [](const tjscalingfactor& a, const tjscalingfactor& b) { return a.num * b.denom < b.num * a.denom; };
    if (!smallest || below(f, *smallest)) smallest = &f;
    if (std::max(TJSCALED(w, f), TJSCALED(h, f)) <= max_long_side && (!chosen || below(*chosen, f))) chosen = &f;
  }
  if (!chosen) chosen = smallest;
  if (!chosen) return keep(bytes, out, "no reducing factor");
  int sw = TJSCALED(w, (*chosen)), sh = TJSCALED(h, (*chosen));
  int format = grey ? TJPF_GRAY : TJPF_RGB;
  std::vector<unsigned char> pixels(static_cast<std::size_t>(sw) * sh * tjPixelSize[format]);
  // Any warning (a truncated file decodes with grey fill) counts as a failure:
  // the clerk's original is then stored as it is.
  if (tjDecompress2(dec.h, src, static_cast<unsigned long>(bytes.size()), pixels.data(), sw, 0, sh, format,
                    TJFLAG_STOPONWARNING) != 0)
    return keep(bytes, out, std::string("decode failed: ") + tjGetErrorStr2(dec.h));

  TjHandle enc(tjInitCompress());
  if (!enc.h) return keep(bytes, out, "TurboJPEG unavailable");
  unsigned char* jpeg = nullptr;
  unsigned long jpeg_size = 0;
  int out_subsamp = grey ? TJSAMP_GRAY : (subsamp == TJSAMP_GRAY ? TJSAMP_420 : subsamp);
  if (tjCompress2(enc.h, pixels.data(), sw, 0, sh, format, &jpeg, &jpeg_size, out_subsamp, kScanJpegQuality, 0) != 0) {
    tjFree(jpeg);
    return keep(bytes, out, std::string("encode failed: ") + tjGetErrorStr2(enc.h));
  }
  std::unique_ptr<unsigned char, void (*)(unsigned char*)> owned(jpeg, tjFree);
  if (jpeg_size >= bytes.size()) return keep(bytes, out, "re-encoded file not smaller");
  out.bytes.assign(reinterpret_cast<const char*>(jpeg), jpeg_size);
  out.downscaled = true;
  out.width = sw;
  out.height = sh;
  return out;
}

}  // namespace hallsync::client
