// CaseGenerator: seeded, realistic cases for benchmarks and tests — matters
// from the catalog, applicants with valid resident IDs (赣县 area codes
// 360704/360721), Chinese names and notes, 3–6 materials, and histories the
// case lifecycle accepts. The same seed and catalog give the same cases, on
// any machine (no std:: distributions, whose output varies by library).
#pragma once

#include <cstdint>
#include <string>

#include "client/domain/case_import.h"
#include "client/domain/intake.h"
#include "client/domain/matter_catalog.h"

namespace hallsync::client::testdata {

struct GeneratorOptions {
  std::uint64_t seed = 1;
  CivilDate today = CivilDate::from_ymd(2026, 11, 27);  // histories end on or before this day
  int days_back = 365;                                  // acceptances fall in this many days before today
};

class CaseGenerator {
 public:
  CaseGenerator(const MatterCatalog& catalog, GeneratorOptions options);

  // The next case in the import format: its history passes import_drafts and
  // its status is where that history ends. source_id is unique per seed.
  ImportRecord next_case();

  // The next applicant: a name, a valid 18-character ID, a mobile number.
  schema::Applicant next_applicant();

  // A case as a clerk registers it at the window today (no history). Unless
  // `all_materials`, about one in five lacks a required material, as at a real counter.
  IntakeForm next_intake(bool all_materials = false);

  // Uniform in [0, bound); bound > 0.
  std::uint64_t below(std::uint64_t bound);

 private:
  const Matter& pick_matter();
  std::string pick(const char* const* list, std::size_t n);
  std::string clerk();
  // Received materials (3–6 where the matter allows); `missing` gets the required ones left out.
  std::vector<std::string> materials_for(const Matter& m, std::vector<std::string>& missing);
  ImportStep refusal(const char* stage);  // "acceptance" | "decision"
  ImportStep withdrawal();
  void add_history(ImportRecord& r, const Matter& m, const std::vector<std::string>& missing);
  // Appends `step` if the lifecycle accepts it after the steps so far; false otherwise.
  bool try_step(ImportRecord& r, ImportStep step);

  const MatterCatalog* catalog_;
  GeneratorOptions options_;
  std::uint64_t state_;
  std::uint64_t counter_ = 0;
};

}  // namespace hallsync::client::testdata
