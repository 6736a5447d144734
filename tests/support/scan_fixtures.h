// Scans for the blob tests: bytes that pass as a JPEG by their first bytes,
// and attaching them to a case of a SyncWorld device.
#pragma once

#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "client/store/material_attach.h"
#include "tests/support/sync_world.h"

namespace hallsync::test {

inline std::string random_jpeg(std::size_t size, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string b(size, '\0');
  for (auto& c : b) c = static_cast<char>(rng());
  b.replace(0, 4, "\xFF\xD8\xFF\xE0");
  return b;
}

inline client::AttachResult attach(Device& d, const client::CaseView& c, const std::string& bytes,
                                   const std::string& material = "申请人居民身份证") {
  auto r = client::attach_material_bytes(*d.store, c.acceptance_no, bytes, material, "c001");
  INFO(r.status().message());
  REQUIRE(r.is_ok());
  return *r;
}

}  // namespace hallsync::test
