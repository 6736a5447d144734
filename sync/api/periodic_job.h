// PeriodicJob: runs a maintenance job on its own thread — once `first_delay`
// after construction, then every `period` — until destroyed. Used for the
// scheduled blob garbage collection of halld and `hallhub serve`. The timing
// is a parameter, so tests run it with milliseconds rather than days.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace hallsync {

struct PeriodicTiming {
  std::chrono::milliseconds first_delay{0};
  std::chrono::milliseconds period{0};
};

class PeriodicJob {
 public:
  // `job` runs on the job's thread, never twice at once; it reports its own
  // outcome (a log line), so a failure never stops later runs.
  PeriodicJob(PeriodicTiming timing, std::function<void()> job);
  // Stops waiting at once; waits for a run in progress to finish.
  ~PeriodicJob();
  PeriodicJob(const PeriodicJob&) = delete;
  PeriodicJob& operator=(const PeriodicJob&) = delete;

  std::uint64_t runs() const;  // completed runs

 private:
  void run();
  PeriodicTiming timing_;
  std::function<void()> job_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t runs_ = 0;
  std::thread thread_;
};

}  // namespace hallsync
