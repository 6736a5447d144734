# Sourced by tools/demo.sh and tools/bench/halld_idle.sh (not run on its own).
# listening LOG: waits up to 10 s for a server's "listening on 127.0.0.1:PORT"
# line in LOG and prints the address; on timeout prints the log and fails.
listening() {
  for _ in $(seq 200); do
    a=$(sed -n 's/.*listening on \(127\.0\.0\.1:[0-9]*\).*/\1/p' "$1" 2>/dev/null)  # the log may not exist yet
    [ -n "$a" ] && { echo "$a"; return 0; }
    sleep 0.05
  done
  echo "no 'listening on' in $1:" >&2
  cat "$1" >&2
  return 1
}
