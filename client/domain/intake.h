// Intake: turning what a clerk typed at the window into the events that
// register a case — validated field by field, with the one-time notification
// of every missing material drafted at the same moment.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "client/domain/matter_catalog.h"
#include "schema/records/case_event.h"
#include "sync/api/result.h"

namespace hallsync::client {

struct IntakeForm {
  std::string matter_id;
  std::string applicant_name;
  std::string id_number;
  std::string phone;
  std::vector<std::string> materials_received;
  std::string note;
  std::string clerk_id;
  // 容缺受理: non-key materials accepted as missing, to be supplied by `deferred_until` (YYYY-MM-DD).
  std::vector<std::string> deferred;
  std::string deferred_until;
};

struct IntakeDrafts {
  schema::CaseEvent accepted;                          // body only; the store fills identity
  std::optional<schema::CaseEvent> request_missing;    // 一次性告知 when required materials are missing
  std::optional<schema::CaseEvent> deferral;           // 容缺受理 of non-key materials
  // In the order they are written.
  std::vector<schema::CaseEvent> events() &&;
};

// Key materials (the applicant's identity document, the application itself)
// can never be deferred. The catalog does not mark key materials yet; this
// rule stands in until it does.
bool is_key_material(std::string_view material);

// Field limits (code points), shared with the web form.
constexpr std::size_t kMaxNoteChars = 500;
constexpr std::size_t kMaxMaterialChars = 60;
constexpr std::size_t kMaxMaterials = 30;
constexpr std::size_t kMaxReasonChars = 500;

// Validates every field; the first problem is returned as a Validation status
// whose message names the field in Chinese. `today_yyyymmdd` bounds birth dates.
Result<IntakeDrafts> prepare_intake(const IntakeForm& form, const MatterCatalog& catalog, int today_yyyymmdd);

// One problem with one field of the intake form, for the web page to show
// next to that field. `field` is the IntakeForm member's name ("id_number").
struct FieldError {
  std::string field;
  std::string message;
};

// Every field problem of the form at once (prepare_intake stops at the first),
// checked by the same rules; empty when prepare_intake would accept the fields.
// The clerk id is not a form field and is not checked here.
std::vector<FieldError> intake_field_errors(const IntakeForm& form, const MatterCatalog& catalog, int today_yyyymmdd);

// Validates a list of material names a clerk typed (non-empty, unique, bounded).
Result<std::vector<std::string>> validate_material_list(const std::vector<std::string>& materials);

// Validates a clerk id (staff number): 1–32 of [A-Za-z0-9_.-].
Status validate_clerk_id(std::string_view clerk_id);

}  // namespace hallsync::client
