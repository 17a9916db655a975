#!/usr/bin/env bash
# A local Redis Cluster of 3 masters + 3 replicas on 127.0.0.1, for running the hub in cluster mode.
#   ops/redis-cluster.sh [--base-port 7001] [--bus-base-port B] [--dir DIR] [--detach]   start (foreground unless --detach)
#   ops/redis-cluster.sh --stop DIR                                   stop a detached cluster
#   ops/redis-cluster.sh --restart DIR PORT                           start one node of DIR again, after it died
# Ports BASE..BASE+5 and their bus ports (+10000, or B..B+5 with --bus-base-port) must be free. AOF with appendfsync
# everysec, as production should run, so a restarted node comes back with its data and functions;
# cluster-require-full-coverage no, so the healthy shards keep answering while one fails over. Needs redis-server 7.
# Each node's redis-server line is written to DIR/PORT/redis.args (one argument a line) and every start of the node
# runs that line: --restart starts it with the same options, directory, nodes.conf and AOF, so it rejoins the cluster
# (as a replica when its replica was promoted meanwhile); it records the pid in DIR/pids for --stop, waits up to 60 s
# for PING, cluster_state:ok, every other node's agreement on its role and (a replica) the link to its master, and prints
# the pid. It refuses (exit 2) a port that is no node of DIR, a node still running and a cluster that was stopped.
set -euo pipefail
# shellcheck source=ops/lib/pids.sh
. "$(dirname "$0")/lib/pids.sh"

base=7001 bus_base="" dir="" mode=start port=""
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage 0 ;;
    --base-port) base=${2:?}; shift 2 ;;
    --bus-base-port) bus_base=${2:?}; shift 2 ;;
    --dir) dir=${2:?}; shift 2 ;;
    --detach) mode=detach; shift ;;
    --stop) dir=${2:?}; mode=stop; shift 2 ;;
    --restart) dir=${2:?}; port=${3:?--restart DIR PORT}; mode=restart; shift 3 ;;
    *) usage 2 >&2 ;;
  esac
done

# node_record DIR PORT: the one redis-server line of a node, for its first start and every restart
node_record() { # dir port
  mkdir -p "$1/$2"
  printf '%s\n' --port "$2" --bind 127.0.0.1 --dir "$1/$2" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000 \
    --cluster-require-full-coverage no \
    --appendonly yes --appendfsync everysec --save '' --repl-diskless-sync-delay 0 \
    --logfile "$1/$2/redis.log" >"$1/$2/redis.args"
  # the cluster bus: redis-server's own default (port + 10000) unless --bus-base-port named the range
  if [ -n "$bus_base" ]; then printf '%s\n' --cluster-port "$((bus_base + $2 - base))" >>"$1/$2/redis.args"; fi
}

# node_launch DIR PORT: starts the node DIR/PORT/redis.args records; its pid goes to DIR/pids and DIR/PORT/node.pid.
# In a session of its own (setsid): a Ctrl-C meant for a caller such as ops/run-cluster.sh must not stop Redis under
# hub processes that are still draining; this script (or its caller) stops the nodes by pid instead. Its output goes
# to its log, not to this script's: a caller reading the printed pid, pid=$(...), would otherwise wait for the node's
# end.
node_launch() { # dir port
  local args detach=""
  command -v setsid >/dev/null && detach=setsid
  mapfile -t args <"$1/$2/redis.args"
  (cd "$1/$2" && exec $detach redis-server "${args[@]}") >>"$1/$2/redis.log" 2>&1 </dev/null &
  record_pid "$1/pids" "$1/$2/node.pid" "$!"
}

# node_view PORT ID: how the node on PORT sees node ID in CLUSTER NODES: role (-fail when flagged), master, slots
node_view() { # port id
  redis-cli -p "$1" CLUSTER NODES 2>/dev/null | tr -d '\r' | awk -v id="$2" '$1 == id {
    role = $3 ~ /master/ ? "master" : ($3 ~ /slave/ ? "replica" : "other"); if ($3 ~ /fail|handshake|noaddr/) role = role "-fail"
    s = ""; for (i = 9; i <= NF; i++) s = s " " $i
    print role, $4 s }'
}

# the node of DIR/PORT is ready: it answers, sees the cluster ok, every other node that answers sees it as it sees
# itself (a master restarted after its replica's promotion first calls itself master of its old slots, and the others
# learn of its demotion by gossip, one after the other) and, a replica, is linked up
node_ready() { # dir port
  local id self q
  redis-cli -p "$2" PING 2>/dev/null | grep -q PONG || return 1
  redis-cli -p "$2" CLUSTER INFO | tr -d '\r' | grep -qx 'cluster_state:ok' || return 1
  id=$(redis-cli -p "$2" CLUSTER MYID | tr -d '\r')
  self=$(node_view "$2" "$id")
  case $self in master*|replica*) ;; *) return 1 ;; esac
  for q in $(node_ports "$1"); do
    if [ "$q" = "$2" ] || ! redis-cli -p "$q" PING >/dev/null 2>&1; then continue; fi
    [ "$(node_view "$q" "$id")" = "$self" ] || return 1
  done
  case $self in
    replica*) redis-cli -p "$2" INFO replication | tr -d '\r' | grep -qx 'master_link_status:up' ;;
  esac
}

node_ports() { # dir: the ports of its nodes
  local f
  for f in "$1"/*/redis.args; do [ -f "$f" ] && basename "$(dirname "$f")"; done
}

stop_nodes() { # kills only the pids this script recorded in $1/pids
  local d=$1 pid
  [ -f "$d/pids" ] || return 0
  while read -r pid; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; fi
  done <"$d/pids"
  while read -r pid; do
    while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  done <"$d/pids"
  rm -f "$d/pids"
  echo "stopped the cluster in $d (data kept)" >&2
}

restart_node() { # dir port
  local d=$1 p=$2 pid
  if [ ! -f "$d/$p/redis.args" ]; then
    echo "no node $p in $d (nodes: $(node_ports "$d" | tr '\n' ' '))" >&2
    exit 2
  fi
  [ -f "$d/pids" ] || { echo "the cluster in $d was stopped (no $d/pids); start it: $0 --dir $d" >&2; exit 2; }
  pid=$(cat "$d/$p/node.pid" 2>/dev/null || true)
  # shellcheck disable=SC2317 # called by gone_within
  node_running() { pid_alive_as "$pid" redis-server || redis-cli -p "$p" PING >/dev/null 2>&1; }
  gone_within 5 node_running || { echo "node $p still runs (pid ${pid:-?}): nothing restarted" >&2; exit 2; }
  node_launch "$d" "$p"
  pid=$(cat "$d/$p/node.pid")
  await_ready "redis-$p" "$pid" "$d/$p/redis.log" node_ready "$d" "$p" || exit 1
  redis-cli -p "$p" INFO replication | tr -d '\r' | awk -F: -v p="$p" -v pid="$pid" '
    $1 == "role" { role = $2 } $1 == "master_port" { m = $2 }
    END { printf "redis-%s ready, pid %s: %s\n", p, pid, role == "slave" ? "replica of 127.0.0.1:" m : "master" }' >&2
  echo "$pid"
}

case $mode in
  stop) stop_nodes "$dir"; exit 0 ;;
  restart) restart_node "$(realpath -m "$dir")" "$port"; exit 0 ;;
esac

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "redis-server/redis-cli missing; run: sudo apt-get install -y redis-server" >&2
    exit 1
  fi
  apt-get install -y --no-install-recommends redis-server >&2
fi

ports=()
for i in 0 1 2 3 4 5; do ports+=($((base + i))); done
for p in "${ports[@]}"; do
  if redis-cli -p "$p" PING >/dev/null 2>&1; then
    echo "port $p already answers; pick another --base-port" >&2
    exit 1
  fi
done

dir=${dir:-$(mktemp -d "${TMPDIR:-/tmp}/redis-cluster-$base.XXXXXX")}
mkdir -p "$dir"
dir=$(realpath "$dir")   # recorded in every node's line: a restart may run from anywhere
: >"$dir/pids"
trap 'stop_nodes "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for p in "${ports[@]}"; do
  node_record "$dir" "$p"
  node_launch "$dir" "$p"
done
for p in "${ports[@]}"; do
  for _ in $(seq 100); do redis-cli -p "$p" PING >/dev/null 2>&1 && break; sleep 0.1; done
done

if [ "$(redis-cli -p "$base" CLUSTER INFO | tr -d '\r' | grep cluster_known_nodes)" != "cluster_known_nodes:6" ]; then
  hosts=()
  for p in "${ports[@]}"; do hosts+=("127.0.0.1:$p"); done
  redis-cli --cluster create "${hosts[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log"
fi
for _ in $(seq 300); do
  ok=0
  for p in "${ports[@]}"; do
    redis-cli -p "$p" CLUSTER INFO | grep -q 'cluster_state:ok' && ok=$((ok + 1))
  done
  [ "$ok" -eq 6 ] && break
  sleep 0.1
done
[ "$ok" -eq 6 ] || { echo "cluster not ok after 30 s; logs in $dir" >&2; exit 1; }

urls=$(printf 'redis://127.0.0.1:%s,' "${ports[@]}")
echo "HUB_REDIS_MODE=cluster HUB_REDIS_URL=${urls%,}"
echo "data and logs: $dir" >&2

if [ "$mode" = detach ]; then
  trap - EXIT
  echo "detached; stop with: $0 --stop $dir" >&2
  exit 0
fi
echo "running; Ctrl-C stops it" >&2
wait
