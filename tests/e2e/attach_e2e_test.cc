// Scanned materials with the real binaries: `hall case attach` refuses bad
// files plainly and stores a good one, `hallctl doctor` counts it waiting,
// `hallctl sync` uploads it after the case data, `hall case show` follows its
// state, a document `hallhub attach` issues comes down; halld takes a scan
// through its API and uploads it in its own session.
#include <catch2/catch.hpp>
#include <turbojpeg.h>

#include <filesystem>
#include <fstream>

#include "sync/api/blob_store.h"
#include "sync/api/crypto_suite.h"
#include "tests/support/file_bytes.h"
#include "tests/support/halld_process.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {

std::string scan_bytes(std::size_t size) {
  std::string b(size, '\0');
  for (std::size_t i = 0; i < size; ++i) b[i] = static_cast<char>((i * 131) ^ (i >> 9));
  b.replace(0, 4, "\xFF\xD8\xFF\xE0");
  return b;
}

// A real photo-sized JPEG (4032×3024, a phone's picture of an A4 page).
std::string phone_photo() {
  const int w = 4032, h = 3024;
  std::vector<unsigned char> px(static_cast<std::size_t>(w) * h * 3);
  std::uint32_t seed = 7;
  for (std::size_t i = 0; i < px.size(); ++i) {
    seed = seed * 1664525u + 1013904223u;
    px[i] = static_cast<unsigned char>(((i / 3 / w / 12) % 3 ? 225 : 40) + (seed >> 28));
  }
  tjhandle enc = tjInitCompress();
  unsigned char* out = nullptr;
  unsigned long size = 0;
  REQUIRE(tjCompress2(enc, px.data(), w, 0, h, TJPF_RGB, &out, &size, TJSAMP_420, 92, 0) == 0);
  std::string bytes(reinterpret_cast<char*>(out), size);
  tjFree(out);
  tjDestroy(enc);
  return bytes;
}

void write_bytes(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

json json_of(const Run& r) {
  auto j = json::parse(r.out.substr(std::min(r.out.find('{'), r.out.size())), nullptr, false);
  INFO(r.out);
  REQUIRE(j.is_object());
  return j;
}

std::string blobs_detail(TempDir& dir) {
  json d = json_of(hallctl(dir, {"doctor", "--json"}));
  for (const auto& c : d["checks"])
    if (c["check"] == "blobs") return c["detail"];
  return "missing";
}

}  // namespace

TEST_CASE("hall case attach stores a scan that hallctl sync uploads, and bad files are refused in Chinese",
          "[e2e][blobs]") {
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  hub.start();
  link_hall(dir, hub.port, token);
  json c = json_of(hall(dir, {"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number",
                              "360704198503120023", "--phone", "13907971234", "--all-materials", "--json"}));
  std::string no = c["acceptance_no"];

  std::filesystem::create_directories(dir.file("scans"));
  write_bytes(dir.file("scans/fake.jpg"), "PK\x03\x04 really a zip");
  Run folder = hall(dir, {"case", "attach", no, dir.file("scans"), "--material", "申请人居民身份证"});
  CHECK(folder.status == 1);
  CHECK(folder.out.find("是文件夹") != std::string::npos);
  Run fake = hall(dir, {"case", "attach", no, dir.file("scans/fake.jpg"), "--material", "申请人居民身份证"});
  CHECK(fake.status == 1);
  CHECK(fake.out.find("文件类型不允许") != std::string::npos);

  const std::string bytes = scan_bytes(600'000);
  write_bytes(dir.file("scans/id.jpg"), bytes);
  Run ok = hall(dir, {"case", "attach", no, dir.file("scans/id.jpg"), "--material", "申请人居民身份证", "--json"});
  REQUIRE(ok.status == 0);
  json shown = json_of(ok);
  REQUIRE(shown["attachments"].size() == 1);
  CHECK(shown["attachments"][0]["upload_state_label"] == "未上传");
  CHECK(blobs_detail(dir).find("1 scanned file(s) waiting, 600000 bytes") != std::string::npos);

  Run synced = hallctl(dir, {"sync", "--json"});
  INFO(synced.out);
  REQUIRE(synced.status == 0);
  json s = json_of(synced);
  CHECK(s["pushed"] == 2);  // the acceptance and the attachment event
  CHECK(s["blobs_uploaded"] == 1);
  CHECK(s["blob_bytes"] == 600'000);
  json after = json_of(hall(dir, {"case", "show", no, "--json"}));
  CHECK(after["attachments"][0]["upload_state_label"] == "已上传");
  CHECK(blobs_detail(dir).find("no scanned material waiting (1 uploaded)") != std::string::npos);
  BlobStore at_hub(dir.file("hub/blobs"));
  CHECK(sha256_of_file(at_hub.path_of(sha256_hex(bytes))).value() == sha256_hex(bytes));

  // The back office issues a decision document; the hall's next sync fetches it.
  std::string decision = "%PDF-1.4\n" + scan_bytes(150'000).substr(4);
  write_bytes(dir.file("decision.pdf"), decision);
  Run issued = hub.admin({"attach", no, dir.file("decision.pdf"), "--material", "准予许可决定书"});
  INFO(issued.out);
  REQUIRE(issued.status == 0);
  json down = json_of(hallctl(dir, {"sync", "--json"}));
  CHECK(down["blobs_downloaded"] == 1);
  json with_doc = json_of(hall(dir, {"case", "show", no, "--json"}));
  REQUIRE(with_doc["attachments"].size() == 2);
  CHECK(with_doc["attachments"][1]["upload_state_label"] == "已下载");
  BlobStore here(dir.file("hall/blobs"));
  CHECK(sha256_of_file(here.path_of(sha256_hex(decision))).value() == sha256_hex(decision));
  hub.stop();
}

TEST_CASE("halld takes a scan through its API and uploads it in its next session", "[e2e][blobs][halld]") {
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  hub.start();
  link_hall(dir, hub.port, token);
  write_file(dir.file("hall/halld.conf"), "sync_period_s = 3600\ndebounce_s = 1\n");
  Halld halld{dir, nullptr, ""};
  halld.start();
  Api api = halld.api();
  Reply created = api.post("/api/cases", new_case());
  REQUIRE(created.status == 201);
  std::string target = "/api/cases/" + created.body["acceptance_no"].get<std::string>() +
                       "/materials?material=%E7%94%B3%E8%AF%B7%E4%B9%A6&clerk_id=c001";  // 申请书
  Reply refused = api.call("POST", target, "plain text, not a scan");
  CHECK(refused.status == 400);
  CHECK(refused.body["message"].get<std::string>().find("文件类型不允许") != std::string::npos);
  Reply attached = api.call("POST", target, scan_bytes(300'000));
  REQUIRE(attached.status == 201);
  CHECK(attached.body["attachments"][0]["material"] == "申请书");
  std::string ref = "/api/cases/" + created.body["acceptance_no"].get<std::string>();
  CHECK(eventually([&] { return api.get(ref).body["attachments"][0]["upload_state"] == "uploaded"; }, seconds(30)));
  CHECK(halld.process->stop() == 0);
  hub.stop();
}

TEST_CASE("A phone photo is downscaled by hall case attach and by halld unless the original is asked for",
          "[e2e][blobs][downscale]") {
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  hub.start();
  link_hall(dir, hub.port, token);
  std::string photo = phone_photo();
  write_bytes(dir.file("photo.jpg"), photo);
  Run created = hall(dir, {"case", "new", "--matter", "GX-035", "--name", "刘桂英", "--id-number", "360704198503120023",
                           "--phone", "13900001234", "--all-materials", "--json"});
  REQUIRE(created.status == 0);
  std::string no = json_of(created)["acceptance_no"];

  Run small = hall(dir, {"case", "attach", no, dir.file("photo.jpg"), "--material", "申请书"});
  INFO(small.out);
  REQUIRE(small.status == 0);
  CHECK(small.out.find("原图 4032×3024") != std::string::npos);
  Run kept = hall(dir, {"case", "attach", no, dir.file("photo.jpg"), "--material", "申请书原件", "--keep-original", "--json"});
  REQUIRE(kept.status == 0);
  json k = json_of(kept)["attachments"];
  REQUIRE(k.size() == 2);
  CHECK(k[0]["downscaled"] == true);
  CHECK(k[0]["original"]["width"] == 4032);
  CHECK(k[0]["size"].get<std::int64_t>() < static_cast<std::int64_t>(photo.size()));
  CHECK(k[1]["downscaled"] == false);
  CHECK(k[1]["sha256"] == sha256_hex(photo));

  write_file(dir.file("hall/halld.conf"), "sync_period_s = 3600\ndebounce_s = 60\n");
  Halld halld{dir, nullptr, ""};
  halld.start();
  Api api = halld.api();
  std::string target = "/api/cases/" + no + "/materials?material=%E7%94%B3%E8%AF%B7%E4%B9%A6&clerk_id=c001";
  Reply scaled = api.call("POST", target, photo);
  REQUIRE(scaled.status == 201);
  CHECK(scaled.body["attachments"][2]["downscaled"] == true);
  Reply original = api.call("POST", target + "&keep_original=1", photo);
  REQUIRE(original.status == 201);
  CHECK(original.body["attachments"][3]["downscaled"] == false);
  CHECK(original.body["attachments"][3]["size"] == static_cast<std::int64_t>(photo.size()));
  CHECK(halld.process->stop() == 0);
  hub.stop();
}

TEST_CASE("A scan attached at one PC of the hall is fetched to another on request, saved to a file and shown by its halld",
          "[e2e][blobs][halld]") {
  TempDir dir, second;  // two window PCs of one hall; the hub lives in `dir`
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  Run token2 = hub.admin({"device", "add", "--hall", "360704100", "--device", "W02"});
  REQUIRE(token2.status == 0);
  REQUIRE(hall(second, {"init", "--hall", "360704100", "--device", "W02"}).status == 0);
  hub.start();
  link_hall(dir, hub.port, token);
  link_hall(second, hub.port, token2.out.substr(0, token2.out.find('\n')));
  json c = json_of(hall(dir, {"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number",
                              "360704198503120023", "--phone", "13907971234", "--all-materials", "--json"}));
  std::string no = c["acceptance_no"];
  const std::string bytes = scan_bytes(250'000);
  write_bytes(dir.file("id.jpg"), bytes);
  REQUIRE(hall(dir, {"case", "attach", no, dir.file("id.jpg"), "--material", "申请人居民身份证"}).status == 0);
  REQUIRE(hallctl(dir, {"sync"}).status == 0);
  REQUIRE(hallctl(second, {"sync"}).status == 0);

  json listed = json_of(hall(second, {"case", "show", no, "--json"}));
  REQUIRE(listed["attachments"].size() == 1);
  CHECK(listed["attachments"][0]["upload_state"] == "elsewhere");
  CHECK(listed["attachments"][0]["upload_state_label"] == "在本厅其他电脑（未下载到本机）");
  Run too_early = hall(second, {"case", "save-material", no, "1", "--out", second.file("id.jpg")});
  CHECK(too_early.status == 1);
  CHECK(too_early.out.find("还不在本机") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(second.file("id.jpg")));

  Run fetch = hall(second, {"case", "fetch-materials", no});
  INFO(fetch.out);
  REQUIRE(fetch.status == 0);
  CHECK(fetch.out.find("已加入下载队列 1 份扫描材料") != std::string::npos);
  json down = json_of(hallctl(second, {"sync", "--json"}));
  CHECK(down["blobs_downloaded"] == 1);
  CHECK(json_of(hall(second, {"case", "show", no, "--json"}))["attachments"][0]["upload_state_label"] == "已下载");

  Run saved = hall(second, {"case", "save-material", no, "1", "--out", second.file("id.jpg")});
  INFO(saved.out);
  REQUIRE(saved.status == 0);
  CHECK(read_bytes(second.file("id.jpg")) == bytes);
  Run twice = hall(second, {"case", "save-material", no, "1", "--out", second.file("id.jpg")});
  CHECK(twice.status == 1);
  CHECK(twice.out.find("文件已存在") != std::string::npos);
  Run none = hall(second, {"case", "save-material", no, "7", "--out", second.file("seven.jpg")});
  CHECK(none.status == 1);
  CHECK(none.out.find("没有扫描材料") != std::string::npos);

  // The web page's 查看 link: halld serves the held scan as itself, never cached.
  write_file(second.file("hall/halld.conf"), "sync_period_s = 3600\n");
  Halld halld{second, nullptr, ""};
  halld.start();
  Api api = halld.api();
  Reply shown = api.get("/api/cases/" + no + "/materials/1");
  CHECK(shown.status == 200);
  CHECK(shown.content_type == "image/jpeg");
  CHECK(shown.raw == bytes);
  CHECK(api.get("/api/cases/" + no + "/materials/9").status == 404);
  Reply refetch = api.post("/api/cases/" + no + "/materials/fetch", json::object());
  CHECK(refetch.status == 200);
  CHECK(refetch.body["fetch"]["here"] == 1);
  CHECK(halld.process->stop() == 0);
  // Saving and viewing a citizen's scan are both in the audit log (#7).
  Run audit = hall(second, {"audit", "list", "--json"});
  INFO(audit.out);
  CHECK(audit.out.find("scan_export") != std::string::npos);
  CHECK(audit.out.find("scan_view") != std::string::npos);
  hub.stop();
}

TEST_CASE("hallhub serve drops an upload abandoned past the grace period on its schedule and keeps complete scans",
          "[e2e][blobs]") {
  TempDir dir;
  Hub hub{dir};
  std::string token = enroll_w01(dir, hub);
  hub.start();
  // The hall reaches the hub through a link that cuts its first connection
  // after 200 kB upstream and then refuses every other: the small scan arrives
  // whole, the large one half-way, and no retry finishes it.
  std::string rules = "0 up cut=200000\n";
  for (int i = 1; i < 200; ++i) rules += std::to_string(i) + " refuse\n";
  write_bytes(dir.file("link.rules"), rules);
  Background link({LINKEMU_BINARY, "--target", "127.0.0.1:" + hub.port, "--listen", "0", "--rules", dir.file("link.rules")},
                  dir.file("linkemu.log"));
  std::string link_port = port_in(link.wait_for("listening on"), "listening on");
  INFO(link.log());
  REQUIRE_FALSE(link_port.empty());
  link_hall(dir, link_port, token);
  json c = json_of(hall(dir, {"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number",
                              "360704198503120023", "--phone", "13907971234", "--all-materials", "--json"}));
  std::string no = c["acceptance_no"];
  const std::string small = scan_bytes(30'000), large = scan_bytes(1'000'000);
  write_bytes(dir.file("small.jpg"), small);
  write_bytes(dir.file("large.jpg"), large.substr(0, 4) + std::string(1, '\x01') + large.substr(5));
  const std::string large_sha = sha256_of_file(dir.file("large.jpg")).value();
  REQUIRE(hall(dir, {"case", "attach", no, dir.file("small.jpg"), "--material", "申请书"}).status == 0);
  REQUIRE(hall(dir, {"case", "attach", no, dir.file("large.jpg"), "--material", "户口簿"}).status == 0);
  Run cut = hallctl(dir, {"sync"});
  INFO(cut.out);
  CHECK(cut.status != 0);
  // One hall's upload in progress: partial/<sha>.<hex of the hall code>.part (hub_blobs.cc).
  const std::string partial = dir.file("hub/blobs/partial/" + large_sha + "." + crypto::to_hex("360704100") + ".part");
  REQUIRE(std::filesystem::exists(partial));
  CHECK(std::filesystem::file_size(partial) > 0);
  BlobStore at_hub(dir.file("hub/blobs"));
  REQUIRE(at_hub.contains(sha256_hex(small)));
  CHECK_FALSE(at_hub.contains(large_sha));

  // Collections every second: the upload is hours, not days, old — kept.
  hub.stop();
  hub.start("127.0.0.1:0", {}, {"--blob-gc-period", "1", "--blob-gc-grace-days", "7"});
  REQUIRE_FALSE(hub.server->wait_for("blob gc: dropped 0 abandoned upload(s)").empty());
  CHECK(std::filesystem::exists(partial));

  // Eight days on (the hub's clock moved forward), the next collection drops it.
  hub.stop();
  const std::string eight_days_ms = std::to_string(8LL * 24 * 3600 * 1000);
  hub.start("127.0.0.1:0", {"HALLSYNC_TEST_CLOCK_OFFSET_MS=" + eight_days_ms},
            {"--blob-gc-period", "1", "--blob-gc-grace-days", "7"});
  std::string said = hub.server->wait_for("blob gc: dropped 1 abandoned upload(s)");
  INFO(hub.server->log());
  CHECK_FALSE(said.empty());
  CHECK_FALSE(std::filesystem::exists(partial));
  CHECK(at_hub.contains(sha256_hex(small)));
  CHECK(sha256_of_file(at_hub.path_of(sha256_hex(small))).value() == sha256_hex(small));
  hub.stop();
  link.stop();
}
