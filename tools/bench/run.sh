#!/usr/bin/env bash
# tools/bench/run.sh — runs every benchmark: prints a table, and writes each
# figure (what was measured, on what data, how many runs, median with min–max)
# as JSON lines to $BENCH_OUT (default build/bench-results.jsonl) and as one
# JSON document to ${BENCH_OUT%.jsonl}.json. Build first (README, "Benchmarks").
#   BENCH_RUNS (3)  BENCH_INTAKE_CASES (10000)  BENCH_SYNC_EVENTS (100000)
#   BENCH_SYNC_TRANSPORT (http | direct)  BENCH_IMPORT_CASES (20000)
#   BENCH_LINK_CASES (200)  BENCH_LINK_PROFILE (2g | 3g | lossy | clean)
#   BENCH_PACKET_LINK_CASES (200)  BENCH_PACKET_LINK_ONE_WAY_MS (150)
#   BENCH_PACKET_LINK_LOSS_PERCENT (5)  BENCH_PACKET_LINK_RATE_KBIT (64)
#   BENCH_MANY_HALLS (200)  BENCH_MANY_HALLS_CASES (200)
#   (the packet-level link needs root, /dev/net/tun and network namespaces;
#   elsewhere it is reported as skipped)
#
# Adding a benchmark: a binary that prints its own table rows on stdout and
# one JSON object per figure on stderr (tools/bench/bench_report.h does both),
# then one `bench "title" command...` line below.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${HALLSYNC_BUILD_DIR:-$root/build}
out=${BENCH_OUT:-$build/bench-results.jsonl}
runs=${BENCH_RUNS:-3}
bash "$root/tools/setup.sh" >/dev/null
machine="$(nproc) cores, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
started=$(date -u +%Y-%m-%dT%H:%MZ)
echo "machine: $machine; $started"
: > "$out"

# Runs one benchmark: its table to the terminal, its figures into $out.
bench() {
  local title=$1 err
  shift
  echo "== $title"
  err=$(mktemp)
  # Only the figures (JSON lines) go into $out; a benchmark's own log lines
  # (halld logs to stderr) are shown only if it fails.
  if ! "$@" 2> "$err"; then
    grep -v '^{' "$err" >&2 || true
    rm -f "$err"
    return 1
  fi
  grep '^{' "$err" >> "$out" || true
  rm -f "$err"
}

# sync_bench reports one run per process: run it $runs times and fold the
# per-run values into the same median/min/max figures as the others.
sync_figures() {
  local events=$1 transport=$2 per_run
  per_run=$(mktemp)
  for _ in $(seq "$runs"); do
    "$build/tools/sync_bench" "$events" "$transport" 2>> "$per_run" >/dev/null
  done
  folded=$(jq -sc --arg data "$events new cases, transport $transport" 'group_by(.figure)[] |
      (map(.value) | sort) as $v |
      {benchmark: "sync", figure: .[0].figure, unit: .[0].unit, data: $data, runs: ($v | length),
       median: $v[(($v | length) - 1) / 2 | floor], min: $v[0], max: $v[-1]}' "$per_run")
  rm -f "$per_run"
  echo "$folded" >&2  # not `tee /dev/stderr`: reopening it would truncate $out
  jq -r '"  \(.figure | . + " " * (30 - length)) median \(.median)   min \(.min)   max \(.max)  \(.unit)"' <<< "$folded"
}

# packet_link_bench exits 77 when it cannot make namespaces and TUN devices
# here (not root, ...): it has said why; the other benchmarks go on.
packet_link() {
  local rc=0
  "$build/tools/packet_link_bench" "$@" || rc=$?
  [ "$rc" -eq 77 ] && return 0
  return "$rc"
}

bench "intake (durable registration)" "$build/tools/intake_bench" "${BENCH_INTAKE_CASES:-10000}" "$runs"
bench "sync push/pull over loopback" sync_figures "${BENCH_SYNC_EVENTS:-100000}" "${BENCH_SYNC_TRANSPORT:-http}"
bench "bulk import (hall import)" "$build/tools/import_bench" "${BENCH_IMPORT_CASES:-20000}" "$runs"
bench "a day's work over the mountain link" "$build/tools/link_bench" "${BENCH_LINK_CASES:-200}" "$runs" "${BENCH_LINK_PROFILE:-2g}"
bench "a day's work over a 2G link with 5% packet loss (netemu, packet level)" packet_link \
  "${BENCH_PACKET_LINK_CASES:-200}" "$runs" "${BENCH_PACKET_LINK_ONE_WAY_MS:-150}" \
  "${BENCH_PACKET_LINK_LOSS_PERCENT:-5}" "${BENCH_PACKET_LINK_RATE_KBIT:-64}"
bench "the hub: many halls syncing at once" "$build/tools/many_halls_bench" "${BENCH_MANY_HALLS:-200}" \
  "${BENCH_MANY_HALLS_CASES:-200}" "$runs"
bench "case events while a 2 MB scan uploads over the mountain link" "$build/tools/blob_bench" "${BENCH_BLOB_KB:-2048}" "${BENCH_BLOB_CASES:-10}" "${BENCH_BLOB_PROFILE:-2g}" "$runs"
bench "halld: local API latency while a 100,000-event sync runs" "$build/tools/api_latency_bench" "${BENCH_API_EVENTS:-100000}" "$runs"
bench "halld: idle memory and CPU" bash "$root/tools/bench/halld_idle.sh"

jq -s --arg machine "$machine" --arg date "$started" '{machine: $machine, date: $date, figures: .}' "$out" > "${out%.jsonl}.json"
echo "figures written to $out and ${out%.jsonl}.json"
