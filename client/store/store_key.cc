// Reading and creating the master key file (see the header).
#include "client/store/store_key.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sync/api/crypto_suite.h"

namespace hallsync::client {

std::string key_file_path(const std::string& data_dir) {
  if (const char* env = std::getenv("HALL_KEY_FILE"); env && *env) return env;
  return (std::filesystem::path(data_dir) / kKeyFileName).string();
}

Result<std::string> read_key_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return Status::storage("找不到本机个人信息密钥文件 " + path +
                           "，数据库无法打开，请联系技术人员。Key file " + path +
                           " is missing or unreadable: restore it from where the key was saved (README, Key handling) "
                           "or, if it is lost, rebuild the store from the hub: hallctl resync --rebuild --hall CODE "
                           "--device CODE.")
        .with_code("store_key_missing");
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string hex = text.str();
  while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back()))) hex.pop_back();
  auto key = crypto::from_hex(hex);
  if (!key || key->size() != crypto::kKeyBytes)
    return Status::storage("本机个人信息密钥文件 " + path + " 内容不正确，请联系技术人员。Key file " + path +
                           " does not hold a " + std::to_string(crypto::kKeyBytes * 2) +
                           "-digit hex key: restore the saved copy.")
        .with_code("store_key_unreadable");
  return key;
}

Result<std::string> create_or_read_key_file(const std::string& path) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) return read_key_file(path);
  if (fd < 0)
    return Status::storage("无法创建个人信息密钥文件 " + path + "。Cannot create key file " + path + ": " +
                           std::strerror(errno));
  std::string text = crypto::to_hex(crypto::random_bytes(crypto::kKeyBytes)) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) {
    std::filesystem::remove(path, ec);
    return Status::storage("无法写入个人信息密钥文件 " + path + "。Cannot write key file " + path + ": " +
                           std::strerror(err));
  }
  return read_key_file(path);
}

}  // namespace hallsync::client
