#!/usr/bin/env bash
# Installs every Debian 12 package hallsync needs to build and test, then
# configures and builds into build/ (or $HALLSYNC_BUILD_DIR). Idempotent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${HALLSYNC_BUILD_DIR:-$root/build}

packages=(
  build-essential cmake pkg-config git ca-certificates
  libsqlite3-dev sqlite3 libssl-dev zlib1g-dev libcurl4-openssl-dev
  openssl  # tools/district_ca.sh (a district's CA and hub certificates) and its test
  libboost-dev libcereal-dev nlohmann-json3-dev libcli11-dev catch2
  jq  # tools/bench/run.sh folds per-run figures and writes the JSON summary
  libturbojpeg0-dev  # TurboJPEG: DCT-domain scaled decode to downscale large JPEG scans (hall case attach)
  libsodium-dev  # Argon2id password hashes of staff accounts (crypto_pwhash)
  # The web page's end-to-end test (tests/e2e/web_page_e2e_test.cc): headless
  # Chromium driven over WebDriver, and CJK fonts so the page renders Chinese.
  chromium chromium-driver fonts-noto-cjk
  clang libclang-rt-14-dev  # tools/fuzz.sh: libFuzzer targets of every decoder of untrusted input
  libpq-dev  # the hub's PostgreSQL store (#11): libpq
  postgresql  # a throwaway server for the hub's PostgreSQL tests (tools/pg_test_server.sh)
  iproute2  # `ip netns` / `ip addr` for the packet-level link emulator (tools/netemu)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo ${HALLSYNC_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)"
