// Adapter from the case lifecycle to the hub's CasePolicy.
#include "client/domain/case_policy.h"

#include "client/domain/case_lifecycle.h"

namespace hallsync::client {

CaseSnapshot HallCasePolicy::fold(const std::vector<schema::CaseEvent>& events) const {
  CaseView v = fold_case(events);
  CaseSnapshot s;
  s.accepted = v.exists() && !v.acceptance_no.empty();
  s.acceptance_no = v.acceptance_no;
  s.hall_code = v.hall_code;
  s.matter_id = v.matter_id;
  s.state = std::string(case_state_code(v.state));
  s.department = v.department;
  s.open_conflicts = v.open_conflicts();
  return s;
}

Status HallCasePolicy::check(const std::vector<schema::CaseEvent>& history, const schema::CaseEvent& next) const {
  return check_transition(fold_case(history), next);
}

}  // namespace hallsync::client
