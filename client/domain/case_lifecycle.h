// The case lifecycle: which events are allowed in which state, and the
// deterministic fold of a case's events into its current view. Both the hall
// and the hub fold the same event set the same way, whatever order it arrived in.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "client/domain/civil_date.h"
#include "client/domain/deadline.h"
#include "client/domain/time_limit.h"
#include "schema/records/case_event.h"
#include "sync/api/result.h"

namespace hallsync::client {

enum class CaseState {
  Accepted,           // 已受理
  AwaitingMaterials,  // 待补正
  Forwarded,          // 已转后台审批
  Approved,           // 已办结（准予）
  Refused,            // 不予受理 / 不予许可
  Delivered,          // 已出件
  Withdrawn,          // 已撤回
};

std::string_view case_state_code(CaseState s);   // "accepted", "awaiting_materials", ...
std::string_view case_state_label(CaseState s);  // 已受理, 待补正, ...
std::optional<CaseState> parse_case_state(std::string_view code);
bool is_open(CaseState s);
std::string_view event_kind_label(schema::EventKind k);  // 受理, 转后台审批, ... for clerks  // still in the hall's or back office's hands

// An event the fold could not apply (e.g. delivered after a concurrent refusal).
// The event is kept; a person settles it with a ConflictResolved event.
struct CaseConflict {
  std::string event_id;
  std::string message;  // Chinese, for the clerk
  bool resolved = false;
  std::string resolution;
};

// A later 一次性告知 on the same case asking for materials the first slip did
// not list: allowed (the applicant still needs them) but a breach of the
// one-time rule, kept for supervision.
struct OneTimeBreach {
  std::string event_id;
  std::string clerk_id;
  CivilDate on;
  std::vector<std::string> materials;  // the ones not on the first slip
};

// The five satisfaction levels (GB/T 39046 A.8 order: 1 = 非常满意).
constexpr const char* kSatisfactionLevels[] = {"非常满意", "满意", "基本满意", "不满意", "非常不满意"};
int satisfaction_rank(std::string_view label);  // 1–5, or 0 if not a level

// Extended-service flags a case may carry (ServiceFlagged events).
constexpr const char* kServiceFlags[] = {"green_channel", "extended_hours", "door_to_door"};
std::string_view service_flag_label(std::string_view code);  // 绿色通道, 延时服务, 上门服务; empty if unknown

struct DeferredMaterial {  // 容缺受理: accepted without it, to be supplied by `due`
  std::string name;
  CivilDate due;
  bool supplied = false;
  CivilDate supplied_on;
};

// A scanned material attached to the case (event material_attached).
struct AttachedMaterial {
  std::string material;    // the material's name, e.g. 申请人居民身份证
  std::string sha256;
  std::int64_t size = 0;
  std::string media_type;
  std::string event_id;
  std::string clerk_id;
  std::int64_t wall_ms = 0;
  // The scan before downscaling (all 0 when stored as scanned).
  int original_width = 0;
  int original_height = 0;
  std::int64_t original_size = 0;
  // Devices that removed their local copy when its retention ran out
  // (material_purged events); the hub still holds the scan.
  std::vector<std::string> purged_on;
};

// The SHA-256s a material_purged event names (its value, comma-separated);
// empty when any part is not 64 lowercase hex digits.
std::vector<std::string> split_purged_scans(std::string_view value);

struct CaseView {
  std::string case_id;
  std::string acceptance_no;
  std::string platform_case_no;
  std::string hall_code;
  std::string origin_device;
  std::string matter_id;
  std::string catalog_version;
  std::string first_clerk;  // 首问负责人
  std::string handler;      // 承办人: the post's clerk on duty at acceptance (B while A is away)
  schema::Applicant applicant;
  HandlingKind handling_kind = HandlingKind::Promised;
  TimeLimit promised;
  int legal_max_days = 0;
  CaseState state = CaseState::Accepted;
  CivilDate accepted_on;
  CivilDate clock_start;    // acceptance, or the day materials were completed (补正 restarts the count)
  int extension_days = 0;
  bool paused = false;
  std::vector<DateRange> pauses;
  std::vector<std::string> materials_received;
  std::vector<std::string> materials_missing;  // outstanding from the latest one-time notification
  std::vector<AttachedMaterial> attachments;   // scanned materials, in fold order
  std::string department;   // back office it was forwarded to
  std::string refusal_stage, refusal_reason, refusal_basis, refusal_approver;
  std::string withdraw_reason;
  std::vector<std::string> first_slip;     // materials of the first one-time notification
  std::vector<OneTimeBreach> one_time_breaches;
  std::string evaluation, evaluation_comment, evaluated_by;  // satisfaction label, comment, clerk who took it
  std::vector<std::string> service_flags;  // codes of kServiceFlags
  std::vector<DeferredMaterial> deferred;
  bool has_deferred_outstanding() const;
  std::vector<schema::CaseEvent> events;  // in fold order
  std::vector<CaseConflict> conflicts;
  std::uint64_t last_hlc = 0;

  bool exists() const { return !events.empty(); }
  int open_conflicts() const;
  TimeLimit effective_limit() const { return {promised.days + extension_days, promised.unit}; }
};

// Fold order: HLC, then origin device, then origin sequence. A device's own
// events are ordered by its HLC, which never goes backwards on that device.
void sort_for_fold(std::vector<schema::CaseEvent>& events);

// Folds events (any order, duplicates by event id ignored) into a view.
CaseView fold_case(std::vector<schema::CaseEvent> events);

// Checks that `event` may be applied to `view` now; a Conflict status with a
// Chinese message a clerk can act on otherwise. Used before any local write.
Status check_transition(const CaseView& view, const schema::CaseEvent& event);

// The due date of a promised case in its current state, if its clock is running.
std::optional<Deadline> case_deadline(const CaseView& view, const class WorkCalendar& calendar,
                                      CountFrom count_from = CountFrom::NextDay);

}  // namespace hallsync::client
