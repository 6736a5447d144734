// `hall staff add|list`: the hall's staff roster (工号, 姓名, 职务). The staff
// number is the clerk id every event carries; login accounts are not kept here.
#include <iostream>

#include "client/cli/cli_support.h"
#include "client/store/service_rules.h"

namespace hallsync::client::cli {

void add_staff_commands(CLI::App& app, CommandSet& set) {
  auto* staff = app.add_subcommand("staff", "人员名册")->require_subcommand(1);

  auto* add = staff->add_subcommand("add", "登记或更新人员（工号、姓名、职务）");
  auto m = std::make_shared<StaffMember>();
  add_data_dir(*add, set.options);
  add_clerk(*add, set.options);
  add->add_option("--id", m->clerk_id, "工号")->required();
  add->add_option("--name", m->name, "姓名")->required();
  add->add_option("--role", m->role, "职务，如 窗口工作人员、分管领导");
  on_store(*add, set, [&set, m](HallStore& hall) {
    auto r = ServiceRules(hall).register_staff(clerk_id(set.options), *m);
    if (!r) return report(r.status());
    std::cout << "已登记人员：" << r->clerk_id << " " << r->name << "\n";
    return 0;
  });

  auto* list = staff->add_subcommand("list", "列出人员名册");
  add_data_dir(*list, set.options);
  add_json(*list, set.options);
  on_store(*list, set, [&set](HallStore& hall) {
    auto reg = ServiceRules(hall).load();
    if (!reg) return report(reg.status());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [id, s] : reg->staff) {
      out.push_back({{"clerk_id", id}, {"name", s.name}, {"role", s.role}});
      if (!set.options.json) std::cout << id << "  " << s.name << "  " << s.role << "\n";
    }
    if (set.options.json) print_json({{"staff", out}});
    else if (out.empty()) std::cout << "人员名册为空，请使用 hall staff add 登记\n";
    return 0;
  });
}

}  // namespace hallsync::client::cli
