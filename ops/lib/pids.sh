# shellcheck shell=bash
# The processes of a run directory, shared by ops/lib/hubs.sh and ops/redis-cluster.sh: their pids (a stop,
# stop_recorded or ops/redis-cluster.sh --stop, signals every pid listed in a pids file, and ops/cluster-restart.sh
# adds restarted processes there) and the wait for a started one to be ready.

# record_pid PIDS PIDFILE PID: PID becomes the process's pid in PIDFILE (one process's) and in the list PIDS, in
# place of the pid PIDFILE held before, so a later stop never signals that dead process's pid, reused by now perhaps.
record_pid() { # pids_file pid_file pid
  local old=""
  [ ! -f "$2" ] || old=$(cat "$2")
  if [ -n "$old" ] && [ -f "$1" ] && grep -qx "$old" "$1"; then
    # a new file moved in: a stop reading the list meanwhile reads the old one whole
    sed "s/^$old\$/$3/" "$1" >"$1.$$" && mv "$1.$$" "$1"
  else
    echo "$3" >>"$1"
  fi
  echo "$3" >"$2"
}

# pid_alive_as PID TEXT: PID is alive and its command line (a redis-server's: its title) contains TEXT; a pid
# merely alive may belong to another program by now.
pid_alive_as() { # pid text
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# gone_within SECONDS CHECK...: CHECK ("it is still there") fails within SECONDS. A process SIGKILLed a moment ago
# keeps its pid and its listening port while the kernel tears it down (a JVM's for tens of milliseconds), so a
# restart right after the kill must not take it for one still running.
gone_within() { # seconds check...
  local n=$(( $1 * 10 ))
  shift
  while "$@"; do
    n=$(( n - 1 ))
    [ "$n" -gt 0 ] || return 1
    sleep 0.1
  done
}

# await_ready NAME PID LOG CHECK...: runs CHECK every 0.1 s until it succeeds (0), or PID exits or 60 s pass (1)
await_ready() { # name pid log check...
  local name=$1 pid=$2 log=$3
  shift 3
  for _ in $(seq 600); do
    "$@" && return 0
    kill -0 "$pid" 2>/dev/null || { echo "$name exited; see $log" >&2; return 1; }
    sleep 0.1
  done
  echo "$name not ready after 60 s (pid $pid, recorded); see $log" >&2
  return 1
}

# after_kill_9 COMMAND...: runs COMMAND once this script has died without running its traps (a kill -9: no trap runs,
# and what it started in sessions of its own would go on, holding ports, data directories and inherited locks). A
# watcher, this script's child, polls its parent; the kernel re-parents it the moment the script dies, even before
# the script is reaped. Sets WATCHER to its pid: the script's EXIT trap kills it, so it never acts on a normal exit,
# nor signals a pid reused after one (a background subshell ignores Ctrl-C's SIGINT: the EXIT trap is what stops it).
after_kill_9() { # command...
  ( watcher=$BASHPID   # read here: inside $(...) BASHPID is that substitution's own subshell
    while [ "$(awk '{print $4}' "/proc/$watcher/stat" 2>/dev/null)" = "$$" ]; do sleep 1; done
    "$@" ) &
  WATCHER=$!
}
