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
say "数据目录：$HALL_DATA_DIR（可用 hall --help 继续操作）"
