// Shared plumbing for the `hall` commands: options every command takes,
// opening the store, printing errors in Chinese, and JSON views of cases.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>

#include "client/domain/case_lifecycle.h"
#include "client/domain/documents.h"
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

// Sets `cmd`'s action: open the store (an error is printed, exit 3), then run `fn` on it.
void on_store(CLI::App& cmd, CommandSet& set, std::function<int(HallStore&)> fn);

// Prints `body`, or writes it to `path` and says so (`what`: the document's name); returns the exit status.
int write_output(const std::string& body, const std::string& path, const std::string& what);

// Prints "错误：…" to stderr and returns the exit status for the error class.
int report(const Status& status);

// Masked JSON and text views (personal data is masked in every view).
nlohmann::json case_summary_json(const CaseSummary& s, const HallStore& store, CivilDate today);
nlohmann::json case_detail_json(const CaseView& v, HallStore& store, CivilDate today);
std::string deadline_state(const std::string& due_on, CaseState state, const WorkCalendar& calendar, CivilDate today);
std::string matter_name(const HallStore& store, const std::string& matter_id);
// Today for people: the store's civil clock (the platform's date once a sync learned this PC's offset).
CivilDate today(const HallStore& store);
// A case's document as the hall prints it today (its catalog version's matter, its deadline).
Result<RenderedDocument> render_case_document(HallStore& store, const CaseView& view, DocumentKind kind);
// 已上传 / 未上传 / … for an attachment's upload_state.
std::string upload_state_label(const std::string& state);
void print_json(const nlohmann::json& j);

void add_init_command(CLI::App& app, CommandSet& set);
void add_catalog_commands(CLI::App& app, CommandSet& set);
void add_calendar_commands(CLI::App& app, CommandSet& set);
void add_case_commands(CLI::App& app, CommandSet& set);
void add_case_step_commands(CLI::App& case_cmd, CommandSet& set);
void add_case_material_commands(CLI::App& case_cmd, CommandSet& set);
void add_conflict_commands(CLI::App& app, CommandSet& set);
void add_import_command(CLI::App& app, CommandSet& set);
void add_sync_commands(CLI::App& app, CommandSet& set);
// Service rules (issue #8), one group per file.
void add_staff_commands(CLI::App& app, CommandSet& set);
void add_post_commands(CLI::App& app, CommandSet& set);
void add_enquiry_commands(CLI::App& app, CommandSet& set);
void add_complaint_commands(CLI::App& app, CommandSet& set);
void add_refusal_commands(CLI::App& app, CommandSet& set);
void add_appointment_commands(CLI::App& app, CommandSet& set);
void add_guide_command(CLI::App& app, CommandSet& set);
void add_report_command(CLI::App& app, CommandSet& set);
// Sign-in accounts for halld's web page (issue #9).
void add_account_commands(CLI::App& app, CommandSet& set);
// The audit log (issue #7).
void add_audit_commands(CLI::App& app, CommandSet& set);

}  // namespace hallsync::client::cli
