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
