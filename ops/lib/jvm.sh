# shellcheck shell=bash
# The hub's JVM options: config/jvm.options (one per line, # comments), unless HUB_JAVA_OPTS is set.
hub_java_opts() {
  grep -v '^[[:space:]]*\(#\|$\)' "$(dirname "${BASH_SOURCE[0]}")/../../config/jvm.options" | tr '\n' ' '
}
HUB_JAVA_OPTS=${HUB_JAVA_OPTS:-$(hub_java_opts)}
