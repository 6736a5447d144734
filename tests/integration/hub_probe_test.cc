// The health probe a session makes before its heavy work: a healthy hub
// passes; an unreachable one, an HTTP error, an answer that is not a hub's
// health report, or a hub that speaks none of our protocol versions fails
// with the class a technician needs.
#include <catch2/catch.hpp>

#include "sync/api/hub_probe.h"
#include "tests/support/sync_world.h"

using namespace hallsync;
using namespace hallsync::test;

TEST_CASE("The hub health probe passes against a healthy hub and classifies each way it can fail",
          "[sync][integration][probe]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  LoopbackTransport& link = *hall.transport;
  CHECK(probe_hub(link, 3).is_ok());
  CHECK(probe_hub(link, 2).is_ok());
  // v3 (the chained push) retired v1: the hub speaks the current and the previous version.
  CHECK(probe_hub(link, 1).code() == "unsupported_protocol");

  Status too_new = probe_hub(link, 9);
  CHECK(too_new.kind() == ErrorKind::Protocol);
  CHECK(too_new.code() == "unsupported_protocol");

  link.fault_plan = [](const HttpRequest&) { return Fault::FailBeforeSend; };
  Status refused = probe_hub(link, 2);
  CHECK(refused.kind() == ErrorKind::Network);
  CHECK(refused.code() == "connect");
  CHECK(refused.message().find("health probe") != std::string::npos);

  link.fault_plan = [](const HttpRequest&) { return Fault::ServerError; };
  Status unavailable = probe_hub(link, 2);
  CHECK(unavailable.kind() == ErrorKind::Network);
  CHECK(unavailable.is_transient());

  link.fault_plan = nullptr;
  link.tamper = [](HttpResponse& r) { r.body = "<html>captive portal</html>"; };
  Status not_a_hub = probe_hub(link, 2);
  CHECK(not_a_hub.kind() == ErrorKind::Protocol);
  CHECK(not_a_hub.code() == "bad_health");
  CHECK(link.requests() == 7);  // one GET each: the probe is cheap
}

TEST_CASE("A health report with members of the wrong JSON type is refused as not a hub", "[sync][integration][probe][hostile]") {
  SyncWorld w;
  Device& hall = w.add_device("360704100", "W01");
  LoopbackTransport& link = *hall.transport;
  std::string body = GENERATE(as<std::string>{}, R"({"status":1,"protocol":[1,2]})", R"({"status":{"ok":true},"protocol":[1,2]})",
                              R"({"status":"ok","protocol":{"min":1,"max":2}})", R"({"status":"ok","protocol":"1,2"})",
                              R"(["ok",[1,2]])");
  INFO(body);
  link.tamper = [&](HttpResponse& r) { r.body = body; };
  Status s = probe_hub(link, 2);  // must classify, never throw
  CHECK(s.kind() == ErrorKind::Protocol);
  CHECK(s.code() == "bad_health");
}
