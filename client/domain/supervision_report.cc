// Figures of the supervision report; the definitions are in the header.
#include "client/domain/supervision_report.h"

#include <cstdio>
#include <numeric>

#include "client/domain/documents.h"
#include "client/domain/matter_catalog.h"
#include "client/domain/work_calendar.h"

namespace hallsync::client {
namespace {

using schema::EventKind;

bool in_period(CivilDate d, CivilDate from, CivilDate to) { return from <= d && d <= to; }

// The day a case was completed (办结), if it was.
std::optional<CivilDate> completed_on(const CaseView& v) {
  if (v.state != CaseState::Approved && v.state != CaseState::Refused && v.state != CaseState::Delivered)
    return std::nullopt;
  for (const auto& e : v.events)
    if (e.kind == EventKind::Approved || e.kind == EventKind::Refused || e.kind == EventKind::Delivered)
      return CivilDate::from_unix_ms(e.wall_ms);
  return std::nullopt;
}

}  // namespace

int SupervisionReport::evaluations() const { return std::accumulate(satisfaction.begin(), satisfaction.end(), 0); }

void SupervisionReport::add(const SupervisionReport& o) {
  halls += o.halls;
  cases += o.cases;
  for (const auto& [m, states] : o.by_matter)
    for (const auto& [s, n] : states) by_matter[m][s] += n;
  completed += o.completed;
  on_time += o.on_time;
  overdue.insert(overdue.end(), o.overdue.begin(), o.overdue.end());
  for (std::size_t i = 0; i < satisfaction.size(); ++i) satisfaction[i] += o.satisfaction[i];
  enquiries += o.enquiries;
  complaints += o.complaints;
  for (const auto& [k, n] : o.complaints_by_channel) complaints_by_channel[k] += n;
  for (const auto& [k, n] : o.complaint_outcomes) complaint_outcomes[k] += n;
  one_time_breaches.insert(one_time_breaches.end(), o.one_time_breaches.begin(), o.one_time_breaches.end());
  coverage_gaps.insert(coverage_gaps.end(), o.coverage_gaps.begin(), o.coverage_gaps.end());
  flagged_clerks.insert(flagged_clerks.end(), o.flagged_clerks.begin(), o.flagged_clerks.end());
}

SupervisionReport build_report(const std::string& hall_code, const std::vector<CaseView>& cases,
                               const HallRegister& reg, const WorkCalendar& calendar, CivilDate from, CivilDate to) {
  SupervisionReport r;
  r.scope = hall_code;
  r.from = from;
  r.to = to;
  for (const auto& v : cases) {
    if (!v.exists() || v.acceptance_no.empty()) continue;
    for (const auto& b : v.one_time_breaches)
      if (in_period(b.on, from, to)) r.one_time_breaches.push_back({v.acceptance_no, b.clerk_id, b.on.to_string(), b.materials});
    if (!in_period(v.accepted_on, from, to)) continue;
    ++r.cases;
    ++r.by_matter[v.matter_id][std::string(case_state_code(v.state))];
    auto due = case_deadline(v, calendar);
    if (auto done = completed_on(v)) {
      ++r.completed;
      bool ok = v.handling_kind == HandlingKind::Instant ? *done == v.accepted_on : (!due || *done <= due->due);
      if (ok) ++r.on_time;
    } else if ((v.state == CaseState::Accepted || v.state == CaseState::Forwarded) && due && due->due < to) {
      r.overdue.push_back(v.acceptance_no);
    }
    if (int rank = satisfaction_rank(v.evaluation); rank > 0) ++r.satisfaction[rank - 1];
  }
  for (const auto& q : reg.enquiries)
    if (in_period(q.on, from, to)) ++r.enquiries;
  for (const auto& c : reg.complaints) {
    if (!in_period(c.filed_on, from, to)) continue;
    ++r.complaints;
    ++r.complaints_by_channel[c.channel];
    ++r.complaint_outcomes[c.handled ? c.outcome : "pending"];
  }
  for (const auto& g : reg.coverage_gaps(from, to))
    r.coverage_gaps.push_back(hall_code + " " + g.post_code + " " + g.from.to_string() + "–" + g.to.to_string());
  for (const auto& f : reg.clerks_to_flag(to))
    r.flagged_clerks.push_back(hall_code + " " + f.clerk_id + " (" + std::to_string(f.complaint_ids.size()) + ")");
  return r;
}

SupervisionReport report_from_events(const std::string& hall_code, std::vector<schema::CaseEvent> events,
                                     const WorkCalendar& calendar, CivilDate from, CivilDate to) {
  std::vector<schema::CaseEvent> records;
  std::map<std::string, std::vector<schema::CaseEvent>> by_case;
  for (auto& e : events) {
    if (schema::is_hall_record(e.kind)) records.push_back(std::move(e));
    else by_case[e.case_id].push_back(std::move(e));
  }
  std::vector<CaseView> cases;
  cases.reserve(by_case.size());
  for (auto& [id, evs] : by_case) cases.push_back(fold_case(std::move(evs)));
  return build_report(hall_code, cases, HallRegister::fold(std::move(records)), calendar, from, to);
}

namespace {

std::string percent(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", x * 100);
  return buf;
}

std::string outcome_label(const std::string& k) {
  return k == "upheld" ? "属实" : k == "not_upheld" ? "不属实" : "待处理";
}

// The report as (section, key, value) rows: one source for all three formats.
std::vector<std::array<std::string, 3>> rows(const SupervisionReport& r) {
  std::vector<std::array<std::string, 3>> out;
  auto add = [&](std::string s, std::string k, std::string v) { out.push_back({std::move(s), std::move(k), std::move(v)}); };
  add("概况", "范围", r.scope);
  add("概况", "期间", r.from.to_string() + " 至 " + r.to.to_string());
  add("概况", "大厅数", std::to_string(r.halls));
  add("概况", "受理办件", std::to_string(r.cases));
  for (const auto& [m, states] : r.by_matter)
    for (const auto& [s, n] : states) {
      auto st = parse_case_state(s);
      add("按事项和状态", m + " " + std::string(st ? case_state_label(*st) : s), std::to_string(n));
    }
  add("限时办结", "已办结", std::to_string(r.completed));
  add("限时办结", "按时办结", std::to_string(r.on_time));
  add("限时办结", "按时办结率", percent(r.on_time_rate()));
  add("限时办结", "超期未办结", std::to_string(r.overdue.size()));
  for (const auto& a : r.overdue) add("超期办件", a, "");
  for (int i = 0; i < 5; ++i) add("满意度评价", kSatisfactionLevels[i], std::to_string(r.satisfaction[i]));
  add("满意度评价", "评价总数", std::to_string(r.evaluations()));
  add("首问负责", "咨询登记", std::to_string(r.enquiries));
  add("投诉", "投诉总数", std::to_string(r.complaints));
  for (const auto& [k, n] : r.complaints_by_channel)
    add("投诉", "渠道 " + std::string(complaint_channel_label(k)), std::to_string(n));
  for (const auto& [k, n] : r.complaint_outcomes) add("投诉", "结论 " + outcome_label(k), std::to_string(n));
  add("一次性告知", "违反次数", std::to_string(r.one_time_breaches.size()));
  for (const auto& b : r.one_time_breaches) {
    std::string mats;
    for (const auto& m : b.materials) mats += (mats.empty() ? "" : "、") + m;
    add("一次性告知", b.acceptance_no, b.on + " " + b.clerk_id + " 新增告知：" + mats);
  }
  add("AB岗", "空岗", std::to_string(r.coverage_gaps.size()));
  for (const auto& g : r.coverage_gaps) add("AB岗", "空岗", g);
  add("责任追究", "一年内两次以上投诉属实", std::to_string(r.flagged_clerks.size()));
  for (const auto& f : r.flagged_clerks) add("责任追究", "人员", f);
  return out;
}

}  // namespace

std::string report_to_text(const SupervisionReport& r) {
  std::string out = "便民服务中心监督考核报表\n";
  std::string section;
  for (const auto& [s, k, v] : rows(r)) {
    if (s != section) out += "\n【" + (section = s) + "】\n";
    out += "  " + k + (v.empty() ? "" : "：" + v) + "\n";
  }
  return out;
}

std::string report_to_csv(const SupervisionReport& r) {
  std::string out = "section,key,value\n";
  for (const auto& [s, k, v] : rows(r)) out += csv_field(s) + "," + csv_field(k) + "," + csv_field(v) + "\n";
  return out;
}

std::string report_to_html(const SupervisionReport& r) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>监督考核报表</title>"
      "<style>@page{size:A4;margin:18mm}body{font-family:serif}table{border-collapse:collapse;width:100%}"
      "td,th{border:1px solid #444;padding:3px 6px;text-align:left}h2{font-size:1.05em;margin-top:1.2em}</style>"
      "</head><body>\n<h1>便民服务中心监督考核报表</h1>\n";
  std::string section;
  for (const auto& [s, k, v] : rows(r)) {
    if (s != section) {
      if (!section.empty()) out += "</table>\n";
      out += "<h2>" + html_escape(section = s) + "</h2>\n<table>\n";
    }
    out += "<tr><th>" + html_escape(k) + "</th><td>" + html_escape(v) + "</td></tr>\n";
  }
  if (!section.empty()) out += "</table>\n";
  return out + "</body></html>\n";
}

}  // namespace hallsync::client
