// Keeping halld's two HallStores' in-memory state in step (see store_coordination.h).
#include "client/daemon/store_coordination.h"

namespace hallsync::client::daemon {

Status ReferenceGeneration::refresh(HallStore& store) {
  std::uint64_t now = value_.load(std::memory_order_acquire);
  if (now == seen_) return Status::ok();
  HALLSYNC_RETURN_IF_ERROR(store.reload_reference());
  seen_ = now;
  return Status::ok();
}

}  // namespace hallsync::client::daemon
