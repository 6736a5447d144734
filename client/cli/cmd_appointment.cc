// `hall appointment add|list|close` (预约服务) and `hall deferred` (容缺受理
// materials still outstanding, with their due dates). Applicants are masked.
#include <iostream>

#include "client/cli/cli_support.h"
#include "client/store/service_rules.h"
#include "sync/api/redact.h"

namespace hallsync::client::cli {
namespace {

struct BookArgs {
  std::string day;
  Appointment a;
};

struct CloseArgs {
  std::string id, status, case_ref;
};

}  // namespace

void add_appointment_commands(CLI::App& app, CommandSet& set) {
  auto* appt = app.add_subcommand("appointment", "预约服务")->require_subcommand(1);

  auto* add = appt->add_subcommand("add", "登记预约（工作日半小时时段）");
  auto b = std::make_shared<BookArgs>();
  add_data_dir(*add, set.options);
  add_clerk(*add, set.options);
  add->add_option("--date", b->day, "预约日期 YYYY-MM-DD")->required();
  add->add_option("--slot", b->a.slot, "时段，如 09:00、14:30")->required();
  add->add_option("--matter", b->a.matter_id, "事项编号")->required();
  add->add_option("--name", b->a.applicant_name, "申请人姓名")->required();
  add->add_option("--phone", b->a.phone, "联系电话")->required();
  add->add_option("--note", b->a.note, "备注");
  on_store(*add, set, [&set, b](HallStore& hall) {
    auto day = CivilDate::parse(b->day);
    if (!day) return report(Status::validation("预约日期应为 YYYY-MM-DD 格式"));
    b->a.day = *day;
    b->a.booked_by = clerk_id(set.options);
    auto r = ServiceRules(hall).book_appointment(b->a);
    if (!r) return report(r.status());
    std::cout << "已预约 " << r->day.to_string() << " " << r->slot << "，预约编号 " << r->id << "\n";
    return 0;
  });

  auto* list = appt->add_subcommand("list", "列出预约");
  auto on = std::make_shared<std::string>();
  add_data_dir(*list, set.options);
  add_json(*list, set.options);
  list->add_option("--date", *on, "只列出某日 YYYY-MM-DD");
  on_store(*list, set, [&set, on](HallStore& hall) {
    auto reg = ServiceRules(hall).load();
    if (!reg) return report(reg.status());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : reg->appointments) {
      if (!on->empty() && a.day.to_string() != *on) continue;
      out.push_back({{"id", a.id}, {"date", a.day.to_string()}, {"slot", a.slot}, {"matter_id", a.matter_id},
                     {"applicant", mask_name(a.applicant_name)}, {"phone", mask_phone(a.phone)},
                     {"status", a.status}, {"case", a.case_ref}});
      if (!set.options.json)
        std::cout << a.day.to_string() << " " << a.slot << "  " << mask_name(a.applicant_name) << "  "
                  << matter_name(hall, a.matter_id) << "  " << a.status << "  " << a.id << "\n";
    }
    if (set.options.json) print_json({{"appointments", out}});
    return 0;
  });

  auto* close = appt->add_subcommand("close", "登记预约结果：到场、取消或爽约");
  auto c = std::make_shared<CloseArgs>();
  add_data_dir(*close, set.options);
  add_clerk(*close, set.options);
  close->add_option("ID", c->id, "预约编号")->required();
  close->add_option("--status", c->status, "attended 已到场 / cancelled 已取消 / no_show 爽约")
      ->required()->check(CLI::IsMember({"attended", "cancelled", "no_show"}));
  close->add_option("--case", c->case_ref, "到场后受理的受理编号");
  on_store(*close, set, [&set, c](HallStore& hall) {
    Status s = ServiceRules(hall).close_appointment(clerk_id(set.options), c->id, c->status, c->case_ref);
    if (!s.is_ok()) return report(s);
    std::cout << "已登记预约结果\n";
    return 0;
  });

  auto* deferred = app.add_subcommand("deferred", "容缺受理：尚未补齐的后补材料及期限");
  add_data_dir(*deferred, set.options);
  on_store(*deferred, set, [&set](HallStore& hall) {
    CaseRepository repo(hall);
    auto ids = repo.case_ids_with_kind(schema::EventKind::MaterialDeferred);
    if (!ids) return report(ids.status());
    CivilDate now = today(hall);
    int n = 0;
    for (const auto& id : *ids) {
      auto v = repo.load(id);
      if (!v) return report(v.status());
      for (const auto& d : v->deferred) {
        if (d.supplied) continue;
        ++n;
        std::cout << v->acceptance_no << "  " << d.name << "  期限 " << d.due.to_string()
                  << (d.due < now ? "（已逾期）" : "") << "\n";
      }
    }
    if (n == 0) std::cout << "没有待补齐的容缺材料\n";
    return 0;
  });
}

}  // namespace hallsync::client::cli
