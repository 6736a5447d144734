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
//   POST /api/login, POST /api/logout, GET /api/me      staff sessions (staff_api.cc)
//   GET  /api/catalog?q=                 matters by name, department or id
//   POST /api/cases/{ref}/steps/{step}   a lifecycle step (case_steps.h)
//   GET  /api/cases/{ref}/documents/{kind}   the document as printable HTML
//   POST /api/cases/{ref}/conflicts/{event_id}/resolve
//   GET  /api/audit?since=YYYY-MM-DD&limit=N   the audit log, oldest first (auditor)
//   GET  /api/staff                      accounts and roles (supervisor)
//   POST /api/staff/{clerk_id}/role      {"role": R}: change a role (supervisor)
//   GET  /, /assets/*                    the clerk's web page (client/web)
//
// Roles (#7): every /api/ route needs a permission (route_permissions.h) that
// the signed-in account's role must hold (client/domain/staff_roles.h); the
// role is re-read from hall.db on each request, so a change applies at once.
// A refusal is 403 {"code":"forbidden"} naming the role needed, checked before
// the route runs (nothing changes) and written to the audit log. With no
// accounts the caller acts as a clerk. Sign-ins, failures, lockouts, sign-outs
// and idle expiry seen are audited too (client/store/audit_log.h).
//
// Sign-in: once hall.db has any staff account (`hall account add`), every case
// and catalog endpoint needs the session cookie of POST /api/login, and the
// acting clerk of a write is the signed-in one (a clerk_id in the body is
// ignored). A store with no account keeps the trusted-body path (clerk_id in
// the body; loopback only, one PC) for setups without the page. The sync
// endpoints carry no personal data and serve `hall sync` without a session.
//
// Errors are {"code": "validation"|"conflict"|"not_found"|"storage"|
// "bad_request"|"unauthorized"|"forbidden"|"locked"|"internal", "message": "..."}
// with 400/409/404/503/400/401/403/429/500;
// messages from the domain are the Chinese ones a clerk reads.
// Validation errors of the intake form also name the field ("field", "errors").
// Not yet: LAN mode with TLS (issue #7).
#pragma once

#include <optional>

#include "client/daemon/staff_sessions.h"
#include "client/daemon/local_api_http.h"
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
  // Who is acting: the session's clerk, or (no accounts) whoever the body names.
  struct Actor {
    bool accounts = false;                 // the store has staff accounts: sessions are required
    const StaffSession* session = nullptr;  // the signed-in clerk, if any
    std::string role;                      // as stored now; "clerk" with no accounts; empty when signed out
  };
  HttpResponse route(const HttpRequest& request);
  Result<Actor> actor(const HttpRequest& request);
  // staff_api.cc: /api/login, /api/logout, /api/me; nullopt for other paths.
  std::optional<HttpResponse> route_staff(const HttpRequest& request, const std::string& path);
  // admin_api.cc: /api/audit and /api/staff…; nullopt for other paths.
  std::optional<HttpResponse> route_admin(const HttpRequest& request, const std::string& path, const Query& query,
                                          const Actor& actor);
  // The role gate (route_permissions.h): a 403 reply, audited, when the actor's role may not.
  std::optional<HttpResponse> refuse_if_forbidden(const HttpRequest& request, const std::string& path, const Actor& actor);
  // Appends to the audit log; a failure is logged (the action it records has happened).
  void audit(const std::string& actor, const std::string& action, const std::string& target, const std::string& outcome,
             const std::string& detail = {});
  // case_actions_api.cc: /api/catalog and /api/cases/{ref}/…; nullopt for other paths.
  std::optional<HttpResponse> route_case_actions(const HttpRequest& request, const std::string& path,
                                                 const Query& query, const Actor& actor);
  HallStore* store_;
  StaffSessions sessions_;
  SyncScheduler* scheduler_;
  ReferenceGeneration* reference_;
};

}  // namespace hallsync::client::daemon
