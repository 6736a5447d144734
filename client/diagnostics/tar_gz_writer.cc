// ustar headers and gzip output (see the header).
#include "client/diagnostics/tar_gz_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <vector>

namespace hallsync::client::diagnostics {
namespace {

void octal(char* field, std::size_t width, std::uint64_t value) {
  // width-1 octal digits, NUL-terminated, zero-padded (ustar).
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(value));
}

}  // namespace

Result<std::unique_ptr<TarGzWriter>> TarGzWriter::create(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::storage("cannot create " + path + ": " + std::strerror(errno));
  gzFile file = gzdopen(fd, "wb9");
  if (!file) {
    ::close(fd);
    return Status::storage("cannot start gzip output on " + path);
  }
  return std::unique_ptr<TarGzWriter>(new TarGzWriter(file, path));
}

TarGzWriter::~TarGzWriter() {
  if (file_) gzclose(file_);
}

Status TarGzWriter::write(const void* data, std::size_t size) {
  if (size == 0) return Status::ok();
  if (gzwrite(file_, data, static_cast<unsigned>(size)) != static_cast<int>(size))
    return Status::storage("cannot write " + path_ + " (disk full?)");
  return Status::ok();
}

Status TarGzWriter::header(const std::string& name, std::uint64_t size, std::int64_t mtime_s) {
  if (name.empty() || name.size() > 99) return Status::internal("tar member name '" + name + "' must be 1-99 bytes");
  char h[512];
  std::memset(h, 0, sizeof h);
  std::memcpy(h, name.data(), name.size());
  octal(h + 100, 8, 0600);
  octal(h + 108, 8, 0);
  octal(h + 116, 8, 0);
  octal(h + 124, 12, size);
  octal(h + 136, 12, static_cast<std::uint64_t>(mtime_s));
  std::memset(h + 148, ' ', 8);  // checksum field counts as spaces while summing
  h[156] = '0';
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h + 148, 8, "%06o", sum);
  return write(h, sizeof h);
}

Status TarGzWriter::pad(std::uint64_t size) {
  static const char zeros[512] = {};
  std::size_t rest = size % 512;
  return rest ? write(zeros, 512 - rest) : Status::ok();
}

Status TarGzWriter::add(const std::string& name, const std::string& content, std::int64_t mtime_s) {
  HALLSYNC_RETURN_IF_ERROR(header(name, content.size(), mtime_s));
  HALLSYNC_RETURN_IF_ERROR(write(content.data(), content.size()));
  return pad(content.size());
}

Status TarGzWriter::add_file(const std::string& name, const std::string& source_path, std::int64_t mtime_s) {
  std::ifstream in(source_path, std::ios::binary | std::ios::ate);
  if (!in) return Status::storage("cannot read " + source_path);
  std::uint64_t size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  HALLSYNC_RETURN_IF_ERROR(header(name, size, mtime_s));
  std::vector<char> buf(1 << 16);
  std::uint64_t left = size;
  while (left > 0) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
    if (!in.read(buf.data(), static_cast<std::streamsize>(n))) return Status::storage("cannot read " + source_path);
    HALLSYNC_RETURN_IF_ERROR(write(buf.data(), n));
    left -= n;
  }
  return pad(size);
}

Status TarGzWriter::finish() {
  static const char zeros[1024] = {};
  HALLSYNC_RETURN_IF_ERROR(write(zeros, sizeof zeros));
  int rc = gzclose(file_);
  file_ = nullptr;
  if (rc != Z_OK) return Status::storage("cannot finish " + path_ + " (disk full?)");
  return Status::ok();
}

}  // namespace hallsync::client::diagnostics
