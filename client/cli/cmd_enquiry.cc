// `hall enquiry add|list`: first-question responsibility (首问负责制) for
// questions that do not become cases — what was asked, the guidance or
// referral given, and by whom.
#include <iostream>

#include "client/cli/cli_support.h"
#include "client/store/service_rules.h"

namespace hallsync::client::cli {

void add_enquiry_commands(CLI::App& app, CommandSet& set) {
  auto* enquiry = app.add_subcommand("enquiry", "咨询登记（首问负责）")->require_subcommand(1);

  auto* add = enquiry->add_subcommand("add", "登记一次咨询");
  auto e = std::make_shared<Enquiry>();
  add_data_dir(*add, set.options);
  add_clerk(*add, set.options);
  add->add_option("--question", e->question, "咨询内容")->required();
  add->add_option("--guidance", e->guidance, "答复、告知或引导情况")->required();
  add->add_option("--referred-to", e->referred_to, "引导至的窗口或部门");
  add->add_option("--matter", e->matter_id, "相关事项编号");
  on_store(*add, set, [&set, e](HallStore& hall) {
    e->clerk_id = clerk_id(set.options);
    auto r = ServiceRules(hall).log_enquiry(*e);
    if (!r) return report(r.status());
    std::cout << "已登记咨询，首问责任人 " << r->clerk_id << "\n";
    return 0;
  });

  auto* list = enquiry->add_subcommand("list", "列出咨询登记");
  add_data_dir(*list, set.options);
  add_json(*list, set.options);
  on_store(*list, set, [&set](HallStore& hall) {
    auto reg = ServiceRules(hall).load();
    if (!reg) return report(reg.status());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& q : reg->enquiries) {
      out.push_back({{"id", q.id}, {"on", q.on.to_string()}, {"clerk_id", q.clerk_id}, {"question", q.question},
                     {"guidance", q.guidance}, {"referred_to", q.referred_to}, {"matter_id", q.matter_id}});
      if (set.options.json) continue;
      std::cout << q.on.to_string() << "  首问 " << q.clerk_id << "  问：" << q.question << "  答：" << q.guidance
                << (q.referred_to.empty() ? "" : "  引导至 " + q.referred_to) << "\n";
    }
    if (set.options.json) print_json({{"enquiries", out}});
    return 0;
  });
}

}  // namespace hallsync::client::cli
