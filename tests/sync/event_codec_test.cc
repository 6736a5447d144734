#include <catch2/catch.hpp>

#include <random>

#include "sync/api/event_codec.h"

using namespace hallsync;
using schema::CaseEvent;
using schema::EventKind;

namespace {
CaseEvent full_event() {
  CaseEvent e;
  e.case_id = "0b7e3c1a-8f7d-4a51-9d7e-2f0c4b9e8a11";
  e.device_id = "360704100-W01";
  e.origin_seq = 42;
  e.hlc = 0x0123456789abcdefULL;
  e.wall_ms = 1789696800000;
  e.clerk_id = "c001";
  e.kind = EventKind::Accepted;
  e.acceptance_no = "360704100-W01-20260918-000001";
  e.hall_code = "360704100";
  e.matter_id = "GX-008";
  e.catalog_version = "ganxian-2020.1+defaults.1";
  e.applicant = {"张三", "36070419800101123X", "13800001234"};
  e.materials = {"申请表", "居民户口簿"};
  e.handling_kind = "promised";
  e.days = 20;
  e.legal_max_days = 30;
  e.time_unit = "working";
  e.note = "备注 with 'quotes' and \"double\"";
  return e;
}
}  // namespace

TEST_CASE("Case events survive encoding unchanged", "[sync][codec]") {
  CaseEvent e = full_event();
  auto bytes = encode_event(e);
  auto back = decode_event(bytes);
  REQUIRE(back.is_ok());
  CHECK(*back == e);
}

TEST_CASE("Empty body fields cost nothing on the wire", "[sync][codec]") {
  CaseEvent small;
  small.case_id = "c";
  small.device_id = "d";
  small.kind = EventKind::Approved;
  auto bytes = encode_event(small);
  CHECK(bytes.size() < 40);
  CHECK(*decode_event(bytes) == small);
}

TEST_CASE("Every truncation of an event is rejected as a protocol error", "[sync][codec]") {
  auto bytes = encode_event(full_event());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto r = decode_event(bytes.data(), n);
    INFO("prefix of " << n << " bytes");
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().kind() == ErrorKind::Protocol);
  }
}

TEST_CASE("Random corruption never crashes the decoder", "[sync][codec]") {
  auto bytes = encode_event(full_event());
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    auto copy = bytes;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) copy[rng() % copy.size()] = static_cast<std::uint8_t>(rng());
    auto r = decode_event(copy);
    if (!r.is_ok()) CHECK(r.status().kind() == ErrorKind::Protocol);
  }
}

TEST_CASE("Trailing bytes and unknown kinds are refused", "[sync][codec]") {
  auto bytes = encode_event(full_event());
  bytes.push_back(0);
  CHECK_FALSE(decode_event(bytes).is_ok());
  auto wrong_kind = encode_event(full_event());
  wrong_kind[2] = 200;  // [0] is the archive's endianness tag, [1] the format
  CHECK(decode_event(wrong_kind).status().message().find("kind") != std::string::npos);
}
