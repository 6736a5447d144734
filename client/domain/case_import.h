// The bulk-import record: one case exported from a previous system, as one
// line of JSON Lines (format in README.md, "导入旧系统案件"). Parsing checks the
// shape; import_drafts checks the content (catalog, applicant, dates, and that
// the history is one the case lifecycle accepts) and turns it into the events
// the store writes. Nothing here touches the store.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "client/domain/case_lifecycle.h"
#include "client/domain/civil_date.h"
#include "client/domain/matter_catalog.h"
#include "schema/records/case_event.h"
#include "sync/api/result.h"

namespace hallsync::client {

// One step of a case's history after its acceptance.
struct ImportStep {
  schema::EventKind kind = schema::EventKind::Forwarded;
  CivilDate date;
  std::string clerk;
  std::vector<std::string> materials;  // materials_requested (missing), materials_supplemented
  std::string department;              // forwarded (optional: the matter's guiding department)
  std::string approver;                // approved, refused, extended (optional)
  std::string stage;                   // refused: "acceptance" | "decision"
  std::string reason;                  // refused, extended, withdrawn, procedure_paused
  std::string legal_basis;             // refused
  int days = 0;                        // extended
  std::string platform_case_no;        // platform_number_assigned
  std::string note;
  friend bool operator==(const ImportStep&, const ImportStep&) = default;
};

struct ImportRecord {
  std::string source_id;  // the previous system's case number: the idempotence key
  schema::Applicant applicant;
  std::string matter_id;
  std::vector<std::string> materials;  // received at acceptance
  std::string status;                  // final state code, e.g. "delivered"; must match the history
  CivilDate accepted_on;
  std::string clerk;                   // 受理人 (first clerk)
  std::string note;
  std::vector<ImportStep> history;     // in the order they happened
  friend bool operator==(const ImportRecord&, const ImportRecord&) = default;
};

// Parses one line. Validation status (Chinese) naming the field on bad JSON,
// a missing or mistyped field, an unknown event kind or a malformed date.
Result<ImportRecord> parse_import_line(std::string_view line);

// import_drafts without the status check: the drafts and the view the
// history folds to. The case generator uses it to keep only steps the
// lifecycle accepts.
struct CheckedImport {
  std::vector<schema::CaseEvent> drafts;
  CaseView view;
};
Result<CheckedImport> check_import_history(const ImportRecord& record, const MatterCatalog& catalog, CivilDate today);

// One line of the format, no trailing newline: parse_import_line(to_import_line(r)) == r.
std::string to_import_line(const ImportRecord& record);

// The events that register `record` (accepted first, then the history), each
// with its historical wall time set; identity is left for the store. Rejects
// (validation/conflict, Chinese) an unknown matter, a bad applicant field, a
// date before acceptance, out of order or after `today`, a step the lifecycle
// refuses, or a status that is not where the history ends.
Result<std::vector<schema::CaseEvent>> import_drafts(const ImportRecord& record, const MatterCatalog& catalog,
                                                     CivilDate today);

// The case id an import gives `source_id` in hall `hall_code`: a name-based
// (version 5) UUID, so importing the same line twice names the same case.
std::string import_case_id(std::string_view hall_code, std::string_view source_id);

}  // namespace hallsync::client
