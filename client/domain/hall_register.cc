// Fold of hall records and the AB-post, handover, coverage and accountability
// rules computed from it. Field use per record kind: sync/PROTOCOL.md.
#include "client/domain/hall_register.h"

#include <algorithm>

namespace hallsync::client {
namespace {

using schema::EventKind;

CivilDate date_or(const std::string& text, CivilDate fallback) {
  auto d = CivilDate::parse(text);
  return d ? *d : fallback;
}

CivilDate day_of(const schema::CaseEvent& e) { return CivilDate::from_unix_ms(e.wall_ms); }

}  // namespace

std::string_view absence_kind_label(std::string_view code) {
  if (code == "business_trip") return "出差";
  if (code == "meeting") return "开会";
  if (code == "village") return "下乡";
  if (code == "leave") return "休假";
  return {};
}

std::string_view complaint_channel_label(std::string_view code) {
  if (code == "oral") return "口头";
  if (code == "written") return "书面";
  if (code == "phone") return "电话";
  if (code == "email") return "电子邮件";
  return {};
}

HallRegister HallRegister::fold(std::vector<schema::CaseEvent> records) {
  sort_for_fold(records);
  HallRegister r;
  std::string previous;
  for (const auto& e : records) {
    if (e.event_id() == previous) continue;  // the same fact twice sits adjacent after sorting
    previous = e.event_id();
    switch (e.kind) {
      case EventKind::StaffRegistered:
        r.staff[e.subject] = {e.subject, e.note, e.stage};  // a later registration updates the entry
        break;
      case EventKind::PostDefined:
        r.posts[e.subject] = {e.subject, e.note, e.materials, e.stage, e.approver};
        break;
      case EventKind::AbsenceStarted: {
        Absence a;
        a.id = e.case_id;
        a.clerk_id = e.subject;
        a.kind = e.stage;
        a.from = date_or(e.from_date, day_of(e));
        a.to = date_or(e.to_date, a.from);
        a.handed_over = e.handling_kind != "emergency";
        a.note = e.note;
        a.recorded_by = e.clerk_id;
        r.absences.push_back(std::move(a));
        break;
      }
      case EventKind::AbsenceEnded:
        for (auto& a : r.absences)
          if (a.id == e.case_id) a.returned = date_or(e.to_date, day_of(e));
        break;
      case EventKind::EnquiryLogged:
        r.enquiries.push_back({e.case_id, e.clerk_id, e.reason, e.note, e.department, e.matter_id, day_of(e)});
        break;
      case EventKind::ComplaintFiled: {
        Complaint c;
        c.id = e.case_id;
        c.channel = e.stage;
        c.target_kind = e.field;
        c.target = e.subject;
        c.content = e.reason;
        c.case_ref = e.acceptance_no;
        c.complainant_name = e.applicant.name;
        c.complainant_phone = e.applicant.phone;
        c.recorded_by = e.clerk_id;
        c.filed_on = day_of(e);
        r.complaints.push_back(std::move(c));
        break;
      }
      case EventKind::ComplaintHandled:
        for (auto& c : r.complaints)
          if (c.id == e.case_id) {
            // A later handling (e.g. on review) replaces the earlier outcome.
            c.handled = true;
            c.handling = e.note;
            c.reply = e.reason;
            c.outcome = e.stage;
            c.handled_by = e.clerk_id;
            c.handled_on = day_of(e);
          }
        break;
      case EventKind::AppointmentBooked:
        r.appointments.push_back({e.case_id, e.matter_id, e.field, e.applicant.name, e.applicant.phone, e.note,
                                  e.clerk_id, date_or(e.from_date, day_of(e)), "booked", {}});
        break;
      case EventKind::AppointmentClosed:
        for (auto& a : r.appointments)
          if (a.id == e.case_id) {
            a.status = e.stage;
            a.case_ref = e.acceptance_no;
          }
        break;
      default:
        break;  // case steps are not hall records
    }
  }
  return r;
}

const Post* HallRegister::post_for_matter(const std::string& matter_id) const {
  for (const auto& [code, p] : posts)
    if (std::find(p.matters.begin(), p.matters.end(), matter_id) != p.matters.end()) return &p;
  return nullptr;
}

const Absence* HallRegister::absence_of(const std::string& clerk_id, CivilDate day) const {
  for (const auto& a : absences)
    if (a.clerk_id == clerk_id && a.covers(day)) return &a;
  return nullptr;
}

std::string HallRegister::on_duty(const Post& post, CivilDate day) const {
  if (!absence_of(post.a_holder, day)) return post.a_holder;
  if (!post.b_holder.empty() && !absence_of(post.b_holder, day)) return post.b_holder;
  return {};
}

std::vector<HandoverRecord> HallRegister::handovers(const Absence& a, const std::vector<CaseView>& cases) const {
  std::vector<HandoverRecord> out;
  for (const auto& [code, p] : posts) {
    if (p.a_holder != a.clerk_id) continue;  // only A's absence hands a post over
    HandoverRecord start{a.handed_over ? "departure" : "takeover", code, a.clerk_id, p.b_holder, a.from, {}, a.note};
    out.push_back(start);
    if (!a.returned) continue;
    HandoverRecord back{"return", code, p.b_holder, a.clerk_id, *a.returned, {}, {}};
    for (const auto& c : cases) {
      if (!c.exists() || c.accepted_on < a.from || c.accepted_on > a.last_day()) continue;
      if (std::find(p.matters.begin(), p.matters.end(), c.matter_id) != p.matters.end())
        back.cases.push_back(c.acceptance_no);
    }
    std::sort(back.cases.begin(), back.cases.end());
    out.push_back(std::move(back));
  }
  return out;
}

std::vector<CoverageGap> HallRegister::coverage_gaps(CivilDate from, CivilDate to) const {
  std::vector<CoverageGap> out;
  for (const auto& [code, p] : posts) {
    std::optional<CoverageGap> run;
    for (CivilDate d = from; d <= to; d = d.plus_days(1)) {
      bool gap = on_duty(p, d).empty();
      if (gap && !run) run = CoverageGap{code, d, d};
      if (gap) run->to = d;
      if (!gap && run) {
        out.push_back(*run);
        run.reset();
      }
    }
    if (run) out.push_back(*run);
  }
  return out;
}

std::vector<FlaggedClerk> HallRegister::clerks_to_flag(CivilDate as_of) const {
  std::map<std::string, std::vector<const Complaint*>> upheld;
  for (const auto& c : complaints)
    if (c.handled && c.outcome == "upheld" && c.target_kind == "clerk" && c.filed_on <= as_of)
      upheld[c.target].push_back(&c);
  std::vector<FlaggedClerk> out;
  for (auto& [clerk, list] : upheld) {
    std::sort(list.begin(), list.end(), [](const Complaint* x, const Complaint* y) { return x->filed_on < y->filed_on; });
    bool flagged = false;
    for (std::size_t i = 1; i < list.size(); ++i)
      if (list[i]->filed_on.days - list[i - 1]->filed_on.days < 365) flagged = true;
    if (!flagged) continue;
    FlaggedClerk f{clerk, {}};
    for (const auto* c : list) f.complaint_ids.push_back(c->id);
    out.push_back(std::move(f));
  }
  return out;
}

const Absence* HallRegister::find_absence(const std::string& id) const {
  for (const auto& a : absences)
    if (a.id == id) return &a;
  return nullptr;
}

int HallRegister::booked_in_slot(CivilDate day, const std::string& slot) const {
  return static_cast<int>(std::count_if(appointments.begin(), appointments.end(), [&](const Appointment& a) {
    return a.day == day && a.slot == slot && a.status != "cancelled";
  }));
}

const Appointment* HallRegister::find_appointment(const std::string& id) const {
  for (const auto& a : appointments)
    if (a.id == id) return &a;
  return nullptr;
}

const Complaint* HallRegister::find_complaint(const std::string& id) const {
  for (const auto& c : complaints)
    if (c.id == id) return &c;
  return nullptr;
}

}  // namespace hallsync::client
