// `hall case attach`: what a clerk may attach (type by content, size), the
// Chinese refusal for each bad input with nothing written, and what a good
// attachment records (event, blob file, upload queue entry).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "client/store/blob_garbage.h"
#include "client/store/material_attach.h"
#include "sync/api/blob_store.h"
#include "sync/api/blob_upload.h"
#include "sync/api/change_log.h"
#include "tests/support/hall_fixture.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {

std::string jpeg(std::size_t size, char fill = 'j') {
  std::string b(size, fill);
  b.replace(0, 4, "\xFF\xD8\xFF\xE0");
  return b;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::int64_t outbox_last(client::HallStore& store) { return ChangeLog(store.db()).stats()->last_seq; }

}  // namespace

TEST_CASE("Files are recognised by their first bytes, not their names", "[attach]") {
  CHECK(client::sniff_media_type("\xFF\xD8\xFF\xE1rest") == "image/jpeg");
  CHECK(client::sniff_media_type(std::string("\x89PNG\r\n\x1A\n\0\0", 10)) == "image/png");
  CHECK(client::sniff_media_type("%PDF-1.7\n") == "application/pdf");
  CHECK_FALSE(client::sniff_media_type("PK\x03\x04 a zip or docx"));
  CHECK_FALSE(client::sniff_media_type("GIF89a"));
  CHECK_FALSE(client::sniff_media_type(""));
}

TEST_CASE("The material descriptor round-trips and refuses incomplete text", "[attach]") {
  client::MaterialFileRef ref{sha256_hex("x"), 1234, "image/png"};
  auto back = client::parse_material_descriptor(client::material_descriptor(ref));
  REQUIRE(back);
  CHECK(back->sha256 == ref.sha256);
  CHECK(back->size == 1234);
  CHECK(back->media_type == "image/png");
  CHECK_FALSE(client::parse_material_descriptor("sha256=abc;size=1;type=image/png"));
  CHECK_FALSE(client::parse_material_descriptor("size=1;type=image/png"));
  CHECK_FALSE(client::parse_material_descriptor("sha256=" + ref.sha256 + ";size=0;type=image/png"));
}

TEST_CASE("A scan attached to a case is stored by hash, recorded as an event and queued in one step", "[attach]") {
  HallFixture f;
  auto c = f.register_complete();
  std::string path = f.dir.file("身份证正面.jpg");
  std::string bytes = jpeg(300'000);
  write_file(path, bytes);
  std::int64_t before = outbox_last(*f.store);
  auto r = client::attach_material_file(*f.store, c.acceptance_no, path, "申请人居民身份证", "c001");
  INFO(r.status().message());
  REQUIRE(r.is_ok());
  CHECK(r->file.sha256 == sha256_hex(bytes));
  CHECK(r->file.media_type == "image/jpeg");
  CHECK(outbox_last(*f.store) == before + 1);  // the event goes to the outbox like any case write
  BlobStore blobs(client::blob_dir(*f.store));
  CHECK(blobs.contains(r->file.sha256));
  auto view = f.repo->load(c.acceptance_no);
  REQUIRE(view->attachments.size() == 1);
  CHECK(view->attachments[0].material == "申请人居民身份证");
  CHECK(view->attachments[0].size == 300'000);
  CHECK(view->state == c.state);  // a scan never changes the case's state
  CHECK(client::attachment_upload_states(*f.store, *view).value() == std::vector<std::string>{"waiting"});
  auto q = blob_queue_stats(f.store->db());
  CHECK(q->waiting == 1);
  CHECK(q->waiting_bytes == 300'000);

  // The same file again (e.g. for another material): one blob, one queue entry.
  auto again = client::attach_material_file(*f.store, c.acceptance_no, path, "申请书", "c001");
  REQUIRE(again.is_ok());
  CHECK(again->view.attachments.size() == 2);
  CHECK(blob_queue_stats(f.store->db())->waiting == 1);
}

TEST_CASE("Each bad input is refused with a Chinese message and nothing is written", "[attach]") {
  HallFixture f;
  auto c = f.register_complete();
  std::int64_t before = outbox_last(*f.store);
  auto refused = [&](const std::string& path, const std::string& material, const std::string& expect,
                     const std::string& case_ref = "") {
    auto r = client::attach_material_file(*f.store, case_ref.empty() ? c.acceptance_no : case_ref, path, material, "c001");
    REQUIRE_FALSE(r.is_ok());
    INFO(r.status().message());
    CHECK(r.status().message().find(expect) != std::string::npos);
    CHECK(outbox_last(*f.store) == before);
    CHECK(blob_queue_stats(f.store->db())->waiting == 0);
  };
  SECTION("missing file") { refused(f.dir.file("nope.jpg"), "身份证", "找不到文件"); }
  SECTION("a directory") {
    std::filesystem::create_directories(f.dir.file("scans"));
    refused(f.dir.file("scans"), "身份证", "是文件夹");
  }
  SECTION("over the size limit") {
    write_file(f.dir.file("big.jpg"), jpeg(static_cast<std::size_t>(client::kMaxMaterialBytes) + 1));
    refused(f.dir.file("big.jpg"), "身份证", "超过上限");
  }
  SECTION("a type not allowed, whatever its extension says") {
    write_file(f.dir.file("fake.jpg"), "PK\x03\x04 this is really a zip archive");
    refused(f.dir.file("fake.jpg"), "身份证", "文件类型不允许");
  }
  SECTION("an empty file") {
    write_file(f.dir.file("empty.pdf"), "");
    refused(f.dir.file("empty.pdf"), "身份证", "文件是空的");
  }
  SECTION("no material named") {
    write_file(f.dir.file("ok.jpg"), jpeg(1000));
    refused(f.dir.file("ok.jpg"), "", "--material");
  }
  SECTION("an unknown case") {
    write_file(f.dir.file("ok.jpg"), jpeg(1000));
    auto r = client::attach_material_file(*f.store, "360704100-W01-20260918-999999", f.dir.file("ok.jpg"), "身份证", "c001");
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().kind() == ErrorKind::NotFound);
    CHECK_FALSE(std::filesystem::exists(client::blob_dir(*f.store)));  // no file kept for a case that is not there
  }
}

TEST_CASE("Blob garbage: only unreferenced files past the grace period go, queued and named ones stay", "[attach][gc]") {
  HallFixture f;
  auto c = f.register_complete();
  auto named = client::attach_material_bytes(*f.store, c.acceptance_no, jpeg(2000, 'a'), "身份证", "c001");
  REQUIRE(named.is_ok());
  BlobStore blobs(client::blob_dir(*f.store));
  auto old_orphan = blobs.put(jpeg(3000, 'b')).value();    // an attach whose event never committed
  auto young_orphan = blobs.put(jpeg(4000, 'c')).value();  // maybe being attached right now
  auto queued = blobs.put(jpeg(5000, 'd')).value();        // waiting for upload, no event (yet)
  {
    auto txn = Transaction::begin(f.store->db());
    REQUIRE(enqueue_blob_upload(*txn, queued, "image/jpeg", c.case_id, f.clock.now_ms()).is_ok());
    REQUIRE(txn->commit().is_ok());
  }
  std::filesystem::create_directories(client::blob_dir(*f.store) + "/tmp");
  std::string leftover = client::blob_dir(*f.store) + "/tmp/interrupted.part";
  write_file(leftover, "half a scan");
  // File times relative to the store's clock: 8 days old, except the young orphan (1 day).
  auto set_age = [&](const std::string& path, std::int64_t age_ms) {
    auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(f.clock.now_ms() - age_ms));
    std::filesystem::last_write_time(path, std::chrono::file_clock::from_sys(when));
  };
  for (const auto& sha : {named->file.sha256, old_orphan.sha256, queued.sha256}) set_age(blobs.path_of(sha), 8 * kDayMs);
  set_age(blobs.path_of(young_orphan.sha256), kDayMs);
  set_age(leftover, 8 * kDayMs);

  auto dry = client::collect_blob_garbage(*f.store, client::kDefaultBlobGraceMs, true);
  REQUIRE(dry.is_ok());
  CHECK(dry->removed == 2);
  CHECK(blobs.contains(old_orphan.sha256));  // a dry run removes nothing

  auto r = client::collect_blob_garbage(*f.store, client::kDefaultBlobGraceMs, false);
  REQUIRE(r.is_ok());
  CHECK(r->referenced == 2);
  CHECK(r->too_recent == 1);
  CHECK(r->removed == 2);
  CHECK(r->removed_bytes == 3000 + 11);
  CHECK(blobs.contains(named->file.sha256));
  CHECK(blobs.contains(queued.sha256));
  CHECK(blobs.contains(young_orphan.sha256));
  CHECK_FALSE(blobs.contains(old_orphan.sha256));
  CHECK_FALSE(std::filesystem::exists(leftover));
}
