// State machine and fold for cases. Messages are for clerks, so in Chinese.
#include "client/domain/case_lifecycle.h"
#include "client/domain/material_file.h"

#include <algorithm>
#include <array>

#include "client/domain/work_calendar.h"

namespace hallsync::client {
namespace {

using schema::CaseEvent;
using schema::EventKind;

struct StateName {
  CaseState state;
  std::string_view code;
  std::string_view label;
};
constexpr std::array<StateName, 7> kStates = {{
    {CaseState::Accepted, "accepted", "已受理"},
    {CaseState::AwaitingMaterials, "awaiting_materials", "待补正"},
    {CaseState::Forwarded, "forwarded", "已转后台审批"},
    {CaseState::Approved, "approved", "已办结（准予）"},
    {CaseState::Refused, "refused", "不予受理/不予许可"},
    {CaseState::Delivered, "delivered", "已出件"},
    {CaseState::Withdrawn, "withdrawn", "已撤回"},
}};

}  // namespace

std::string_view event_kind_label(EventKind k) {
  switch (k) {
    case EventKind::Accepted: return "受理";
    case EventKind::MaterialsRequested: return "一次性告知补正材料";
    case EventKind::MaterialsSupplemented: return "补正材料";
    case EventKind::Forwarded: return "转后台审批";
    case EventKind::Approved: return "准予办结";
    case EventKind::Refused: return "不予受理/不予许可";
    case EventKind::Extended: return "延期办结";
    case EventKind::Delivered: return "出件";
    case EventKind::Withdrawn: return "撤回";
    case EventKind::FieldCorrected: return "更正信息";
    case EventKind::ProcedurePaused: return "特别程序开始";
    case EventKind::ProcedureResumed: return "特别程序结束";
    case EventKind::PlatformNumberAssigned: return "登记平台办件编号";
    case EventKind::ConflictResolved: return "处理冲突";
    case EventKind::StaffRegistered: return "人员名册登记";
    case EventKind::PostDefined: return "岗位设置";
    case EventKind::AbsenceStarted: return "A岗离岗";
    case EventKind::AbsenceEnded: return "A岗返岗";
    case EventKind::EnquiryLogged: return "咨询登记";
    case EventKind::ComplaintFiled: return "投诉登记";
    case EventKind::ComplaintHandled: return "投诉处理";
    case EventKind::Evaluated: return "满意度评价";
    case EventKind::ServiceFlagged: return "拓展服务标记";
    case EventKind::MaterialDeferred: return "容缺受理";
    case EventKind::AppointmentBooked: return "预约登记";
    case EventKind::AppointmentClosed: return "预约结束";
    case EventKind::MaterialAttached: return "扫描材料";
    case EventKind::MaterialPurged: return "本机扫描材料到期清除";
  }
  return "未知操作";
}

namespace {
std::string_view kind_label(EventKind k) { return event_kind_label(k); }

Status refuse(const CaseView& v, EventKind k, std::string_view why = {}) {
  std::string msg = "当前状态为“" + std::string(case_state_label(v.state)) + "”，不能执行“" + std::string(kind_label(k)) + "”";
  if (!why.empty()) msg += "：" + std::string(why);
  return Status::conflict(std::move(msg));
}

bool in(CaseState s, std::initializer_list<CaseState> set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

std::vector<std::string> minus(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const auto& x : a)
    if (std::find(b.begin(), b.end(), x) == b.end()) out.push_back(x);
  return out;
}

CivilDate day_of(const CaseEvent& e) { return CivilDate::from_unix_ms(e.wall_ms); }

// Applies a legal event to the view. check_transition has already said yes.
void apply(CaseView& v, const CaseEvent& e) {
  switch (e.kind) {
    case EventKind::Accepted:
      v.case_id = e.case_id;
      v.acceptance_no = e.acceptance_no;
      v.hall_code = e.hall_code;
      v.origin_device = e.device_id;
      v.matter_id = e.matter_id;
      v.catalog_version = e.catalog_version;
      v.first_clerk = e.clerk_id;
      v.handler = e.subject.empty() ? e.clerk_id : e.subject;
      v.applicant = e.applicant;
      v.handling_kind = e.handling_kind == "instant" ? HandlingKind::Instant : HandlingKind::Promised;
      v.promised = {e.days, e.time_unit == "calendar" ? TimeUnit::CalendarDays : TimeUnit::WorkingDays};
      v.legal_max_days = e.legal_max_days;
      v.materials_received = e.materials;
      v.accepted_on = v.clock_start = day_of(e);
      v.state = CaseState::Accepted;
      break;
    case EventKind::MaterialsRequested:
      if (v.first_slip.empty()) {
        v.first_slip = e.materials;
      } else if (auto extra = minus(e.materials, v.first_slip); !extra.empty()) {
        v.one_time_breaches.push_back({e.event_id(), e.clerk_id, day_of(e), std::move(extra)});
      }
      v.materials_missing = e.materials;
      v.state = CaseState::AwaitingMaterials;
      break;
    case EventKind::MaterialsSupplemented: {
      bool awaiting = v.state == CaseState::AwaitingMaterials;
      for (auto& d : v.deferred)
        if (!d.supplied && std::find(e.materials.begin(), e.materials.end(), d.name) != e.materials.end()) {
          d.supplied = true;
          d.supplied_on = day_of(e);
        }
      for (const auto& m : e.materials)
        if (std::find(v.materials_received.begin(), v.materials_received.end(), m) == v.materials_received.end())
          v.materials_received.push_back(m);
      v.materials_missing = minus(v.materials_missing, e.materials);
      if (awaiting && v.materials_missing.empty()) {
        v.state = CaseState::Accepted;
        v.clock_start = day_of(e);  // 补正后重新计算时限 (a deferred material does not restart it)
      }
      break;
    }
    case EventKind::MaterialDeferred:
      for (const auto& m : e.materials)
        v.deferred.push_back({m, CivilDate::parse(e.to_date).value_or(day_of(e)), false, {}});
      break;
    case EventKind::Forwarded:
      v.department = e.department;
      v.state = CaseState::Forwarded;
      break;
    case EventKind::Approved:
      v.state = CaseState::Approved;
      break;
    case EventKind::Refused:
      v.refusal_stage = e.stage;
      v.refusal_reason = e.reason;
      v.refusal_basis = e.legal_basis;
      v.refusal_approver = e.approver;
      v.state = CaseState::Refused;
      break;
    case EventKind::Extended:
      v.extension_days += e.days;
      break;
    case EventKind::Delivered:
      v.state = CaseState::Delivered;
      break;
    case EventKind::Withdrawn:
      v.withdraw_reason = e.reason;
      v.state = CaseState::Withdrawn;
      break;
    case EventKind::FieldCorrected:
      if (e.field == "applicant.name") v.applicant.name = e.value;
      if (e.field == "applicant.phone") v.applicant.phone = e.value;
      if (e.field == "applicant.id_number") v.applicant.id_number = e.value;
      break;
    case EventKind::ProcedurePaused:
      v.paused = true;
      v.pauses.push_back({day_of(e).plus_days(1), CivilDate{}});
      break;
    case EventKind::ProcedureResumed:
      v.paused = false;
      if (!v.pauses.empty()) v.pauses.back().last = day_of(e);
      break;
    case EventKind::PlatformNumberAssigned:
      v.platform_case_no = e.platform_case_no;
      break;
    case EventKind::ConflictResolved:
      for (auto& c : v.conflicts)
        if (c.event_id == e.ref_event_id) {
          c.resolved = true;
          c.resolution = e.reason;
        }
      break;
    case EventKind::Evaluated:
      v.evaluation = e.value;
      v.evaluation_comment = e.note;
      v.evaluated_by = e.clerk_id;
      break;
    case EventKind::ServiceFlagged:
      if (std::find(v.service_flags.begin(), v.service_flags.end(), e.field) == v.service_flags.end())
        v.service_flags.push_back(e.field);
      break;
    case EventKind::MaterialAttached:
      if (auto ref = parse_material_descriptor(e.value))
        v.attachments.push_back({e.materials.front(), ref->sha256, ref->size, ref->media_type, e.event_id(), e.clerk_id,
                                 e.wall_ms, ref->original_width, ref->original_height, ref->original_size});
      break;
    case EventKind::MaterialPurged:
      for (const auto& sha : split_purged_scans(e.value))
        for (auto& a : v.attachments)
          if (a.sha256 == sha && std::find(a.purged_on.begin(), a.purged_on.end(), e.device_id) == a.purged_on.end())
            a.purged_on.push_back(e.device_id);
      break;
    default:
      break;  // hall records never reach a case fold (check_transition refuses them)
  }
}

}  // namespace

std::string_view case_state_code(CaseState s) {
  for (const auto& n : kStates)
    if (n.state == s) return n.code;
  return "unknown";
}

std::string_view case_state_label(CaseState s) {
  for (const auto& n : kStates)
    if (n.state == s) return n.label;
  return "未知";
}

std::optional<CaseState> parse_case_state(std::string_view code) {
  for (const auto& n : kStates)
    if (n.code == code) return n.state;
  return std::nullopt;
}

int satisfaction_rank(std::string_view label) {
  for (int i = 0; i < 5; ++i)
    if (label == kSatisfactionLevels[i]) return i + 1;
  return 0;
}

std::string_view service_flag_label(std::string_view code) {
  if (code == "green_channel") return "绿色通道";
  if (code == "extended_hours") return "延时服务";
  if (code == "door_to_door") return "上门服务";
  return {};
}

std::vector<std::string> split_purged_scans(std::string_view value) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= value.size()) {
    std::size_t comma = value.find(',', pos);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view part = value.substr(pos, comma - pos);
    if (part.size() != 64 || !std::all_of(part.begin(), part.end(), [](char c) {
          return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        }))
      return {};
    out.emplace_back(part);
    pos = comma + 1;
  }
  return out;
}

bool is_open(CaseState s) { return in(s, {CaseState::Accepted, CaseState::AwaitingMaterials, CaseState::Forwarded}); }

bool CaseView::has_deferred_outstanding() const {
  return std::any_of(deferred.begin(), deferred.end(), [](const DeferredMaterial& d) { return !d.supplied; });
}

int CaseView::open_conflicts() const {
  return static_cast<int>(std::count_if(conflicts.begin(), conflicts.end(), [](const CaseConflict& c) { return !c.resolved; }));
}

void sort_for_fold(std::vector<CaseEvent>& events) {
  std::sort(events.begin(), events.end(), [](const CaseEvent& a, const CaseEvent& b) {
    if (a.hlc != b.hlc) return a.hlc < b.hlc;
    if (a.device_id != b.device_id) return a.device_id < b.device_id;
    return a.origin_seq < b.origin_seq;
  });
}

Status check_transition(const CaseView& v, const CaseEvent& e) {
  using S = CaseState;
  if (!v.exists()) {
    if (e.kind != EventKind::Accepted) return Status::conflict("案件尚未受理，不能执行“" + std::string(kind_label(e.kind)) + "”");
    return Status::ok();
  }
  const bool terminal = !is_open(v.state) && v.state != S::Approved;
  switch (e.kind) {
    case EventKind::Accepted:
      return Status::conflict("该案件已受理（受理编号 " + v.acceptance_no + "），不能重复受理");
    case EventKind::MaterialsRequested:
      if (!in(v.state, {S::Accepted, S::AwaitingMaterials, S::Forwarded})) return refuse(v, e.kind);
      if (e.materials.empty()) return Status::validation("一次性告知书必须列明需补正的全部材料");
      return Status::ok();
    case EventKind::MaterialsSupplemented: {
      auto deferred_outstanding = [&](const std::string& m) {
        return std::any_of(v.deferred.begin(), v.deferred.end(), [&](const DeferredMaterial& d) { return !d.supplied && d.name == m; });
      };
      if (v.state != S::AwaitingMaterials && !(is_open(v.state) && v.has_deferred_outstanding()))
        return refuse(v, e.kind, "案件不在待补正状态");
      if (e.materials.empty()) return Status::validation("请列出本次补正的材料");
      for (const auto& m : e.materials)
        if (std::find(v.materials_missing.begin(), v.materials_missing.end(), m) == v.materials_missing.end() &&
            !deferred_outstanding(m))
          return Status::validation("“" + m + "”不在一次性告知书所列的待补正材料或容缺后补材料中");
      return Status::ok();
    }
    case EventKind::MaterialDeferred:
      if (!in(v.state, {S::Accepted, S::AwaitingMaterials, S::Forwarded})) return refuse(v, e.kind);
      if (e.materials.empty()) return Status::validation("请列出容缺后补的材料");
      if (!CivilDate::parse(e.to_date)) return Status::validation("容缺受理须写明后补材料的期限");
      return Status::ok();
    case EventKind::Forwarded:
      if (v.state != S::Accepted) return refuse(v, e.kind);
      if (v.paused) return refuse(v, e.kind, "特别程序进行中");
      return Status::ok();
    case EventKind::Approved:
      if (!in(v.state, {S::Accepted, S::Forwarded})) return refuse(v, e.kind);
      return Status::ok();
    case EventKind::Refused:
      if (!in(v.state, {S::Accepted, S::AwaitingMaterials, S::Forwarded})) return refuse(v, e.kind);
      if (e.reason.empty() || e.legal_basis.empty()) return Status::validation("不予受理/不予许可必须写明理由和法律依据");
      if (e.stage != "acceptance" && e.stage != "decision") return Status::validation("请指明是不予受理还是不予许可");
      return Status::ok();
    case EventKind::Extended: {
      if (!in(v.state, {S::Accepted, S::Forwarded})) return refuse(v, e.kind);
      if (v.handling_kind == HandlingKind::Instant) return refuse(v, e.kind, "即办件不能延期");
      if (e.reason.empty()) return Status::validation("延期办结必须写明理由");
      if (e.days <= 0) return Status::validation("延期天数必须大于0");
      int total = v.promised.days + v.extension_days + e.days;
      if (total > v.legal_max_days)
        return Status::conflict("延期后总时限" + std::to_string(total) + "天超过法定最高时限" +
                                std::to_string(v.legal_max_days) + "天，最多还可延期" +
                                std::to_string(std::max(0, v.legal_max_days - v.promised.days - v.extension_days)) + "天");
      return Status::ok();
    }
    case EventKind::Delivered:
      if (v.state == S::Approved) return Status::ok();
      if (v.state == S::Accepted && v.handling_kind == HandlingKind::Instant) return Status::ok();
      return refuse(v, e.kind, v.state == S::Accepted ? "承诺件须审批办结后才能出件" : "");
    case EventKind::Withdrawn:
      if (!in(v.state, {S::Accepted, S::AwaitingMaterials, S::Forwarded})) return refuse(v, e.kind);
      return Status::ok();
    case EventKind::FieldCorrected:
      if (terminal) return refuse(v, e.kind, "已结束的案件不能更正");
      if (e.field != "applicant.name" && e.field != "applicant.phone" && e.field != "applicant.id_number")
        return Status::validation("不能更正的字段：" + e.field);
      if (e.reason.empty()) return Status::validation("更正信息必须写明原因");
      return Status::ok();
    case EventKind::ProcedurePaused:
      if (!in(v.state, {S::Accepted, S::Forwarded}) || v.handling_kind == HandlingKind::Instant) return refuse(v, e.kind);
      if (v.paused) return refuse(v, e.kind, "特别程序已在进行中");
      if (e.reason.empty()) return Status::validation("请写明特别程序的事由（听证、检验、鉴定等）");
      return Status::ok();
    case EventKind::ProcedureResumed:
      if (!v.paused) return refuse(v, e.kind, "没有进行中的特别程序");
      return Status::ok();
    case EventKind::PlatformNumberAssigned:
      if (e.platform_case_no.empty()) return Status::validation("平台办件编号为空");
      return Status::ok();
    case EventKind::ConflictResolved:
      for (const auto& c : v.conflicts)
        if (c.event_id == e.ref_event_id && !c.resolved) return Status::ok();
      return Status::not_found("没有待处理的冲突：" + e.ref_event_id);
    case EventKind::Evaluated:
      if (v.state != S::Delivered) return refuse(v, e.kind, "办件出件后才能评价");
      if (!v.evaluation.empty()) return refuse(v, e.kind, "该办件已评价（" + v.evaluation + "）");
      if (satisfaction_rank(e.value) == 0)
        return Status::validation("评价等级须为：非常满意、满意、基本满意、不满意、非常不满意");
      return Status::ok();
    case EventKind::ServiceFlagged:
      if (service_flag_label(e.field).empty())
        return Status::validation("拓展服务须为 green_channel（绿色通道）、extended_hours（延时服务）或 door_to_door（上门服务）");
      return Status::ok();
    case EventKind::MaterialPurged:
      // Only a closed case's scans expire; each one named must be attached.
      if (is_open(v.state)) return refuse(v, e.kind, "办件未办结，扫描材料不能清除");
      if (split_purged_scans(e.value).empty()) return Status::validation("清除记录须列出扫描材料的 SHA-256");
      for (const auto& sha : split_purged_scans(e.value))
        if (std::none_of(v.attachments.begin(), v.attachments.end(), [&](const AttachedMaterial& a) { return a.sha256 == sha; }))
          return Status::validation("清除记录列出的扫描材料不属于本办件");
      return Status::ok();
    case EventKind::MaterialAttached:
      // Allowed in every state: a scan never changes the case, so concurrent
      // attachments cannot conflict with anything.
      if (e.materials.size() != 1 || e.materials.front().empty())
        return Status::validation("请写明扫描的是哪一项材料（--material）");
      if (e.materials.front().size() > kMaxMaterialNameBytes) return Status::validation("材料名称过长");
      if (!parse_material_descriptor(e.value)) return Status::validation("扫描材料的文件信息不完整");
      return Status::ok();
    default:
      if (schema::is_hall_record(e.kind)) return Status::validation("“" + std::string(kind_label(e.kind)) + "”不是办件环节");
      break;
  }
  return Status::internal("unknown event kind");
}

CaseView fold_case(std::vector<CaseEvent> events) {
  sort_for_fold(events);
  CaseView v;
  std::string previous_device;
  std::int64_t previous_seq = -1;
  for (auto& e : events) {
    // The same fact delivered twice: after sorting, copies of one event (same
    // device and sequence, hence same HLC) sit next to each other.
    if (e.origin_seq == previous_seq && e.device_id == previous_device) continue;
    previous_device = e.device_id;
    previous_seq = e.origin_seq;
    Status ok = check_transition(v, e);
    // Validation failures cannot come from a merge (every origin validated its own
    // event), so anything refused here is a concurrency conflict for a person.
    if (ok.is_ok()) {
      apply(v, e);
    } else if (v.exists()) {
      v.conflicts.push_back({e.event_id(), ok.message(), false, {}});
    }
    v.last_hlc = std::max<std::uint64_t>(v.last_hlc, e.hlc);
    v.events.push_back(std::move(e));
  }
  return v;
}

std::optional<Deadline> case_deadline(const CaseView& v, const WorkCalendar& calendar, CountFrom count_from) {
  if (!v.exists() || v.handling_kind == HandlingKind::Instant) return std::nullopt;
  if (v.state == CaseState::AwaitingMaterials) return std::nullopt;  // the clock restarts when materials arrive
  DeadlineRequest req;
  req.start = v.clock_start;
  req.limit = v.effective_limit();
  req.count_from = count_from;
  for (const auto& p : v.pauses) {
    if (p.last.days == 0 && v.paused) {
      // Still paused: the due date is unknown; report it as if the pause ended today+far.
      return std::nullopt;
    }
    if (p.last >= p.first) req.pauses.push_back(p);
  }
  return compute_deadline(calendar, req);
}

}  // namespace hallsync::client
