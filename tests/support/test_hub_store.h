// TestHubStore: the store a test's hub opens. Embedded SQLite (an empty URL)
// unless HALLSYNC_TEST_STORE=pg: then a fresh PostgreSQL database on the server
// HALLSYNC_TEST_PG_URL names, created for this one test and dropped after it
// (#11: the integration suite runs on both stores; tests/CMakeLists.txt
// registers the "pg: " run, tools/test.sh starts the server).
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "sync/api/database.h"
#include "sync/storage/pg_connection.h"

namespace hallsync::test {

class TestHubStore {
 public:
  TestHubStore() {
    const char* store = std::getenv("HALLSYNC_TEST_STORE");
    if (!store || std::string(store) != "pg") return;
    const char* server = std::getenv("HALLSYNC_TEST_PG_URL");
    if (!server || !*server) {
      // CI (tools/test.sh) always names a server: there a missing one fails.
      const char* required = std::getenv("HALLSYNC_REQUIRE_PG");
      if (required && std::string(required) == "1")
        FAIL("HALLSYNC_TEST_STORE=pg but HALLSYNC_TEST_PG_URL is not set: the PostgreSQL test server did not start");
      std::fprintf(stderr,
                   "SKIPPED: PostgreSQL run without HALLSYNC_TEST_PG_URL; start a server with "
                   "`tools/pg_test_server.sh start DIR` and export the URL it prints\n");
      std::fflush(stderr);
      std::_Exit(77);  // CTest's SKIP_RETURN_CODE for the "pg: " tests
    }
    server_ = server;
    std::random_device rd;
    char name[40];
    std::snprintf(name, sizeof name, "hallsync_test_%08x%08x", rd(), rd());
    name_ = name;
    auto admin = Database::open_url(server_);
    REQUIRE(admin.is_ok());
    // A database name cannot be a bound parameter; this one is our own hex.
    REQUIRE((*admin)->exec_script("CREATE DATABASE " + name_).is_ok());
    url_ = storage::url_with_database(server_, name_);
  }
  ~TestHubStore() {
    if (name_.empty()) return;
    auto admin = Database::open_url(server_);
    // FORCE: a hub of the test may still hold a connection.
    if (admin.is_ok()) (void)(*admin)->exec_script("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  // A hub reset from scratch: on PostgreSQL an empty database of the same
  // name (the caller removes the data directory, which holds SQLite's file).
  void reset() {
    if (name_.empty()) return;
    auto admin = Database::open_url(server_);
    REQUIRE(admin.is_ok());
    REQUIRE((*admin)->exec_script("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)").is_ok());
    REQUIRE((*admin)->exec_script("CREATE DATABASE " + name_).is_ok());
  }
  TestHubStore(const TestHubStore&) = delete;
  TestHubStore& operator=(const TestHubStore&) = delete;

  // Empty: SQLite in the hub's data directory; else the PostgreSQL URL.
  const std::string& url() const { return url_; }
  bool is_postgres() const { return !url_.empty(); }

 private:
  std::string server_, name_, url_;
};

// SQL that lifts the hub's append-only guard on events, for tests that
// simulate a hub losing events (a restore from an old backup).
inline std::string allow_event_deletes(bool on_postgres) {
  return on_postgres ? "ALTER TABLE events DISABLE TRIGGER hub_events_are_append_only;"
                              : "DROP TRIGGER hub_events_are_append_only_delete;";
}

}  // namespace hallsync::test
