// `hall conflicts list|resolve`: events the fold could not apply because of
// concurrent work (e.g. delivered at the window while the back office refused).
// Both events are kept; a person settles the case and records how.
#include <iostream>

#include "client/cli/cli_support.h"
#include "client/domain/text_rules.h"

namespace hallsync::client::cli {
namespace {

struct ResolveArgs {
  std::string case_ref, event_id, reason;
};

}  // namespace

void add_conflict_commands(CLI::App& app, CommandSet& set) {
  auto* conflicts = app.add_subcommand("conflicts", "同步冲突")->require_subcommand(1);

  auto* list = conflicts->add_subcommand("list", "列出待处理的冲突");
  add_data_dir(*list, set.options);
  add_json(*list, set.options);
  list->callback([&set] {
    set.action = [&set] {
      auto store = open_store(set.options);
      if (!store) return 3;
      CaseRepository repo(*store);
      auto ids = repo.cases_with_conflicts();
      if (!ids) return report(ids.status());
      nlohmann::json out = nlohmann::json::array();
      for (const auto& id : *ids) {
        auto v = repo.load(id);
        if (!v) return report(v.status());
        for (const auto& c : v->conflicts) {
          if (c.resolved) continue;
          out.push_back({{"case_id", v->case_id}, {"acceptance_no", v->acceptance_no}, {"event_id", c.event_id},
                         {"message", c.message}, {"state", case_state_code(v->state)}});
          if (!set.options.json)
            std::cout << v->acceptance_no << "  当前状态 " << case_state_label(v->state) << "  冲突事件 " << c.event_id
                      << "：" << c.message << "\n";
        }
      }
      if (set.options.json) print_json({{"conflicts", out}});
      else if (out.empty()) std::cout << "没有待处理的冲突\n";
      return 0;
    };
  });

  auto* resolve = conflicts->add_subcommand("resolve", "登记冲突的处理结果（两个事件都保留）");
  auto a = std::make_shared<ResolveArgs>();
  add_data_dir(*resolve, set.options);
  add_clerk(*resolve, set.options);
  resolve->add_option("CASE", a->case_ref, "受理编号或案件ID")->required();
  resolve->add_option("--event", a->event_id, "冲突事件编号（见 hall conflicts list）")->required();
  resolve->add_option("--reason", a->reason, "处理说明，如：经核实以后台不予许可决定为准，已电话告知申请人")->required();
  resolve->callback([&set, a] {
    set.action = [&set, a] {
      auto store = open_store(set.options);
      if (!store) return 3;
      auto reason = validate_free_text(a->reason, "处理说明", 500, true);
      if (!reason) return report(reason.status());
      schema::CaseEvent e;
      e.kind = schema::EventKind::ConflictResolved;
      e.clerk_id = clerk_id(set.options);
      e.ref_event_id = a->event_id;
      e.reason = *reason;
      if (Status s = validate_clerk_id(e.clerk_id); !s.is_ok()) return report(s);
      CaseRepository repo(*store);
      auto v = repo.record(a->case_ref, e);
      if (!v) return report(v.status());
      std::cout << "已登记冲突处理：" << v->acceptance_no << "，尚有 " << v->open_conflicts() << " 个待处理冲突\n";
      return 0;
    };
  });
}

}  // namespace hallsync::client::cli
