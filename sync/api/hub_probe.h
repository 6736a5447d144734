// Hub health probe: one cheap GET /v1/health before a session's heavy work,
// so a hub that cannot be reached (DNS, connect, TLS), answers with an HTTP
// error, or speaks no protocol version we do ends the session in seconds with
// a classified error instead of failing halfway through a large push.
#pragma once

#include "sync/api/status.h"
#include "sync/api/transport.h"

namespace hallsync {

// The probe's bound on the whole exchange; a healthy hub answers at once.
constexpr long kHubProbeTimeoutMs = 10'000;

// Ok when the hub answers 200 with {"status":"ok", "protocol":[...]} that
// includes `protocol_version`. Errors keep the transport's class and code
// (network/dns, network/connect, tls/..., network/timeout); an HTTP error is
// classified like any hub reply (status_from_hub_reply); a malformed answer or
// an unsupported version is Protocol ("bad_health", "unsupported_protocol").
Status probe_hub(Transport& transport, int protocol_version);

}  // namespace hallsync
