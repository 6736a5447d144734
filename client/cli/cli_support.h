// Shared plumbing for the `hall` commands: options every command takes,
// opening the store, printing errors in Chinese, and JSON views of cases.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>

#include "client/domain/case_lifecycle.h"
#include "client/store/case_repository.h"
#include "client/store/hall_store.h"
#include "client/store/material_attach.h"

namespace hallsync::client::cli {

struct GlobalOptions {
  std::string data_dir;
  bool json = false;
  std::string clerk;
};

// The action a parsed command will run; returns the process exit status.
using Action = std::function<int()>;

struct CommandSet {
  GlobalOptions options;
  Action action;
};

// Adds --data-dir to a subcommand (every command takes it).
void add_data_dir(CLI::App& cmd, GlobalOptions& options);
void add_json(CLI::App& cmd, GlobalOptions& options);
void add_clerk(CLI::App& cmd, GlobalOptions& options);

// The data directory: --data-dir, else $HALL_DATA_DIR.
std::string data_dir(const GlobalOptions& options);

// The acting clerk: --clerk, else $HALL_CLERK.
std::string clerk_id(const GlobalOptions& options);

// Opens the store named by --data-dir (or $HALL_DATA_DIR); prints the error and
// returns null when it cannot.
std::unique_ptr<HallStore> open_store(const GlobalOptions& options);

// Prints "错误：…" to stderr and returns the exit status for the error class.
int report(const Status& status);

// Masked JSON and text views (personal data is masked in every view).
nlohmann::json case_summary_json(const CaseSummary& s, const HallStore& store, CivilDate today);
nlohmann::json case_detail_json(const CaseView& v, HallStore& store, CivilDate today);
std::string deadline_state(const std::string& due_on, CaseState state, const WorkCalendar& calendar, CivilDate today);
std::string matter_name(const HallStore& store, const std::string& matter_id);
CivilDate today(const HallStore& store);
// 已上传 / 未上传 / … for an attachment's upload_state.
std::string upload_state_label(const std::string& state);
void print_json(const nlohmann::json& j);

void add_init_command(CLI::App& app, CommandSet& set);
void add_catalog_commands(CLI::App& app, CommandSet& set);
void add_calendar_commands(CLI::App& app, CommandSet& set);
void add_case_commands(CLI::App& app, CommandSet& set);
void add_case_step_commands(CLI::App& case_cmd, CommandSet& set);
void add_conflict_commands(CLI::App& app, CommandSet& set);
void add_import_command(CLI::App& app, CommandSet& set);
void add_sync_commands(CLI::App& app, CommandSet& set);

}  // namespace hallsync::client::cli
