#!/usr/bin/env bash
# A local Redis Cluster of 3 masters + 3 replicas on 127.0.0.1, for running the hub in cluster mode.
#   ops/redis-cluster.sh [--base-port 7001] [--dir DIR] [--detach]   start; foreground unless --detach
#   ops/redis-cluster.sh --stop DIR                                   stop a detached cluster
# Ports BASE..BASE+5 and their bus ports (+10000) must be free. AOF with appendfsync everysec, as production
# should run, so a restarted node comes back with its data and functions; cluster-require-full-coverage no, so the
# healthy shards keep answering while one fails over. Needs redis-server 7.
set -euo pipefail

base=7001 dir="" detach=no
usage() { sed -n '2,4p' "$0" | sed 's/^# //' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --base-port) base=${2:?}; shift 2 ;;
    --dir) dir=${2:?}; shift 2 ;;
    --detach) detach=yes; shift ;;
    --stop) dir=${2:?}; detach=stop; shift 2 ;;
    *) usage ;;
  esac
done

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

if [ "$detach" = stop ]; then
  stop_nodes "$dir"
  exit 0
fi

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
: >"$dir/pids"
trap 'stop_nodes "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# each node in a session of its own (setsid): a Ctrl-C meant for a caller such as ops/run-cluster.sh must not stop
# Redis under hub processes that are still draining; this script (or its caller) stops the nodes by pid instead
detached_start=""
command -v setsid >/dev/null && detached_start=setsid
for p in "${ports[@]}"; do
  mkdir -p "$dir/$p"
  (cd "$dir/$p" && exec $detached_start redis-server --port "$p" --bind 127.0.0.1 --dir "$dir/$p" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000 \
    --cluster-require-full-coverage no \
    --appendonly yes --appendfsync everysec --save '' --repl-diskless-sync-delay 0 \
    --logfile "$dir/$p/redis.log") &
  echo $! >>"$dir/pids"
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

if [ "$detach" = yes ]; then
  trap - EXIT
  echo "detached; stop with: $0 --stop $dir" >&2
  exit 0
fi
echo "running; Ctrl-C stops it" >&2
wait
