// LocalApi: halld's JSON API for the hall's own screens (the web page of #9,
// `hall sync now/status`), served on loopback by the HttpServer. Called
// on the server thread, one request at a time, with the API's own HallStore;
// it never waits for a sync session (that runs on the scheduler's thread).
//
//   GET  /api/health                     {"status":"ok"}
//   GET  /api/cases?status=&matter=&overdue=1&due_within=&search=&limit=
//   GET  /api/cases/{ref}                acceptance no., case id or platform no.
//   POST /api/cases                      register (受理); 201 + the case
//   GET  /api/sync/status                online, last success/error (with class), outbox, next run
//   POST /api/sync                       202 {"session": N}; served once status.sessions >= N
//   GET  /api/sync/history?limit=N       newest sessions first
//
// Errors are {"code": "validation"|"conflict"|"not_found"|"storage"|
// "bad_request"|"internal", "message": "..."} with 400/409/404/503/400/500;
// messages from the domain are the Chinese ones a clerk reads.
// Not yet: clerk authentication (the clerk_id in a body is trusted — loopback
// only, one PC; a later issue), LAN mode with TLS.
#pragma once

#include "client/daemon/store_coordination.h"
#include "client/daemon/sync_scheduler.h"
#include "client/store/hall_store.h"
#include "sync/api/transport.h"

namespace hallsync::client::daemon {

class LocalApi {
 public:
  LocalApi(HallStore& store, SyncScheduler& scheduler, ReferenceGeneration& reference)
      : store_(&store), scheduler_(&scheduler), reference_(&reference) {}

  // Never throws: a failure becomes a JSON error response.
  HttpResponse handle(const HttpRequest& request);

 private:
  HttpResponse route(const HttpRequest& request);
  HallStore* store_;
  SyncScheduler* scheduler_;
  ReferenceGeneration* reference_;
};

}  // namespace hallsync::client::daemon
