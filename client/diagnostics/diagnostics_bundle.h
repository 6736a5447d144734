// DiagnosticsBundle: hallctl export-diagnostics — one .tar.gz a technician
// sends to the district: doctor and verify output, config with the device
// token removed, recent sync history, halld's journal lines, schema and
// version information. Every
// text member is passed through redact_pii; the hall's database (which holds
// personal data in clear) only when asked for explicitly.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sync/api/clock.h"
#include "sync/api/verifier.h"

namespace hallsync::client::diagnostics {

struct BundleRequest {
  std::string data_dir;
  std::string output;             // FILE.tar.gz
  bool include_db = false;
  std::string software_version;   // e.g. "hallsync 0.1.0"
};

struct BundleReport {
  std::vector<std::string> members;
  bool database_included = false;
};

Result<BundleReport> write_diagnostics_bundle(const BundleRequest& request, const Clock& clock);

// hallctl verify's JSON (shared with the bundle).
nlohmann::json verify_json(const VerifyReport& report);

// hub.conf's text with the token's value removed.
std::string without_secrets(const std::string& config_text);

}  // namespace hallsync::client::diagnostics
