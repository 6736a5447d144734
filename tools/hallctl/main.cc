// hallctl: the technician's tool: configure the hub link (or enroll with a one-time code), a one-shot sync,
// explain one case's sync state, verify the hall against the hub, doctor,
// sync log, resync (repair) and a diagnostics bundle.
#include <CLI/CLI.hpp>

#include "tools/hallctl/ctl_commands.h"

int main(int argc, char** argv) {
  using namespace hallsync::tools;
  CLI::App app{"hallctl — diagnose and repair a hall's sync (technicians)"};
  app.require_subcommand(1);
  CtlCommandSet set;
  add_configure_command(app, set);
  add_enroll_command(app, set);
  add_sync_command(app, set);
  add_explain_command(app, set);
  add_verify_command(app, set);
  add_doctor_command(app, set);
  add_log_command(app, set);
  add_resync_command(app, set);
  add_export_command(app, set);
  add_gc_command(app, set);
  add_proof_commands(app, set);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 64;
  }
  return set.action ? set.action() : 64;
}
