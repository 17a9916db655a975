#!/usr/bin/env bash
# Load rehearsal for ops teams: runs one load profile against an environment and prints a capacity verdict
# (highest rate that held the SLO, where and why it broke: limit=429 / shed,breaker=503 / latency / errors,
# drain time of the backlog after the load, reconciliation of every 202 against PostgreSQL) and the path of
# Gatling's HTML report. Exit code 0 only when every gate passed.
#
#   ops/rehearse.sh                                   # surge profile against a hub it starts locally (embedded
#                                                     # PostgreSQL + Redis in a temp dir, free ports)
#   ops/rehearse.sh --profile spike --rate 80 --factor 5
#   ops/rehearse.sh --profile surge --ramp-up 40 --hold 40 --ramp-down 20 --baseline 15      # ~2.5 min
#   ops/rehearse.sh --profile fairness                # needs rate limiting on the hub
#   ops/rehearse.sh --base-url http://10.0.0.5:8080 --pg-url postgresql://hub:secret@10.0.0.6:5432/hub \
#                   --api-key "$PORTAL_KEY" --profile steady --rate 100 --duration 10m
#   ops/rehearse.sh --profile soak -- -DsloP99Ms=300 -DdrainTimeout=5m   # anything after -- goes to Maven as is
#   ops/rehearse.sh --base-url http://127.0.0.1:8081,http://127.0.0.1:8082 --pg-url "$(cat RUN_DIR/postgres.url)"
#                   --profile steady --rate 100     # several gateways (ops/run-cluster.sh): Gatling spreads the
#                                                   # virtual users over them round-robin
#
# Profiles: smoke, steady, surge, spike, soak, fairness, agencies. Every property is listed by the run itself (it prints its
# configuration) and in loadtest/src/test/java/vn/onewindow/loadtest/config/LoadConfig.java.
# Results: loadtest/target/loadtest/<profile>-<run id>/ (verdict.txt, timeline.csv, accepted-ids.txt,
#          unexpected-responses.txt, outcomes.txt, hub.log)
# and loadtest/target/gatling/<simulation>-<timestamp>/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

# an option given without its value (last, or followed by another option) is refused here, naming it
need() {
  if [ $# -lt 2 ] || [ -z "$2" ] || [[ "$2" == --* ]]; then
    echo "$1 needs a value (see --help)" >&2
    exit 2
  fi
}

PROFILE=surge
BUILD=yes
PROPS=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage 0 ;;
    --profile) need "$@"; PROFILE=$2; shift 2 ;;
    --base-url) need "$@"; PROPS+=("-DbaseUrl=$2"); shift 2 ;;
    --pg-url) need "$@"; PROPS+=("-DpgUrl=$2"); shift 2 ;;
    --pg-user) need "$@"; PROPS+=("-DpgUser=$2"); shift 2 ;;
    --pg-password) need "$@"; PROPS+=("-DpgPassword=$2"); shift 2 ;;
    --api-key) need "$@"; PROPS+=("-DapiKey=$2"); shift 2 ;;
    --abuser-api-key) need "$@"; PROPS+=("-DabuserApiKey=$2"); shift 2 ;;
    --rate) need "$@"; PROPS+=("-Drate=$2"); shift 2 ;;
    --factor) need "$@"; PROPS+=("-Dfactor=$2"); shift 2 ;;
    --duration) need "$@"; PROPS+=("-Dduration=$2"); shift 2 ;;
    --ramp-up) need "$@"; PROPS+=("-DrampUp=$2"); shift 2 ;;
    --ramp-down) need "$@"; PROPS+=("-DrampDown=$2"); shift 2 ;;
    --hold) need "$@"; PROPS+=("-Dhold=$2"); shift 2 ;;
    --baseline) need "$@"; PROPS+=("-DbaselineBefore=$2" "-DbaselineAfter=$2"); shift 2 ;;
    --warm-up) need "$@"; PROPS+=("-DwarmUp=$2"); shift 2 ;;
    --abuser-rate) need "$@"; PROPS+=("-DabuserRate=$2"); shift 2 ;;
    --slo-p99-ms) need "$@"; PROPS+=("-DsloP99Ms=$2"); shift 2 ;;
    --drain-timeout) need "$@"; PROPS+=("-DdrainTimeout=$2"); shift 2 ;;
    --hub-env) need "$@"; PROPS+=("-DhubEnv=$2"); shift 2 ;;        # e.g. HUB_INTAKE_WORKERS=4,HUB_RATELIMIT_ENABLED=false
    --no-build) BUILD=no; shift ;;
    --) shift; PROPS+=("$@"); break ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

PROFILE=${PROFILE,,}
case "$PROFILE" in
  smoke|steady|surge|spike|soak|fairness|agencies) ;;
  *) echo "unknown profile '$PROFILE': one of smoke, steady, surge, spike, soak, fairness, agencies" >&2; exit 2 ;;
esac

EXTERNAL=no
for p in "${PROPS[@]+"${PROPS[@]}"}"; do
  case "$p" in -DbaseUrl=*) EXTERNAL=yes ;; esac
done

if [ "$EXTERNAL" = no ]; then
  if [ "$BUILD" = yes ] || [ ! -f hub/target/hub.jar ]; then
    echo "building hub/target/hub.jar ..."
    mvn -q -B -DskipTests -pl hub -am package
  fi
  # As ops/run-hub.sh: the hub runs from a copy (a later build rewrites hub/target/hub.jar in place, under a running
  # rehearsal) with the JVM options of config/jvm.options (HUB_JAVA_OPTS replaces them). Given first, so that
  # -DhubJar=... or -DhubJavaOpts=... after -- still win.
  # shellcheck source=ops/lib/hub-jar.sh
  . ops/lib/hub-jar.sh
  # shellcheck source=ops/lib/jvm.sh
  . ops/lib/jvm.sh
  hub_jar_copy hub/target/rehearse
  PROPS=("-DhubJar=$PWD/$HUB_JAR" "-DhubJavaOpts=$HUB_JAVA_OPTS" "${PROPS[@]+"${PROPS[@]}"}")
  echo "target: a hub started locally from $HUB_JAR (a copy of hub/target/hub.jar; embedded PostgreSQL + Redis,"
  echo "        temp dir, free ports), JVM options: $HUB_JAVA_OPTS"
fi

LOG=$(mktemp /tmp/rehearse-XXXXXX.log)
echo "profile: $PROFILE; Maven output: $LOG"
START=$(date +%s)
# This run's verdict is one written after this file (to the nanosecond: a run that writes none, started in the second
# a previous run wrote its own, showed that verdict and moved its maven.log into that run's directory).
STAMP=$(mktemp /tmp/rehearse-start-XXXXXX)
MVN_PID=$STAMP.mvn-pid
MVN_RC=$STAMP.mvn-rc
# A signal to this script (Ctrl-C, timeout(1), a cancelled CI job, kill PID) stops the load: Maven and the Gatling JVM
# it forks, which a SIGTERMed Maven leaves running, orphaned, loading the hub for the rest of the profile. Maven runs
# in a session (and process group) of its own, Gatling and a local hub in it, out of the terminal's reach as in
# ./ops/run-hub.sh, and in the background, so that the wait below is interruptible: the trap hands Ctrl-C, SIGTERM or
# SIGHUP to the whole group as one SIGTERM.
STOPPED=
stop_load() {
  STOPPED=$1
  local mvn
  mvn=$(cat "$MVN_PID" 2>/dev/null || true)
  if [ -n "$mvn" ]; then
    kill -TERM -- "-$mvn" 2>/dev/null || true
  fi
}
trap 'stop_load SIGINT' INT
trap 'stop_load SIGTERM' TERM
trap 'stop_load SIGHUP' HUP
set +e
# On the screen: no download lines, no Java stack frames (both stay in $LOG), and the capacity verdict once, at the end
# (the run prints it among Gatling's output too: that copy is replaced by a line saying so).
{ sh -c 'echo $$ >"$0"; exec setsid "$@"' "$MVN_PID" mvn -B -f loadtest/pom.xml verify -Dprofile="$PROFILE" \
    "${PROPS[@]+"${PROPS[@]}"}" 2>&1
  echo $? >"$MVN_RC"; } | tee "$LOG" \
  | grep --line-buffered -vE 'Download(ing|ed) from|^\[INFO\] *$|^[[:space:]]+at |^[[:space:]]+\.\.\. [0-9]+ more$' \
  | awk -v rule="$(printf '=%.0s' $(seq 100))" '
      held != "" { if (/^CAPACITY VERDICT/) { skip = 1; print "(capacity verdict: printed below, after the run)" }
                   else print held
                   held = "" }
      skip { if ($0 == rule) skip = 0; fflush(); next }
      $0 == rule { held = $0; next }
      { print; fflush() }
      END { if (held != "") print held }' &
FILTER=$!
while kill -0 "$FILTER" 2>/dev/null; do
  if [ -n "$STOPPED" ]; then
    sleep 0.2
    stop_load "$STOPPED"   # again: the signal may have come before Maven's pid was written
  else
    wait "$FILTER"
  fi
done
RC=$(cat "$MVN_RC" 2>/dev/null || echo 1)
case "$STOPPED" in
  SIGINT) RC=130 ;;
  SIGTERM) RC=143 ;;
  SIGHUP) RC=129 ;;
esac
trap - INT TERM HUP
set -e
ELAPSED=$(( $(date +%s) - START ))

RUN_DIR=$(cat loadtest/target/loadtest/last-run 2>/dev/null || true)
REPORT=$(grep -o 'file://[^ ]*index.html' "$LOG" | tail -1 | sed 's#^file://##' || true)
echo
if [ -n "$RUN_DIR" ] && [ -n "$(find "$RUN_DIR/verdict.txt" -newer "$STAMP" 2>/dev/null)" ]; then
  cat "$RUN_DIR/verdict.txt"
  mv "$LOG" "$RUN_DIR/maven.log" && LOG="$RUN_DIR/maven.log"
  echo "run files:        $RUN_DIR (verdict.txt, timeline.csv, accepted-ids.txt, unexpected-responses.txt,"
  echo "                  outcomes.txt, maven.log; hub.log for a local hub)"
elif [ -n "$STOPPED" ]; then
  echo "no verdict: interrupted by $STOPPED, the load stopped (Maven and Gatling); the dossiers accepted so far stay in"
  echo "the hub, not reconciled (their Idempotency-Keys start with lt-<run id>-; see $LOG)"
else
  echo "no verdict was written (the run failed before the load; see $LOG):"
  grep -E 'ERROR|Exception|not found|not ready' "$LOG" | awk '!seen[$0]++' | head -20 || true
fi
if [ -n "$REPORT" ]; then
  echo "Gatling report:   $REPORT"
fi
grep -E '^(Global|gate|submit dossier).*: (true|false)' "$LOG" | sed 's/^/assertion:        /' || true
rm -f "$STAMP" "$MVN_PID" "$MVN_RC"
if [ -n "$STOPPED" ]; then
  echo "REHEARSAL INTERRUPTED ($PROFILE, ${ELAPSED} s, by $STOPPED)"
elif [ "$RC" -eq 0 ]; then
  echo "REHEARSAL PASSED ($PROFILE, ${ELAPSED} s)"
else
  echo "REHEARSAL FAILED ($PROFILE, ${ELAPSED} s, Maven exit $RC)"
fi
exit "$RC"
