// Running the doctor's checks and presenting them.
#include "client/diagnostics/doctor.h"

#include "sync/api/redact.h"

namespace hallsync::client::diagnostics {

std::vector<Check> run_doctor(const std::string& data_dir, const Clock& clock, const DoctorThresholds& thresholds) {
  std::vector<Check> checks = local_checks(data_dir, clock, thresholds);
  for (auto& c : hub_checks(data_dir, clock, thresholds)) checks.push_back(std::move(c));
  // Messages may quote SQLite or hub errors: nothing personal leaves here.
  for (auto& c : checks) {
    c.detail = redact_pii(c.detail);
    c.advice = redact_pii(c.advice);
  }
  return checks;
}

int doctor_exit_code(const std::vector<Check>& checks) {
  int code = 0;
  for (const auto& c : checks) {
    if (c.mark == Mark::Fail) code = 2;
    else if (c.mark == Mark::Warn && code == 0) code = 1;
  }
  return code;
}

const char* mark_name(Mark mark) {
  switch (mark) {
    case Mark::Pass: return "pass";
    case Mark::Warn: return "warn";
    case Mark::Fail: return "fail";
    case Mark::NotApplicable: return "n/a";
  }
  return "?";
}

nlohmann::json doctor_json(const std::vector<Check>& checks) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : checks) {
    nlohmann::json j = {{"check", c.name}, {"mark", mark_name(c.mark)}, {"detail", c.detail}};
    if (!c.advice.empty()) j["advice"] = c.advice;
    list.push_back(std::move(j));
  }
  int code = doctor_exit_code(checks);
  return {{"status", code == 0 ? "healthy" : code == 1 ? "warnings" : "failures"}, {"checks", list}};
}

std::string doctor_text(const std::vector<Check>& checks) {
  std::string out;
  for (const auto& c : checks) {
    std::string mark = mark_name(c.mark);
    for (auto& ch : mark) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    std::string name = c.name;
    name.resize(std::max<std::size_t>(name.size(), 16), ' ');
    out += "[" + mark + "]" + std::string(mark.size() < 4 ? 4 - mark.size() : 0, ' ') + " " + name + " " + c.detail + "\n";
    if (!c.advice.empty()) out += "       -> " + c.advice + "\n";
  }
  int code = doctor_exit_code(checks);
  out += code == 0 ? "healthy\n" : code == 1 ? "warnings: see the lines marked WARN\n" : "failures: fix the lines marked FAIL first\n";
  return out;
}

}  // namespace hallsync::client::diagnostics
