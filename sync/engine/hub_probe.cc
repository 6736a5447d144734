// GET /v1/health and what its answer means (see hub_probe.h).
#include "sync/api/hub_probe.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "sync/api/replicator.h"

namespace hallsync {

Status probe_hub(Transport& transport, int protocol_version) {
  HttpRequest request;
  request.method = "GET";
  request.target = "/v1/health";
  request.timeout_ms = kHubProbeTimeoutMs;
  auto reply = transport.exchange(request);
  if (!reply) return reply.status().with_context("hub health probe");
  if (reply->status != 200) return status_from_hub_reply(*reply).with_context("hub health probe");
  auto body = nlohmann::json::parse(reply->body, nullptr, false);
  // Every member's type is checked before it is read: json::value() throws on a
  // "status" that is not a string, and a probe must never throw.
  if (!body.is_object() || !body.contains("status") || body["status"] != "ok" || !body.contains("protocol") ||
      !body["protocol"].is_array())
    return Status::protocol("hub health probe: the answer is not a hallsync hub's health report; check the hub URL")
        .with_code("bad_health");
  const auto& versions = body["protocol"];
  int lowest = versions.empty() || !versions.front().is_number_integer() ? 0 : versions.front().get<int>();
  int highest = versions.empty() || !versions.back().is_number_integer() ? 0 : versions.back().get<int>();
  if (protocol_version < lowest || protocol_version > highest)
    return Status::protocol("hub health probe: the hub speaks protocol " + std::to_string(lowest) + " to " +
                            std::to_string(highest) + ", this device " + std::to_string(protocol_version) +
                            ": upgrade the older side")
        .with_code("unsupported_protocol");
  return Status::ok();
}

}  // namespace hallsync
