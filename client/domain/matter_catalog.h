// The matter catalog (事项目录): which matters a hall accepts, who guides them,
// their time limits and the materials the clerk must ask for all at once.
// Built from schema/catalog/matters.csv (format in schema/catalog/README.md);
// the platform later publishes replacements in the same CSV format.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "client/domain/time_limit.h"
#include "sync/api/result.h"

namespace hallsync::client {

// One row of the catalog. Only seq_no, department, matter_type, name and remark
// come from the published list; is_default marks rows whose other columns are ours.
struct Matter {
  int seq_no = 0;
  std::string matter_id, department, matter_type, name, remark;
  HandlingKind handling_kind = HandlingKind::Promised;
  int promised_days = 0;
  int legal_max_days = 0;
  TimeUnit time_unit = TimeUnit::WorkingDays;
  std::vector<std::string> materials;
  bool is_default = true;

  // The limit the hall promises; an extension may stretch it up to legal_limit().
  TimeLimit promised_limit() const { return {promised_days, time_unit}; }
  TimeLimit legal_limit() const { return {legal_max_days, time_unit}; }

  bool operator==(const Matter&) const = default;
};

// An immutable, validated catalog of one version. Cheap to search (about a
// hundred rows), so lookups are linear scans in catalog order.
class MatterCatalog {
 public:
  // Parses CSV text (RFC 4180 quoting, '#' comment lines, a
  // '# catalog_version: …' comment before the header). A malformed catalog is a
  // Status::validation naming the line and what is wrong; nothing is half-loaded.
  static Result<MatterCatalog> parse_csv(std::string_view csv_text);

  // The catalog shipped inside the binary, parsed once. Aborts with a message
  // if the shipped file is broken: that is a build defect, not a runtime state.
  static const MatterCatalog& builtin();

  // The version a case records when it is accepted, e.g. "ganxian-2020.1+defaults.1".
  const std::string& version() const { return version_; }
  const std::vector<Matter>& matters() const { return matters_; }

  // Exact matter id, or the bare sequence number ("7", "007"); null if absent.
  // Pointers stay valid for the catalog's lifetime.
  const Matter* find(std::string_view matter_id) const;

  // Matters whose id, name, department, type or remark contains `query`
  // (ASCII case-insensitive), in catalog order; an empty query returns all.
  std::vector<const Matter*> search(std::string_view query) const;

  // The same CSV format parse_csv reads: parse_csv(to_csv()) equals *this.
  std::string to_csv() const;

  bool operator==(const MatterCatalog&) const = default;

 private:
  std::string version_;
  std::vector<std::string> comments_;  // other leading '#' lines, kept verbatim
  std::vector<Matter> matters_;
};

// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
std::string csv_field(std::string_view s);

}  // namespace hallsync::client
