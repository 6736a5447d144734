// Personal data at rest, end to end (issue #7 item 7, "Done when"): after a
// day's work at the window — cases, a complaint, an appointment — synced with
// a real hub by halld, no applicant's name, ID number or phone lies in clear
// in any file of the hall's data directory, in halld's log, or in any export
// (report, refusals, audit export, the diagnostics bundle with its database).
// The hub's copy, which the province keeps, holds them: the scanner's
// negative control. And a lost key is survivable: the hub gives the cases back.
#include <catch2/catch.hpp>

#include <iconv.h>

#include <filesystem>
#include <fstream>

#include "tests/support/halld_process.h"

using namespace hallsync::test;
namespace fs = std::filesystem;

namespace {

struct Person {
  std::string name, id_number, phone;
};

// Valid GB 11643 check characters (one ends in X), names no fixture uses.
const std::vector<Person> kPeople = {{"欧阳秀兰", "360704197811234028", "13979701234"},
                                     {"赖冬生", "36073119650704155X", "18970712345"},
                                     {"钟晓燕", "360702199212302080", "15179745678"}};
const Person kComplainant{"谢国华", "", "13607978899"};
const Person kVisitor{"曾美玲", "", "17779712288"};

std::string gb18030(const std::string& utf8) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
  std::string in = utf8, out(utf8.size() * 2 + 8, '\0');
  char* src = in.data();
  char* dst = out.data();
  std::size_t left = in.size(), room = out.size();
  REQUIRE(iconv(cd, &src, &left, &dst, &room) != static_cast<std::size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - room);
  return out;
}

// Each personal value as it could lie in a file: UTF-8, and names in GB18030 too.
std::vector<std::string> needles() {
  std::vector<std::string> out;
  for (const auto& p : kPeople) out.insert(out.end(), {p.name, gb18030(p.name), p.id_number, p.phone});
  for (const auto& p : {kComplainant, kVisitor}) out.insert(out.end(), {p.name, gb18030(p.name), p.phone});
  return out;
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// "<value> in <file>" for each personal value found in a file under `root`.
std::vector<std::string> clear_values_under(const fs::path& root) {
  std::vector<std::string> found;
  const auto values = needles();
  auto scan = [&](const fs::path& file) {
    std::string bytes = read_all(file);
    for (const auto& v : values)
      if (bytes.find(v) != std::string::npos) found.push_back(v + " in " + file.string());
  };
  if (fs::is_regular_file(root)) {
    scan(root);
  } else {
    for (const auto& f : fs::recursive_directory_iterator(root))
      if (f.is_regular_file()) scan(f.path());
  }
  return found;
}

std::size_t files_under(const fs::path& root) {
  std::size_t n = 0;
  for (const auto& f : fs::recursive_directory_iterator(root)) n += f.is_regular_file();
  return n;
}

std::string ok(const Run& r) {
  INFO(r.out);
  REQUIRE(r.status == 0);
  return r.out;
}

// The three cases, a complaint and an appointment, registered through `hall`.
void a_day_at_the_window(TempDir& dir) {
  for (const auto& p : kPeople)
    ok(hall(dir, {"case", "new", "--matter", "GX-009", "--name", p.name, "--id-number", p.id_number, "--phone", p.phone,
                  "--all-materials", "--json"}));
  ok(hall(dir, {"staff", "add", "--id", "a01", "--name", "王芳"}));
  ok(hall(dir, {"staff", "add", "--id", "b01", "--name", "李强"}));
  ok(hall(dir, {"post", "set", "W1", "--name", "民政窗口", "--matter", "GX-009", "--a", "a01", "--b", "b01"}));
  ok(hall(dir, {"complaint", "add", "--channel", "oral", "--against", "window", "--target", "W1", "--content",
                "等候时间过长", "--name", kComplainant.name, "--phone", kComplainant.phone}));
  ok(hall(dir, {"appointment", "add", "--date", "2099-03-02", "--slot", "09:00", "--matter", "GX-009", "--name",
                kVisitor.name, "--phone", kVisitor.phone}));
}

// A hall enrolled at a running hub, after a day at the window, not yet synced.
struct WorkedHall {
  TempDir dir;
  Hub hub{dir};
  WorkedHall() {
    std::string token = enroll_w01(dir, hub);
    hub.start();
    link_hall(dir, hub.port, token);
    a_day_at_the_window(dir);
  }
};

}  // namespace

TEST_CASE("No name, ID number or phone lies in clear in the hall's files, halld's log or any export after a sync",
          "[e2e][at-rest]") {
  WorkedHall w;
  TempDir& dir = w.dir;
  Hub& hub = w.hub;
  write_file(dir.file("hall/halld.conf"), "sync_period_s = 3600\ndebounce_s = 3600\n");
  Halld halld{dir, nullptr, ""};
  halld.start();
  write_file(dir.file("hall/halld.conf"),
             "sync_period_s = 3600\ndebounce_s = 3600\nlisten = 127.0.0.1:" + halld.port + "\n");
  std::string synced = ok(hall(dir, {"sync", "now", "--wait", "--json"}));
  CHECK(synced.find("\"pending\": 0") != std::string::npos);

  // The clerk still finds a case by its applicant's ID number or name and sees the name in clear.
  std::string found = ok(hall(dir, {"case", "list", "--search", kPeople[1].id_number, "--json"}));
  CHECK(found.find(kPeople[1].name) != std::string::npos);
  std::string by_name = ok(hall(dir, {"case", "list", "--search", kPeople[2].name, "--json"}));
  CHECK(by_name.find(kPeople[2].name) != std::string::npos);
  CHECK(by_name.find(kPeople[1].name) == std::string::npos);

  // Every export a clerk or technician can take.
  fs::path exports = dir.file("exports");
  fs::create_directories(exports);
  write_file((exports / "report.csv").string(),
             ok(hall(dir, {"report", "--from", "2020-01-01", "--to", "2099-12-31", "--format", "csv"})));
  write_file((exports / "refusals.csv").string(),
             ok(hall(dir, {"refusals", "--from", "2020-01-01", "--to", "2099-12-31", "--format", "csv"})));
  write_file((exports / "complaints.txt").string(), ok(hall(dir, {"complaint", "list"})));
  ok(hall(dir, {"audit", "export", (exports / "audit.csv").string()}));
  std::string bundle = dir.file("diag.tar.gz");
  ok(hallctl(dir, {"export-diagnostics", bundle, "--include-db"}));
  REQUIRE(run_command({"tar", "-xzf", bundle, "-C", exports.string()}).status == 0);
  CHECK(fs::exists(exports / "hallsync-diagnostics/hall.db"));
  CHECK_FALSE(fs::exists(exports / "hallsync-diagnostics/hall.key"));

  CHECK(halld.process->stop() == 0);
  hub.stop();
  CHECK(fs::exists(dir.file("hall/hall.key")));
  CHECK(fs::exists(dir.file("hall/hall.db")));
  CHECK(files_under(exports) >= 10);
  // Every file of the data directory (hall.db and whatever -wal, -shm or
  // journal is left), halld's log, and every export.
  CHECK(clear_values_under(dir.file("hall")).empty());
  CHECK(clear_values_under(dir.file("halld-1.log")).empty());
  CHECK(clear_values_under(exports).empty());

  // The negative control: the same scan finds every ID number and phone in the
  // hub's store (out of scope: the province's disks), so the values did travel
  // and the scanner does see them.
  if (!hub.store.is_postgres()) {
    auto at_hub = clear_values_under(hub.data());
    for (const auto& p : kPeople) {
      CHECK(std::count_if(at_hub.begin(), at_hub.end(), [&](const std::string& s) { return s.rfind(p.id_number, 0) == 0; }) > 0);
      CHECK(std::count_if(at_hub.begin(), at_hub.end(), [&](const std::string& s) { return s.rfind(p.phone, 0) == 0; }) > 0);
    }
  }
}

TEST_CASE("A store whose key is lost is refused with what to do, and resync --rebuild brings its cases back from the hub",
          "[e2e][at-rest][resync]") {
  WorkedHall w;
  TempDir& dir = w.dir;
  ok(hallctl(dir, {"sync"}));

  fs::remove(dir.file("hall/hall.key"));
  Run refused = hall(dir, {"case", "list"});
  INFO(refused.out);
  CHECK(refused.status != 0);
  CHECK(refused.out.find("密钥") != std::string::npos);
  CHECK(refused.out.find("hallctl resync --rebuild") != std::string::npos);
  Run doctor = hallctl(dir, {"doctor"});
  INFO(doctor.out);
  CHECK(doctor.status == 2);
  CHECK(doctor.out.find("[FAIL] database.key") != std::string::npos);

  Run rebuilt = hallctl(dir, {"resync", "--rebuild", "--hall", "360704100", "--device", "W01"});
  INFO(rebuilt.out);
  REQUIRE(rebuilt.status == 0);
  CHECK(fs::exists(dir.file("hall/hall.key")));  // a new key for the rebuilt store
  for (const auto& p : kPeople) {
    std::string listed = ok(hall(dir, {"case", "list", "--search", p.id_number, "--json"}));
    CHECK(listed.find(p.name) != std::string::npos);
  }
  CHECK(ok(hall(dir, {"complaint", "list"})).find("等候时间过长") != std::string::npos);
  Run verify = hallctl(dir, {"verify", "--json"});
  INFO(verify.out);
  CHECK(verify.status == 0);
  ok(hall(dir, {"case", "new", "--matter", "GX-009", "--name", "刘桂英", "--id-number", "360704198503120023", "--phone",
                "13907971234", "--all-materials"}));
  ok(hallctl(dir, {"sync"}));
  w.hub.stop();
}
