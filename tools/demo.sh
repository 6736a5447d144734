#!/usr/bin/env bash
# The README's main command: installs what is needed, builds, and runs a demo
# hall (梅林镇, device W01) that registers cases with no network at all, walks
# them through their lifecycle and prints their documents.
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

# ---- The link comes back: the cases go up, a back-office decision comes down ----
hub_bin="$build/tools/hallhub"
ctl="$build/tools/hallctl"
hub_dir="$(dirname "$HALL_DATA_DIR")/hub"
rm -rf "$hub_dir"
say "平台端 hallhub：登记大厅与设备，在本机回环地址上启动"
"$hub_bin" hall add --data-dir "$hub_dir" --code 360704100 --name 梅林镇综合便民服务中心
token=$("$hub_bin" device add --data-dir "$hub_dir" --hall 360704100 --device W01)
"$hub_bin" serve --data-dir "$hub_dir" --listen 127.0.0.1:0 > "$hub_dir.log" 2>&1 &
hub_pid=$!
trap 'kill $hub_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "listening on" "$hub_dir.log" 2>/dev/null && break; sleep 0.05; done
addr=$(sed -n 's/.*listening on \([0-9.:]*\).*/\1/p' "$hub_dir.log")
echo "hallhub 已启动：http://$addr"
"$ctl" configure --data-dir "$HALL_DATA_DIR" --hub "http://$addr" --token "$token"

say "同步：离线受理的办件上传到平台，平台分配办件编号"
"$ctl" sync --data-dir "$HALL_DATA_DIR"
"$hub_bin" cases --data-dir "$hub_dir"

say "后台（民政局）审批准予，决定下行到本大厅"
"$hub_bin" decide --data-dir "$hub_dir" "$a" --approve --officer mz-01
"$ctl" sync --data-dir "$HALL_DATA_DIR"
"$hall" case show "$a"
"$hall" case deliver "$a"
"$ctl" sync --data-dir "$HALL_DATA_DIR"
"$ctl" explain --data-dir "$HALL_DATA_DIR" "$a"
say "数据目录：$HALL_DATA_DIR（可用 hall --help、hallctl --help 继续操作）"
