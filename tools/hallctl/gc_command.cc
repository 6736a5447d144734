// `hallctl gc-blobs`: removes blob files no case names and no upload waits
// for, once older than the grace period (default 7 days).
#include <iostream>
#include <nlohmann/json.hpp>

#include "client/store/blob_garbage.h"
#include "tools/hallctl/ctl_commands.h"

namespace hallsync::tools {

void add_gc_command(CLI::App& app, CtlCommandSet& set) {
  auto* cmd = app.add_subcommand("gc-blobs", "remove scanned-material files no case references, after a grace period");
  auto grace_days = std::make_shared<int>(7);
  auto dry_run = std::make_shared<bool>(false);
  cmd->add_option("--data-dir", set.data_dir, "hall data directory")->required();
  cmd->add_option("--grace-days", *grace_days, "keep unreferenced files younger than this (days)")->check(CLI::Range(1, 3650));
  cmd->add_flag("--dry-run", *dry_run, "list what would be removed, remove nothing");
  cmd->add_flag("--json", set.json, "JSON output");
  cmd->callback([&set, grace_days, dry_run] {
    set.action = [&set, grace_days, dry_run] {
      auto store = client::HallStore::open(set.data_dir, SystemClock::instance(), WriterRank::Background);
      if (!store) return ctl_error(store.status());
      auto r = client::collect_blob_garbage(**store, static_cast<std::int64_t>(*grace_days) * 24 * 3600 * 1000, *dry_run);
      if (!r) return ctl_error(r.status());
      if (set.json) {
        std::cout << nlohmann::json{{"dry_run", *dry_run}, {"referenced", r->referenced}, {"too_recent", r->too_recent},
                                    {"removed", r->removed}, {"removed_bytes", r->removed_bytes},
                                    {"removed_files", r->removed_files}}
                         .dump(2)
                  << "\n";
      } else {
        for (const auto& f : r->removed_files) std::cout << (*dry_run ? "would remove " : "removed ") << f << "\n";
        std::cout << r->referenced << " referenced kept, " << r->too_recent << " unreferenced within the grace period kept, "
                  << r->removed << (*dry_run ? " would be removed (" : " removed (") << r->removed_bytes << " B)\n";
      }
      return 0;
    };
  });
}

}  // namespace hallsync::tools
