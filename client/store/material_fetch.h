// Scans this PC does not hold — attached on another PC of the hall, or held
// only by the hub after this PC's store was rebuilt — fetched on a clerk's
// request, and the scans this PC does hold, read back to show or save.
// Fetching is on request, not automatic: every PC of a hall shares one
// mountain link, and copying each colleague's scans to every PC would multiply
// what crosses it by the number of windows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "client/store/case_repository.h"
#include "client/store/hall_store.h"

namespace hallsync::client {

struct MaterialFetch {
  CaseView view;
  int queued = 0;          // newly queued for download by this request
  int already_queued = 0;  // asked for earlier, still waiting
  int here = 0;            // already on this PC
  std::int64_t queued_bytes = 0;
};

// Queues every scan of the case that this PC does not hold for download in the
// next sync session (one transaction). NotFound for an unknown case.
Result<MaterialFetch> queue_material_downloads(HallStore& store, const std::string& case_ref);

struct MaterialContent {
  AttachedMaterial attachment;
  std::string bytes;
};

// One scan of a case, named by its place in the case's list (1, 2, …) or by its
// SHA-256 (or a prefix of at least 8 hex digits). Chinese NotFound when the
// case has no such scan, or (code not_here) when this PC does not hold it yet.
Result<MaterialContent> read_material(HallStore& store, const std::string& case_ref, std::string_view which);

}  // namespace hallsync::client
