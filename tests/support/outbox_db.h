// A bare outbox for the change-log tests: the change_log and sync_state tables
// as the local migrations leave them (chain column included), without the
// append-only triggers, so a test can play someone editing the file.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "sync/api/database.h"
#include "tests/support/temp_dir.h"

namespace hallsync::test {

inline const std::vector<Migration>& outbox_schema() {
  static const std::vector<Migration> steps = {
      {1, "0001_outbox.sql",
       "CREATE TABLE change_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT NULL,"
       " doc_key TEXT NOT NULL, hlc INTEGER NOT NULL, payload BLOB NOT NULL, created_ms INTEGER NOT NULL,"
       " chain BLOB);"
       "CREATE TABLE sync_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"}};
  return steps;
}

struct OutboxDb {
  TempDir dir;
  std::unique_ptr<Database> db;
  OutboxDb() {
    db = std::move(Database::open(dir.file("outbox.db"))).value();
    REQUIRE(apply_migrations(*db, outbox_schema(), "test").is_ok());
  }
};

}  // namespace hallsync::test
