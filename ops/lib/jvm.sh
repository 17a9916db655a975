# shellcheck shell=bash
# The hub's JVM options: config/jvm.options (one per line, # comments), unless HUB_JAVA_OPTS is set; on a machine
# of fewer than 4 CPUs also -XX:CICompilerCount=3 and C2 thresholds at half HotSpot's (see config/jvm.options,
# "compiler threads").
hub_java_opts() {
  local opts
  opts=$(grep -v '^[[:space:]]*\(#\|$\)' "$(dirname "${BASH_SOURCE[0]}")/../../config/jvm.options" | tr '\n' ' ')
  # -XX:TrimNativeHeapInterval came with JDK 17.0.9 (and 21.0.1): an older JDK (the README asks for 17 or later) does
  # not start at all with an option it does not know ("Unrecognized VM option"), so there it is left out, said once
  if [[ $opts == *-XX:TrimNativeHeapInterval=* ]] && ! java -XX:TrimNativeHeapInterval=0 -version >/dev/null 2>&1; then
    echo "jvm.sh: this java has no -XX:TrimNativeHeapInterval (JDK 17.0.9 or later): left out" >&2
    opts=$(printf '%s' "$opts" | sed 's/-XX:TrimNativeHeapInterval=[0-9]* //')
  fi
  printf '%s' "$opts"
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
