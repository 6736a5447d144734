// `hall complaint add|handle|list`: complaints (责任追究制) by channel, against
// a window or a clerk, with handling, reply and outcome; a clerk with two or
// more upheld complaints within a year is flagged. Complainants are masked.
#include <iostream>

#include "client/cli/cli_support.h"
#include "client/store/service_rules.h"
#include "sync/api/redact.h"

namespace hallsync::client::cli {
namespace {

struct HandleArgs {
  std::string id, handling, reply, outcome;
};

void print_flags(const std::vector<FlaggedClerk>& flagged) {
  for (const auto& f : flagged)
    std::cerr << "警告：工作人员 " << f.clerk_id << " 一年内有 " << f.complaint_ids.size()
              << " 次投诉经查属实，应按责任追究制报纪检监察机关并通报窗口负责人\n";
}

}  // namespace

void add_complaint_commands(CLI::App& app, CommandSet& set) {
  auto* complaint = app.add_subcommand("complaint", "投诉登记与处理")->require_subcommand(1);

  auto* add = complaint->add_subcommand("add", "登记投诉");
  auto in = std::make_shared<ComplaintInput>();
  add_data_dir(*add, set.options);
  add_clerk(*add, set.options);
  add->add_option("--channel", in->channel, "oral 口头, written 书面, phone 电话, email 电子邮件")
      ->required()->check(CLI::IsMember({"oral", "written", "phone", "email"}));
  add->add_option("--against", in->target_kind, "window 窗口 / clerk 工作人员")
      ->required()->check(CLI::IsMember({"window", "clerk"}));
  add->add_option("--target", in->target, "窗口编号或工号")->required();
  add->add_option("--content", in->content, "投诉内容")->required();
  add->add_option("--case", in->case_ref, "相关受理编号");
  add->add_option("--name", in->complainant_name, "投诉人姓名（可匿名）");
  add->add_option("--phone", in->complainant_phone, "投诉人电话");
  on_store(*add, set, [&set, in](HallStore& hall) {
    in->recorded_by = clerk_id(set.options);
    auto r = ServiceRules(hall).file_complaint(*in);
    if (!r) return report(r.status());
    std::cout << "已登记投诉，编号 " << r->id << "\n";
    return 0;
  });

  auto* handle = complaint->add_subcommand("handle", "登记投诉处理情况、答复和结论");
  auto h = std::make_shared<HandleArgs>();
  add_data_dir(*handle, set.options);
  add_clerk(*handle, set.options);
  handle->add_option("ID", h->id, "投诉编号")->required();
  handle->add_option("--handling", h->handling, "处理情况")->required();
  handle->add_option("--reply", h->reply, "答复投诉人的内容")->required();
  handle->add_option("--outcome", h->outcome, "upheld 属实 / not_upheld 不属实")
      ->required()->check(CLI::IsMember({"upheld", "not_upheld"}));
  on_store(*handle, set, [&set, h](HallStore& hall) {
    auto r = ServiceRules(hall).handle_complaint(clerk_id(set.options), h->id, h->handling, h->reply, h->outcome);
    if (!r) return report(r.status());
    std::cout << "已登记投诉处理结果\n";
    print_flags(*r);
    return 0;
  });

  auto* list = complaint->add_subcommand("list", "列出投诉及处理结果");
  add_data_dir(*list, set.options);
  add_json(*list, set.options);
  on_store(*list, set, [&set](HallStore& hall) {
    auto reg = ServiceRules(hall).load();
    if (!reg) return report(reg.status());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : reg->complaints) {
      out.push_back({{"id", c.id}, {"filed_on", c.filed_on.to_string()}, {"channel", c.channel},
                     {"against", c.target_kind}, {"target", c.target}, {"content", c.content},
                     {"complainant", mask_name(c.complainant_name)}, {"phone", mask_phone(c.complainant_phone)},
                     {"handled", c.handled}, {"outcome", c.outcome}, {"reply", c.reply}});
      if (set.options.json) continue;
      std::cout << c.id << "  " << c.filed_on.to_string() << "  " << complaint_channel_label(c.channel) << "  "
                << (c.target_kind == "window" ? "窗口 " : "工作人员 ") << c.target << "  " << c.content << "  "
                << (!c.handled ? "待处理" : c.outcome == "upheld" ? "属实" : "不属实") << "\n";
    }
    if (set.options.json) print_json({{"complaints", out}});
    print_flags(reg->clerks_to_flag(today(hall)));
    return 0;
  });
}

}  // namespace hallsync::client::cli
