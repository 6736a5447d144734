// Roles and the audit log against a real halld (issue #7): every route a role
// may not use is refused with 403, names the role needed and changes nothing;
// sign-in failures, the lockout and exports land in the audit log, and the
// audit export holds no ID number, phone or name in clear.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "sync/api/redact.h"
#include "tests/support/e2e_binaries.h"
#include "tests/support/halld_process.h"

using namespace hallsync;
using namespace hallsync::test;

namespace {

const std::string kPassword = "password-2026";

// One person's browser: the session cookie halld set at sign-in goes with every call.
class Browser {
 public:
  explicit Browser(const std::string& port) {
    CurlTransportOptions o;
    o.base_url = "http://127.0.0.1:" + port;
    o.total_timeout_ms = 10'000;
    transport_ = make_curl_transport(o);
  }
  Reply call(const std::string& method, const std::string& target, const json& body = json()) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    if (method == "POST") {
      r.headers = {{"Content-Type", "application/json"}};
      r.body = body.is_null() ? "{}" : body.dump();
    }
    if (!cookie_.empty()) r.headers.emplace_back("Cookie", cookie_);
    auto res = transport_->exchange(r);
    INFO(method << " " << target);
    REQUIRE(res.is_ok());
    std::string set = res->header("Set-Cookie");
    if (!set.empty()) cookie_ = set.substr(0, set.find(';'));
    return Reply{res->status, json::parse(res->body, nullptr, false), res->body, res->header("Content-Type")};
  }
  Reply get(const std::string& target) { return call("GET", target); }
  Reply post(const std::string& target, const json& body = json()) { return call("POST", target, body); }
  int sign_in(const std::string& clerk, const std::string& password = kPassword) {
    return post("/api/login", {{"clerk_id", clerk}, {"password", password}}).status;
  }

 private:
  std::unique_ptr<Transport> transport_;
  std::string cookie_;
};

void add_account(TempDir& dir, const std::string& id, const std::string& name, const std::string& role) {
  Run add = run_command({"/bin/sh", "-c", "printf '%s\\n' " + shell_quote(kPassword) + " | " + shell_quote(HALL_BINARY) +
                                              " account add " + id + " --name " + shell_quote(name) + " --role " + role +
                                              " --data-dir " + shell_quote(dir.file("hall"))});
  INFO(add.out);
  REQUIRE(add.status == 0);
}

// A refusal as #7 wants it: 403, code forbidden, the needed role named in Chinese.
void check_forbidden(const Reply& r, const std::string& role_named) {
  INFO(r.body.dump());
  CHECK(r.status == 403);
  CHECK(r.body["code"] == "forbidden");
  CHECK(r.body["message"].get<std::string>().find(role_named) != std::string::npos);
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A hall with one case registered before any account existed, halld up, and
// one account per role.
struct RolesHall {
  TempDir dir;
  Halld halld{dir, nullptr, ""};
  std::string case_ref;
  RolesHall() {
    REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
    write_file(dir.file("hall/halld.conf"), "debounce_s = 3600\n");
    halld.start();
    Reply created = Browser(halld.port).post("/api/cases", new_case());
    REQUIRE(created.status == 201);
    case_ref = created.body["acceptance_no"];
    add_account(dir, "c001", "王小红", "clerk");
    add_account(dir, "s001", "李主任", "supervisor");
    add_account(dir, "t001", "张工", "technician");
    add_account(dir, "a001", "赵审计", "auditor");
  }
  // The case as the auditor reads it: its event count tells whether anything changed.
  std::size_t case_events() {
    Browser auditor(halld.port);
    REQUIRE(auditor.sign_in("a001") == 200);
    Reply r = auditor.get("/api/cases/" + case_ref);
    REQUIRE(r.status == 200);
    return r.body["events"].size();
  }
  std::size_t case_count() {
    Browser auditor(halld.port);
    REQUIRE(auditor.sign_in("a001") == 200);
    return auditor.get("/api/cases").body["cases"].size();
  }
};

}  // namespace

TEST_CASE("halld refuses each role what it may not do with 403 naming the role needed, and nothing changes", "[e2e][roles]") {
  RolesHall h;
  const std::size_t events = h.case_events();
  const std::size_t cases = h.case_count();
  const std::string ref = "/api/cases/" + h.case_ref;
  const json step = {{"department", "民政局"}};

  Browser tech(h.halld.port), auditor(h.halld.port), clerk(h.halld.port), boss(h.halld.port);
  REQUIRE(tech.sign_in("t001") == 200);
  REQUIRE(auditor.sign_in("a001") == 200);
  REQUIRE(clerk.sign_in("c001") == 200);
  REQUIRE(boss.sign_in("s001") == 200);

  SECTION("the technician: sync and catalog, no case content, no case writes") {
    check_forbidden(tech.get("/api/cases"), "窗口人员");
    check_forbidden(tech.get(ref), "审计员");
    check_forbidden(tech.get(ref + "/documents/acceptance"), "窗口人员");
    check_forbidden(tech.post("/api/cases", new_case("360704198503120031")), "窗口人员");
    check_forbidden(tech.post(ref + "/steps/forward", step), "窗口人员");
    check_forbidden(tech.post(ref + "/materials?material=x", json()), "窗口人员");
    check_forbidden(tech.get("/api/audit"), "审计员");
    check_forbidden(tech.get("/api/staff"), "负责人");
    CHECK(tech.get("/api/sync/status").status == 200);
    CHECK(tech.get("/api/sync/history").status == 200);
    CHECK(tech.post("/api/sync").status == 202);
    CHECK(tech.get("/api/catalog").status == 200);
    Reply me = tech.get("/api/me");
    CHECK(me.body["clerk"]["role"] == "technician");
    CHECK(me.body["permissions"] == json({"catalog.read", "sync.read", "sync.request", "diagnostics", "resync"}));
  }
  SECTION("the auditor: reads cases and the audit log, writes nothing") {
    CHECK(auditor.get("/api/cases").status == 200);
    CHECK(auditor.get(ref).status == 200);
    check_forbidden(auditor.post("/api/cases", new_case("360704198503120031")), "窗口人员");
    check_forbidden(auditor.post(ref + "/steps/forward", step), "负责人");
    check_forbidden(auditor.post(ref + "/conflicts/e1/resolve", {{"reason", "x"}}), "窗口人员");
    check_forbidden(auditor.get(ref + "/documents/acceptance"), "窗口人员");
    check_forbidden(auditor.post("/api/sync"), "技术人员");
    check_forbidden(auditor.get("/api/staff"), "负责人");
    check_forbidden(auditor.post("/api/staff/c001/role", {{"role", "auditor"}}), "负责人");
    CHECK(auditor.get("/api/audit").status == 200);
  }
  SECTION("the clerk: case work, no accounts, no audit log") {
    check_forbidden(clerk.get("/api/audit"), "审计员");
    check_forbidden(clerk.get("/api/staff"), "负责人");
    check_forbidden(clerk.post("/api/staff/c001/role", {{"role", "supervisor"}}), "负责人");
    CHECK(clerk.get("/api/me").body["clerk"]["role"] == "clerk");  // it did not promote itself
  }
  SECTION("the supervisor: case work and accounts, but not the audit log") {
    check_forbidden(boss.get("/api/audit"), "审计员");
    CHECK(boss.get("/api/staff").body["staff"].size() == 4);
    CHECK(boss.get(ref).status == 200);
  }
  CHECK(h.case_events() == events);
  CHECK(h.case_count() == cases);

  // Every refusal is on the trail, by whom and what.
  Reply trail = auditor.get("/api/audit");
  REQUIRE(trail.status == 200);
  int forbidden = 0;
  for (const auto& e : trail.body["entries"])
    if (e["action"] == "forbidden") {
      ++forbidden;
      CHECK(e["outcome"] == "refused");
    }
  CHECK(forbidden >= 1);  // each section refuses at least one
}

TEST_CASE("A role changed by the supervisor applies to a signed-in session at once, and is audited", "[e2e][roles]") {
  RolesHall h;
  Browser tech(h.halld.port), boss(h.halld.port);
  REQUIRE(tech.sign_in("t001") == 200);
  check_forbidden(tech.get("/api/audit"), "审计员");
  Reply changed = boss.post("/api/staff/t001/role", {{"role", "auditor"}});
  CHECK(changed.status == 401);  // not signed in yet
  REQUIRE(boss.sign_in("s001") == 200);
  CHECK(boss.post("/api/staff/t001/role", {{"role", "admin"}}).status == 400);
  REQUIRE(boss.post("/api/staff/t001/role", {{"role", "auditor"}}).status == 200);
  Reply trail = tech.get("/api/audit");
  REQUIRE(trail.status == 200);
  bool seen = false;
  for (const auto& e : trail.body["entries"])
    if (e["action"] == "account_role_change" && e["actor"] == "s001" && e["target"] == "t001") seen = true;
  CHECK(seen);
  check_forbidden(tech.post("/api/sync"), "技术人员");  // no longer a technician
}

TEST_CASE("Sign-in failures, the lockout, sign-out and exports are audited, and the audit export holds no clear personal data",
          "[e2e][roles][audit]") {
  RolesHall h;
  Browser guesser(h.halld.port), clerk(h.halld.port), auditor(h.halld.port);
  for (int i = 0; i < 5; ++i) CHECK(guesser.sign_in("c001", "not-the-password") == 401);
  CHECK(guesser.sign_in("c001") == 429);                     // locked, even with the right password
  CHECK(guesser.sign_in("王小红", "whatever-1") == 401);      // a name typed as the id
  CHECK(guesser.sign_in("360704198503120023", "whatever-1") == 401);  // an ID number typed as the id
  REQUIRE(clerk.sign_in("s001") == 200);
  CHECK(clerk.post("/api/cases", new_case("360704198503120031")).status == 201);
  CHECK(clerk.post("/api/logout").status == 200);

  // `hall` sees halld's last commits only once halld's checkpointer has run:
  // a `hall` command closing its store while halld runs unlinks halld's WAL
  // and -shm (seen on main too, not this change's; reported for a fix), so
  // halld's later commits reach other processes only through the main file.
  // Wait until `hall` reads the sign-out.
  REQUIRE(eventually([&] { return hall(h.dir, {"audit", "list", "--json"}).out.find("sign_out") != std::string::npos; },
                     seconds(10)));
  const std::string file = h.dir.file("audit.csv");
  Run exported = hall(h.dir, {"audit", "export", file});
  INFO(exported.out);
  REQUIRE(exported.status == 0);
  std::string csv = read_all(file);
  for (const char* expected : {"sign_in", "lockout", "sign_out", "account_create", "audit_export"}) {
    INFO(expected);
    CHECK(csv.find(expected) != std::string::npos);
  }
  CHECK(csv.find("locked out") != std::string::npos);
  // No ID number, phone or name in clear: not the applicants', not what was typed.
  CHECK_FALSE(contains_clear_pii(csv));
  for (const char* clear : {"360704198503120023", "360704198503120031", "13907971234", "刘桂英", "王小红", "李主任"}) {
    INFO(clear);
    CHECK(csv.find(clear) == std::string::npos);
  }

  // The export is itself on the trail, and the auditor reads it through halld.
  Run list = hall(h.dir, {"audit", "list", "--json"});
  REQUIRE(list.status == 0);
  json entries = json::parse(list.out)["entries"];
  CHECK(entries.back()["action"] == "audit_export");
  CHECK(entries.back()["target"] == "audit.csv");
  REQUIRE(auditor.sign_in("a001") == 200);
  Reply api = auditor.get("/api/audit?since=2020-01-01");
  REQUIRE(api.status == 200);
  int refused = 0, lockouts = 0;
  for (const auto& e : api.body["entries"]) {
    if (e["action"] == "sign_in" && e["outcome"] == "refused") ++refused;
    if (e["action"] == "lockout") ++lockouts;
  }
  CHECK(refused == 8);  // five wrong, one while locked, the name and the ID number
  CHECK(lockouts == 1);
  CHECK_FALSE(contains_clear_pii(api.body.dump()));
}

TEST_CASE("A report written to a file and a diagnostics bundle are audited with the OS user who made them", "[e2e][audit]") {
  TempDir dir;
  REQUIRE(hall(dir, {"init", "--hall", "360704100", "--device", "W01"}).status == 0);
  Run report = hall(dir, {"report", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "csv", "--out",
                          dir.file("report.csv")});
  INFO(report.out);
  REQUIRE(report.status == 0);
  Run bundle = hallctl(dir, {"export-diagnostics", dir.file("diag.tar.gz")});
  INFO(bundle.out);
  REQUIRE(bundle.status == 0);
  json entries = json::parse(hall(dir, {"audit", "list", "--json"}).out)["entries"];
  REQUIRE(entries.size() == 2);
  CHECK(entries[0]["action"] == "report_export");
  CHECK(entries[0]["target"] == "report.csv");
  CHECK(entries[0]["actor"].get<std::string>().rfind("os:", 0) == 0);
  CHECK(entries[1]["action"] == "diagnostics_export");
  CHECK(entries[1]["target"] == "diag.tar.gz");
  CHECK(entries[1]["detail"] == "masked");
  CHECK(entries[1]["actor"].get<std::string>().rfind("technician:", 0) == 0);
}
