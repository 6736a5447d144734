// Background WAL checkpoints on a dedicated connection.
#include "sync/api/wal_checkpointer.h"

#include "sync/api/database.h"

namespace hallsync {

WalCheckpointer::WalCheckpointer(std::string db_path, std::chrono::milliseconds interval)
    : path_(std::move(db_path)), interval_(interval), thread_([this] { run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

Status WalCheckpointer::last_status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_status_;
}

void WalCheckpointer::run() {
  auto db = Database::open(path_, {.create = false, .auto_checkpoint = false});
  std::unique_lock<std::mutex> lock(mutex_);
  if (!db) {
    last_status_ = db.status();
    return;
  }
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    lock.unlock();
    Status s = (*db)->checkpoint();
    lock.lock();
    last_status_ = s;
  }
}

}  // namespace hallsync
