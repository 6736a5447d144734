// HallRegister: the fold of a hall's records (issue #8) — staff roster, posts
// with their A and B holders, absences, enquiries and complaints — and the
// service rules read off it: who is on duty for a post (AB 岗), handover
// records (交接记录), posts with both holders away, and clerks with two or
// more upheld complaints within a year (责任追究制). Deterministic: every
// device and the hub fold the same records to the same register.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/domain/case_lifecycle.h"
#include "client/domain/civil_date.h"
#include "schema/records/case_event.h"

namespace hallsync::client {

struct StaffMember {
  std::string clerk_id;  // 工号, the same id every event's clerk_id carries
  std::string name;
  std::string role;      // 职务/岗位, e.g. 窗口工作人员, 分管领导
};

struct Post {  // a window (窗口) and the matters it serves
  std::string code, name;
  std::vector<std::string> matters;
  std::string a_holder, b_holder;  // clerk ids
};

// Absence kinds the AB 岗 rule names.
constexpr const char* kAbsenceKinds[] = {"business_trip", "meeting", "village", "leave"};
std::string_view absence_kind_label(std::string_view code);  // 出差, 开会, 下乡, 休假; empty if unknown

struct Absence {
  std::string id;        // record id (the events' case_id)
  std::string clerk_id;  // who is away
  std::string kind;      // kAbsenceKinds
  CivilDate from, to;    // planned period, inclusive
  bool handed_over = true;  // false: A could not hand over in time and B took over at once
  std::string note, recorded_by;
  std::optional<CivilDate> returned;  // first day back, once recorded
  CivilDate last_day() const { return returned ? returned->plus_days(-1) : to; }
  bool covers(CivilDate d) const { return from <= d && d <= last_day(); }
};

struct Enquiry {  // 咨询登记: a question that did not (yet) become a case
  std::string id, clerk_id, question, guidance, referred_to, matter_id;
  CivilDate on;
};

struct Complaint {
  std::string id, channel;  // 口头 oral, 书面 written, 电话 phone, 电子邮件 email (codes below)
  std::string target_kind;  // "window" | "clerk"
  std::string target;       // post code or clerk id
  std::string content, case_ref, complainant_name, complainant_phone, recorded_by;
  CivilDate filed_on;
  bool handled = false;
  std::string handling, reply, outcome, handled_by;  // outcome: "upheld" | "not_upheld"
  CivilDate handled_on;
};
constexpr const char* kComplaintChannels[] = {"oral", "written", "phone", "email"};
std::string_view complaint_channel_label(std::string_view code);  // 口头, 书面, 电话, 电子邮件

struct Appointment {  // 预约
  std::string id, matter_id, slot, applicant_name, phone, note, booked_by;
  CivilDate day;
  std::string status = "booked";  // booked | attended | cancelled | no_show
  std::string case_ref;           // attended: the acceptance number of the case it became
};
// Half-hour slots of a working day (08:30–17:30, the last ones for 延时服务),
// and how many appointments one slot takes hall-wide.
constexpr const char* kAppointmentSlots[] = {"08:30", "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
                                             "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00"};
constexpr int kAppointmentsPerSlot = 2;

struct HandoverRecord {  // 交接记录
  std::string kind;      // "departure" (A hands over), "takeover" (A could not; B takes over), "return"
  std::string post_code, from_clerk, to_clerk;
  CivilDate on;
  std::vector<std::string> cases;  // return: acceptance numbers of the post's cases accepted meanwhile
  std::string note;
};

struct CoverageGap {  // a post with neither holder present
  std::string post_code;
  CivilDate from, to;
};

struct FlaggedClerk {  // two or more upheld complaints within 365 days
  std::string clerk_id;
  std::vector<std::string> complaint_ids;
};

class HallRegister {
 public:
  // Folds hall records (any order; duplicates by event id ignored).
  static HallRegister fold(std::vector<schema::CaseEvent> records);

  std::map<std::string, StaffMember> staff;  // by clerk id
  std::map<std::string, Post> posts;         // by post code
  std::vector<Absence> absences;             // in recording order
  std::vector<Enquiry> enquiries;
  std::vector<Complaint> complaints;
  std::vector<Appointment> appointments;
  int booked_in_slot(CivilDate day, const std::string& slot) const;  // not cancelled

  const Post* post_for_matter(const std::string& matter_id) const;
  const Absence* absence_of(const std::string& clerk_id, CivilDate day) const;
  // Who takes new cases of `post` on `day`: A, or B while A is away; empty when both are.
  std::string on_duty(const Post& post, CivilDate day) const;
  // The handover records of an absence, for each post whose A holder it is:
  // departure or takeover when it starts, return (with the cases of the post
  // accepted meanwhile, from `cases`) once A is back.
  std::vector<HandoverRecord> handovers(const Absence& absence, const std::vector<CaseView>& cases) const;
  // Days in [from, to] on which a post had neither holder, merged into runs.
  std::vector<CoverageGap> coverage_gaps(CivilDate from, CivilDate to) const;
  // Clerks with two or more upheld complaints whose filing dates lie within
  // 365 days of each other, counting complaints filed up to `as_of`.
  std::vector<FlaggedClerk> clerks_to_flag(CivilDate as_of) const;
  const Absence* find_absence(const std::string& id) const;
  const Complaint* find_complaint(const std::string& id) const;
  const Appointment* find_appointment(const std::string& id) const;
};

}  // namespace hallsync::client
