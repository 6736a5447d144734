// hallhub: the platform end of the sync protocol. `serve` runs the HTTP
// endpoint; the other subcommands are the district's administration.
// Embedded SQLite store under --data-dir (hub.db), or PostgreSQL with --store URL (#11).
#include <CLI/CLI.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>

#include "client/domain/case_policy.h"
#include "tools/hallhub/hub_commands.h"

int main(int argc, char** argv) {
  using namespace hallsync::tools;
  CLI::App app{"hallhub — platform sync gateway for the township halls"};
  app.require_subcommand(1);
  HubCommandSet set;
  add_serve_command(app, set);
  add_admin_commands(app, set);
  add_report_command(app, set);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 64;
  }
  return set.action ? set.action() : 64;
}
