#!/usr/bin/env bash
# Capacity benchmark of the intake hub, measured in ONE run on ONE machine, next to the machine's own ceilings
# measured in the same run (ratios matter more than absolute figures on a shared 2-core box):
#   1. hub: max sustained accepted rate (wrk, closed loop, saturating), then p99 latency at half that rate (wrk paced
#      with its delay() hook), and the persisted rate (rows committed by the intake workers, run + drain);
#   2. nginx (Debian package, installed if absent) answering `return 202` on a loopback port, 1 worker: the
#      ceiling of HTTP on this box with the same client and request bodies;
#   3. raw Redis XADD of a dossier-sized entry (redis-benchmark) on the hub's own redis-server: the ceiling of
#      the queue at the core of the intake path;
# then prints the ratios hub/nginx, hub/XADD and persisted/accepted.
# The hub runs from hub/target/hub.jar on its embedded PostgreSQL + Redis in a temp dir, on free ports, with rate
# limiting OFF (this measures capacity, not client quotas). All traffic goes to 127.0.0.1, every step is bounded in
# time or count, and everything started here is stopped on exit.
#
#   ops/bench/capacity.sh
#   DURATION=30 CONNECTIONS=128 ops/bench/capacity.sh     # longer saturation, more connections
#   NO_BUILD=1 HUB_JAR=/path/hub.jar ops/bench/capacity.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
DURATION=${DURATION:-20}            # seconds of saturation for the max accepted rate
HALF_DURATION=${HALF_DURATION:-20}  # seconds at half the max rate for the p99
NGINX_DURATION=${NGINX_DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
PACED_CONNECTIONS=${PACED_CONNECTIONS:-32}
XADD_REQUESTS=${XADD_REQUESTS:-200000}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-120}
API_KEY=${API_KEY:-dev-portal-web-key}
HUB_JAR=${HUB_JAR:-$ROOT/hub/target/hub.jar}
HUB_JAVA_OPTS=${HUB_JAVA_OPTS:--Xms512m -Xmx1g}

need() {  # need <command> <debian package>
  command -v "$1" >/dev/null && return 0
  echo "installing $2 (Debian package)"
  if [ "$2" = nginx ] && [ ! -e /usr/sbin/policy-rc.d ]; then
    # keep the package's service from starting on port 80: this script runs its own nginx on a free loopback port
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && POLICY_ADDED=1
  fi
  apt-get install -y -q "$2" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "$2" >/dev/null; }
  if [ "${POLICY_ADDED:-0}" = 1 ]; then rm -f /usr/sbin/policy-rc.d; POLICY_ADDED=0; fi
  command -v "$1" >/dev/null || { echo "could not install $2" >&2; exit 1; }
}
need wrk wrk
need psql postgresql-client
need redis-benchmark redis-tools
need nginx nginx

if [ -z "${NO_BUILD:-}" ]; then
  mvn -q -B -DskipTests -pl hub -am package
fi
[ -f "$HUB_JAR" ] || { echo "no hub jar at $HUB_JAR" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/hub-capacity.XXXXXX)
PORT=$(free_port); PGPORT=$(free_port); RPORT=$(free_port); NGPORT=$(free_port)
HUB=""; NGINX_PID=""
cleanup() {
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  if [ -n "$HUB" ]; then
    kill "$HUB" 2>/dev/null   # SIGTERM: the hub drains and stops its embedded PostgreSQL and redis-server
    for _ in $(seq 1 90); do kill -0 "$HUB" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$HUB" 2>/dev/null || true
    wait "$HUB" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== starting the hub (embedded PostgreSQL :$PGPORT, Redis :$RPORT, HTTP :$PORT, rate limiting off)"
env -u HUB_POSTGRES_URL -u HUB_REDIS_URL -u HUB_CONFIG_FILE \
  HUB_HTTP_HOST=127.0.0.1 HUB_HTTP_PORT="$PORT" HUB_EMBEDDED_DATA_DIR="$WORK/data" \
  HUB_EMBEDDED_POSTGRES_PORT="$PGPORT" HUB_EMBEDDED_REDIS_PORT="$RPORT" HUB_LOG_LEVEL=WARN \
  HUB_RATELIMIT_ENABLED=false \
  java $HUB_JAVA_OPTS -jar "$HUB_JAR" > "$WORK/hub.log" 2>&1 &
HUB=$!
for _ in $(seq 1 240); do
  curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break
  kill -0 "$HUB" 2>/dev/null || break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "hub did not become ready"; tail -30 "$WORK/hub.log"; exit 1; }

psql_count() { psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -tAc "SELECT count(*) FROM dossier"; }
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | grep -E "^$1" | awk '{s += $2} END {printf "%d", s}'; }
ACCEPTED_RE='hub_submissions_total[{][^}]*outcome="(accepted|degraded)"'
ALL_RE='hub_submissions_total[{][^}]*outcome="[a-z_]+"'
wrk_hub() { wrk "$@" -s ops/bench/submit.lua "http://127.0.0.1:$PORT" -- config/examples "$API_KEY"; }
wrk_stat() { awk -v k="$1" '$1 == k {print $2}' "$2" | head -1; }   # e.g. wrk_stat 99% file -> 12.34ms
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.1f", v}'; }

echo "== warm-up (not counted)"
wrk_hub -t1 -c16 -d5s >/dev/null
sleep 2

echo "== 1/4 hub saturation: wrk -t2 -c$CONNECTIONS for ${DURATION}s"
BASE_ROWS=$(psql_count); BASE_ACC=$(metric "$ACCEPTED_RE"); BASE_ALL=$(metric "$ALL_RE")
START=$(date +%s.%N)
wrk_hub -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency > "$WORK/sat.txt" 2>&1 || true
RUN_END=$(date +%s.%N)
ROWS_AT_END=$(( $(psql_count) - BASE_ROWS ))
ACCEPTED=$(( $(metric "$ACCEPTED_RE") - BASE_ACC ))
REFUSED=$(( $(metric "$ALL_RE") - BASE_ALL - ACCEPTED ))
grep -E '^wrk:|Requests/sec' "$WORK/sat.txt" | sed 's/^/   /'
for _ in $(seq 1 $((DRAIN_TIMEOUT * 10))); do
  ROWS=$(( $(psql_count) - BASE_ROWS ))
  [ "$ROWS" -ge "$ACCEPTED" ] && break
  sleep 0.1
done
ROWS=$(( $(psql_count) - BASE_ROWS ))
# the workers' own pace: rows of this load over first receipt -> last commit (persisted_at is set in the batch)
read -r PERSIST_SPAN DRAIN_AFTER < <(psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -tA -F ' ' -c \
  "SELECT extract(epoch FROM max(persisted_at) - min(received_at)), greatest(0, extract(epoch FROM max(persisted_at)) - $RUN_END)
     FROM dossier WHERE received_at >= to_timestamp($START)")
echo "   accepted $ACCEPTED (refused $REFUSED), persisted $ROWS_AT_END by the end of the load, $ROWS after the drain" \
  "(last commit ${DRAIN_AFTER} s after the load)"

ACC_RATE=$(python3 -c "print(round($ACCEPTED / $DURATION, 1))")
HALF=$(python3 -c "print(max(1.0, round($ACC_RATE / 2, 1)))")
# C paced connections, each waiting D ms before every request, offer C*1000/(D + latency) requests/s: a 5 s probe
# measures the latency term, then D is set so that the offered rate is HALF
D0=$(python3 -c "print(max(1, int($PACED_CONNECTIONS * 1000 / $HALF)))")
sleep 2
BENCH_DELAY_MS=$D0 wrk_hub -t1 -c"$PACED_CONNECTIONS" -d5s > "$WORK/probe.txt" 2>&1 || true
R0=$(awk '/Requests\/sec/ {print $2}' "$WORK/probe.txt")
DELAY_MS=$(python3 -c "
c, half, d0, r0 = $PACED_CONNECTIONS, $HALF, $D0, float('${R0:-0}' or 0)
lat = max(0.0, c * 1000 / r0 - d0) if r0 > 0 else 0.0
print(max(1, int(round(c * 1000 / half - lat))))")
echo "== 2/4 hub at half the max: ~$HALF/s (wrk -t1 -c$PACED_CONNECTIONS, delay ${DELAY_MS} ms per connection) for ${HALF_DURATION}s"
BASE_ACC2=$(metric "$ACCEPTED_RE"); BASE_ALL2=$(metric "$ALL_RE")
BENCH_DELAY_MS=$DELAY_MS wrk_hub -t1 -c"$PACED_CONNECTIONS" -d"${HALF_DURATION}s" --latency > "$WORK/half.txt" 2>&1 || true
ACCEPTED2=$(( $(metric "$ACCEPTED_RE") - BASE_ACC2 ))
REFUSED2=$(( $(metric "$ALL_RE") - BASE_ALL2 - ACCEPTED2 ))
HALF_P50=$(wrk_stat 50% "$WORK/half.txt" | to_ms); HALF_P99=$(wrk_stat 99% "$WORK/half.txt" | to_ms)
grep -E '^wrk:|Requests/sec' "$WORK/half.txt" | sed 's/^/   /'

echo "== 3/4 raw Redis XADD of a dossier-sized entry (redis-benchmark -c$CONNECTIONS -n $XADD_REQUESTS) on the hub's redis-server"
PAYLOAD=$(tr -d '\n' < config/examples/birth-registration.json)
XADD=$(timeout 120 redis-benchmark -h 127.0.0.1 -p "$RPORT" -n "$XADD_REQUESTS" -c "$CONNECTIONS" -q XADD bench:capacity:xadd '*' payload "$PAYLOAD" 2>/dev/null \
  | tr '\r' '\n' | awk -F': ' '/requests per second/ {split($NF, a, " "); print int(a[1])}' | tail -1)
redis-cli -h 127.0.0.1 -p "$RPORT" DEL bench:capacity:xadd >/dev/null 2>&1 || true
echo "   XADD: ${XADD:-?} /s"

echo "== 4/4 nginx answering 202 (1 worker, loopback :$NGPORT), wrk -t1 -c$CONNECTIONS for ${NGINX_DURATION}s"
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGPORT;
    location / { return 202; }
  }
}
EOF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$NGPORT/" && break; sleep 0.1; done
wrk -t1 -c"$CONNECTIONS" -d"${NGINX_DURATION}s" -s ops/bench/submit.lua "http://127.0.0.1:$NGPORT" -- config/examples "$API_KEY" \
  > "$WORK/nginx.txt" 2>&1 || true
kill "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=""
NGINX=$(awk '/Requests\/sec/ {print int($2)}' "$WORK/nginx.txt")
echo "   nginx: ${NGINX:-?} /s"

python3 - "$ACCEPTED" "$REFUSED" "$DURATION" "$START" "$RUN_END" "${PERSIST_SPAN:-0}" "$ROWS_AT_END" "$ROWS" \
  "$ACCEPTED2" "$REFUSED2" "$HALF_DURATION" "${HALF_P50:-nan}" "${HALF_P99:-nan}" "${XADD:-0}" "${NGINX:-0}" \
  "$CONNECTIONS" "$(nproc)" <<'PY'
import sys, datetime, platform
a = sys.argv[1:]
accepted, refused, duration = int(a[0]), int(a[1]), float(a[2])
start, run_end, span = float(a[3]), float(a[4]), float(a[5] or 0)
rows_at_end, rows = int(a[6]), int(a[7])
acc2, ref2, half_duration, p50, p99 = int(a[8]), int(a[9]), float(a[10]), float(a[11]), float(a[12])
xadd, nginx, conns, cores = float(a[13]), float(a[14]), a[15], a[16]
acc_rate = accepted / duration
persist_rate = rows / span if span > 0 else 0.0
persist_during = rows_at_end / (run_end - start)
half_rate = acc2 / half_duration
print()
print(f"CAPACITY ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, {cores} cores,"
      f" load generator on the same box)")
print(f"  hub max sustained accepted rate : {acc_rate:8.0f} dossiers/s  (wrk closed loop, {conns} connections,"
      f" {duration:.0f} s; refused {refused})")
print(f"  hub p99 at half of it           : {p99:8.1f} ms  (p50 {p50:.1f} ms at {half_rate:.0f}/s accepted, refused {ref2})")
print(f"  persisted rate                  : {persist_rate:8.0f} rows/s  ({rows} rows from first receipt to last commit"
      f" in {span:.1f} s; {persist_during:.0f}/s by the end of the load; lost {max(0, accepted - rows)})")
print(f"  nginx return 202 (1 worker)     : {nginx:8.0f} req/s")
print(f"  Redis XADD (unpipelined)        : {xadd:8.0f} /s")
print("ratios")
print(f"  hub / nginx                     : {acc_rate / nginx:8.3f}" if nginx else "  hub / nginx                     :      n/a")
print(f"  hub / XADD                      : {acc_rate / xadd:8.3f}" if xadd else "  hub / XADD                      :      n/a")
print(f"  persisted / accepted            : {persist_rate / acc_rate:8.3f}" if acc_rate else "  persisted / accepted            :      n/a")
sys.exit(0 if rows >= accepted and accepted > 0 else 1)
PY
