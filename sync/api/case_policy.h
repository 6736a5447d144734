// CasePolicy: what the hub needs to know about cases, supplied by the domain
// (client/domain implements it; tools/hallhub plugs it in). The protocol code
// stays free of case rules, and both ends fold cases by the same code.
#pragma once

#include <string>
#include <vector>

#include "schema/records/case_event.h"
#include "sync/api/hlc.h"
#include "sync/api/status.h"

namespace hallsync {

struct CaseSnapshot {
  bool accepted = false;  // an acceptance event is among the events
  std::string acceptance_no;
  std::string hall_code;
  std::string matter_id;
  std::string state;       // stable code, e.g. "forwarded"
  std::string department;  // back office it was forwarded to
  int open_conflicts = 0;
};

class CasePolicy {
 public:
  virtual ~CasePolicy() = default;
  // Folds a case's events (any order) into what the hub lists.
  virtual CaseSnapshot fold(const std::vector<schema::CaseEvent>& events) const = 0;
  // Whether `next` may be recorded on top of `history` (for back-office
  // decisions made at the hub); a Conflict/Validation status explains why not.
  virtual Status check(const std::vector<schema::CaseEvent>& history, const schema::CaseEvent& next) const = 0;
};

// The latest HLC among a case's events: a new event on the case is stamped
// above it (HlcClock::tick_above), so the fold, which orders by HLC, sees every
// event after the ones its author had seen, whatever the authors' clocks said.
inline Hlc latest_hlc(const std::vector<schema::CaseEvent>& events) {
  Hlc latest;
  for (const auto& e : events)
    if (Hlc{e.hlc} > latest) latest = Hlc{e.hlc};
  return latest;
}

}  // namespace hallsync
