// Reading what is left of a damaged store's outbox (see the header).
#include "client/store/store_salvage.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "sync/api/change_log.h"
#include "sync/api/database.h"
#include "sync/api/payload_sealer.h"
#include "sync/api/event_codec.h"

namespace hallsync::client {
namespace {

namespace fs = std::filesystem;

// The outbox ends at the last sequence the file names. When no row names it,
// it ends after this many sequences in a row give nothing; when a damaged row
// names an absurd end, after a run of misses far longer than any damage.
constexpr std::int64_t kProbeMisses = 256;
constexpr std::int64_t kMaxLostRun = 1 << 20;

// The last sequence the store handed out: AUTOINCREMENT keeps it in
// sqlite_sequence, a page of its own, so it is usually readable even when
// the change log's last leaf is not. 0 when neither source can be read.
std::int64_t last_known_seq(Database& db) {
  std::int64_t last = 0;
  if (auto stmt = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = ?")) {
    stmt->bind(1, "change_log");
    if (auto row = stmt->step(); row && *row) last = stmt->column_int(0);
  }
  if (auto stmt = db.prepare("SELECT max(seq) FROM change_log")) {
    if (auto row = stmt->step(); row && *row) last = std::max(last, stmt->column_int(0));
  }
  return last;
}

// One entry by its key: a lookup walks the b-tree from the root to the one
// leaf holding it, so damage elsewhere in the table does not stop it. Empty
// when the row is missing, damaged, or not an intact event of this device.
std::optional<OutboxEntry> read_entry(Database& db, std::int64_t seq, const std::string& device_id) {
  auto stmt = db.prepare("SELECT collection, doc_key, hlc, payload, created_ms FROM change_log WHERE seq = ?");
  if (!stmt) return std::nullopt;
  stmt->bind(1, seq);
  auto row = stmt->step();
  if (!row || !*row) return std::nullopt;
  OutboxEntry e{seq, stmt->column_text(0), stmt->column_text(1), Hlc{static_cast<std::uint64_t>(stmt->column_int(2))},
                stmt->column_blob(3), stmt->column_int(4), {}};  // chain: recomputed when restored
  auto clear = clear_payload(db, e.collection, e.doc_key, e.hlc, std::move(e.payload));
  if (!clear) return std::nullopt;
  e.payload = std::move(clear).value();
  // A page can be damaged in a way SQLite does not notice: the payload must
  // still be this entry's own event.
  auto event = decode_event(e.payload);
  if (!event || e.collection != "case_events" || event->device_id != device_id || event->origin_seq != seq ||
      event->case_id != e.doc_key)
    return std::nullopt;
  return e;
}

// A numeric hall_meta value, or empty when its row cannot be read or its
// text is no longer a number (the rebuild parses it).
std::string read_number_meta(Database& db, const std::string& key) {
  auto stmt = db.prepare("SELECT value FROM hall_meta WHERE key = ?");
  if (!stmt) return {};
  stmt->bind(1, key);
  auto row = stmt->step();
  std::string value = row && *row ? stmt->column_text(0) : std::string();
  bool number = !value.empty() && value.size() <= 18 && value.find_first_not_of("0123456789") == std::string::npos;
  return number ? value : std::string();
}

Status copy_store(const fs::path& from, const fs::path& to) {
  for (const char* suffix : {"", "-wal"}) {
    fs::path a = from.string() + suffix, b = to.string() + suffix;
    if (!fs::exists(a)) continue;
    std::error_code ec;
    fs::copy_file(a, b, fs::copy_options::overwrite_existing, ec);
    if (ec) return Status::storage("cannot copy " + a.string() + " to " + b.string() + ": " + ec.message());
  }
  return Status::ok();
}

Result<SalvagedOutbox> salvage_from(const fs::path& copy, const std::string& device_id, const PayloadSealer* sealer) {
  DatabaseOptions options;
  options.create = false;
  HALLSYNC_ASSIGN_OR_RETURN(auto db, Database::open(copy.string(), options));
  // A store sealed at rest says so in hall_meta; one written in clear does not.
  auto sealed = db->prepare("SELECT 1 FROM hall_meta WHERE key = 'seal.check'");
  if (sealed) {
    auto row = sealed->step();
    if (row && *row) db->set_payload_sealer(sealer);
  }
  // Without the schema's page no row can be looked up: say so rather than report an empty outbox.
  if (auto probe = db->prepare("SELECT payload FROM change_log WHERE seq = ?"); !probe)
    return probe.status().with_context("the damaged store's change log cannot be read");
  SalvagedOutbox out;
  out.hlc_last = read_number_meta(*db, "hlc.last");
  out.acceptance_counter = read_number_meta(*db, "acceptance.counter");
  const std::int64_t last = last_known_seq(*db), max_run = last > 0 ? kMaxLostRun : kProbeMisses;
  std::int64_t last_read = 0, seq = 1;
  for (; (last == 0 || seq <= last) && seq - last_read <= max_run; ++seq) {
    if (auto e = read_entry(*db, seq, device_id)) {
      out.entries.push_back(std::move(*e));
      last_read = seq;
    } else {
      out.unreadable.push_back(seq);
    }
  }
  // Stopped by a run of misses: they are the probe running past the end, not lost events.
  if (seq - last_read > max_run)
    out.unreadable.erase(std::upper_bound(out.unreadable.begin(), out.unreadable.end(), last_read), out.unreadable.end());
  return out;
}

}  // namespace

Result<SalvagedOutbox> salvage_outbox(const std::string& store_file, const std::string& scratch_dir,
                                      const std::string& device_id, const PayloadSealer* sealer) {
  fs::path scratch = scratch_dir, copy = scratch / "damaged.db";
  std::error_code ec;
  fs::remove_all(scratch, ec);
  fs::create_directories(scratch, ec);
  if (ec) return Status::storage("cannot create " + scratch.string() + ": " + ec.message());
  Status copied = copy_store(store_file, copy);
  auto salvaged = copied.is_ok() ? salvage_from(copy, device_id, sealer) : Result<SalvagedOutbox>(copied);
  fs::remove_all(scratch, ec);  // only our copy is in it
  return salvaged;
}

}  // namespace hallsync::client
