# shellcheck shell=bash
# Sourced by ops/run-cluster.sh and ops/bench/cluster.sh: sets HUB_POSTGRES_URL for several hub processes sharing one
# PostgreSQL. HUB_POSTGRES_URL when already set; else the machine's own on 127.0.0.1:5432 when it lets "postgres" in
# (database $1 is created there if missing); else the hub's embedded PostgreSQL as a process of its own (data in
# $2/postgres, port $3), its pid appended to $2/pids so the caller stops it with the rest.
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
