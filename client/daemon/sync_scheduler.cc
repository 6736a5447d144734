// The sync thread of halld: when to run a session, running it, recording it
// (see sync_scheduler.h).
#include "client/daemon/sync_scheduler.h"

#include <algorithm>

#include "client/daemon/daemon_log.h"
#include "client/enrollment/hub_link.h"
#include "client/store/case_change_sink.h"
#include "client/store/material_attach.h"
#include "sync/api/hub_probe.h"
#include "sync/api/redact.h"
#include "sync/api/replicator.h"
#include "sync/api/transport.h"

namespace hallsync::client::daemon {
namespace {

using Steady = std::chrono::steady_clock;

std::int64_t wall_ms() { return SystemClock::instance().now_ms(); }

std::int64_t to_wall_ms(Steady::time_point t) {
  auto delta = std::chrono::duration_cast<std::chrono::milliseconds>(t - Steady::now()).count();
  return wall_ms() + std::max<std::int64_t>(delta, 0);
}

// The session watchdog: progress is a byte moving on the wire or a batch or
// page committed; none within the stall timeout abandons the transfer in
// progress (the transport's keep_going turns false). Only the sync thread
// touches it (curl calls keep_going on that thread).
class StallWatch {
 public:
  explicit StallWatch(std::chrono::seconds limit) : limit_(limit) {}
  bool moving(std::uint64_t moved) {
    auto now = Steady::now();
    if (moved != last_moved_) {
      last_moved_ = moved;
      last_progress_ = now;
    }
    if (now - last_progress_ < limit_) return true;
    tripped_ = true;
    return false;
  }
  // Local work between transfers (applying a page, reading the outbox) is
  // not a stall: each transfer's clock starts when it does.
  void transfer_started() {
    last_progress_ = Steady::now();
    last_moved_ = 0;
  }
  void committed() { last_progress_ = Steady::now(); }
  // A transfer the watchdog abandoned is reported as the stall it was.
  Status explain(const Status& s) const {
    if (!tripped_ || s.code() != "cancelled") return s;
    return Status::network("the sync session made no progress for " + std::to_string(limit_.count()) +
                           " s and was abandoned; it will be retried (" + s.message() + ")")
        .with_code("stalled");
  }

 private:
  std::chrono::seconds limit_;
  Steady::time_point last_progress_ = Steady::now();
  std::uint64_t last_moved_ = 0;
  bool tripped_ = false;
};

// The session's transport, telling the watchdog when each transfer starts.
class WatchedTransport final : public Transport {
 public:
  WatchedTransport(std::unique_ptr<Transport> inner, StallWatch& watch) : inner_(std::move(inner)), watch_(&watch) {}
  Result<HttpResponse> exchange(const HttpRequest& request) override {
    watch_->transfer_started();
    return inner_->exchange(request);
  }
  std::uint64_t bytes_sent() const override { return inner_->bytes_sent(); }
  std::uint64_t bytes_received() const override { return inner_->bytes_received(); }

 private:
  std::unique_ptr<Transport> inner_;
  StallWatch* watch_;
};

// Smaller than the replicator's defaults: each batch and page is one write
// transaction on the store, and a registration at the window waits for the
// one in progress; short transactions keep that wait short while a large
// backlog syncs, at the cost of more round trips.
constexpr std::size_t kPushBatchEntries = 250;
constexpr std::uint32_t kPullPage = 250;

std::string describe(const Status& s) {
  return s.to_string() + (s.code().empty() ? "" : " [" + s.code() + "]");
}

}  // namespace

SyncScheduler::SyncScheduler(SchedulerOptions options, ReferenceGeneration& reference)
    : options_(std::move(options)), reference_(&reference) {}

SyncScheduler::~SyncScheduler() {
  request_stop();
  if (thread_.joinable()) thread_.join();
}

void SyncScheduler::start() {
  std::lock_guard<std::mutex> lock(mu_);
  periodic_due_ = Steady::now();  // a first session at start: catch up on what waited while halld was down
  status_.next_run_ms = wall_ms();
  thread_ = std::thread([this] { run(); });
}

void SyncScheduler::reconfigure(std::chrono::seconds period, std::chrono::seconds debounce,
                                std::chrono::seconds stall_timeout) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.period = period;
  options_.debounce = debounce;
  options_.stall_timeout = stall_timeout;
  if (status_.consecutive_failures == 0) periodic_due_ = std::min(periodic_due_, Steady::now() + period);
  status_.next_run_ms = to_wall_ms(due_locked());
  wake_.notify_all();
}

void SyncScheduler::notify_local_write() {
  std::lock_guard<std::mutex> lock(mu_);
  auto due = Steady::now() + options_.debounce;
  // A burst of writes moves nothing later than the first one asked for.
  if (!write_due_ || due < *write_due_) write_due_ = due;
  status_.next_run_ms = to_wall_ms(due_locked());
  wake_.notify_all();
}

std::uint64_t SyncScheduler::request_sync_now() {
  std::lock_guard<std::mutex> lock(mu_);
  now_requested_ = true;
  status_.next_run_ms = wall_ms();
  wake_.notify_all();
  // A running session may have read the outbox before the request: the next one serves it.
  return status_.sessions_started + 1;
}

SchedulerStatus SyncScheduler::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

void SyncScheduler::request_stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = true;
  stopping_ = true;
  wake_.notify_all();
}

bool SyncScheduler::join_for(std::chrono::milliseconds timeout) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!done_cv_.wait_for(lock, timeout, [this] { return done_; })) return false;
  }
  if (thread_.joinable()) thread_.join();
  return true;
}

SyncScheduler::SteadyTime SyncScheduler::due_locked() const {
  if (now_requested_) return Steady::now();
  return write_due_ ? std::min(periodic_due_, *write_due_) : periodic_due_;
}

void SyncScheduler::run() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      // Re-evaluated after every wakeup: a write or a request may move the due time earlier.
      while (!stop_ && Steady::now() < due_locked()) wake_.wait_until(lock, due_locked());
      if (stop_) break;
      now_requested_ = false;
      write_due_.reset();  // this session pushes every write committed so far
      status_.running = true;
      ++status_.sessions_started;
    }
    Status outcome = run_session();
    std::lock_guard<std::mutex> lock(mu_);
    status_.running = false;
    status_.has_run = true;
    status_.last_ok = outcome.is_ok();
    status_.last_run_ms = wall_ms();
    ++status_.sessions;
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(options_.period);
    if (outcome.is_ok()) {
      status_.last_success_ms = status_.last_run_ms;
      status_.consecutive_failures = 0;
      status_.error_kind.clear();
      status_.error_code.clear();
      status_.error_message.clear();
    } else {
      ++status_.consecutive_failures;
      status_.error_kind = std::string(error_kind_name(outcome.kind()));
      status_.error_code = outcome.code();
      status_.error_message = redact_pii(outcome.message());
      if (outcome.is_transient())
        wait = options_.retry.delay(status_.consecutive_failures, std::uniform_real_distribution<double>(0, 1)(rng_));
    }
    periodic_due_ = Steady::now() + wait;
    status_.next_run_ms = to_wall_ms(due_locked());
    if (!outcome.is_ok())
      log_warn("sync failed: " + describe(outcome) + "; next attempt in " + std::to_string(wait.count()) + " ms" +
               (outcome.is_transient() ? " (backoff, attempt " + std::to_string(status_.consecutive_failures) + ")"
                                       : " (next period)"));
  }
  store_.reset();
  std::lock_guard<std::mutex> lock(mu_);
  done_ = true;
  done_cv_.notify_all();
}

Status SyncScheduler::run_session() {
  std::int64_t started = wall_ms();
  SyncStats stats;
  Status outcome = [&]() -> Status {
    if (!store_) {
      auto opened = HallStore::open(options_.data_dir, SystemClock::instance(), WriterRank::Background);
      if (!opened) return opened.status();
      store_ = std::move(opened).value();
    }
    auto link = load_hub_link(options_.data_dir);
    {
      std::lock_guard<std::mutex> lock(mu_);
      status_.hub_linked = link.is_ok();
    }
    if (!link) {
      // load_hub_link's message already says what to run (hallctl configure).
      return link.status().with_code("no_hub_link");
    }
    CurlTransportOptions topts = transport_options(*link);
    std::chrono::seconds stall_timeout;
    {
      std::lock_guard<std::mutex> lock(mu_);  // reconfigure() may change it
      stall_timeout = options_.stall_timeout;
    }
    topts.low_speed_time_s = static_cast<long>(stall_timeout.count());
    StallWatch watch(stall_timeout);
    topts.keep_going = [this, &watch](std::uint64_t moved) { return !stopping_ && watch.moving(moved); };
    WatchedTransport transport(make_curl_transport(topts), watch);
    CaseChangeSink sink(*store_);
    ReplicatorOptions ropts;
    ropts.push_batch_entries = kPushBatchEntries;
    ropts.pull_page = kPullPage;
    ropts.blob_dir = blob_dir(*store_);  // scanned materials go up after the case events
    Replicator replicator(store_->db(), transport, sink, SystemClock::instance(),
                          {store_->identity().device_id(), link->token}, ropts);
    replicator.on_progress = [&watch](const SyncStats&) { watch.committed(); };
    Status probed = probe_hub(transport, ropts.protocol_version);
    if (!probed) return watch.explain(probed);
    auto result = replicator.sync();
    stats = replicator.last_stats();
    if (!result) return watch.explain(result.status());
    if (stats.pulled > 0) reference_->bump();  // the API's store rereads catalog/calendar
    return Status::ok();
  }();
  SyncRunRecord record = make_run_record(started, wall_ms(), stats, outcome);
  if (store_) {
    if (Status s = record_sync_run(store_->db(), record); !s.is_ok())
      log_error("cannot record the sync session in sync_history: " + describe(s));
  }
  if (outcome.is_ok())
    log_info("sync ok: pushed " + std::to_string(stats.pushed) + " (rejected " + std::to_string(stats.rejected) +
             "), pulled " + std::to_string(stats.pulled) + ", sent " + std::to_string(stats.bytes_sent) +
             " B, received " + std::to_string(stats.bytes_received) + " B, clock offset " +
             std::to_string(stats.clock_offset_ms) + " ms" + (stats.clock_warning ? " (clock warning)" : ""));
  return outcome;
}

}  // namespace hallsync::client::daemon
