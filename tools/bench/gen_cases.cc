// gen_cases: writes N seeded, realistic cases in the `hall import` format
// (JSON Lines) to stdout — for benchmarks, tests and trying the import.
//   gen_cases --seed 7 --count 1000 > cases.jsonl
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <string>

#include "client/testdata/case_generator.h"

using namespace hallsync::client;

int main(int argc, char** argv) {
  CLI::App app{"gen_cases — seeded cases in the hall import format (JSON Lines on stdout)"};
  testdata::GeneratorOptions options;
  long long count = 1000;
  std::string today = options.today.to_string();
  app.add_option("--seed", options.seed, "seed: the same seed writes the same file");
  app.add_option("--count", count, "number of cases")->check(CLI::NonNegativeNumber);
  app.add_option("--today", today, "last possible history date, YYYY-MM-DD (the importing hall's today or later)");
  app.add_option("--days-back", options.days_back, "acceptances fall within this many days before --today");
  std::string out_path;
  app.add_option("--out", out_path, "write here instead of stdout");
  CLI11_PARSE(app, argc, argv);
  auto date = CivilDate::parse(today);
  if (!date) {
    std::cerr << "gen_cases: --today is YYYY-MM-DD, not '" << today << "'\n";
    return 64;
  }
  options.today = *date;
  testdata::CaseGenerator generator(MatterCatalog::builtin(), options);
  std::ios::sync_with_stdio(false);
  std::ofstream file;
  if (!out_path.empty()) file.open(out_path, std::ios::binary | std::ios::trunc);
  std::ostream& out = out_path.empty() ? std::cout : file;
  for (long long i = 0; i < count; ++i) out << to_import_line(generator.next_case()) << '\n';
  out.flush();
  if (!out) {
    std::cerr << "gen_cases: could not write " << (out_path.empty() ? "stdout" : out_path) << "\n";
    return 1;
  }
  return 0;
}
