// import_bench: bulk import speed (`hall import`'s library path) — N generated
// cases with histories, parsed, checked and written through the repository
// (change-log entries included), 200 cases per durable commit; then the same
// file again, which must write nothing. A benchmark, never a test.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>

#include "client/store/case_importer.h"
#include "client/testdata/case_generator.h"
#include "tools/bench/bench_report.h"

using namespace hallsync;
using namespace hallsync::client;
using Steady = std::chrono::steady_clock;

namespace {

double seconds_since(Steady::time_point t0) { return std::chrono::duration<double>(Steady::now() - t0).count(); }

}  // namespace

// Usage: import_bench [CASES=20000] [RUNS=3]
int main(int argc, char** argv) {
  int cases = argc > 1 ? std::atoi(argv[1]) : 20000;
  int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  auto dir = std::filesystem::temp_directory_path() / ("hallsync-import-bench-" + std::to_string(getpid()));
  const SystemClock& clock = SystemClock::instance();
  testdata::GeneratorOptions generated{.seed = 1, .today = CivilDate::from_unix_ms(clock.now_ms()).plus_days(-1)};
  testdata::CaseGenerator generator(MatterCatalog::builtin(), generated);
  std::string file;
  for (int i = 0; i < cases; ++i) file += to_import_line(generator.next_case()) + "\n";

  std::vector<double> first_rate, second_rate;
  for (int r = 0; r < runs; ++r) {
    std::filesystem::remove_all(dir);
    auto store = HallStore::init(dir.string(), {"360704100", "W01"}, clock);
    if (!store) {
      std::fprintf(stderr, "import_bench: %s\n", store.status().to_string().c_str());
      return 2;
    }
    for (std::vector<double>* rates : {&first_rate, &second_rate}) {
      std::istringstream in(file);
      auto t0 = Steady::now();
      auto summary = import_cases(**store, in);
      double s = seconds_since(t0);
      if (!summary) {
        std::fprintf(stderr, "import_bench: %s\n", summary.status().to_string().c_str());
        return 2;
      }
      bool first = rates == &first_rate;
      if (!summary->bad.empty() || summary->imported != (first ? static_cast<std::size_t>(cases) : 0)) {
        std::fprintf(stderr, "import_bench: %s pass imported %zu of %d (%zu bad lines)\n", first ? "first" : "second",
                     summary->imported, cases, summary->bad.size());
        return 2;
      }
      rates->push_back(cases / s);
    }
  }
  std::filesystem::remove_all(dir);
  std::printf("import: %d generated cases with histories (seed 1, %.1f MB of JSON Lines), 200 per commit; %d runs\n",
              cases, static_cast<double>(file.size()) / 1e6, runs);
  std::string data = std::to_string(cases) + " generated cases with histories (seed 1)";
  bench::report_figure("import", "import_cases_per_s", "cases/s", data + ", empty store", first_rate);
  bench::report_figure("import", "reimport_lines_per_s", "lines/s", data + ", all already present", second_rate);
  return 0;
}
