// The lifecycle steps a clerk records on a case (一次性告知, 补正, 转后台, 办结,
// 延期, 不予受理/许可, 出件, 撤回, 特别程序, 更正, 评价, 拓展服务): their options, and the event
// draft each builds. Shared by `hall case <step>` and halld's web API so both
// validate the same way.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "client/domain/case_lifecycle.h"
#include "schema/records/case_event.h"
#include "sync/api/result.h"

namespace hallsync::client::cli {

// Options any step may use; each step declares the ones it takes.
struct StepArgs {
  std::string case_ref;
  std::vector<std::string> materials;
  std::string reason, basis, approver, department, stage, note, field, value, level, service;
  int days = 0;
};

enum Opt : unsigned {
  kMaterials = 1, kReason = 2, kBasis = 4, kApprover = 8, kDepartment = 16, kStage = 32, kDays = 64, kField = 128,
  kLevel = 256, kService = 512,
};

struct StepSpec {
  const char* name;
  const char* help;
  schema::EventKind kind;
  unsigned options;
  unsigned required;
  const char* done;  // Chinese confirmation
};

const std::vector<StepSpec>& case_steps();

// The values `--level` and `--service` accept (satisfaction levels; 绿色通道,
// 延时服务, 上门服务).
const std::vector<std::string>& evaluation_levels();
const std::vector<std::string>& service_flags();
const StepSpec* find_case_step(std::string_view name);

// Validates the free-text options a step carries and builds its event draft.
Result<schema::CaseEvent> build_draft(const StepSpec& spec, const StepArgs& a, const std::string& clerk);

// The steps the case's state allows now (check_transition says no conflict
// for the step's kind; missing options are the form's business).
std::vector<const StepSpec*> allowed_steps(const CaseView& view);

}  // namespace hallsync::client::cli
