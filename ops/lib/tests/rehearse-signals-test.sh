#!/usr/bin/env bash
# ops/rehearse.sh stopped by a signal must stop its load, and must only ever show the verdict of its own run.
# - SIGTERM to the script (timeout(1), a CI job cancelled, `kill PID`) killed the script alone: Maven and the Gatling
#   JVM it forks (which outlives a SIGTERMed Maven) went on loading the hub for the rest of the profile, orphaned.
# - Ctrl-C (SIGINT to the terminal's process group) must stop all of it too, and not say "failed before the load".
# - A run that wrote no verdict, started in the second a previous run wrote its own, showed that previous verdict
#   as its result and moved its maven.log into that run's directory (the check compared whole seconds).
# Plain bash: a copy of the script in a temp checkout, `mvn` on the PATH a stand-in that forks a "Gatling" child
# (a sleep) and waits for it, as Maven does; a SIGTERMed stand-in leaves its child running, as Maven does. Exit 0: passed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
cleanup() {
  for f in "$work"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/co/ops" "$work/bin" "$work/co/loadtest/target/loadtest"
cp "$here/../../rehearse.sh" "$work/co/ops/rehearse.sh"
cat >"$work/bin/mvn" <<EOT
#!/usr/bin/env bash
echo \$\$ >"$work/mvn.pid"
if [ "\${STUB_MVN:-}" = fail ]; then echo "[ERROR] the stand-in failed before the load"; exit 1; fi
sleep 300 &
echo \$! >"$work/gatling.pid"
echo "Simulation vn.onewindow.loadtest.IntakeSimulation started..."
wait
EOT
chmod +x "$work/bin/mvn"
args=(--base-url http://127.0.0.1:1 --pg-url postgresql://u@127.0.0.1:1/db)

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
await() { # seconds check...: CHECK succeeds within SECONDS
  local n=$(( $1 * 10 ))
  shift
  until "$@"; do n=$((n - 1)); [ "$n" -gt 0 ] || return 1; sleep 0.1; done
}
gone() { ! alive "$work/mvn.pid" && ! alive "$work/gatling.pid"; }
started() { grep -q "IntakeSimulation started" "$work/out"; }

# signalled SIGNAL TARGET: starts the script (SIGINT not ignored, as from a terminal: in its own process group),
# waits for the stand-in's Gatling, sends SIGNAL to the script (TARGET=script) or to its process group (TARGET=group)
signalled() {
  local sig=$1 target=$2 pid rc=0
  rm -f "$work"/*.pid "$work/out"
  PATH="$work/bin:$PATH" setsid perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die' \
    "$work/co/ops/rehearse.sh" "${args[@]}" >"$work/out" 2>&1 </dev/null &
  pid=$!
  if ! await 20 started || ! await 5 test -s "$work/gatling.pid"; then
    fail "SIG$sig ($target): the stand-in did not start: $(cat "$work/out")"
    kill -9 -- "-$pid" 2>/dev/null || true
    return
  fi
  if [ "$target" = group ]; then kill "-$sig" -- "-$pid"; else kill "-$sig" "$pid"; fi
  wait "$pid" || rc=$?
  if ! await 10 gone; then
    fail "SIG$sig to the $target: the load went on (Maven alive: $(alive "$work/mvn.pid" && echo yes || echo no), Gatling alive: $(alive "$work/gatling.pid" && echo yes || echo no))"
  fi
  for f in "$work"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true; done   # a failed case's leftovers
  if [ "$rc" -eq 0 ]; then
    fail "SIG$sig to the $target: exit 0"
  fi
  if ! grep -q "interrupted" "$work/out" || grep -q "failed before the load" "$work/out"; then
    fail "SIG$sig to the $target: the output does not say the run was interrupted: $(tail -3 "$work/out")"
  fi
}
signalled TERM script
signalled INT group
signalled HUP script

# a previous run's verdict, written just before this run starts (the same second), is not this run's
rm -f "$work"/*.pid
old=$work/co/loadtest/target/loadtest/smoke-old
mkdir -p "$old"
echo "$old" >"$work/co/loadtest/target/loadtest/last-run"
early() { [ "$(date +%N | cut -c1)" -lt 3 ]; }
await 2 early || true   # early in a second: the run below starts in the same one
echo "CAPACITY VERDICT of the previous run" >"$old/verdict.txt"
set +e
STUB_MVN=fail PATH="$work/bin:$PATH" "$work/co/ops/rehearse.sh" "${args[@]}" >"$work/out" 2>&1 </dev/null
rc=$?
set -e
if [ "$rc" -eq 0 ]; then fail "a failed run exited 0"; fi
if grep -q "of the previous run" "$work/out"; then fail "a failed run showed the previous run's verdict"; fi
if [ -e "$old/maven.log" ]; then fail "a failed run moved its maven.log into the previous run's directory"; fi

if [ "$failures" -gt 0 ]; then
  echo "rehearse-signals-test: $failures failure(s)" >&2
  exit 1
fi
echo "rehearse-signals-test: passed"
