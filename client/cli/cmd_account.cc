// `hall account add|passwd|role|list`: the accounts staff sign in to halld's
// web page with (client/store/staff_accounts.h), each with a role
// (client/domain/staff_roles.h); kept on this hall PC only, unlike the synced
// staff roster of `hall staff`. Run on the hall PC by whoever sets it up (the
// audit log records the OS user); the password is read from standard input
// (not echoed on a terminal), never from the command line where `ps` and shell
// history keep it.
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "client/cli/cli_support.h"
#include "client/domain/staff_roles.h"
#include "client/store/staff_accounts.h"

namespace hallsync::client::cli {
namespace {

struct StaffArgs {
  std::string clerk_id, name, role = "clerk";
};

// One line from stdin; on a terminal asks twice with echo off.
Result<std::string> read_password() {
  const bool tty = isatty(STDIN_FILENO);
  auto read_line = [tty](const char* prompt) {
    termios old{};
    if (tty) {
      std::cerr << prompt << std::flush;
      tcgetattr(STDIN_FILENO, &old);
      termios quiet = old;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (tty) {
      tcsetattr(STDIN_FILENO, TCSANOW, &old);
      std::cerr << "\n";
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  };
  std::string first = read_line("密码：");
  if (tty && read_line("再输入一次：") != first) return Status::validation("两次输入的密码不一致");
  HALLSYNC_RETURN_IF_ERROR(validate_password(first));
  return first;
}

constexpr const char* kRoleHelp =
    "clerk 窗口人员 / supervisor 负责人（另管理账号）/ technician 技术人员（同步与诊断，不看办件）/ auditor 审计员（只读，查审计日志）";

}  // namespace

void add_account_commands(CLI::App& app, CommandSet& set) {
  auto* account = app.add_subcommand("account", "工作人员登录账号（网页登录）")->require_subcommand(1);

  auto* add = account->add_subcommand("add", "新建账号；密码从标准输入读取");
  auto a = std::make_shared<StaffArgs>();
  add_data_dir(*add, set.options);
  add->add_option("CLERK_ID", a->clerk_id, "工号（即办理记录中的经办人工号），如 c001")->required();
  add->add_option("--name", a->name, "姓名")->required();
  add->add_option("--role", a->role, kRoleHelp)->check(CLI::IsMember(staff_roles()));
  on_store(*add, set, [a](HallStore& store) {
    auto password = read_password();
    if (!password) return report(password.status());
    StaffAccount created{a->clerk_id, a->name, a->role, 0, 0};
    if (Status s = add_staff(store.db(), created, *password, store.clock().now_ms()); !s.is_ok()) return report(s);
    std::cout << "已新建账号 " << a->clerk_id << "（" << a->name << "，" << role_label(a->role)
              << "）。此后网页须登录后才能受理和查询。\n";
    return 0;
  });

  auto* passwd = account->add_subcommand("passwd", "重设密码；新密码从标准输入读取");
  auto p = std::make_shared<StaffArgs>();
  add_data_dir(*passwd, set.options);
  passwd->add_option("CLERK_ID", p->clerk_id, "工号")->required();
  on_store(*passwd, set, [p](HallStore& store) {
    auto password = read_password();
    if (!password) return report(password.status());
    Status s = set_staff_password(store.db(), p->clerk_id, *password, store.clock().now_ms());
    if (!s.is_ok()) return report(s);
    std::cout << "已重设 " << p->clerk_id << " 的密码（正在使用的登录在 halld 重启或超时后失效）\n";
    return 0;
  });

  auto* role = account->add_subcommand("role", "改变账号的角色（立即生效，包括已登录的会话）");
  auto ra = std::make_shared<StaffArgs>();
  add_data_dir(*role, set.options);
  role->add_option("CLERK_ID", ra->clerk_id, "工号")->required();
  role->add_option("--role", ra->role, kRoleHelp)->required()->check(CLI::IsMember(staff_roles()));
  on_store(*role, set, [ra](HallStore& store) {
    if (Status s = set_staff_role(store.db(), ra->clerk_id, ra->role, store.clock().now_ms()); !s.is_ok())
      return report(s);
    std::cout << "已将 " << ra->clerk_id << " 的角色改为 " << role_label(ra->role) << "（" << ra->role
              << "）；已登录的会话从下一次操作起按新角色生效\n";
    return 0;
  });

  auto* list = account->add_subcommand("list", "列出账号");
  add_data_dir(*list, set.options);
  add_json(*list, set.options);
  on_store(*list, set, [&set](HallStore& store) {
    auto rows = list_staff(store.db());
    if (!rows) return report(rows.status());
    if (set.options.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : *rows)
        out.push_back({{"clerk_id", r.clerk_id}, {"display_name", r.display_name}, {"role", r.role}});
      print_json({{"staff", out}});
      return 0;
    }
    if (rows->empty()) std::cout << "尚无账号：网页无需登录，经办人工号由请求填写（仅限本机）\n";
    for (const auto& r : *rows)
      std::cout << r.clerk_id << "  " << r.display_name << "  " << role_label(r.role) << "\n";
    return 0;
  });
}

}  // namespace hallsync::client::cli
