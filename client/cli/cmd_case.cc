// `hall case new|list|show|print`: registering and reading cases.
#include <algorithm>
#include <fstream>
#include <iostream>

#include "client/cli/cli_support.h"
#include "client/domain/documents.h"
#include "client/domain/work_calendar.h"
#include "sync/api/redact.h"

namespace hallsync::client::cli {
namespace {

void print_case_text(const CaseView& v, HallStore& store) {
  nlohmann::json j = case_detail_json(v, store, today(store));
  std::cout << "受理编号：" << v.acceptance_no << "\n";
  if (!v.platform_case_no.empty()) std::cout << "平台办件编号：" << v.platform_case_no << "\n";
  std::cout << "事项：" << v.matter_id << " " << matter_name(store, v.matter_id) << "\n"
            << "申请人：" << v.applicant.name << "  身份证 " << mask_id_number(v.applicant.id_number) << "  电话 "
            << mask_phone(v.applicant.phone) << "\n"
            << "状态：" << case_state_label(v.state) << (v.paused ? "（特别程序中，暂停计时）" : "") << "\n"
            << "受理日期：" << v.accepted_on.to_string() << "  首问负责人：" << v.first_clerk << "\n";
  if (!j["due_on"].is_null()) std::cout << "办结期限：" << j["due_on"].get<std::string>() << "\n";
  for (const auto& w : j["deadline_warnings"]) std::cout << "注意：" << w.get<std::string>() << "\n";
  if (!v.materials_missing.empty()) {
    std::cout << "待补正材料：";
    for (const auto& m : v.materials_missing) std::cout << m << "；";
    std::cout << "\n";
  }
  if (v.handler != v.first_clerk) std::cout << "承办人：" << v.handler << "\n";
  for (const auto& d : v.deferred)
    std::cout << "容缺后补材料：" << d.name << "  期限 " << d.due.to_string()
              << (d.supplied ? "  已于 " + d.supplied_on.to_string() + " 补齐" : "  未补齐") << "\n";
  for (const auto& b : v.one_time_breaches) {
    std::cout << "违反一次性告知：" << b.on.to_string() << " " << b.clerk_id << " 新增告知";
    for (const auto& m : b.materials) std::cout << "“" << m << "”";
    std::cout << "\n";
  }
  for (const auto& f : v.service_flags) std::cout << "拓展服务：" << service_flag_label(f) << "\n";
  if (!v.evaluation.empty())
    std::cout << "满意度评价：" << v.evaluation << (v.evaluation_comment.empty() ? "" : "（" + v.evaluation_comment + "）") << "\n";
  if (!j["attachments"].empty()) {
    std::cout << "扫描材料：\n";
    for (const auto& a : j["attachments"])
      std::cout << "  " << a["material"].get<std::string>() << "  " << a["media_type"].get<std::string>() << "  "
                << a["size"].get<std::int64_t>() / 1024 << " KB  " << a["upload_state_label"].get<std::string>()
                << (a["downscaled"].get<bool>() ? "  " + a["downscale_note"].get<std::string>() : "") << "\n";
  }
  std::cout << "办理记录：\n";
  for (const auto& e : v.events)
    std::cout << "  " << CivilDate::from_unix_ms(e.wall_ms).to_string() << "  " << event_kind_label(e.kind) << "  经办人 "
              << e.clerk_id << "  " << (e.device_id == "hub" ? "来自平台（后台）" : "设备 " + e.device_id) << "\n";
  for (const auto& c : v.conflicts)
    if (!c.resolved) std::cout << "冲突（待处理）：" << c.message << "  [" << c.event_id << "]\n";
  std::cout << "可打印文书（--doc）：";
  for (auto kind : available_documents(v)) std::cout << document_kind_code(kind) << " " << document_kind_title(kind) << "  ";
  std::cout << "\n";
}

struct NewCaseArgs {
  IntakeForm form;
  bool all_materials = false;
};
struct ListArgs {
  std::string status, matter, search;
  bool overdue = false;
  int due_within = -1;
  int limit = 200;
};
struct PrintArgs {
  std::string case_ref, doc, out;
  bool html = false;
};

}  // namespace

void add_case_commands(CLI::App& app, CommandSet& set) {
  auto* case_cmd = app.add_subcommand("case", "办件（案件）")->require_subcommand(1);

  auto* create = case_cmd->add_subcommand("new", "受理登记新办件");
  auto n = std::make_shared<NewCaseArgs>();
  add_data_dir(*create, set.options);
  add_clerk(*create, set.options);
  add_json(*create, set.options);
  create->add_option("--matter", n->form.matter_id, "事项编号，如 GX-035")->required();
  create->add_option("--name", n->form.applicant_name, "申请人姓名")->required();
  create->add_option("--id-number", n->form.id_number, "申请人身份证号码")->required();
  create->add_option("--phone", n->form.phone, "联系电话")->required();
  create->add_option("--material", n->form.materials_received, "已收材料（可多次填写）");
  create->add_flag("--all-materials", n->all_materials, "事项所需材料已全部收到");
  create->add_option("--note", n->form.note, "备注");
  create->add_option("--defer", n->form.deferred, "容缺受理：后补的非关键材料（可多次填写）");
  create->add_option("--defer-until", n->form.deferred_until, "容缺材料的补交期限 YYYY-MM-DD");
  create->callback([&set, n] {
    set.action = [&set, n] {
      auto store = open_store(set.options);
      if (!store) return 3;
      n->form.clerk_id = clerk_id(set.options);
      if (n->all_materials) {
        if (const Matter* m = store->catalog().find(n->form.matter_id))
          for (const auto& mat : m->materials)
            if (std::find(n->form.materials_received.begin(), n->form.materials_received.end(), mat) ==
                n->form.materials_received.end())
              n->form.materials_received.push_back(mat);
      }
      CaseRepository repo(*store);
      auto v = repo.register_case(n->form);
      if (!v) return report(v.status());
      if (set.options.json) {
        print_json(case_detail_json(*v, *store, today(*store)));
        return 0;
      }
      std::cout << "受理成功，受理编号 " << v->acceptance_no << "（状态：" << case_state_label(v->state) << "）\n";
      if (v->handler != v->first_clerk) std::cout << "承办人：" << v->handler << "（所属窗口今日在岗人员）\n";
      if (v->state == CaseState::AwaitingMaterials)
        std::cout << "材料不全，已生成一次性告知书，请打印交申请人：hall case print " << v->acceptance_no
                  << " --doc one-time\n";
      else
        std::cout << "请打印受理通知书：hall case print " << v->acceptance_no << " --doc acceptance\n";
      return 0;
    };
  });

  auto* list = case_cmd->add_subcommand("list", "办件列表");
  auto l = std::make_shared<ListArgs>();
  add_data_dir(*list, set.options);
  add_json(*list, set.options);
  list->add_option("--status", l->status, "按状态筛选")
      ->check(CLI::IsMember({"accepted", "awaiting_materials", "forwarded", "approved", "refused", "delivered", "withdrawn"}));
  list->add_option("--matter", l->matter, "按事项编号筛选");
  list->add_flag("--overdue", l->overdue, "只列出已超期的办件");
  list->add_option("--due-within", l->due_within, "只列出 N 个工作日内到期的办件")->check(CLI::Range(0, 365));
  list->add_option("--search", l->search, "按受理编号、姓名或身份证号查找");
  list->add_option("--limit", l->limit, "最多列出条数")->check(CLI::Range(1, 100000));
  list->callback([&set, l] {
    set.action = [&set, l] {
      auto store = open_store(set.options);
      if (!store) return 3;
      CaseFilter f;
      if (!l->status.empty()) f.state = parse_case_state(l->status);
      if (!l->matter.empty()) {
        const Matter* m = store->catalog().find(l->matter);
        f.matter_id = m ? m->matter_id : l->matter;
      }
      f.overdue_only = l->overdue;
      f.due_within_days = l->due_within;
      f.search = l->search;
      f.today = today(*store);
      f.limit = l->limit;
      CaseRepository repo(*store);
      auto rows = repo.list(f);
      if (!rows) return report(rows.status());
      if (set.options.json) {
        nlohmann::json out = {{"cases", nlohmann::json::array()}};
        for (const auto& s : *rows) out["cases"].push_back(case_summary_json(s, *store, f.today));
        print_json(out);
        return 0;
      }
      std::cout << "共 " << rows->size() << " 件\n";
      for (const auto& s : *rows) {
        std::string ds = deadline_state(s.due_on, s.state, store->calendar(), f.today);
        std::cout << s.acceptance_no << "  " << s.applicant_name << "  " << matter_name(*store, s.matter_id) << "  "
                  << case_state_label(s.state) << "  期限 " << (s.due_on.empty() ? "—" : s.due_on)
                  << (ds == "overdue" ? "（已超期）" : ds == "due_soon" ? "（即将到期）" : "")
                  << (s.conflicts ? "  ⚠冲突" : "") << "\n";
      }
      return 0;
    };
  });

  auto* show = case_cmd->add_subcommand("show", "查看办件详情与办理记录");
  auto ref = std::make_shared<std::string>();
  add_data_dir(*show, set.options);
  add_json(*show, set.options);
  show->add_option("CASE", *ref, "受理编号或案件ID")->required();
  show->callback([&set, ref] {
    set.action = [&set, ref] {
      auto store = open_store(set.options);
      if (!store) return 3;
      CaseRepository repo(*store);
      auto v = repo.load(*ref);
      if (!v) return report(v.status());
      if (set.options.json)
        print_json(case_detail_json(*v, *store, today(*store)));
      else
        print_case_text(*v, *store);
      return 0;
    };
  });

  auto* print = case_cmd->add_subcommand("print", "打印文书");
  auto p = std::make_shared<PrintArgs>();
  add_data_dir(*print, set.options);
  print->add_option("CASE", p->case_ref, "受理编号或案件ID")->required();
  print->add_option("--doc", p->doc, "文书：acceptance 受理通知书, one-time 一次性告知书, receipt 材料接收清单, "
                                     "refusal 不予受理/不予许可决定书, extension 延期办结告知书")
      ->required();
  print->add_flag("--html", p->html, "输出可打印的 HTML（A4）");
  print->add_option("--out", p->out, "写入文件（默认输出到屏幕）");
  print->callback([&set, p] {
    set.action = [&set, p] {
      auto store = open_store(set.options);
      if (!store) return 3;
      auto kind = parse_document_kind(p->doc);
      if (!kind) return report(Status::validation("未知的文书类型：" + p->doc));
      CaseRepository repo(*store);
      auto v = repo.load(p->case_ref);
      if (!v) return report(v.status());
      auto doc = render_case_document(*store, *v, *kind);
      if (!doc) return report(doc.status());
      const std::string& body = p->html ? doc->html : doc->text;
      if (p->out.empty()) {
        std::cout << body;
        return 0;
      }
      std::ofstream out(p->out, std::ios::binary);
      out << body;
      if (!out) return report(Status::storage("无法写入文件 " + p->out));
      std::cout << "已生成 " << doc->title << "：" << p->out << "\n";
      return 0;
    };
  });

  add_case_step_commands(*case_cmd, set);
  add_case_material_commands(*case_cmd, set);
}

}  // namespace hallsync::client::cli
