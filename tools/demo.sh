#!/usr/bin/env bash
# The README's main command: installs what is needed, builds, and runs a demo
# hall (梅林镇, device W01) that registers cases with no network at all, walks
# them through their lifecycle and prints their documents; then starts the
# hall daemon halld while the hub is down, brings a hallhub up on loopback and
# shows the cases go up by themselves and a back-office decision come down.
# Every process it starts is stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${HALLSYNC_BUILD_DIR:-$root/build}
bash "$root/tools/setup.sh"

hall="$build/client/hall"
export HALL_DATA_DIR=${HALL_DATA_DIR:-$root/demo-data/hall}
export HALL_CLERK=${HALL_CLERK:-c001}
rm -rf "$HALL_DATA_DIR"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Pulls the acceptance number out of a --json reply without needing jq.
acceptance_no() { sed -n 's/^  "acceptance_no": "\(.*\)",$/\1/p'; }

say "初始化大厅：梅林镇综合便民服务中心，设备 W01（无网络）"
"$hall" init --hall 360704100 --device W01

say "查看事项与时限"
"$hall" catalog list --search 低保
"$hall" catalog show GX-009
"$hall" calendar due 2026-09-30 3

say "受理一：农村低保申请审核（材料齐全，承诺件）"
a=$("$hall" case new --matter GX-009 --name 刘桂英 --id-number 360704198503120023 --phone 13907971234 --all-materials --json | acceptance_no)
"$hall" case print "$a" --doc acceptance
"$hall" case forward "$a"
"$hall" case extend "$a" --days 5 --reason "需入户核查家庭经济状况" --approver 王主任
"$hall" case print "$a" --doc extension

say "受理二：材料不全，出具一次性告知书"
b=$("$hall" case new --matter GX-035 --name 陈国平 --id-number 360721196207081514 --phone 0797-4412345 --json | acceptance_no)
"$hall" case print "$b" --doc one-time

say "受理三：即办件，当场办结出件"
c=$("$hall" case new --matter GX-022 --name 黄小明 --id-number 360704199001011235 --phone 13800001111 --all-materials --json | acceptance_no)
"$hall" case deliver "$c"
"$hall" case print "$c" --doc receipt

say "受理四：不予受理，出具决定书"
d=$("$hall" case new --matter GX-072 --name 钟晓燕 --id-number 360704200104150049 --phone 13607975678 --json | acceptance_no)
"$hall" case refuse "$d" --stage acceptance --reason "经营场所位于禁止经营区域" --basis "《个体工商户登记管理办法》第十条" --approver 李科长
"$hall" case print "$d" --doc refusal

say "非法操作会被拒绝，且不写入任何数据"
"$hall" case deliver "$a" || true
"$hall" case new --matter GX-009 --name 张三 --id-number 360704199001011234 --phone 13800001234 || true

say "办件列表"
"$hall" case list

# ---- The daemon: cases go up by themselves when the hub comes back, a decision comes down ----
hub_bin="$build/tools/hallhub"
ctl="$build/tools/hallctl"
halld_bin="$build/tools/halld"
hub_dir="$(dirname "$HALL_DATA_DIR")/hub"
rm -rf "$hub_dir"
pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop_all EXIT
source "$root/tools/listening.sh"
# Runs "$@" every second until it succeeds, at most $1 seconds.
until_ok() { local n=$1; shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 1; done; return 1; }
start_hub() {
  "$hub_bin" serve --data-dir "$hub_dir" --listen "$1" > "$hub_dir.log" 2>&1 &
  hub_pid=$!
  pids+=("$hub_pid")
  hub_addr=$(listening "$hub_dir.log")
}

say "平台端 hallhub：登记大厅与设备（平台暂时停机）"
"$hub_bin" hall add --data-dir "$hub_dir" --code 360704100 --name 梅林镇综合便民服务中心
token=$("$hub_bin" device add --data-dir "$hub_dir" --hall 360704100 --device W01)
start_hub 127.0.0.1:0  # a free loopback port for the hub, then it goes down
addr=$hub_addr
kill "$hub_pid"; wait "$hub_pid" 2>/dev/null || true
"$ctl" configure --data-dir "$HALL_DATA_DIR" --hub "http://$addr" --token "$token"

say "本机常驻服务 halld 启动（每 3 秒尝试同步；平台停机中）"
"$halld_bin" --data-dir "$HALL_DATA_DIR" --listen 127.0.0.1:0 --sync-period 3 > "$HALL_DATA_DIR/halld.log" 2>&1 &
pids+=($!)
api=$(listening "$HALL_DATA_DIR/halld.log")
echo "listen = $api" > "$HALL_DATA_DIR/halld.conf"  # where `hall sync` finds it
echo "halld 本地接口：http://$api/api/health"
e=$("$hall" case new --matter GX-001 --name 邱文华 --id-number 360704197805230012 --phone 13979712345 --all-materials --json | acceptance_no)
echo "平台停机时又受理一件：$e"
sleep 2
"$hall" sync status || true

say "平台恢复：无需任何人操作，办件自动上传"
start_hub "$addr"
echo "hallhub 已在 http://$addr 恢复"
uploaded() { "$hall" sync status --json | grep -q '"pending": 0'; }
until_ok 40 uploaded
"$hall" sync status
"$hub_bin" cases --data-dir "$hub_dir"

say "后台（民政局）审批准予，决定自动下行到本大厅"
"$hub_bin" decide --data-dir "$hub_dir" "$a" --approve --officer mz-01
approved() { "$hall" case show "$a" --json | grep -q '"state": "approved"'; }
until_ok 30 approved
"$hall" case show "$a"
"$ctl" explain --data-dir "$HALL_DATA_DIR" "$a"
say "数据目录：$HALL_DATA_DIR（halld 与 hallhub 随本脚本结束而停止；可用 hall --help、hallctl --help 继续操作）"
