// Case event codec on cereal's portable binary archive.
//
// Grammar (format 1), integers little-endian, after the one-byte endianness
// tag that cereal's portable archive writes first:
//   event   := u8 format(=1) u8 kind str case_id str device_id i64 origin_seq
//              u64 hlc i64 wall_ms str clerk_id u32 present field*
//   field   := one per set bit of `present`, in bit order (see kFieldOrder)
//   str     := u16 length, then that many UTF-8 bytes
//   strlist := u8 count, then count str
//   i32 fields (days, legal_max_days) are stored as i32.
// Empty fields are absent, so an event costs only what it says.
#include <cereal/archives/portable_binary.hpp>

#include <sstream>

#include "sync/api/event_codec.h"

namespace hallsync {
namespace {

constexpr std::uint8_t kFormat = 1;

struct Limited {
  std::size_t remaining;
};

void write_str(cereal::PortableBinaryOutputArchive& ar, const std::string& s) {
  // Oversized fields are refused by validation before they get here; the cut is a last guard.
  auto n = static_cast<std::uint16_t>(std::min<std::size_t>(s.size(), 0xffff));
  ar(n);
  ar(cereal::binary_data(s.data(), n));
}

void read_str(cereal::PortableBinaryInputArchive& ar, Limited& lim, std::string& s) {
  std::uint16_t n = 0;
  ar(n);
  if (n > kMaxEventFieldBytes || n > lim.remaining) throw std::runtime_error("string field longer than the message");
  s.resize(n);
  ar(cereal::binary_data(s.data(), n));
  lim.remaining -= n;
}

// The optional body fields, in wire bit order. Appending is allowed; reordering is not.
enum Bit : std::uint32_t {
  kAcceptanceNo, kHallCode, kMatterId, kCatalogVersion, kApplicantName, kApplicantId, kApplicantPhone,
  kMaterials, kHandlingKind, kDays, kLegalMaxDays, kTimeUnit, kReason, kLegalBasis, kApprover,
  kDepartment, kStage, kField, kValue, kPlatformCaseNo, kNote, kRefEventId, kBitCount
};

// Templated on constness so encode reads and decode writes through one table.
template <typename Event>
auto string_field(Event& e, std::uint32_t bit) -> decltype(&e.note) {
  switch (bit) {
    case kAcceptanceNo: return &e.acceptance_no;
    case kHallCode: return &e.hall_code;
    case kMatterId: return &e.matter_id;
    case kCatalogVersion: return &e.catalog_version;
    case kApplicantName: return &e.applicant.name;
    case kApplicantId: return &e.applicant.id_number;
    case kApplicantPhone: return &e.applicant.phone;
    case kHandlingKind: return &e.handling_kind;
    case kTimeUnit: return &e.time_unit;
    case kReason: return &e.reason;
    case kLegalBasis: return &e.legal_basis;
    case kApprover: return &e.approver;
    case kDepartment: return &e.department;
    case kStage: return &e.stage;
    case kField: return &e.field;
    case kValue: return &e.value;
    case kPlatformCaseNo: return &e.platform_case_no;
    case kNote: return &e.note;
    case kRefEventId: return &e.ref_event_id;
    default: return nullptr;
  }
}

template <typename Event>
auto int_field(Event& e, std::uint32_t bit) -> decltype(&e.days) {
  if (bit == kDays) return &e.days;
  if (bit == kLegalMaxDays) return &e.legal_max_days;
  return nullptr;
}

}  // namespace

std::vector<std::uint8_t> encode_event(const schema::CaseEvent& event) {
  const schema::CaseEvent& e = event;
  std::ostringstream out(std::ios::binary);
  {
    cereal::PortableBinaryOutputArchive ar(out);
    ar(kFormat, static_cast<std::uint8_t>(e.kind));
    write_str(ar, e.case_id);
    write_str(ar, e.device_id);
    ar(e.origin_seq, e.hlc, e.wall_ms);
    write_str(ar, e.clerk_id);
    std::uint32_t present = 0;
    for (std::uint32_t bit = 0; bit < kBitCount; ++bit) {
      if (auto* s = string_field(e, bit); s && !s->empty()) present |= 1u << bit;
      if (auto* i = int_field(e, bit); i && *i != 0) present |= 1u << bit;
    }
    if (!e.materials.empty()) present |= 1u << kMaterials;
    ar(present);
    for (std::uint32_t bit = 0; bit < kBitCount; ++bit) {
      if (!(present & (1u << bit))) continue;
      if (auto* s = string_field(e, bit)) {
        write_str(ar, *s);
      } else if (auto* i = int_field(e, bit)) {
        ar(*i);
      } else if (bit == kMaterials) {
        auto n = static_cast<std::uint8_t>(std::min<std::size_t>(e.materials.size(), kMaxEventMaterials));
        ar(n);
        for (std::size_t k = 0; k < n; ++k) write_str(ar, e.materials[k]);
      }
    }
  }
  const std::string bytes = out.str();
  return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

Result<schema::CaseEvent> decode_event(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return Status::protocol("case event too short (" + std::to_string(size) + " bytes)");
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size), std::ios::binary);
  schema::CaseEvent e;
  try {
    cereal::PortableBinaryInputArchive ar(in);
    Limited lim{size};
    std::uint8_t format = 0, kind = 0;
    ar(format, kind);
    if (format != kFormat) return Status::protocol("unknown case event format " + std::to_string(format));
    if (kind == 0 || kind > schema::kMaxEventKind) return Status::protocol("unknown case event kind " + std::to_string(kind));
    e.kind = static_cast<schema::EventKind>(kind);
    read_str(ar, lim, e.case_id);
    read_str(ar, lim, e.device_id);
    ar(e.origin_seq, e.hlc, e.wall_ms);
    read_str(ar, lim, e.clerk_id);
    std::uint32_t present = 0;
    ar(present);
    if (present >> kBitCount) return Status::protocol("case event carries unknown fields");
    for (std::uint32_t bit = 0; bit < kBitCount; ++bit) {
      if (!(present & (1u << bit))) continue;
      if (auto* s = string_field(e, bit)) {
        read_str(ar, lim, *s);
      } else if (auto* i = int_field(e, bit)) {
        ar(*i);
      } else if (bit == kMaterials) {
        std::uint8_t n = 0;
        ar(n);
        if (n > kMaxEventMaterials) return Status::protocol("case event lists too many materials");
        e.materials.resize(n);
        for (auto& m : e.materials) read_str(ar, lim, m);
      }
    }
  } catch (const std::exception& ex) {
    return Status::protocol(std::string("malformed case event: ") + ex.what());
  }
  if (in.peek() != std::char_traits<char>::eof()) return Status::protocol("case event has trailing bytes");
  if (e.case_id.empty() || e.device_id.empty()) return Status::protocol("case event without case or device id");
  return e;
}

}  // namespace hallsync
