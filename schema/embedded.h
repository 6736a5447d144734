// Data files compiled into the binaries: SQL migrations, the matter catalog
// and the working-day calendar. A hall PC needs nothing beside the binary.
#pragma once

#include <string_view>
#include <vector>

namespace hallsync::schema {

struct EmbeddedFile {
  std::string_view path;  // relative to schema/, e.g. "sql/local/0001_core.sql"
  std::string_view text;
};

const std::vector<EmbeddedFile>& embedded_files();

// The file at `path`, or an empty view if none is embedded under that name.
std::string_view embedded_file(std::string_view path);

// Migrations under `dir` ("sql/local" or "sql/hub"), ordered by their number.
struct SqlStep {
  int version;
  std::string_view name;
  std::string_view sql;
};
std::vector<SqlStep> sql_steps(std::string_view dir);

}  // namespace hallsync::schema
