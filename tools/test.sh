#!/usr/bin/env bash
# The README's test command: installs what is needed, builds, runs every test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${HALLSYNC_BUILD_DIR:-$root/build}
bash "$root/tools/setup.sh"
cd "$build"
ctest --output-on-failure -j"$(nproc)" --timeout 600
