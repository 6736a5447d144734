// intake_bench: registers N cases one at a time, each its own durable commit
// (WAL + synchronous=FULL, as in production), and reports latency percentiles
// and throughput. A benchmark, never a test: it asserts nothing about speed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "client/store/case_repository.h"
#include "tools/bench/fake_people.h"
#include "tools/bench/percentile.h"

using namespace hallsync;
using namespace hallsync::client;

namespace {

using bench::percentile;

struct RunFigures {
  double p50_ms, p99_ms, cases_per_s;
};

// One run: a fresh store, `cases` registrations, each timed on its own.
bool run_once(int cases, const std::string& dir, RunFigures& out) {
  std::filesystem::remove_all(dir);
  auto store = HallStore::init(dir, {"360704100", "B01"}, SystemClock::instance());
  if (!store) {
    std::fprintf(stderr, "%s\n", store.status().to_string().c_str());
    return false;
  }
  CaseRepository repo(**store);
  std::vector<double> ms;
  ms.reserve(static_cast<std::size_t>(cases));
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < cases; ++i) {
    IntakeForm f = bench::intake_form((*store)->catalog(), i);
    auto t0 = std::chrono::steady_clock::now();
    auto v = repo.register_case(f);
    auto t1 = std::chrono::steady_clock::now();
    if (!v) {
      std::fprintf(stderr, "case %d: %s\n", i, v.status().to_string().c_str());
      return false;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out = {percentile(ms, 0.5), percentile(ms, 0.99), cases / total_s};
  std::filesystem::remove_all(dir);
  return true;
}

void report(const char* key, std::vector<double> values, int runs, int cases) {
  double med = percentile(values, 0.5);
  std::printf("  %-12s median %9.3f   min %9.3f   max %9.3f\n", key, med, *std::min_element(values.begin(), values.end()),
              *std::max_element(values.begin(), values.end()));
  std::fprintf(stderr, "{\"benchmark\":\"intake\",\"figure\":\"%s\",\"median\":%.3f,\"min\":%.3f,\"max\":%.3f,\"runs\":%d,\"cases\":%d}\n",
               key, med, *std::min_element(values.begin(), values.end()), *std::max_element(values.begin(), values.end()),
               runs, cases);
}

}  // namespace

// Usage: intake_bench [CASES=10000] [RUNS=3] [DIR]
// Prints a table on stdout and one JSON object per figure on stderr.
int main(int argc, char** argv) {
  int cases = argc > 1 ? std::atoi(argv[1]) : 10000;
  int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  std::string dir = argc > 3 ? argv[3] : (std::filesystem::temp_directory_path() / "hallsync-intake-bench").string();
  std::vector<double> p50, p99, rate;
  for (int r = 0; r < runs; ++r) {
    RunFigures f{};
    if (!run_once(cases, dir, f)) return 2;
    p50.push_back(f.p50_ms);
    p99.push_back(f.p99_ms);
    rate.push_back(f.cases_per_s);
  }
  std::printf("intake: %d cases registered one at a time, each a durable commit (WAL, synchronous=FULL); %d runs\n",
              cases, runs);
  report("p50_ms", p50, runs, cases);
  report("p99_ms", p99, runs, cases);
  report("cases_per_s", rate, runs, cases);
  return 0;
}
