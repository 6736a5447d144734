// PowerLossVfs: a test-only SQLite VFS over the default (unix) one that keeps
// every file's unsynced writes in memory, the way SQLite's own crash tests do.
// Until xSync a write lives only in the file's in-memory image; at a simulated
// power cut each unsynced write is kept, dropped or torn (a sector-aligned
// prefix lands, the next sector becomes garbage, the rest never arrives), by
// a seeded random choice, and the result is written to the real file for the
// next "boot" to open. It can also play a full disk (SQLITE_FULL once the
// watched files would outgrow a quota).
//
// Only files under a watched directory are shimmed (the hub's database in the
// same process is not). Locks and shared memory go to the unix VFS untouched.
// Never linked into a production binary.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace hallsync::test {

struct PowerCut {
  int kept = 0, dropped = 0, torn = 0;  // fates of the unsynced writes
};

class PowerLossVfs {
 public:
  static constexpr const char* kName = "hallsync-powerloss";

  // Registers the VFS (once per process) and makes it SQLite's default while
  // the guard lives, so every connection the code under test opens (the
  // store's, its checkpointer's) goes through it without a test option in
  // production code. Files outside `watched_dir` pass straight through.
  class Installed {
   public:
    explicit Installed(std::string watched_dir);
    ~Installed();
    Installed(const Installed&) = delete;
    Installed& operator=(const Installed&) = delete;
  };

  // Power fails at the `op`-th mutating call (write, truncate, sync) from now:
  // that call and every later one fail with an I/O error. 0: never.
  static void arm_cut_at(std::int64_t op);
  // Mutating calls seen since the last cut or flush.
  static std::int64_t ops();
  static bool power_failed();

  // The power cut itself: every connection must be closed. Each file becomes
  // its synced content plus, for each unsynced write in order, a random fate.
  // Forgets all images and turns the power back on.
  static PowerCut cut_power(std::mt19937_64& rng);
  // A clean stop: every file gets its current content (nothing lost).
  static void flush();

  // Full disk: writes that would grow the watched files beyond `bytes` in
  // total fail with SQLITE_FULL. Negative: no limit.
  static void set_space_limit(std::int64_t bytes);
  // The watched files' current total size.
  static std::int64_t used_bytes();
};

}  // namespace hallsync::test
