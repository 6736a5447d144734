// CaseEvent: one fact in a case's history, the unit that is stored, logged in
// the outbox and sent on the wire. A case's state is a fold of its events.
// Events are identified by their origin: "<device_id>#<origin_seq>".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hallsync::schema {

// Wire values: never renumber, only append.
enum class EventKind : std::uint8_t {
  Accepted = 1,               // 受理
  MaterialsRequested = 2,     // 一次性告知 (补正)
  MaterialsSupplemented = 3,  // 补正材料
  Forwarded = 4,              // 转后台审批
  Approved = 5,               // 准予 / 办结
  Refused = 6,                // 不予受理 / 不予许可
  Extended = 7,               // 延期办结
  Delivered = 8,              // 出件
  Withdrawn = 9,              // 撤回
  FieldCorrected = 10,        // 更正信息
  ProcedurePaused = 11,       // 特别程序开始 (不计入时限)
  ProcedureResumed = 12,      // 特别程序结束
  PlatformNumberAssigned = 13,  // 平台办件编号
  ConflictResolved = 14,      // 冲突已处理
  // Service rules (issue #8). Kinds 15–21 are hall records, not case steps:
  // their "case" id is the record's own id and each carries hall_code (see
  // is_hall_record). Field use per kind is in sync/PROTOCOL.md.
  StaffRegistered = 15,       // 人员名册登记
  PostDefined = 16,           // 岗位（窗口）及 AB 岗设置
  AbsenceStarted = 17,        // A 岗离岗（出差、开会、下乡、休假）
  AbsenceEnded = 18,          // A 岗返岗
  EnquiryLogged = 19,         // 咨询登记（首问负责）
  ComplaintFiled = 20,        // 投诉登记
  ComplaintHandled = 21,      // 投诉处理结果
  Evaluated = 22,             // 办件满意度评价（case step）
  ServiceFlagged = 23,        // 拓展服务标记：绿色通道、延时服务、上门服务（case step）
  MaterialDeferred = 24,      // 容缺受理：非关键材料后补，限期 to_date（case step）
  AppointmentBooked = 25,     // 预约（hall record）
  AppointmentClosed = 26,     // 预约到场、取消或爽约（hall record）
  MaterialAttached = 27,      // 扫描材料 (value = blob descriptor, materials = {material name})
  // A device removed its local copies of a closed case's scans when their
  // retention ran out (value = their SHA-256s, comma-separated); the hub keeps
  // the archive. Recorded by the device that purged, never by a clerk's hand.
  MaterialPurged = 28,
};
constexpr std::uint8_t kMaxEventKind = 28;
// Every kind this build decodes.
constexpr bool is_known_event_kind(std::uint8_t kind) { return kind >= 1 && kind <= kMaxEventKind; }

// Hall records: hall-scoped facts that sync like case events but belong to no
// case. Every such event names its hall in hall_code.
constexpr bool is_hall_record(EventKind k) {
  return (k >= EventKind::StaffRegistered && k <= EventKind::ComplaintHandled) ||
         k == EventKind::AppointmentBooked || k == EventKind::AppointmentClosed;
}

std::string_view event_kind_code(EventKind kind);   // "accepted", "materials_requested", ...
bool parse_event_kind(std::string_view code, EventKind& out);

struct Applicant {
  std::string name;
  std::string id_number;
  std::string phone;
  friend bool operator==(const Applicant&, const Applicant&) = default;
};

struct CaseEvent {
  // Identity and provenance: present on every event.
  std::string case_id;      // UUID of the case
  std::string device_id;    // origin device, "<hall>-<device>" or "hub"
  std::int64_t origin_seq = 0;  // the origin device's change-log sequence
  std::uint64_t hlc = 0;    // hybrid logical clock at the origin
  std::int64_t wall_ms = 0; // origin wall clock (as the device believed)
  std::string clerk_id;     // the acting person
  EventKind kind = EventKind::Accepted;

  // Body: which fields are used depends on kind; unused fields stay empty and
  // cost one bit on the wire.
  std::string acceptance_no;     // accepted
  std::string hall_code;         // accepted
  std::string matter_id;         // accepted
  std::string catalog_version;   // accepted
  Applicant applicant;           // accepted
  std::vector<std::string> materials;  // accepted (received), requested (missing), supplemented
  std::string handling_kind;     // accepted: "instant" | "promised"
  std::int32_t days = 0;         // accepted: promised days; extended: extra days
  std::int32_t legal_max_days = 0;  // accepted
  std::string time_unit;         // accepted: "working" | "calendar"
  std::string reason;            // refused, extended, withdrawn, paused, field_corrected, conflict_resolved
  std::string legal_basis;       // refused
  std::string approver;          // refused (approving leader), extended, approved
  std::string department;        // forwarded
  std::string stage;             // refused: "acceptance" (不予受理) | "decision" (不予许可)
  std::string field;             // field_corrected: which field
  std::string value;             // field_corrected: new value
  std::string platform_case_no;  // platform_number_assigned
  std::string note;              // any
  std::string ref_event_id;      // conflict_resolved: the event whose conflict is settled
  // Appended for hall records (issue #8); see the table in sync/PROTOCOL.md.
  std::string subject;           // the staff number, post code or complaint target a record is about
  std::string from_date;         // YYYY-MM-DD: absence start
  std::string to_date;           // YYYY-MM-DD: absence planned end, or the day of return

  std::string event_id() const { return device_id + "#" + std::to_string(origin_seq); }
  friend bool operator==(const CaseEvent&, const CaseEvent&) = default;
};

}  // namespace hallsync::schema
