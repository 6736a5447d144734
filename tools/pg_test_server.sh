#!/usr/bin/env bash
# A throwaway PostgreSQL server for the hub's PostgreSQL tests (#11):
#   tools/pg_test_server.sh start DIR   initdb in DIR/data, start it listening on
#                                       a unix socket in DIR/sock only (no TCP
#                                       port, so no clash with another run), print its URL
#   tools/pg_test_server.sh stop DIR    stop it and remove DIR
# As root the server runs as user `postgres` (initdb refuses root). Trust
# authentication is safe here only because the socket directory is mode 0700
# and owned by the server's user: nobody else can connect. Durability settings
# stay at their defaults (fsync on): the tests prove what production does.
set -euo pipefail
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 64; }
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$bin/pg_ctl" ] || { echo "pg_test_server: no PostgreSQL server binaries (install Debian's postgresql)" >&2; exit 1; }
as_server=()
if [ "$(id -u)" = 0 ]; then as_server=(runuser -u postgres --); fi

case "$cmd" in
  start)
    mkdir -p "$dir/data" "$dir/sock"
    [ "$(id -u)" = 0 ] && chown -R postgres: "$dir"
    chmod 0700 "$dir/data" "$dir/sock"
    "${as_server[@]}" "$bin/initdb" -D "$dir/data" --auth=trust --username=postgres --encoding=UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    "${as_server[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -k $dir/sock -c max_connections=200" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql:///postgres?host=$dir/sock&user=postgres"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      "${as_server[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 64 ;;
esac
