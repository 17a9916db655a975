#!/usr/bin/env bash
# Restarts one process of a running ops/run-cluster.sh that died (a kill -9 rehearsal, a crash), exactly as it was
# started, and prints its pid:
#   ops/cluster-restart.sh <run dir> gateway-1|gateway-2|intake-1|intake-2|redis-<port>
# A gateway or intake starts again from <run dir>/<name>.hub.env, written at its first start: the same jar copy, HUB_*
# environment, JVM options, port and working directory, whatever this shell holds; its output is appended to
# <run dir>/<name>.log; ready when /health/ready answers. A Redis node starts again from its redis-server line
# (ops/redis-cluster.sh --restart): the same options, directory, nodes.conf and AOF, so it rejoins the cluster, as a
# replica when its replica was promoted meanwhile; ready on PING, cluster_state:ok, its role as the other nodes see
# it and, a replica, its master link up. Restart a killed master after its replica's promotion (README, "Cluster
# mode"). The pid is recorded where run-cluster.sh's Ctrl-C stops it (<run dir>/pids, <run dir>/redis/pids).
# Exit 0: ready. 1: it exited or was not ready within 60 s (see its log; one still alive stays recorded).
# 2: refused, nothing started: an unknown name, the process (or another on its port) still runs 5 s on (one killed a
# moment ago may hold its pid and port that long), run-cluster.sh no longer runs, a run directory from before this
# script, another restart in the same run directory under way.
set -euo pipefail
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
refuse() { echo "cluster-restart.sh: $*; nothing restarted" >&2; exit 2; }
case "${1:-}" in -h|--help) usage 0 ;; esac
[ $# -eq 2 ] || usage 2 >&2
run_dir=$(realpath -m "$1") name=$2   # before the cd: a relative run dir is the caller's
cd "$(dirname "$0")/.."
# shellcheck source=ops/lib/hubs.sh
. ops/lib/hubs.sh

names() {
  local f
  for f in "$run_dir"/*.hub.env; do [ -f "$f" ] && printf '%s ' "$(basename "$f" .hub.env)"; done
  for f in "$run_dir"/redis/*/redis.args; do [ -f "$f" ] && printf 'redis-%s ' "$(basename "$(dirname "$f")")"; done
}

[ -f "$run_dir/run-cluster.pid" ] \
  || refuse "$run_dir is no run directory of ops/run-cluster.sh, or one from before ops/cluster-restart.sh (no run-cluster.pid)"
# one restart at a time per run: two of the same process would both pass the checks below; and none while
# run-cluster.sh stops the run (its stop takes the lock too). The processes started here must not inherit the lock's
# descriptor (9>&-), or they would hold it for their lifetime
exec 9>>"$run_dir/restart.lock"
flock -n 9 || refuse "another ops/cluster-restart.sh, or run-cluster.sh's stop, holds $run_dir/restart.lock"
# under the lock: a run-cluster.sh stopping meanwhile waits for this restart to record its pid
pid_alive_as "$(cat "$run_dir/run-cluster.pid")" run-cluster.sh \
  || refuse "the ops/run-cluster.sh of $run_dir no longer runs, so nothing would stop a restarted process"

case $name in
  redis-*)
    port=${name#redis-}
    [ -f "$run_dir/redis/$port/redis.args" ] || refuse "unknown process $name (this run's: $(names))"
    # refusals (exit 2) and failures (1) are its own; it prints the pid
    ops/redis-cluster.sh --restart "$run_dir/redis" "$port" 9>&-
    ;;
  *)
    rec=$run_dir/$name.hub.env
    [ -f "$rec" ] || refuse "unknown process $name (this run's: $(names))"
    # shellcheck disable=SC1090,SC2154 # the record sets jar
    # the port first: read gives the last name the rest of the line, so a jar path with spaces stays whole
    read -r port jar < <(. "$rec" >/dev/null && echo "$HUB_HTTP_PORT $jar")
    pid=$(cat "$run_dir/$name.pid" 2>/dev/null || true)
    gone_within 5 pid_alive_as "$pid" "$jar" || refuse "$name still runs (pid $pid)"
    gone_within 5 port_open "$port" || refuse "$name's port $port is in use by another process"
    [ -f "$jar" ] || refuse "$name's jar $jar is gone"
    hub_launch "$name" 9>&- || exit 1
    cat "$run_dir/$name.pid"
    ;;
esac
