# shellcheck shell=bash
# The hub's JVM options: config/jvm.options (one per line, # comments), unless HUB_JAVA_OPTS is set; on a machine
# of fewer than 4 CPUs also -XX:CICompilerCount=3 and C2 thresholds at half HotSpot's (see config/jvm.options,
# "compiler threads").
hub_java_opts() {
  grep -v '^[[:space:]]*\(#\|$\)' "$(dirname "${BASH_SOURCE[0]}")/../../config/jvm.options" | tr '\n' ' '
  if [ "$(nproc)" -lt 4 ]; then
    printf '%s ' -XX:CICompilerCount=3 -XX:Tier4InvocationThreshold=2500 -XX:Tier4CompileThreshold=7500
  fi
}
HUB_JAVA_OPTS=${HUB_JAVA_OPTS:-$(hub_java_opts)}
# glibc's malloc gives each thread that mallocs an arena of its own (up to 8 per CPU) and keeps what each one frees:
# under a surge of thousands of connections that was tens of MB of the hub's RSS. Two arenas: see config/jvm.options,
# "Connections". Exported, so every java the launchers start gets it (and their other children, which it does not
# harm: redis-server uses jemalloc, PostgreSQL's processes are single-threaded); a value already set wins.
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
