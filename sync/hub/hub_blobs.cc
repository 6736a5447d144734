// The hub's blob endpoints: offers, chunks written at their offset into a
// partial file, held ranges recorded only after the bytes are fsynced, and the
// whole-file SHA-256 check before a blob counts as complete (stored once, by
// its hash, in DATA_DIR/blobs).
#include <filesystem>

#include "sync/api/blob_store.h"
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

Result<std::vector<protocol::ByteRange>> read_ranges(Database& db, const std::string& sha256) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db.prepare("SELECT begin_at, end_at FROM blob_ranges WHERE sha256 = ? ORDER BY begin_at"));
  stmt.bind(1, sha256);
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
Status touch_blob(Transaction& txn, const std::string& sha256, std::int64_t now_ms) {
  HALLSYNC_ASSIGN_OR_RETURN(auto stmt, txn.db().prepare("UPDATE blobs SET updated_ms = ? WHERE sha256 = ?"));
  stmt.bind(1, now_ms).bind(2, sha256);
  return stmt.run();
}

Status replace_ranges(Transaction& txn, const std::string& sha256, const std::vector<protocol::ByteRange>& ranges) {
  HALLSYNC_ASSIGN_OR_RETURN(auto del, txn.db().prepare("DELETE FROM blob_ranges WHERE sha256 = ?"));
  del.bind(1, sha256);
  HALLSYNC_RETURN_IF_ERROR(del.run());
  for (const auto& r : ranges) {
    HALLSYNC_ASSIGN_OR_RETURN(auto ins, txn.db().prepare("INSERT INTO blob_ranges (sha256, begin_at, end_at) VALUES (?, ?, ?)"));
    ins.bind(1, sha256).bind(2, r.begin).bind(3, r.end);
    HALLSYNC_RETURN_IF_ERROR(ins.run());
  }
  return Status::ok();
}


}  // namespace

Result<protocol::BlobState> HubService::blob_state(const std::string& sha256) {
  HALLSYNC_ASSIGN_OR_RETURN(BlobRow b, read_blob(*db_, sha256));
  protocol::BlobState st;
  st.sha256 = sha256;
  st.size = b.size;
  st.complete = b.complete;
  if (!b.complete) {
    HALLSYNC_ASSIGN_OR_RETURN(st.held, read_ranges(*db_, sha256));
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
  if (!b.exists) {
    HALLSYNC_ASSIGN_OR_RETURN(auto ins, db_->prepare("INSERT INTO blobs (sha256, size, created_ms, updated_ms) VALUES (?, ?, ?, ?)"));
    ins.bind(1, offer.sha256).bind(2, offer.size).bind(3, clock_->now_ms()).bind(4, clock_->now_ms());
    HALLSYNC_RETURN_IF_ERROR(ins.run());
  } else {
    HALLSYNC_RETURN_IF_ERROR(touch_blob(txn, offer.sha256, clock_->now_ms()));
  }
  HALLSYNC_ASSIGN_OR_RETURN(auto ref, db_->prepare("INSERT INTO blob_refs (sha256, case_id, hall_code, device_id, created_ms)"
                                                   " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"));
  ref.bind(1, offer.sha256).bind(2, offer.case_id).bind(3, hall).bind(4, device_id).bind(5, clock_->now_ms());
  HALLSYNC_RETURN_IF_ERROR(ref.run());
  HALLSYNC_RETURN_IF_ERROR(txn.commit());
  return blob_state(offer.sha256);
}

Result<protocol::BlobState> HubService::blob_chunk(const std::string& device_id, const std::string& sha256,
                                                   std::int64_t offset, const std::string& bytes) {
  if (!is_sha256_hex(sha256)) return Status::protocol("chunk names no valid SHA-256").with_code("malformed");
  HALLSYNC_ASSIGN_OR_RETURN(std::string hall, device_hall(*db_, device_id));
  HALLSYNC_ASSIGN_OR_RETURN(BlobRow b, read_blob(*db_, sha256));
  HALLSYNC_ASSIGN_OR_RETURN(auto ref, db_->prepare("SELECT 1 FROM blob_refs WHERE sha256 = ? AND hall_code = ?"));
  ref.bind(1, sha256).bind(2, hall);
  HALLSYNC_ASSIGN_OR_RETURN(bool offered, ref.step());
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
  if (b.complete) return blob_state(sha256);  // a resend after a lost reply: nothing to do
  BlobStore store(blob_dir());
  std::error_code ec;
  std::filesystem::create_directories(blob_dir() + "/partial", ec);
  if (ec) return Status::storage("cannot create " + blob_dir() + "/partial: " + ec.message());
  std::string partial = blob_dir() + "/partial/" + sha256 + ".part";
  // Bytes first, durably; only then the range that says they are held.
  HALLSYNC_RETURN_IF_ERROR(write_at_durably(partial, offset, bytes));
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
  HALLSYNC_RETURN_IF_ERROR(touch_blob(txn, sha256, clock_->now_ms()));
  HALLSYNC_ASSIGN_OR_RETURN(auto held, read_ranges(*db_, sha256));
  held = protocol::add_range(std::move(held), {offset, offset + length});
  bool whole = held.size() == 1 && held[0].begin == 0 && held[0].end == b.size;
  if (!whole) {
    HALLSYNC_RETURN_IF_ERROR(replace_ranges(txn, sha256, held));
    HALLSYNC_RETURN_IF_ERROR(txn.commit());
    return blob_state(sha256);
  }
  // Every byte is here: the blob is accepted only if it is what was declared.
  HALLSYNC_ASSIGN_OR_RETURN(std::string actual, sha256_of_file(partial));
  if (actual != sha256) {
    HALLSYNC_RETURN_IF_ERROR(replace_ranges(txn, sha256, {}));
    HALLSYNC_RETURN_IF_ERROR(txn.commit());
    std::filesystem::remove(partial, ec);
    return Status::protocol("the uploaded bytes hash to " + actual + ", not the declared " + sha256 +
                            "; the hub dropped them, send the blob again")
        .with_code("hash_mismatch");
  }
  if (!store.contains(sha256)) HALLSYNC_RETURN_IF_ERROR(store.adopt(partial, sha256));
  std::filesystem::remove(partial, ec);
  HALLSYNC_RETURN_IF_ERROR(replace_ranges(txn, sha256, {}));
  HALLSYNC_ASSIGN_OR_RETURN(auto done, db_->prepare("UPDATE blobs SET complete = 1, completed_ms = ? WHERE sha256 = ?"));
  done.bind(1, clock_->now_ms()).bind(2, sha256);
  HALLSYNC_RETURN_IF_ERROR(done.run());
  HALLSYNC_RETURN_IF_ERROR(txn.commit());
  return blob_state(sha256);
}

Result<BlobInfo> HubService::store_issued_blob(const std::string& case_ref, std::string_view bytes) {
  if (bytes.empty() || static_cast<std::int64_t>(bytes.size()) > protocol::kMaxBlobBytes)
    return Status::validation("a blob holds 1 to " + std::to_string(protocol::kMaxBlobBytes) + " bytes");
  HALLSYNC_ASSIGN_OR_RETURN(auto found, find_case(case_ref));
  const auto& [case_id, hall] = found;
  BlobStore store(blob_dir());
  HALLSYNC_ASSIGN_OR_RETURN(BlobInfo info, store.put(bytes));
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
  HALLSYNC_ASSIGN_OR_RETURN(auto ins, db_->prepare(
      "INSERT INTO blobs (sha256, size, complete, created_ms, updated_ms, completed_ms) VALUES (?, ?, 1, ?, ?, ?)"
      " ON CONFLICT (sha256) DO UPDATE SET complete = 1, completed_ms = excluded.completed_ms"));
  ins.bind(1, info.sha256).bind(2, info.size).bind(3, clock_->now_ms()).bind(4, clock_->now_ms()).bind(5, clock_->now_ms());
  HALLSYNC_RETURN_IF_ERROR(ins.run());
  HALLSYNC_RETURN_IF_ERROR(replace_ranges(txn, info.sha256, {}));
  HALLSYNC_ASSIGN_OR_RETURN(auto ref, db_->prepare("INSERT INTO blob_refs (sha256, case_id, hall_code, device_id, created_ms)"
                                                   " VALUES (?, ?, ?, 'hub', ?) ON CONFLICT DO NOTHING"));
  ref.bind(1, info.sha256).bind(2, case_id).bind(3, hall).bind(4, clock_->now_ms());
  HALLSYNC_RETURN_IF_ERROR(ref.run());
  HALLSYNC_RETURN_IF_ERROR(txn.commit());
  return info;
}

Result<std::string> HubService::blob_read(const std::string& device_id, const protocol::BlobRead& read) {
  if (read.device_id != device_id)
    return Status::auth("read names device " + read.device_id + " but is signed by " + device_id).with_code("forbidden");
  HALLSYNC_ASSIGN_OR_RETURN(std::string hall, device_hall(*db_, device_id));
  HALLSYNC_ASSIGN_OR_RETURN(BlobRow b, read_blob(*db_, read.sha256));
  HALLSYNC_ASSIGN_OR_RETURN(auto ref, db_->prepare("SELECT 1 FROM blob_refs WHERE sha256 = ? AND hall_code = ?"));
  ref.bind(1, read.sha256).bind(2, hall);
  HALLSYNC_ASSIGN_OR_RETURN(bool referenced, ref.step());
  if (!b.exists || !b.complete || !referenced)
    return Status::not_found("blob " + read.sha256.substr(0, 12) + "… is not available to this hall").with_code("unknown_blob");
  if (read.length == 0 || read.length > protocol::kMaxChunkBytes || read.offset < 0 || read.offset >= b.size)
    return Status::protocol("read [" + std::to_string(read.offset) + ", +" + std::to_string(read.length) +
                            ") is empty, over the chunk limit or outside the blob of " + std::to_string(b.size) + " bytes")
        .with_code("out_of_range");
  return BlobStore(blob_dir()).read(read.sha256, read.offset, read.length);
}

Result<std::int64_t> HubService::collect_abandoned_blobs(std::int64_t grace_ms, std::int64_t* bytes_freed) {
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(*db_));
  HALLSYNC_ASSIGN_OR_RETURN(auto stale, db_->prepare("SELECT sha256 FROM blobs WHERE complete = 0 AND updated_ms < ?"));
  stale.bind(1, clock_->now_ms() - grace_ms);
  std::vector<std::string> shas;
  for (;;) {
    HALLSYNC_ASSIGN_OR_RETURN(bool row, stale.step());
    if (!row) break;
    shas.push_back(stale.column_text(0));
  }
  for (const auto& sha : shas)
    for (const char* sql : {"DELETE FROM blob_ranges WHERE sha256 = ?", "DELETE FROM blob_refs WHERE sha256 = ?",
                            "DELETE FROM blobs WHERE sha256 = ?"}) {
      HALLSYNC_ASSIGN_OR_RETURN(auto del, db_->prepare(sql));
      del.bind(1, sha);
      HALLSYNC_RETURN_IF_ERROR(del.run());
    }
  HALLSYNC_RETURN_IF_ERROR(txn.commit());
  // Files after the rows: a crash in between leaves a file no row names, which
  // the next offer of that blob simply overwrites.
  std::error_code ec;
  std::int64_t freed = 0;
  for (const auto& sha : shas) {
    std::string part = blob_dir() + "/partial/" + sha + ".part";
    auto size = std::filesystem::file_size(part, ec);
    if (std::filesystem::remove(part, ec) && size != static_cast<std::uintmax_t>(-1))
      freed += static_cast<std::int64_t>(size);
  }
  if (bytes_freed) *bytes_freed = freed;
  return static_cast<std::int64_t>(shas.size());
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
