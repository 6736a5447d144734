// Township codes of 赣县区 (DOMAIN.md). The list is short and changes only by
// administrative reform, so it is a table here rather than catalog data.
#include "client/domain/townships.h"

#include <array>

namespace hallsync::client {
namespace {

struct Township {
  std::string_view code;  // 9-digit township-level code
  std::string_view name;
};

constexpr std::array<Township, 20> kTownships = {{
    {"360704100", "梅林镇"},   {"360704101", "王母渡镇"}, {"360704102", "沙地镇"},
    {"360704103", "江口镇"},   {"360704104", "田村镇"},   {"360704105", "南塘镇"},
    {"360704106", "茅店镇"},   {"360704107", "吉埠镇"},   {"360704108", "五云镇"},
    {"360704109", "湖江镇"},   {"360704110", "储潭镇"},   {"360704111", "韩坊镇"},
    {"360704201", "阳埠乡"},   {"360704202", "大埠乡"},   {"360704203", "长洛乡"},
    {"360704204", "大田乡"},   {"360704207", "石芫乡"},   {"360704208", "三溪乡"},
    {"360704209", "白鹭乡"},
    // Not a township government, but it runs a service hall of its own.
    {"360704400", "江西赣县经济开发区"},
}};

// The 12-digit form is the 9-digit code followed by a 3-digit village-level
// part of zeros; any other tail names a village, not the township hall.
std::string_view township_code(std::string_view code) {
  if (code.size() == 12 && code.substr(9) == "000") return code.substr(0, 9);
  return code;
}

}  // namespace

std::string_view township_name(std::string_view hall_code) {
  const std::string_view code = township_code(hall_code);
  for (const auto& t : kTownships)
    if (t.code == code) return t.name;
  return {};
}

std::string hall_display_name(std::string_view hall_code) {
  const std::string_view name = township_name(hall_code);
  if (name.empty()) return "乡镇综合便民服务中心（" + std::string(hall_code) + "）";
  return std::string(name) + "综合便民服务中心";
}

}  // namespace hallsync::client
