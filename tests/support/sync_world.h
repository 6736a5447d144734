// SyncWorld: a hub and several hall devices in one process, connected by
// loopback transports, with verbs for intake, back-office decisions, syncing
// with faults and checking convergence — the sync tests read like scripts.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <memory>

#include "client/domain/case_policy.h"
#include "client/store/case_change_sink.h"
#include "client/store/case_repository.h"
#include "sync/api/change_log.h"
#include "sync/api/replicator.h"
#include "tests/support/hall_fixture.h"
#include "tests/support/loopback_hub.h"
#include "tests/support/test_hub_store.h"

namespace hallsync::test {

// A device's own clock: the world's clock plus an offset the test may change
// mid-run (a wrong CMOS clock, or one set back by hand).
class SkewedClock final : public Clock {
 public:
  SkewedClock(const Clock& base, std::int64_t offset_ms) : base_(&base), offset_(offset_ms) {}
  std::int64_t now_ms() const override { return base_->now_ms() + offset_; }
  void shift(std::int64_t ms) { offset_ += ms; }

 private:
  const Clock* base_;
  std::int64_t offset_;
};

struct Device {
  std::string hall, code;
  std::unique_ptr<SkewedClock> clock;
  std::unique_ptr<client::HallStore> store;
  std::unique_ptr<client::CaseRepository> repo;
  std::unique_ptr<client::CaseChangeSink> sink;
  std::unique_ptr<LoopbackTransport> transport;
  DeviceCredentials credentials;
  ReplicatorOptions options;
  std::string id() const { return hall + "-" + code; }
};

// The steps random schedules draw from: at the window (illegal ones are
// refused, and that is part of the schedule) and at the back office.
inline constexpr schema::EventKind kRandomHallSteps[] = {
    schema::EventKind::Forwarded, schema::EventKind::Approved, schema::EventKind::Delivered,
    schema::EventKind::Withdrawn, schema::EventKind::Refused,  schema::EventKind::MaterialsRequested};
inline constexpr schema::EventKind kRandomOfficeSteps[] = {schema::EventKind::Approved, schema::EventKind::Refused,
                                                           schema::EventKind::Extended};

class SyncWorld {
 public:
  SyncWorld() : clock_(kFri20260918_10h) {
    auto h = hub::HubService::open(dir_.file("hub"), clock_, policy_, store_.url());
    REQUIRE(h.is_ok());
    hub_ = std::move(h).value();
  }

  // `clock_offset_ms`: how far the device's clock is off the world's (the hub's).
  Device& add_device(const std::string& hall, const std::string& code, std::int64_t clock_offset_ms = 0) {
    REQUIRE(hub_->add_hall(hall, "hall " + hall).is_ok());
    auto token = hub_->add_device(hall, code);
    REQUIRE(token.is_ok());
    auto d = std::make_unique<Device>();
    d->hall = hall;
    d->code = code;
    d->clock = std::make_unique<SkewedClock>(clock_, clock_offset_ms);
    auto s = client::HallStore::init(dir_.file(hall + "-" + code), {hall, code}, *d->clock);
    REQUIRE(s.is_ok());
    d->store = std::move(s).value();
    d->repo = std::make_unique<client::CaseRepository>(*d->store);
    d->sink = std::make_unique<client::CaseChangeSink>(*d->store);
    d->transport = std::make_unique<LoopbackTransport>(*hub_);
    d->credentials = {d->id(), *token};
    devices_.push_back(std::move(d));
    return *devices_.back();
  }

  client::CaseView register_case(Device& d, const std::string& matter = "GX-009", bool complete = true) {
    auto v = d.repo->register_case(intake_form(*d.store, matter, complete));
    REQUIRE(v.is_ok());
    clock_.advance(1000);
    return *v;
  }

  Result<client::CaseView> step(Device& d, const std::string& case_ref, schema::EventKind kind) {
    schema::CaseEvent e = draft(kind);
    e.clerk_id = "c001";
    if (kind == schema::EventKind::Refused) {
      e.stage = "decision";
      e.reason = "不符合条件";
      e.legal_basis = "《社会救助暂行办法》第九条";
    }
    if (kind == schema::EventKind::Withdrawn) e.reason = "申请人撤回";
    clock_.advance(1000);
    return d.repo->record(case_ref, e);
  }

  Result<hub::HubCaseRow> decide(const std::string& case_ref, schema::EventKind kind) {
    schema::CaseEvent e = draft(kind);
    e.clerk_id = "office-01";
    if (kind == schema::EventKind::Refused) {
      e.stage = "decision";
      e.reason = "家庭收入超过标准";
      e.legal_basis = "《社会救助暂行办法》第九条";
    }
    if (kind == schema::EventKind::Extended) {
      e.days = 5;
      e.reason = "需入户核查";
    }
    clock_.advance(1000);
    return hub_->decide(case_ref, e);
  }

  Result<SyncStats> sync(Device& d) {
    Replicator r(d.store->db(), *d.transport, *d.sink, *d.clock, d.credentials, d.options);
    return r.sync();
  }

  // Syncs every device until a full round moves nothing (faults off).
  void converge() {
    for (auto& d : devices_) d->transport->fault_plan = nullptr;
    for (int round = 0; round < 10; ++round) {
      std::int64_t moved = 0;
      for (auto& d : devices_) {
        auto s = sync(*d);
        INFO(d->id() << ": " << s.status().to_string());
        REQUIRE(s.is_ok());
        moved += s->pushed + s->pulled;
      }
      if (moved == 0) return;
    }
    FAIL("sync did not reach quiescence in 10 rounds");
  }

  // Every device holds exactly its hall's events at the hub, folded alike.
  void require_converged() {
    for (auto& d : devices_) {
      auto local = d->repo->digests();
      auto remote = hub_->digests(d->hall);
      REQUIRE(local.is_ok());
      REQUIRE(remote.is_ok());
      CHECK(*local == *remote);
      auto stats = ChangeLog(d->store->db()).stats();
      CHECK(stats->pending == 0);
      auto hub_cases = hub_->cases("", "");
      for (const auto& row : *hub_cases) {
        if (row.hall_code != d->hall) continue;
        auto v = d->repo->load(row.case_id);
        REQUIRE(v.is_ok());
        CHECK(std::string(client::case_state_code(v->state)) == row.state);
        CHECK(v->platform_case_no == row.platform_case_no);
      }
    }
  }

  std::int64_t hub_count(const std::string& sql) {
    auto stmt = hub_->db().prepare(sql);
    REQUIRE(stmt.is_ok());
    REQUIRE(*stmt->step());
    return stmt->column_int(0);
  }

  hub::HubService& hub() { return *hub_; }
  const TestHubStore& hub_store() const { return store_; }
  ManualClock& clock() { return clock_; }
  std::vector<std::unique_ptr<Device>>& devices() { return devices_; }

 private:
  TempDir dir_;
  TestHubStore store_;  // before hub_: outlives it
  ManualClock clock_;
  client::HallCasePolicy policy_;
  std::unique_ptr<hub::HubService> hub_;
  std::vector<std::unique_ptr<Device>> devices_;
};

}  // namespace hallsync::test
