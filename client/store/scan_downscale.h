// Downscaling a scanned JPEG before it is stored and uploaded, only where that
// is safe: a phone photo of an A4 page (4032×3024, 3–5 MB) costs minutes on a
// 2G link, while 2480 px on the long side (A4 at 300 dpi) keeps every line of
// text legible. Anything doubtful keeps the original bytes; this never fails an
// attach. PNG and PDF are never touched.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hallsync::client {

// A4's long side at 300 dpi: the resolution offices scan documents at, so
// small print and stamps stay legible. Only images above it are reduced.
constexpr int kScanMaxLongSidePx = 2480;
// libjpeg's quality scale; 85 keeps text edges clean with no visible ringing.
constexpr int kScanJpegQuality = 85;

struct ScanDownscale {
  std::string bytes;        // what to store: the re-encoded JPEG, or the input unchanged
  bool downscaled = false;
  int original_width = 0;   // 0 when the input was not a JPEG the decoder could read
  int original_height = 0;
  int width = 0;            // of `bytes` (equal to the original when not downscaled)
  int height = 0;
  std::string kept_because;  // why the original was kept (for logs; empty when downscaled)
};

// `media_type` as sniffed ("image/jpeg" …). Downscales only a JPEG whose long
// side exceeds `max_long_side`, decoded with the largest TurboJPEG scaling
// factor that brings it within the limit (DCT-domain, so fast), re-encoded at
// kScanJpegQuality, and kept only when smaller than the input. Keeps the input
// when: not a JPEG; not decodable (a truncated file included); an EXIF
// orientation other than 1, or an EXIF block it cannot read (re-encoding drops
// EXIF, so the page would turn); a colourspace other than YCbCr or greyscale
// (CMYK, YCCK: conversion could change what the clerk scanned).
ScanDownscale downscale_scan(std::string_view bytes, std::string_view media_type,
                             int max_long_side = kScanMaxLongSidePx);

// The EXIF orientation (1–8) of a JPEG, 1 when it has no EXIF block or no
// orientation tag, 0 when an EXIF block is there but cannot be read.
int jpeg_exif_orientation(std::string_view jpeg);

}  // namespace hallsync::client
