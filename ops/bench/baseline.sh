#!/usr/bin/env bash
# First throughput baseline of the intake path, measured in one run on this machine:
#   accepted dossiers/s (HTTP 202 from the gateway, wrk) and persisted dossiers/s (rows committed by the workers),
#   next to the machine's own ceiling for the same shape of work: raw Redis XADD throughput (redis-benchmark).
# Traffic goes to 127.0.0.1 only; the run is bounded by DURATION and stops by itself.
#
#   ops/bench/baseline.sh                 # hub on its embedded PostgreSQL + Redis in a throw-away data dir
#   DURATION=30 CONNECTIONS=128 ops/bench/baseline.sh
#   NO_BUILD=1 HUB_JAR=/path/hub.jar ops/bench/baseline.sh   # no build (on a shared box: build under its lock first)
# The hub runs with the JVM options of config/jvm.options (ops/lib/jvm.sh; HUB_JAVA_OPTS replaces them).
# ops/bench/capacity.sh is the fuller benchmark (p99 at half load, nginx ceiling, ratios).
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-64}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=${PORT:-$(free_port)}

for tool in wrk:wrk psql:postgresql-client redis-benchmark:redis-tools; do
  command -v "${tool%%:*}" >/dev/null || { echo "installing ${tool#*:} (Debian package)"; apt-get install -y -q "${tool#*:}" >/dev/null; }
done

[ -n "${NO_BUILD:-}" ] || mvn -q -B -DskipTests -pl hub -am package
HUB_JAR=${HUB_JAR:-hub/target/hub.jar}
# shellcheck source=ops/lib/jvm.sh
. ops/lib/jvm.sh   # HUB_JAVA_OPTS: config/jvm.options unless set
DATA=$(mktemp -d /tmp/hub-bench.XXXXXX)
PGPORT=$(free_port); RPORT=$(free_port)
export HUB_HTTP_PORT=$PORT HUB_EMBEDDED_DATA_DIR=$DATA HUB_EMBEDDED_POSTGRES_PORT=$PGPORT HUB_EMBEDDED_REDIS_PORT=$RPORT
export HUB_LOG_LEVEL=${HUB_LOG_LEVEL:-INFO}   # what production runs; WARN hides the per-dossier line
# a throughput baseline, not a test of client quotas (ops/bench/capacity.sh does the same)
export HUB_RATELIMIT_ENABLED=false
# shellcheck disable=SC2086 # HUB_JAVA_OPTS is a list of JVM options
java $HUB_JAVA_OPTS -jar "$HUB_JAR" > "$DATA/hub.log" 2>&1 &
HUB=$!
# the hub exits 143 on this SIGTERM: under set -e a bare wait would end the trap there, exit 143 whatever the
# verdict, and leave $DATA (the embedded servers' data) behind
# every step may fail (a hub that already exited): the data directory goes whatever happened
trap 'kill $HUB 2>/dev/null || true; wait $HUB 2>/dev/null || true; rm -rf "$DATA"' EXIT

for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "hub did not become ready"; cat "$DATA/hub.log"; exit 1; }

psql_count() { psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -tAc "SELECT count(*) FROM dossier"; }
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | grep -E "^$1" | awk '{s += $2} END {printf "%d", s}'; }

# warm-up (JIT), not counted
wrk -t1 -c16 -d3s -s ops/bench/submit.lua "http://127.0.0.1:$PORT" -- config/examples >/dev/null
sleep 2
BASE_ROWS=$(psql_count)
BASE_ACCEPTED=$(metric 'hub_submissions_total[{]channel="[a-z]+",outcome="accepted"[}]')

BASE_ALL=$(metric 'hub_submissions_total[{]channel="[a-z]+",outcome="[a-z_]+"[}]')
START=$(date +%s.%N)
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s ops/bench/submit.lua "http://127.0.0.1:$PORT" -- config/examples \
  | tee "$DATA/wrk.txt" | grep -E 'wrk:|Requests/sec'
ACCEPTED=$(( $(metric 'hub_submissions_total[{]channel="[a-z]+",outcome="accepted"[}]') - BASE_ACCEPTED ))

# wait for the workers to drain the backlog (bounded: 120 s)
for _ in $(seq 1 1200); do
  ROWS=$(( $(psql_count) - BASE_ROWS ))
  [ "$ROWS" -ge "$ACCEPTED" ] && break
  sleep 0.1
done
END=$(date +%s.%N)
ROWS=$(( $(psql_count) - BASE_ROWS ))
REFUSED=$(( $(metric 'hub_submissions_total[{]channel="[a-z]+",outcome="[a-z_]+"[}]') - BASE_ALL - ACCEPTED ))
echo "refused (non-202) during the run: $REFUSED"

# the machine's own ceiling for the core of the work, in the same run: raw XADD of a dossier-sized entry
PAYLOAD=$(tr -d '\n' < config/examples/birth-registration.json)
XADD=$(redis-benchmark -h 127.0.0.1 -p "$RPORT" -n 200000 -c "$CONNECTIONS" -q XADD bench:xadd '*' payload "$PAYLOAD" 2>/dev/null \
  | tr '\r' '\n' | awk -F': ' '/requests per second/ {split($NF, a, " "); print int(a[1])}' | tail -1)

python3 - "$ACCEPTED" "$ROWS" "$DURATION" "$START" "$END" "${XADD:-0}" <<'PY'
import sys
accepted, rows, duration, start, end, xadd = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
acc_rate = accepted / duration
persist_rate = rows / (end - start)
print(f"accepted: {accepted} dossiers in {duration:.0f} s = {acc_rate:.0f}/s")
print(f"persisted: {rows} rows in {end - start:.1f} s (run + drain) = {persist_rate:.0f}/s; lost={max(0, accepted - rows)}")
if xadd:
    print(f"raw Redis XADD ceiling (redis-benchmark, same run): {xadd:.0f}/s")
    print(f"ratio accepted/XADD ceiling: {acc_rate / xadd:.3f}")
print(f"ratio persisted/accepted rate: {persist_rate / acc_rate:.2f}")
sys.exit(0 if rows == accepted else 1)
PY
