// A hub served over HTTP on loopback behind the link emulator (tools/linkemu),
// as the benchmarks over the mountain link use it. Header-only.
#pragma once

#include <memory>
#include <string>

#include "sync/hub/hub_service.h"
#include "sync/net/http_server.h"
#include "tools/linkemu/link_emulator.h"

namespace hallsync::bench {

struct HubBehindLink {
  std::unique_ptr<net::HttpServer> server;
  std::unique_ptr<linkemu::LinkEmulator> link;
  std::string base_url() const { return "http://" + link->address(); }
  void stop() {
    link.reset();
    server->stop();
  }
};

inline Result<HubBehindLink> serve_behind_link(hub::HubService& hub, const linkemu::LinkProfile& profile,
                                               std::uint64_t seed) {
  HubBehindLink out;
  HALLSYNC_ASSIGN_OR_RETURN(out.server, net::HttpServer::start({}, [&hub](const HttpRequest& r, const std::string& peer) {
                              return hub.handle(r, peer);
                            }));
  linkemu::EmulatorOptions options;
  options.target_port = out.server->port();
  options.profile = profile;
  options.seed = seed;
  HALLSYNC_ASSIGN_OR_RETURN(out.link, linkemu::LinkEmulator::start(options));
  return out;
}

}  // namespace hallsync::bench
