// Validation of the service-rule records and the reads built on the register.
// Messages are for clerks, in Chinese.
#include "client/store/service_rules.h"

#include <algorithm>

#include "client/domain/intake.h"
#include "client/domain/text_rules.h"

namespace hallsync::client {
namespace {

using schema::EventKind;

schema::CaseEvent record(EventKind kind, const std::string& clerk) {
  schema::CaseEvent e;
  e.kind = kind;
  e.clerk_id = clerk;
  return e;
}

Result<CivilDate> parse_day(const std::string& text, std::string_view label) {
  auto d = CivilDate::parse(text);
  if (!d) return Status::validation(std::string(label) + "应为 YYYY-MM-DD 格式的日期，当前为“" + text + "”");
  return *d;
}

bool listed(const char* const* begin, const char* const* end, std::string_view code) {
  return std::any_of(begin, end, [&](const char* c) { return code == c; });
}

}  // namespace

Result<HallRegister> ServiceRules::load() {
  HALLSYNC_ASSIGN_OR_RETURN(auto records, repo_.hall_records());
  return HallRegister::fold(std::move(records));
}

Result<StaffMember> ServiceRules::register_staff(const std::string& recorded_by, const StaffMember& m) {
  HALLSYNC_RETURN_IF_ERROR(validate_clerk_id(m.clerk_id));
  StaffMember out = m;
  HALLSYNC_ASSIGN_OR_RETURN(out.name, validate_person_name(m.name));
  HALLSYNC_ASSIGN_OR_RETURN(out.role, validate_free_text(m.role, "职务", 30, false));
  auto e = record(EventKind::StaffRegistered, recorded_by);
  e.subject = out.clerk_id;
  e.note = out.name;
  e.stage = out.role;
  HALLSYNC_RETURN_IF_ERROR(write(std::move(e)).status());
  return out;
}

Result<Post> ServiceRules::define_post(const std::string& recorded_by, const Post& p) {
  HALLSYNC_RETURN_IF_ERROR(validate_clerk_id(p.code).with_context("窗口编号"));
  Post out = p;
  HALLSYNC_ASSIGN_OR_RETURN(out.name, validate_free_text(p.name, "窗口名称", 30, true));
  HALLSYNC_ASSIGN_OR_RETURN(auto reg, load());
  for (const auto* holder : {&p.a_holder, &p.b_holder}) {
    if (holder->empty()) return Status::validation("每个岗位必须明确A岗和B岗承担人");
    if (!reg.staff.count(*holder)) return Status::not_found("工号“" + *holder + "”不在人员名册中，请先登记（hall staff add）");
  }
  if (p.a_holder == p.b_holder) return Status::validation("A岗和B岗不能是同一人");
  if (p.matters.empty()) return Status::validation("请列出该窗口承办的事项");
  for (const auto& m : p.matters) {
    if (!store_->catalog().find(m)) return Status::not_found("事项目录中没有事项“" + m + "”");
    if (const Post* other = reg.post_for_matter(m); other && other->code != p.code)
      return Status::conflict("事项“" + m + "”已由窗口“" + other->code + "”承办");
  }
  auto e = record(EventKind::PostDefined, recorded_by);
  e.subject = out.code;
  e.note = out.name;
  e.materials = out.matters;
  e.stage = out.a_holder;
  e.approver = out.b_holder;
  HALLSYNC_RETURN_IF_ERROR(write(std::move(e)).status());
  return out;
}

Result<AbsenceOutcome> ServiceRules::record_absence(const AbsenceInput& in) {
  if (!listed(std::begin(kAbsenceKinds), std::end(kAbsenceKinds), in.kind))
    return Status::validation("离岗事由须为 business_trip（出差）、meeting（开会）、village（下乡）或 leave（休假）");
  HALLSYNC_ASSIGN_OR_RETURN(CivilDate from, parse_day(in.from, "离岗开始日期"));
  HALLSYNC_ASSIGN_OR_RETURN(CivilDate to, parse_day(in.to, "离岗结束日期"));
  if (to < from) return Status::validation("离岗结束日期早于开始日期");
  HALLSYNC_ASSIGN_OR_RETURN(auto reg, load());
  if (!reg.staff.count(in.clerk_id)) return Status::not_found("工号“" + in.clerk_id + "”不在人员名册中");
  for (const auto& a : reg.absences)
    if (a.clerk_id == in.clerk_id && a.from <= to && from <= a.last_day())
      return Status::conflict("该人员在 " + a.from.to_string() + " 至 " + a.last_day().to_string() + " 已登记离岗");
  std::string note;
  HALLSYNC_ASSIGN_OR_RETURN(note, validate_free_text(in.note, "交接说明", kMaxNoteChars, false));
  auto e = record(EventKind::AbsenceStarted, in.recorded_by);
  e.subject = in.clerk_id;
  e.stage = in.kind;
  e.from_date = from.to_string();
  e.to_date = to.to_string();
  e.handling_kind = in.handed_over ? "handed_over" : "emergency";
  e.note = note;
  HALLSYNC_ASSIGN_OR_RETURN(auto written, write(std::move(e)));
  HALLSYNC_ASSIGN_OR_RETURN(reg, load());
  AbsenceOutcome out;
  out.absence = *reg.find_absence(written.case_id);
  out.handovers = reg.handovers(out.absence, {});
  for (auto& g : reg.coverage_gaps(from, to)) {
    const Post& p = reg.posts.at(g.post_code);
    if (p.a_holder == in.clerk_id || p.b_holder == in.clerk_id) out.gaps.push_back(g);
  }
  return out;
}

Result<std::vector<HandoverRecord>> ServiceRules::record_return(const std::string& recorded_by,
                                                                const std::string& absence_id,
                                                                const std::string& returned) {
  HALLSYNC_ASSIGN_OR_RETURN(CivilDate back, parse_day(returned, "返岗日期"));
  HALLSYNC_ASSIGN_OR_RETURN(auto reg, load());
  const Absence* a = reg.find_absence(absence_id);
  if (!a) return Status::not_found("找不到离岗记录“" + absence_id + "”");
  if (a->returned) return Status::conflict("该离岗记录已登记返岗（" + a->returned->to_string() + "）");
  if (back <= a->from) return Status::validation("返岗日期必须晚于离岗开始日期");
  auto e = record(EventKind::AbsenceEnded, recorded_by);
  e.case_id = absence_id;
  e.subject = a->clerk_id;
  e.to_date = back.to_string();
  HALLSYNC_RETURN_IF_ERROR(write(std::move(e)).status());
  return handovers(absence_id);
}

Result<std::vector<HandoverRecord>> ServiceRules::handovers(const std::string& absence_id) {
  HALLSYNC_ASSIGN_OR_RETURN(auto reg, load());
  const Absence* a = reg.find_absence(absence_id);
  if (!a) return Status::not_found("找不到离岗记录“" + absence_id + "”");
  HALLSYNC_ASSIGN_OR_RETURN(auto cases, repo_.cases_accepted_between(a->from, a->last_day()));
  return reg.handovers(*a, cases);
}

Result<Enquiry> ServiceRules::log_enquiry(const Enquiry& in) {
  Enquiry out = in;
  HALLSYNC_ASSIGN_OR_RETURN(out.question, validate_free_text(in.question, "咨询内容", kMaxReasonChars, true));
  HALLSYNC_ASSIGN_OR_RETURN(out.guidance, validate_free_text(in.guidance, "答复或引导", kMaxReasonChars, true));
  HALLSYNC_ASSIGN_OR_RETURN(out.referred_to, validate_free_text(in.referred_to, "引导至窗口/部门", 60, false));
  if (!in.matter_id.empty() && !store_->catalog().find(in.matter_id))
    return Status::not_found("事项目录中没有事项“" + in.matter_id + "”");
  auto e = record(EventKind::EnquiryLogged, in.clerk_id);
  e.reason = out.question;
  e.note = out.guidance;
  e.department = out.referred_to;
  e.matter_id = out.matter_id;
  HALLSYNC_ASSIGN_OR_RETURN(auto written, write(std::move(e)));
  out.id = written.case_id;
  out.on = CivilDate::from_unix_ms(written.wall_ms);
  return out;
}

Result<Complaint> ServiceRules::file_complaint(const ComplaintInput& in) {
  if (!listed(std::begin(kComplaintChannels), std::end(kComplaintChannels), in.channel))
    return Status::validation("投诉渠道须为 oral（口头）、written（书面）、phone（电话）或 email（电子邮件）");
  if (in.target_kind != "window" && in.target_kind != "clerk")
    return Status::validation("被投诉对象须为 window（窗口）或 clerk（工作人员）");
  HALLSYNC_ASSIGN_OR_RETURN(auto reg, load());
  if (in.target_kind == "clerk" && !reg.staff.count(in.target))
    return Status::not_found("工号“" + in.target + "”不在人员名册中");
  if (in.target_kind == "window" && !reg.posts.count(in.target)) return Status::not_found("没有窗口“" + in.target + "”");
  auto e = record(EventKind::ComplaintFiled, in.recorded_by);
  e.stage = in.channel;
  e.field = in.target_kind;
  e.subject = in.target;
  HALLSYNC_ASSIGN_OR_RETURN(e.reason, validate_free_text(in.content, "投诉内容", kMaxReasonChars, true));
  e.acceptance_no = in.case_ref;
  if (!in.complainant_name.empty()) {  // 提倡实名投诉, but anonymous complaints are taken too
    HALLSYNC_ASSIGN_OR_RETURN(e.applicant.name, validate_person_name(in.complainant_name));
  }
  if (!in.complainant_phone.empty()) {
    HALLSYNC_ASSIGN_OR_RETURN(e.applicant.phone, validate_phone(in.complainant_phone));
  }
  HALLSYNC_ASSIGN_OR_RETURN(auto written, write(std::move(e)));
  HALLSYNC_ASSIGN_OR_RETURN(reg, load());
  return *reg.find_complaint(written.case_id);
}

Result<std::vector<FlaggedClerk>> ServiceRules::handle_complaint(const std::string& handled_by,
                                                                const std::string& complaint_id,
                                                                const std::string& handling, const std::string& reply,
                                                                const std::string& outcome) {
  if (outcome != "upheld" && outcome != "not_upheld")
    return Status::validation("处理结论须为 upheld（投诉属实）或 not_upheld（投诉不属实）");
  HALLSYNC_ASSIGN_OR_RETURN(auto reg, load());
  if (!reg.find_complaint(complaint_id)) return Status::not_found("找不到投诉“" + complaint_id + "”");
  auto e = record(EventKind::ComplaintHandled, handled_by);
  e.case_id = complaint_id;
  HALLSYNC_ASSIGN_OR_RETURN(e.note, validate_free_text(handling, "处理情况", kMaxReasonChars, true));
  HALLSYNC_ASSIGN_OR_RETURN(e.reason, validate_free_text(reply, "答复投诉人", kMaxReasonChars, true));
  e.stage = outcome;
  HALLSYNC_RETURN_IF_ERROR(write(std::move(e)).status());
  HALLSYNC_ASSIGN_OR_RETURN(reg, load());
  return reg.clerks_to_flag(today());
}

Result<Appointment> ServiceRules::book_appointment(const Appointment& in) {
  if (in.day < today()) return Status::validation("预约日期不能早于今天");
  if (!store_->calendar().is_working_day(in.day)) return Status::validation(in.day.to_string() + " 不是工作日，不能预约");
  if (!listed(std::begin(kAppointmentSlots), std::end(kAppointmentSlots), in.slot))
    return Status::validation("预约时段须为半点整点，如 09:00、14:30（08:30–17:00）");
  if (!store_->catalog().find(in.matter_id)) return Status::not_found("事项目录中没有事项“" + in.matter_id + "”");
  HALLSYNC_ASSIGN_OR_RETURN(auto reg, load());
  if (reg.booked_in_slot(in.day, in.slot) >= kAppointmentsPerSlot)
    return Status::conflict(in.day.to_string() + " " + in.slot + " 时段已约满，请选择其他时段");
  auto e = record(EventKind::AppointmentBooked, in.booked_by);
  e.matter_id = in.matter_id;
  e.field = in.slot;
  e.from_date = in.day.to_string();
  HALLSYNC_ASSIGN_OR_RETURN(e.applicant.name, validate_person_name(in.applicant_name));
  HALLSYNC_ASSIGN_OR_RETURN(e.applicant.phone, validate_phone(in.phone));
  HALLSYNC_ASSIGN_OR_RETURN(e.note, validate_free_text(in.note, "备注", kMaxNoteChars, false));
  HALLSYNC_ASSIGN_OR_RETURN(auto written, write(std::move(e)));
  HALLSYNC_ASSIGN_OR_RETURN(reg, load());
  return *reg.find_appointment(written.case_id);
}

Status ServiceRules::close_appointment(const std::string& clerk, const std::string& id, const std::string& status,
                                       const std::string& case_ref) {
  if (status != "attended" && status != "cancelled" && status != "no_show")
    return Status::validation("预约结果须为 attended（已到场）、cancelled（已取消）或 no_show（爽约）");
  HALLSYNC_ASSIGN_OR_RETURN(auto reg, load());
  const Appointment* a = reg.find_appointment(id);
  if (!a) return Status::not_found("找不到预约“" + id + "”");
  if (a->status != "booked") return Status::conflict("该预约已结束（" + a->status + "）");
  auto e = record(EventKind::AppointmentClosed, clerk);
  e.case_id = id;
  e.stage = status;
  e.acceptance_no = case_ref;
  return write(std::move(e)).status();
}

Result<std::vector<RefusalEntry>> ServiceRules::refusal_register(CivilDate from, CivilDate to) {
  CaseFilter f;
  f.state = CaseState::Refused;
  f.limit = 1000000;
  HALLSYNC_ASSIGN_OR_RETURN(auto refused, repo_.list(f));
  std::vector<RefusalEntry> out;
  for (const auto& s : refused) {
    HALLSYNC_ASSIGN_OR_RETURN(CaseView v, repo_.load(s.case_id));
    CivilDate on{};
    for (const auto& e : v.events)
      if (e.kind == EventKind::Refused) on = CivilDate::from_unix_ms(e.wall_ms);
    if (on < from || on > to) continue;
    out.push_back({v.acceptance_no, v.applicant.name, v.applicant.phone, v.matter_id, v.refusal_stage,
                   v.refusal_reason, v.refusal_basis, v.refusal_approver, on.to_string()});
  }
  std::sort(out.begin(), out.end(), [](const RefusalEntry& a, const RefusalEntry& b) {
    return a.refused_on != b.refused_on ? a.refused_on < b.refused_on : a.acceptance_no < b.acceptance_no;
  });
  return out;
}

}  // namespace hallsync::client
