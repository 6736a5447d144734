// Scans attached on one PC of a hall, fetched by another PC of the same hall
// when a clerk there asks for them: queued, downloaded in the next session,
// read back byte for byte; asked for before their PC uploaded them, they wait
// without failing a session; never given to a PC of another hall.
#include <catch2/catch.hpp>

#include "client/store/material_fetch.h"
#include "client/store/scan_retention.h"
#include "sync/api/blob_download.h"
#include "tests/support/scan_fixtures.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {

std::vector<std::string> states(Device& d, const client::CaseView& c) {
  auto view = d.repo->load(c.acceptance_no);
  REQUIRE(view.is_ok());
  return client::attachment_upload_states(*d.store, *view).value();
}

Device& device_with_blobs(SyncWorld& w, const std::string& hall, const std::string& code) {
  Device& d = w.add_device(hall, code);
  d.options.blob_dir = client::blob_dir(*d.store);
  return d;
}

}  // namespace

TEST_CASE("A scan attached on one PC of a hall reaches another PC of the hall when a clerk there asks for it",
          "[blobs][integration]") {
  SyncWorld w;
  Device& window1 = device_with_blobs(w, "360704100", "W01");
  Device& window2 = device_with_blobs(w, "360704100", "W02");
  auto c = w.register_case(window1);
  const std::string scan = random_jpeg(300'000, 5);
  attach(window1, c, scan);
  REQUIRE(w.sync(window1).is_ok());
  REQUIRE(w.sync(window2).is_ok());

  // Window 2 sees the scan listed but does not hold it, and nothing is fetched unasked.
  CHECK(states(window2, c) == std::vector<std::string>{"elsewhere"});
  auto missing = client::read_material(*window2.store, c.acceptance_no, "1");
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().code() == "not_here");
  CHECK(missing.status().message().find("hall case fetch-materials") != std::string::npos);

  auto fetch = client::queue_material_downloads(*window2.store, c.acceptance_no);
  REQUIRE(fetch.is_ok());
  CHECK(fetch->queued == 1);
  CHECK(fetch->queued_bytes == 300'000);
  CHECK(states(window2, c) == std::vector<std::string>{"to_download"});
  auto again = client::queue_material_downloads(*window2.store, c.acceptance_no);
  CHECK(again->queued == 0);
  CHECK(again->already_queued == 1);

  auto session = w.sync(window2);
  REQUIRE(session.is_ok());
  CHECK(session->blobs_downloaded == 1);
  CHECK(states(window2, c) == std::vector<std::string>{"downloaded"});
  auto held = client::read_material(*window2.store, c.acceptance_no, "1");
  REQUIRE(held.is_ok());
  CHECK(held->bytes == scan);
  CHECK(held->attachment.material == "申请人居民身份证");
  auto by_hash = client::read_material(*window2.store, c.acceptance_no, sha256_hex(scan).substr(0, 10));
  REQUIRE(by_hash.is_ok());
  CHECK(by_hash->bytes == scan);
  CHECK(client::queue_material_downloads(*window2.store, c.acceptance_no)->here == 1);

  // Naming a scan the case does not have is a plain refusal.
  for (const char* which : {"0", "2", "zzzz", "deadbeefdeadbeef"}) {
    auto none = client::read_material(*window2.store, c.acceptance_no, which);
    REQUIRE_FALSE(none.is_ok());
    CHECK(none.status().kind() == ErrorKind::NotFound);
    CHECK(none.status().code() != "not_here");
  }
}

TEST_CASE("A scan asked for before its PC uploaded it waits without failing a session, then arrives",
          "[blobs][integration]") {
  SyncWorld w;
  Device& window1 = w.add_device("360704100", "W01");  // syncs case events only, for now
  Device& window2 = device_with_blobs(w, "360704100", "W02");
  auto c = w.register_case(window1);
  const std::string scan = random_jpeg(200'000, 9);
  attach(window1, c, scan);
  REQUIRE(w.sync(window1).is_ok());
  REQUIRE(w.sync(window2).is_ok());
  REQUIRE(client::queue_material_downloads(*window2.store, c.acceptance_no)->queued == 1);

  for (int i = 0; i < 2; ++i) {
    auto early = w.sync(window2);
    INFO(early.status().to_string());
    REQUIRE(early.is_ok());
    CHECK(early->blobs_not_yet_on_hub == 1);
    CHECK(early->blobs_downloaded == 0);
    CHECK(states(window2, c) == std::vector<std::string>{"to_download"});
  }

  window1.options.blob_dir = client::blob_dir(*window1.store);
  REQUIRE(w.sync(window1)->blobs_uploaded == 1);
  auto late = w.sync(window2);
  REQUIRE(late.is_ok());
  CHECK(late->blobs_downloaded == 1);
  CHECK(late->blobs_not_yet_on_hub == 0);
  CHECK(client::read_material(*window2.store, c.acceptance_no, "1")->bytes == scan);
}

TEST_CASE("A PC of another hall never gets a scan, even by queueing its hash itself", "[blobs][integration]") {
  SyncWorld w;
  Device& own = device_with_blobs(w, "360704100", "W01");
  Device& other = device_with_blobs(w, "360704101", "W01");
  auto c = w.register_case(own);
  const std::string scan = random_jpeg(100'000, 3);
  attach(own, c, scan);
  REQUIRE(w.sync(own)->blobs_uploaded == 1);
  auto theirs = w.register_case(other);
  {
    auto txn = Transaction::begin(other.store->db());
    REQUIRE(txn.is_ok());
    REQUIRE(enqueue_blob_download(*txn, {sha256_hex(scan), 100'000}, "image/jpeg", theirs.case_id, 0).is_ok());
    REQUIRE(txn->commit().is_ok());
  }
  auto s = w.sync(other);
  REQUIRE(s.is_ok());
  CHECK(s->blobs_downloaded == 0);
  CHECK(s->blobs_not_yet_on_hub == 1);  // to that hall the blob does not exist
  CHECK(blob_download_state(other.store->db(), sha256_hex(scan)).value() == "waiting");
  CHECK_FALSE(BlobStore(client::blob_dir(*other.store)).contains(sha256_hex(scan)));
}

TEST_CASE("A scan purged from a PC after its retention is still at the hub and comes back when asked for",
          "[blobs][retention][integration]") {
  SyncWorld w;
  Device& window = device_with_blobs(w, "360704100", "W01");
  auto c = w.register_case(window);
  const std::string scan = random_jpeg(80'000, 13);
  attach(window, c, scan);
  REQUIRE(w.step(window, c.acceptance_no, schema::EventKind::Withdrawn).is_ok());
  REQUIRE(w.sync(window)->blobs_uploaded == 1);
  w.clock().advance(181LL * 24 * 3600 * 1000);
  auto purged = client::purge_expired_scans(*window.store, 180LL * 24 * 3600 * 1000);
  REQUIRE(purged.is_ok());
  REQUIRE(purged->files_removed == 1);

  // The purge event reaches the hub like any other and is accepted there.
  auto pushed = w.sync(window);
  REQUIRE(pushed.is_ok());
  CHECK(pushed->pushed == 1);
  CHECK(pushed->rejected == 0);
  CHECK(w.hub_count("SELECT count(*) FROM rejected") == 0);
  CHECK(states(window, c) == std::vector<std::string>{"purged"});

  REQUIRE(client::queue_material_downloads(*window.store, c.acceptance_no)->queued == 1);
  auto back = w.sync(window);
  REQUIRE(back.is_ok());
  CHECK(back->blobs_downloaded == 1);
  CHECK(client::read_material(*window.store, c.acceptance_no, "1")->bytes == scan);
  CHECK(states(window, c) == std::vector<std::string>{"uploaded"});  // held here again, as it was sent
}
