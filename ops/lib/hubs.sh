# shellcheck shell=bash
# Hub processes of a run directory (ops/run-cluster.sh, ops/bench/cluster.sh; ops/cluster-restart.sh restarts one).
# Every start of a process named NAME runs from its record, <run_dir>/NAME.hub.env, written once by start_hub: working
# directory, java, jar, JVM options, the exact HUB_* environment and the variables the JVM reads itself. A restart is
# therefore the process that was first started, whatever the restarting shell's environment and directory hold.
# Each process runs in a session of its own (setsid): a Ctrl-C in the terminal of whoever started or restarted it
# does not reach it; it is stopped by pid (stop_recorded), after which the caller may stop Redis.
# shellcheck source=ops/lib/pids.sh
. "$(dirname "${BASH_SOURCE[0]}")/pids.sh"
# shellcheck source=ops/lib/jvm.sh
. "$(dirname "${BASH_SOURCE[0]}")/jvm.sh"

# read by the JVM itself (time zone, locale, extra options): recorded with the HUB_* variables, or recorded unset
HUB_JVM_ENV=(TZ LANG LC_ALL JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS _JAVA_OPTIONS)

# start_hub NAME ROLE PORT: records NAME's start ($hub_jar when the caller set it, else hub/target/hub.jar;
# $HUB_JAVA_OPTS; this shell's exported HUB_* variables, with HUB_HUB_ROLE=ROLE and HUB_HTTP_PORT=PORT), then
# hub_launch NAME. Needs run_dir set.
start_hub() { # name role port
  hub_record "$@" && hub_launch "$1"
}

hub_record() { # name role port
  local file=${run_dir:?}/$1.hub.env v exported
  exported=$(compgen -e)
  {
    printf 'cd %q || exit 1\n' "$PWD"
    printf 'java_cmd=%q jar=%q java_opts=%q\n' "$(command -v java)" "$(realpath "${hub_jar:-hub/target/hub.jar}")" \
      "$HUB_JAVA_OPTS"
    while read -r v; do printf 'export %s=%q\n' "$v" "${!v}"; done < <(grep '^HUB_' <<<"$exported")
    for v in "${HUB_JVM_ENV[@]}"; do
      if grep -qx "$v" <<<"$exported"; then printf 'export %s=%q\n' "$v" "${!v}"; else printf 'unset %s\n' "$v"; fi
    done
    printf 'export HUB_HUB_ROLE=%q HUB_HTTP_PORT=%q\n' "$2" "$3"
  } >"$file.$$" && mv "$file.$$" "$file"
}

# port_open PORT: something accepts connections on 127.0.0.1:PORT
port_open() { # port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# hub_launch NAME: starts the process recorded in $run_dir/NAME.hub.env, its output appended to $run_dir/NAME.log,
# records its pid (record_pid: $run_dir/pids, $run_dir/NAME.pid) and waits up to 60 s until /health/ready answers.
# Refuses (1, nothing started) a port another process already listens on: readiness is "the port answers", so that
# process's answer would call this one ready while it fails to bind and exits.
hub_launch() { # name
  local name=$1 rec=${run_dir:?}/$1.hub.env pid role port tls scheme=http detach=""
  command -v setsid >/dev/null && detach=setsid
  # shellcheck disable=SC1090
  read -r role port tls < <(. "$rec" >/dev/null && echo "$HUB_HUB_ROLE $HUB_HTTP_PORT ${HUB_SECURITY_TLS_ENABLED:-false}")
  # a gateway with security.tls.enabled serves HTTPS only (a worker-only process's port stays plain HTTP); -k: this
  # asks whether the local process answers, not whether its certificate is trusted
  if [ "${tls,,}" = true ] && [ "$role" != intake ]; then scheme=https; fi
  if port_open "$port"; then
    echo "$name not started: port $port is in use by another process (pick other ports)" >&2
    return 1
  fi
  hub_exec "$rec" "$detach" >>"$run_dir/$name.log" 2>&1 </dev/null &
  pid=$!
  record_pid "$run_dir/pids" "$run_dir/$name.pid" "$pid"
  await_ready "$name" "$pid" "$run_dir/$name.log" \
    curl -fsk --noproxy '*' -o /dev/null "$scheme://127.0.0.1:$port/health/ready" || return 1
  echo "$name ($role) ready on :$port, pid $pid" >&2
}

# hub_exec RECORD [setsid]: becomes the recorded process (run in the background, its pid is the JVM's)
hub_exec() { # record detach
  local v
  # only the recorded HUB_* variables: a restarting shell may export others
  for v in $(compgen -e | grep '^HUB_'); do unset "$v"; done
  # shellcheck disable=SC1090
  . "$1"
  # shellcheck disable=SC2086,SC2154 # java_opts is a list of JVM options; the record sets these
  exec $2 "$java_cmd" $java_opts -jar "$jar"
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
