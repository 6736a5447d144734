// CaseChangeSink: where pulled changes land in the hall's store — case events
// (from the back office, the platform, other devices of the hall) and
// published reference data (catalog, calendar).
#pragma once

#include "client/store/case_repository.h"
#include "sync/api/replicator.h"

namespace hallsync::client {

class CaseChangeSink final : public ChangeSink {
 public:
  explicit CaseChangeSink(HallStore& store) : store_(&store), repo_(store) {}
  Status apply(Transaction& txn, const std::vector<RemoteChange>& changes) override;
  Status committed() override;

 private:
  HallStore* store_;
  CaseRepository repo_;
  bool reference_changed_ = false;
};

}  // namespace hallsync::client
