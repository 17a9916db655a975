# shellcheck shell=bash
# The copy of hub/target/hub.jar a hub runs from (ops/run-hub.sh, ops/run-cluster.sh, ops/rehearse.sh): a later
# build (another start from this checkout, or a plain mvn package) rewrites hub/target/hub.jar in place, which broke
# hubs still reading it (empty /metrics replies, NoClassDefFoundError while draining).
# hub_jar_copy DIR copies it to DIR/hub-<first 16 hex digits of its SHA-256>.jar, atomically and only when that copy
# is not there yet, and deletes DIR's older copies (a hub still running on one keeps its open file). It sets HUB_JAR
# (the copy) and HUB_JAR_SUM (the digest, which also names ops/run-hub.sh's class data archive).
hub_jar_copy() { # dir
  local built
  built="$(dirname "${BASH_SOURCE[0]}")/../../hub/target/hub.jar"
  HUB_JAR_SUM=$(sha256sum "$built" | cut -c1-16)
  HUB_JAR=$1/hub-$HUB_JAR_SUM.jar
  if [ ! -f "$HUB_JAR" ]; then
    mkdir -p "$1"
    find "$1" -maxdepth 1 -name 'hub-*.jar' -delete
    cp "$built" "$HUB_JAR.$$" && mv "$HUB_JAR.$$" "$HUB_JAR"
  fi
}
