// Header, length and page checks of the hall's store file.
#include "client/store/store_check.h"

#include <cstdint>
#include <filesystem>

#include "sync/api/database.h"

namespace hallsync::client {
namespace {

constexpr std::size_t kHeaderBytes = 100;
constexpr char kMagic[] = "SQLite format 3";  // followed by a NUL: 16 bytes

std::uint32_t big_endian(const unsigned char* p, int n) {
  std::uint32_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

Status damaged_store(const std::string& db_file, std::string_view what) {
  return Status::storage("大厅数据库文件已损坏：" + db_file + "（" + std::string(what) +
                         "）。已停止使用该文件，未做任何修改。请技术人员停止 halld，运行 hallctl doctor 确认，"
                         "然后从备份恢复该文件，或运行 hallctl resync --rebuild --hall 大厅编码 --device 设备编码 "
                         "从中心重建（已同步到中心的记录会恢复，损坏的文件保留在 backups/ 中）。"
                         "The store file is damaged: restore it from a backup or rebuild it from the hub.")
      .with_code("store_damaged");
}

Status check_store_header(const std::string& db_file) {
  namespace fs = std::filesystem;
  // A checkpoint cut short (or running now, in another process) leaves the
  // file shorter than its header says; the WAL still holds those pages and
  // SQLite finishes the job on open. The WAL is looked at before and after
  // the file is read, so a checkpoint that ends (and deletes it) meanwhile is
  // not taken for a truncation.
  auto wal_in_use = [&db_file] {
    std::error_code wal_ec;
    auto n = fs::file_size(db_file + "-wal", wal_ec);
    return !wal_ec && n > 0;
  };
  bool wal = wal_in_use();
  // Through SQLite, never an ifstream: this process may hold the store open
  // already (halld opens a store per sync session and job), and closing a
  // descriptor of our own would drop its locks (read_database_head).
  auto head = read_database_head(db_file, kHeaderBytes);
  if (!head) return Status::storage("无法读取大厅数据库文件 " + db_file + "：" + head.status().message());
  const auto size = static_cast<std::uint64_t>(head->size);
  if (size < kHeaderBytes) return damaged_store(db_file, "文件只有 " + std::to_string(size) + " 字节，被截断或清空");
  const auto* h = reinterpret_cast<const unsigned char*>(head->bytes.data());
  if (std::string_view(reinterpret_cast<const char*>(h), sizeof kMagic) != std::string_view(kMagic, sizeof kMagic))
    return damaged_store(db_file, "文件头不是 SQLite 数据库");
  std::uint64_t page_size = big_endian(h + 16, 2);
  if (page_size == 1) page_size = 65536;
  if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0)
    return damaged_store(db_file, "文件头中的页大小无效");
  if (wal || wal_in_use()) return Status::ok();
  const std::uint64_t pages = big_endian(h + 28, 4);
  const bool pages_valid = pages > 0 && big_endian(h + 24, 4) == big_endian(h + 92, 4);
  if (size % page_size != 0 || (pages_valid && size < pages * page_size))
    return damaged_store(db_file, "文件长 " + std::to_string(size) + " 字节，文件头记录 " + std::to_string(pages) + " 页 × " +
                                      std::to_string(page_size) + " 字节：文件被截断");
  return Status::ok();
}

Status check_store_pages(Database& db) {
  std::string first;
  int problems = 0;
  {
    auto check = db.prepare("PRAGMA quick_check");
    if (!check) return damaged_store(db.path(), check.status().message());
    for (;;) {
      auto row = check->step();
      if (!row) return damaged_store(db.path(), row.status().message());
      if (!*row) break;
      std::string line = check->column_text(0);
      if (line != "ok" && problems++ == 0) first = line;
    }
  }
  if (problems > 0)
    return damaged_store(db.path(), "quick_check 发现 " + std::to_string(problems) + " 处问题，第一处：" + first);
  return Status::ok();
}

}  // namespace hallsync::client
