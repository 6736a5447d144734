// BlobStore: files kept by content — each under DIR/<first two hex>/<SHA-256>,
// written to a temporary file, fsynced and renamed into place, so a name always
// means exactly those bytes and the same scan is stored once. Both ends use it:
// the hall for scanned materials waiting to upload, the hub for verified blobs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sync/api/result.h"

namespace hallsync {

// Incremental SHA-256 (OpenSSL), for hashing a file chunk by chunk.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, std::size_t size);
  std::string hex();  // finishes: 64 lowercase hex digits

 private:
  void* ctx_;
};

std::string sha256_hex(std::string_view bytes);
bool is_sha256_hex(std::string_view text);  // 64 lowercase hex digits

// SHA-256 of a whole file, read in pieces; a Storage error if it cannot be read.
Result<std::string> sha256_of_file(const std::string& path);

struct BlobInfo {
  std::string sha256;
  std::int64_t size = 0;
};

class BlobStore {
 public:
  explicit BlobStore(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }

  // Stores `bytes` durably under their hash; a blob already held is left as is.
  Result<BlobInfo> put(std::string_view bytes) const;
  // Moves a file whose content the caller verified to hash `sha256` into the
  // store (rename, then fsync of the directory). The file must be on the same
  // file system (the hub keeps its partial files under DIR/partial/).
  Status adopt(const std::string& file, const std::string& sha256) const;

  std::string path_of(const std::string& sha256) const;
  bool contains(const std::string& sha256) const;
  // Up to `length` bytes from `offset` (fewer at the end of the blob).
  Result<std::string> read(const std::string& sha256, std::int64_t offset, std::size_t length) const;

 private:
  std::string dir_;
};

// Writes `data` at `offset` of `path` (created if absent) and fsyncs it.
Status write_at_durably(const std::string& path, std::int64_t offset, std::string_view data);

}  // namespace hallsync
