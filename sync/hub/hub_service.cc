// HubService: opening the store, device administration, and HTTP routing.
#include "sync/hub/hub_service.h"

#include <filesystem>

#include "schema/embedded.h"
#include "sync/api/request_signing.h"
#include "sync/hub/hub_reply.h"

namespace hallsync::hub {

HttpResponse json_error(int status, const std::string& code, const std::string& message,
                        std::optional<std::int64_t> server_time_ms) {
  HttpResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"}};
  std::string escaped;
  for (char c : message) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    escaped += c;
  }
  r.body = "{\"code\":\"" + code + "\",\"message\":\"" + escaped + "\"";
  if (server_time_ms) r.body += ",\"server_time_ms\":" + std::to_string(*server_time_ms);
  r.body += "}";
  return r;
}

int http_status_for(const Status& s) {
  if (s.code() == "out_of_range") return 416;
  if (s.code() == "hash_mismatch") return 422;
  switch (s.kind()) {
    case ErrorKind::Auth: return s.code() == "forbidden" ? 403 : 401;
    case ErrorKind::Protocol: return s.code() == "too_large" ? 413 : 400;
    case ErrorKind::Conflict: return 409;
    case ErrorKind::NotFound: return 404;
    case ErrorKind::Validation: return 422;
    case ErrorKind::Storage: return 503;  // retryable: the store may recover
    default: return 500;
  }
}

Result<std::unique_ptr<HubService>> HubService::open(const std::string& data_dir, const Clock& clock,
                                                     const CasePolicy& policy, const std::string& store) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Status::storage("cannot create hub data directory " + data_dir + ": " + ec.message());
  const bool postgres = !store.empty();
  std::unique_ptr<Database> db;
  if (postgres) {
    // #11: the same statements on PostgreSQL; its own migrations (types differ).
    HALLSYNC_ASSIGN_OR_RETURN(db, Database::open_url(store));
  } else {
    DatabaseOptions options;
    options.cache_kib = 64 * 1024;
    options.mmap_bytes = 256LL * 1024 * 1024;
    options.auto_checkpoint = false;  // checkpoints run on their own thread, not inside a push
    HALLSYNC_ASSIGN_OR_RETURN(db, Database::open((std::filesystem::path(data_dir) / kDatabaseFile).string(), options));
  }
  std::vector<Migration> steps;
  for (const auto& s : schema::sql_steps(postgres ? "sql/hub_pg" : "sql/hub")) steps.push_back({s.version, s.name, s.sql});
  HALLSYNC_RETURN_IF_ERROR(apply_migrations(*db, steps, "hub"));
  std::unique_ptr<HubService> hub(new HubService(std::move(db), data_dir, clock, policy));
  HALLSYNC_RETURN_IF_ERROR(hub->load_meta());
  if (!postgres)
    hub->checkpointer_ = std::make_unique<WalCheckpointer>(hub->db_->path(), std::chrono::milliseconds(500));
  return hub;
}

Status HubService::read_meta() {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare("SELECT key, value FROM hub_meta"));
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    std::string key = stmt.column_text(0), value = stmt.column_text(1);
    if (key == "epoch") epoch_ = value;
    if (key == "hub_seq") hub_seq_counter_ = std::stoll(value);
    if (key == "case_no") case_no_counter_ = std::stoll(value);
    if (key == "hlc") hlc_ = HlcClock(*clock_, Hlc{std::stoull(value)});
  }
  return Status::ok();
}

Status HubService::load_meta() {
  HALLSYNC_RETURN_IF_ERROR(read_meta());
  if (!epoch_.empty()) return Status::ok();
  // A new hub (or one reset from scratch) gets a fresh epoch, so devices that
  // synced with an earlier incarnation notice instead of silently mixing.
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
  // Again under the write lock: a second hub process starting on the same
  // store at the same moment must not write an epoch of its own (#11).
  HALLSYNC_RETURN_IF_ERROR(read_meta());
  if (!epoch_.empty()) return Status::ok();
  epoch_ = random_hex(8);
  HALLSYNC_RETURN_IF_ERROR(save_meta(txn));
  return txn.commit();
}

Status HubService::begin_write(Transaction& txn) {
  (void)txn;  // the caller's BEGIN IMMEDIATE (PostgreSQL: advisory lock) holds the write lock while we read
  return read_meta();
}

Status HubService::save_meta(Transaction& txn) {
  // One statement for the four counters (one round trip on PostgreSQL).
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, txn.db().prepare("INSERT INTO hub_meta (key, value) VALUES (?, ?), (?, ?), (?, ?), (?, ?)"
                                                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
  stmt.bind(1, "epoch").bind(2, epoch_).bind(3, "hub_seq").bind(4, std::to_string(hub_seq_counter_));
  stmt.bind(5, "case_no").bind(6, std::to_string(case_no_counter_)).bind(7, "hlc").bind(8, std::to_string(hlc_.last().value));
  return stmt.run();
}

Status HubService::add_hall(const std::string& hall_code, const std::string& name) {
  if (hall_code.empty() || hall_code.size() > 12) return Status::validation("hall code must be 1-12 characters");
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare("INSERT INTO halls (hall_code, name, created_ms) VALUES (?, ?, ?)"
                                                    " ON CONFLICT (hall_code) DO UPDATE SET name = excluded.name"));
  stmt.bind(1, hall_code).bind(2, name).bind(3, clock_->now_ms());
  return stmt.run();
}

Result<std::string> HubService::add_device(const std::string& hall_code, const std::string& device_code) {
  HALLSYNC_ASSIGN_OR_RETURN(auto hall, db_->prepare("SELECT 1 FROM halls WHERE hall_code = ?"));
  hall.bind(1, hall_code);
  HALLSYNC_ASSIGN_OR_RETURN(bool known, hall.step());
  if (!known) return Status::not_found("unknown hall " + hall_code + " (add it with `hallhub hall add`)");
  return issue_token(hall_code, device_code);
}

Result<std::string> HubService::issue_token(const std::string& hall_code, const std::string& device_code) {
  std::string device_id = hall_code + "-" + device_code;
  std::string token = random_hex(24);
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare(
      "INSERT INTO devices (device_id, hall_code, token_sha256, request_key, created_ms) VALUES (?, ?, ?, ?, ?)"
      " ON CONFLICT (device_id) DO UPDATE SET token_sha256 = excluded.token_sha256,"
      " request_key = excluded.request_key, status = 'active'"));
  stmt.bind(1, device_id).bind(2, hall_code).bind(3, sha256_hex(token)).bind(4, request_key(token)).bind(5, clock_->now_ms());
  HALLSYNC_RETURN_IF_ERROR(stmt.run());
  return token;
}

Status HubService::revoke_device(const std::string& device_id) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare("UPDATE devices SET status = 'revoked' WHERE device_id = ?"));
  stmt.bind(1, device_id);
  HALLSYNC_RETURN_IF_ERROR(stmt.run());
  if (db_->changes() == 0) return Status::not_found("unknown device " + device_id);
  return Status::ok();
}

Result<std::vector<DeviceRow>> HubService::devices() {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db_->prepare(
      "SELECT device_id, hall_code, status, high_water, last_seen_ms, unsent, oldest_unsent_ms, clock_offset_ms,"
      " software_version, last_error, request_key = '' FROM devices ORDER BY hall_code, device_id"));
  std::vector<DeviceRow> out;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    out.push_back({stmt.column_text(0), stmt.column_text(1), stmt.column_text(2), stmt.column_int(3),
                   stmt.column_int(4), stmt.column_int(5), stmt.column_int(6), stmt.column_int(7),
                   stmt.column_text(8), stmt.column_text(9), stmt.column_int(10) != 0});
  }
  return out;
}

HttpResponse HubService::handle(const HttpRequest& request, const std::string& /*peer*/) {
  if (request.target == "/v1/health" && request.method == "GET") {
    HttpResponse r;
    r.status = 200;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = "{\"status\":\"ok\",\"epoch\":\"" + epoch_ + "\",\"server_time_ms\":" + std::to_string(clock_->now_ms()) +
             ",\"protocol\":[" + std::to_string(protocol::kOldestVersion) + "," +
             std::to_string(protocol::kCurrentVersion) + "]}";
    return r;
  }
  // The one unauthenticated write: a one-time code is the credential.
  if (request.target == "/v1/enroll") {
    if (request.method != "POST") return json_error(405, "method_not_allowed", "use POST");
    return handle_enroll(request);
  }
  bool is_push = request.target == "/v1/push", is_pull = request.target == "/v1/pull";
  bool is_digest = request.target == "/v1/digests", is_repush = request.target == "/v1/repush";
  bool is_blob = request.target == "/v1/blobs/offer" || request.target == "/v1/blobs/chunk" ||
                 request.target == "/v1/blobs/read";
  if (!is_push && !is_pull && !is_digest && !is_repush && !is_blob) return json_error(404, "not_found", "no such endpoint: " + request.target);
  if (request.method != "POST") return json_error(405, "method_not_allowed", "use POST");
  std::string version_text = request.header_value(protocol::kVersionHeader);
  int version = version_text.size() == 1 && std::isdigit(static_cast<unsigned char>(version_text[0])) ? version_text[0] - '0' : 0;
  if (version < protocol::kOldestVersion || version > protocol::kCurrentVersion)
    return json_error(426, "unsupported_protocol",
                      "protocol version '" + version_text + "' is not supported; this hub speaks " +
                          std::to_string(protocol::kOldestVersion) + " to " + std::to_string(protocol::kCurrentVersion) +
                          ": upgrade the hall software");
  auto caller = authenticate(request);
  if (!caller) {
    // A stale timestamp carries the hub's time: the device learns its offset
    // from it and signs once more (RequestSigner::exchange).
    std::optional<std::int64_t> hub_time;
    if (caller.status().code() == "stale_request") hub_time = clock_->now_ms();
    return json_error(http_status_for(caller.status()), caller.status().code(), caller.status().message(), hub_time);
  }
  const std::string* device = &caller->device_id;
  // A push records its nonce in its batch's transaction (push_signed); every
  // other request before it is handled.
  if (!is_push && !is_repush) {
    if (Status s = record_nonce(*caller); !s.is_ok()) return json_error(http_status_for(s), s.code(), s.message());
  }

  if (is_blob) return handle_blob(request, *device, version);

  HttpResponse ok;
  ok.status = 200;
  ok.headers = {{"Content-Type", protocol::kContentType}, {protocol::kVersionHeader, std::to_string(version)}};
  if (is_push || is_repush) {
    // A push refused before its batch runs still has its nonce recorded
    // before the answer, as one refused inside it does (push_signed); a
    // replay of it is refused as such.
    auto refuse = [&](int http_status, const std::string& code, const std::string& message) {
      if (Status s = record_nonce(*caller); !s.is_ok()) return json_error(http_status_for(s), s.code(), s.message());
      return json_error(http_status, code, message);
    };
    // Repair mode (hallctl resync --repush): only against the epoch the device
    // agreed to, so a hub restored in between is noticed, never written to blindly.
    std::string expected = request.header_value(protocol::kExpectedEpochHeader);
    if (is_repush && expected != epoch_)
      return refuse(409, "epoch_mismatch", "repair push expects hub epoch '" + expected + "' but this hub's epoch is " +
                                               epoch_ + "; probe the hub again and agree to its epoch");
    auto req = protocol::decode_push_request(request.body, version);
    if (!req) return refuse(400, req.status().code(), req.status().message());
    auto res = push_signed(*caller, *req, /*repair=*/is_repush);
    if (!res) return json_error(http_status_for(res.status()), res.status().code(), res.status().message());
    ok.body = protocol::encode(*res, version);
  } else if (is_digest) {
    auto req = protocol::decode_digest_request(request.body, version);
    if (!req) return json_error(400, req.status().code(), req.status().message());
    auto res = digest_reply(*device, *req);
    if (!res) return json_error(http_status_for(res.status()), res.status().code(), res.status().message());
    ok.body = protocol::encode(*res, version);
  } else {
    auto req = protocol::decode_pull_request(request.body, version);
    if (!req) return json_error(400, req.status().code(), req.status().message());
    auto res = pull(*device, *req);
    if (!res) return json_error(http_status_for(res.status()), res.status().code(), res.status().message());
    ok.body = protocol::encode(*res, version);
  }
  return ok;
}

}  // namespace hallsync::hub
