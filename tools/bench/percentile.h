// The p-th percentile (0..1) of a sample, nearest rank below; 0 for none.
// Shared by the benchmarks that report latency percentiles and medians.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace hallsync::bench {

inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace hallsync::bench
