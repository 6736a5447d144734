#!/usr/bin/env bash
# Fuzzes every decoder of untrusted input with libFuzzer (tests/fuzz/): builds
# the targets with clang, ASan and UBSan in build-fuzz/, then runs each from
# its committed seed corpus with its dictionary. CI runs the smoke (a bounded
# number of runs per target); a long run is
#   HALLSYNC_FUZZ_SECONDS=3600 bash tools/fuzz.sh     # an hour per target
#   HALLSYNC_FUZZ_RUNS=N                             # runs per target (smoke: 100000)
# A crash stops the script; the input is saved in build-fuzz/crashes/TARGET/
# and the line that replays it is printed. New inputs the fuzzer finds stay
# in build-fuzz/corpus/ (copy the interesting ones into tests/fuzz/corpus/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${HALLSYNC_FUZZ_DIR:-$root/build-fuzz}
runs=${HALLSYNC_FUZZ_RUNS:-100000}
seconds=${HALLSYNC_FUZZ_SECONDS:-}

CC=clang CXX=clang++ cmake -S "$root" -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHALLSYNC_FUZZ=ON >/dev/null
cmake --build "$out" -j"$(nproc)" --target fuzz_targets

targets=(fuzz_hub_messages fuzz_client_messages fuzz_blob_messages fuzz_event_codec fuzz_inflate fuzz_import_line
         fuzz_daemon_config fuzz_local_api fuzz_hub_auth)
summary=$out/fuzz_summary.txt
: >"$summary"
for t in "${targets[@]}"; do
  case $t in
    fuzz_local_api | fuzz_daemon_config | fuzz_import_line) dict=$root/tests/fuzz/dict/local_api.dict ;;
    *) dict=$root/tests/fuzz/dict/protocol.dict ;;
  esac
  work=$out/corpus/$t
  crashes=$out/crashes/$t
  mkdir -p "$work" "$crashes"
  limit=(-runs="$runs")
  [ -n "$seconds" ] && limit=(-max_total_time="$seconds")
  echo "== $t"
  log=$out/$t.log
  if ! ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$out/tests/fuzz/$t" "${limit[@]}" -seed=1 -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -dict="$dict" -artifact_prefix="$crashes/" "$work" "$root/tests/fuzz/corpus/$t" >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: $t FAILED; replay with: $out/tests/fuzz/$t $crashes/<file>  (log: $log)"
    exit 1
  fi
  done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -1)
  echo "$t: $done_line" | tee -a "$summary"
done
echo "fuzz: no crash in any target (summary: $summary)"
