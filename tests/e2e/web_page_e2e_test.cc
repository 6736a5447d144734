// The clerk's web page in a real browser (issue #9): headless Chromium driven
// over WebDriver against real halld and hallhub processes on loopback. Saves
// screenshots under build/tests/web_e2e_output/ and prints their paths.
#include <filesystem>
#include <iostream>

#include "tests/support/e2e_binaries.h"
#include "tests/support/halld_process.h"
#include "tests/support/webdriver.h"

using namespace hallsync::test;

namespace {

const std::string kPassword = "chuangkou-2026";

std::string output_dir(const std::string& test) {
  std::string dir = std::string(WEB_E2E_OUTPUT_DIR) + "/" + test;
  std::filesystem::create_directories(dir);
  return dir;
}

// Pages of a PDF as Chromium writes it (uncompressed page dictionaries).
int pdf_pages(const std::string& pdf) {
  int n = 0;
  for (auto p = pdf.find("/Type /Page"); p != std::string::npos; p = pdf.find("/Type /Page", p + 1))
    if (pdf.compare(p, 12, "/Type /Pages") != 0) ++n;
  return n;
}

// A hall enrolled at a running hub, with clerk c001's account, and halld up.
struct WebHall {
  TempDir dir;
  Hub hub{dir};
  Halld halld{dir, nullptr, ""};
  explicit WebHall(bool with_account) {
    hub.start();
    link_hall(dir, hub.port, enroll_w01(dir, hub));
    if (with_account) {
      Run add = run_command({"/bin/sh", "-c", "printf '%s\\n' " + shell_quote(kPassword) + " | " + shell_quote(HALL_BINARY) +
                                                  " account add c001 --name 王小红 --data-dir " + shell_quote(dir.file("hall"))});
      INFO(add.out);
      REQUIRE(add.status == 0);
    }
    write_file(dir.file("hall/halld.conf"), "debounce_s = 1\n");
    halld.start();
  }
  std::string url() const { return "http://127.0.0.1:" + halld.port + "/"; }
};

void sign_in(Browser& b, const WebHall& hall) {
  b.go(hall.url());
  b.type("#login-clerk", "c001");
  b.type("#login-password", kPassword);
  b.click("#login-submit");
  REQUIRE(b.shows("#who-name", "王小红"));
}

// Picks a matter the way a clerk does: types part of its Chinese name, then ↓ and Enter.
void pick_matter(Browser& b, const std::string& typed) {
  b.clear("#matter-q");
  b.type("#matter-q", typed);
  b.type("#matter-q", std::string(kArrowDown) + kEnter);
  REQUIRE(b.shows("#matter-chosen", "已选"));
}

void fill_applicant(Browser& b, const std::string& name, const std::string& id, const std::string& phone) {
  for (const char* f : {"#applicant_name", "#id_number", "#phone"}) b.clear(f);
  b.type("#applicant_name", name);
  b.type("#id_number", id);
  b.type("#phone", phone);
}

int case_rows(Browser& b) {
  b.click("#nav [data-view=list]");
  b.clear("#f-search");
  b.click("#list-search");
  REQUIRE(b.shows("#list-count", "共"));
  return b.script("return document.querySelectorAll('#case-rows tr').length;").get<int>();
}

}  // namespace

TEST_CASE("a clerk signs in, registers a case, finds it, prints its notice, and keeps working while the hub is down",
          "[e2e][web]") {
  WebHall hall(/*with_account=*/true);
  std::string out = output_dir("register_offline_and_sync");
  Browser b(hall.dir);

  b.go(hall.url());
  REQUIRE(b.shows("#view-login", "登录"));
  b.type("#login-clerk", "c001");
  b.type("#login-password", "not-the-password");
  b.click("#login-submit");
  CHECK(b.shows("#login-error", "工号或密码不正确"));
  b.screenshot(out + "/01-login-refused.png");
  b.clear("#login-password");
  b.type("#login-password", kPassword);
  b.click("#login-submit");
  REQUIRE(b.shows("#who-name", "王小红"));
  REQUIRE(b.shows("#sync-state", "在线"));

  // Intake from the keyboard: matter by its Chinese name, all materials, applicant.
  pick_matter(b, "低保");
  b.click("#materials-all");
  fill_applicant(b, "刘桂英", "360704198503120023", "13907971234");
  CHECK(b.shows("#ok-id_number", "校验位正确"));
  b.screenshot(out + "/02-intake-filled.png");
  b.type("#phone", kEnter);  // Enter submits the form

  // The acceptance notice opens ready to print.
  REQUIRE(b.shows("#print-title", "受理通知书"));
  REQUIRE(eventually([&] {
    json t = b.script("const d = document.getElementById('print-frame').contentDocument;"
                      " return d && d.body ? d.body.innerText : '';");
    return t.is_string() && t.get<std::string>().find("受理通知书") != std::string::npos &&
           t.get<std::string>().find("刘桂英") != std::string::npos;
  }, seconds(10)));
  std::string acceptance_no = b.text("#print-title");
  REQUIRE(acceptance_no.find("360704100-W01-") != std::string::npos);
  acceptance_no = acceptance_no.substr(acceptance_no.find("360704100-W01-"));
  b.screenshot(out + "/03-acceptance-notice.png");
  // "Print": the notice itself, as the browser prints it on A4.
  std::string doc_url = b.script("return document.getElementById('print-frame').src;").get<std::string>();
  CHECK(doc_url.find("/documents/acceptance") != std::string::npos);
  b.go(doc_url);
  std::string pdf = b.print_pdf(out + "/03-acceptance-notice.pdf");
  CHECK(pdf.rfind("%PDF-", 0) == 0);
  CHECK(pdf_pages(pdf) == 1);  // the notice and its tear-off receipt on one sheet
  CHECK(pdf.find("/MediaBox [0 0 595.91998 841.91998]") != std::string::npos);  // A4 in points
  b.go(hall.url());  // back to the page, still signed in
  REQUIRE(b.shows("#who-name", "王小红"));

  // The list shows it with the ID number masked; search by name finds it.
  b.click("#nav [data-view=list]");
  b.type("#f-search", "刘桂英");
  b.click("#list-search");
  REQUIRE(b.shows("#case-rows", "3607**********0023"));
  CHECK_FALSE(b.shows("body", "360704198503120023", seconds(1)));
  CHECK(b.shows("#case-rows", "城市低保"));
  b.screenshot(out + "/04-case-list.png");

  // The case page: timeline with who and which device, documents to print.
  b.click("#case-rows tr");
  REQUIRE(b.shows("#case-events", "c001"));
  CHECK(b.shows("#case-events", "本厅设备 360704100-W01"));
  CHECK(b.shows("#case-documents", "打印受理通知书"));
  b.screenshot(out + "/05-case-page.png");

  // A scanned material from the case page: name, file, 上传; listed as 未上传
  // until a sync moves it, then 已上传 (as `hall case show` says).
  CHECK(b.shows("#case-attachments", "尚无扫描材料"));
  std::string scan = hall.dir.file("身份证扫描.jpg");
  write_file(scan, std::string("\xFF\xD8\xFF\xE0", 4) + std::string(40'000, 's'));
  b.click("#attach-go");
  CHECK(b.shows("#attach-error", "请写明扫描的是哪一项材料"));
  b.type("#attach-material", "申请人居民身份证");
  b.type("#attach-file", scan);  // chromedriver takes a local path as the file input's keys
  b.click("#attach-go");
  REQUIRE(b.shows("#case-attachments", "未上传"));
  CHECK(b.shows("#case-attachments", "申请人居民身份证"));
  CHECK(b.shows("#attach-status", "已保存"));
  b.screenshot(out + "/05b-material-attached.png");
  REQUIRE(eventually([&] {
    b.script("openCase(state.caseRef); return 0;");
    return b.shows("#case-attachments", "已上传", seconds(2));
  }, seconds(60)));
  // 查看 opens the scan itself, served by halld to the signed-in clerk.
  REQUIRE(b.shows("#case-attachments", "查看"));
  CHECK(b.script("const a = document.querySelector('#case-attachments a.view-scan');"
                 " return fetch(a.href, {credentials: 'same-origin'}).then((r) => r.blob())"
                 ".then((x) => x.type + ' ' + x.size);")
            .get<std::string>() == "image/jpeg 40004");

  // The hub goes down: the bar says offline, intake keeps working.
  hall.hub.stop_holding_port();
  b.click("#sync-now");
  REQUIRE(b.shows("#sync-state", "离线", seconds(20)));
  // This one from the keyboard alone: Alt+1 focuses the matter box; ↓ Enter
  // picks; Tab past the six material boxes to 「全部已收到」; Enter; Tab on.
  b.keys(std::string(kAlt) + "1" + kReleaseKeys);
  REQUIRE(b.script("return document.activeElement.id;").get<std::string>() == "matter-q");
  b.keys(std::string("低保") + kArrowDown + kEnter);
  REQUIRE(b.shows("#matter-chosen", "城市低保"));
  CHECK(b.script("return document.activeElement.id;").get<std::string>() == "mat-0");
  b.keys(std::string(kTab) + kTab + kTab + kTab + kTab + kTab);
  CHECK(b.script("return document.activeElement.id;").get<std::string>() == "materials-all");
  b.keys(kEnter);
  b.keys(std::string(kTab) + "张建国" + kTab + "36070419900307001X" + kTab + "0797-4412345" + kEnter);
  REQUIRE(b.shows("#print-title", "受理通知书"));
  // The bar refreshes on its own poll, so it may still show the count from before the intake for a moment.
  CHECK(eventually([&] {
    return b.script("return Number(document.getElementById('sync-pending').dataset.pending);").get<int>() > 0;
  }, seconds(10)));
  b.screenshot(out + "/06-offline-intake.png");

  // The hub is back: after "sync now" the bar says online with nothing waiting.
  hall.hub.start("127.0.0.1:" + hall.hub.port);
  REQUIRE(eventually([&] {
    b.click("#sync-now");
    return b.shows("#sync-state", "在线", seconds(4)) && b.shows("#sync-pending", "待上传 0 条", seconds(2));
  }, seconds(40)));
  b.screenshot(out + "/07-synced.png");
  // The list may still show the earlier search's one row until the new search returns.
  CHECK(eventually([&] { return case_rows(b) == 2; }, seconds(10)));

  // The hub holds both cases.
  Run cases = hall.hub.admin({"cases", "--json"});
  INFO(cases.out);
  REQUIRE(cases.status == 0);
  CHECK(cases.out.find(acceptance_no) != std::string::npos);

  b.click("#logout");
  CHECK(b.shows("#view-login", "已退出登录"));
}

TEST_CASE("bad input in the intake form gets a Chinese message next to the field and saves nothing", "[e2e][web]") {
  WebHall hall(/*with_account=*/true);
  std::string out = output_dir("bad_input");
  Browser b(hall.dir);
  sign_in(b, hall);

  // Nothing filled in: every required field says what is missing.
  b.click("#intake-submit");
  CHECK(b.shows("#err-matter_id", "请选择办理事项"));
  CHECK(b.shows("#err-applicant_name", "申请人姓名不能为空"));
  CHECK(b.shows("#err-id_number", "身份证号码不能为空"));
  CHECK(b.shows("#err-phone", "联系电话不能为空"));
  CHECK(b.shows("#intake-error", "未保存"));

  // Invalid ID (check digit) is flagged as it is typed; an overlong name and note too.
  pick_matter(b, "低保");
  std::string long_name;
  for (int i = 0; i < 31; ++i) long_name += "张";
  fill_applicant(b, long_name, "360704198503120024", "13907971234");
  CHECK(b.shows("#err-id_number", "校验位不符"));
  b.type("#note", std::string(501, 'a'));
  b.click("#intake-submit");
  CHECK(b.shows("#err-applicant_name", "过长"));
  CHECK(b.shows("#err-note", "备注过长"));
  CHECK(b.shows("#err-id_number", "校验位不符"));
  b.screenshot(out + "/01-client-checks.png");

  // A rule only the server knows (characters allowed in a name): its message,
  // naming the field, lands next to that field.
  b.clear("#note");
  fill_applicant(b, "刘桂英2", "360704198503120023", "13907971234");
  b.click("#intake-submit");
  CHECK(b.shows("#err-applicant_name", "姓名"));
  CHECK(b.shows("#intake-error", "未保存"));
  b.screenshot(out + "/02-server-check.png");

  CHECK(case_rows(b) == 0);
}

TEST_CASE("without staff accounts the API keeps the clerk_id in the body — with one it needs a session", "[e2e][web]") {
  TempDir dir;
  REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
  Halld halld{dir, nullptr, ""};
  halld.start();
  Api api = halld.api();
  // No account: the body's clerk registers; a bad field is named.
  json bad = new_case("360704198503120024");
  Reply r = api.post("/api/cases", bad);
  CHECK(r.status == 400);
  CHECK(r.body["field"] == "id_number");
  CHECK(api.get("/api/cases").body["cases"].empty());
  CHECK(api.post("/api/cases", new_case()).status == 201);

  // An account exists: case endpoints need the session, sync status does not.
  Run add = run_command({"/bin/sh", "-c", "printf 'password-1\\n' | " + shell_quote(HALL_BINARY) +
                                              " account add c002 --name 李四 --data-dir " + shell_quote(dir.file("hall"))});
  REQUIRE(add.status == 0);
  CHECK(api.get("/api/cases").status == 401);
  CHECK(api.post("/api/cases", new_case()).status == 401);
  CHECK(api.get("/api/sync/status").status == 200);
  // Five wrong passwords lock the id, even against the right one.
  for (int i = 0; i < 5; ++i) CHECK(api.post("/api/login", {{"clerk_id", "c002"}, {"password", "wrong-one"}}).status == 401);
  Reply locked = api.post("/api/login", {{"clerk_id", "c002"}, {"password", "password-1"}});
  CHECK(locked.status == 429);
  CHECK(locked.body["message"].get<std::string>().find("锁定") != std::string::npos);
}
