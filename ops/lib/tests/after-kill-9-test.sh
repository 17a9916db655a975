#!/usr/bin/env bash
# after_kill_9 (ops/lib/pids.sh): a kill -9 of ops/run-hub.sh or ops/run-cluster.sh runs none of their traps, and the
# servers they started in sessions of their own went on (run-cluster's six redis-servers and four JVMs, holding their
# ports). A stand-in script starts a "server" (sleep, in its own session) and the watcher; the test kills the script
# with SIGKILL and waits for the server to be stopped; a second script exits normally, and its watcher must be gone
# without acting. Plain bash, no JVM. Exit 0: passed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
cleanup() {
  for f in "$work"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/run.sh" <<EOT
set -euo pipefail
. $(printf '%q' "$here/../pids.sh")
setsid sleep 300 &
echo \$! >"\$1/server.pid"
after_kill_9 kill -TERM "\$(cat "\$1/server.pid")"
echo \$WATCHER >"\$1/watcher.pid"
trap 'kill "\$WATCHER" 2>/dev/null || true' EXIT
[ "\${2:-}" = exit ] && exit 0
while true; do sleep 1; done
EOT

await() { # what check...: polls CHECK every 0.1 s for up to 20 s
  local what=$1
  shift
  for _ in $(seq 200); do "$@" && return 0; sleep 0.1; done
  echo "FAILED: $what" >&2
  exit 1
}
alive() { kill -0 "$(cat "$1")" 2>/dev/null; }
dead() { ! alive "$1"; }

# killed: the watcher stops the server
bash "$work/run.sh" "$work" &
script=$!
await "the script started its server and watcher" test -s "$work/watcher.pid"
alive "$work/server.pid" || { echo "FAILED: the server did not start" >&2; exit 1; }
kill -9 "$script"
wait "$script" 2>/dev/null || true
await "the server stopped after the script's kill -9" dead "$work/server.pid"
await "the watcher ended after stopping it" dead "$work/watcher.pid"

# a normal exit: the watcher is stopped by the script's EXIT trap and acts on nothing (the server, which such a
# script leaves to its own stop, stays up)
rm -f "$work"/*.pid
bash "$work/run.sh" "$work" exit
await "the watcher ended with its script" dead "$work/watcher.pid"
alive "$work/server.pid" || { echo "FAILED: the watcher of a script that exited normally stopped its server" >&2; exit 1; }
echo "after-kill-9-test: passed"
