// Stable string codes of event kinds (JSON, SQL and documents use these).
#include "schema/records/case_event.h"

#include <array>

namespace hallsync::schema {
namespace {
constexpr std::array<std::string_view, kMaxEventKind + 1> kCodes = {
    "",          "accepted",        "materials_requested", "materials_supplemented", "forwarded",
    "approved",  "refused",         "extended",            "delivered",              "withdrawn",
    "field_corrected", "procedure_paused", "procedure_resumed", "platform_number_assigned",
    "conflict_resolved", "staff_registered", "post_defined", "absence_started", "absence_ended",
    "enquiry_logged", "complaint_filed", "complaint_handled", "evaluated", "service_flagged", "material_deferred",
    "appointment_booked", "appointment_closed", "material_attached", "material_purged"};
}

std::string_view event_kind_code(EventKind kind) {
  auto i = static_cast<std::size_t>(kind);
  return i < kCodes.size() ? kCodes[i] : std::string_view("unknown");
}

bool parse_event_kind(std::string_view code, EventKind& out) {
  for (std::size_t i = 1; i < kCodes.size(); ++i) {
    if (kCodes[i] == code) {
      out = static_cast<EventKind>(i);
      return true;
    }
  }
  return false;
}

}  // namespace hallsync::schema
