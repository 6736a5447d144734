// Scan retention on the hall PC: a closed case's scans go from this PC once
// its last event is older than the period — recorded as a material_purged
// event first — while scans the hub has not confirmed, scans shared with a
// case still in its period and open cases' scans stay; a purged scan can be
// fetched back, and the purge is recorded once.
#include <catch2/catch.hpp>

#include "client/store/material_attach.h"
#include "client/store/material_fetch.h"
#include "client/store/scan_retention.h"
#include "sync/api/blob_download.h"
#include "sync/api/blob_store.h"
#include "tests/support/hall_fixture.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {

constexpr std::int64_t kRetention = 180 * kDayMs;

std::string jpeg(char fill) { return "\xFF\xD8\xFF\xE0" + std::string(20'000, fill); }

std::string attach(HallFixture& f, const client::CaseView& c, const std::string& bytes) {
  auto r = client::attach_material_bytes(*f.store, c.acceptance_no, bytes, "申请书", "c001");
  INFO(r.status().message());
  REQUIRE(r.is_ok());
  return r->file.sha256;
}

// As a sync session would after the hub confirmed the whole file.
void confirm_upload(HallFixture& f, const std::string& sha) {
  auto stmt = f.store->db().prepare("UPDATE blob_uploads SET state = 'uploaded' WHERE sha256 = ?");
  REQUIRE(stmt.is_ok());
  stmt->bind(1, sha);
  REQUIRE(stmt->run().is_ok());
}

client::CaseView withdraw(HallFixture& f, const client::CaseView& c) {
  schema::CaseEvent e = draft(schema::EventKind::Withdrawn);
  e.reason = "申请人撤回";
  return f.step(c, e);
}

std::vector<std::string> states(HallFixture& f, const client::CaseView& c) {
  return client::attachment_upload_states(*f.store, *f.repo->load(c.acceptance_no)).value();
}

}  // namespace

TEST_CASE("A closed case's confirmed scans leave this PC after the retention period, recorded once",
          "[attach][retention]") {
  HallFixture f;
  BlobStore blobs(client::blob_dir(*f.store));
  auto closed = f.register_complete();
  std::string sha = attach(f, closed, jpeg('a'));
  confirm_upload(f, sha);
  withdraw(f, closed);

  // Inside the period: nothing goes.
  f.clock.advance(kRetention - kDayMs);
  auto early = client::purge_expired_scans(*f.store, kRetention);
  REQUIRE(early.is_ok());
  CHECK(early->files_removed == 0);
  CHECK(blobs.contains(sha));

  f.clock.advance(2 * kDayMs);
  auto dry = client::purge_expired_scans(*f.store, kRetention, /*dry_run=*/true);
  REQUIRE(dry.is_ok());
  CHECK(dry->files_removed == 1);
  CHECK(blobs.contains(sha));
  auto run = client::purge_expired_scans(*f.store, kRetention);
  REQUIRE(run.is_ok());
  CHECK(run->cases == 1);
  CHECK(run->files_removed == 1);
  CHECK(run->bytes_freed == 20'004);
  CHECK_FALSE(blobs.contains(sha));
  auto view = f.repo->load(closed.acceptance_no);
  REQUIRE(view.is_ok());
  CHECK(view->events.back().kind == schema::EventKind::MaterialPurged);
  CHECK(view->events.back().value == sha);
  CHECK(view->events.back().clerk_id == "retention");
  CHECK(states(f, closed) == std::vector<std::string>{"purged"});
  auto gone = client::read_material(*f.store, closed.acceptance_no, "1");
  CHECK(gone.status().code() == "not_here");

  // Again: nothing left to remove, no second event.
  auto again = client::purge_expired_scans(*f.store, kRetention);
  CHECK(again->files_removed == 0);
  CHECK(f.repo->load(closed.acceptance_no)->events.size() == view->events.size());

  // A clerk who needs it asks for it back: queued like a colleague's scan.
  auto fetch = client::queue_material_downloads(*f.store, closed.acceptance_no);
  REQUIRE(fetch.is_ok());
  CHECK(fetch->queued == 1);
  CHECK(states(f, closed) == std::vector<std::string>{"to_download"});
}

TEST_CASE("Unconfirmed scans, open cases and scans shared with a case still in its period are kept",
          "[attach][retention]") {
  HallFixture f;
  BlobStore blobs(client::blob_dir(*f.store));
  auto unconfirmed = f.register_complete();
  std::string waiting = attach(f, unconfirmed, jpeg('u'));  // the hub never confirmed it
  withdraw(f, unconfirmed);
  auto open = f.register_complete();
  std::string open_sha = attach(f, open, jpeg('o'));
  confirm_upload(f, open_sha);
  auto shared_closed = f.register_complete();
  std::string shared = attach(f, shared_closed, jpeg('s'));
  confirm_upload(f, shared);
  withdraw(f, shared_closed);
  f.clock.advance(kRetention + kDayMs);
  auto recent = f.register_complete();  // the same scan on a case closed only now
  attach(f, recent, jpeg('s'));
  withdraw(f, recent);

  auto run = client::purge_expired_scans(*f.store, kRetention);
  REQUIRE(run.is_ok());
  CHECK(run->files_removed == 0);
  CHECK(run->kept_unconfirmed == 1);
  CHECK(run->kept_shared == 1);
  for (const auto& sha : {waiting, open_sha, shared}) CHECK(blobs.contains(sha));
  CHECK(f.repo->load(open.acceptance_no)->events.back().kind != schema::EventKind::MaterialPurged);
}

TEST_CASE("A purge naming a scan the case lacks, or on an open case, is refused", "[attach][retention]") {
  HallFixture f;
  auto c = f.register_complete();
  std::string sha = attach(f, c, jpeg('x'));
  schema::CaseEvent purge = draft(schema::EventKind::MaterialPurged);
  purge.clerk_id = "retention";
  purge.value = sha;
  CHECK_FALSE(f.repo->record(c.acceptance_no, purge).is_ok());  // still open
  withdraw(f, c);
  purge.value = std::string(64, 'f');
  CHECK_FALSE(f.repo->record(c.acceptance_no, purge).is_ok());  // not one of its scans
  purge.value = "not-a-hash";
  CHECK_FALSE(f.repo->record(c.acceptance_no, purge).is_ok());
  purge.value = sha;
  CHECK(f.repo->record(c.acceptance_no, purge).is_ok());
}
