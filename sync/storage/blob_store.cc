// Content-addressed blob files: hashing, durable put (temp file, fsync,
// rename, fsync of the directory) and ranged reads.
#include "sync/api/blob_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace hallsync {
namespace fs = std::filesystem;

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) std::abort();
}
Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }
void Sha256::update(const void* data, std::size_t size) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, size);
}
std::string Sha256::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &len);
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += digits[md[i] >> 4];
    out += digits[md[i] & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes.data(), bytes.size());
  return h.hex();
}

bool is_sha256_hex(std::string_view text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Result<std::string> sha256_of_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::storage("cannot read " + path);
  Sha256 h;
  std::string buf(1 << 16, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.update(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return Status::storage("error reading " + path);
  return h.hex();
}

namespace {

Status errno_status(const std::string& what) { return Status::storage(what + ": " + std::strerror(errno)); }

Status fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return errno_status("cannot open directory " + dir.string());
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return errno_status("cannot sync directory " + dir.string());
  return Status::ok();
}

}  // namespace

Status write_at_durably(const std::string& path, std::int64_t offset, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return errno_status("cannot open " + path);
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + static_cast<std::int64_t>(done)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status s = errno_status("cannot write " + path);
      ::close(fd);
      return s;
    }
    done += static_cast<std::size_t>(n);
  }
  // The bytes are durable before anyone records that they are held.
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return errno_status("cannot sync " + path);
  return Status::ok();
}

std::string BlobStore::path_of(const std::string& sha256) const {
  return (fs::path(dir_) / sha256.substr(0, 2) / sha256).string();
}

bool BlobStore::contains(const std::string& sha256) const {
  std::error_code ec;
  return is_sha256_hex(sha256) && fs::is_regular_file(path_of(sha256), ec);
}

Result<BlobInfo> BlobStore::put(std::string_view bytes) const {
  BlobInfo info{sha256_hex(bytes), static_cast<std::int64_t>(bytes.size())};
  if (contains(info.sha256)) return info;  // same content, same name: stored once
  std::error_code ec;
  fs::path tmp_dir = fs::path(dir_) / "tmp";
  fs::create_directories(tmp_dir, ec);
  if (ec) return Status::storage("cannot create " + tmp_dir.string() + ": " + ec.message());
  unsigned char r[8];
  if (RAND_bytes(r, sizeof r) != 1) std::abort();
  std::string tmp = (tmp_dir / (info.sha256.substr(0, 16) + "-" + sha256_hex({reinterpret_cast<char*>(r), sizeof r}).substr(0, 8) + ".part")).string();
  HALLSYNC_RETURN_IF_ERROR(write_at_durably(tmp, 0, bytes));
  Status s = adopt(tmp, info.sha256);
  if (!s.is_ok()) fs::remove(tmp, ec);
  if (!s.is_ok()) return s;
  return info;
}

Status BlobStore::adopt(const std::string& file, const std::string& sha256) const {
  if (!is_sha256_hex(sha256)) return Status::internal("not a SHA-256: " + sha256);
  fs::path target = path_of(sha256);
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) return Status::storage("cannot create " + target.parent_path().string() + ": " + ec.message());
  if (::rename(file.c_str(), target.c_str()) != 0) return errno_status("cannot move " + file + " into the blob store");
  return fsync_dir(target.parent_path());
}

Result<std::string> BlobStore::read(const std::string& sha256, std::int64_t offset, std::size_t length) const {
  if (!is_sha256_hex(sha256)) return Status::internal("not a SHA-256: " + sha256);
  std::ifstream in(path_of(sha256), std::ios::binary);
  if (!in) return Status::storage("blob " + sha256.substr(0, 12) + "… is missing from " + dir_);
  in.seekg(offset);
  std::string out(length, '\0');
  in.read(out.data(), static_cast<std::streamsize>(length));
  if (in.bad()) return Status::storage("error reading blob " + sha256.substr(0, 12) + "…");
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

}  // namespace hallsync
