#!/usr/bin/env bash
# One machine, the whole scaled-out hub on loopback: a Redis Cluster of 3 masters + 3 replicas (ops/redis-cluster.sh,
# Debian's redis-server, installed when missing and run as root), two gateway processes and two intake processes
# in cluster mode, sharing one PostgreSQL. Prints every URL and pid; Ctrl-C stops everything it started.
#
#   ops/run-cluster.sh                          # gateways :8081 :8082, intake health/metrics :8091 :8092, Redis 7101-7106
#   ops/run-cluster.sh --partitions 32 --min-replicas-ack 1 --redis-base-port 7201 --gateway-ports 9081,9082
#   ops/run-cluster.sh --redis-base-port 27101 --redis-bus-base-port 27201   # bus ports too (default: Redis port + 10000)
#   HUB_RATELIMIT_ENABLED=false ops/run-cluster.sh   # any HUB_* variable reaches every process
#   ops/rehearse.sh --base-url http://127.0.0.1:8081,http://127.0.0.1:8082 --pg-url "$(cat DIR/postgres.url)" ...
#
# PostgreSQL: HUB_POSTGRES_URL when set; else the machine's own on 127.0.0.1:5432 when it lets "postgres" in (a new
# database hub_cluster_<epoch> for every run, kept afterwards for reconciliation); else the hub's embedded PostgreSQL
# as a fifth process (port 15433, data in the run directory). A database of its own per run, so that a rehearsal
# reconciles only its own dossiers; reusing one is safe for the codes (the new Redis Cluster has no epoch markers, so
# the gateways seed its counters from PostgreSQL first: a 'raised' seeding per partition). The URL is printed and
# written to <run dir>/postgres.url.
# Logs, data and the URLs are kept in the run directory (--dir, default a new /tmp/onewindow-cluster.XXXXXX), with
# how each process was started (<name>.hub.env, redis/<port>/redis.args) and its pid: a process killed meanwhile (a
# failure rehearsal) comes back as it was with ops/cluster-restart.sh <run dir> <name> (gateway-1, gateway-2,
# intake-1, intake-2, redis-<port>), and Ctrl-C stops it with the rest.
# --no-build runs hub/target/hub.jar as built (on a shared box build it first, under your lock).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
redis_base=7101 redis_bus_base="" gateways=8081,8082 intakes=8091,8092 partitions=16 replicas_ack=0 dir="" build=yes pg_port=15433
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage 0 ;;
    --redis-base-port) redis_base=$2; shift 2 ;;
    --redis-bus-base-port) redis_bus_base=$2; shift 2 ;;
    --gateway-ports) gateways=$2; shift 2 ;;
    --intake-ports) intakes=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    --min-replicas-ack) replicas_ack=$2; shift 2 ;;
    --postgres-port) pg_port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --no-build) build=no; shift ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$build" = yes ] || [ ! -f hub/target/hub.jar ]; then
  echo "building hub/target/hub.jar ..." >&2
  mvn -q -B -DskipTests -pl hub -am package
fi
dir=${dir:-$(mktemp -d "${TMPDIR:-/tmp}/onewindow-cluster.XXXXXX")}
mkdir -p "$dir"
dir=$(realpath "$dir")   # printed in the restart command, which may run from anywhere
# the processes run from the run's own copy: a later build rewriting hub/target/hub.jar in place must not change the
# jar they are reading (as ops/run-hub.sh)
# shellcheck source=ops/lib/hub-jar.sh
. ops/lib/hub-jar.sh
hub_jar_copy "$dir"
hub_jar=$HUB_JAR
: >"$dir/pids"
# ops/cluster-restart.sh restarts a process only while this script runs: after it, nothing would stop that process
echo $$ >"$dir/run-cluster.pid"

# shellcheck source=ops/lib/postgres.sh
. ops/lib/postgres.sh
# shellcheck source=ops/lib/hubs.sh
. ops/lib/hubs.sh
run_dir=$dir
sleeper=""
stop_all() {
  if [ -n "$WATCHER" ]; then kill "$WATCHER" 2>/dev/null || true; fi
  # the idle sleep too: left behind it would keep this script's inherited descriptors (e.g. a flock) open
  if [ -n "$sleeper" ]; then kill "$sleeper" 2>/dev/null || true; fi
  # a restart under way (ops/cluster-restart.sh) records its pid first; one that starts later is refused: without the
  # lock, a pid recorded after stop_recorded read the list was never signalled, and that process outlived the run
  local lock
  exec {lock}>>"$dir/restart.lock"
  flock -w 90 "$lock" || echo "a restart still holds $dir/restart.lock; stopping anyway" >&2
  stop_recorded "$dir"
  ops/redis-cluster.sh --stop "$dir/redis" 2>/dev/null || true
  echo "stopped; logs and data in $dir" >&2
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# a kill -9 of this script runs no trap: its redis-servers and JVMs, in sessions of their own, would go on holding
# their ports, so the watcher stops them as the EXIT trap would have (WATCHER empty in the watcher's own copy)
WATCHER=""
after_kill_9 stop_all

ops/redis-cluster.sh --base-port "$redis_base" ${redis_bus_base:+--bus-base-port "$redis_bus_base"} --dir "$dir/redis" --detach >"$dir/redis.env"
# shellcheck disable=SC2046
export $(cat "$dir/redis.env")

pg_note="a new database of this run's own"
if [ -n "${HUB_POSTGRES_URL:-}" ]; then
  pg_note="given: codes it already holds for today are seeded into the new Redis Cluster's counters"
  echo "HUB_POSTGRES_URL is set: $pg_note" >&2
fi
shared_postgres "hub_cluster_$(date +%s)" "$dir" "$pg_port"
export HUB_STREAM_PARTITIONS=$partitions HUB_REDIS_MIN_REPLICAS_ACK=$replicas_ack
export HUB_RATELIMIT_FALLBACK_INSTANCES=${HUB_RATELIMIT_FALLBACK_INSTANCES:-2}
export HUB_LOG_FORMAT=${HUB_LOG_FORMAT:-json} HUB_HTTP_HOST=127.0.0.1
# a rehearsal cluster on this machine: the shipped development clients (the load test's keys) may call it
export HUB_SECURITY_DEVELOPMENT_CLIENTS=${HUB_SECURITY_DEVELOPMENT_CLIENTS:-true}

IFS=, read -r gw1 gw2 <<<"$gateways"
IFS=, read -r in1 in2 <<<"$intakes"
# one after the other: the first applies the database migrations alone, and a 2-core box starts JVMs no faster
start_hub gateway-1 gateway "$gw1" || exit 1
start_hub gateway-2 gateway "$gw2" || exit 1
start_hub intake-1 intake "$in1" || exit 1
start_hub intake-2 intake "$in2" || exit 1

# the gateways' scheme as their readiness check uses it (ops/lib/hubs.sh); the intakes' ports stay plain HTTP
gw_scheme=http tls_enabled=${HUB_SECURITY_TLS_ENABLED:-false}
if [ "${tls_enabled,,}" = true ]; then gw_scheme=https; fi
cat <<EOT
one-window hub, cluster mode ($partitions partitions, min-replicas-ack $replicas_ack), run directory $dir
  gateway-1 $gw_scheme://127.0.0.1:$gw1   gateway-2 $gw_scheme://127.0.0.1:$gw2   (POST /v1/dossiers, /health/ready, /metrics)
  intake-1  http://127.0.0.1:$in1   intake-2  http://127.0.0.1:$in2   (/health/ready, /metrics)
  $(cat "$dir/redis.env")
  HUB_POSTGRES_URL=$HUB_POSTGRES_URL   ($pg_note; also in $dir/postgres.url)
  pids: $(tr '\n' ' ' <"$dir/pids")  (redis-server pids in $dir/redis/pids)
  restart a killed process: ops/cluster-restart.sh $dir gateway-1|gateway-2|intake-1|intake-2|redis-<port>
  load: ops/rehearse.sh --base-url $gw_scheme://127.0.0.1:$gw1,$gw_scheme://127.0.0.1:$gw2 --pg-url $HUB_POSTGRES_URL --profile steady
Ctrl-C stops everything.
EOT
# short naps: after a kill -9 the current one is an orphan the watcher cannot name, holding this script's inherited
# descriptors (a caller's flock) until it ends
while true; do sleep 5 & sleeper=$!; wait "$sleeper"; done
