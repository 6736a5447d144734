// Case event codec on the bounded wire archive (sync/protocol/wire_archive.h).
//
// Grammar (format 1), integers little-endian, after the one-byte endianness
// tag that cereal's portable archive writes first:
//   event   := u8 format(=1) u8 kind str case_id str device_id i64 origin_seq
//              u64 hlc i64 wall_ms str clerk_id u32 present field*
//   field   := one per set bit of `present`, in the order of enum Bit below
//   str     := u16 length, then that many UTF-8 bytes
//   strlist := u8 count, then count str
//   i32 fields (days, legal_max_days) are stored as i32.
// Empty fields are absent, so an event costs only what it says.
#include "sync/api/event_codec.h"

#include <algorithm>

#include "sync/api/utf8.h"
#include "sync/protocol/wire_archive.h"

namespace hallsync {
namespace {

constexpr std::uint8_t kFormat = 1;

// The optional body fields, in wire bit order. Appending is allowed; reordering is not.
enum Bit : std::uint32_t {
  kAcceptanceNo, kHallCode, kMatterId, kCatalogVersion, kApplicantName, kApplicantId, kApplicantPhone,
  kMaterials, kHandlingKind, kDays, kLegalMaxDays, kTimeUnit, kReason, kLegalBasis, kApprover,
  kDepartment, kStage, kField, kValue, kPlatformCaseNo, kNote, kRefEventId, kSubject, kFromDate, kToDate, kBitCount
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
    case kSubject: return &e.subject;
    case kFromDate: return &e.from_date;
    case kToDate: return &e.to_date;
    default: return nullptr;
  }
}

template <typename Event>
auto int_field(Event& e, std::uint32_t bit) -> decltype(&e.days) {
  if (bit == kDays) return &e.days;
  if (bit == kLegalMaxDays) return &e.legal_max_days;
  return nullptr;
}

// Text from the wire must be UTF-8: other bytes would reach a clerk's screen,
// the hub's JSON and the digests as something nobody typed.
bool text_is_utf8(const schema::CaseEvent& e) {
  if (!is_valid_utf8(e.case_id) || !is_valid_utf8(e.device_id) || !is_valid_utf8(e.clerk_id)) return false;
  for (std::uint32_t bit = 0; bit < kBitCount; ++bit)
    if (auto* s = string_field(e, bit); s && !is_valid_utf8(*s)) return false;
  return std::all_of(e.materials.begin(), e.materials.end(), [](const std::string& m) { return is_valid_utf8(m); });
}

}  // namespace

std::vector<std::uint8_t> encode_event(const schema::CaseEvent& event) {
  const schema::CaseEvent& e = event;
  protocol::WireWriter w;
  w.num(kFormat);
  w.num(static_cast<std::uint8_t>(e.kind));
  w.str16(e.case_id);
  w.str16(e.device_id);
  w.num(e.origin_seq);
  w.num(e.hlc);
  w.num(e.wall_ms);
  w.str16(e.clerk_id);
  std::uint32_t present = 0;
  for (std::uint32_t bit = 0; bit < kBitCount; ++bit) {
    if (auto* s = string_field(e, bit); s && !s->empty()) present |= 1u << bit;
    if (auto* i = int_field(e, bit); i && *i != 0) present |= 1u << bit;
  }
  if (!e.materials.empty()) present |= 1u << kMaterials;
  w.num(present);
  for (std::uint32_t bit = 0; bit < kBitCount; ++bit) {
    if (!(present & (1u << bit))) continue;
    if (auto* s = string_field(e, bit)) {
      w.str16(*s);
    } else if (auto* i = int_field(e, bit)) {
      w.num(*i);
    } else if (bit == kMaterials) {
      auto n = static_cast<std::uint8_t>(std::min<std::size_t>(e.materials.size(), kMaxEventMaterials));
      w.num(n);
      for (std::size_t k = 0; k < n; ++k) w.str16(e.materials[k]);
    }
  }
  const std::string bytes = w.finish();
  return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

Result<schema::CaseEvent> decode_event(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return Status::protocol("case event too short (" + std::to_string(size) + " bytes)");
  schema::CaseEvent e;
  try {
    protocol::WireReader r(std::string(reinterpret_cast<const char*>(data), size));
    auto format = r.num<std::uint8_t>();
    auto kind = r.num<std::uint8_t>();
    if (format != kFormat) return Status::protocol("unknown case event format " + std::to_string(format));
    if (!schema::is_known_event_kind(kind)) return Status::protocol("unknown case event kind " + std::to_string(kind));
    e.kind = static_cast<schema::EventKind>(kind);
    e.case_id = r.str16(kMaxEventFieldBytes);
    e.device_id = r.str16(kMaxEventFieldBytes);
    e.origin_seq = r.num<std::int64_t>();
    e.hlc = r.num<std::uint64_t>();
    e.wall_ms = r.num<std::int64_t>();
    e.clerk_id = r.str16(kMaxEventFieldBytes);
    auto present = r.num<std::uint32_t>();
    if (present >> kBitCount) return Status::protocol("case event carries unknown fields");
    for (std::uint32_t bit = 0; bit < kBitCount; ++bit) {
      if (!(present & (1u << bit))) continue;
      if (auto* s = string_field(e, bit)) {
        *s = r.str16(kMaxEventFieldBytes);
      } else if (auto* i = int_field(e, bit)) {
        *i = r.num<std::int32_t>();
      } else if (bit == kMaterials) {
        auto n = r.num<std::uint8_t>();
        if (n > kMaxEventMaterials) return Status::protocol("case event lists too many materials");
        e.materials.resize(n);
        for (auto& m : e.materials) m = r.str16(kMaxEventFieldBytes);
      }
    }
    if (!r.at_end()) return Status::protocol("case event has trailing bytes");
  } catch (const std::exception& ex) {
    return Status::protocol(std::string("malformed case event: ") + ex.what());
  }
  if (e.case_id.empty() || e.device_id.empty()) return Status::protocol("case event without case or device id");
  if (!text_is_utf8(e)) return Status::protocol("case event carries text that is not valid UTF-8");
  return e;
}

}  // namespace hallsync
