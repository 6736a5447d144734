// HubLink: how this device reaches the hub — URL, device token and how to
// trust its certificate (CA bundle, optional key pin), kept in
// DATA_DIR/hub.conf, readable by the service user only (0600). Enrollment
// with a one-time code (hallctl enroll, #7) writes the same file.
#pragma once

#include <string>

#include "sync/api/result.h"
#include "sync/api/transport.h"

namespace hallsync::client {

struct HubLink {
  std::string hub_url;   // e.g. http://127.0.0.1:8470 (https:// for a remote hub)
  std::string token;     // device secret issued by `hallhub device add`
  std::string ca_file;   // optional extra CA bundle
  std::string pinned_key;  // optional "sha256//BASE64" of the hub's public key, checked on top of the CA
};

// True for an http:// link, which is only ever allowed to a hub on this PC.
bool is_plain_http(const HubLink& link);

constexpr const char* kHubLinkFile = "hub.conf";

// Reads DATA_DIR/hub.conf ("key = value" lines, # comments).
Result<HubLink> load_hub_link(const std::string& data_dir);
// The transport options for this link (URL, CA bundle); callers adjust timeouts.
CurlTransportOptions transport_options(const HubLink& link);

// The URL, pin and token rules save_hub_link enforces (https:// unless the hub
// is on this PC, ...), for a link about to be used before it is saved.
Status validate_hub_link(const HubLink& link);

// Validates and writes the file atomically with mode 0600.
Status save_hub_link(const std::string& data_dir, const HubLink& link);

}  // namespace hallsync::client
