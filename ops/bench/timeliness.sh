#!/usr/bin/env bash
# Timeliness statistics on a large table: starts the hub (hub/target/hub.jar) on its embedded PostgreSQL + Redis in a
# temp dir, fills the dossier table with ROWS synthetic dossiers over 34 provinces and a year (statuses, due dates
# and processing ends spread like a busy year, 1 in 20 rated), then times GET /v1/stats/timeliness for a province,
# one agency and everything, warm, REPEAT times each, and prints the medians. Bounded, loopback only; everything
# started here is stopped on exit.
#
#   ops/bench/timeliness.sh                 # 1,000,000 rows
#   ROWS=200000 REPEAT=5 NO_BUILD=1 ops/bench/timeliness.sh
# The hub runs with the JVM options of config/jvm.options (ops/lib/jvm.sh; HUB_JAVA_OPTS replaces them).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-1000000}
REPEAT=${REPEAT:-7}
HUB_JAR=${HUB_JAR:-hub/target/hub.jar}
command -v psql >/dev/null || apt-get install -y -q postgresql-client >/dev/null
[ -n "${NO_BUILD:-}" ] || mvn -q -B -DskipTests -pl hub -am package
# shellcheck source=ops/lib/jvm.sh
. ops/lib/jvm.sh   # HUB_JAVA_OPTS: config/jvm.options unless set
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/hub-timeliness.XXXXXX)
PORT=$(free_port); PGPORT=$(free_port); RPORT=$(free_port); HUB=""
cleanup() {
  if [ -n "$HUB" ]; then
    kill "$HUB" 2>/dev/null || true
    for _ in $(seq 1 90); do kill -0 "$HUB" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$HUB" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck disable=SC2086 # HUB_JAVA_OPTS is a list of JVM options
env -u HUB_POSTGRES_URL -u HUB_REDIS_URL -u HUB_CONFIG_FILE HUB_HUB_ROLE=gateway \
  HUB_HTTP_HOST=127.0.0.1 HUB_HTTP_PORT="$PORT" HUB_EMBEDDED_DATA_DIR="$WORK/data" \
  HUB_EMBEDDED_POSTGRES_PORT="$PGPORT" HUB_EMBEDDED_REDIS_PORT="$RPORT" HUB_LOG_LEVEL=WARN \
  HUB_RATELIMIT_ENABLED=false HUB_STATS_PROVINCE_REFRESH_MS=0 \
  java $HUB_JAVA_OPTS -jar "$HUB_JAR" > "$WORK/hub.log" 2>&1 &
HUB=$!
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "hub did not become ready"; tail -30 "$WORK/hub.log"; exit 1; }
sql() { psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

echo "== filling $ROWS dossiers (34 provinces x 30 units, 2026, statuses 2-10)"
START=$(date +%s.%N)
sql <<SQL
INSERT INTO dossier (id, code, client_id, procedure_code, receiving_unit, handling_agency, channel, applicant_type,
                     status, payload, received_at, stream_entry_id, due_date, processed_at, status_changed_at)
SELECT gen_random_uuid(), 'BENCH-' || g, 'portal-web', '1.001612.000.00.00.H48', agency, agency, 'online', 'citizen',
       status, '{}'::jsonb, received, 'bench',
       (received AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + 3 + (g % 5),
       CASE WHEN status IN (9, 10) THEN received + make_interval(days => 1 + (g % 9)) END,
       received + make_interval(days => 1 + (g % 9))
FROM (SELECT g,
             format('000.00.%s.H%s', lpad((g % 30)::text, 2, '0'), lpad((g / 30 % 34 + 10)::text, 2, '0')) AS agency,
             (ARRAY[9, 10, 10, 10, 9, 4, 2, 5, 6, 7, 8, 10])[1 + (g / 7) % 12]::smallint AS status,
             timestamptz '2026-01-01 08:00+07' + make_interval(mins => ((g::bigint * 7919) % 525600)::int) AS received
      FROM generate_series(1, $ROWS) AS g) x;
INSERT INTO dossier_rating (dossier_id, client_id, channel, answers, satisfied, rated_at)
SELECT id, client_id, 'online', ARRAY[5, 4, 3]::smallint[], 2, processed_at + interval '1 day'
FROM dossier WHERE status = 10 AND code LIKE 'BENCH-%' AND right(code, 1) = '0';
VACUUM ANALYZE dossier;
VACUUM ANALYZE dossier_rating;
SQL
printf "   loaded in %.1f s; %s dossiers, %s ratings, table + indexes %s\n" "$(echo "$(date +%s.%N) - $START" | bc)" \
  "$(sql -c 'SELECT count(*) FROM dossier')" "$(sql -c 'SELECT count(*) FROM dossier_rating')" \
  "$(sql -c "SELECT pg_size_pretty(pg_total_relation_size('dossier'))")"

median_ms() {   # median_ms <query string>: median wall time of REPEAT warm requests (one warm-up first)
  local url="http://127.0.0.1:$PORT/v1/stats/timeliness?$1" times=()
  curl -sf -H 'X-Api-Key: dev-portal-web-key' "$url" > "$WORK/answer.json" || { echo "request failed: $url"; exit 1; }
  for _ in $(seq 1 "$REPEAT"); do
    times+=("$(curl -s -o /dev/null -w '%{time_total}' -H 'X-Api-Key: dev-portal-web-key' "$url")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)] * 1000}'
}
echo "== GET /v1/stats/timeliness, warm, median of $REPEAT ($ROWS rows)"
for q in "agency=*.H20&from=2026-01-01&to=2026-12-31" "agency=*.H20&from=2026-03-01&to=2026-03-31" \
         "agency=000.00.05.H20&from=2026-01-01&to=2026-12-31" "agency=*&from=2026-01-01&to=2026-12-31"; do
  printf "   %-55s %6s ms   processed %s\n" "$q" "$(median_ms "${q//\*/%2A}")" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["processed"]["total"])' "$WORK/answer.json")"
done
