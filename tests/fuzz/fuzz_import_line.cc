// Fuzz target: one line of a `hall import` file (exported from a previous
// system, so anything may be in it), then the checks against the catalog that
// decide whether it becomes a case.
#include <string_view>

#include "client/domain/case_import.h"
#include "client/domain/matter_catalog.h"

using namespace hallsync::client;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto record = parse_import_line(line);
  if (!record) return 0;
  static const CivilDate today = *CivilDate::parse("2026-11-29");
  auto checked = check_import_history(*record, MatterCatalog::builtin(), today);
  (void)checked;  // an error naming the field is the expected answer to bad input
  return 0;
}
