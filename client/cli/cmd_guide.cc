// `hall guide MATTER [--html] [--out FILE]`: the printable service guide
// (办事指南) of a matter in the current catalog.
#include <iostream>

#include "client/cli/cli_support.h"
#include "client/domain/service_guide.h"

namespace hallsync::client::cli {
namespace {

struct GuideArgs {
  std::string matter, out;
  bool html = false;
};

}  // namespace

void add_guide_command(CLI::App& app, CommandSet& set) {
  auto* cmd = app.add_subcommand("guide", "打印事项的办事指南（文本或 HTML）");
  auto a = std::make_shared<GuideArgs>();
  add_data_dir(*cmd, set.options);
  cmd->add_option("MATTER", a->matter, "事项编号")->required();
  cmd->add_flag("--html", a->html, "输出可打印的 HTML（A4）");
  cmd->add_option("--out", a->out, "写入文件（默认输出到屏幕）");
  on_store(*cmd, set, [&set, a](HallStore& hall) {
    const Matter* m = hall.catalog().find(a->matter);
    if (!m) return report(Status::not_found("事项目录中没有事项“" + a->matter + "”"));
    DocumentLayout layout = service_guide_layout(*m, hall.identity().hall_code, today(hall));
    std::string body = a->html ? layout_to_html(layout) : layout_to_text(layout);
    return write_output(body, a->out, "办事指南");
  });
}

}  // namespace hallsync::client::cli
