// The lifecycle-step table shared by `hall case <step>` and halld's web API:
// a step's draft is validated the same way whichever door it came through.
#include <catch2/catch.hpp>

#include "client/cli/case_steps.h"

using namespace hallsync;
using namespace hallsync::client::cli;

TEST_CASE("An evaluation step takes only the five satisfaction levels", "[case_steps]") {
  const StepSpec* evaluate = find_case_step("evaluate");
  REQUIRE(evaluate != nullptr);
  StepArgs a;
  a.level = "满意";
  auto ok = build_draft(*evaluate, a, "c001");
  REQUIRE(ok.is_ok());
  CHECK(ok->kind == schema::EventKind::Evaluated);
  CHECK(ok->value == "满意");
  a.level = "还行";
  auto bad = build_draft(*evaluate, a, "c001");
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().kind() == ErrorKind::Validation);
  CHECK(bad.status().message().find("非常满意") != std::string::npos);
}

TEST_CASE("A service flag step takes only green channel, extended hours or door to door", "[case_steps]") {
  const StepSpec* flag = find_case_step("flag");
  REQUIRE(flag != nullptr);
  StepArgs a;
  a.service = "door_to_door";
  auto ok = build_draft(*flag, a, "c001");
  REQUIRE(ok.is_ok());
  CHECK(ok->kind == schema::EventKind::ServiceFlagged);
  CHECK(ok->field == "door_to_door");
  for (const char* wrong : {"", "vip", "DOOR_TO_DOOR"}) {
    a.service = wrong;
    CHECK(build_draft(*flag, a, "c001").status().kind() == ErrorKind::Validation);
  }
}

TEST_CASE("Every step the CLI offers is one the web API can find by name", "[case_steps]") {
  for (const StepSpec& s : case_steps()) CHECK(find_case_step(s.name) == &s);
  CHECK(find_case_step("no-such-step") == nullptr);
}
