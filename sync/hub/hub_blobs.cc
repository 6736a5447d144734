// The hub's blob endpoints: offers, chunks written at their offset into the
// uploading hall's partial file, held ranges recorded only after the bytes are
// fsynced, and the whole-file SHA-256 check before the hall counts as holding
// the blob (stored once, by its hash, in DATA_DIR/blobs). Each hall proves
// possession by its own upload (hub migration 0006).
#include <filesystem>

#include "sync/api/blob_store.h"
#include "sync/api/crypto_suite.h"
#include "sync/hub/hub_reply.h"
#include "sync/hub/hub_service.h"

namespace hallsync::hub {
namespace {

struct BlobRow {
  bool exists = false, complete = false;
  std::int64_t size = 0;
};

Result<BlobRow> read_blob(Database& db, const std::string& sha256) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT size, complete FROM blobs WHERE sha256 = ?"));
  stmt.bind(1, sha256);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return BlobRow{};
  return BlobRow{true, stmt.column_int(1) == 1, stmt.column_int(0)};
}

// Whether the query (two text parameters: sha256, hall) finds a row.
Result<bool> exists_for_hall(Database& db, const char* sql, const std::string& sha256, const std::string& hall) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare(sql));
  stmt.bind(1, sha256).bind(2, hall);
  return stmt.step();
}

Result<bool> hall_holds(Database& db, const std::string& sha256, const std::string& hall) {
  return exists_for_hall(db, "SELECT 1 FROM blob_holders WHERE sha256 = ? AND hall_code = ?", sha256, hall);
}

Result<bool> hall_offered(Database& db, const std::string& sha256, const std::string& hall) {
  return exists_for_hall(db, "SELECT 1 FROM blob_refs WHERE sha256 = ? AND hall_code = ?", sha256, hall);
}

Result<std::vector<protocol::ByteRange>> read_ranges(Database& db, const std::string& sha256, const std::string& hall) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT begin_at, end_at FROM blob_upload_ranges"
                                                  " WHERE sha256 = ? AND hall_code = ? ORDER BY begin_at"));
  stmt.bind(1, sha256).bind(2, hall);
  std::vector<protocol::ByteRange> out;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    out.push_back({stmt.column_int(0), stmt.column_int(1)});
  }
  return out;
}

Result<std::string> device_hall(Database& db, const std::string& device_id) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, db.prepare("SELECT hall_code FROM devices WHERE device_id = ?"));
  stmt.bind(1, device_id);
  HALLSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return Status::auth("unknown device " + device_id).with_code("unauthenticated");
  return stmt.column_text(0);
}

// An upload is alive while offers or chunks keep coming.
Status touch_upload(Transaction& txn, const std::string& sha256, const std::string& hall, std::int64_t now_ms) {
  HALLSYNC_ASSIGN_OR_RETURN(auto blob, txn.db().prepare("UPDATE blobs SET updated_ms = ? WHERE sha256 = ?"));
  blob.bind(1, now_ms).bind(2, sha256);
  HALLSYNC_RETURN_IF_ERROR(blob.run());
  HALLSYNC_ASSIGN_OR_RETURN(auto ranges, txn.db().prepare("UPDATE blob_upload_ranges SET updated_ms = ?"
                                                          " WHERE sha256 = ? AND hall_code = ?"));
  ranges.bind(1, now_ms).bind(2, sha256).bind(3, hall);
  return ranges.run();
}

Status replace_ranges(Transaction& txn, const std::string& sha256, const std::string& hall,
                      const std::vector<protocol::ByteRange>& ranges, std::int64_t now_ms) {
  HALLSYNC_ASSIGN_OR_RETURN(auto del, txn.db().prepare("DELETE FROM blob_upload_ranges WHERE sha256 = ? AND hall_code = ?"));
  del.bind(1, sha256).bind(2, hall);
  HALLSYNC_RETURN_IF_ERROR(del.run());
  for (const auto& r : ranges) {
    HALLSYNC_ASSIGN_OR_RETURN(auto ins, txn.db().prepare("INSERT INTO blob_upload_ranges"
                                                         " (sha256, hall_code, begin_at, end_at, updated_ms) VALUES (?, ?, ?, ?, ?)"));
    ins.bind(1, sha256).bind(2, hall).bind(3, r.begin).bind(4, r.end).bind(5, now_ms);
    HALLSYNC_RETURN_IF_ERROR(ins.run());
  }
  return Status::ok();
}

Status add_holder(Transaction& txn, const std::string& sha256, const std::string& hall, std::int64_t now_ms) {
  HALLSYNC_ASSIGN_OR_RETURN(auto ins, txn.db().prepare("INSERT INTO blob_holders (sha256, hall_code, since_ms)"
                                                       " VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
  ins.bind(1, sha256).bind(2, hall).bind(3, now_ms);
  return ins.run();
}

}  // namespace

std::string HubService::upload_partial_path(const std::string& sha256, const std::string& hall_code) const {
  // Hex keeps any hall code a safe file name; the GC reads it back.
  return blob_dir() + "/partial/" + sha256 + "." + crypto::to_hex(hall_code) + ".part";
}

Result<protocol::BlobState> HubService::blob_state(const std::string& sha256, const std::string& hall) {
  HALLSYNC_ASSIGN_OR_RETURN(BlobRow b, read_blob(*db_, sha256));
  HALLSYNC_ASSIGN_OR_RETURN(bool holds, hall_holds(*db_, sha256, hall));
  protocol::BlobState st;
  st.sha256 = sha256;
  st.size = b.size;
  // Complete for this hall only once it proved it holds the bytes; until then
  // it sees its own upload's progress, never another hall's copy.
  st.complete = b.complete && holds;
  if (!st.complete) {
    HALLSYNC_ASSIGN_OR_RETURN(st.held, read_ranges(*db_, sha256, hall));
  }
  st.max_chunk = static_cast<std::uint32_t>(protocol::kMaxChunkBytes);
  st.server_time_ms = clock_->now_ms();
  st.hub_epoch = epoch_;
  return st;
}

Result<protocol::BlobState> HubService::blob_offer(const std::string& device_id, const protocol::BlobOffer& offer) {
  if (offer.device_id != device_id)
    return Status::auth("offer names device " + offer.device_id + " but is signed by " + device_id).with_code("forbidden");
  if (offer.size <= 0 || offer.size > protocol::kMaxBlobBytes)
    return Status::protocol("blob of " + std::to_string(offer.size) + " bytes: the hub takes 1 to " +
                            std::to_string(protocol::kMaxBlobBytes) + " bytes")
        .with_code("too_large");
  HALLSYNC_ASSIGN_OR_RETURN(std::string hall, device_hall(*db_, device_id));
  // A blob belongs to a case of the device's own hall; case events are pushed
  // before blobs in every session, so the hub knows the case by now.
  HALLSYNC_ASSIGN_OR_RETURN(auto owner, db_->prepare("SELECT hall_code FROM cases WHERE case_id = ?"));
  owner.bind(1, offer.case_id);
  HALLSYNC_ASSIGN_OR_RETURN(bool known, owner.step());
  if (!known) return Status::not_found("the hub does not know case " + offer.case_id + "; push its events first").with_code("unknown_case");
  if (owner.column_text(0) != hall)
    return Status::auth("case " + offer.case_id + " does not belong to hall " + hall).with_code("forbidden");
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
  HALLSYNC_ASSIGN_OR_RETURN(BlobRow b, read_blob(*db_, offer.sha256));
  if (b.exists && b.size != offer.size)
    return Status::conflict("blob " + offer.sha256 + " is known with " + std::to_string(b.size) + " bytes, not " +
                            std::to_string(offer.size))
        .with_code("size_mismatch");
  const std::int64_t now = clock_->now_ms();
  if (!b.exists) {
    HALLSYNC_ASSIGN_OR_RETURN(auto ins, db_->prepare("INSERT INTO blobs (sha256, size, created_ms, updated_ms) VALUES (?, ?, ?, ?)"));
    ins.bind(1, offer.sha256).bind(2, offer.size).bind(3, now).bind(4, now);
    HALLSYNC_RETURN_IF_ERROR(ins.run());
  } else {
    HALLSYNC_RETURN_IF_ERROR(touch_upload(txn, offer.sha256, hall, now));
  }
  HALLSYNC_ASSIGN_OR_RETURN(auto ref, db_->prepare("INSERT INTO blob_refs (sha256, case_id, hall_code, device_id, created_ms)"
                                                   " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"));
  ref.bind(1, offer.sha256).bind(2, offer.case_id).bind(3, hall).bind(4, device_id).bind(5, now);
  HALLSYNC_RETURN_IF_ERROR(ref.run());
  HALLSYNC_RETURN_IF_ERROR(txn.commit());
  return blob_state(offer.sha256, hall);
}

Result<protocol::BlobState> HubService::blob_chunk(const std::string& device_id, const std::string& sha256,
                                                   std::int64_t offset, const std::string& bytes) {
  if (!is_sha256_hex(sha256)) return Status::protocol("chunk names no valid SHA-256").with_code("malformed");
  HALLSYNC_ASSIGN_OR_RETURN(std::string hall, device_hall(*db_, device_id));
  HALLSYNC_ASSIGN_OR_RETURN(BlobRow b, read_blob(*db_, sha256));
  HALLSYNC_ASSIGN_OR_RETURN(bool offered, hall_offered(*db_, sha256, hall));
  if (!b.exists || !offered)
    return Status::not_found("blob " + sha256.substr(0, 12) + "… was not offered by this hall").with_code("unknown_blob");
  auto length = static_cast<std::int64_t>(bytes.size());
  if (bytes.empty() || bytes.size() > protocol::kMaxChunkBytes || offset < 0 || offset > b.size - length)
    return Status::protocol("chunk [" + std::to_string(offset) + ", " + std::to_string(offset + length) +
                            ") is empty, over " + std::to_string(protocol::kMaxChunkBytes) +
                            " bytes or outside the declared size " + std::to_string(b.size))
        .with_code("out_of_range");
  ++blob_chunks_received_;
  blob_bytes_received_ += length;
  HALLSYNC_ASSIGN_OR_RETURN(bool holds, hall_holds(*db_, sha256, hall));
  if (b.complete && holds) return blob_state(sha256, hall);  // a resend after a lost reply: nothing to do
  BlobStore store(blob_dir());
  std::error_code ec;
  std::filesystem::create_directories(blob_dir() + "/partial", ec);
  if (ec) return Status::storage("cannot create " + blob_dir() + "/partial: " + ec.message());
  const std::string partial = upload_partial_path(sha256, hall);
  // Bytes first, durably; only then the range that says they are held.
  HALLSYNC_RETURN_IF_ERROR(write_at_durably(partial, offset, bytes));
  const std::int64_t now = clock_->now_ms();
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
  HALLSYNC_RETURN_IF_ERROR(touch_upload(txn, sha256, hall, now));
  HALLSYNC_ASSIGN_OR_RETURN(auto held, read_ranges(*db_, sha256, hall));
  held = protocol::add_range(std::move(held), {offset, offset + length});
  bool whole = held.size() == 1 && held[0].begin == 0 && held[0].end == b.size;
  if (!whole) {
    HALLSYNC_RETURN_IF_ERROR(replace_ranges(txn, sha256, hall, held, now));
    HALLSYNC_RETURN_IF_ERROR(txn.commit());
    return blob_state(sha256, hall);
  }
  // Every byte is here: the hall holds the blob only if it is what was declared.
  HALLSYNC_ASSIGN_OR_RETURN(std::string actual, sha256_of_file(partial));
  HALLSYNC_RETURN_IF_ERROR(replace_ranges(txn, sha256, hall, {}, now));
  if (actual != sha256) {
    HALLSYNC_RETURN_IF_ERROR(txn.commit());
    std::filesystem::remove(partial, ec);
    return Status::protocol("the uploaded bytes hash to " + actual + ", not the declared " + sha256 +
                            "; the hub dropped them, send the blob again")
        .with_code("hash_mismatch");
  }
  // The first hall to finish supplies the stored copy; a later hall's bytes
  // only prove it holds them, and are dropped.
  if (!store.contains(sha256)) HALLSYNC_RETURN_IF_ERROR(store.adopt(partial, sha256));
  std::filesystem::remove(partial, ec);
  if (!b.complete) {
    HALLSYNC_ASSIGN_OR_RETURN(auto done, db_->prepare("UPDATE blobs SET complete = 1, completed_ms = ? WHERE sha256 = ?"));
    done.bind(1, now).bind(2, sha256);
    HALLSYNC_RETURN_IF_ERROR(done.run());
  }
  HALLSYNC_RETURN_IF_ERROR(add_holder(txn, sha256, hall, now));
  HALLSYNC_RETURN_IF_ERROR(txn.commit());
  return blob_state(sha256, hall);
}

Result<BlobInfo> HubService::store_issued_blob(const std::string& case_ref, std::string_view bytes) {
  if (bytes.empty() || static_cast<std::int64_t>(bytes.size()) > protocol::kMaxBlobBytes)
    return Status::validation("a blob holds 1 to " + std::to_string(protocol::kMaxBlobBytes) + " bytes");
  HALLSYNC_ASSIGN_OR_RETURN(auto found, find_case(case_ref));
  const auto& [case_id, hall] = found;
  BlobStore store(blob_dir());
  HALLSYNC_ASSIGN_OR_RETURN(BlobInfo info, store.put(bytes));
  const std::int64_t now = clock_->now_ms();
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
  HALLSYNC_ASSIGN_OR_RETURN(auto ins, db_->prepare(
      "INSERT INTO blobs (sha256, size, complete, created_ms, updated_ms, completed_ms) VALUES (?, ?, 1, ?, ?, ?)"
      " ON CONFLICT (sha256) DO UPDATE SET complete = 1, completed_ms = excluded.completed_ms"));
  ins.bind(1, info.sha256).bind(2, info.size).bind(3, now).bind(4, now).bind(5, now);
  HALLSYNC_RETURN_IF_ERROR(ins.run());
  // The hub gives the case's hall the document: it holds it from now on.
  HALLSYNC_RETURN_IF_ERROR(replace_ranges(txn, info.sha256, hall, {}, now));
  HALLSYNC_ASSIGN_OR_RETURN(auto ref, db_->prepare("INSERT INTO blob_refs (sha256, case_id, hall_code, device_id, created_ms)"
                                                   " VALUES (?, ?, ?, 'hub', ?) ON CONFLICT DO NOTHING"));
  ref.bind(1, info.sha256).bind(2, case_id).bind(3, hall).bind(4, now);
  HALLSYNC_RETURN_IF_ERROR(ref.run());
  HALLSYNC_RETURN_IF_ERROR(add_holder(txn, info.sha256, hall, now));
  HALLSYNC_RETURN_IF_ERROR(txn.commit());
  std::error_code ec;
  std::filesystem::remove(upload_partial_path(info.sha256, hall), ec);
  return info;
}

Result<std::string> HubService::blob_read(const std::string& device_id, const protocol::BlobRead& read) {
  if (read.device_id != device_id)
    return Status::auth("read names device " + read.device_id + " but is signed by " + device_id).with_code("forbidden");
  HALLSYNC_ASSIGN_OR_RETURN(std::string hall, device_hall(*db_, device_id));
  HALLSYNC_ASSIGN_OR_RETURN(BlobRow b, read_blob(*db_, read.sha256));
  HALLSYNC_ASSIGN_OR_RETURN(bool referenced, hall_offered(*db_, read.sha256, hall));
  HALLSYNC_ASSIGN_OR_RETURN(bool holds, hall_holds(*db_, read.sha256, hall));
  // One answer for "absent", "not yours" and "not proven": none of them may
  // tell a hall that another hall has the blob.
  if (!b.exists || !b.complete || !referenced || !holds)
    return Status::not_found("blob " + read.sha256.substr(0, 12) + "… is not available to this hall").with_code("unknown_blob");
  if (read.length == 0 || read.length > protocol::kMaxChunkBytes || read.offset < 0 || read.offset >= b.size)
    return Status::protocol("read [" + std::to_string(read.offset) + ", +" + std::to_string(read.length) +
                            ") is empty, over the chunk limit or outside the blob of " + std::to_string(b.size) + " bytes")
        .with_code("out_of_range");
  return BlobStore(blob_dir()).read(read.sha256, read.offset, read.length);
}

HttpResponse HubService::handle_blob(const HttpRequest& request, const std::string& device_id, int version) {
  Result<protocol::BlobState> res = Status::internal("unhandled");
  if (request.target == "/v1/blobs/read") {
    auto read = protocol::decode_blob_read(request.body, version);
    if (!read) return json_error(400, read.status().code(), read.status().message());
    auto bytes = blob_read(device_id, *read);
    if (!bytes) return json_error(http_status_for(bytes.status()), bytes.status().code(), bytes.status().message());
    HttpResponse raw;
    raw.status = 200;
    raw.headers = {{"Content-Type", protocol::kChunkContentType}, {protocol::kVersionHeader, std::to_string(version)}};
    raw.body = std::move(bytes).value();
    return raw;
  }
  if (request.target == "/v1/blobs/offer") {
    auto offer = protocol::decode_blob_offer(request.body, version);
    if (!offer) return json_error(400, offer.status().code(), offer.status().message());
    res = blob_offer(device_id, *offer);
  } else {
    std::string sha = request.header_value(protocol::kBlobHeader);
    std::string offset_text = request.header_value(protocol::kOffsetHeader);
    if (offset_text.empty() || offset_text.size() > 12 || offset_text.find_first_not_of("0123456789") != std::string::npos)
      return json_error(400, "malformed", "chunk needs a decimal X-Hallsync-Offset header");
    res = blob_chunk(device_id, sha, std::stoll(offset_text), request.body);
  }
  if (!res) return json_error(http_status_for(res.status()), res.status().code(), res.status().message());
  HttpResponse ok;
  ok.status = 200;
  ok.headers = {{"Content-Type", protocol::kContentType}, {protocol::kVersionHeader, std::to_string(version)}};
  ok.body = protocol::encode(*res, version);
  return ok;
}

}  // namespace hallsync::hub
