#!/usr/bin/env bash
# Cluster overhead and failover figures, measured in ONE run on ONE machine (bounded, loopback only):
#   1. standalone: one hub process (gateway + intake workers) on one redis-server (AOF everysec), 1 partition;
#   2. cluster: the same hub process on a Redis Cluster of 3 masters + 3 replicas (ops/redis-cluster.sh, AOF
#      everysec), 16 partitions;
#      both running at once, saturated in turn by wrk (closed loop, rate limiting off, ops/bench/submit.lua: dossiers
#      spread over the open receiving units of the agency directory, so over every partition), ROUNDS interleaved
#      rounds each after a warm-up; accepted/s from the hubs' own counters, refusals counted by status, CPU per
#      accepted dossier of the hub process and of its redis-server(s) (from /proc), then every 202 counted in
#      PostgreSQL after the drain;
#   3. failover: ClusterProcessesTest#aMasterSigkilledUnderLoad... (a master SIGKILLed under closed-loop load with
#      redis.min-replicas-ack=1, every 202 reconciled against PostgreSQL), its printed figures;
# then prints the table of the README's "Cluster mode" section. Everything started here is stopped on exit and its
# two databases are dropped.
#
#   ops/bench/cluster.sh
#   DURATION=20 ROUNDS=5 CONNECTIONS=64 NO_BUILD=1 ops/bench/cluster.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-64}
PARTITIONS=${PARTITIONS:-16}
API_KEY=${API_KEY:-dev-portal-web-key}
# shellcheck source=ops/lib/jvm.sh
. ops/lib/jvm.sh   # HUB_JAVA_OPTS: config/jvm.options unless set
export HUB_JAVA_OPTS
for tool in wrk:wrk psql:postgresql-client; do
  command -v "${tool%%:*}" >/dev/null || apt-get install -y -q "${tool#*:}" >/dev/null 2>&1 \
    || { echo "${tool%%:*} is needed (Debian package ${tool#*:})" >&2; exit 1; }
done
[ -n "${NO_BUILD:-}" ] || mvn -q -B -DskipTests -pl hub -am package

# shellcheck source=ops/lib/postgres.sh
. ops/lib/postgres.sh
# shellcheck source=ops/lib/hubs.sh
. ops/lib/hubs.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
run_dir=$(mktemp -d /tmp/hub-cluster-bench.XXXXXX)
: >"$run_dir/pids"
created_dbs=()
cleanup() {
  # the run's databases first (FORCE closes the hubs' connections), while the PostgreSQL may still be one of ours
  local db
  for db in "${created_dbs[@]}"; do
    psql "$server_url/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 \
      || echo "could not drop database $db" >&2
  done
  stop_recorded "$run_dir"
  ops/redis-cluster.sh --stop "$run_dir/redis" >/dev/null 2>&1 || true
}
trap cleanup EXIT
shared_postgres hub_bench "$run_dir" "$(free_port)"
server_url=${HUB_POSTGRES_URL%/*}
export HUB_HTTP_HOST=127.0.0.1 HUB_SECURITY_DEVELOPMENT_CLIENTS=true HUB_RATELIMIT_ENABLED=false HUB_LOG_LEVEL=WARN HUB_LOG_FORMAT=json

# CPU time (utime + stime, in clock ticks) of the given pids, summed
ticks() { local t=0 p; for p in "$@"; do t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0) )); done; echo "$t"; }
metric() { curl -s "http://127.0.0.1:$1/metrics" | grep -E "^$2" | awk '{s += $2} END {printf "%d", s}'; }
rows() { psql "$server_url/$1" -tAc "SELECT count(*) FROM dossier"; }
ACCEPTED_RE='hub_submissions_total[{][^}]*outcome="(accepted|degraded)"'
wrk_hub() { wrk "$@" -s ops/bench/submit.lua "http://127.0.0.1:$port" -- config/examples "$API_KEY"; }

echo "== starting: a redis-server (AOF everysec) and a Redis Cluster of 3 masters + 3 replicas (AOF everysec), one" \
  "hub process (gateway + intake) on each, each with a database of its own" >&2
rport=$(free_port)
mkdir -p "$run_dir/standalone-redis"
redis-server --port "$rport" --bind 127.0.0.1 --dir "$run_dir/standalone-redis" --save '' --appendonly yes \
  --appendfsync everysec --logfile "$run_dir/standalone-redis/redis.log" &
echo $! >>"$run_dir/pids"
ops/redis-cluster.sh --base-port $(( $(free_port) % 20000 + 30000 )) --dir "$run_dir/redis" --detach \
  >"$run_dir/redis.env" 2>/dev/null
for _ in $(seq 100); do redis-cli -p "$rport" PING >/dev/null 2>&1 && break; sleep 0.1; done
# both modes issue the same units' codes from 0001 on, and code is UNIQUE in PostgreSQL: one database each
stamp=$(date +%s)
declare -A DB=([standalone]=bench_standalone_$stamp [cluster]=bench_cluster_$stamp)
for mode in standalone cluster; do
  psql "$server_url/postgres" -qc "CREATE DATABASE ${DB[$mode]}" && created_dbs+=("${DB[$mode]}")
done
declare -A PORT=([standalone]=$(free_port) [cluster]=$(free_port))
HUB_POSTGRES_URL=$server_url/${DB[standalone]} HUB_REDIS_MODE=standalone HUB_REDIS_URL=redis://127.0.0.1:$rport \
  HUB_STREAM_PARTITIONS=1 start_hub standalone all "${PORT[standalone]}"
declare -A HUBPID=([standalone]=$(tail -1 "$run_dir/pids")) REDISPIDS=([standalone]=$(head -1 "$run_dir/pids"))
# shellcheck disable=SC2046
env $(cat "$run_dir/redis.env") HUB_POSTGRES_URL="$server_url/${DB[cluster]}" HUB_STREAM_PARTITIONS="$PARTITIONS" \
  bash -c ". ops/lib/hubs.sh; run_dir=$run_dir; start_hub cluster all ${PORT[cluster]}"
HUBPID[cluster]=$(tail -1 "$run_dir/pids") REDISPIDS[cluster]=$(tr '\n' ' ' <"$run_dir/redis/pids")

# rounds alternate between the modes: on a box shared with other work the rate drifts by 2x within minutes, so the
# ratio of means over interleaved rounds says more than two rounds minutes apart
declare -A ACC=([standalone]=0 [cluster]=0) REF=([standalone]=0 [cluster]=0) RATES=([standalone]="" [cluster]="")
declare -A HUBCPU=([standalone]=0 [cluster]=0) REDISCPU=([standalone]=0 [cluster]=0) REFUSED=([standalone]="" [cluster]="")
for mode in standalone cluster; do
  port=${PORT[$mode]}
  wrk_hub -t1 -c16 -d5s >/dev/null 2>&1 || true   # warm-up: JIT, script caches, connections to every node
done
for round in $(seq "$ROUNDS"); do
  for mode in standalone cluster; do
    port=${PORT[$mode]}
    acc0=$(metric "$port" "$ACCEPTED_RE"); all0=$(metric "$port" 'hub_submissions_total')
    # shellcheck disable=SC2086 # REDISPIDS holds a list of pids
    h0=$(ticks "${HUBPID[$mode]}") r0=$(ticks ${REDISPIDS[$mode]})
    wrk_hub -t2 -c"$CONNECTIONS" -d"${DURATION}s" >"$run_dir/$mode-$round-wrk.txt" 2>&1 || true
    # shellcheck disable=SC2086 # REDISPIDS holds a list of pids
    h=$(( $(ticks "${HUBPID[$mode]}") - h0 )) r=$(( $(ticks ${REDISPIDS[$mode]}) - r0 ))
    acc=$(( $(metric "$port" "$ACCEPTED_RE") - acc0 )); all=$(( $(metric "$port" 'hub_submissions_total') - all0 ))
    ACC[$mode]=$(( ACC[$mode] + acc )); REF[$mode]=$(( REF[$mode] + all - acc ))
    HUBCPU[$mode]=$(( HUBCPU[$mode] + h )); REDISCPU[$mode]=$(( REDISCPU[$mode] + r ))
    RATES[$mode]="${RATES[$mode]} $(( acc / DURATION ))"
    echo "   round $round $mode: $(( acc / DURATION )) accepted/s ($(( all - acc )) refused), CPU $(( h * 10 )) ms hub," \
      "$(( r * 10 )) ms redis" >&2
  done
done
for mode in standalone cluster; do   # every 202 must reach PostgreSQL: wait for the drain, then count
  for _ in $(seq 1200); do [ "$(rows "${DB[$mode]}")" -ge "$(metric "${PORT[$mode]}" "$ACCEPTED_RE")" ] && break; sleep 0.1; done
done
for mode in standalone cluster; do   # refusals by status and reason, over the whole run (warm-up included)
  REFUSED[$mode]=$(curl -s "http://127.0.0.1:${PORT[$mode]}/metrics" | grep -E '^hub_submissions_total[{]' \
    | grep -Ev 'outcome="(accepted|degraded)"' | awk '$2 > 0 {sub(/^hub_submissions_total/, ""); printf "%s=%d ", $1, $2}')
done
S_ACC=${ACC[standalone]} C_ACC=${ACC[cluster]}
S_ROWS=$(rows "${DB[standalone]}") C_ROWS=$(rows "${DB[cluster]}")
S_ALL=$(metric "${PORT[standalone]}" "$ACCEPTED_RE") C_ALL=$(metric "${PORT[cluster]}" "$ACCEPTED_RE")
stop_recorded "$run_dir"
ops/redis-cluster.sh --stop "$run_dir/redis" >/dev/null 2>&1 || true

echo "== failover: ClusterProcessesTest, a master SIGKILLed under load with redis.min-replicas-ack=1" >&2
rm -f hub/target/surefire-reports/*ClusterProcessesTest*
# -am: this checkout's modules, never whatever another build installed in ~/.m2
mvn -q -B -o -pl hub -am test -Dtest='ClusterProcessesTest#aMasterSigkilledUnderLoad*' \
  -Dsurefire.failIfNoSpecifiedTests=false >"$run_dir/failover.txt" 2>&1 || true
FAILOVER=$(grep -h 'cluster failover under load' hub/target/surefire-reports/*ClusterProcessesTest-output.txt \
  2>/dev/null | tail -1 || true)

python3 - "$S_ACC" "$S_ROWS" "$S_ALL" "$C_ACC" "$C_ROWS" "$C_ALL" "${RATES[standalone]}" "${RATES[cluster]}" \
  "$FAILOVER" "$(nproc)" "$CONNECTIONS" "$DURATION" "$ROUNDS" "$PARTITIONS" \
  "${HUBCPU[standalone]}" "${REDISCPU[standalone]}" "${HUBCPU[cluster]}" "${REDISCPU[cluster]}" \
  "${REF[standalone]}" "${REF[cluster]}" "${REFUSED[standalone]}" "${REFUSED[cluster]}" \
  "$(awk -F= '$1 == "intake.read-linger-ms" {print $2}' config/hub.properties)" <<'PY'
import os, re, sys, datetime, platform
s_acc, s_rows, s_all, c_acc, c_rows, c_all = (int(x) for x in sys.argv[1:7])
s_rates, c_rates, fo = sys.argv[7].split(), sys.argv[8].split(), sys.argv[9]
cores, conns, duration, rounds, partitions = sys.argv[10:15]
s_hub, s_redis, c_hub, c_redis = (int(x) * 10 for x in sys.argv[15:19])  # ms, from clock ticks of 10 ms
s_ref, c_ref = int(sys.argv[19]), int(sys.argv[20])
s_why, c_why = sys.argv[21].strip() or "none", sys.argv[22].strip() or "none"
linger = os.environ.get("HUB_INTAKE_READ_LINGER_MS", sys.argv[23])
def per(ms, n):
    return f"{ms * 1000 / n:,.0f} µs" if n else "n/a"
seconds = float(duration) * int(rounds)
s_rate, c_rate = s_acc / seconds, c_acc / seconds
def grab(pattern, default="?"):
    m = re.search(pattern, fo)
    return m.group(1) if m else default
promoted, stall = grab(r"promoted in (\d+) ms"), grab(r"longest stall (\d+) ms")
wait = grab(r"longest wait of one dossier (\d+) ms")
retries, by_type = grab(r"(\d+) retries"), grab(r"retries (\{[^}]*\})", "")
accepted, lost_fo, dup = grab(r"accepted=(\d+)"), grab(r"lost=(\d+)"), grab(r"duplicated=(\d+)")
print()
print(f"CLUSTER BENCH ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, {cores} cores,"
      f" load generator and every server on the same box)")
print("| measure | result |")
print("| --- | --- |")
print(f"| accepted/s, standalone (1 redis-server, 1 partition; wrk {conns} connections, {rounds} rounds of {duration} s)"
      f" | {s_rate:,.0f} (rounds: {', '.join(s_rates)}) |")
print(f"| accepted/s, cluster (3 masters + 3 replicas, {partitions} partitions; interleaved rounds) | {c_rate:,.0f}"
      f" (rounds: {', '.join(c_rates)}) |")
print(f"| **cluster / standalone** | **{c_rate / s_rate:.2f}** |" if s_rate else "| cluster / standalone | n/a |")
print(f"| CPU per accepted dossier, hub process (gateway + intake) | standalone {per(s_hub, s_acc)},"
      f" cluster {per(c_hub, c_acc)} (intake.read-linger-ms {linger}) |")
print(f"| CPU per accepted dossier, redis-server (all nodes) | standalone {per(s_redis, s_acc)}, cluster {per(c_redis, c_acc)} |")
print(f"| refused during the rounds | standalone {s_ref}, cluster {c_ref} |")
print(f"| persisted / accepted (after the drain) | standalone {s_rows}/{s_all}, cluster {c_rows}/{c_all} |")
print(f"| failover: replica promoted after SIGKILL of a master | {promoted} ms |")
print(f"| failover: longest stall (no 202 to any client) | {stall} ms |")
print(f"| failover: longest wait of one dossier for its 202 (retrying every 200 ms) | {wait} ms |")
print(f"| failover: requests answered 503 and retried with the same key | {retries} {by_type} |")
print(f"| failover: dossiers accepted / lost / duplicated | {accepted} / {lost_fo} / {dup} |")
print()
print("refusals over the whole run: standalone", s_why, "| cluster", c_why)
print("failover run:", fo or "(not found: see the run directory's failover.txt)")
sys.exit(0 if s_rows >= s_all and c_rows >= c_all and s_acc > 0 and c_acc > 0 and fo else 1)
PY
