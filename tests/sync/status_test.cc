#include <catch2/catch.hpp>

#include "sync/api/result.h"

using namespace hallsync;

TEST_CASE("Only network errors are transient", "[sync][status]") {
  CHECK(Status::network("timeout").is_transient());
  CHECK_FALSE(Status::tls("bad certificate").is_transient());
  CHECK_FALSE(Status::validation("bad id").is_transient());
  CHECK_FALSE(Status::storage("disk full").is_transient());
}

TEST_CASE("Status keeps its kind and code when context is added", "[sync][status]") {
  Status s = Status::protocol("cursor went backwards").with_code("bad_cursor").with_context("pull page 3");
  CHECK(s.kind() == ErrorKind::Protocol);
  CHECK(s.code() == "bad_cursor");
  CHECK(s.message() == "pull page 3: cursor went backwards");
  CHECK(s.to_string() == "protocol: pull page 3: cursor went backwards");
}

namespace {
Result<int> half(int x) {
  if (x % 2) return Status::validation("odd");
  return x / 2;
}
Result<int> quarter(int x) {
  HALLSYNC_ASSIGN_OR_RETURN(int h, half(x));
  return half(h);
}
}  // namespace

TEST_CASE("Result propagates the first error", "[sync][status]") {
  REQUIRE(quarter(8).is_ok());
  CHECK(*quarter(8) == 2);
  auto r = quarter(6);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().kind() == ErrorKind::Validation);
}
