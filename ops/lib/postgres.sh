# Sourced by ops/run-cluster.sh and ops/bench/cluster.sh: sets HUB_POSTGRES_URL for several hub processes sharing one
# PostgreSQL. HUB_POSTGRES_URL when already set; else the machine's own on 127.0.0.1:5432 when it lets "postgres" in
# (database $1 is created there if missing); else the hub's embedded PostgreSQL as a process of its own (data in
# $2/postgres, port $3), its pid appended to $2/pids so the caller stops it with the rest.
# shellcheck source=ops/lib/jvm.sh
. "$(dirname "${BASH_SOURCE[0]}")/jvm.sh"
shared_postgres() { # database run_dir port
  local db=$1 run_dir=$2 port=$3
  if [ -n "${HUB_POSTGRES_URL:-}" ]; then
    :
  elif command -v psql >/dev/null && psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; then
    psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
      || psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $db"
    HUB_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/$db
  else
    java -Xmx256m -cp "${hub_jar:-hub/target/hub.jar}" vn.onewindow.hub.LocalPostgres "$run_dir/postgres" "$port" \
      >"$run_dir/postgres.log" 2>&1 &
    echo $! >>"$run_dir/pids"
    for _ in $(seq 600); do grep -q '^HUB_POSTGRES_URL=' "$run_dir/postgres.log" && break; sleep 0.1; done
    HUB_POSTGRES_URL=$(grep '^HUB_POSTGRES_URL=' "$run_dir/postgres.log" | cut -d= -f2- || true)
    [ -n "$HUB_POSTGRES_URL" ] || { echo "embedded PostgreSQL did not start; see $run_dir/postgres.log" >&2; return 1; }
  fi
  export HUB_POSTGRES_URL
  echo "$HUB_POSTGRES_URL" >"$run_dir/postgres.url"
}

# Starts one hub process ($hub_jar when the caller set it, else hub/target/hub.jar) in the background with
# HUB_HUB_ROLE=$2 and HUB_HTTP_PORT=$3, logging to
# $run_dir/$1.log, and waits until it is ready; its pid goes to $run_dir/pids. Needs run_dir set.
start_hub() { # name role port
  HUB_HUB_ROLE=$2 HUB_HTTP_PORT=$3 java $HUB_JAVA_OPTS -jar "${hub_jar:-hub/target/hub.jar}" \
    >"$run_dir/$1.log" 2>&1 &
  local pid=$!
  echo "$pid" >>"$run_dir/pids"
  for _ in $(seq 600); do
    if curl -fs "http://127.0.0.1:$3/health/ready" >/dev/null 2>&1; then
      echo "$1 ($2) ready on :$3, pid $pid" >&2
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { echo "$1 exited; see $run_dir/$1.log" >&2; return 1; }
    sleep 0.1
  done
  echo "$1 not ready after 60 s; see $run_dir/$1.log" >&2
  return 1
}

# Stops (SIGTERM, then waits up to 30 s each) every pid recorded in $1/pids.
stop_recorded() { # run_dir
  local pid
  [ -f "$1/pids" ] || return 0
  while read -r pid; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  done <"$1/pids"
  while read -r pid; do
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done <"$1/pids"
  : >"$1/pids"
}
