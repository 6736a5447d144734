// `hall catalog list|show`: the matter catalog for picking a matter at the window.
#include <iostream>

#include "client/cli/cli_support.h"

namespace hallsync::client::cli {
namespace {

nlohmann::json matter_json(const Matter& m) {
  return {{"matter_id", m.matter_id},         {"seq_no", m.seq_no},
          {"department", m.department},       {"matter_type", m.matter_type},
          {"name", m.name},                   {"remark", m.remark},
          {"handling_kind", handling_kind_code(m.handling_kind)},
          {"promised_days", m.promised_days}, {"legal_max_days", m.legal_max_days},
          {"time_unit", time_unit_code(m.time_unit)},
          {"materials", m.materials},         {"is_default", m.is_default}};
}

std::string limit_text(const Matter& m) {
  if (m.handling_kind == HandlingKind::Instant) return "即办件";
  return "承诺件 " + std::to_string(m.promised_days) + std::string(time_unit_label(m.time_unit));
}

}  // namespace

void add_catalog_commands(CLI::App& app, CommandSet& set) {
  auto* catalog = app.add_subcommand("catalog", "事项目录")->require_subcommand(1);

  auto* list = catalog->add_subcommand("list", "列出事项（可按名称、部门、编号筛选）");
  auto query = std::make_shared<std::string>();
  add_data_dir(*list, set.options);
  add_json(*list, set.options);
  list->add_option("--search", *query, "按名称、部门或编号筛选");
  list->callback([&set, query] {
    set.action = [&set, query] {
      auto store = open_store(set.options);
      if (!store) return 3;
      const auto& cat = store->catalog();
      std::vector<const Matter*> rows;
      if (query->empty()) {
        for (const auto& m : cat.matters()) rows.push_back(&m);
      } else {
        rows = cat.search(*query);
      }
      if (set.options.json) {
        nlohmann::json out = {{"catalog_version", cat.version()}, {"matters", nlohmann::json::array()}};
        for (const auto* m : rows) out["matters"].push_back(matter_json(*m));
        print_json(out);
        return 0;
      }
      std::cout << "事项目录 " << cat.version() << "，共 " << rows.size() << " 项\n";
      for (const auto* m : rows)
        std::cout << m->matter_id << "  " << m->department << "  " << m->name << "  [" << limit_text(*m) << "]\n";
      return 0;
    };
  });

  auto* show = catalog->add_subcommand("show", "查看一个事项：时限与所需材料");
  auto id = std::make_shared<std::string>();
  add_data_dir(*show, set.options);
  add_json(*show, set.options);
  show->add_option("MATTER", *id, "事项编号，如 GX-035")->required();
  show->callback([&set, id] {
    set.action = [&set, id] {
      auto store = open_store(set.options);
      if (!store) return 3;
      const Matter* m = store->catalog().find(*id);
      if (!m) return report(Status::not_found("事项“" + *id + "”不在事项目录中"));
      if (set.options.json) {
        print_json(matter_json(*m));
        return 0;
      }
      std::cout << m->matter_id << " " << m->name << "\n行业指导部门：" << m->department << "\n事项类型：" << m->matter_type
                << "\n办件类型：" << limit_text(*m) << "（法定最长 " << m->legal_max_days << time_unit_label(m->time_unit)
                << "）\n";
      if (!m->remark.empty()) std::cout << "备注：" << m->remark << "\n";
      std::cout << "所需材料：\n";
      int i = 1;
      for (const auto& mat : m->materials) std::cout << "  " << i++ << ". " << mat << "\n";
      if (m->is_default) std::cout << "（时限与材料为系统默认值，以平台发布的事项目录为准）\n";
      return 0;
    };
  });
}

}  // namespace hallsync::client::cli
