#!/usr/bin/env bash
# Capacity benchmark of the intake hub, measured in ONE run on ONE machine, next to the machine's own ceilings
# measured in the same run (ratios matter more than absolute figures on a shared 2-core box). For each jar measured
# (the current build, and optionally a baseline jar, one after the other on freshly created servers):
#   1. cold start: a fresh gateway process added to a running hub (the intake has first worked PRIME_DURATION s for
#      a throwaway gateway, whose exit also wrote the class archive the fresh one maps, unless CDS=0, as run-hub.sh's
#      second start does; a deployment ships it in its image); time from its start to /health/ready, then the accepted rate of each
#      second of the first COLD_DURATION s of saturating load (wrk, closed loop) from the moment it is ready;
#      then more of the same load, not measured, in WARMUP_STEP s steps until the JIT compiler threads of both JVMs
#      use less than WARM_JIT_SHARE of their process's CPU (at most WARMUP_DURATION s): warm means compiled;
#   2. hub: max sustained accepted rate (wrk, closed loop, saturating), with the CPU of each process read from /proc
#      (gateway JVM, intake JVM, redis-server, the PostgreSQL backends of the run's database, wrk, the whole box)
#      over the saturation and the drain, per accepted / persisted dossier; RSS of both JVMs; the persisted rate
#      (rows committed by the intake workers, run + drain); with PROFILE=1 a JFR profile of the gateway and the intake meanwhile;
#   3. p99 latency at half the max rate (wrk paced with its delay() hook), and for the second jar also at the first
#      jar's pacing (the same offered load: each jar's own half rate offers a faster jar more);
#   4. GC pauses of both JVMs over their whole life and from the measured gateway's readiness on (-Xlog:gc);
#   5. with a baseline, ROUNDS more saturations of each jar, both hubs kept running, alternating which goes first;
# then, once: raw Redis XADD of a dossier-sized entry (redis-benchmark) on the run's redis-server, the ceiling of the
# queue at the core of the intake path; nginx (Debian package, 1 worker) answering `return 202` on a loopback port,
# the ceiling of HTTP on this box with the same client and bodies (and its CPU per request); the stack's floors:
# ops/bench/StackFloor.java on the hub jar's Vert.x, Netty, Jackson and Redis client reading the body and answering
# 202, then also parsing it, then also XADDing it to a fresh redis-server (CPU per request of the JVM and Redis: what
# the gateway and Redis cannot go under with this stack); and prints the figures, hub/nginx, hub/XADD and
# persisted/accepted, and with a baseline a before/after table with after/before ratios.
# The hub runs as two processes, HUB_HUB_ROLE=gateway and HUB_HUB_ROLE=intake, with rate limiting OFF (this
# measures capacity, not client quotas), on Debian's redis-server (AOF, fsync every second, as the embedded one) on
# a free port and a throwaway database hub_bench_<epoch>_<n> on the PostgreSQL at PGHOST:PGPORT (default
# 127.0.0.1:5432, user postgres, trust), dropped at exit. All traffic goes to 127.0.0.1, every step is bounded in
# time or count, and everything started here is stopped (by pid) on exit.
#
#   ops/bench/capacity.sh
#   ops/bench/capacity.sh --baseline-jar /tmp/hub-base.jar --baseline-dir /work/wt/base   # before/after, same run
#   DURATION=30 CONNECTIONS=128 ops/bench/capacity.sh     # longer saturation, more connections
#   PROFILE=1 ops/bench/capacity.sh                       # + where the gateway's and the intake's CPU goes (JFR, top frames)
#   NO_BUILD=1 HUB_JAR=/path/hub.jar ops/bench/capacity.sh
#   AFTER_FIRST=1 ops/bench/capacity.sh --baseline-jar ...   # the current jar measured first, the baseline second
#   ROUNDS=4 ops/bench/capacity.sh --baseline-jar ...        # more interleaved saturations of both jars (default 2)
# --baseline-dir (BASELINE_DIR) is the working directory of the baseline jar: a checkout of its commit, whose
# config/ it reads (default: this checkout). The load (ops/bench/submit.lua, config/examples) is this checkout's.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BENCH=$ROOT/ops/bench
DURATION=${DURATION:-20}            # seconds of saturation for the max accepted rate
HALF_DURATION=${HALF_DURATION:-20}  # seconds at half the max rate for the p99
COLD_DURATION=${COLD_DURATION:-30}  # seconds of load sampled after a fresh gateway turns ready
PRIME_DURATION=${PRIME_DURATION:-20}  # seconds of load through a throwaway gateway before it (0: a cold intake too)
WARMUP_DURATION=${WARMUP_DURATION:-90}  # at most this many seconds of unmeasured load after the cold start, in
WARMUP_STEP=${WARMUP_STEP:-10}          # steps of this many seconds, until the JIT compiler threads of both JVMs
WARM_JIT_SHARE=${WARM_JIT_SHARE:-0.10}  # use less than this share of their process's CPU in a step
NGINX_DURATION=${NGINX_DURATION:-10}
FLOORS=${FLOORS:-1}                 # 0: skip the stack floors (ops/bench/StackFloor.java) measured after nginx
FLOOR_DURATION=${FLOOR_DURATION:-10}  # seconds measured per floor, after FLOOR_WARMUP s of unmeasured load (JIT)
FLOOR_WARMUP=${FLOOR_WARMUP:-15}
CONNECTIONS=${CONNECTIONS:-64}
PACED_CONNECTIONS=${PACED_CONNECTIONS:-32}
XADD_REQUESTS=${XADD_REQUESTS:-200000}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-120}
START_TIMEOUT=${START_TIMEOUT:-180}
API_KEY=${API_KEY:-dev-portal-web-key}
HUB_JAR=${HUB_JAR:-$ROOT/hub/target/hub.jar}
# shellcheck source=ops/lib/jvm.sh
. "$ROOT/ops/lib/jvm.sh"   # HUB_JAVA_OPTS: config/jvm.options unless set
BASELINE_JAR=${BASELINE_JAR:-}
BASELINE_DIR=${BASELINE_DIR:-}
BASELINE_JAVA_OPTS=${BASELINE_JAVA_OPTS:-$HUB_JAVA_OPTS}
PROFILE=${PROFILE:-0}
SAME_DELAY=     # the first measured jar's half-rate pacing, offered to every later jar too
AFTER_FIRST=${AFTER_FIRST:-0}   # 1: with a baseline, measure the current jar first (see the end of the script)
# with a baseline: this many more saturations of each jar, interleaved (rounds(), below); without one, none
ROUNDS=${ROUNDS:-2}
CDS=${CDS:-1}   # 1: the measured gateway starts with the class archive its primer's exit wrote (AppCDS, as run-hub.sh)
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}

# shellcheck source=ops/bench/lib-servers.sh
. "$BENCH/lib-servers.sh"
bench_args "$@"
[ -n "$BASELINE_JAR" ] || ROUNDS=0

need wrk wrk
need psql postgresql-client
need redis-server redis-server
need redis-benchmark redis-tools
need nginx nginx
[ "$PROFILE" = 1 ] && { need jcmd openjdk-17-jdk-headless; need jfr openjdk-17-jdk-headless; }
"${PG_ADMIN[@]}" -tAc "SELECT 1" >/dev/null || { echo "no PostgreSQL at $PGUSER@$PGHOST:$PGPORT (set PGHOST/PGPORT/PGUSER)" >&2; exit 1; }

if [ -z "${NO_BUILD:-}" ]; then
  mvn -q -B -DskipTests -pl hub -am package
fi
[ -f "$HUB_JAR" ] || { echo "no hub jar at $HUB_JAR" >&2; exit 1; }
HUB_JAR=$(realpath "$HUB_JAR")
[ -z "$BASELINE_JAR" ] || BASELINE_JAR=$(realpath "$BASELINE_JAR")

WORK=$(mktemp -d /tmp/hub-capacity.XXXXXX)
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
wrk_stat() { awk -v k="$1" '$1 == k {print $2}' "$2" | head -1; }   # e.g. wrk_stat 99% file -> 12.34ms
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.1f", v}'; }
put() { echo "$1=$2" >> "$RUN_DIR/result.txt"; }
fail() { echo "$1"; for f in "$RUN_DIR"/gateway.log "$RUN_DIR"/intake.log; do [ -f "$f" ] && tail -20 "$f"; done; exit 1; }

# wait_file FILE SECONDS
wait_file() { for _ in $(seq 1 $(($2 * 10))); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }

# paced DELAY NAME: wrk with DELAY ms before each request of each of PACED_CONNECTIONS connections, for HALF_DURATION s,
# on the gateway of the jar being measured (gport, load: measure's); into RUN_DIR/NAME.txt, and NAME_accepted,
# NAME_refused, NAME_p50 and NAME_p99 into its results
paced() {
  local accepted0 all0 accepted
  accepted0=$(metric "$gport" "$ACCEPTED_RE"); all0=$(metric "$gport" "$ALL_RE")
  BENCH_DELAY_MS=$1 run wrk -t1 -c"$PACED_CONNECTIONS" -d"${HALF_DURATION}s" --latency "${load[@]}" \
    > "$RUN_DIR/$2.txt" 2>&1 || true
  accepted=$(( $(metric "$gport" "$ACCEPTED_RE") - accepted0 ))
  put "$2_accepted" "$accepted"; put "$2_refused" $(( $(metric "$gport" "$ALL_RE") - all0 - accepted ))
  put "$2_p50" "$(wrk_stat 50% "$RUN_DIR/$2.txt" | to_ms)"; put "$2_p99" "$(wrk_stat 99% "$RUN_DIR/$2.txt" | to_ms)"
  grep -E '^wrk:|Requests/sec' "$RUN_DIR/$2.txt" | sed 's/^/   /'
}

# saturate [ROUND]: the max sustained accepted rate of the jar whose hub the globals and measure()'s locals name
# (GATEWAY, INTAKE, REDIS_PID, REDIS_PORT, BENCH_DB, gport, load, RUN_DIR), with the CPU of every process from /proc
# over the saturation and the drain; sets SATURATED (accepted). ROUND n (an extra saturation, ROUNDS) writes its
# figures as rN_* keys and rN-* files, without the profilers.
saturate() {
  local round=${1:-} k= f= base_rows base_acc base_all accepted refused sampler start run_end
  [ -n "$round" ] && k="r${round}_" f="r${round}-"
  base_rows=$(rows); base_acc=$(metric "$gport" "$ACCEPTED_RE"); base_all=$(metric "$gport" "$ALL_RE")
  # the profile covers the load only (not these /metrics scrapes); jcmd's own work lands before the CPU window
  if [ "$PROFILE" = 1 ] && [ -z "$round" ]; then
    jcmd "$GATEWAY" JFR.start name=bench settings=profile filename="$RUN_DIR/gateway.jfr" >/dev/null
    jcmd "$INTAKE" JFR.start name=bench settings=profile filename="$RUN_DIR/intake.jfr" >/dev/null
  fi
  # Redis's own account of its command time (INFO commandstats) over the saturation: per dossier, by command
  [ -z "$round" ] && redis-cli -p "$REDIS_PORT" CONFIG RESETSTAT >/dev/null
  # CPU of redis-server's forked children (AOF rewrites) once reaped: not in its own /proc figure
  local redis_children0
  redis_children0=$(awk '{print $16 + $17}' "/proc/$REDIS_PID/stat")
  local perf_pid= pg_perf_pid= pg_pids
  if [ "$PROFILE" = 1 ] && [ -z "$round" ] && command -v perf >/dev/null; then
    perf record -F 499 -g -o "$RUN_DIR/redis.perf" -p "$REDIS_PID" -- sleep "$DURATION" >/dev/null 2>&1 &
    perf_pid=$!
    started "$perf_pid"
    # the PostgreSQL backends of the run's database (the intake's pool): where a persisted row's CPU goes
    pg_pids=$(psql -X -d postgres -tAc "SELECT string_agg(pid::text, ',') FROM pg_stat_activity
      WHERE datname = '$BENCH_DB' AND pid <> pg_backend_pid()" || true)
    if [ -n "$pg_pids" ]; then
      perf record -F 499 -g -o "$RUN_DIR/postgres.perf" -p "$pg_pids" -- sleep "$DURATION" >/dev/null 2>&1 &
      pg_perf_pid=$!
      started "$pg_perf_pid"
    fi
  fi
  start=$(now); put "${k}start" "$start"
  python3 "$BENCH/lib-sample.py" procs "$RUN_DIR/${f}cpu.json" gateway="$GATEWAY" intake="$INTAKE" redis="$REDIS_PID" \
    --pg-db "$BENCH_DB" -- wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "${load[@]}" \
    > "$RUN_DIR/${f}sat.txt" 2>&1 &
  sampler=$!
  started "$sampler"
  wait_file "$RUN_DIR/${f}cpu.json.done" $((DURATION + 60)) || fail "wrk did not end"
  run_end=$(now); put "${k}run_end" "$run_end"
  if [ -z "$round" ]; then
    redis-cli -p "$REDIS_PORT" INFO commandstats | tr -d '\r' > "$RUN_DIR/redis-commandstats.txt"
    redis-cli -p "$REDIS_PORT" INFO stats | tr -d '\r' > "$RUN_DIR/redis-stats.txt"
  fi
  if [ -n "$perf_pid" ]; then
    wait "$perf_pid" 2>/dev/null || true
    perf report -i "$RUN_DIR/redis.perf" --no-children --sort sym --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' \
      | head -25 > "$RUN_DIR/redis-perf.txt" || true
  fi
  if [ -n "$pg_perf_pid" ]; then
    wait "$pg_perf_pid" 2>/dev/null || true
    perf report -i "$RUN_DIR/postgres.perf" --no-children --sort sym --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' \
      | head -40 > "$RUN_DIR/postgres-perf.txt" || true
  fi
  [ "$PROFILE" = 1 ] && [ -z "$round" ] && for jvm in "$GATEWAY" "$INTAKE"; do jcmd "$jvm" JFR.stop name=bench >/dev/null; done
  put "${k}rows_at_end" "$(rows "$start")"
  accepted=$(( $(metric "$gport" "$ACCEPTED_RE") - base_acc ))
  refused=$(( $(metric "$gport" "$ALL_RE") - base_all - accepted ))
  put "${k}accepted" "$accepted"; put "${k}refused" "$refused"
  grep -E '^wrk:|Requests/sec' "$RUN_DIR/${f}sat.txt" | sed 's/^/   /'
  drain_to "$accepted" "$DRAIN_TIMEOUT" "$start" || true
  stop_pid "$sampler" 10
  put "${k}redis_children_ticks" $(( $(awk '{print $16 + $17}' "/proc/$REDIS_PID/stat") - redis_children0 ))
  # persisted and lost: the dossiers received during the saturation; CPU per persisted dossier: every row committed
  # in the window (the same number unless an earlier backlog was still draining)
  put "${k}rows" "$(rows "$start")"
  put "${k}rows_committed" $(( $(rows) - base_rows ))
  # the workers' own pace: rows of this load over first receipt -> last commit (persisted_at is set in the batch)
  local span drain_after
  read -r span drain_after < <(psql -X -d "$BENCH_DB" -tA -F ' ' -c \
    "SELECT extract(epoch FROM max(persisted_at) - min(received_at)), greatest(0, extract(epoch FROM max(persisted_at)) - $run_end)
       FROM dossier WHERE received_at >= to_timestamp($start)")
  put "${k}persist_span" "${span:-0}"
  echo "   accepted $accepted (refused $refused), persisted $(rows "$start") after the drain (last commit ${drain_after:-?} s after the load)"
  SATURATED=$accepted
}

# measure LABEL JAR DIR JAVA_OPTS: every per-jar figure of one jar, on its own fresh servers, into $WORK/LABEL/
measure() {
  local label=$1 jar=$2 dir=$3 t0 accepted refused
  RUN_DIR=$WORK/$label
  mkdir -p "$RUN_DIR"
  read -ra JAVA_OPTS <<< "$4"
  put jar "$jar"; put dir "$dir"; put java_opts "$4"
  start_redis "$RUN_DIR/redis"
  create_db
  local iport gport
  iport=$(free_port); gport=$(free_port)
  local load=(-s ops/bench/submit.lua "http://127.0.0.1:$gport" -- config/examples "$API_KEY")
  echo "== [$label] $jar (config of $dir), redis :$REDIS_PORT, database $BENCH_DB, intake :$iport, gateway :$gport"
  t0=$(now)
  start_hub intake "$jar" "$dir" "$iport"
  INTAKE=$HUB_PID
  wait_ready "$iport" "$INTAKE" "$START_TIMEOUT" || fail "the intake process did not become ready"
  put intake_ready_s "$(since "$t0")"

  # the cold start is a gateway added to a hub that is already running: the intake has worked before (a primer
  # gateway's load), so that the JIT compiling of a fresh intake does not take CPU from the gateway measured
  local primed=0
  if [ "$PRIME_DURATION" -gt 0 ]; then
    echo "== [$label] priming the intake: a throwaway gateway, wrk -t2 -c$CONNECTIONS for ${PRIME_DURATION}s, drained, stopped"
    local pport primer
    pport=$(free_port)
    # its exit records the classes a gateway loads (AppCDS, as ops/run-hub.sh does): the measured gateway maps them
    local dump=()
    [ "$CDS" = 1 ] && dump=(-XX:ArchiveClassesAtExit="$RUN_DIR/gateway.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
    start_hub gateway "$jar" "$dir" "$pport" "${dump[@]}"
    primer=$HUB_PID
    wait_ready "$pport" "$primer" "$START_TIMEOUT" || fail "the primer gateway did not become ready"
    run wrk -t2 -c"$CONNECTIONS" -d"${PRIME_DURATION}s" -s ops/bench/submit.lua "http://127.0.0.1:$pport" -- \
      config/examples "$API_KEY" > /dev/null 2>&1 || true
    primed=$(metric "$pport" "$ACCEPTED_RE")
    drain_to "$primed" "$DRAIN_TIMEOUT" || echo "   the intake had not persisted the primer's $primed dossiers after ${DRAIN_TIMEOUT}s"
    stop_pid "$primer" 30
  fi

  echo "== [$label] 1/3 cold start: fresh gateway, then wrk -t2 -c$CONNECTIONS for ${COLD_DURATION}s from the moment it is ready"
  local gateway_opts=()
  [ "$PROFILE" = 1 ] && gateway_opts=(-XX:FlightRecorderOptions:stackdepth=128)
  [ -s "$RUN_DIR/gateway.jsa" ] && gateway_opts+=(-XX:SharedArchiveFile="$RUN_DIR/gateway.jsa" -Xshare:auto \
    -Xlog:cds=info:file="$RUN_DIR/cds-gateway.log")
  t0=$(now)
  start_hub gateway "$jar" "$dir" "$gport" "${gateway_opts[@]}"
  GATEWAY=$HUB_PID
  wait_ready "$gport" "$GATEWAY" "$START_TIMEOUT" || fail "the gateway did not become ready"
  put ready_s "$(since "$t0")"
  put load_from "$(now)"   # the benchmark's load starts here: GC pauses from now on are counted apart from the starts'
  # -Xshare:auto falls back silently (an archive cut short, another jar): its log says whether it was mapped
  if grep -q 'Mapped dynamic region #0' "$RUN_DIR/cds-gateway.log" 2>/dev/null \
      && ! grep -q 'UseSharedSpaces:' "$RUN_DIR/cds-gateway.log"; then
    put cds 1
  else
    put cds 0
  fi
  # where both JVMs' CPU goes in the gateway's first 10 s (the JIT compiler threads' share above all)
  python3 "$BENCH/lib-sample.py" procs "$RUN_DIR/cold-cpu.json" --until-done gateway="$GATEWAY" intake="$INTAKE" \
    -- sleep 10 &
  started $!
  run python3 "$BENCH/lib-sample.py" counter "$RUN_DIR/cold.json" "http://127.0.0.1:$gport/metrics" -- \
    wrk -t2 -c"$CONNECTIONS" -d"${COLD_DURATION}s" "${load[@]}" > "$RUN_DIR/cold.txt" 2>&1
  grep -E '^wrk:|Requests/sec' "$RUN_DIR/cold.txt" | sed 's/^/   /'
  refused=$(refusals "$gport")
  put cold_refused "$refused"
  echo "   refused during the cold start: ${refused:-none}"
  echo "== [$label] warm-up, not measured: wrk -t2 -c$CONNECTIONS in ${WARMUP_STEP}s steps until JIT < $WARM_JIT_SHARE of each JVM's CPU (at most ${WARMUP_DURATION}s)"
  local warmed=0 jit=n/a
  # JFR's first recording compiles JFR's own code: a throwaway one here keeps that out of the measured window
  [ "$PROFILE" = 1 ] && for jvm in "$GATEWAY" "$INTAKE"; do jcmd "$jvm" JFR.start name=warm settings=profile >/dev/null; done
  while [ "$warmed" -lt "$WARMUP_DURATION" ]; do
    run python3 "$BENCH/lib-sample.py" procs "$RUN_DIR/warm.json" --until-done gateway="$GATEWAY" intake="$INTAKE" -- \
      wrk -t2 -c"$CONNECTIONS" -d"${WARMUP_STEP}s" "${load[@]}" > /dev/null 2>&1 || true
    warmed=$((warmed + WARMUP_STEP))
    jit=$(python3 -c 'import json, sys; p = json.load(open(sys.argv[1]))["procs"]
print(max(round(sum(p[j]["groups"].get("jit", [0, 0])) / max(1, sum(p[j]["cpu"])), 2) for j in ("gateway", "intake")))' \
      "$RUN_DIR/warm.json")
    python3 -c 'import sys; sys.exit(float(sys.argv[1]) >= float(sys.argv[2]))' "$jit" "$WARM_JIT_SHARE" && break
  done
  [ "$PROFILE" = 1 ] && for jvm in "$GATEWAY" "$INTAKE"; do jcmd "$jvm" JFR.stop name=warm >/dev/null; done
  echo "   warm-up ${warmed}s; JIT share of the CPU in its last step (the larger of the two JVMs): $jit"
  put warmup_s "$warmed"; put warm_jit_share "$jit"
  local total
  total=$(( primed + $(metric "$gport" "$ACCEPTED_RE") ))
  drain_to "$total" "$DRAIN_TIMEOUT" || echo "   the intake is $(( total - $(rows) )) dossiers behind after ${DRAIN_TIMEOUT}s of drain:" \
    "the saturation's persisted figures count only what it received, its CPU per persisted dossier all it committed"
  sleep 2

  echo "== [$label] 2/3 saturation: wrk -t2 -c$CONNECTIONS for ${DURATION}s, CPU of every process from /proc"
  saturate
  accepted=$SATURATED

  local acc_rate half d0 r0 delay
  acc_rate=$(python3 -c "print(round($accepted / $DURATION, 1))")
  half=$(python3 -c "print(max(1.0, round($acc_rate / 2, 1)))")
  # C paced connections, each waiting D ms before every request, offer C*1000/(D + latency) requests/s: a 5 s probe
  # measures the latency term, then D is set so that the offered rate is half the max
  d0=$(python3 -c "print(max(1, int($PACED_CONNECTIONS * 1000 / $half)))")
  sleep 2
  BENCH_DELAY_MS=$d0 run wrk -t1 -c"$PACED_CONNECTIONS" -d5s "${load[@]}" > "$RUN_DIR/probe.txt" 2>&1 || true
  r0=$(awk '/Requests\/sec/ {print $2}' "$RUN_DIR/probe.txt")
  delay=$(python3 -c "
c, half, d0, r0 = $PACED_CONNECTIONS, $half, $d0, float('${r0:-0}' or 0)
lat = max(0.0, c * 1000 / r0 - d0) if r0 > 0 else 0.0
print(max(1, int(round(c * 1000 / half - lat))))")
  echo "== [$label] 3/3 hub at half the max: ~$half/s (wrk -t1 -c$PACED_CONNECTIONS, delay ${delay} ms per connection) for ${HALF_DURATION}s"
  paced "$delay" half
  # Each jar's half rate is half of its own max, so a faster jar is offered more: the latency of the jars compares
  # only at the same offered load, the first jar's half-rate pacing, run again for every later jar (the report takes
  # the first jar's half-rate figures for its own)
  if [ -z "$SAME_DELAY" ]; then
    SAME_DELAY=$delay
  else
    echo "== [$label] 3/3 again at the first jar's pacing (delay ${SAME_DELAY} ms per connection) for ${HALF_DURATION}s"
    paced "$SAME_DELAY" same
  fi

  if [ "$label" = after ]; then
    echo "== raw Redis XADD of a dossier-sized entry (redis-benchmark -c$CONNECTIONS -n $XADD_REQUESTS) on this run's redis-server"
    local payload xadd
    payload=$(tr -d '\n' < config/examples/birth-registration.json)
    xadd=$(timeout 120 redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -n "$XADD_REQUESTS" -c "$CONNECTIONS" -q XADD bench:capacity:xadd '*' payload "$payload" 2>/dev/null \
      | tr '\r' '\n' | awk -F': ' '/requests per second/ {split($NF, a, " "); print int(a[1])}' | tail -1)
    echo "   XADD: ${xadd:-?} /s"
    echo "xadd=${xadd:-0}" >> "$WORK/ceilings.txt"
    redis-cli -p "$REDIS_PORT" DEL bench:capacity:xadd >/dev/null   # not carried into the rounds below
  fi
  if [ "$ROUNDS" -gt 0 ]; then
    # kept running for the interleaved rounds (rounds(), below), which stop it
    declare -p GATEWAY INTAKE REDIS_PID REDIS_PORT BENCH_DB gport > "$RUN_DIR/hub.state"
  else
    stop_hub
  fi
}

stop_hub() {
  stop_pid "$GATEWAY" 60
  stop_pid "$INTAKE" 60
  stop_pid "$REDIS_PID" 30
  drop_db "$BENCH_DB"
}

# rounds: ROUNDS more saturations of each jar, both hubs kept running since measure(), alternating which jar goes
# first (before/after was the order of measure(), then after/before, before/after...): a box that grows busier or
# quieter over the run weighs on both jars alike, where measuring one jar wholly after the other put the drift into
# the ratio (RUNS.md, runs CJ and CK: the same code a quarter to two fifths apart). Then stops both hubs.
rounds() {
  local n label order
  for n in $(seq 1 "$ROUNDS"); do
    if [ $((n % 2)) = 1 ]; then order="after before"; else order="before after"; fi
    for label in $order; do
      echo "== [$label] round $n of $ROUNDS: saturation again, wrk -t2 -c$CONNECTIONS for ${DURATION}s"
      round "$label" "$n"
    done
  done
  for label in before after; do
    round "$label" stop
  done
}

# round LABEL N|stop: one saturation of the running hub of LABEL (its hub.state), as round N; or stop that hub
round() {
  local label=$1 GATEWAY INTAKE REDIS_PID REDIS_PORT BENCH_DB gport
  RUN_DIR=$WORK/$label
  # shellcheck disable=SC1091
  . "$RUN_DIR/hub.state"
  local load=(-s ops/bench/submit.lua "http://127.0.0.1:$gport" -- config/examples "$API_KEY")
  if [ "$2" = stop ]; then
    stop_hub
  else
    saturate "$2"
  fi
}

# The jar measured second has done worse in its cold start on this shared box, whichever it was (RUNS.md, runs AF
# and AG: 0.50 / 0.18 and 0.56 / 0.29 of the warm rate in the first 10 s, first / second, the same two jars swapped):
# AFTER_FIRST=1 measures the current jar first, so that a pair of runs can show both orders.
if [ -n "$BASELINE_JAR" ] && [ "$AFTER_FIRST" != 1 ]; then
  measure before "$BASELINE_JAR" "$(realpath "$BASELINE_DIR")" "$BASELINE_JAVA_OPTS"
fi
measure after "$HUB_JAR" "$ROOT" "$HUB_JAVA_OPTS"
if [ -n "$BASELINE_JAR" ] && [ "$AFTER_FIRST" = 1 ]; then
  measure before "$BASELINE_JAR" "$(realpath "$BASELINE_DIR")" "$BASELINE_JAVA_OPTS"
fi
[ "$ROUNDS" -gt 0 ] && rounds

echo "== nginx answering 202 (1 worker, loopback), wrk -t1 -c$CONNECTIONS for ${NGINX_DURATION}s"
nginx_ceiling "$NGINX_DURATION"
echo "   nginx: ${NGINX_RATE:-?} /s"
echo "nginx=${NGINX_RATE:-0}" >> "$WORK/ceilings.txt"

if [ "$FLOORS" = 1 ]; then
  # what the stack itself costs per request on this box, under the gateway's CPU per dossier (ops/bench/StackFloor.java)
  read -ra JAVA_OPTS <<< "$HUB_JAVA_OPTS"
  if start_redis "$WORK/floor-redis"; then
    for mode in http parse enqueue; do
      echo "== stack floor '$mode': the hub jar's Vert.x doing only that, ${FLOOR_WARMUP}s unmeasured, then wrk -t2 -c$CONNECTIONS for ${FLOOR_DURATION}s"
      stack_floor "$mode" "$FLOOR_DURATION" "$FLOOR_WARMUP" || echo "   the '$mode' floor did not start"
      grep -E 'Requests/sec' "$WORK/floor-$mode.txt" 2>/dev/null | sed 's/^/   /' || true
    done
    stop_pid "$REDIS_PID" 30
  else
    echo "== stack floors skipped: no redis-server for them"
  fi
fi

python3 "$BENCH/lib-report.py" "$WORK" "$DURATION" "$HALF_DURATION" "$CONNECTIONS"
