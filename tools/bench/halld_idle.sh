#!/usr/bin/env bash
# tools/bench/halld_idle.sh — halld's idle footprint: resident memory (VmRSS)
# and CPU time (utime+stime from /proc/PID/stat) right after start and after an
# idle window, next to a live hallhub on 127.0.0.1. With --sync-period
# $HALLD_IDLE_PERIOD (5 s) a 60 s window runs 12 sync sessions, an hour's worth
# at the default 5-minute period. Nothing is asserted; figures are printed.
#   HALLD_IDLE_SECONDS (60)  HALLD_IDLE_PERIOD (5)  HALLSYNC_BUILD_DIR (build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${HALLSYNC_BUILD_DIR:-$root/build}
idle=${HALLD_IDLE_SECONDS:-60}
period=${HALLD_IDLE_PERIOD:-5}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

source "$root/tools/listening.sh"
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime (fields 14, 15)

"$build/tools/hallhub" hall add --data-dir "$work/hub" --code 360704100 --name 梅林镇 >/dev/null
token=$("$build/tools/hallhub" device add --data-dir "$work/hub" --hall 360704100 --device W01)
"$build/tools/hallhub" serve --data-dir "$work/hub" --listen 127.0.0.1:0 >"$work/hub.log" 2>&1 &
pids+=($!)
hub=$(listening "$work/hub.log")
"$build/client/hall" init --data-dir "$work/hall" --hall 360704100 --device W01 >/dev/null
"$build/tools/hallctl" configure --data-dir "$work/hall" --hub "http://$hub" --token "$token" >/dev/null
"$build/tools/halld" --data-dir "$work/hall" --listen 127.0.0.1:0 --sync-period "$period" >"$work/halld.log" 2>&1 &
halld=$!
pids+=("$halld")
listening "$work/halld.log" >/dev/null
sleep 1  # the session at start has run
hz=$(getconf CLK_TCK)
rss0=$(rss_kb "$halld"); cpu0=$(cpu_ticks "$halld")
sleep "$idle"
rss1=$(rss_kb "$halld"); cpu1=$(cpu_ticks "$halld")
sessions=$(grep -c "sync ok" "$work/halld.log" || true)
echo "halld idle: $idle s window, sync period $period s, $sessions sessions ok in all; $(nproc) cores, $(uname -sr)"
awk -v a="$rss0" -v b="$rss1" -v c0="$cpu0" -v c1="$cpu1" -v hz="$hz" -v s="$idle" 'BEGIN {
  printf "  rss_after_start_mb   %8.1f\n  rss_after_idle_mb    %8.1f\n", a / 1024, b / 1024
  printf "  cpu_s_in_window      %8.2f\n  cpu_percent_of_core  %8.3f\n", (c1 - c0) / hz, 100 * (c1 - c0) / hz / s
  fig = "{\"benchmark\":\"halld_idle\",\"figure\":\"%s\",\"unit\":\"%s\",\"data\":\"halld idle %d s\",\"runs\":1,\"median\":%.3f,\"min\":%.3f,\"max\":%.3f}\n"
  printf fig, "rss_after_start_mb", "MB", s, a / 1024, a / 1024, a / 1024 > "/dev/stderr"
  printf fig, "rss_after_idle_mb", "MB", s, b / 1024, b / 1024, b / 1024 > "/dev/stderr"
  printf fig, "cpu_s_in_window", "s", s, (c1 - c0) / hz, (c1 - c0) / hz, (c1 - c0) / hz > "/dev/stderr"
}'
