// PeriodicJob: a thread that sleeps on a condition variable until the next
// run is due or it is told to stop.
#include "sync/api/periodic_job.h"

namespace hallsync {

PeriodicJob::PeriodicJob(PeriodicTiming timing, std::function<void()> job)
    : timing_(timing), job_(std::move(job)), thread_([this] { run(); }) {}

PeriodicJob::~PeriodicJob() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::uint64_t PeriodicJob::runs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return runs_;
}

void PeriodicJob::run() {
  // Steady time: a wall clock set back by a day must not delay the next run by a day.
  auto due = std::chrono::steady_clock::now() + timing_.first_delay;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (wake_.wait_until(lock, due, [this] { return stopping_; })) return;
    }
    job_();
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++runs_;
    }
    // From the end of a run: a slow run never makes the next one start at once.
    due = std::chrono::steady_clock::now() + timing_.period;
  }
}

}  // namespace hallsync
