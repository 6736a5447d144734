// What the hall holds, in the shape the verifier compares with the hub: every
// (case, event) pair and the ids of events still waiting in the outbox.
#pragma once

#include "client/store/case_repository.h"
#include "sync/api/verifier.h"

namespace hallsync::client {

Result<VerifyReport> verify_hall_with_hub(HallStore& store, Transport& transport, const DeviceCredentials& credentials);

}  // namespace hallsync::client
