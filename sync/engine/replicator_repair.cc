// Repair sessions a technician starts (hallctl resync): the epoch handshake,
// a repair push of the whole outbox, a re-pull of the hall's history; and the
// authentication probe of hallctl doctor.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <limits>

#include "sync/api/change_log.h"
#include "sync/api/replicator.h"
#include "sync/protocol/messages.h"

namespace hallsync {

Result<std::string> known_hub_epoch(Database& db) {
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t value, read_sync_value(db, kHubEpochKey, 0));
  if (value == 0) return std::string();
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016" PRIx64, static_cast<std::uint64_t>(value));
  return std::string(hex);
}

Status agree_hub_epoch(Database& db, const std::string& epoch) {
  if (!is_hub_epoch(epoch)) return Status::validation("'" + epoch + "' is not a hub epoch (16 hex digits)");
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(db));
  HALLSYNC_RETURN_IF_ERROR(write_sync_value(txn, kHubEpochKey, hub_epoch_value(epoch)));
  return txn.commit();
}

std::int64_t learned_clock_offset(Database& db) {
  // An unreadable value signs with the raw clock: the hub's stale_request
  // answer then teaches the offset (RequestSigner::exchange).
  auto offset = read_sync_value(db, kClockOffsetKey, 0);
  return offset ? *offset : 0;
}

void load_signing_state(RequestSigner& signer, Database& db) {
  signer.learn_offset(learned_clock_offset(db));
  auto signed_before = read_sync_value(db, kSignedKey, 0);
  signer.allow_bearer_upgrade(!signed_before || *signed_before == 0);
}

Status note_signed_session(Database& db) {
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t signed_before, read_sync_value(db, kSignedKey, 0));
  if (signed_before == 1) return Status::ok();
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(db));
  HALLSYNC_RETURN_IF_ERROR(write_sync_value(txn, kSignedKey, 1));
  return txn.commit();
}

Result<HubHandshake> hub_handshake(Transport& transport, const DeviceCredentials& credentials, const Clock& clock,
                                   Database* db, int protocol_version) {
  // An empty push: authenticated, applies nothing, and the answer names the
  // hub's epoch and how far it holds this device's outbox.
  protocol::PushRequest empty;
  empty.device_id = credentials.device_id;
  empty.report.software_version = "hallctl-resync";
  if (db) {
    ChangeLog log(*db);
    HALLSYNC_ASSIGN_OR_RETURN(OutboxStats outbox, log.stats());
    empty.report.unsent = outbox.pending;
    empty.report.oldest_unsent_ms = outbox.oldest_pending_ms;
  }
  RequestSigner signer(credentials, clock);
  if (db) load_signing_state(signer, *db);
  HALLSYNC_ASSIGN_OR_RETURN(HttpResponse http, signer.exchange(transport, protocol_request(
                                                   "/v1/push", protocol::encode(empty, protocol_version), credentials,
                                                   protocol_version)));
  HALLSYNC_RETURN_IF_ERROR(check_protocol_reply(http));
  HALLSYNC_ASSIGN_OR_RETURN(auto res, protocol::decode_push_response(http.body, protocol_version));
  if (!is_hub_epoch(res.hub_epoch)) return Status::protocol("hub sent a malformed epoch").with_code("malformed");
  HubHandshake h{res.hub_epoch, "", res.acknowledged_through, res.server_time_ms};
  if (db) {
    HALLSYNC_ASSIGN_OR_RETURN(h.known_epoch, known_hub_epoch(*db));
  }
  return h;
}

Status probe_authentication(Transport& transport, const DeviceCredentials& credentials, const Clock& clock,
                            std::int64_t learned_offset_ms, Database* db, int protocol_version) {
  protocol::PullRequest probe{credentials.device_id, std::numeric_limits<std::int64_t>::max() / 2, 1, false};
  RequestSigner signer(credentials, clock);
  if (db) load_signing_state(signer, *db);
  signer.learn_offset(learned_offset_ms);
  HALLSYNC_ASSIGN_OR_RETURN(HttpResponse http, signer.exchange(transport, protocol_request(
                                                   "/v1/pull", protocol::encode(probe, protocol_version), credentials,
                                                   protocol_version)));
  return check_protocol_reply(http);
}

Status Replicator::repush_into(SyncStats& stats, const std::string& agreed_epoch) {
  ChangeLog log(*db_);
  std::int64_t after = 0;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(OutboxStats outbox, log.stats());
    HALLSYNC_ASSIGN_OR_RETURN(auto entries, log.read_after(after, options_.push_batch_entries, options_.push_batch_bytes));
    if (entries.empty()) return Status::ok();
    HALLSYNC_ASSIGN_OR_RETURN(std::string chain_before, log.chain_before(entries.front().seq));
    Fetched fetched = fetch("/v1/repush", push_body(entries, outbox, stats.clock_offset_ms, std::move(chain_before)),
                            {{protocol::kExpectedEpochHeader, agreed_epoch}});
    std::int64_t sent_ms = fetched.sent_ms, received_ms = fetched.received_ms;
    HALLSYNC_ASSIGN_OR_RETURN(HttpResponse http, settle(std::move(fetched)));
    HALLSYNC_ASSIGN_OR_RETURN(auto res, protocol::decode_push_response(http.body, options_.protocol_version));
    if (res.hub_epoch != agreed_epoch)
      return Status::protocol("the hub's epoch changed during the repair (" + agreed_epoch + " -> " + res.hub_epoch + ")")
          .with_code("hub_epoch_changed");
    note_clock(res.server_time_ms, sent_ms, received_ms);
    std::int64_t last = entries.back().seq;
    if (res.acknowledged_through < last)
      return Status::protocol("hub acknowledged only up to " + std::to_string(res.acknowledged_through) +
                              " of a repair batch ending at " + std::to_string(last))
          .with_code("partial_ack");
    HALLSYNC_RETURN_IF_ERROR(commit_batch(res.rejected, after, last));
    stats.pushed += static_cast<std::int64_t>(entries.size());
    stats.rejected += static_cast<std::int64_t>(res.rejected.size());
    ++stats.push_batches;
    if (on_progress) on_progress(stats);
    after = last;
  }
}

Result<SyncStats> Replicator::repush(const std::string& agreed_epoch) {
  last_ = SyncStats{};
  current_ = &last_;
  load_signing_state(signer_, *db_);
  Status s = repush_into(last_, agreed_epoch);
  current_ = nullptr;
  if (!s.is_ok()) return s;
  return last_;
}

Result<SyncStats> Replicator::repull() {
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t resume, read_sync_value(*db_, kRepullCursorKey, -1));
  if (resume < 0) {
    HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
    HALLSYNC_RETURN_IF_ERROR(write_sync_value(txn, kRepullCursorKey, 0));
    HALLSYNC_RETURN_IF_ERROR(txn.commit());
  }
  bool include_own = options_.include_own;
  options_.include_own = true;
  last_ = SyncStats{};
  current_ = &last_;
  load_signing_state(signer_, *db_);
  Status s = pull_into(last_, kRepullCursorKey);
  current_ = nullptr;
  options_.include_own = include_own;
  if (!s.is_ok()) return s;
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t reached, read_sync_value(*db_, kRepullCursorKey, 0));
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t cursor, read_sync_value(*db_, kPullCursorKey, 0));
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
  HALLSYNC_RETURN_IF_ERROR(write_sync_value(txn, kPullCursorKey, std::max(cursor, reached)));
  HALLSYNC_RETURN_IF_ERROR(write_sync_value(txn, kRepullCursorKey, -1));
  HALLSYNC_RETURN_IF_ERROR(txn.commit());
  return last_;
}

}  // namespace hallsync
