// `hall`: the clerk's command line. Works directly on the local store, so the
// window keeps working with no network and no daemon; only `hall sync` asks
// the daemon (halld), which owns synchronisation.
#include <iostream>

#include "client/cli/cli_support.h"

int main(int argc, char** argv) {
  using namespace hallsync::client::cli;
  CLI::App app{"hall — 乡镇综合便民服务中心窗口受理工具 (clerk CLI)"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "显示全部命令的帮助");
  CommandSet set;
  add_init_command(app, set);
  add_catalog_commands(app, set);
  add_calendar_commands(app, set);
  add_case_commands(app, set);
  add_conflict_commands(app, set);
  add_import_command(app, set);
  add_sync_commands(app, set);
  add_staff_commands(app, set);
  add_account_commands(app, set);
  add_audit_commands(app, set);
  add_post_commands(app, set);
  add_enquiry_commands(app, set);
  add_complaint_commands(app, set);
  add_refusal_commands(app, set);
  add_appointment_commands(app, set);
  add_guide_command(app, set);
  add_report_command(app, set);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 64;  // 64: usage error (sysexits)
  }
  if (!set.action) {
    std::cerr << app.help();
    return 64;
  }
  return set.action();
}
