// Internal to sync/net: the worker threads that run request handlers off the
// server's network thread when HttpServerOptions::workers > 0, so a hub on
// PostgreSQL answers pulls while a push waits on the database. A bounded
// queue: a request that finds it full is answered 503 at once (retryable),
// never buffered without limit.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hallsync::net::detail {

class HandlerPool {
 public:
  HandlerPool(std::size_t workers, std::size_t max_queued);
  ~HandlerPool();
  HandlerPool(const HandlerPool&) = delete;
  HandlerPool& operator=(const HandlerPool&) = delete;

  // Queues `job` for a worker; false (and `job` untouched) when `max_queued`
  // jobs already wait, or the pool has stopped.
  bool submit(std::function<void()>& job);
  // Takes no more jobs, lets the running ones finish, drops the waiting ones
  // (on this thread) and joins the workers. Idempotent.
  void stop();
  std::size_t max_queued() const { return max_queued_; }

 private:
  void work();
  const std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hallsync::net::detail
