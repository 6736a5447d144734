// `hallctl configure`, `hallctl enroll`, `hallctl sync`, `hallctl explain`.
#include <unistd.h>

#include <iostream>
#include <random>
#include <thread>
#include <nlohmann/json.hpp>

#include "client/daemon/sync_history.h"
#include "client/enrollment/hub_link.h"
#include "client/store/case_change_sink.h"
#include "client/store/case_repository.h"
#include "client/store/material_attach.h"
#include "sync/api/change_log.h"
#include "sync/api/enrollment.h"
#include "sync/api/redact.h"
#include "sync/api/replicator.h"
#include "sync/api/retry_policy.h"
#include "tools/hallctl/ctl_commands.h"

namespace hallsync::tools {

int ctl_error(const Status& s) {
  std::cerr << "hallctl: " << redact_pii(s.to_string()) << (s.code().empty() ? "" : " [" + s.code() + "]") << "\n";
  return 2;
}

void add_configure_command(CLI::App& app, CtlCommandSet& set) {
  auto* cmd = app.add_subcommand("configure", "set the hub URL and device token (written to DATA_DIR/hub.conf, mode 0600)");
  auto link = std::make_shared<client::HubLink>();
  cmd->add_option("--data-dir", set.data_dir, "hall data directory")->required();
  cmd->add_option("--hub", link->hub_url, "hub URL, e.g. https://hub.example:8443")->required();
  cmd->add_option("--token", link->token, "device token from `hallhub device add`")->required();
  cmd->add_option("--ca-file", link->ca_file, "extra CA bundle for the hub's certificate (e.g. the district CA)");
  cmd->add_option("--pin", link->pinned_key, "also require the hub's public key: sha256//BASE64 (README, TLS)");
  cmd->callback([&set, link] {
    set.action = [&set, link] {
      Status s = client::save_hub_link(set.data_dir, *link);
      if (!s.is_ok()) return ctl_error(s);
      std::cout << "hub link saved: " << link->hub_url << "\n";
      if (client::is_plain_http(*link))
        std::cerr << "hallctl: warning: plain HTTP, allowed only because the hub is on this PC; "
                     "a hub elsewhere needs https://\n";
      return 0;
    };
  });
}

void add_enroll_command(CLI::App& app, CtlCommandSet& set) {
  auto* cmd = app.add_subcommand("enroll", "exchange a one-time enrollment code (from `hallhub enroll-code`) for this "
                                           "device's credentials, written to DATA_DIR/hub.conf (mode 0600)");
  auto link = std::make_shared<client::HubLink>();
  auto code = std::make_shared<std::string>();
  cmd->add_option("--data-dir", set.data_dir, "hall data directory")->required();
  cmd->add_option("--hub", link->hub_url, "hub URL, e.g. https://hub.example:8443")->required();
  cmd->add_option("--code", *code, "the enrollment code, e.g. ABCD-EFGH-JKLM-NPQR-STUV")->required();
  cmd->add_option("--ca-file", link->ca_file, "extra CA bundle for the hub's certificate (e.g. the district CA)");
  cmd->add_option("--pin", link->pinned_key, "also require the hub's public key: sha256//BASE64 (README, TLS)");
  cmd->callback([&set, link, code] {
    set.action = [&set, link, code] {
      // The link's rules (https:// off this PC, pin format) are checked before
      // the code is spent: a code used on a link that cannot be saved is lost.
      client::HubLink checked = *link;
      checked.token = "pending";
      if (Status s = client::validate_hub_link(checked); !s.is_ok()) return ctl_error(s);
      auto transport = make_curl_transport(client::transport_options(*link));
      auto grant = redeem_enrollment_code(*transport, *code);
      // #7: enrollment, and a refused attempt, are audited (never the code or the token).
      if (!grant) {
        audit_ctl(set.data_dir, "enroll", link->hub_url, grant.status());
        return ctl_error(grant.status());
      }
      link->token = grant->token;
      Status saved = client::save_hub_link(set.data_dir, *link);
      audit_ctl(set.data_dir, "enroll", grant->device_id, saved, "hub " + link->hub_url);
      if (!saved.is_ok()) return ctl_error(saved);
      std::cout << "enrolled as device " << grant->device_id << " (hall " << grant->hall_code << ", device "
                << grant->device_code << "); credentials saved in " << set.data_dir << "/" << client::kHubLinkFile
                << "\n";
      return 0;
    };
  });
}

void add_sync_command(CLI::App& app, CtlCommandSet& set) {
  auto* cmd = app.add_subcommand("sync", "push the outbox, then pull the hall's changes, once; print what moved");
  auto retries = std::make_shared<int>(0);
  cmd->add_option("--retries", *retries, "retry transient (network) failures this many times, with backoff")
      ->check(CLI::Range(0, 100));
  cmd->add_option("--data-dir", set.data_dir, "hall data directory")->required();
  cmd->add_flag("--json", set.json, "JSON output");
  cmd->callback([&set, retries] {
    set.action = [&set, retries] {
      auto store = client::HallStore::open(set.data_dir, SystemClock::instance(), WriterRank::Background);
      if (!store) return ctl_error(store.status());
      auto link = client::load_hub_link(set.data_dir);
      if (!link) return ctl_error(link.status());
      auto transport = make_curl_transport(client::transport_options(*link));
      client::CaseChangeSink sink(**store);
      ReplicatorOptions ropts;
      ropts.blob_dir = client::blob_dir(**store);  // scanned materials go up after the case events
      Replicator replicator((*store)->db(), *transport, sink, SystemClock::instance(),
                            {(*store)->identity().device_id(), link->token}, ropts);
      bool tty = isatty(STDERR_FILENO);
      replicator.on_progress = [tty](const SyncStats& s) {
        std::cerr << (tty ? "\r" : "") << "pushed " << s.pushed << "  pulled " << s.pulled << "  sent " << s.bytes_sent
                  << " B  received " << s.bytes_received << " B  blob chunks " << s.blob_chunks << (tty ? "" : "\n")
                  << std::flush;
      };
      std::int64_t started_ms = SystemClock::instance().now_ms();
      auto result = replicator.sync();
      std::mt19937 rng(std::random_device{}());
      RetryPolicy backoff;
      for (int attempt = 1; !result && result.status().is_transient() && attempt <= *retries; ++attempt) {
        auto wait = backoff.delay(attempt, std::uniform_real_distribution<double>(0, 1)(rng));
        std::cerr << "\n" << redact_pii(result.status().to_string()) << "; retry " << attempt << "/" << *retries << " in "
                  << wait.count() / 1000.0 << " s\n";
        std::this_thread::sleep_for(wait);
        result = replicator.sync();
      }
      if (tty) std::cerr << "\n";
      const SyncStats& s = replicator.last_stats();
      // A session by hand is a session: it belongs in the history halld keeps.
      Status recorded = client::daemon::record_sync_run(
          (*store)->db(), client::daemon::make_run_record(started_ms, SystemClock::instance().now_ms(), s,
                                                          result ? Status::ok() : result.status()));
      if (!recorded.is_ok()) std::cerr << "warning: session not recorded in the sync history: " << recorded.to_string() << "\n";
      if (set.json) {
        nlohmann::json j = {{"ok", result.is_ok()},     {"pushed", s.pushed},
                            {"rejected", s.rejected},   {"pulled", s.pulled},
                            {"bytes_sent", s.bytes_sent}, {"bytes_received", s.bytes_received},
                            {"clock_offset_ms", s.clock_offset_ms}, {"clock_warning", s.clock_warning},
                            {"blobs_uploaded", s.blobs_uploaded}, {"blob_bytes", s.blob_bytes},
                            {"blobs_downloaded", s.blobs_downloaded},
                            {"blobs_not_yet_on_hub", s.blobs_not_yet_on_hub}};
        if (!result) j["error"] = {{"kind", error_kind_name(result.status().kind())}, {"code", result.status().code()},
                                   {"message", redact_pii(result.status().message())}};
        std::cout << j.dump(2) << "\n";
      } else {
        std::cout << "pushed " << s.pushed << " (rejected " << s.rejected << "), pulled " << s.pulled << ", sent "
                  << s.bytes_sent << " B, received " << s.bytes_received << " B, clock offset " << s.clock_offset_ms
                  << " ms\n";
        if (s.blobs_uploaded || s.blob_bytes || s.blobs_downloaded || s.blobs_not_yet_on_hub)
          std::cout << "scanned materials: " << s.blobs_uploaded << " uploaded (" << s.blob_bytes << " B sent), "
                    << s.blobs_downloaded << " downloaded"
                    << (s.blobs_not_yet_on_hub ? ", " + std::to_string(s.blobs_not_yet_on_hub) +
                                                     " not on the hub yet (the PC that attached them has not uploaded them; 尚未上传)"
                                               : std::string())
                    << "\n";
        if (s.clock_warning)
          std::cout << "warning: this PC's clock differs from the hub's by " << s.clock_offset_ms / 1000
                    << " s — set the clock (时间不准)\n";
      }
      if (!result) return ctl_error(result.status());
      return 0;
    };
  });
}

void add_explain_command(CLI::App& app, CtlCommandSet& set) {
  auto* cmd = app.add_subcommand("explain", "where one case stands in sync: each event acknowledged or not, rejections, cursor");
  auto ref = std::make_shared<std::string>();
  cmd->add_option("--data-dir", set.data_dir, "hall data directory")->required();
  cmd->add_option("CASE", *ref, "acceptance number, case id or platform number")->required();
  cmd->add_flag("--json", set.json, "JSON output");
  cmd->callback([&set, ref] {
    set.action = [&set, ref] {
      auto store = client::HallStore::open(set.data_dir, SystemClock::instance());
      if (!store) return ctl_error(store.status());
      client::CaseRepository repo(**store);
      auto view = repo.load(*ref);
      if (!view) return ctl_error(view.status());
      Database& db = (*store)->db();
      ChangeLog log(db);
      auto stats = log.stats();
      if (!stats) return ctl_error(stats.status());
      std::string me = (*store)->identity().device_id();
      nlohmann::json events = nlohmann::json::array();
      for (const auto& e : view->events) {
        nlohmann::json j = {{"event_id", e.event_id()}, {"kind", schema::event_kind_code(e.kind)}, {"origin", e.device_id}};
        if (e.device_id == me) {
          j["outbox_seq"] = e.origin_seq;
          j["acknowledged"] = e.origin_seq <= stats->acknowledged_through;
          auto rej = db.prepare("SELECT reason FROM sync_rejections WHERE seq = ?");
          if (rej) {
            rej->bind(1, e.origin_seq);
            if (auto row = rej->step(); row.is_ok() && *row) j["rejected"] = rej->column_text(0);
          }
        } else {
          j["acknowledged"] = true;  // it came from the hub
        }
        events.push_back(j);
      }
      nlohmann::json out = {{"case_id", view->case_id},
                            {"acceptance_no", view->acceptance_no},
                            {"platform_case_no", view->platform_case_no},
                            {"device", me},
                            {"outbox", {{"acknowledged_through", stats->acknowledged_through},
                                        {"last_seq", stats->last_seq}, {"pending", stats->pending}}},
                            {"pull_cursor", *read_sync_value(db, kPullCursorKey, 0)},
                            {"clock_offset_ms", *read_sync_value(db, kClockOffsetKey, 0)},
                            {"events", events}};
      if (set.json) {
        std::cout << out.dump(2) << "\n";
        return 0;
      }
      std::cout << "case " << view->acceptance_no << " (" << view->case_id << ")\n"
                << "platform case number: " << (view->platform_case_no.empty() ? "not yet assigned (the hub has not answered for it)" : view->platform_case_no) << "\n"
                << "outbox: acknowledged through " << stats->acknowledged_through << " of " << stats->last_seq << " ("
                << stats->pending << " waiting)\npull cursor: " << out["pull_cursor"] << "\n";
      for (const auto& j : events) {
        std::cout << "  " << j["event_id"].get<std::string>() << "  " << j["kind"].get<std::string>() << "  ";
        if (j.contains("rejected")) std::cout << "REJECTED by hub: " << j["rejected"].get<std::string>();
        else if (j["acknowledged"].get<bool>()) std::cout << (j["origin"] == me ? "acknowledged by hub" : "received from hub");
        else std::cout << "waiting in outbox";
        std::cout << "\n";
      }
      return 0;
    };
  });
}

}  // namespace hallsync::tools
