// Bulk import of cases from a previous system (`hall import FILE.jsonl`):
// reads JSON Lines, checks every line in full, and writes the good ones
// through CaseRepository (events + change-log entries). A case is never half
// written: its events share a transaction, and a transaction holds whole
// cases only. Running the same file again writes nothing (see import_case_id).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "client/store/hall_store.h"
#include "sync/api/result.h"

namespace hallsync::client {

struct ImportProblem {
  std::size_t line = 0;  // 1-based line number in the file
  std::string reason;    // Chinese, for the clerk
};

struct ImportSummary {
  std::size_t lines = 0;            // non-blank lines read
  std::size_t imported = 0;         // cases written by this run
  std::size_t already_present = 0;  // cases this store already held (an earlier run, or twice in the file)
  std::vector<ImportProblem> bad;   // lines refused, in file order
};

struct ImportOptions {
  // Cases per transaction: one durable commit per batch instead of per case.
  std::size_t cases_per_commit = 200;
  // Called after each committed batch and at the end with the lines and bytes read so far.
  std::function<void(std::size_t lines, std::uint64_t bytes)> progress;
};

// Imports every good line of `in`. A bad line is reported and skipped; an
// error of the store (disk, database) stops the run and is returned: the
// batches committed before it stay, and a rerun completes the rest.
Result<ImportSummary> import_cases(HallStore& store, std::istream& in, const ImportOptions& options = {});

}  // namespace hallsync::client
