// Deterministic, valid-looking applicants for benchmarks: the i-th resident
// ID (GB 11643 check character included), name and mobile number.
#pragma once

#include <cstdio>
#include <string>

#include "client/domain/matter_catalog.h"
#include "client/domain/resident_id.h"
#include "client/store/case_repository.h"

namespace hallsync::bench {

inline std::string resident_id(int i) {
  unsigned u = static_cast<unsigned>(i);
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "360704%04u%02u%02u%03u", 1950 + u % 60, 1 + u % 12, 1 + u % 28, u % 1000);
  std::string first17(prefix, 17);
  return first17 + client::resident_id_check_char(first17);
}

inline const char* person_name(int i) {
  static const char* names[] = {"张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "黄敏", "赵军", "周婷", "吴强"};
  return names[static_cast<unsigned>(i) % 10];
}

inline std::string mobile(int i) { return "139" + std::to_string(10000000 + static_cast<unsigned>(i) % 90000000); }

// The i-th applicant's complete application for the i-th matter of the catalog.
inline client::IntakeForm intake_form(const client::MatterCatalog& catalog, int i) {
  const client::Matter& m = catalog.matters()[static_cast<std::size_t>(i) % catalog.matters().size()];
  client::IntakeForm f;
  f.matter_id = m.matter_id;
  f.applicant_name = person_name(i);
  f.id_number = resident_id(i);
  f.phone = mobile(i);
  f.materials_received = m.materials;
  f.clerk_id = "c00" + std::to_string(i % 4);
  return f;
}

}  // namespace hallsync::bench
