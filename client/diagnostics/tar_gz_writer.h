// TarGzWriter: a minimal .tar.gz writer (POSIX ustar members, gzip via zlib)
// for diagnostic bundles: regular files only, names up to 100 bytes.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include <zlib.h>

#include "sync/api/result.h"

namespace hallsync::client::diagnostics {

class TarGzWriter {
 public:
  // Creates (truncates) `path` with mode 0600: a bundle may hold a database.
  static Result<std::unique_ptr<TarGzWriter>> create(const std::string& path);
  ~TarGzWriter();
  TarGzWriter(const TarGzWriter&) = delete;
  TarGzWriter& operator=(const TarGzWriter&) = delete;

  Status add(const std::string& name, const std::string& content, std::int64_t mtime_s);
  Status add_file(const std::string& name, const std::string& source_path, std::int64_t mtime_s);
  // Writes the end-of-archive blocks and flushes; the archive is complete only after this.
  Status finish();

 private:
  TarGzWriter(gzFile file, std::string path) : file_(file), path_(std::move(path)) {}
  Status write(const void* data, std::size_t size);
  Status header(const std::string& name, std::uint64_t size, std::int64_t mtime_s);
  Status pad(std::uint64_t size);
  gzFile file_;
  std::string path_;
};

}  // namespace hallsync::client::diagnostics
