// `hall audit list [--since D] [--json]` and `hall audit export FILE [--since D]`:
// the hall's audit log (client/store/audit_log.h) on this PC. Whoever can read
// hall.db can run these (the OS account is the boundary on the PC); through
// halld only the auditor role reads it. An export is itself an audit entry,
// committed in the transaction that reads what it writes: there is no export
// the log does not show.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "client/cli/audit_views.h"
#include "client/cli/cli_support.h"
#include "client/store/audit_log.h"

namespace hallsync::client::cli {
namespace {

struct AuditArgs {
  std::string since, out;
};

constexpr int kMaxEntries = 1'000'000;

std::string csv_field(const std::string& v) {
  std::string q = "\"";
  for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string entries_csv(const std::vector<AuditEntry>& entries) {
  std::string out = "id,time,at_ms,actor,action,target,outcome,detail\n";
  for (const auto& e : entries)
    out += std::to_string(e.id) + "," + beijing_time(e.at_ms) + "," + std::to_string(e.at_ms) + "," + csv_field(e.actor) +
           "," + csv_field(e.action) + "," + csv_field(e.target) + "," + csv_field(e.outcome) + "," +
           csv_field(e.detail) + "\n";
  return out;
}

// Writes the export in the transaction that records it: the entry commits only
// once the file is complete, so there is no export the log does not show.
Result<std::size_t> write_export(Database& db, const AuditArgs& a, std::int64_t since, const AuditEntry& entry) {
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(db));
  HALLSYNC_RETURN_IF_ERROR(append_audit(db, entry));
  HALLSYNC_ASSIGN_OR_RETURN(auto entries, list_audit(db, since, kMaxEntries));
  std::ofstream out(a.out, std::ios::binary | std::ios::trunc);
  out << entries_csv(entries);
  out.close();
  if (!out) return Status::storage("无法写入文件 " + a.out + "：请检查目录是否存在、是否有写权限、磁盘是否已满");
  if (Status s = txn.commit(); !s.is_ok()) {
    std::remove(a.out.c_str());
    return s;
  }
  return entries.size();
}

int export_audit(HallStore& store, const AuditArgs& a) {
  auto since = audit_since_ms(a.since);
  if (!since) return report(since.status());
  // The target is the file's name only: a directory path may name a person.
  AuditEntry entry{0, store.clock().now_ms(), os_actor(), "audit_export", a.out.substr(a.out.find_last_of('/') + 1),
                   "ok", "since " + (a.since.empty() ? std::string("all") : a.since)};
  auto written = write_export(store.db(), a, *since, entry);
  if (!written) {
    // The attempt is recorded too (its transaction rolled back with the entry above).
    entry.outcome = "failed";
    if (Status s = record_audit(store.db(), entry); !s.is_ok()) std::cerr << "警告：审计记录失败：" << s.message() << "\n";
    return report(written.status());
  }
  std::cout << "已导出审计日志 " << *written << " 条：" << a.out << "（此次导出已记入审计日志）\n";
  return 0;
}

}  // namespace

void add_audit_commands(CLI::App& app, CommandSet& set) {
  auto* audit = app.add_subcommand("audit", "审计日志（登录、锁定、账号变更、导出、重新同步等）")->require_subcommand(1);

  auto* list = audit->add_subcommand("list", "列出审计日志，最早的在前");
  auto l = std::make_shared<AuditArgs>();
  add_data_dir(*list, set.options);
  add_json(*list, set.options);
  list->add_option("--since", l->since, "从这一天起（YYYY-MM-DD，北京时间）");
  on_store(*list, set, [&set, l](HallStore& store) {
    auto since = audit_since_ms(l->since);
    if (!since) return report(since.status());
    auto entries = list_audit(store.db(), *since, kMaxEntries);
    if (!entries) return report(entries.status());
    if (set.options.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& e : *entries) out.push_back(audit_entry_json(e));
      print_json({{"entries", out}});
      return 0;
    }
    if (entries->empty()) std::cout << "审计日志中没有记录\n";
    for (const auto& e : *entries)
      std::cout << beijing_time(e.at_ms) << "  " << e.actor << "  " << e.action << "  " << e.target << "  " << e.outcome
                << (e.detail.empty() ? "" : "  " + e.detail) << "\n";
    return 0;
  });

  auto* exp = audit->add_subcommand("export", "把审计日志导出为 CSV 文件（此次导出本身也记入审计日志）");
  auto x = std::make_shared<AuditArgs>();
  add_data_dir(*exp, set.options);
  exp->add_option("FILE", x->out, "输出文件，如 audit-2026.csv")->required();
  exp->add_option("--since", x->since, "从这一天起（YYYY-MM-DD，北京时间）");
  on_store(*exp, set, [x](HallStore& store) { return export_audit(store, *x); });
}

}  // namespace hallsync::client::cli
