// The power-loss VFS: in-memory file images, unsynced-write fates at a cut,
// a disk quota. One process-wide state behind a mutex (SQLite calls a VFS from
// the store's thread and its checkpointer's).
#include "tests/support/power_loss_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace hallsync::test {
namespace {

constexpr std::int64_t kSector = 512;

// One unsynced change to a file: a write, or a truncate (data empty, size set).
struct PendingOp {
  bool truncate = false;
  std::int64_t offset = 0;  // write offset, or the truncated size
  std::string data;
};

struct Image {
  std::string durable;  // what survives any power cut
  std::string current;  // what readers see now
  std::vector<PendingOp> pending;
  int open_handles = 0;
};

struct State {
  std::mutex mutex;
  sqlite3_vfs vfs{};
  sqlite3_vfs* base = nullptr;
  std::string watched;
  std::map<std::string, std::unique_ptr<Image>> images;
  std::int64_t ops = 0, cut_at = 0, space_limit = -1;
  bool dead = false;
};

State& state() {
  static State s;
  return s;
}

struct ShimFile {
  sqlite3_file base;
  Image* image;
  sqlite3_file* real;  // the unix file, for locks and shared memory
};

ShimFile* shim(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f); }

std::int64_t total_size(const State& s) {
  std::int64_t n = 0;
  for (const auto& [path, image] : s.images) n += static_cast<std::int64_t>(image->current.size());
  return n;
}

// Counts a mutating call; false once the power has failed (now or before).
bool power_on(State& s) {
  if (s.dead) return false;
  ++s.ops;
  if (s.cut_at > 0 && s.ops >= s.cut_at) s.dead = true;
  return !s.dead;
}

void apply_op(std::string& content, const PendingOp& op) {
  if (op.truncate) {
    content.resize(static_cast<std::size_t>(op.offset));
    return;
  }
  auto end = static_cast<std::size_t>(op.offset) + op.data.size();
  if (content.size() < end) content.resize(end, '\0');
  std::memcpy(content.data() + op.offset, op.data.data(), op.data.size());
}

int shim_close(sqlite3_file* f) {
  auto* p = shim(f);
  int rc = p->real->pMethods ? p->real->pMethods->xClose(p->real) : SQLITE_OK;
  std::lock_guard<std::mutex> lock(state().mutex);
  --p->image->open_handles;
  return rc;
}

int shim_read(sqlite3_file* f, void* buf, int amt, sqlite3_int64 off) {
  std::lock_guard<std::mutex> lock(state().mutex);
  const std::string& c = shim(f)->image->current;
  std::int64_t have = std::clamp<std::int64_t>(static_cast<std::int64_t>(c.size()) - off, 0, amt);
  if (have > 0) std::memcpy(buf, c.data() + off, static_cast<std::size_t>(have));
  if (have == amt) return SQLITE_OK;
  std::memset(static_cast<char*>(buf) + have, 0, static_cast<std::size_t>(amt - have));
  return SQLITE_IOERR_SHORT_READ;
}

int shim_write(sqlite3_file* f, const void* buf, int amt, sqlite3_int64 off) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!power_on(s)) return SQLITE_IOERR_WRITE;
  Image& image = *shim(f)->image;
  std::int64_t growth = std::max<std::int64_t>(0, off + amt - static_cast<std::int64_t>(image.current.size()));
  if (s.space_limit >= 0 && growth > 0 && total_size(s) + growth > s.space_limit) return SQLITE_FULL;
  PendingOp op{false, off, std::string(static_cast<const char*>(buf), static_cast<std::size_t>(amt))};
  apply_op(image.current, op);
  image.pending.push_back(std::move(op));
  return SQLITE_OK;
}

int shim_truncate(sqlite3_file* f, sqlite3_int64 size) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!power_on(s)) return SQLITE_IOERR_TRUNCATE;
  Image& image = *shim(f)->image;
  PendingOp op{true, size, {}};
  apply_op(image.current, op);
  image.pending.push_back(std::move(op));
  return SQLITE_OK;
}

int shim_sync(sqlite3_file* f, int) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!power_on(s)) return SQLITE_IOERR_FSYNC;
  Image& image = *shim(f)->image;
  image.durable = image.current;
  image.pending.clear();
  return SQLITE_OK;
}

int shim_file_size(sqlite3_file* f, sqlite3_int64* size) {
  std::lock_guard<std::mutex> lock(state().mutex);
  *size = static_cast<sqlite3_int64>(shim(f)->image->current.size());
  return SQLITE_OK;
}

int shim_lock(sqlite3_file* f, int level) { return shim(f)->real->pMethods->xLock(shim(f)->real, level); }
int shim_unlock(sqlite3_file* f, int level) { return shim(f)->real->pMethods->xUnlock(shim(f)->real, level); }
int shim_check_reserved(sqlite3_file* f, int* out) {
  return shim(f)->real->pMethods->xCheckReservedLock(shim(f)->real, out);
}
int shim_file_control(sqlite3_file* f, int op, void* arg) {
  // A size hint would grow the real file, which this VFS does not use for data.
  if (op == SQLITE_FCNTL_SIZE_HINT) return SQLITE_OK;
  return shim(f)->real->pMethods->xFileControl(shim(f)->real, op, arg);
}
int shim_sector_size(sqlite3_file* f) { return shim(f)->real->pMethods->xSectorSize(shim(f)->real); }
int shim_device_characteristics(sqlite3_file* f) {
  return shim(f)->real->pMethods->xDeviceCharacteristics(shim(f)->real);
}
int shim_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return shim(f)->real->pMethods->xShmMap(shim(f)->real, page, size, extend, out);
}
int shim_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return shim(f)->real->pMethods->xShmLock(shim(f)->real, offset, n, flags);
}
void shim_shm_barrier(sqlite3_file* f) { shim(f)->real->pMethods->xShmBarrier(shim(f)->real); }
int shim_shm_unmap(sqlite3_file* f, int delete_flag) {
  return shim(f)->real->pMethods->xShmUnmap(shim(f)->real, delete_flag);
}
// No memory-mapped reads: every read must see the in-memory image.
int shim_fetch(sqlite3_file*, sqlite3_int64, int, void** out) {
  *out = nullptr;
  return SQLITE_OK;
}
int shim_unfetch(sqlite3_file*, sqlite3_int64, void*) { return SQLITE_OK; }

const sqlite3_io_methods kMethods = {3,
                                     shim_close,
                                     shim_read,
                                     shim_write,
                                     shim_truncate,
                                     shim_sync,
                                     shim_file_size,
                                     shim_lock,
                                     shim_unlock,
                                     shim_check_reserved,
                                     shim_file_control,
                                     shim_sector_size,
                                     shim_device_characteristics,
                                     shim_shm_map,
                                     shim_shm_lock,
                                     shim_shm_barrier,
                                     shim_shm_unmap,
                                     shim_fetch,
                                     shim_unfetch};

bool is_watched(const State& s, const char* name, int flags) {
  if (!name || s.watched.empty()) return false;
  if (!(flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL))) return false;
  return std::string_view(name).substr(0, s.watched.size()) == s.watched;
}

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int vfs_open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  State& s = state();
  bool watched;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    watched = is_watched(s, name, flags);
  }
  // Not ours: the unix VFS fills `f` itself (our slot is big enough).
  if (!watched) return s.base->xOpen(s.base, name, f, flags, out_flags);
  auto* p = shim(f);
  p->base.pMethods = nullptr;
  p->real = reinterpret_cast<sqlite3_file*>(p + 1);
  int rc = s.base->xOpen(s.base, name, p->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  std::lock_guard<std::mutex> lock(s.mutex);
  auto& image = s.images[name];
  if (!image) {
    image = std::make_unique<Image>();
    image->durable = image->current = read_whole(name);
  }
  ++image->open_handles;
  p->image = image.get();
  p->base.pMethods = &kMethods;
  return SQLITE_OK;
}

int vfs_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  State& s = state();
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    auto it = s.images.find(name);
    if (it != s.images.end()) {
      if (s.dead) return SQLITE_IOERR_DELETE;
      // Deleting is a directory change SQLite only makes after syncing what
      // the file protected, so it is taken as durable at once.
      if (it->second->open_handles == 0) s.images.erase(it);
      else it->second->durable.clear(), it->second->current.clear(), it->second->pending.clear();
    }
  }
  return s.base->xDelete(s.base, name, sync_dir);
}

int vfs_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  State& s = state();
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    auto it = s.images.find(name);
    if (it != s.images.end() && flags == SQLITE_ACCESS_EXISTS) {
      *out = it->second->current.empty() ? 0 : 1;  // as the unix VFS: an empty file does not exist
      return SQLITE_OK;
    }
  }
  return s.base->xAccess(s.base, name, flags, out);
}

void write_out(State& s, const std::string& path, const std::string& content) {
  if (s.images.at(path)->open_handles != 0)
    throw std::logic_error("power cut with " + path + " still open: close every connection first");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

void reset(State& s) {
  s.images.clear();
  s.ops = 0;
  s.cut_at = 0;
  s.dead = false;
}

// A torn write: a sector-aligned prefix lands, the next sector (within the
// write: the unix VFS promises powersafe overwrite) turns to garbage.
PendingOp torn(const PendingOp& op, std::mt19937_64& rng) {
  PendingOp t = op;
  if (op.data.empty()) return t;
  auto sectors = static_cast<std::int64_t>((op.data.size() + kSector - 1) / kSector);
  auto keep = static_cast<std::size_t>(std::uniform_int_distribution<std::int64_t>(0, sectors - 1)(rng) * kSector);
  auto garbage_end = std::min(op.data.size(), keep + kSector);
  for (std::size_t i = keep; i < garbage_end; ++i) t.data[i] = static_cast<char>(rng());
  t.data.resize(garbage_end);
  return t;
}

}  // namespace

PowerLossVfs::Installed::Installed(std::string watched_dir) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.base) {
    s.base = sqlite3_vfs_find(nullptr);
    s.vfs = *s.base;  // the rest (paths, randomness, time) is the unix VFS's
    s.vfs.zName = kName;
    s.vfs.pNext = nullptr;
    s.vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + s.base->szOsFile;
    s.vfs.xOpen = vfs_open;
    s.vfs.xDelete = vfs_delete;
    s.vfs.xAccess = vfs_access;
  }
  if (sqlite3_vfs_register(&s.vfs, 1) != SQLITE_OK) throw std::runtime_error("cannot register the power-loss VFS");
  s.watched = std::filesystem::weakly_canonical(watched_dir).string();
  reset(s);
  s.space_limit = -1;
}

PowerLossVfs::Installed::~Installed() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  sqlite3_vfs_register(s.base, 1);
  sqlite3_vfs_unregister(&s.vfs);
  s.watched.clear();
  reset(s);
  s.space_limit = -1;
}

void PowerLossVfs::arm_cut_at(std::int64_t op) {
  std::lock_guard<std::mutex> lock(state().mutex);
  state().cut_at = op > 0 ? state().ops + op : 0;
}

std::int64_t PowerLossVfs::ops() {
  std::lock_guard<std::mutex> lock(state().mutex);
  return state().ops;
}

bool PowerLossVfs::power_failed() {
  std::lock_guard<std::mutex> lock(state().mutex);
  return state().dead;
}

PowerCut PowerLossVfs::cut_power(std::mt19937_64& rng) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  PowerCut cut;
  for (auto& [path, image] : s.images) {
    std::string content = image->durable;
    for (const PendingOp& op : image->pending) {
      auto fate = rng() % 10;
      if (fate < 4) {
        apply_op(content, op);
        ++cut.kept;
      } else if (fate < 8 || op.truncate) {
        ++cut.dropped;
      } else {
        apply_op(content, torn(op, rng));
        ++cut.torn;
      }
    }
    write_out(s, path, content);
  }
  reset(s);
  return cut;
}

void PowerLossVfs::flush() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  for (auto& [path, image] : s.images) write_out(s, path, image->current);
  reset(s);
}

void PowerLossVfs::set_space_limit(std::int64_t bytes) {
  std::lock_guard<std::mutex> lock(state().mutex);
  state().space_limit = bytes;
}

std::int64_t PowerLossVfs::used_bytes() {
  std::lock_guard<std::mutex> lock(state().mutex);
  return total_size(state());
}

}  // namespace hallsync::test
