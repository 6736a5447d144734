// hallhub's subcommands, each registered on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>

#include "client/domain/case_policy.h"
#include "sync/hub/hub_service.h"

namespace hallsync::tools {

struct HubCommandSet {
  std::string data_dir;
  std::string store;  // empty: embedded SQLite in data_dir; else a postgresql:// URL (#11)
  bool json = false;
  std::function<int()> action;
};

void add_serve_command(CLI::App& app, HubCommandSet& set);
void add_admin_commands(CLI::App& app, HubCommandSet& set);
void add_report_command(CLI::App& app, HubCommandSet& set);

// Opens the hub store with the domain's case policy; prints and returns null on error.
std::unique_ptr<hub::HubService> open_hub(const std::string& data_dir, const std::string& store);
int report_error(const Status& s);

}  // namespace hallsync::tools
