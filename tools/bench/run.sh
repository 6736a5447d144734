#!/usr/bin/env bash
# tools/bench/run.sh — builds and runs every benchmark; prints a table on the
# terminal and writes the figures as JSON lines to $BENCH_OUT
# (default build/bench-results.jsonl). Each figure: median, min and max over runs.
#   BENCH_INTAKE_CASES (10000)  BENCH_RUNS (3)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${HALLSYNC_BUILD_DIR:-$root/build}
out=${BENCH_OUT:-$build/bench-results.jsonl}
bash "$root/tools/setup.sh" >/dev/null
echo "machine: $(nproc) cores, $(uname -sr); $(date -u +%Y-%m-%dT%H:%MZ)"
"$build/tools/intake_bench" "${BENCH_INTAKE_CASES:-10000}" "${BENCH_RUNS:-3}" 2> "$out"
echo "figures written to $out"
