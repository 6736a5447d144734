// How every benchmark reports a figure: a table row on stdout and one JSON
// object on stderr (what was measured, on what data, how many runs, median
// with min–max), which tools/bench/run.sh collects. Header-only: each bench is
// a single executable.
#pragma once

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hallsync::bench {

// The value at quantile p (0..1) of `v`, nearest rank below.
inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

// One figure over runs: `values` holds one value per run.
inline void report_figure(const std::string& benchmark, const std::string& figure, const std::string& unit,
                          const std::string& data, const std::vector<double>& values) {
  if (values.empty()) return;
  double median = percentile(values, 0.5);
  double lo = *std::min_element(values.begin(), values.end()), hi = *std::max_element(values.begin(), values.end());
  std::printf("  %-30s median %12.3f   min %12.3f   max %12.3f  %s\n", figure.c_str(), median, lo, hi, unit.c_str());
  nlohmann::json j = {{"benchmark", benchmark}, {"figure", figure}, {"unit", unit}, {"data", data},
                      {"runs", values.size()}, {"median", median}, {"min", lo}, {"max", hi}};
  std::fprintf(stderr, "%s\n", j.dump().c_str());
  std::fflush(stdout);
}

}  // namespace hallsync::bench
