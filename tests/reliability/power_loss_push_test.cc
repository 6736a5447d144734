// Simulated power cuts during a push (beyond issue #6 item 3's intake and
// pull): the device sends its outbox in small batches and records each
// acknowledgement; the power fails at a seeded random write or fsync. After
// "reboot" the device never believes the hub holds more than it does, its
// outbox is whole, and one more sync leaves every event at the hub exactly
// once, digests equal, nothing pending.
#include <catch2/catch.hpp>

#include <filesystem>

#include "client/domain/case_policy.h"
#include "client/store/case_change_sink.h"
#include "client/store/case_repository.h"
#include "sync/api/change_log.h"
#include "sync/api/replicator.h"
#include "sync/hub/hub_service.h"
#include "tests/support/hall_fixture.h"
#include "tests/support/loopback_hub.h"
#include "tests/support/power_loss_harness.h"

namespace hallsync::test {
namespace {

namespace fs = std::filesystem;
constexpr const char* kHallCode = "360704100";

struct PushWorld {
  TempDir dir;
  std::string hub_template = dir.file("hub-template"), hub_dir = dir.file("hub");
  std::string hall_template = dir.file("hall-template"), run_dir = dir.file("run");
  ManualClock clock{kFri20260918_10h};
  client::HallCasePolicy policy;
  DeviceCredentials credentials;
  ReplicatorOptions options;

  // A hub that knows the device and none of its events; a closed store whose
  // outbox holds 12 registrations (some with a second event).
  PushWorld() {
    options.push_batch_entries = 3;
    {
      auto hub = hub::HubService::open(hub_template, clock, policy).value();
      REQUIRE(hub->add_hall(kHallCode, "梅林镇").is_ok());
      credentials = {std::string(kHallCode) + "-W01", hub->add_device(kHallCode, "W01").value()};
    }
    auto store = client::HallStore::init(hall_template, {kHallCode, "W01"}, clock).value();
    client::CaseRepository repo(*store);
    for (int i = 0; i < 12; ++i) {
      REQUIRE(repo.register_case(intake_form(*store, "GX-009", i % 3 != 0)).is_ok());
      clock.advance(1000);
    }
  }

  std::unique_ptr<hub::HubService> fresh_hub() {
    fs::remove_all(hub_dir);
    fs::copy(hub_template, hub_dir, fs::copy_options::recursive);
    return hub::HubService::open(hub_dir, clock, policy).value();
  }

  // The power fails somewhere in the push; every connection closed after.
  void push(hub::HubService& hub, std::string& error) {
    auto store = client::HallStore::open(run_dir, clock, WriterRank::Background);
    if (!store.is_ok()) {
      if (!PowerLossVfs::power_failed()) error = "open before the cut: " + store.status().to_string();
      return;
    }
    client::CaseChangeSink sink(**store);
    LoopbackTransport transport(hub);
    auto pushed = Replicator((*store)->db(), transport, sink, clock, credentials, options).push();
    if (!pushed.is_ok() && !PowerLossVfs::power_failed()) error = "push failed with the power on: " + pushed.status().to_string();
  }

  // Empty when the rebooted device and the hub agree, before and after one more sync.
  std::string verify(hub::HubService& hub) {
    auto store = client::HallStore::open(run_dir, clock);
    if (!store.is_ok()) return "store does not open after the cut: " + store.status().to_string();
    Database& db = (*store)->db();
    std::string damage = store_damage(db, credentials.device_id);
    if (!damage.empty()) return damage;
    std::int64_t acked = ChangeLog(db).acknowledged_through().value();
    std::int64_t held = hub.devices().value().front().high_water;
    if (acked > held)
      return "device believes the hub holds its outbox to " + std::to_string(acked) + ", the hub holds " + std::to_string(held);
    client::CaseChangeSink sink(**store);
    LoopbackTransport transport(hub);
    auto synced = Replicator(db, transport, sink, clock, credentials, options).sync();
    if (!synced.is_ok()) return "sync after the cut: " + synced.status().to_string();
    if (ChangeLog(db).stats().value().pending != 0) return "outbox not empty after a sync";
    if (client::CaseRepository(**store).digests().value() != hub.digests(kHallCode).value()) return "digests differ";
    // Each of the device's events once at the hub (ids are unique there), and
    // the hub's own (platform numbers) back on the device.
    auto own = strings(db, "SELECT event_id FROM case_events WHERE device_id = ?", credentials.device_id);
    if (strings(hub.db(), "SELECT event_id FROM events WHERE origin_device = ?", credentials.device_id) != own)
      return "the hub holds other events of the device than it made";
    if (scalar(hub.db(), "SELECT count(*) FROM events WHERE collection = 'case_events'") !=
        scalar(db, "SELECT count(*) FROM case_events"))
      return "the hub and the device hold different numbers of events";
    return {};
  }
};

}  // namespace

TEST_CASE("power cuts during a push never overstate the acknowledgement nor lose or duplicate an event",
          "[powerloss][push]") {
  PushWorld w;
  PowerLossVfs::Installed vfs(w.run_dir);
  StoreTemplate store_template(w.hall_template);
  std::int64_t ops = 0;
  {
    store_template.copy_to(w.run_dir);
    auto hub = w.fresh_hub();
    std::string error;
    w.push(*hub, error);
    REQUIRE(error == "");
    ops = PowerLossVfs::ops();
    REQUIRE(w.verify(*hub) == "");
    PowerLossVfs::flush();
    REQUIRE(ops > 10);
  }
  PowerLossPlan plan(20261129, 100);  // each cut opens a fresh hub, whose fsyncs are real
  std::int64_t cuts = 0;
  for (std::int64_t cut = 0; cut < plan.cuts; ++cut) {
    if (!plan.runs(cut)) continue;
    auto rng = plan.rng(cut);
    store_template.copy_to(w.run_dir);
    auto hub = w.fresh_hub();
    PowerLossVfs::arm_cut_at(std::uniform_int_distribution<std::int64_t>(1, ops)(rng));
    std::string error;
    w.push(*hub, error);
    PowerCut c = PowerLossVfs::cut_power(rng);
    std::string damage = w.verify(*hub);
    PowerLossVfs::flush();
    INFO("cut " << cut << " of seed " << plan.seed << "; " << plan.replay("[powerloss][push]", cut));
    INFO("unsynced writes kept " << c.kept << ", dropped " << c.dropped << ", torn " << c.torn);
    REQUIRE(error == "");
    REQUIRE(damage == "");
    ++cuts;
  }
  WARN(cuts << " power cuts during a push survived");
}

}  // namespace hallsync::test
