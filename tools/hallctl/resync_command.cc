// `hallctl resync --repush|--repull|--rebuild [--dry-run]` and
// `hallctl export-diagnostics` (logic in client/diagnostics/).
#include <unistd.h>

#include <iostream>

#include "client/diagnostics/diagnostics_bundle.h"
#include "client/diagnostics/resync_session.h"
#include "tools/hallctl/ctl_commands.h"

namespace hallsync::tools {
namespace {

// A bar on a terminal, one line per batch or page otherwise.
void show_progress(const SyncStats& s, std::int64_t total) {
  static const bool tty = isatty(STDERR_FILENO);
  std::int64_t done = s.pushed + s.pulled;
  if (!tty) {
    std::cerr << "progress: pushed " << s.pushed << " pulled " << s.pulled << (total ? " of " + std::to_string(total) : "")
              << "\n";
    return;
  }
  std::string bar;
  if (total > 0) {
    int filled = static_cast<int>(30 * std::min<std::int64_t>(done, total) / total);
    bar = "[" + std::string(filled, '#') + std::string(30 - filled, '.') + "] ";
  }
  std::cerr << "\r" << bar << done << (total ? "/" + std::to_string(total) : "") << " events" << std::flush;
}

}  // namespace

void add_resync_command(CLI::App& app, CtlCommandSet& set) {
  auto* cmd = app.add_subcommand("resync", "repair this hall against the hub: --repush, --repull or --rebuild (stop halld first)");
  struct Args {
    bool repush = false, repull = false, rebuild = false, dry_run = false;
    std::string accept_epoch, hall, device;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--data-dir", set.data_dir, "hall data directory")->required();
  cmd->add_flag("--repush", a->repush, "send every local event again; the hub keeps each once");
  cmd->add_flag("--repull", a->repull, "read the hall's whole history from the hub again");
  cmd->add_flag("--rebuild", a->rebuild, "a fresh store from the hub; unacknowledged local events carried over; old store kept in backups/");
  cmd->add_flag("--dry-run", a->dry_run, "say what would be done, change nothing");
  cmd->add_option("--accept-epoch", a->accept_epoch, "follow a hub that was reset or restored (its new epoch, as doctor shows it)");
  cmd->add_option("--hall", a->hall, "rebuild of a lost store: the hall code");
  cmd->add_option("--device", a->device, "rebuild of a lost store: the device code");
  cmd->callback([&set, a] {
    set.action = [&set, a] {
      if (a->repush + a->repull + a->rebuild != 1)
        return ctl_error(Status::validation("choose exactly one of --repush, --repull, --rebuild"));
      client::diagnostics::ResyncRequest req;
      req.data_dir = set.data_dir;
      req.mode = a->repush ? client::diagnostics::ResyncMode::Repush
                 : a->repull ? client::diagnostics::ResyncMode::Repull
                             : client::diagnostics::ResyncMode::Rebuild;
      req.dry_run = a->dry_run;
      req.accept_epoch = a->accept_epoch;
      if (!a->hall.empty() || !a->device.empty()) req.identity = client::HallIdentity{a->hall, a->device};
      req.say = [](const std::string& line) { std::cout << line << std::endl; };
      req.on_progress = show_progress;
      Status s = client::diagnostics::run_resync(req, SystemClock::instance());
      if (isatty(STDERR_FILENO)) std::cerr << "\n";
      // #7: a forced resync is a repair of the hall's data: audited (a dry run changes nothing).
      if (!a->dry_run && s.code() != "already_running")
        audit_ctl(set.data_dir, "resync", a->repush ? "repush" : a->repull ? "repull" : "rebuild", s,
                  a->accept_epoch.empty() ? "" : "accept epoch " + a->accept_epoch);
      if (!s.is_ok()) {
        if (s.code() == "already_running")
          return ctl_error(Status::conflict("halld is running on " + set.data_dir +
                                            ": stop it first (systemctl stop halld), run resync, then start it again")
                               .with_code(s.code()));
        return ctl_error(s);
      }
      std::cout << (a->dry_run ? "dry run: nothing was changed\n" : "done: check with `hallctl verify`\n");
      return 0;
    };
  });
}

void add_export_command(CLI::App& app, CtlCommandSet& set) {
  auto* cmd = app.add_subcommand("export-diagnostics", "write doctor, verify, config (no secrets), sync history and versions "
                                                       "to FILE.tar.gz, personal data masked");
  auto out = std::make_shared<std::string>();
  auto include_db = std::make_shared<bool>(false);
  cmd->add_option("--data-dir", set.data_dir, "hall data directory")->required();
  cmd->add_option("FILE", *out, "output, e.g. hall-360704100.tar.gz")->required();
  cmd->add_flag("--include-db", *include_db, "also the hall's database (its personal fields sealed, the key left out)");
  cmd->callback([&set, out, include_db] {
    set.action = [&set, out, include_db] {
      if (*include_db)
        std::cerr << "WARNING: --include-db puts the hall's database in the bundle: names, ID numbers and phones are "
                     "sealed and the key stays on this PC, but which matters, dates and staff it holds are readable "
                     "(含办件信息). Send it only over an approved channel and delete it after use.\n";
      auto report = client::diagnostics::write_diagnostics_bundle(
          {set.data_dir, *out, *include_db, "hallsync " HALLSYNC_VERSION}, SystemClock::instance());
      // #7: every bundle leaving the PC is audited, and one with the database in clear says so.
      audit_ctl(set.data_dir, "diagnostics_export", out->substr(out->find_last_of('/') + 1), report.status(),
                *include_db ? "with database (personal fields sealed)" : "masked");
      if (!report) return ctl_error(report.status());
      std::cout << "wrote " << *out << ":";
      for (const auto& m : report->members) std::cout << " " << m;
      std::cout << "\n";
      return 0;
    };
  });
}

}  // namespace hallsync::tools
