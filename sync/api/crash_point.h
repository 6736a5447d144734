// Crash points: named places on the path of a case from the window to the
// hub and back (every durable commit, every network send and receive) where a
// test can make the process die as if its power was cut. Armed only by the
// environment variable HALLSYNC_CRASH_AT="name" (or "name:N", the N-th time
// the point is passed); unset, a crash point costs one branch.
//
// A process that reaches an armed point writes "hallsync: crash point NAME"
// to stderr and kills itself with SIGKILL: no destructor, no flush, no
// rollback but SQLite's own recovery.
#pragma once

#include <string_view>
#include <vector>

namespace hallsync {

void crash_point(std::string_view name);

// Every name the code passes, for tests that kill a process at each in turn.
// "local." points are in clerk writes (hall, halld), "hub." points in the hub,
// the others in the device's sync session (hallctl sync, halld).
const std::vector<std::string_view>& crash_point_names();

}  // namespace hallsync
