// Personal data at rest (issue #7 item 7): what the hall's store files hold,
// which key opens them, and how a store written in clear is sealed on upgrade.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "client/store/field_sealer.h"
#include "client/store/store_key.h"
#include "sync/api/change_log.h"
#include "sync/api/event_codec.h"
#include "tests/support/file_bytes.h"
#include "tests/support/hall_fixture.h"

using namespace hallsync;
using namespace hallsync::client;

namespace {

// Applicants with valid ID numbers (GB 11643 check character), Chinese names
// and mobile numbers, none of which appears anywhere else in a store.
struct Person {
  std::string name, id_number, phone;
};
std::vector<Person> people() {
  return {{"欧阳秀兰", test::valid_id("36070419781123402"), "13979701234"},
          {"赖冬生", test::valid_id("36073119650704151"), "18970712345"},
          {"钟晓燕", test::valid_id("36070219921230208"), "15179745678"}};
}

// Every value that must not lie in a file, with where it was found.
std::vector<std::string> found_in_files(const std::string& dir, const std::vector<Person>& ps) {
  std::vector<std::string> found;
  for (const char* suffix : {"", "-wal", "-journal"}) {
    std::string path = (std::filesystem::path(dir) / HallStore::kDatabaseFile).string() + suffix;
    if (!std::filesystem::exists(path)) continue;
    std::string bytes = test::read_bytes(path);
    for (const auto& p : ps)
      for (const std::string& v : {p.name, p.id_number, p.phone})
        if (bytes.find(v) != std::string::npos) found.push_back(v + " in " + path);
  }
  return found;
}

std::vector<CaseView> register_people(HallStore& store, const std::vector<Person>& ps) {
  CaseRepository repo(store);
  std::vector<CaseView> out;
  for (const auto& p : ps) {
    IntakeForm f = test::intake_form(store, "GX-008", true);
    f.applicant_name = p.name;
    f.id_number = p.id_number;
    f.phone = p.phone;
    auto v = repo.register_case(f);
    INFO(v.status().message());
    REQUIRE(v.is_ok());
    out.push_back(*v);
  }
  return out;
}

void exec(Database& db, const std::string& sql) {
  auto s = db.exec_script(sql);
  INFO(s.message());
  REQUIRE(s.is_ok());
}

// A store as main's code left it before migrations 0010 and 0011: schema version 9, no
// key check, and cases written in clear — case events, outbox entries and
// case rows (the events are made by a sealed store and copied over in clear).
void write_clear_store(const std::string& dir, const std::vector<CaseView>& cases) {
  ManualClock clock{test::kFri20260918_10h};
  REQUIRE(HallStore::init(dir, {"360704100", "W01"}, clock).is_ok());
  auto db = Database::open((std::filesystem::path(dir) / HallStore::kDatabaseFile).string());
  REQUIRE(db.is_ok());
  Database& d = **db;
  exec(d, "DROP INDEX cases_by_name_index; DROP INDEX cases_by_id_index; DROP INDEX cases_by_phone_index;"
          "ALTER TABLE cases DROP COLUMN name_index; ALTER TABLE cases DROP COLUMN id_index;"
          "ALTER TABLE cases DROP COLUMN phone_index; DELETE FROM hall_meta WHERE key LIKE 'seal.%';"
          // and before 0011: no change-log chain, no triggers on the change log
          "DROP TRIGGER change_log_no_update; DROP TRIGGER change_log_no_delete; DROP TRIGGER change_log_no_replace;"
          "ALTER TABLE change_log DROP COLUMN chain;"
          "PRAGMA user_version = 9;");
  std::int64_t seq = 0;
  for (const auto& c : cases) {
    for (const auto& e : c.events) {
      auto body = encode_event(e);
      auto ev = d.prepare("INSERT INTO case_events (event_id, case_id, hlc, device_id, origin_seq, clerk_id, wall_ms,"
                          " kind, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      REQUIRE(ev.is_ok());
      ev->bind(1, e.event_id()).bind(2, e.case_id).bind(3, static_cast<std::int64_t>(e.hlc)).bind(4, e.device_id)
          .bind(5, e.origin_seq).bind(6, e.clerk_id).bind(7, e.wall_ms).bind(8, schema::event_kind_code(e.kind))
          .bind_blob(9, body.data(), body.size());
      REQUIRE(ev->run().is_ok());
      auto log = d.prepare("INSERT INTO change_log (seq, collection, doc_key, hlc, payload, created_ms)"
                           " VALUES (?, 'case_events', ?, ?, ?, ?)");
      REQUIRE(log.is_ok());
      log->bind(1, ++seq).bind(2, e.case_id).bind(3, static_cast<std::int64_t>(e.hlc))
          .bind_blob(4, body.data(), body.size()).bind(5, e.wall_ms);
      REQUIRE(log->run().is_ok());
    }
    auto row = d.prepare("INSERT INTO cases (case_id, acceptance_no, hall_code, matter_id, catalog_version,"
                         " applicant_name, id_number, phone, state, handling_kind, accepted_on, first_clerk, last_hlc,"
                         " event_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'accepted', 'promised', ?, ?, ?, ?)");
    REQUIRE(row.is_ok());
    row->bind(1, c.case_id).bind(2, c.acceptance_no).bind(3, c.hall_code).bind(4, c.matter_id)
        .bind(5, c.catalog_version).bind(6, c.applicant.name).bind(7, c.applicant.id_number).bind(8, c.applicant.phone)
        .bind(9, c.accepted_on.to_string()).bind(10, c.first_clerk).bind(11, static_cast<std::int64_t>(c.last_hlc))
        .bind(12, static_cast<std::int64_t>(c.events.size()));
    REQUIRE(row->run().is_ok());
  }
  exec(d, "PRAGMA wal_checkpoint(TRUNCATE)");
  std::filesystem::remove(key_file_path(dir));  // main's stores had no key
}

std::vector<CaseView> cases_of(const std::vector<Person>& ps) {
  test::HallFixture source;
  return register_people(*source.store, ps);
}

}  // namespace

TEST_CASE("The store's files hold no applicant's name, ID number or phone in clear", "[store][at-rest]") {
  test::HallFixture f;
  const auto ps = people();
  register_people(*f.store, ps);
  // Searching by exact ID number, name or phone still finds each case (by blind index).
  for (const auto& p : ps) {
    for (const std::string& q : {p.id_number, p.name}) {
      CaseFilter filter;
      filter.search = q;
      auto found = f.repo->list(filter);
      REQUIRE(found.is_ok());
      REQUIRE(found->size() == 1);
      CHECK((*found)[0].applicant_name == p.name);
      CHECK((*found)[0].id_number == p.id_number);
    }
  }
  // A lowercase check character is the same ID number.
  std::string lower = ps[0].id_number;
  if (lower.back() == 'X') {
    lower.back() = 'x';
    CaseFilter filter;
    filter.search = lower;
    CHECK(f.repo->list(filter)->size() == 1);
  }
  std::string dir = f.dir.file("hall");
  f.repo.reset();
  f.store.reset();
  CHECK(found_in_files(dir, ps).empty());
}

TEST_CASE("A store written in clear is sealed on its first open and its clear bytes leave the files", "[store][at-rest]") {
  test::TempDir tmp;
  const auto ps = people();
  const std::string dir = tmp.file("hall");
  write_clear_store(dir, cases_of(ps));
  // The negative control: the scan does find them in the clear store.
  CHECK(found_in_files(dir, ps).size() >= ps.size() * 3);

  ManualClock clock{test::kFri20260918_10h};
  {
    auto store = HallStore::open(dir, clock);
    INFO(store.status().message());
    REQUIRE(store.is_ok());
    CaseRepository repo(**store);
    CaseFilter filter;
    filter.search = ps[1].id_number;
    auto found = repo.list(filter);
    REQUIRE(found.is_ok());
    REQUIRE(found->size() == 1);
    CHECK((*found)[0].applicant_name == ps[1].name);
    auto view = repo.load((*found)[0].acceptance_no);
    REQUIRE(view.is_ok());
    CHECK(view->applicant.phone == ps[1].phone);
    // The outbox still reads back the wire encoding.
    auto entries = ChangeLog((*store)->db()).read_after(0, 100, 1 << 20);
    REQUIRE(entries.is_ok());
    REQUIRE(entries->size() == ps.size());
    CHECK(decode_event((*entries)[0].payload).is_ok());
  }
  CHECK(found_in_files(dir, ps).empty());
}

TEST_CASE("A store opens only with its own key, and says what to do without it", "[store][at-rest]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("hall");
  ManualClock clock{test::kFri20260918_10h};
  REQUIRE(HallStore::init(dir, {"360704100", "W01"}, clock).is_ok());
  const std::string key_file = key_file_path(dir);
  CHECK((std::filesystem::status(key_file).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));

  SECTION("missing") {
    std::filesystem::remove(key_file);
    auto store = HallStore::open(dir, clock);
    REQUIRE_FALSE(store.is_ok());
    CHECK(store.status().kind() == ErrorKind::Storage);
    CHECK(store.status().code() == "store_key_missing");
    CHECK_THAT(store.status().message(), Catch::Contains("密钥") && Catch::Contains("hallctl resync --rebuild"));
    CHECK_FALSE(std::filesystem::exists(key_file));  // never silently replaced by a new key
  }
  SECTION("another store's") {
    test::TempDir other;
    REQUIRE(HallStore::init(other.file("hall"), {"360704100", "W02"}, clock).is_ok());
    std::filesystem::copy_file(key_file_path(other.file("hall")), key_file,
                               std::filesystem::copy_options::overwrite_existing);
    auto store = HallStore::open(dir, clock);
    REQUIRE_FALSE(store.is_ok());
    CHECK(store.status().kind() == ErrorKind::Storage);
    CHECK(store.status().code() == "store_key_wrong");
  }
  SECTION("garbled") {
    std::ofstream(key_file, std::ios::trunc) << "not a key\n";
    auto store = HallStore::open(dir, clock);
    REQUIRE_FALSE(store.is_ok());
    CHECK(store.status().code() == "store_key_unreadable");
  }
}

TEST_CASE("A sealed value copied onto another case's row does not open", "[store][at-rest]") {
  test::HallFixture f;
  auto cases = register_people(*f.store, people());
  SECTION("an ID number in the case list") {
    auto up = f.store->db().prepare("UPDATE cases SET id_number = (SELECT id_number FROM cases WHERE case_id = ?)"
                                    " WHERE case_id = ?");
    REQUIRE(up.is_ok());
    up->bind(1, cases[0].case_id).bind(2, cases[1].case_id);
    REQUIRE(up->run().is_ok());
    auto listed = f.repo->list(CaseFilter{});
    REQUIRE_FALSE(listed.is_ok());
    CHECK(listed.status().kind() == ErrorKind::Storage);
    CHECK_THAT(listed.status().message(), Catch::Contains("cases.id_number/" + cases[1].case_id));
  }
  SECTION("an event body") {
    exec(f.store->db(), "DROP TRIGGER case_events_are_append_only_update");
    auto up = f.store->db().prepare("UPDATE case_events SET body = (SELECT body FROM case_events WHERE case_id = ?)"
                                    " WHERE case_id = ?");
    REQUIRE(up.is_ok());
    up->bind(1, cases[0].case_id).bind(2, cases[1].case_id);
    REQUIRE(up->run().is_ok());
    auto loaded = f.repo->load(cases[1].acceptance_no);
    REQUIRE_FALSE(loaded.is_ok());
    CHECK(loaded.status().kind() == ErrorKind::Storage);
  }
  SECTION("an outbox payload") {
    exec(f.store->db(), "DROP TRIGGER change_log_no_update");  // someone with the file can; the seal still holds
    auto up = f.store->db().prepare("UPDATE change_log SET payload = (SELECT payload FROM change_log WHERE seq = 1)"
                                    " WHERE seq = 2");
    REQUIRE(up.is_ok());
    REQUIRE(up->run().is_ok());
    auto read = ChangeLog(f.store->db()).read_after(0, 10, 1 << 20);
    REQUIRE_FALSE(read.is_ok());
    CHECK(read.status().kind() == ErrorKind::Storage);
  }
}

TEST_CASE("Blind indexes match a value however it was typed, and only that value", "[store][at-rest]") {
  FieldSealer a(std::string(32, '\x01')), b(std::string(32, '\x02'));
  CHECK(a.blind_index(BlindField::IdNumber, "36070419781123402x") ==
        a.blind_index(BlindField::IdNumber, " 36070419781123402X"));
  CHECK(a.blind_index(BlindField::Phone, "139 7970 1234") == a.blind_index(BlindField::Phone, "13979701234"));
  CHECK(a.blind_index(BlindField::Name, "赖冬生") != a.blind_index(BlindField::Name, "赖冬"));
  CHECK(a.blind_index(BlindField::Name, "13979701234") != a.blind_index(BlindField::Phone, "13979701234"));
  CHECK(a.blind_index(BlindField::Name, "赖冬生") != b.blind_index(BlindField::Name, "赖冬生"));
  CHECK(a.check_value() != b.check_value());
}
