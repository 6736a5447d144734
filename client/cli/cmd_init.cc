// `hall init`: creates the hall's local store for one device.
#include <iostream>

#include "client/cli/cli_support.h"
#include "client/domain/townships.h"
#include "client/store/store_key.h"

namespace hallsync::client::cli {

void add_init_command(CLI::App& app, CommandSet& set) {
  auto* cmd = app.add_subcommand("init", "初始化本机大厅数据库");
  auto identity = std::make_shared<HallIdentity>();
  add_data_dir(*cmd, set.options);
  cmd->add_option("--hall", identity->hall_code, "大厅（乡镇）区划代码，如 360704100")->required();
  cmd->add_option("--device", identity->device_code, "本机设备编码，如 W01")->required();
  cmd->callback([&set, identity] {
    set.action = [&set, identity] {
      std::string dir = data_dir(set.options);
      if (dir.empty()) return report(Status::validation("请用 --data-dir 指定数据目录"));
      auto store = HallStore::init(dir, *identity, SystemClock::instance());
      if (!store) return report(store.status());
      std::cout << "已初始化：" << hall_display_name(identity->hall_code) << "，设备 " << identity->device_code
                << "\n事项目录版本 " << (*store)->catalog().version() << "（" << (*store)->catalog().matters().size()
                << " 项），工作日历版本 " << (*store)->calendar().version() << "\n"
                << "个人信息加密密钥：" << key_file_path(dir) << "（请技术人员另行离线备份；丢失后只能从省平台重建）\n";
      return 0;
    };
  });
}

}  // namespace hallsync::client::cli
