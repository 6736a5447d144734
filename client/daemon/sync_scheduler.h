// SyncScheduler: halld's sync thread. It decides when a sync session runs and
// runs it with its own HallStore, never two at once:
//   - every sync_period after the last session (and once at start);
//   - debounce after a write made through the local API (notify_local_write);
//   - at once when asked (request_sync_now, POST /api/sync);
//   - each session first probes the hub (GET /v1/health, bounded to 10 s), so
//     an unreachable or broken hub ends it quickly with a classified error;
//   - a session whose transfers move no byte for stall_timeout is abandoned
//     (network/stalled, class "timeout") and retried like any transient
//     failure: nothing stays wedged. A stop request abandons it too;
//   - after a transient failure (network, 503...), sooner, with RetryPolicy
//     backoff and jitter (2 s doubling, capped at 5 min); after any other
//     failure, at the next period.
// Every session is recorded in sync_history. No hub link (hub.conf missing or
// unreadable) is a failed session like any other: intake goes on regardless,
// and the link is re-read before each session, so `hallctl configure` takes
// effect without a restart.
#pragma once

#include <chrono>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <random>
#include <thread>

#include "client/daemon/store_coordination.h"
#include "client/daemon/sync_history.h"
#include "sync/api/retry_policy.h"
#include "sync/api/status.h"

namespace hallsync::client::daemon {

struct SchedulerOptions {
  std::string data_dir;
  std::chrono::seconds period{300};
  std::chrono::seconds debounce{5};
  std::chrono::seconds stall_timeout{30};
  RetryPolicy retry;
};

// What GET /api/sync/status reports of the scheduler (a copy, taken under its lock).
struct SchedulerStatus {
  bool has_run = false;
  bool last_ok = false;
  bool running = false;
  bool hub_linked = false;
  std::int64_t last_run_ms = 0;
  std::int64_t last_success_ms = 0;
  std::int64_t next_run_ms = 0;       // wall-clock estimate of the next session
  int consecutive_failures = 0;
  std::string error_kind, error_code, error_message;  // of the last failed session (message redacted)
  std::uint64_t sessions = 0;         // sessions finished since start
  std::uint64_t sessions_started = 0;  // the running one included
};

class SyncScheduler {
 public:
  SyncScheduler(SchedulerOptions options, ReferenceGeneration& reference);
  ~SyncScheduler();
  SyncScheduler(const SyncScheduler&) = delete;
  SyncScheduler& operator=(const SyncScheduler&) = delete;

  void start();
  // New timing from a reloaded config (SIGHUP); a shorter period takes effect at once.
  void reconfigure(std::chrono::seconds period, std::chrono::seconds debounce, std::chrono::seconds stall_timeout);
  void notify_local_write();
  // Returns the number of the session that will serve the request: it has
  // finished once status().sessions reaches it (`hall sync now --wait`).
  std::uint64_t request_sync_now();
  SchedulerStatus status() const;

  // Asks the thread to stop after the session in progress (if any).
  void request_stop();
  // Waits up to `timeout` for the thread to end; true when it has (joined).
  // False means a session is still inside a network call: the caller may
  // abandon it — each push batch and pull page is its own transaction, so
  // nothing is half-applied.
  bool join_for(std::chrono::milliseconds timeout);

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  void run();
  // One session: push then pull, recorded in sync_history; returns how it ended.
  Status run_session();
  SteadyTime due_locked() const;

  SchedulerOptions options_;
  ReferenceGeneration* reference_;
  std::unique_ptr<HallStore> store_;  // the sync thread's own connection
  std::mt19937 rng_{std::random_device{}()};

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable done_cv_;
  bool stop_ = false;
  std::atomic<bool> stopping_{false};  // read by the transport's progress callback
  bool done_ = false;
  bool now_requested_ = false;
  SteadyTime periodic_due_{};
  std::optional<SteadyTime> write_due_;
  SchedulerStatus status_;
  std::thread thread_;
};

}  // namespace hallsync::client::daemon
