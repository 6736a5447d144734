// One sync session: push then pull, with every acknowledgement and every
// pulled page committed together with the position it advances.
#include "sync/api/replicator.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <future>

#include "sync/api/blob_download.h"
#include "sync/api/blob_upload.h"
#include "sync/api/change_log.h"
#include "sync/api/crash_point.h"
#include "sync/protocol/messages.h"

namespace hallsync {

// A constant, not ReplicatorOptions{}: clang does not evaluate a struct with
// a std::string member in a constant expression.
static_assert(kDeviceProtocolVersion == protocol::kCurrentVersion,
              "devices speak the current protocol version by default");

std::int64_t hub_epoch_value(const std::string& hex) {
  // The epoch is 16 hex digits; kept as its 64-bit value in sync_state.
  return static_cast<std::int64_t>(std::stoull(hex, nullptr, 16));
}

bool is_hub_epoch(const std::string& epoch) {
  return epoch.size() == 16 && epoch.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Status status_from_hub_reply(const HttpResponse& r) {
  std::string code = "http_" + std::to_string(r.status), message = "hub answered HTTP " + std::to_string(r.status);
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("code") && j["code"].is_string()) code = j["code"].get<std::string>();
  if (j.is_object() && j.contains("message") && j["message"].is_string())
    message += ": " + j["message"].get<std::string>();
  if (r.status == 401 || r.status == 403) return Status::auth(message).with_code(code);
  if (r.status >= 500 || r.status == 429) return Status::network(message).with_code(code);  // the hub may recover
  return Status::protocol(message).with_code(code);
}

HttpRequest protocol_request(const std::string& target, std::string body, const DeviceCredentials& credentials,
                             int version) {
  HttpRequest req;
  req.target = target;
  req.headers = {{"Content-Type", protocol::kContentType},
                 {protocol::kVersionHeader, std::to_string(version)},
                 {kDeviceHeader, credentials.device_id}};
  req.body = std::move(body);
  return req;
}

Status check_protocol_reply(const HttpResponse& res) {
  if (res.status != 200) return status_from_hub_reply(res);
  // Requests never send Accept-Encoding, so any content coding is one this
  // device did not ask for: reading the body as if it were absent would parse
  // something other than what the hub meant.
  std::string coding = res.header("Content-Encoding");
  if (!coding.empty() && coding != "identity")
    return Status::protocol("hub answered with Content-Encoding '" + coding +
                            "', which this device never asks for; nothing of the reply was used")
        .with_code("bad_content_encoding");
  if (res.header("Content-Type") != protocol::kContentType)
    return Status::protocol("hub answered 200 with content type '" + res.header("Content-Type") +
                            "' instead of a protocol message")
        .with_code("bad_content_type");
  return Status::ok();
}

Replicator::Fetched Replicator::fetch(const std::string& target, std::string body, const HeaderList& extra) {
  HttpRequest req = protocol_request(target, std::move(body), credentials_, options_.protocol_version);
  req.headers.insert(req.headers.end(), extra.begin(), extra.end());
  Fetched f;
  std::uint64_t sent = transport_->bytes_sent(), received = transport_->bytes_received();
  ExchangeTimes times;
  auto res = signer_.exchange(*transport_, std::move(req), &times);
  f.sent_ms = times.sent_ms;
  f.received_ms = times.received_ms;
  f.bytes_sent = transport_->bytes_sent() - sent;
  f.bytes_received = transport_->bytes_received() - received;
  if (!res) {
    f.response = res.status();
    return f;
  }
  f.http_status = res->status;
  if (Status s = check_protocol_reply(*res); !s.is_ok()) {
    f.response = s;
  } else {
    f.response = std::move(res);
  }
  return f;
}

Result<HttpResponse> Replicator::settle(Fetched fetched) {
  if (current_) {
    current_->bytes_sent += fetched.bytes_sent;
    current_->bytes_received += fetched.bytes_received;
  }
  if (fetched.http_status == 409) HALLSYNC_RETURN_IF_ERROR(epoch_behind_refusal());
  return std::move(fetched.response);
}

Status Replicator::epoch_behind_refusal() {
  // A hub reset since the last session answers the device's next push with
  // sequence_gap (it never saw this device): name the real cause instead.
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t known, read_sync_value(*db_, kHubEpochKey, 0));
  if (known == 0) return Status::ok();
  HttpRequest health;
  health.method = "GET";
  health.target = "/v1/health";
  auto res = transport_->exchange(health);
  if (!res || res->status != 200) return Status::ok();  // the refusal itself is reported
  auto j = nlohmann::json::parse(res->body, nullptr, false);
  if (!j.is_object() || !j.contains("epoch") || !j["epoch"].is_string()) return Status::ok();
  std::string epoch = j["epoch"].get<std::string>();
  if (!is_hub_epoch(epoch) || hub_epoch_value(epoch) == known) return Status::ok();
  return check_epoch(epoch);
}

Status Replicator::check_epoch(const std::string& epoch) {
  if (!is_hub_epoch(epoch))
    return Status::protocol("hub sent a malformed epoch").with_code("malformed");
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t known, read_sync_value(*db_, kHubEpochKey, 0));
  if (known == 0) {
    HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
    HALLSYNC_RETURN_IF_ERROR(write_sync_value(txn, kHubEpochKey, hub_epoch_value(epoch)));
    return txn.commit();
  }
  if (known != hub_epoch_value(epoch))
    return Status::protocol("the hub was reset or restored (its epoch changed); nothing was exchanged. "
                            "A technician must run `hallctl resync` to reconcile this device with it")
        .with_code("hub_epoch_changed");
  return Status::ok();
}

void Replicator::note_clock(std::int64_t server_ms, std::int64_t sent_ms, std::int64_t received_ms) {
  // Midpoint estimate: the hub stamped its time somewhere during the round trip.
  std::int64_t offset = server_ms - (sent_ms + received_ms) / 2;
  signer_.learn_offset(offset);
  if (current_) {
    current_->clock_offset_ms = offset;
    current_->clock_warning = std::llabs(offset) > options_.clock_warning_ms;
  }
}

Status Replicator::record_clock(Transaction& txn, std::int64_t offset_ms) {
  HALLSYNC_RETURN_IF_ERROR(write_sync_value(txn, kClockOffsetKey, offset_ms));
  const BootClockFor own(*clock_);
  return write_clock_anchor(txn, clock_->now_ms() + offset_ms, options_.boot_clock ? *options_.boot_clock : own);
}

std::string Replicator::push_body(const std::vector<OutboxEntry>& entries, const OutboxStats& outbox,
                                  std::int64_t clock_offset_ms, std::string chain_before) const {
  protocol::PushRequest req;
  if (!entries.empty()) {
    req.chain_before = std::move(chain_before);
    req.chain_head = entries.back().chain;
  }
  req.device_id = credentials_.device_id;
  req.entries.reserve(entries.size());
  for (const auto& e : entries)
    req.entries.push_back({e.seq, e.hlc.value, e.collection, e.doc_key, std::string(e.payload.begin(), e.payload.end())});
  req.report = {outbox.pending, outbox.oldest_pending_ms, clock_offset_ms, options_.software_version, ""};
  return protocol::encode(req, options_.protocol_version);
}

Status Replicator::push_into(SyncStats& stats) {
  ChangeLog log(*db_);
  HALLSYNC_ASSIGN_OR_RETURN(OutboxStats outbox, log.stats());
  HALLSYNC_ASSIGN_OR_RETURN(auto entries, log.read_after(outbox.acknowledged_through, options_.push_batch_entries,
                                                          options_.push_batch_bytes));
  std::string chain_before;
  if (!entries.empty()) {
    HALLSYNC_ASSIGN_OR_RETURN(chain_before, log.chain_before(entries.front().seq));
  }
  std::string body = push_body(entries, outbox, stats.clock_offset_ms, chain_before);
  while (!entries.empty()) {
    std::int64_t last = entries.back().seq;
    // The next batch is read now and compressed on a worker while this one is
    // in flight: on two cores the device's encoding overlaps the hub's apply.
    // If this batch fails, the worker's result is dropped (the future waits).
    OutboxStats next_outbox = outbox;
    next_outbox.acknowledged_through = last;
    HALLSYNC_ASSIGN_OR_RETURN(auto next_entries, log.read_after(last, options_.push_batch_entries, options_.push_batch_bytes));
    std::future<std::string> next_body;
    if (!next_entries.empty()) {
      next_outbox.last_seq = std::max(outbox.last_seq, next_entries.back().seq);
      next_outbox.pending = next_outbox.last_seq - last;
      next_outbox.oldest_pending_ms = next_entries.front().created_ms;
      // The next batch continues the chain from this one's last entry.
      next_body = std::async(std::launch::async, [this, &next_entries, &next_outbox, offset = stats.clock_offset_ms,
                                                  before = entries.back().chain] {
        return push_body(next_entries, next_outbox, offset, before);
      });
    }
    crash_point("push.before_send");
    Fetched fetched = fetch("/v1/push", std::move(body));
    std::int64_t sent_ms = fetched.sent_ms, received_ms = fetched.received_ms;
    HALLSYNC_ASSIGN_OR_RETURN(HttpResponse http, settle(std::move(fetched)));
    crash_point("push.reply_received");
    HALLSYNC_ASSIGN_OR_RETURN(auto res, protocol::decode_push_response(http.body, options_.protocol_version));
    HALLSYNC_RETURN_IF_ERROR(check_epoch(res.hub_epoch));
    note_clock(res.server_time_ms, sent_ms, received_ms);
    if (res.acknowledged_through < last)
      return Status::protocol("hub acknowledged only up to " + std::to_string(res.acknowledged_through) +
                              " of a batch ending at " + std::to_string(last) + "; the batch will be resent")
          .with_code("partial_ack");
    if (res.acknowledged_through > outbox.last_seq)
      return Status::protocol("hub holds sequence " + std::to_string(res.acknowledged_through) + " but this device's outbox ends at " +
                              std::to_string(outbox.last_seq) + ": this store is older than what the hub has seen; "
                              "run `hallctl resync --rebuild`")
          .with_code("hub_ahead");
    HALLSYNC_RETURN_IF_ERROR(commit_batch(res.rejected, outbox.acknowledged_through, last));
    stats.pushed += static_cast<std::int64_t>(entries.size());
    stats.rejected += static_cast<std::int64_t>(res.rejected.size());
    ++stats.push_batches;
    if (on_progress) on_progress(stats);
    body = next_body.valid() ? next_body.get() : std::string();
    entries = std::move(next_entries);
    outbox = next_outbox;
  }
  return Status::ok();
}

Status Replicator::commit_batch(const std::vector<protocol::Rejection>& rejected, std::int64_t after, std::int64_t last) {
  ChangeLog log(*db_);
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
  for (const auto& r : rejected) {
    if (r.seq <= after || r.seq > last)
      return Status::protocol("hub rejected sequence " + std::to_string(r.seq) + " which was not in the batch")
          .with_code("malformed");
    HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare("INSERT OR REPLACE INTO sync_rejections (seq, reason, reported_ms)"
                                                      " VALUES (?, ?, ?)"));
    stmt.bind(1, r.seq).bind(2, r.reason).bind(3, clock_->now_ms());
    HALLSYNC_RETURN_IF_ERROR(stmt.run());
  }
  HALLSYNC_RETURN_IF_ERROR(log.mark_acknowledged_through(txn, last));
  HALLSYNC_RETURN_IF_ERROR(record_clock(txn, current_ ? current_->clock_offset_ms : 0));
  crash_point("push.before_ack_commit");
  HALLSYNC_RETURN_IF_ERROR(txn.commit());
  crash_point("push.after_ack_commit");
  return Status::ok();
}

Status Replicator::pull_into(SyncStats& stats, std::string_view cursor_key) {
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t cursor, read_sync_value(*db_, cursor_key, 0));
  auto request_page = [this](std::int64_t from) {
    protocol::PullRequest req{credentials_.device_id, from, options_.pull_page, options_.include_own};
    crash_point("pull.before_send");
    return fetch("/v1/pull", protocol::encode(req, options_.protocol_version));
  };
  Fetched fetched = request_page(cursor);
  for (;;) {
    std::int64_t sent_ms = fetched.sent_ms, received_ms = fetched.received_ms;
    HALLSYNC_ASSIGN_OR_RETURN(HttpResponse http, settle(std::move(fetched)));
    crash_point("pull.page_received");
    HALLSYNC_ASSIGN_OR_RETURN(auto res, protocol::decode_pull_response(http.body, options_.protocol_version));
    HALLSYNC_RETURN_IF_ERROR(check_epoch(res.hub_epoch));
    note_clock(res.server_time_ms, sent_ms, received_ms);
    // Validate the whole page before touching the store.
    if (res.next_cursor < cursor)
      return Status::protocol("hub moved the cursor backwards (" + std::to_string(cursor) + " -> " +
                              std::to_string(res.next_cursor) + ")")
          .with_code("bad_cursor");
    std::int64_t prev = cursor;
    for (const auto& c : res.changes) {
      if (c.hub_seq <= prev || c.hub_seq > res.next_cursor)
        return Status::protocol("hub sent change " + std::to_string(c.hub_seq) + " out of order or beyond the cursor")
            .with_code("bad_cursor");
      prev = c.hub_seq;
    }
    // The decoder bounds a page by the protocol's limit; a page beyond what this
    // device asked for is a hub that ignores the request, not one to trust.
    // (The hub serves at least one change whatever was asked.)
    std::size_t asked = std::max<std::size_t>(options_.pull_page, 1);
    if (res.changes.size() > asked)
      return Status::protocol("hub sent " + std::to_string(res.changes.size()) + " changes in a page of at most " +
                              std::to_string(asked) + "; nothing of it was applied")
          .with_code("page_too_large");
    if (res.has_more && res.next_cursor == cursor)
      return Status::protocol("hub reports more changes but did not advance the cursor").with_code("bad_cursor");
    // The next page is requested while this one is applied (the transport is
    // only ever used by one thread at a time). If applying fails, the early
    // return waits for it and drops it: the cursor never moved past this page.
    std::future<Fetched> next;
    if (res.has_more) next = std::async(std::launch::async, request_page, res.next_cursor);
    std::vector<RemoteChange> changes;
    changes.reserve(res.changes.size());
    for (auto& c : res.changes)
      changes.push_back({c.hub_seq, std::move(c.collection), std::move(c.doc_key), std::move(c.payload)});
    HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
    HALLSYNC_RETURN_IF_ERROR(sink_->apply(txn, changes));
    HALLSYNC_RETURN_IF_ERROR(write_sync_value(txn, cursor_key, res.next_cursor));
    HALLSYNC_RETURN_IF_ERROR(record_clock(txn, stats.clock_offset_ms));
    crash_point("pull.mid_page");
    HALLSYNC_RETURN_IF_ERROR(txn.commit());
    crash_point("pull.after_page_commit");
    HALLSYNC_RETURN_IF_ERROR(sink_->committed());
    stats.pulled += static_cast<std::int64_t>(changes.size());
    ++stats.pull_pages;
    if (on_progress) on_progress(stats);
    if (!res.has_more) return Status::ok();
    cursor = res.next_cursor;
    fetched = next.get();
  }
}

Result<SyncStats> Replicator::run(bool do_push, bool do_pull) {
  last_ = SyncStats{};
  current_ = &last_;
  load_signing_state(signer_, *db_);
  Status s = do_push ? push_into(last_) : Status::ok();
  if (s.is_ok() && do_pull) s = pull_into(last_);
  if (s.is_ok() && do_push && do_pull && !options_.blob_dir.empty()) s = blobs_into(last_);
  // Best effort: the flag only hardens later sessions, so a store that cannot
  // take it now (a full disk) does not turn a finished sync into a failure.
  if (s.is_ok() && (do_push || do_pull)) (void)note_signed_session(*db_);
  current_ = nullptr;
  if (!s.is_ok()) return s;
  return last_;
}

Status Replicator::blobs_into(SyncStats& stats) {
  BlobStore store(options_.blob_dir);
  BlobUploader uploader(*db_, *transport_, store, *clock_, credentials_,
                        {options_.blob_chunk_bytes, options_.protocol_version});
  // Bytes of the blob requests: what the transport moved during the run, less
  // what the pushes in between already counted.
  std::uint64_t sent = transport_->bytes_sent(), received = transport_->bytes_received();
  std::uint64_t counted_sent = stats.bytes_sent, counted_received = stats.bytes_received;
  std::int64_t chunks_before = stats.blob_chunks;
  uploader.on_progress = [&](const BlobUploadStats& b) {
    stats.blob_chunks = chunks_before + b.chunks_sent;
    if (on_progress) on_progress(stats);
  };
  // A case registered while a scan uploads goes up before the next chunk.
  uploader.between_chunks = [&]() -> Status {
    HALLSYNC_ASSIGN_OR_RETURN(OutboxStats outbox, ChangeLog(*db_).stats());
    if (outbox.pending == 0) return Status::ok();
    return push_into(stats);
  };
  auto res = uploader.upload_waiting();
  stats.bytes_sent += (transport_->bytes_sent() - sent) - (stats.bytes_sent - counted_sent);
  stats.bytes_received += (transport_->bytes_received() - received) - (stats.bytes_received - counted_received);
  if (!res) return res.status();
  stats.blobs_uploaded += res->uploaded;
  stats.blob_chunks = chunks_before + res->chunks_sent;
  stats.blob_bytes += res->bytes_sent;
  sent = transport_->bytes_sent();
  received = transport_->bytes_received();
  auto fetched = BlobDownloader(*db_, *transport_, store, *clock_, credentials_, options_.blob_chunk_bytes,
                                options_.protocol_version)
                     .download_waiting();
  stats.bytes_sent += transport_->bytes_sent() - sent;
  stats.bytes_received += transport_->bytes_received() - received;
  if (!fetched) return fetched.status();
  stats.blobs_downloaded += fetched->downloaded;
  stats.blobs_not_yet_on_hub += fetched->not_yet_on_hub;
  return Status::ok();
}

Result<SyncStats> Replicator::push() { return run(true, false); }
Result<SyncStats> Replicator::pull() { return run(false, true); }
Result<SyncStats> Replicator::sync() { return run(true, true); }

}  // namespace hallsync
