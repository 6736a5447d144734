// HubService::authenticate: who sent a request, and whether to believe it.
// A signed request is checked for device, signature, status, time window and
// nonce, in that order, before anything of it is applied; the nonce cache is
// a table of the hub's store, so a restart or a second hub process on the
// same store still refuses a replay (sync/PROTOCOL.md, Request authentication).
// The nonce is written by record_nonce, or by a push inside its batch's
// transaction (one commit per push, not two).
#include <openssl/crypto.h>

#include <algorithm>
#include <cstdlib>

#include "sync/api/blob_store.h"
#include "sync/api/crash_point.h"
#include "sync/api/request_signing.h"
#include "sync/hub/hub_service.h"

namespace hallsync::hub {
namespace {

// Expired nonces dropped per accepted request: more than the one it adds, so
// the table stays bounded by the window's traffic at a fixed cost per request.
constexpr int kNoncePruneBatch = 8;

bool same_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Result<HubService::Caller> HubService::authenticate(const HttpRequest& request) {
  SignedHeaders h = read_signed_headers(request);
  if (!h.error.empty()) return Status::auth(h.error).with_code("unauthenticated");
  std::string token_sha256, key;
  bool revoked = false;
  {
    // Scoped: the statement is reset before the nonce's write transaction.
    HALLSYNC_ASSIGN_OR_RETURN(auto stmt,
                              db_->prepare("SELECT token_sha256, request_key, status FROM devices WHERE device_id = ?"));
    stmt.bind(1, h.device_id);
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row)
      return Status::auth("unknown device " + h.device_id + ": enroll it with `hallhub device add`")
          .with_code("unauthenticated");
    token_sha256 = stmt.column_text(0);
    key = stmt.column_text(1);
    revoked = stmt.column_text(2) == "revoked";
  }
  auto revoked_status = [&] {
    return Status::auth("device " + h.device_id + " has been revoked; re-enroll it").with_code("revoked");
  };

  if (h.bearer) {
    // Only a device enrolled before signing may still show its token (its row
    // has no key yet); with the key-upgrade header the hub derives and keeps
    // the key now, and the token is never accepted from that device again.
    if (!same_secret(sha256_hex(h.bearer_token), token_sha256))
      return Status::auth("wrong token for device " + h.device_id).with_code("unauthenticated");
    if (revoked) return revoked_status();
    if (!key.empty())
      return Status::auth("device " + h.device_id + " signs its requests; a bearer token is no longer accepted from it")
          .with_code("unauthenticated");
    if (request.header_value(kKeyUpgradeHeader) == "1") {
      HALLSYNC_ASSIGN_OR_RETURN(auto upgrade, db_->prepare("UPDATE devices SET request_key = ?"
                                                           " WHERE device_id = ? AND request_key = ''"));
      upgrade.bind(1, request_key(h.bearer_token)).bind(2, h.device_id);
      HALLSYNC_RETURN_IF_ERROR(upgrade.run());
    }
    return Caller{h.device_id, {}, 0};
  }

  if (key.empty()) {
    if (revoked) return revoked_status();
    return Status::auth("device " + h.device_id + " was enrolled before request signing: the hub holds no key for it "
                        "yet (the device sends its token once to upgrade)")
        .with_code("legacy_credentials");
  }
  if (!signature_matches(request, h, key))
    return Status::auth("the request's signature does not match device " + h.device_id +
                        "'s key (wrong token in hub.conf, or the request was altered)")
        .with_code("bad_signature");
  if (revoked) return revoked_status();
  std::int64_t now = clock_->now_ms();
  if (std::llabs(h.timestamp_ms - now) > kRequestWindowMs)
    return Status::auth("the request's timestamp is " + std::to_string((h.timestamp_ms - now) / 1000) +
                        " s off the hub's clock (allowed: ±" + std::to_string(kRequestWindowMs / 1000) +
                        " s); the device learns the hub's time from this reply")
        .with_code("stale_request");

  // The nonce is recorded before the request is answered (record_nonce, or a
  // push's own transaction): a request that then fails is not replayable
  // either (a device's retry always signs anew).
  // Kept until the request's timestamp has left the window for good.
  return Caller{h.device_id, h.nonce, std::max(h.timestamp_ms, now) + kRequestWindowMs};
}

Status HubService::insert_nonce(Database& db, const Caller& caller) {
  if (caller.nonce.empty()) return Status::ok();  // a legacy bearer token: nothing to record
  const std::int64_t now = clock_->now_ms();
  if (db.is_postgres()) {
    // One statement, one round trip: prune and insert together. The primary
    // key alone refuses a replay, even from another hub process at the same
    // moment (the second insert waits for the first and then does nothing),
    // so no write lock is needed here.
    HALLSYNC_ASSIGN_OR_RETURN(auto insert, db.prepare(
        "WITH pruned AS (DELETE FROM request_nonces WHERE (device_id, nonce) IN"
        " (SELECT device_id, nonce FROM request_nonces WHERE expires_ms < ? ORDER BY expires_ms LIMIT ?))"
        " INSERT INTO request_nonces (device_id, nonce, expires_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
    insert.bind(1, now).bind(2, kNoncePruneBatch).bind(3, caller.device_id).bind(4, caller.nonce)
        .bind(5, caller.nonce_expires_ms);
    HALLSYNC_RETURN_IF_ERROR(insert.run());
  } else {
    HALLSYNC_ASSIGN_OR_RETURN(auto prune, db.prepare(
        "DELETE FROM request_nonces WHERE (device_id, nonce) IN"
        " (SELECT device_id, nonce FROM request_nonces WHERE expires_ms < ? ORDER BY expires_ms LIMIT ?)"));
    prune.bind(1, now).bind(2, kNoncePruneBatch);
    HALLSYNC_RETURN_IF_ERROR(prune.run());
    HALLSYNC_ASSIGN_OR_RETURN(auto insert, db.prepare("INSERT INTO request_nonces (device_id, nonce, expires_ms)"
                                                      " VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
    insert.bind(1, caller.device_id).bind(2, caller.nonce).bind(3, caller.nonce_expires_ms);
    HALLSYNC_RETURN_IF_ERROR(insert.run());
  }
  if (db.changes() == 0)
    return Status::auth("request nonce " + caller.nonce + " of device " + caller.device_id +
                        " was already used: a replayed request, nothing applied")
        .with_code("replayed_request");
  return Status::ok();
}

Status HubService::record_nonce(const Caller& caller) {
  if (caller.nonce.empty()) return Status::ok();
  if (db_->is_postgres()) {
    // Autocommit, outside the hub's write lock: a pull's nonce does not wait
    // for a push's batch (see insert_nonce).
    HALLSYNC_RETURN_IF_ERROR(insert_nonce(*db_, caller));
  } else {
    HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
    HALLSYNC_RETURN_IF_ERROR(insert_nonce(*db_, caller));
    HALLSYNC_RETURN_IF_ERROR(txn.commit());
  }
  crash_point("hub.auth.after_nonce_commit");
  return Status::ok();
}

}  // namespace hallsync::hub
