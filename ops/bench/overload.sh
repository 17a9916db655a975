#!/usr/bin/env bash
# Overload drill: what one gateway does when far more clients hammer it than it can serve, as on a deadline day, and
# whether the citizens following their dossiers still get answers meanwhile. For each jar (the current build, and
# optionally a baseline jar after it, each on freshly created servers):
#   1. a gateway and an intake (two processes, rate limiting off, as ops/bench/capacity.sh runs them) on a fresh
#      redis-server and a throwaway database; WARM_DURATION s of wrk at WARM_CONNECTIONS (closed loop): the warm rate;
#   2. the flood: wrk with CONNECTIONS connections (closed loop, no think time, Retry-After ignored: the worst client
#      there is) for DURATION s, while a look-up of one recorded dossier by id is sent every 200 ms (a citizen
#      following their dossier) and the CPU of both JVMs is read from /proc;
#   3. the drain, then reconciliation: as many rows as dossiers accepted (202) over the run or more, no code twice.
# It prints, per jar: the accepted rate during the flood and its ratio to the warm rate, the refusals by reason
# (hub_submissions_total), the answers' latency (wrk: every answer, refusals included), the look-ups by status, the
# circuit breakers' state transitions (the gateway's log), the longest event-loop lag, and lost / duplicated.
# All traffic goes to 127.0.0.1, every step is bounded, and everything started here is stopped by pid on exit.
# --cluster runs each jar's hub on a fresh Redis Cluster of 3 masters + 3 replicas instead (ops/redis-cluster.sh,
# AOF everysec, node timeout 5 s; the production configuration) with PARTITIONS (16) partitions, and
# --min-replicas-ack N (0) sets redis.min-replicas-ack; it prints besides, per node over the flood, the connections
# Redis accepted (the rings' and pools' renewals), the slot-map loads (CLUSTER SLOTS), the EXISTS (the rings'
# keep-warm, readiness) and the master roles before and after (a failover), the gateway's log lines since the flood by level and logger, and the
# CPU of the six redis-servers.
#
#   ops/bench/overload.sh                                   # the current build (mvn package first, unless NO_BUILD=1)
#   ops/bench/overload.sh --baseline-jar /tmp/hub-base.jar --baseline-dir /work/wt/base
#   ops/bench/overload.sh --cluster --min-replicas-ack 1
#   CONNECTIONS=2000 DURATION=60 ops/bench/overload.sh
# CONNECTIONS needs as many open files (ulimit -n) and a little more; wrk's 2 threads share them.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BENCH=$ROOT/ops/bench
CONNECTIONS=${CONNECTIONS:-5000}
DURATION=${DURATION:-30}
WARM_CONNECTIONS=${WARM_CONNECTIONS:-64}
WARM_DURATION=${WARM_DURATION:-30}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-180}
START_TIMEOUT=${START_TIMEOUT:-180}
API_KEY=${API_KEY:-dev-portal-web-key}
HUB_JAR=${HUB_JAR:-$ROOT/hub/target/hub.jar}
BASELINE_JAR=${BASELINE_JAR:-}
BASELINE_DIR=${BASELINE_DIR:-}
PARTITIONS=${PARTITIONS:-16}
CLUSTER=0
MIN_REPLICAS_ACK=0
# shellcheck source=ops/lib/jvm.sh
. "$ROOT/ops/lib/jvm.sh"   # HUB_JAVA_OPTS: config/jvm.options unless set
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}

# shellcheck source=ops/bench/lib-servers.sh
. "$BENCH/lib-servers.sh"
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --cluster) CLUSTER=1; shift ;;
    --min-replicas-ack) MIN_REPLICAS_ACK=${2:?--min-replicas-ack N}; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
bench_args "${args[@]}"
[[ $MIN_REPLICAS_ACK =~ ^[0-9]+$ ]] || { echo "--min-replicas-ack takes a number" >&2; exit 2; }
[ "$CLUSTER" = 1 ] || [ "$MIN_REPLICAS_ACK" = 0 ] || { echo "--min-replicas-ack needs --cluster" >&2; exit 2; }
# the soft limit only: "ulimit -n" sets the hard one too, and the JVMs, which raise their soft limit to the hard one,
# would then derive their connection bound (security.max-connections 0) from it: half of 6,000, below the flood's 5,000
[ "$(ulimit -Sn)" -gt $((CONNECTIONS + 200)) ] || ulimit -Sn $((CONNECTIONS + 1000)) 2>/dev/null \
  || { echo "ulimit -n is $(ulimit -Sn) (hard $(ulimit -Hn)): too few open files for $CONNECTIONS connections" >&2
       exit 2; }

need wrk wrk
need psql postgresql-client
need redis-server redis-server
need redis-cli redis-tools
"${PG_ADMIN[@]}" -tAc "SELECT 1" >/dev/null || { echo "no PostgreSQL at $PGUSER@$PGHOST:$PGPORT" >&2; exit 1; }
[ -n "${NO_BUILD:-}" ] || mvn -q -B -DskipTests -pl hub -am package
[ -f "$HUB_JAR" ] || { echo "no hub jar at $HUB_JAR" >&2; exit 1; }
HUB_JAR=$(realpath "$HUB_JAR")

WORK=$(mktemp -d /tmp/hub-overload.XXXXXX)
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# look_ups PORT ID SECONDS OUT: a GET of the dossier every 200 ms for SECONDS, "status seconds" per line into OUT
look_ups() {
  local end=$(( $(date +%s) + $3 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}\n' -H "X-Api-Key: $API_KEY" \
      "http://127.0.0.1:$1/v1/dossiers/$2" >> "$4" || true
    sleep 0.2
  done
}

# node_stats OUT: per node of the run's cluster, "port role connections_received slot_map_loads exists_calls"
node_stats() {
  local port
  for port in $REDIS_PORTS; do
    { redis-cli -p "$port" INFO replication; redis-cli -p "$port" INFO stats; redis-cli -p "$port" INFO commandstats; } \
      | tr -d '\r' | awk -F'[:=,]' -v port="$port" '
        $1 == "role" { role = $2 }
        $1 == "total_connections_received" { conns = $2 }
        $1 == "cmdstat_cluster|slots" || $1 == "cmdstat_cluster|shards" || $1 == "cmdstat_cluster|nodes" { maps += $3 }
        $1 == "cmdstat_exists" { exists = $3 }
        END { print port, role, conns + 0, maps + 0, exists + 0 }'
  done > "$1"
}

# cluster_report BEFORE AFTER LINES0: the cluster's nodes over the flood and the gateway's log lines since it
cluster_report() {
  echo "   redis nodes over the flood (connections accepted, slot-map loads, EXISTS: keep-warm and readiness; role before -> after):"
  join "$1" "$2" | awk '{printf "     :%s %s -> %s: %d connections, %d slot-map loads, %d EXISTS\n", $1, $2, $6,
    $7 - $3, $8 - $4, $9 - $5}'
  echo "   gateway log since the flood: $(tail -n +"$(($3 + 1))" "$RUN_DIR/gateway.log" | python3 -c 'import collections, json, sys
n = collections.Counter()
for line in sys.stdin:
    try:
        e = json.loads(line)
        n[e.get("level", "?") + " " + e.get("logger_name", "?").rsplit(".", 1)[-1]] += 1
    except ValueError:
        n["(not JSON)"] += 1
print(", ".join(f"{k} x{v}" for k, v in n.most_common()) or "nothing")')"
}

# drill LABEL JAR DIR: one jar's hub on its own fresh servers, warmed, flooded, drained, reconciled
drill() {
  local label=$1 jar=$2 dir=$3 iport gport warm acc0 acc start id bound
  RUN_DIR=$WORK/$label
  mkdir -p "$RUN_DIR"
  read -ra JAVA_OPTS <<< "$HUB_JAVA_OPTS"
  local nodes=()
  if [ "$CLUSTER" = 1 ]; then
    start_redis_cluster "$RUN_DIR/redis"
    local p
    for p in $REDIS_PORTS; do nodes+=("redis-$p=$(cat "$RUN_DIR/redis/$p/node.pid")"); done
  else
    start_redis "$RUN_DIR/redis"
  fi
  create_db
  iport=$(free_port); gport=$(free_port)
  local load=(-s ops/bench/submit.lua "http://127.0.0.1:$gport" -- config/examples "$API_KEY")
  echo "== [$label] $jar (config of $dir)"
  [ "$CLUSTER" = 0 ] || echo "   on a Redis Cluster of 3 masters + 3 replicas (:${REDIS_PORTS% }), $PARTITIONS partitions," \
    "redis.min-replicas-ack $MIN_REPLICAS_ACK"
  start_hub intake "$jar" "$dir" "$iport"
  INTAKE=$HUB_PID
  wait_ready "$iport" "$INTAKE" "$START_TIMEOUT" || { tail -20 "$RUN_DIR/intake.log"; exit 1; }
  start_hub gateway "$jar" "$dir" "$gport"
  GATEWAY=$HUB_PID
  wait_ready "$gport" "$GATEWAY" "$START_TIMEOUT" || { tail -20 "$RUN_DIR/gateway.log"; exit 1; }
  bound=$(metric "$gport" 'hub_connections_limit')
  [ "$bound" -ge "$CONNECTIONS" ] || echo "   NOTE: the gateway holds at most $bound connections (security.max-connections," \
    "from its open-file limit): the flood's connections past it are closed at accept, and wrk reconnects them"

  acc0=$(metric "$gport" "$ACCEPTED_RE")
  run wrk -t2 -c"$WARM_CONNECTIONS" -d"${WARM_DURATION}s" "${load[@]}" > "$RUN_DIR/warm.txt" 2>&1 || true
  warm=$(( ($(metric "$gport" "$ACCEPTED_RE") - acc0) / WARM_DURATION ))
  echo "   warm: $warm accepted/s at $WARM_CONNECTIONS connections for ${WARM_DURATION}s"
  id=$(curl -s -X POST "http://127.0.0.1:$gport/v1/dossiers" -H 'Content-Type: application/json' \
    -H "X-Api-Key: $API_KEY" -H "Idempotency-Key: overload-drill-$(date +%s%N)" \
    --data @config/examples/birth-registration.json | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
  drain_to "$(metric "$gport" "$ACCEPTED_RE")" "$DRAIN_TIMEOUT" || echo "   not drained after the warm-up"

  echo "== [$label] flood: wrk -t2 -c$CONNECTIONS for ${DURATION}s, a look-up by id every 200 ms"
  acc0=$(metric "$gport" "$ACCEPTED_RE")
  local refused0 lines0
  refused0=$(refusals "$gport")
  lines0=$(wc -l < "$RUN_DIR/gateway.log")
  [ "$CLUSTER" = 0 ] || node_stats "$RUN_DIR/nodes-before.txt"
  start=$(date +%s)
  look_ups "$gport" "$id" "$DURATION" "$RUN_DIR/lookups.txt" &
  started $!
  run python3 "$BENCH/lib-sample.py" procs "$RUN_DIR/cpu.json" --until-done gateway="$GATEWAY" intake="$INTAKE" "${nodes[@]}" -- \
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency "${load[@]}" > "$RUN_DIR/flood.txt" 2>&1 || true
  acc=$(( $(metric "$gport" "$ACCEPTED_RE") - acc0 ))
  curl -s "http://127.0.0.1:$gport/metrics" > "$RUN_DIR/metrics.txt"
  [ "$CLUSTER" = 0 ] || node_stats "$RUN_DIR/nodes-after.txt"
  sleep 6   # the look-ups' last ones
  echo "   accepted $acc: $(( acc / DURATION ))/s, $(python3 -c "print(round($acc / $DURATION / max(1, $warm), 2))") of the warm rate"
  echo "   refusals over the run (before the flood: ${refused0:-none}): $(refusals "$gport")"
  grep -E 'Requests/sec|Socket errors|Latency |^ +(50|99)%' "$RUN_DIR/flood.txt" | sed 's/^ */   answers: /'
  echo "   look-ups by id: $(awk '{n[$1]++; if ($2 > m) m = $2} END {for (k in n) printf "%s x%d, ", k, n[k]; printf "slowest %.2f s", m}' "$RUN_DIR/lookups.txt")"
  echo "   circuit breakers: $(tail -n +"$((lines0 + 1))" "$RUN_DIR/gateway.log" \
    | grep -o 'circuit breaker [a-z_0-9]* State transition from [A-Z_]* to [A-Z_]*' \
    | sed 's/circuit breaker \([a-z_0-9]*\) State transition from \([A-Z_]*\) to \([A-Z_]*\)/\1 \2->\3/' \
    | sort | uniq -c | awk '{printf "%s %s x%d, ", $2, $3, $1}')none further"
  echo "   longest event-loop lag: $(sed -nE 's/^hub_eventloop_lag_seconds_max ([0-9.eE+-]+)$/\1/p' "$RUN_DIR/metrics.txt" | head -1) s"
  python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))["procs"]
for name in ("gateway", "intake"):
    groups = {g: round(sum(t) / 100, 1) for g, t in p[name]["groups"].items()}
    print("   CPU s of", name, groups)
nodes = {n[len("redis-"):]: round(sum(v["cpu"]) / 100, 1) for n, v in p.items() if n.startswith("redis-")}
if nodes:
    print("   CPU s of the redis nodes", nodes)' "$RUN_DIR/cpu.json"
  [ "$CLUSTER" = 0 ] || cluster_report "$RUN_DIR/nodes-before.txt" "$RUN_DIR/nodes-after.txt" "$lines0"
  local all
  all=$(metric "$gport" "$ACCEPTED_RE")
  drain_to "$all" "$DRAIN_TIMEOUT" || echo "   not drained after ${DRAIN_TIMEOUT}s"
  local since_flood dup
  since_flood=$(rows "$start")
  dup=$(psql -X -d "$BENCH_DB" -tAc "SELECT count(*) - count(DISTINCT code) FROM dossier")
  local persisted
  persisted=$(rows)
  # rows beyond the 202s are 503s answered "submission uncertain" whose dossier was queued all the same (its call
  # reached Redis and answered late): a retry under its Idempotency-Key gets its receipt; wrk never retries
  if [ "$persisted" -ge "$all" ]; then
    echo "   reconciliation: $persisted rows for $all dossiers accepted over the run: no shortfall" \
      "($(( persisted - all )) queued under a 503 'uncertain'), duplicated codes $dup; $since_flood received since the flood began"
  else
    echo "   reconciliation: LOST at least $(( all - persisted )): $persisted rows for $all dossiers accepted, duplicated codes $dup"
  fi
  stop_pid "$GATEWAY" 30; stop_pid "$INTAKE" 30; stop_pid "$REDIS_PID" 30
}

[ "$CLUSTER" = 0 ] || export HUB_STREAM_PARTITIONS=$PARTITIONS HUB_REDIS_MIN_REPLICAS_ACK=$MIN_REPLICAS_ACK
drill after "$HUB_JAR" "$ROOT"
[ -z "$BASELINE_JAR" ] || drill before "$(realpath "$BASELINE_JAR")" "$BASELINE_DIR"
