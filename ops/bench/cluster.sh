#!/usr/bin/env bash
# Cluster overhead and failover figures, measured in ONE run on ONE machine (bounded, loopback only):
#   1. standalone: one hub process (gateway + intake workers) on one redis-server (AOF everysec), 1 partition;
#   2. cluster: the same hub process on a Redis Cluster of 3 masters + 3 replicas (ops/redis-cluster.sh, AOF
#      everysec), 16 partitions;
#      each saturated by wrk (closed loop, rate limiting off, dossiers spread over 10,000 receiving units) after a
#      warm-up, accepted/s from the hub's own counters, then drained and counted in PostgreSQL;
#   3. failover: ClusterProcessesTest#aMasterSigkilledUnderLoad... (a master SIGKILLed under closed-loop load with
#      redis.min-replicas-ack=1, every 202 reconciled against PostgreSQL), its printed figures;
# then prints the table of the README's "Cluster mode" section. Everything started here is stopped on exit.
#
#   ops/bench/cluster.sh
#   DURATION=30 CONNECTIONS=64 NO_BUILD=1 ops/bench/cluster.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-64}
PARTITIONS=${PARTITIONS:-16}
API_KEY=${API_KEY:-dev-portal-web-key}
export HUB_JAVA_OPTS=${HUB_JAVA_OPTS:--Xms512m -Xmx1g}
command -v wrk >/dev/null || { apt-get install -y -q wrk >/dev/null 2>&1 || { echo "wrk is needed" >&2; exit 1; }; }
[ -n "${NO_BUILD:-}" ] || mvn -q -B -DskipTests -pl hub -am package

# shellcheck source=ops/lib/postgres.sh
. ops/lib/postgres.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
run_dir=$(mktemp -d /tmp/hub-cluster-bench.XXXXXX)
: >"$run_dir/pids"
cleanup() {
  stop_recorded "$run_dir"
  ops/redis-cluster.sh --stop "$run_dir/redis" >/dev/null 2>&1 || true
}
trap cleanup EXIT
shared_postgres "hub_bench_$(date +%s)" "$run_dir" "$(free_port)"
export HUB_HTTP_HOST=127.0.0.1 HUB_RATELIMIT_ENABLED=false HUB_LOG_LEVEL=WARN HUB_LOG_FORMAT=json

metric() { curl -s "http://127.0.0.1:$1/metrics" | grep -E "^$2" | awk '{s += $2} END {printf "%d", s}'; }
rows() { psql "$HUB_POSTGRES_URL" -tAc "SELECT count(*) FROM dossier"; }
ACCEPTED_RE='hub_submissions_total[{][^}]*outcome="(accepted|degraded)"'

measure() { # name -> prints "<accepted/s> <accepted> <refused> <persisted>"; the hub runs on $port
  local name=$1 port=$2 base_rows base_acc base_all acc all
  wrk -t1 -c16 -d5s -s ops/bench/submit.lua "http://127.0.0.1:$port" -- config/examples "$API_KEY" >/dev/null 2>&1 || true
  base_rows=$(rows); base_acc=$(metric "$port" "$ACCEPTED_RE"); base_all=$(metric "$port" 'hub_submissions_total')
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s ops/bench/submit.lua "http://127.0.0.1:$port" -- config/examples \
    "$API_KEY" >"$run_dir/$name-wrk.txt" 2>&1 || true
  acc=$(( $(metric "$port" "$ACCEPTED_RE") - base_acc )); all=$(( $(metric "$port" 'hub_submissions_total') - base_all ))
  for _ in $(seq 1200); do [ $(( $(rows) - base_rows )) -ge "$acc" ] && break; sleep 0.1; done
  echo "$(python3 -c "print(round($acc / $DURATION, 1))") $acc $((all - acc)) $(( $(rows) - base_rows ))"
}

echo "== 1/3 standalone: redis-server (AOF everysec) + one hub process, 1 partition, wrk -c$CONNECTIONS ${DURATION}s" >&2
rport=$(free_port); port=$(free_port)
mkdir -p "$run_dir/standalone-redis"
redis-server --port "$rport" --bind 127.0.0.1 --dir "$run_dir/standalone-redis" --save '' --appendonly yes \
  --appendfsync everysec --logfile "$run_dir/standalone-redis/redis.log" &
echo $! >>"$run_dir/pids"
for _ in $(seq 100); do redis-cli -p "$rport" PING >/dev/null 2>&1 && break; sleep 0.1; done
HUB_REDIS_MODE=standalone HUB_REDIS_URL=redis://127.0.0.1:$rport HUB_STREAM_PARTITIONS=1 \
  start_hub standalone all "$port"
read -r S_RATE S_ACC S_REF S_ROWS < <(measure standalone "$port")
echo "   $S_RATE accepted/s ($S_ACC accepted, $S_REF refused, $S_ROWS persisted)" >&2
stop_recorded "$run_dir"

echo "== 2/3 cluster: 3 masters + 3 replicas (AOF everysec) + one hub process, $PARTITIONS partitions" >&2
base=$(( $(free_port) % 20000 + 30000 ))
ops/redis-cluster.sh --base-port "$base" --dir "$run_dir/redis" --detach >"$run_dir/redis.env" 2>/dev/null
port=$(free_port)
# shellcheck disable=SC2046
export $(cat "$run_dir/redis.env")
HUB_STREAM_PARTITIONS=$PARTITIONS start_hub cluster all "$port"
read -r C_RATE C_ACC C_REF C_ROWS < <(measure cluster "$port")
echo "   $C_RATE accepted/s ($C_ACC accepted, $C_REF refused, $C_ROWS persisted)" >&2
stop_recorded "$run_dir"
ops/redis-cluster.sh --stop "$run_dir/redis" >/dev/null 2>&1 || true

echo "== 3/3 failover: ClusterProcessesTest, a master SIGKILLed under load with redis.min-replicas-ack=1" >&2
mvn -q -B -o -pl hub test -Dtest='ClusterProcessesTest#aMasterSigkilledUnderLoad*' \
  -Dsurefire.failIfNoSpecifiedTests=false >"$run_dir/failover.txt" 2>&1 || true
FAILOVER=$(grep -h 'cluster failover under load' hub/target/surefire-reports/*ClusterProcessesTest-output.txt | tail -1)

python3 - "$S_RATE" "$S_ACC" "$S_ROWS" "$C_RATE" "$C_ACC" "$C_ROWS" "$FAILOVER" "$(nproc)" "$CONNECTIONS" \
  "$DURATION" <<'PY'
import re, sys, datetime, platform
s_rate, s_acc, s_rows, c_rate, c_acc, c_rows = (float(x) for x in sys.argv[1:7])
fo, cores, conns, duration = sys.argv[7], sys.argv[8], sys.argv[9], sys.argv[10]
def grab(pattern, default="?"):
    m = re.search(pattern, fo)
    return m.group(1) if m else default
print()
print(f"CLUSTER BENCH ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, {cores} cores,"
      f" load generator and every server on the same box)")
print("| measure | result |")
print("| --- | --- |")
print(f"| accepted/s, standalone (1 redis-server, 1 partition; wrk {conns} connections, {duration} s) | {s_rate:,.0f}"
      f" ({s_acc:.0f} accepted, {s_rows:.0f} persisted) |")
print(f"| accepted/s, cluster (3 masters + 3 replicas, 16 partitions; same load) | {c_rate:,.0f}"
      f" ({c_acc:.0f} accepted, {c_rows:.0f} persisted) |")
print(f"| **cluster / standalone** | **{c_rate / s_rate:.2f}** |" if s_rate else "| cluster / standalone | n/a |")
promoted, stall = grab(r"promoted in (\d+) ms"), grab(r"longest stall (\d+) ms")
retries, by_type = grab(r"(\d+) retries"), grab(r"retries (\{[^}]*\})", "")
accepted, lost_fo, dup = grab(r"accepted=(\d+)"), grab(r"lost=(\d+)"), grab(r"duplicated=(\d+)")
print(f"| failover: replica promoted after SIGKILL of a master | {promoted} ms |")
print(f"| failover: longest stall (no 202 to any client) | {stall} ms |")
print(f"| failover: requests answered 503 and retried with the same key | {retries} {by_type} |")
print(f"| failover: dossiers accepted / lost / duplicated | {accepted} / {lost_fo} / {dup} |")
print()
print("failover run:", fo or "(not found: see the run directory's failover.txt)")
lost = int(s_rows < s_acc) + int(c_rows < c_acc)
sys.exit(0 if lost == 0 and s_acc > 0 and c_acc > 0 else 1)
PY
