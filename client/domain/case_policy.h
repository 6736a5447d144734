// HallCasePolicy: the case rules as the hub needs them (sync/api/case_policy.h),
// implemented by the same fold and transition checks the hall uses, so both
// ends agree on every case.
#pragma once

#include "sync/api/case_policy.h"

namespace hallsync::client {

class HallCasePolicy final : public CasePolicy {
 public:
  CaseSnapshot fold(const std::vector<schema::CaseEvent>& events) const override;
  Status check(const std::vector<schema::CaseEvent>& history, const schema::CaseEvent& next) const override;
};

}  // namespace hallsync::client
