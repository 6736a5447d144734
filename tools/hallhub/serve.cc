// `hallhub serve`: the sync protocol over HTTPS, or plain HTTP on loopback only.
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include <boost/asio/ip/address.hpp>
#include <nlohmann/json.hpp>

#include "sync/api/periodic_job.h"
#include "sync/api/redact.h"
#include "sync/hub/hub_pool.h"
#include "sync/net/http_server.h"
#include "tools/hallhub/hub_commands.h"

namespace hallsync::tools {
namespace {

bool is_loopback(const std::string& listen) {
  auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(host, ec);
  return !ec && addr.is_loopback();
}

// TEST ONLY: HALLHUB_TEST_CLOCK_OFFSET_MS shifts the hub's clock, so tests can
// show a hall's clock check against a hub hours off. Announced on stderr.
const Clock& hub_clock() {
  static const OffsetClock clock = [] {
    const char* text = std::getenv("HALLHUB_TEST_CLOCK_OFFSET_MS");
    std::int64_t offset = text ? std::strtoll(text, nullptr, 10) : 0;
    if (offset != 0) std::cerr << "hallhub: TEST ONLY: clock shifted by " << offset << " ms" << std::endl;
    return OffsetClock(SystemClock::instance(), offset);
  }();
  return clock;
}

}  // namespace

std::unique_ptr<hub::HubService> open_hub(const std::string& data_dir, const std::string& store) {
  static const client::HallCasePolicy policy;
  if (data_dir.empty()) {
    report_error(Status::validation("--data-dir is required"));
    return nullptr;
  }
  auto hub = hub::HubService::open(data_dir, hub_clock(), policy, store);
  if (!hub) {
    report_error(hub.status());
    return nullptr;
  }
  return std::move(hub).value();
}

int report_error(const Status& s) {
  std::cerr << "hallhub: " << s.to_string() << (s.code().empty() ? "" : " [" + s.code() + "]") << "\n";
  return s.kind() == ErrorKind::Validation || s.kind() == ErrorKind::NotFound || s.kind() == ErrorKind::Conflict ? 1 : 2;
}

namespace {
// A refused request (no or bad credentials, a replay, another device's or
// another hall's data) leaves one line an operator can follow: from where, what
// was asked, why it was refused (the hub's own reason, PII masked).
void log_refusal(const HttpRequest& req, const std::string& peer, const HttpResponse& res) {
  auto body = nlohmann::json::parse(res.body, nullptr, false);
  std::string code = body.is_object() && body.contains("code") && body["code"].is_string() ? body["code"].get<std::string>() : "";
  std::string why = body.is_object() && body.contains("message") && body["message"].is_string()
                        ? body["message"].get<std::string>()
                        : "";
  // One write per line: with worker threads, refusals are logged at once.
  std::cerr << ("hallhub: refused " + req.method + " " + req.target + " from " + peer + ": " +
                std::to_string(res.status) + " " + code + " — " + redact_pii(why) + "\n")
            << std::flush;
}

// One scheduled collection of abandoned uploads, on a connection of its own:
// the server thread's HubService is only ever called from that thread, and
// this is what `hallhub gc-blobs` does beside a running hub anyway.
void collect_abandoned_uploads(const std::string& data_dir, const std::string& store, int grace_days) {
  auto hub = open_hub(data_dir, store);
  if (!hub) return;  // open_hub has said why on stderr; the next period tries again
  std::int64_t bytes = 0;
  auto n = hub->collect_abandoned_blobs(static_cast<std::int64_t>(grace_days) * 24 * 3600 * 1000, &bytes);
  if (!n) std::cerr << "hallhub: blob gc failed (next run at the next period): " << n.status().to_string() << std::endl;
  else std::cerr << "hallhub: blob gc: dropped " << *n << " abandoned upload(s), " << bytes << " bytes" << std::endl;
}
}  // namespace

void add_serve_command(CLI::App& app, HubCommandSet& set) {
  auto* cmd = app.add_subcommand("serve", "serve the sync protocol over HTTP");
  auto listen = std::make_shared<std::string>("127.0.0.1:8470");
  auto gc_period_s = std::make_shared<int>(3600);
  auto gc_grace_days = std::make_shared<int>(7);
  auto connections = std::make_shared<int>(0);
  auto tls = std::make_shared<net::TlsServerConfig>();
  cmd->add_option("--data-dir", set.data_dir, "hub data directory (blobs; the SQLite store unless --store)")->required();
  cmd->add_option("--store", set.store, "postgresql://… URL of the hub's PostgreSQL store (default: SQLite in --data-dir)");
  cmd->add_option("--listen", *listen, "address:port to listen on (a non-loopback address needs TLS)");
  cmd->add_option("--tls-cert", tls->certificate_chain_file, "PEM certificate chain: the hub's certificate, then intermediates");
  cmd->add_option("--tls-key", tls->private_key_file, "PEM private key of that certificate (keep it mode 0600)");
  cmd->add_option("--blob-gc-period", *gc_period_s,
                  "seconds between collections of uploads abandoned half-way (first one after 5 minutes at most)")
      ->check(CLI::Range(1, 30 * 86400));
  cmd->add_option("--blob-gc-grace-days", *gc_grace_days, "drop incomplete uploads untouched for this many days")
      ->check(CLI::Range(1, 3650));
  cmd->add_option("--store-connections", *connections,
                  "PostgreSQL store: connections, and requests handled at once (default 4); SQLite: 1")
      ->check(CLI::Range(1, 64));
  cmd->callback([&set, listen, tls, gc_period_s, gc_grace_days, connections] {
    set.action = [&set, listen, tls, gc_period_s, gc_grace_days, connections] {
      // Halls send citizens' records: off this machine, only over TLS.
      if (!tls->enabled() && !is_loopback(*listen))
        return report_error(Status::validation("refusing to listen on " + *listen +
                                               ": plain HTTP is allowed on loopback only; give --tls-cert and --tls-key"));
      // Block the stop signals before any thread starts — the store's WAL
      // checkpointer starts with the hub — since threads inherit the mask, then
      // wait for one here: no handler, no race. (A thread started earlier would
      // take a SIGTERM sent before sigwait and die of it instead of stopping.)
      sigset_t stop_signals;
      sigemptyset(&stop_signals);
      sigaddset(&stop_signals, SIGINT);
      sigaddset(&stop_signals, SIGTERM);
      pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
      // PostgreSQL: a pool of connections and as many worker threads, so pulls
      // run while a push holds the store's write lock; SQLite: one, on the
      // server thread (its file has one writer).
      const bool postgres = Database::is_postgres_url(set.store);
      const std::size_t size = *connections > 0 ? static_cast<std::size_t>(*connections) : (postgres ? 4 : 1);
      static const client::HallCasePolicy policy;
      if (set.data_dir.empty()) return report_error(Status::validation("--data-dir is required"));
      auto pool = hub::HubPool::open(set.data_dir, hub_clock(), policy, set.store, size);
      if (!pool) return report_error(pool.status());
      hub::HubPool* hubs = pool->get();
      hubs->set_notice_log([](const std::string& line) { std::cerr << "hallhub: " << redact_pii(line) << std::endl; });
      net::HttpServerOptions options;
      options.listen = *listen;
      options.tls = *tls;
      options.workers = size > 1 ? size : 0;
      // A handler exception becomes a 500 for the client; the operator sees why (PII masked).
      options.error_log = [](const std::string& line) { std::cerr << "hallhub: " << redact_pii(line) << std::endl; };
      auto server = net::HttpServer::start(options, [hubs](const HttpRequest& req, const std::string& peer) {
        HttpResponse res = hubs->handle(req, peer);
        // 409: a push refused as a chain fork or mismatch, a sequence gap, an epoch mismatch.
        if (res.status == 401 || res.status == 403 || res.status == 409) log_refusal(req, peer, res);
        return res;
      });
      if (!server) return report_error(server.status());
      // One line a supervisor or test can read to learn the chosen port.
      std::cout << "hallhub listening on " << (*server)->address() << " epoch " << hubs->first().epoch()
                << (tls->enabled() ? " (TLS)" : " (plain HTTP, loopback only)") << std::endl;
      // Hourly: an upload is abandoned only after days without an offer or a
      // chunk, so one in flight is never touched (collect_abandoned_blobs).
      std::chrono::milliseconds gc_period = std::chrono::seconds(*gc_period_s);
      PeriodicJob blob_gc({std::min<std::chrono::milliseconds>(std::chrono::minutes(5), gc_period), gc_period},
                          [data_dir = set.data_dir, store = set.store, days = *gc_grace_days] {
                            collect_abandoned_uploads(data_dir, store, days);
                          });
      int received = 0;
      sigwait(&stop_signals, &received);
      (*server)->stop();
      std::cout << "hallhub stopped" << std::endl;
      return 0;
    };
  });
}

}  // namespace hallsync::tools
