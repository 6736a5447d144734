// The transports sync_bench can run over: straight into the hub object, or
// real HTTP on 127.0.0.1 through the hub's server and the curl client.
#pragma once

#include <memory>
#include <string>

#include "sync/api/transport.h"
#include "sync/hub/hub_service.h"

namespace hallsync {

Result<std::unique_ptr<Transport>> make_bench_transport(const std::string& mode, hub::HubService& hub);

}  // namespace hallsync
