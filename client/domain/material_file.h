// Scanned materials (扫描材料): which files a clerk may attach to a case (type
// judged by the file's first bytes, never its name; a size limit), and the
// descriptor a material_attached event carries: "sha256=<hex>;size=<n>;type=<media type>".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sync/api/result.h"

namespace hallsync::client {

// A 2 MB scan is typical; 10 MB leaves room for a multi-page PDF while a 2G
// link still moves it within a working day.
constexpr std::int64_t kMaxMaterialBytes = 10 * 1024 * 1024;
constexpr std::size_t kMaxMaterialNameBytes = 200;

struct MaterialFileRef {
  std::string sha256;
  std::int64_t size = 0;
  std::string media_type;  // image/jpeg, image/png, application/pdf
  // Set when the stored file is a downscaled JPEG: the scan's own dimensions
  // and size (descriptor keys scaled_from=WxH;original_size=N, which older
  // releases ignore). 0 when the file is stored as scanned.
  int original_width = 0;
  int original_height = 0;
  std::int64_t original_size = 0;
  bool downscaled() const { return original_size > 0; }
};

// "image/jpeg", "image/png", "application/pdf" from the leading bytes, or
// nullopt for anything else.
std::optional<std::string> sniff_media_type(std::string_view head);
// A Chinese refusal when `bytes` (the whole file) may not be attached.
Status check_material_bytes(std::string_view bytes);
// Reads a file the clerk named, refusing what is not a regular file within the
// limit (missing, a directory, a device, too large); Chinese messages.
Result<std::string> read_material_file(const std::string& path);

std::string material_descriptor(const MaterialFileRef& ref);
std::optional<MaterialFileRef> parse_material_descriptor(std::string_view text);

}  // namespace hallsync::client
