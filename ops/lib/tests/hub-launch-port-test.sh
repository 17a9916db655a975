#!/usr/bin/env bash
# hub_launch (ops/lib/hubs.sh) must not call a process ready when its port is another process's: its readiness is
# "/health/ready answers on the port", so a start on a port some other server already answers on (another run's
# gateway, a hub on a shared box) was reported "ready" at once while the new JVM failed to bind and exited, and the run
# went on with someone else's gateway. Plain bash, no JVM: a stand-in server answers 200 on /health/ready, and the
# recorded "hub" is a command that would never answer. Exit 0: passed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
server=""
cleanup() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

# a stand-in for another process's server: 200 on /health/ready, on a free loopback port it picks and writes down
mkdir -p "$work/www/health" && echo UP >"$work/www/health/ready"
python3 - "$work/www" "$work/port" <<'PY' >/dev/null 2>&1 &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.HTTPServer(("127.0.0.1", 0), handler)
open(sys.argv[2] + ".tmp", "w").write(str(server.server_address[1])); __import__("os").rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
PY
server=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
curl -fs --noproxy '*' -o /dev/null "http://127.0.0.1:$port/health/ready"

# the record of a "hub" on that port: a process that lives a while and never serves anything
run_dir=$work/run
mkdir -p "$run_dir"
: >"$run_dir/pids"
cat >"$run_dir/gateway-1.hub.env" <<EOT
cd $(printf '%q' "$work") || exit 1
java_cmd=sleep jar=30 java_opts=
export HUB_HUB_ROLE=gateway HUB_HTTP_PORT=$port
EOT
# shellcheck source=ops/lib/hubs.sh
. "$here/../hubs.sh"
# hub_exec runs "$java_cmd $java_opts -jar $jar": sleep would refuse -jar, so the stand-in runs the record's words
hub_exec() { # record detach
  # shellcheck disable=SC1090
  . "$1"
  exec $2 "$java_cmd" "$jar"
}

status=0
hub_launch gateway-1 2>"$work/launch.err" || status=$?
launched=$(cat "$run_dir/gateway-1.pid" 2>/dev/null || true)
if [ -n "$launched" ]; then kill "$launched" 2>/dev/null || true; fi
if [ "$status" -eq 0 ]; then
  echo "FAIL: hub_launch called gateway-1 ready on :$port, which another process answers on:" >&2
  cat "$work/launch.err" >&2
  exit 1
fi
grep -q "port $port" "$work/launch.err" || { echo "FAIL: the refusal does not name the port:" >&2; cat "$work/launch.err" >&2; exit 1; }
[ -z "$launched" ] || { echo "FAIL: a process was started (pid $launched) though the port was taken" >&2; exit 1; }
echo "hub-launch-port-test: passed ($(cat "$work/launch.err"))"
