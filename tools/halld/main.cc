// halld: the always-on hall daemon (issue #4). Wires the pieces in
// client/daemon/ to the HTTP server: the local API on the server thread with
// its own HallStore, sync sessions on the scheduler's thread with another.
// This entry point lives in tools/ because it includes sync/net/ (the Beast
// server), which the layering rule keeps out of client/.
//
// SIGHUP rereads the config (timing settings; listen needs a restart).
// Exit status: 0 after SIGTERM/SIGINT, 2 for any startup error (bad flag or
// config, non-loopback listen, missing store, another halld on the data dir,
// port in use).
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>

#include "client/daemon/daemon_config.h"
#include "client/daemon/daemon_log.h"
#include "client/daemon/instance_lock.h"
#include "client/daemon/local_api.h"
#include "client/daemon/audit_purge_job.h"
#include "client/daemon/blob_gc_job.h"
#include "client/daemon/sync_scheduler.h"
#include "client/domain/material_file.h"
#include "client/store/staff_accounts.h"
#include "sync/api/redact.h"
#include "sync/net/http_server.h"

using namespace hallsync;
using namespace hallsync::client::daemon;

namespace {

// The longest halld waits, after a stop signal, for a sync session stuck in a
// network call before abandoning it (the process must be gone within 2 s).
constexpr auto kStopBudget = std::chrono::milliseconds(1500);

int startup_error(const Status& s) {
  std::cerr << "halld: error: " << redact_pii(s.message()) << (s.code().empty() ? "" : " [" + s.code() + "]")
            << std::endl;
  return 2;
}

// SIGHUP: rereads the flags and the config file. Timing settings apply at
// once; a new listen address needs a restart; a bad file changes nothing.
void reload(const std::vector<std::string>& args, DaemonConfig& current, SyncScheduler& scheduler) {
  auto fresh = load_config(args);
  if (!fresh) {
    log_error("SIGHUP: config not reloaded, keeping the running settings: " + fresh.status().message());
    return;
  }
  if (fresh->listen != current.listen)
    log_warn("SIGHUP: listen changed to " + fresh->listen + "; restart halld to move the API (still on " +
             current.listen + ")");
  fresh->listen = current.listen;
  current = *fresh;
  scheduler.reconfigure(std::chrono::seconds(current.sync_period_s), std::chrono::seconds(current.debounce_s),
                        std::chrono::seconds(current.stall_timeout_s));
  log_info("SIGHUP: config reloaded: sync_period_s=" + std::to_string(current.sync_period_s) +
           " debounce_s=" + std::to_string(current.debounce_s) +
           " stall_timeout_s=" + std::to_string(current.stall_timeout_s));
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv, argv + argc);
  auto config = load_config(args);
  if (!config) {
    std::cerr << usage_text();
    return startup_error(config.status());
  }
  if (config->help) {
    std::cout << usage_text();
    return 0;
  }
  // Block the stop signals before any thread starts — the store's WAL
  // checkpointer starts with the store — since threads inherit the mask; main
  // waits for them with sigwait: no handler, no race. (A thread started
  // earlier would take a SIGHUP sent before main reaches sigwait and die of it.)
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  auto lock = InstanceLock::acquire(config->data_dir);
  if (!lock) return startup_error(lock.status());
  // Every page is read once at start: halld runs for days and must not meet a
  // damaged page mid-registration, nor migrate or write into one.
  auto store = client::HallStore::open(config->data_dir, SystemClock::instance(), WriterRank::Foreground,
                                       client::StoreCheck::Pages);
  if (!store) return startup_error(store.status());


  ReferenceGeneration reference;
  SchedulerOptions sopts;
  sopts.data_dir = config->data_dir;
  sopts.period = std::chrono::seconds(config->sync_period_s);
  sopts.debounce = std::chrono::seconds(config->debounce_s);
  sopts.stall_timeout = std::chrono::seconds(config->stall_timeout_s);
  SyncScheduler scheduler(sopts, reference);
  LocalApi api(**store, scheduler, reference);

  net::HttpServerOptions options;
  options.listen = config->listen;
  // A scanned material (POST /api/cases/{ref}/materials) is the largest body.
  options.max_body_bytes = static_cast<std::size_t>(client::kMaxMaterialBytes) + 64 * 1024;
  options.error_log = [](const std::string& line) { log_error("local API handler: " + line); };
  // LocalApi serves one request at a time; with a LAN listener beside the
  // loopback one, two server threads share it through this lock.
  std::mutex api_mutex;
  auto server = net::HttpServer::start(options, [&api, &api_mutex](const HttpRequest& request, const std::string&) {
    std::lock_guard<std::mutex> one_at_a_time(api_mutex);
    return api.handle(request);
  });
  if (!server) return startup_error(server.status());
  std::unique_ptr<net::HttpServer> lan_server;
  if (!config->lan_listen.empty()) {
    // Reachable from other PCs: only with sign-in required for every case page.
    auto accounts = client::any_staff((*store)->db());
    if (!accounts) return startup_error(accounts.status());
    if (!*accounts)
      return startup_error(Status::validation(
          "LAN mode (lan_listen) needs staff accounts, so that every page asks for a sign-in: add them with "
          "`hall account add` first"));
    net::HttpServerOptions lan = options;
    lan.listen = config->lan_listen;
    lan.tls = {config->tls_cert, config->tls_key};
    auto started = net::HttpServer::start(lan, [&api, &api_mutex](const HttpRequest& request, const std::string&) {
      HttpResponse response;
      {
        std::lock_guard<std::mutex> one_at_a_time(api_mutex);
        response = api.handle(request);
      }
      // Over HTTPS the session cookie is never to be sent in clear.
      for (auto& [name, value] : response.headers)
        if (name == "Set-Cookie") value += "; Secure";
      return response;
    });
    if (!started) return startup_error(started.status());
    lan_server = std::move(started).value();
  }
  scheduler.start();
  // Scanned files no case names any more go after the grace period; queued
  // uploads are never touched (the collection checks the upload queue).
  const std::string data_dir = config->data_dir;
  const int grace_days = config->blob_gc_grace_days, retention_days = config->scan_retention_days;
  // The same daily job purges expired scans and audit entries past their retention (#7).
  const int audit_days = config->audit_retention_days;
  PeriodicJob blob_gc(blob_gc_timing(config->blob_gc_period_s), [data_dir, grace_days, retention_days, audit_days] {
    auto r = run_blob_gc(data_dir, grace_days);
    if (r) log_info(blob_gc_summary(*r));
    else log_warn("blob gc failed (next run at the next period): " + r.status().to_string());
    auto purged = run_scan_retention(data_dir, retention_days);
    if (purged) log_info(scan_retention_summary(*purged));
    else log_warn("scan retention failed (next run at the next period): " + purged.status().to_string());
    auto purge = run_audit_purge(data_dir, audit_days);
    if (purge) log_info(audit_purge_summary(*purge));
    else log_warn("audit purge failed (next run at the next period): " + purge.status().to_string());
  });

  // One line a supervisor or a test reads to learn the port (port 0 = any free one).
  std::cout << "halld listening on " << (*server)->address() << std::endl;
  if (lan_server) std::cout << "halld LAN listening on " << lan_server->address() << " (TLS)" << std::endl;
  log_info("started: pid=" + std::to_string(getpid()) + " data_dir=" + config->data_dir + " device=" + (*store)->identity().device_id() +
           " sync_period_s=" + std::to_string(config->sync_period_s) + " debounce_s=" +
           std::to_string(config->debounce_s) + " stall_timeout_s=" + std::to_string(config->stall_timeout_s) +
           " blob_gc_period_s=" + std::to_string(config->blob_gc_period_s) +
           " blob_gc_grace_days=" + std::to_string(config->blob_gc_grace_days) +
           " scan_retention_days=" + std::to_string(config->scan_retention_days) +
           " audit_retention_days=" + std::to_string(config->audit_retention_days) +
           (config->config_file.empty() ? "" : " config=" + config->config_file));

  for (;;) {
    int received = 0;
    sigwait(&signals, &received);
    if (received == SIGHUP) {
      reload(args, *config, scheduler);
      continue;
    }
    log_info(std::string("stopping on ") + (received == SIGTERM ? "SIGTERM" : "SIGINT"));
    break;
  }
  auto stop_started = std::chrono::steady_clock::now();
  scheduler.request_stop();
  if (lan_server) lan_server->stop();
  (*server)->stop();  // returns once a running API call has finished
  auto left = kStopBudget - std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - stop_started);
  if (!scheduler.join_for(std::max(left, std::chrono::milliseconds(0)))) {
    // A session is inside a network call. Every push batch and pull page is
    // its own transaction, so abandoning it leaves nothing half-applied; the
    // WAL keeps every commit. Skip destructors that would wait for it.
    log_warn("a sync session is still in a network call; abandoning it (nothing is half-applied)");
    std::cout << "halld stopped" << std::endl;
    std::fflush(nullptr);
    _exit(0);
  }
  lan_server.reset();
  server->reset();
  store->reset();
  std::cout << "halld stopped" << std::endl;
  log_info("stopped");
  return 0;
}
