// ServiceRules: the hall's six service systems (附件4 六项管理制度) as writes
// and reads over the store — roster, posts and AB holders, absences with their
// handover records, enquiries (首问负责), complaints (责任追究) and the
// refusal register (否定报备登记). Each write is one hall record, validated
// here and committed with its change-log entry by the repository; what a
// write makes visible (a post left with nobody, a clerk to flag) comes back
// with it so the clerk is told at once.
#pragma once

#include <string>
#include <vector>

#include "client/domain/hall_register.h"
#include "client/store/case_repository.h"

namespace hallsync::client {

struct AbsenceInput {
  std::string clerk_id, kind, from, to, note;  // dates YYYY-MM-DD
  bool handed_over = true;  // false: A could not hand over; B takes over now
  std::string recorded_by;
};

struct AbsenceOutcome {
  Absence absence;
  std::vector<HandoverRecord> handovers;  // departure or takeover, per post A holds
  std::vector<CoverageGap> gaps;          // posts with both holders away in the period
};

struct ComplaintInput {
  std::string channel, target_kind, target, content, case_ref, complainant_name, complainant_phone, recorded_by;
};

struct RefusalEntry {  // one line of 否定报备登记
  std::string acceptance_no, applicant_name, phone, matter_id, stage, reason, basis, approver, refused_on;
};

class ServiceRules {
 public:
  explicit ServiceRules(HallStore& store) : store_(&store), repo_(store) {}

  Result<HallRegister> load();

  Result<StaffMember> register_staff(const std::string& recorded_by, const StaffMember& member);
  Result<Post> define_post(const std::string& recorded_by, const Post& post);
  Result<AbsenceOutcome> record_absence(const AbsenceInput& in);
  // A is back on `returned` (first day back): the return handover lists the cases handled meanwhile.
  Result<std::vector<HandoverRecord>> record_return(const std::string& recorded_by, const std::string& absence_id,
                                                    const std::string& returned);
  Result<std::vector<HandoverRecord>> handovers(const std::string& absence_id);
  Result<Enquiry> log_enquiry(const Enquiry& in);
  Result<Complaint> file_complaint(const ComplaintInput& in);
  // Records the handling; returns the clerks flagged (two or more upheld within a year) afterwards.
  Result<std::vector<FlaggedClerk>> handle_complaint(const std::string& handled_by, const std::string& complaint_id,
                                                     const std::string& handling, const std::string& reply,
                                                     const std::string& outcome);
  // 预约: a working day (per the hall's calendar) and a slot with room left.
  Result<Appointment> book_appointment(const Appointment& in);
  // status: attended (with the case's acceptance number), cancelled or no_show.
  Status close_appointment(const std::string& clerk, const std::string& id, const std::string& status,
                           const std::string& case_ref);

  // Refused cases (不予受理 and 不予许可) whose refusal falls in [from, to].
  Result<std::vector<RefusalEntry>> refusal_register(CivilDate from, CivilDate to);

 private:
  Result<schema::CaseEvent> write(schema::CaseEvent e) { return repo_.record_hall_event(std::move(e)); }
  CivilDate today() const { return CivilDate::from_unix_ms(store_->civil_clock().now_ms()); }
  HallStore* store_;
  CaseRepository repo_;
};

}  // namespace hallsync::client
