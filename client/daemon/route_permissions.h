// Which permission (client/domain/staff_roles.h) each route of halld's local
// API needs: the route half of the role table, kept beside the routes it
// names. halld checks it for every /api/ request before the route runs, so a
// refused request changes nothing.
#pragma once

#include <optional>
#include <string>

#include "client/domain/staff_roles.h"

namespace hallsync::client::daemon {

// The permission `method path` needs; nullopt for the routes anyone may call
// (health, sign-in, sign-out, who am I) and for unknown paths (404 follows).
std::optional<Permission> route_permission(const std::string& method, const std::string& path);

}  // namespace hallsync::client::daemon
