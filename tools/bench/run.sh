#!/usr/bin/env bash
# tools/bench/run.sh — builds and runs every benchmark; prints a table and
# writes each run's figures as JSON lines to $BENCH_OUT (default
# build/bench-results.jsonl). Figures are medians with min–max over runs.
#   BENCH_RUNS (3)  BENCH_INTAKE_CASES (10000)  BENCH_SYNC_EVENTS (100000)
#   BENCH_SYNC_TRANSPORT (http | direct)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${HALLSYNC_BUILD_DIR:-$root/build}
out=${BENCH_OUT:-$build/bench-results.jsonl}
runs=${BENCH_RUNS:-3}
bash "$root/tools/setup.sh" >/dev/null
echo "machine: $(nproc) cores, $(uname -sr); $(date -u +%Y-%m-%dT%H:%MZ)"
"$build/tools/intake_bench" "${BENCH_INTAKE_CASES:-10000}" "$runs" 2> "$out"

sync_runs=$(mktemp)
for _ in $(seq "$runs"); do
  "$build/tools/sync_bench" "${BENCH_SYNC_EVENTS:-100000}" "${BENCH_SYNC_TRANSPORT:-http}" 2>> "$sync_runs" >/dev/null
done
cat "$sync_runs" >> "$out"
echo "sync: ${BENCH_SYNC_EVENTS:-100000} new cases, transport ${BENCH_SYNC_TRANSPORT:-http}; $runs runs"
# Median, min and max of each figure over the runs.
sed -n 's/.*"figure":"\([^"]*\)","value":\([0-9.]*\).*/\1 \2/p' "$sync_runs" | sort -k1,1 -k2,2n |
  awk '{v[$1]=v[$1] " " $2; n[$1]++} END {for (f in v) {split(substr(v[f],2), a, " "); m=a[int((n[f]+1)/2)];
       printf "  %-30s median %10.1f   min %10.1f   max %10.1f\n", f, m, a[1], a[n[f]]}}' | sort
rm -f "$sync_runs"
echo "figures written to $out"

# halld: local API latency while a 100,000-event sync runs (medians over the runs), then idle footprint.
api_runs=$(mktemp)
"$build/tools/api_latency_bench" "${BENCH_API_EVENTS:-100000}" "$runs" 2> "$api_runs"
grep '^{"benchmark"' "$api_runs" >> "$out"; rm -f "$api_runs"
bash "$root/tools/bench/halld_idle.sh" 2>> "$out"
