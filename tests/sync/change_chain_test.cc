// The change-log hash chain (sync/api/change_chain.h): computed on append and
// restore, filled in once for entries written before it existed, and any
// altered entry found at its own sequence.
#include <catch2/catch.hpp>

#include "sync/api/change_chain.h"
#include "sync/api/change_log.h"
#include "sync/api/crypto_suite.h"
#include "tests/support/outbox_db.h"

using namespace hallsync;

namespace {
struct Log : test::OutboxDb {
  std::int64_t append(const std::string& key, std::uint8_t fill) {
    auto txn = Transaction::begin(*db);
    ChangeLog log(*db);
    auto seq = log.append(*txn, {"case_events", key, Hlc{100u + fill}, std::vector<std::uint8_t>(12, fill)}, 1000);
    REQUIRE(seq.is_ok());
    REQUIRE(txn->commit().is_ok());
    return *seq;
  }
  std::vector<OutboxEntry> all() { return ChangeLog(*db).read_after(0, 1000, 1 << 20).value(); }
};
}  // namespace

TEST_CASE("Each change-log entry chains from the one before it, starting at the genesis", "[sync][chain]") {
  Log l;
  for (std::uint8_t i = 1; i <= 3; ++i) l.append("case-" + std::to_string(i), i);
  auto entries = l.all();
  REQUIRE(entries.size() == 3);
  std::string prev = chain_genesis();
  for (const auto& e : entries) {
    std::string payload(e.payload.begin(), e.payload.end());
    CHECK(e.chain == chain_link(prev, e.seq, e.hlc.value, e.collection, e.doc_key, payload));
    CHECK(e.chain.size() == crypto::kDigestBytes);
    prev = e.chain;
  }
  ChangeLog log(*l.db);
  CHECK(log.chain_before(1).value() == chain_genesis());
  CHECK(log.chain_before(3).value() == entries[1].chain);
  auto check = verify_change_log_chain(*l.db);
  REQUIRE(check.is_ok());
  CHECK_FALSE(check->broken);
  CHECK(check->entries == 3);
  CHECK(check->head == entries.back().chain);
}

TEST_CASE("Every field of an entry, and the hash before it, changes its chain hash", "[sync][chain]") {
  std::string base = chain_link("p", 1, 2, "c", "k", "x");
  CHECK(chain_link("q", 1, 2, "c", "k", "x") != base);
  CHECK(chain_link("p", 9, 2, "c", "k", "x") != base);
  CHECK(chain_link("p", 1, 9, "c", "k", "x") != base);
  CHECK(chain_link("p", 1, 2, "C", "k", "x") != base);
  CHECK(chain_link("p", 1, 2, "c", "K", "x") != base);
  CHECK(chain_link("p", 1, 2, "c", "k", "y") != base);
  // Length-prefixed fields: moving a byte from one field to the next is seen.
  CHECK(chain_link("p", 1, 2, "ck", "", "x") != chain_link("p", 1, 2, "c", "k", "x"));
}

TEST_CASE("The doctor's chain check names the first altered entry", "[sync][chain]") {
  Log l;
  for (std::uint8_t i = 1; i <= 5; ++i) l.append("case", i);
  REQUIRE(l.db->exec_script("UPDATE change_log SET payload = x'00' WHERE seq = 3").is_ok());
  auto check = verify_change_log_chain(*l.db);
  REQUIRE(check.is_ok());
  REQUIRE(check->broken);
  CHECK(check->broken->seq == 3);

  // Recomputing the altered entry's hash does not hide it: the next one breaks.
  Log m;
  for (std::uint8_t i = 1; i <= 5; ++i) m.append("case", i);
  auto entries = m.all();
  std::string forged = chain_link(entries[1].chain, 3, entries[2].hlc.value, "case_events", "case", std::string(1, '\0'));
  auto up = m.db->prepare("UPDATE change_log SET payload = x'00', chain = ? WHERE seq = 3");
  up->bind_blob(1, forged.data(), forged.size());
  REQUIRE(up->run().is_ok());
  auto again = verify_change_log_chain(*m.db);
  REQUIRE(again->broken);
  CHECK(again->broken->seq == 4);
}

TEST_CASE("Entries written before the chain existed get the same hashes once, in order", "[sync][chain]") {
  Log chained, legacy;
  for (std::uint8_t i = 1; i <= 4; ++i) chained.append("case-" + std::to_string(i % 2), i);
  for (const auto& e : chained.all()) {
    auto ins = legacy.db->prepare("INSERT INTO change_log (seq, collection, doc_key, hlc, payload, created_ms)"
                                  " VALUES (?, ?, ?, ?, ?, ?)");
    ins->bind(1, e.seq).bind(2, e.collection).bind(3, e.doc_key).bind(4, static_cast<std::int64_t>(e.hlc.value))
        .bind_blob(5, e.payload.data(), e.payload.size()).bind(6, e.created_ms);
    REQUIRE(ins->run().is_ok());
  }
  // An unfilled log cannot be appended to: the next hash would rest on nothing.
  {
    auto txn = Transaction::begin(*legacy.db);
    CHECK_FALSE(ChangeLog(*legacy.db).append(*txn, {"case_events", "k", Hlc{1}, {1}}, 1).is_ok());
  }
  REQUIRE(verify_change_log_chain(*legacy.db)->broken);
  REQUIRE(complete_change_log_chain(*legacy.db).is_ok());
  REQUIRE(complete_change_log_chain(*legacy.db).is_ok());  // nothing left to do
  auto a = chained.all(), b = legacy.all();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].chain == b[i].chain);
  CHECK_FALSE(verify_change_log_chain(*legacy.db)->broken);
  CHECK(legacy.append("case-9", 9) == 5);
  CHECK_FALSE(verify_change_log_chain(*legacy.db)->broken);
}

TEST_CASE("Entries restored byte for byte by a rebuild come back with their original chain", "[sync][chain]") {
  Log original, rebuilt;
  for (std::uint8_t i = 1; i <= 3; ++i) original.append("case", i);
  auto entries = original.all();
  {
    auto txn = Transaction::begin(*rebuilt.db);
    ChangeLog log(*rebuilt.db);
    for (auto e : entries) {
      e.chain.clear();  // the rebuild never copies a hash: it recomputes it
      REQUIRE(log.restore_entry(*txn, e).is_ok());
    }
    REQUIRE(txn->commit().is_ok());
  }
  auto again = rebuilt.all();
  REQUIRE(again.size() == entries.size());
  for (std::size_t i = 0; i < again.size(); ++i) CHECK(again[i].chain == entries[i].chain);
  CHECK(rebuilt.append("case", 4) == original.append("case", 4));
  CHECK(rebuilt.all().back().chain == original.all().back().chain);
}
