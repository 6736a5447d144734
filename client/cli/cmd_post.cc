// `hall post set|list|away|back|handover`: windows (posts) with the matters
// they serve and their A and B holders (AB 岗工作制): absences, who is on duty,
// posts left with nobody, and the handover records (交接记录).
#include <iostream>

#include "client/cli/cli_support.h"
#include "client/store/service_rules.h"

namespace hallsync::client::cli {
namespace {

std::string handover_title(const std::string& kind) {
  if (kind == "departure") return "A岗离岗交接";
  if (kind == "takeover") return "B岗顶岗（A岗未及交接）";
  return "A岗返岗交接";
}

void print_handovers(const std::vector<HandoverRecord>& records) {
  for (const auto& h : records) {
    std::cout << "【交接记录】" << handover_title(h.kind) << "  窗口 " << h.post_code << "  " << h.on.to_string()
              << "  移交人 " << h.from_clerk << " → 接收人 " << h.to_clerk << "\n";
    if (!h.note.empty()) std::cout << "  交接说明：" << h.note << "\n";
    if (h.kind == "return") {
      std::cout << "  离岗期间办理的办件 " << h.cases.size() << " 件\n";
      for (const auto& c : h.cases) std::cout << "    " << c << "\n";
    }
  }
}

void print_gaps(const std::vector<CoverageGap>& gaps) {
  for (const auto& g : gaps)
    std::cerr << "警告：窗口 " << g.post_code << " 在 " << g.from.to_string() << " 至 " << g.to.to_string()
              << " A、B岗同时离岗，请分管领导指派人员顶岗\n";
}

}  // namespace

void add_post_commands(CLI::App& app, CommandSet& set) {
  auto* post = app.add_subcommand("post", "窗口岗位与AB岗")->require_subcommand(1);

  auto* define = post->add_subcommand("set", "设置窗口：承办事项、A岗和B岗");
  auto p = std::make_shared<Post>();
  add_data_dir(*define, set.options);
  add_clerk(*define, set.options);
  define->add_option("CODE", p->code, "窗口编号，如 W1")->required();
  define->add_option("--name", p->name, "窗口名称")->required();
  define->add_option("--matter", p->matters, "承办事项编号（可多次填写）")->required();
  define->add_option("--a", p->a_holder, "A岗承担人工号")->required();
  define->add_option("--b", p->b_holder, "B岗承担人工号")->required();
  on_store(*define, set, [&set, p](HallStore& hall) {
    auto r = ServiceRules(hall).define_post(clerk_id(set.options), *p);
    if (!r) return report(r.status());
    std::cout << "已设置窗口 " << r->code << "：A岗 " << r->a_holder << "，B岗 " << r->b_holder << "\n";
    return 0;
  });

  auto* list = post->add_subcommand("list", "列出窗口、今日在岗人员和离岗记录");
  add_data_dir(*list, set.options);
  add_json(*list, set.options);
  on_store(*list, set, [&set](HallStore& hall) {
    auto reg = ServiceRules(hall).load();
    if (!reg) return report(reg.status());
    CivilDate day = today(hall);
    nlohmann::json out = {{"posts", nlohmann::json::array()}, {"absences", nlohmann::json::array()}};
    for (const auto& [code, window] : reg->posts) {
      std::string duty = reg->on_duty(window, day);
      out["posts"].push_back({{"code", code}, {"name", window.name}, {"matters", window.matters},
                              {"a", window.a_holder}, {"b", window.b_holder}, {"on_duty", duty}});
      if (set.options.json) continue;
      std::cout << code << "  " << window.name << "  A岗 " << window.a_holder << "  B岗 " << window.b_holder << "  今日在岗 "
                << (duty.empty() ? "无（A、B岗同时离岗）" : duty) << "\n";
    }
    for (const auto& a : reg->absences) {
      out["absences"].push_back({{"id", a.id}, {"clerk_id", a.clerk_id}, {"kind", a.kind}, {"from", a.from.to_string()},
                                 {"to", a.to.to_string()}, {"returned", a.returned ? a.returned->to_string() : ""}});
      if (set.options.json) continue;
      std::cout << "离岗 " << a.id << "  " << a.clerk_id << "  " << absence_kind_label(a.kind) << "  "
                << a.from.to_string() << " 至 " << a.to.to_string()
                << (a.returned ? "  已于 " + a.returned->to_string() + " 返岗" : "") << "\n";
    }
    if (set.options.json) print_json(out);
    return 0;
  });

  auto* away = post->add_subcommand("away", "登记离岗（出差、开会、下乡、休假）");
  auto in = std::make_shared<AbsenceInput>();
  auto no_handover = std::make_shared<bool>(false);
  add_data_dir(*away, set.options);
  add_clerk(*away, set.options);
  away->add_option("CLERK", in->clerk_id, "离岗人员工号")->required();
  away->add_option("--kind", in->kind, "business_trip 出差, meeting 开会, village 下乡, leave 休假")
      ->required()->check(CLI::IsMember({"business_trip", "meeting", "village", "leave"}));
  away->add_option("--from", in->from, "开始日期 YYYY-MM-DD")->required();
  away->add_option("--to", in->to, "结束日期 YYYY-MM-DD")->required();
  away->add_option("--note", in->note, "交接说明");
  away->add_flag("--no-handover", *no_handover, "A岗来不及交接，B岗立即顶岗");
  on_store(*away, set, [&set, in, no_handover](HallStore& hall) {
    in->recorded_by = clerk_id(set.options);
    in->handed_over = !*no_handover;
    auto r = ServiceRules(hall).record_absence(*in);
    if (!r) return report(r.status());
    std::cout << "已登记离岗，记录编号 " << r->absence.id << "\n";
    print_handovers(r->handovers);
    print_gaps(r->gaps);
    return 0;
  });

  auto* back = post->add_subcommand("back", "登记返岗，生成返岗交接记录");
  auto b = std::make_shared<std::pair<std::string, std::string>>();
  add_data_dir(*back, set.options);
  add_clerk(*back, set.options);
  back->add_option("ABSENCE", b->first, "离岗记录编号")->required();
  back->add_option("--date", b->second, "返岗日期 YYYY-MM-DD（默认今天）");
  on_store(*back, set, [&set, b](HallStore& hall) {
    std::string day = b->second.empty() ? today(hall).to_string() : b->second;
    auto r = ServiceRules(hall).record_return(clerk_id(set.options), b->first, day);
    if (!r) return report(r.status());
    std::cout << "已登记返岗\n";
    print_handovers(*r);
    return 0;
  });

  auto* handover = post->add_subcommand("handover", "查看离岗记录的交接记录");
  auto id = std::make_shared<std::string>();
  add_data_dir(*handover, set.options);
  handover->add_option("ABSENCE", *id, "离岗记录编号")->required();
  on_store(*handover, set, [&set, id](HallStore& hall) {
    auto r = ServiceRules(hall).handovers(*id);
    if (!r) return report(r.status());
    if (r->empty()) std::cout << "该人员不是任何窗口的A岗，无需交接\n";
    print_handovers(*r);
    return 0;
  });
}

}  // namespace hallsync::client::cli
