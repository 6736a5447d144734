// Gathers the hall's side of a verification.
#include "client/store/verification.h"

#include "sync/api/change_log.h"

namespace hallsync::client {

Result<VerifyReport> verify_hall_with_hub(HallStore& store, Transport& transport, const DeviceCredentials& credentials) {
  CaseRepository repo(store);
  HALLSYNC_ASSIGN_OR_RETURN(auto local, repo.event_ids(-1));
  ChangeLog log(store.db());
  HALLSYNC_ASSIGN_OR_RETURN(OutboxStats stats, log.stats());
  HALLSYNC_ASSIGN_OR_RETURN(auto waiting, log.read_after(stats.acknowledged_through, static_cast<std::size_t>(stats.pending) + 1,
                                                         SIZE_MAX));
  std::vector<std::string> pending;
  for (const auto& e : waiting) pending.push_back(store.identity().device_id() + "#" + std::to_string(e.seq));
  RequestSigner signer(credentials, store.clock());
  load_signing_state(signer, store.db());
  return verify_with_hub(transport, signer, std::move(local), pending);
}

}  // namespace hallsync::client
