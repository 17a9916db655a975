#!/usr/bin/env bash
# hub_launch (ops/lib/hubs.sh) must see a gateway started with HUB_SECURITY_TLS_ENABLED=true ready: it asked
# http://.../health/ready, which a TLS port closes at once, so ops/run-cluster.sh with TLS (a TLS tryout) waited 60 s
# per gateway and called each "not ready" while it served. Plain bash and python3, no JVM: the recorded "hub" is a
# stand-in that serves 200 on /health/ready over TLS (a certificate openssl makes here). Exit 0: passed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
launched=""
cleanup() { if [ -n "$launched" ]; then kill "$launched" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
  -subj /CN=localhost >/dev/null 2>&1
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/www/health" && echo UP >"$work/www/health/ready"
cat >"$work/tls-server.py" <<'PY'
import functools, http.server, ssl, sys
www, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=www)
server = http.server.HTTPServer(("127.0.0.1", port), handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
PY

run_dir=$work/run
mkdir -p "$run_dir"
: >"$run_dir/pids"
cat >"$run_dir/gateway-1.hub.env" <<EOT
cd $(printf '%q' "$work") || exit 1
java_cmd=python3 jar= java_opts=
export HUB_HUB_ROLE=gateway HUB_HTTP_PORT=$port HUB_SECURITY_TLS_ENABLED=true
EOT
# shellcheck source=ops/lib/hubs.sh
. "$here/../hubs.sh"
# the stand-in runs the TLS server instead of "$java_cmd $java_opts -jar $jar"
hub_exec() { # record detach
  # shellcheck disable=SC1090
  . "$1"
  exec $2 python3 "$work/tls-server.py" "$work/www" "$port" "$work/cert.pem" "$work/key.pem" 2>/dev/null
}

status=0
start=$SECONDS
hub_launch gateway-1 2>"$work/launch.err" || status=$?
launched=$(cat "$run_dir/gateway-1.pid" 2>/dev/null || true)
if [ "$status" -ne 0 ]; then
  echo "FAIL: hub_launch did not see the TLS gateway-1 ready on :$port within $((SECONDS - start)) s:" >&2
  cat "$work/launch.err" >&2
  exit 1
fi
echo "hub-launch-tls-test: passed ($(cat "$work/launch.err"))"
