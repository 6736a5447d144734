// `hall import FILE.jsonl`: loads cases exported from a previous system
// (format in README.md). Bad lines are listed with their line numbers; the good
// ones are imported; a second run of the same file imports nothing.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "client/cli/cli_support.h"
#include "client/store/case_importer.h"

namespace hallsync::client::cli {
namespace {

// A bar redrawn in place on a terminal; a plain line every tenth otherwise
// (logs and pipes should not fill with carriage returns).
class Progress {
 public:
  explicit Progress(std::uint64_t total_bytes) : total_(std::max<std::uint64_t>(total_bytes, 1)), tty_(isatty(2)) {}
  void update(std::size_t lines, std::uint64_t bytes) {
    int percent = static_cast<int>(std::min<std::uint64_t>(100, bytes * 100 / total_));
    if (tty_) {
      int filled = percent * 30 / 100;
      std::cerr << "\r导入中 [" << std::string(static_cast<std::size_t>(filled), '#')
                << std::string(static_cast<std::size_t>(30 - filled), ' ') << "] " << percent << "%  已读 " << lines
                << " 行" << std::flush;
    } else if (percent / 10 > shown_ / 10) {
      std::cerr << "已读 " << lines << " 行（" << percent << "%）\n";
    }
    shown_ = std::max(shown_, percent);
  }
  void finish() {
    if (tty_) std::cerr << "\n";
  }

 private:
  std::uint64_t total_;
  bool tty_;
  int shown_ = 0;
};

}  // namespace

void add_import_command(CLI::App& app, CommandSet& set) {
  auto* cmd = app.add_subcommand("import", "从旧系统导入案件（JSON Lines，每行一件）");
  auto file = std::make_shared<std::string>();
  add_data_dir(*cmd, set.options);
  add_json(*cmd, set.options);
  cmd->add_option("FILE", *file, "导入文件，如 cases.jsonl（格式见 README）")->required();
  cmd->callback([&set, file] {
    set.action = [&set, file] {
      auto store = open_store(set.options);
      if (!store) return 3;
      std::ifstream in(*file, std::ios::binary);
      if (!in) return report(Status::not_found("无法打开导入文件“" + *file + "”"));
      std::error_code ec;
      Progress progress(std::filesystem::file_size(*file, ec));
      ImportOptions options;
      options.progress = [&progress](std::size_t lines, std::uint64_t bytes) { progress.update(lines, bytes); };
      auto summary = import_cases(*store, in, options);
      progress.finish();
      if (!summary) return report(summary.status().with_context("导入中断（已提交的案件保留，重新运行可继续）"));
      for (const auto& bad : summary->bad) std::cerr << "第" << bad.line << "行：" << bad.reason << "\n";
      if (set.options.json) {
        nlohmann::json out = {{"lines", summary->lines},
                              {"imported", summary->imported},
                              {"already_present", summary->already_present},
                              {"bad", nlohmann::json::array()}};
        for (const auto& bad : summary->bad) out["bad"].push_back({{"line", bad.line}, {"reason", bad.reason}});
        print_json(out);
      } else {
        std::cout << "导入完成：共 " << summary->lines << " 行，新导入 " << summary->imported << " 件，已存在 "
                  << summary->already_present << " 件（未重复导入），有误 " << summary->bad.size() << " 行\n";
        if (!summary->bad.empty()) std::cout << "有误的行未导入：请按上面的行号改正后重新运行本命令（已导入的不会重复）\n";
      }
      return summary->bad.empty() ? 0 : 1;
    };
  });
}

}  // namespace hallsync::client::cli
