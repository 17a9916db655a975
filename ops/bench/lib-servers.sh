# shellcheck shell=bash
# Helpers of ops/bench/capacity.sh (sourced, not run): tools, free ports, and the servers and hub processes of one
# measured run. Every process started here is a direct child of the script, recorded in STARTED and stopped by its
# pid (stop_pid, or stop_all from the EXIT trap); every throwaway database is recorded in DATABASES and dropped.
# The caller sets WORK (scratch dir), RUN_DIR (the current run's dir) and JAVA_OPTS (array).
STARTED=()
DATABASES=()
PG_ADMIN=(psql -X -q -d postgres -v ON_ERROR_STOP=1)   # PGHOST / PGPORT / PGUSER come from the environment

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

# bench_args ARGS...: a benchmark's command line: --baseline-jar JAR, --baseline-dir DIR (a checkout of the jar's
# commit, whose config/ the jar reads; default ROOT), -h/--help (the script's header comment). Sets BASELINE_JAR and
# BASELINE_DIR, checked.
bench_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      --baseline-jar) BASELINE_JAR=$2; shift 2 ;;
      --baseline-dir) BASELINE_DIR=$2; shift 2 ;;
      -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
      *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
  done
  BASELINE_DIR=${BASELINE_DIR:-$ROOT}
  [ -z "$BASELINE_JAR" ] || [ -f "$BASELINE_JAR" ] || { echo "no baseline jar at $BASELINE_JAR" >&2; exit 2; }
  [ -d "$BASELINE_DIR/config" ] || { echo "no config/ in $BASELINE_DIR" >&2; exit 2; }
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
since() { python3 -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.2f}')" "$1"; }

started() { STARTED+=("$1"); }

# run CMD...: runs a bounded command as a recorded child and waits for it, so that INT/TERM reach the script at
# once (bash defers its traps while a foreground command runs) and the exit trap stops the command too
run() {
  "$@" &
  local pid=$! rc=0
  started "$pid"
  wait "$pid" || rc=$?
  stop_pid "$pid" 1
  return "$rc"
}

# stop_pid PID [grace seconds]: SIGTERM, then SIGKILL after the grace period. Only a child of this script is signalled
# (checked through /proc), so a pid reused by another process after ours ended is never touched.
stop_pid() {
  local pid=$1 grace=${2:-60} ppid
  ppid=$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null || true)
  if [ "$ppid" = "$$" ]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((grace * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  local kept=() p
  for p in "${STARTED[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
  STARTED=("${kept[@]}")
}

stop_all() {
  local pid db
  for pid in "${STARTED[@]}"; do stop_pid "$pid" 30; done
  for db in "${DATABASES[@]}"; do drop_db "$db"; done
  if [ -n "${WORK:-}" ] && [ "${KEEP_WORK:-0}" = 1 ]; then
    echo "logs, GC logs, samples and profiles kept in $WORK"
  elif [ -n "${WORK:-}" ]; then
    rm -rf "$WORK"
  fi
}

# start_redis DIR: Debian's redis-server on a free loopback port, configured as the hub's embedded one (AOF fsync
# every second, no RDB snapshots, noeviction), with maxmemory BENCH_REDIS_MAXMEMORY (4gb): ff65167 keeps every receipt
# in Redis for its TTL, and with 1gb it shed on Redis's memory ("queue memory nearly full") in the interleaved rounds
# of a fast machine (runs CO and CP: 0 accepted of 1.16 million in a round). Sets REDIS_PID and REDIS_PORT.
start_redis() {
  mkdir -p "$1"
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$1" --appendonly yes --appendfsync everysec --save '' \
    --maxmemory "${BENCH_REDIS_MAXMEMORY:-4gb}" --maxmemory-policy noeviction --daemonize no --logfile "$1/redis.log" &
  REDIS_PID=$!
  started "$REDIS_PID"
  REDIS_MODE=standalone REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "redis-server did not start on :$REDIS_PORT" >&2
  return 1
}

# start_redis_cluster DIR: a Redis Cluster of 3 masters + 3 replicas on loopback (ops/redis-cluster.sh, AOF everysec,
# node timeout 5 s, ports BASE..BASE+5 from a free port), that script running in the foreground as a recorded child:
# stop_pid on REDIS_PID (or stop_all) stops it, and it stops its nodes by the pids it recorded in DIR/pids. Waits up
# to 60 s for cluster_state:ok on all six. Sets REDIS_PID (the script's), REDIS_MODE=cluster, REDIS_URL (the seeds),
# REDIS_PORTS (the six nodes' ports).
start_redis_cluster() {
  local base
  base=$(( $(free_port) % 20000 + 30000 ))   # BASE..BASE+5 and their bus ports (+10000) must be free
  mkdir -p "$1"
  "$ROOT/ops/redis-cluster.sh" --base-port "$base" --dir "$1" > "$1.env" 2> "$1.log" &
  REDIS_PID=$!
  started "$REDIS_PID"
  for _ in $(seq 1 600); do
    grep -q '^HUB_REDIS_MODE=cluster ' "$1.env" && break
    kill -0 "$REDIS_PID" 2>/dev/null || break
    sleep 0.1
  done
  grep -q '^HUB_REDIS_MODE=cluster ' "$1.env" || { echo "the Redis Cluster did not start; see $1.log" >&2; return 1; }
  REDIS_MODE=cluster REDIS_URL=$(sed -n 's/^HUB_REDIS_MODE=cluster HUB_REDIS_URL=//p' "$1.env")
  REDIS_PORTS=$(seq "$base" $((base + 5)) | tr '\n' ' ')
}

# create_db: a throwaway database hub_bench_<epoch>_<random> on the PostgreSQL named by PG* (dropped at exit), after
# dropping those of runs killed more than 6 h ago. Sets BENCH_DB and PG_URL.
create_db() {
  local db old
  for old in $("${PG_ADMIN[@]}" -tAc "SELECT datname FROM pg_database WHERE datname ~ '^hub_bench_[0-9]+_'"); do
    db=${old#hub_bench_}
    [ "${db%%_*}" -lt $(( $(date +%s) - 6 * 3600 )) ] && drop_db "$old"
  done
  BENCH_DB="hub_bench_$(date +%s)_$RANDOM"
  "${PG_ADMIN[@]}" -c "CREATE DATABASE $BENCH_DB"
  DATABASES+=("$BENCH_DB")
  PG_URL="postgresql://$PGUSER@$PGHOST:$PGPORT/$BENCH_DB"
}

drop_db() {
  "${PG_ADMIN[@]}" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" 2>/dev/null || echo "could not drop database $1" >&2
  local kept=() d
  for d in "${DATABASES[@]}"; do [ "$d" = "$1" ] || kept+=("$d"); done
  DATABASES=("${kept[@]}")
}

# start_hub ROLE JAR DIR PORT [java options...]: one hub process of role gateway or intake, working directory DIR
# (its config/), on the current run's Redis (REDIS_MODE and REDIS_URL: start_redis or start_redis_cluster) and
# database, rate limiting off, GC log in RUN_DIR. Other HUB_* variables the caller exported reach it. Sets HUB_PID.
start_hub() {
  local role=$1 jar=$2 dir=$3 port=$4
  shift 4
  (cd "$dir" && exec env -u HUB_CONFIG_FILE HUB_HUB_ROLE="$role" HUB_HTTP_HOST=127.0.0.1 HUB_HTTP_PORT="$port" HUB_SECURITY_DEVELOPMENT_CLIENTS=true \
    HUB_REDIS_MODE="$REDIS_MODE" HUB_REDIS_URL="$REDIS_URL" HUB_POSTGRES_URL="$PG_URL" HUB_LOG_LEVEL=WARN \
    HUB_RATELIMIT_ENABLED=false java "${JAVA_OPTS[@]}" "-Xlog:gc:file=$RUN_DIR/gc-$role.log:uptime,timemillis" "$@" -jar "$jar") \
    > "$RUN_DIR/$role.log" 2>&1 &
  HUB_PID=$!
  started "$HUB_PID"
}

# wait_ready PORT PID SECONDS: polls /health/ready every 100 ms; fails when the process ends or time runs out
wait_ready() {
  local deadline=$(( $(date +%s) + $3 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    curl -sf -m 1 -o /dev/null "http://127.0.0.1:$1/health/ready" && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# rows [EPOCH]: dossiers in PostgreSQL (received by the gateway at or after EPOCH)
rows() { psql -X -d "$BENCH_DB" -tAc "SELECT count(*) FROM dossier WHERE received_at >= to_timestamp(${1:-0})"; }

# drain_to ROWS SECONDS [EPOCH]: waits until PostgreSQL holds at least ROWS dossiers (received at or after EPOCH)
drain_to() {
  for _ in $(seq 1 $(($2 * 10))); do [ "$(rows "${3:-0}")" -ge "$1" ] && return 0; sleep 0.1; done
  return 1
}

# hub_submissions_total series of the dossiers taken in (queued, or written directly while Redis was down), and of all
ACCEPTED_RE='hub_submissions_total[{][^}]*outcome="(accepted|degraded)"'
ALL_RE='hub_submissions_total[{][^}]*outcome="[a-z_]+"'
metric() { curl -s "http://127.0.0.1:$1/metrics" | grep -E "^$2" | awk '{s += $2} END {printf "%d", s}'; }

# refusals PORT: the submissions refused so far by outcome, over every channel, e.g. "shed=12 upstream_error=3"
refusals() {
  curl -s "http://127.0.0.1:$1/metrics" | sed -nE 's/^hub_submissions_total[{][^}]*outcome="([a-z_]+)"[^}]*[}] ([0-9.eE+]+)$/\1 \2/p' \
    | awk '$1 != "accepted" && $1 != "degraded" {n[$1] += $2} END {for (k in n) if (n[k] > 0) printf "%s=%d ", k, n[k]}'
}

# nginx_ceiling SECONDS: nginx (1 worker) answering `return 202` on a free loopback port, the same wrk client and
# bodies as the hub, its worker's CPU in WORK/nginx.json. Sets NGINX_RATE (requests/s). Not to be called in $(...): its child must be this shell's.
nginx_ceiling() {
  local port dir=$WORK/nginx pid worker
  port=$(free_port)
  mkdir -p "$dir/logs"
  cat > "$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port;
    location / { return 202; }
  }
}
EOF
  nginx -p "$dir" -c "$dir/nginx.conf" &
  pid=$!
  started "$pid"
  for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  # its worker's CPU per request: the box's floor for one HTTP exchange of these bodies
  worker=$(pgrep -o -P "$pid" || true)
  run python3 "$BENCH/lib-sample.py" procs "$WORK/nginx.json" --until-done nginx="${worker:-$pid}" -- \
    wrk -t1 -c"$CONNECTIONS" -d"${1}s" -s ops/bench/submit.lua "http://127.0.0.1:$port" -- config/examples "$API_KEY" \
    > "$WORK/nginx.txt" 2>&1 || true
  stop_pid "$pid" 10
  # shellcheck disable=SC2034  # read by capacity.sh
  NGINX_RATE=$(awk '/Requests\/sec/ {print int($2)}' "$WORK/nginx.txt")
}

# stack_floor MODE SECONDS WARM_SECONDS: ops/bench/StackFloor.java (the hub jar's Vert.x, Netty, Jackson and Redis
# client doing only MODE's step: http, parse or enqueue) on a free port with JAVA_OPTS, loaded by the same wrk client
# and bodies as the hub for WARM_SECONDS unmeasured (its JIT), then for SECONDS with the CPU of its JVM and of the
# redis-server at REDIS_PID from /proc: WORK/floor-MODE.json and wrk's output in WORK/floor-MODE.txt.
stack_floor() {
  local mode=$1 port pid load
  port=$(free_port)
  load=(-s ops/bench/submit.lua "http://127.0.0.1:$port" -- config/examples "$API_KEY")
  java "${JAVA_OPTS[@]}" -cp "$HUB_JAR" "$BENCH/StackFloor.java" "$mode" "$port" "$REDIS_PORT" \
    > "$WORK/floor-$mode.log" 2>&1 &
  pid=$!
  started "$pid"
  for _ in $(seq 1 300); do
    curl -s -o /dev/null -m 1 -d '{}' "http://127.0.0.1:$port/" && break
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/floor-$mode.log" >&2; return 1; }
    sleep 0.1
  done
  run wrk -t2 -c"$CONNECTIONS" -d"${3}s" "${load[@]}" > /dev/null 2>&1 || true
  run python3 "$BENCH/lib-sample.py" procs "$WORK/floor-$mode.json" --until-done floor="$pid" redis="$REDIS_PID" -- \
    wrk -t2 -c"$CONNECTIONS" -d"${2}s" "${load[@]}" > "$WORK/floor-$mode.txt" 2>&1 || true
  stop_pid "$pid" 10
}
