#!/usr/bin/env bash
# Builds and runs the hub (gateway + intake workers) on port 8080.
# With no HUB_REDIS_URL / HUB_POSTGRES_URL it starts a real PostgreSQL and redis-server itself (data in .hub-data/).
set -euo pipefail
cd "$(dirname "$0")/.."
# HUB_BUILD=off runs the jar already built (e.g. built under a lock on a shared box, then started outside it)
if [ "${HUB_BUILD:-on}" != off ] || [ ! -f hub/target/hub.jar ]; then
  mvn -q -B -DskipTests -pl hub -am package
fi
# In a terminal, readable log lines (log.format=text); piped or redirected, the JSON default. HUB_LOG_FORMAT wins.
if [ -t 1 ] && [ -z "${HUB_LOG_FORMAT:-}" ]; then
  export HUB_LOG_FORMAT=text
fi
# Class data sharing (JDK 17 AppCDS): the first run after a build records the classes it loaded into hub.jsa when it
# exits; later runs map them instead of loading and verifying ~10,000 classes again (measured: ready in 2.4-4.8 s
# instead of 5.0-9.2 s). HUB_CDS=off disables it.
# The archive is named after the jar's content: every package re-creates the jar, an unchanged one keeps its archive.
# The hub runs from a copy named the same way, in hub/target/run/ (ops/lib/hub-jar.sh: a later build rewrites
# hub/target/hub.jar in place).
# shellcheck source=ops/lib/hub-jar.sh
. ops/lib/hub-jar.sh
hub_jar_copy hub/target/run
SUM=$HUB_JAR_SUM
JAR=$HUB_JAR
CDS=()
if [ "${HUB_CDS:-on}" != off ]; then
  JSA=hub/target/hub-$SUM.jsa
  if [ -f "$JSA" ]; then
    CDS=(-XX:SharedArchiveFile="$JSA" -Xshare:auto)
  else
    rm -f hub/target/hub-*.jsa
    CDS=(-XX:ArchiveClassesAtExit="$JSA" -Xlog:cds=off -Xlog:cds+dynamic=off)  # quiet: it lists every class it skips
  fi
fi
# shellcheck source=ops/lib/jvm.sh
. ops/lib/jvm.sh
# Ctrl-C signals the terminal's whole foreground process group: the redis-server the hub started for the user would
# stop at once, under the hub's drain, whose last acks and stream reads would then fail. So the hub runs in a session
# of its own, out of the terminal's reach, and this script hands it Ctrl-C, SIGTERM or SIGHUP (a closed terminal) as
# one SIGTERM: the hub drains, then stops the servers it started, and this script exits with the hub's status. The trap
# is set first: a signal between the start and the trap would end this script and leave the hub running.
HUB=
trap '[ -z "$HUB" ] || kill -TERM "$HUB" 2>/dev/null || true' INT TERM HUP
# shellcheck disable=SC2086 # HUB_JAVA_OPTS is a list of JVM options
setsid java $HUB_JAVA_OPTS "${CDS[@]}" -jar "$JAR" &
HUB=$!
# A kill -9 of this script runs no trap, and the hub, in its own session, would go on: the watcher hands it the
# SIGTERM the trap would have.
# shellcheck source=ops/lib/pids.sh
. ops/lib/pids.sh
after_kill_9 kill -TERM "$HUB"
trap 'kill "$WATCHER" 2>/dev/null || true' EXIT
status=0
wait "$HUB" || status=$?
while kill -0 "$HUB" 2>/dev/null; do   # a signal ended the wait above, not the hub: wait for its drain
  status=0
  wait "$HUB" || status=$?
done
exit "$status"
