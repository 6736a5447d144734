// hallctl's subcommands.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "sync/api/status.h"

namespace hallsync::tools {

struct CtlCommandSet {
  std::string data_dir;
  bool json = false;
  std::function<int()> action;
};

void add_configure_command(CLI::App& app, CtlCommandSet& set);
void add_enroll_command(CLI::App& app, CtlCommandSet& set);
void add_sync_command(CLI::App& app, CtlCommandSet& set);
void add_explain_command(CLI::App& app, CtlCommandSet& set);
void add_verify_command(CLI::App& app, CtlCommandSet& set);
void add_doctor_command(CLI::App& app, CtlCommandSet& set);
void add_log_command(CLI::App& app, CtlCommandSet& set);
void add_resync_command(CLI::App& app, CtlCommandSet& set);
void add_export_command(CLI::App& app, CtlCommandSet& set);
void add_gc_command(CLI::App& app, CtlCommandSet& set);
void add_proof_commands(CLI::App& app, CtlCommandSet& set);

// Records a technician's action in DATA_DIR's audit log when the store exists
// (ctl_audit.cc); a failure to record is printed as a warning.
void audit_ctl(const std::string& data_dir, const std::string& action, const std::string& target, const Status& outcome,
               const std::string& detail = {});

// Prints "hallctl: <kind>: <message> [code]" and returns the exit status.
int ctl_error(const Status& s);

}  // namespace hallsync::tools
