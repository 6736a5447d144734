// Lookup over the embedded data files.
#include "schema/embedded.h"

#include <algorithm>
#include <charconv>

namespace hallsync::schema {

std::string_view embedded_file(std::string_view path) {
  for (const auto& f : embedded_files())
    if (f.path == path) return f.text;
  return {};
}

std::vector<SqlStep> sql_steps(std::string_view dir) {
  std::vector<SqlStep> steps;
  for (const auto& f : embedded_files()) {
    if (f.path.size() <= dir.size() + 1 || f.path.substr(0, dir.size()) != dir || f.path[dir.size()] != '/') continue;
    std::string_view name = f.path.substr(dir.size() + 1);
    int version = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), version);
    if (ec != std::errc() || end == name.data()) continue;  // not a numbered migration
    steps.push_back({version, name, f.text});
  }
  std::sort(steps.begin(), steps.end(), [](const SqlStep& a, const SqlStep& b) { return a.version < b.version; });
  return steps;
}

}  // namespace hallsync::schema
