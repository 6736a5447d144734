// `hallctl verify`: proves the hall and the hub hold the same events, or
// lists every differing case and what differs.
#include <iostream>
#include <nlohmann/json.hpp>

#include "client/diagnostics/diagnostics_bundle.h"
#include "client/enrollment/hub_link.h"
#include "client/store/verification.h"
#include "tools/hallctl/ctl_commands.h"

namespace hallsync::tools {

void add_verify_command(CLI::App& app, CtlCommandSet& set) {
  auto* cmd = app.add_subcommand("verify", "compare this hall's events with the hub's, bucket by bucket");
  cmd->add_option("--data-dir", set.data_dir, "hall data directory")->required();
  cmd->add_flag("--json", set.json, "JSON output");
  cmd->callback([&set] {
    set.action = [&set] {
      auto store = client::HallStore::open(set.data_dir, SystemClock::instance());
      if (!store) return ctl_error(store.status());
      auto link = client::load_hub_link(set.data_dir);
      if (!link) return ctl_error(link.status());
      auto transport = make_curl_transport(client::transport_options(*link));
      auto report = client::verify_hall_with_hub(**store, *transport, {(*store)->identity().device_id(), link->token});
      if (!report) return ctl_error(report.status());
      nlohmann::json cases = nlohmann::json::array();
      for (const auto& d : report->cases)
        cases.push_back({{"case_id", d.case_id}, {"missing_here", d.missing_here}, {"missing_at_hub", d.missing_at_hub},
                         {"not_yet_pushed", d.not_yet_pushed}});
      if (set.json) {
        std::cout << nlohmann::json{{"equal", report->equal()}, {"consistent", report->consistent()},
                                    {"differing_buckets", report->differing_buckets}, {"cases", cases}}
                         .dump(2)
                  << "\n";
      } else if (report->equal()) {
        std::cout << "equal: the hall and the hub hold the same events (16 buckets compared)\n";
      } else {
        std::cout << (report->consistent() ? "consistent: only events still waiting in the outbox differ (run hallctl sync)\n"
                                           : "DIFFERENT: the hall and the hub disagree\n");
        for (const auto& d : report->cases) {
          std::cout << "  case " << d.case_id << "\n";
          for (const auto& e : d.missing_here) std::cout << "    at the hub, missing here: " << e << "\n";
          for (const auto& e : d.missing_at_hub) std::cout << "    here (acknowledged), missing at the hub: " << e << "\n";
          for (const auto& e : d.not_yet_pushed) std::cout << "    here, not pushed yet: " << e << "\n";
        }
      }
      return report->equal() ? 0 : report->consistent() ? 1 : 2;
    };
  });
}

}  // namespace hallsync::tools
