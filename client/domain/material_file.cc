// Scanned-material rules: type by magic bytes, size limit, and the event's
// blob descriptor. Messages are for the clerk at the window.
#include "client/domain/material_file.h"

#include <filesystem>
#include <fstream>

#include "sync/api/blob_store.h"

namespace hallsync::client {
namespace fs = std::filesystem;

namespace {
std::string megabytes(std::int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}
}  // namespace

std::optional<std::string> sniff_media_type(std::string_view head) {
  auto starts = [&](std::string_view magic) { return head.substr(0, magic.size()) == magic; };
  if (starts("\xFF\xD8\xFF")) return "image/jpeg";
  if (starts("\x89PNG\r\n\x1A\n")) return "image/png";
  if (starts("%PDF-")) return "application/pdf";
  return std::nullopt;
}

Status check_material_bytes(std::string_view bytes) {
  if (bytes.empty()) return Status::validation("文件是空的（0 字节），请重新扫描");
  if (static_cast<std::int64_t>(bytes.size()) > kMaxMaterialBytes)
    return Status::validation("文件大小 " + megabytes(static_cast<std::int64_t>(bytes.size())) + " 超过上限 " +
                              megabytes(kMaxMaterialBytes) + "，请降低扫描分辨率或分页扫描后再上传");
  if (!sniff_media_type(bytes))
    return Status::validation("文件类型不允许：只接受 JPEG、PNG 图片或 PDF 扫描件（按文件内容判断，改扩展名无效）");
  return Status::ok();
}

Result<std::string> read_material_file(const std::string& path) {
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return Status::validation("找不到文件“" + path + "”，请检查路径");
  if (fs::is_directory(st)) return Status::validation("“" + path + "”是文件夹，请选择其中的扫描文件");
  if (!fs::is_regular_file(st)) return Status::validation("“" + path + "”不是普通文件，不能作为材料上传");
  auto size = fs::file_size(path, ec);
  if (ec) return Status::validation("无法读取文件“" + path + "”：" + ec.message());
  // Refused before reading: a clerk picking a video by mistake costs nothing.
  if (static_cast<std::int64_t>(size) > kMaxMaterialBytes)
    return Status::validation("文件大小 " + megabytes(static_cast<std::int64_t>(size)) + " 超过上限 " +
                              megabytes(kMaxMaterialBytes) + "，请降低扫描分辨率或分页扫描后再上传");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::validation("无法读取文件“" + path + "”（没有读取权限？）");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.gcount() != static_cast<std::streamsize>(size)) return Status::validation("读取文件“" + path + "”时出错，请重试");
  HALLSYNC_RETURN_IF_ERROR(check_material_bytes(bytes));
  return bytes;
}

std::string material_descriptor(const MaterialFileRef& ref) {
  std::string text = "sha256=" + ref.sha256 + ";size=" + std::to_string(ref.size) + ";type=" + ref.media_type;
  if (ref.downscaled())
    text += ";scaled_from=" + std::to_string(ref.original_width) + "x" + std::to_string(ref.original_height) +
            ";original_size=" + std::to_string(ref.original_size);
  return text;
}

std::optional<MaterialFileRef> parse_material_descriptor(std::string_view text) {
  MaterialFileRef ref;
  bool has_sha = false, has_size = false, has_type = false;
  while (!text.empty()) {
    auto semi = text.find(';');
    std::string_view part = text.substr(0, semi);
    text = semi == std::string_view::npos ? std::string_view() : text.substr(semi + 1);
    auto eq = part.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "sha256") {
      if (!is_sha256_hex(value)) return std::nullopt;
      ref.sha256 = value;
      has_sha = true;
    } else if (key == "size") {
      if (value.empty() || value.size() > 12 || value.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
      ref.size = std::stoll(std::string(value));
      has_size = ref.size > 0;
    } else if (key == "type") {
      ref.media_type = value;
      has_type = !value.empty();
    } else if (key == "original_size") {
      // Informative only: a malformed value is ignored, never a reason to drop the attachment.
      if (!value.empty() && value.size() <= 12 && value.find_first_not_of("0123456789") == std::string_view::npos)
        ref.original_size = std::stoll(std::string(value));
    } else if (key == "scaled_from") {
      auto x = value.find('x');
      std::string_view ws = value.substr(0, x), hs = x == std::string_view::npos ? "" : value.substr(x + 1);
      auto digits = [](std::string_view d) {
        return !d.empty() && d.size() <= 6 && d.find_first_not_of("0123456789") == std::string_view::npos;
      };
      if (digits(ws) && digits(hs)) {
        ref.original_width = std::stoi(std::string(ws));
        ref.original_height = std::stoi(std::string(hs));
      }
    }  // unknown keys are kept for later versions: ignored here
  }
  if (!has_sha || !has_size || !has_type) return std::nullopt;
  return ref;
}

}  // namespace hallsync::client
