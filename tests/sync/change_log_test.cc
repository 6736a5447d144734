#include <catch2/catch.hpp>

#include "sync/api/change_log.h"
#include "tests/support/outbox_db.h"

using namespace hallsync;

namespace {
struct OutboxFixture : test::OutboxDb {
  std::int64_t append(const std::string& key, std::size_t bytes = 10) {
    auto txn = Transaction::begin(*db);
    ChangeLog log(*db);
    auto seq = log.append(*txn, {"toy", key, Hlc{1}, std::vector<std::uint8_t>(bytes, 7)}, 1000);
    REQUIRE(seq.is_ok());
    REQUIRE(txn->commit().is_ok());
    return *seq;
  }
};
}  // namespace

TEST_CASE("Outbox sequences are gap-free and in commit order", "[sync][outbox]") {
  OutboxFixture f;
  CHECK(f.append("a") == 1);
  CHECK(f.append("b") == 2);
  {
    auto txn = Transaction::begin(*f.db);
    ChangeLog log(*f.db);
    CHECK(*log.next_seq(*txn) == 3);
    REQUIRE(log.append(*txn, {"toy", "rolled back", Hlc{2}, {}}, 1).is_ok());
  }  // rollback
  CHECK(f.append("c") == 3);
}

TEST_CASE("Outbox reads after a sequence within count and byte bounds", "[sync][outbox]") {
  OutboxFixture f;
  for (int i = 0; i < 10; ++i) f.append("k" + std::to_string(i), 100);
  ChangeLog log(*f.db);
  auto page = log.read_after(2, 5, 1'000'000);
  REQUIRE(page.is_ok());
  REQUIRE(page->size() == 5);
  CHECK(page->front().seq == 3);
  CHECK(page->back().seq == 7);
  auto small = log.read_after(0, 100, 250);
  REQUIRE(small.is_ok());
  CHECK(small->size() == 3);
  auto tiny = log.read_after(0, 100, 1);
  CHECK(tiny->size() == 1);  // always progress, even past the byte bound
}

TEST_CASE("Acknowledgement never moves backwards", "[sync][outbox]") {
  OutboxFixture f;
  for (int i = 0; i < 4; ++i) f.append("k");
  ChangeLog log(*f.db);
  {
    auto txn = Transaction::begin(*f.db);
    REQUIRE(log.mark_acknowledged_through(*txn, 3).is_ok());
    REQUIRE(log.mark_acknowledged_through(*txn, 1).is_ok());
    REQUIRE(txn->commit().is_ok());
  }
  CHECK(*log.acknowledged_through() == 3);
  auto stats = log.stats();
  REQUIRE(stats.is_ok());
  CHECK(stats->pending == 1);
  CHECK(stats->last_seq == 4);
}

TEST_CASE("Appending outside a transaction is refused", "[sync][outbox]") {
  OutboxFixture f;
  auto txn = Transaction::begin(*f.db);
  REQUIRE(txn->commit().is_ok());
  ChangeLog log(*f.db);
  CHECK_FALSE(log.append(*txn, {"toy", "k", Hlc{1}, {}}, 1).is_ok());
}
