// `hallctl doctor` and `hallctl log`: what is wrong with this hall's sync, and
// what its sync sessions did (logic in client/diagnostics/).
#include <iostream>

#include "client/diagnostics/doctor.h"
#include "client/diagnostics/sync_log.h"
#include "client/store/hall_store.h"
#include "tools/hallctl/ctl_commands.h"

namespace hallsync::tools {

void add_doctor_command(CLI::App& app, CtlCommandSet& set) {
  auto* cmd = app.add_subcommand("doctor", "check the store, halld, config, outbox, the path to the hub, clock and disk; "
                                           "exit 0 healthy, 1 warnings, 2 failures");
  auto min_free_mb = std::make_shared<std::int64_t>(1024);
  cmd->add_option("--data-dir", set.data_dir, "hall data directory")->required();
  cmd->add_flag("--json", set.json, "JSON output");
  cmd->add_option("--min-free-mb", *min_free_mb, "warn below this much free disk (fail below a tenth of it)")
      ->check(CLI::Range(1, 1 << 30));
  cmd->callback([&set, min_free_mb] {
    set.action = [&set, min_free_mb] {
      client::diagnostics::DoctorThresholds t;
      t.free_warn_bytes = *min_free_mb << 20;
      t.free_fail_bytes = t.free_warn_bytes / 10;
      auto checks = client::diagnostics::run_doctor(set.data_dir, SystemClock::instance(), t);
      if (set.json) std::cout << client::diagnostics::doctor_json(checks).dump(2) << "\n";
      else std::cout << client::diagnostics::doctor_text(checks);
      return client::diagnostics::doctor_exit_code(checks);
    };
  });
}

void add_log_command(CLI::App& app, CtlCommandSet& set) {
  auto* cmd = app.add_subcommand("log", "the sync sessions halld ran, newest first");
  auto outcome = std::make_shared<std::string>();
  auto since = std::make_shared<std::string>();
  auto last = std::make_shared<int>(50);
  cmd->add_option("--data-dir", set.data_dir, "hall data directory")->required();
  cmd->add_flag("--json", set.json, "JSON output");
  cmd->add_option("--outcome", *outcome, "only sessions that ended ok or failed")->check(CLI::IsMember({"ok", "failed"}));
  auto* since_opt = cmd->add_option("--since", *since, "only sessions started at or after (2026-11-28, 2026-11-28T10:00:00Z)");
  cmd->add_option("--last", *last, "at most this many sessions (default 50)")->check(CLI::Range(1, 1000000))->excludes(since_opt);
  cmd->callback([&set, outcome, since, last, since_opt] {
    set.action = [&set, outcome, since, last, since_opt] {
      client::diagnostics::SyncLogFilter filter;
      if (!outcome->empty()) filter.ok = *outcome == "ok";
      if (since_opt->count()) {
        auto ms = client::diagnostics::parse_iso_time(*since);
        if (!ms) return ctl_error(ms.status());
        filter.since_ms = *ms;
        filter.last = 1000000;
      } else {
        filter.last = *last;
      }
      auto store = client::HallStore::open(set.data_dir, SystemClock::instance());
      if (!store) return ctl_error(store.status());
      auto runs = client::diagnostics::read_sync_log((*store)->db(), filter);
      if (!runs) return ctl_error(runs.status());
      if (set.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& r : *runs) list.push_back(client::diagnostics::sync_run_json(r));
        std::cout << list.dump(2) << "\n";
      } else if (runs->empty()) {
        std::cout << "no sync sessions match (halld records one per session)\n";
      } else {
        for (const auto& r : *runs) std::cout << client::diagnostics::sync_run_line(r) << "\n";
      }
      return 0;
    };
  });
}

}  // namespace hallsync::tools
