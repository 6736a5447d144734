#!/usr/bin/env bash
# The README's test command: installs what is needed, builds, runs every test;
# then builds the whole suite again with AddressSanitizer + UndefinedBehavior-
# Sanitizer (build-asan/) and runs it there too, with a libFuzzer smoke of
# every decoder between the two (tools/fuzz.sh). CI runs exactly this.
#   HALLSYNC_SKIP_SANITIZERS=1   skip the second build (a quicker local run)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${HALLSYNC_BUILD_DIR:-$root/build}
bash "$root/tools/setup.sh"

# #11: a throwaway PostgreSQL server for the "pg: " run of the integration
# suite, stopped whatever happens. If it cannot start, those tests fail (never
# skip): HALLSYNC_REQUIRE_PG=1 with no URL is a failure in tests/support/test_hub_store.h.
pg_dir=$(mktemp -d /tmp/hallsync-pg.XXXXXX)
trap 'bash "$root/tools/pg_test_server.sh" stop "$pg_dir"' EXIT
export HALLSYNC_REQUIRE_PG=1
if pg_url=$(bash "$root/tools/pg_test_server.sh" start "$pg_dir"); then
  export HALLSYNC_TEST_PG_URL=$pg_url
  echo "== PostgreSQL test server: $pg_url"
else
  echo "== PostgreSQL test server did not start: the pg: tests will fail" >&2
fi

(cd "$build" && ctest --output-on-failure -j"$(nproc)" --timeout 600)

# A bounded libFuzzer run of every decoder of untrusted input (build-fuzz/).
#   HALLSYNC_SKIP_FUZZ=1   skip it
if [ "${HALLSYNC_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzz smoke (tools/fuzz.sh)"
  bash "$root/tools/fuzz.sh"
fi

if [ "${HALLSYNC_SKIP_SANITIZERS:-0}" != 1 ]; then
  asan=$root/build-asan
  echo "== the same suite under ASan + UBSan ($asan)"
  HALLSYNC_BUILD_DIR=$asan HALLSYNC_CMAKE_ARGS="-DHALLSYNC_SANITIZE=ON" bash "$root/tools/setup.sh"
  # Any sanitizer report fails the test that produced it. The PostgreSQL copy
  # of the seeded random-interleavings run is left out here (about 3 minutes
  # under ASan on 2 cores, to keep CI under its 60-minute budget): the SQLite
  # copy runs here, and the PostgreSQL copy in the first stage.
  (cd "$asan" && ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -j"$(nproc)" --timeout 900 -E "^pg: integration_tests:Random interleavings")
fi
