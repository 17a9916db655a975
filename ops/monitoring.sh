#!/usr/bin/env bash
# Runs Prometheus (Debian package binary) against a running hub, with the hub's rules, in the foreground
# (Ctrl-C stops it). Starts Grafana too when a grafana-server binary is on PATH (Grafana is not in Debian's
# archive: see "Monitoring" in README.md to run it elsewhere and load ops/grafana).
#
#   ops/monitoring.sh                                  hub.role=all on localhost:8080 (./ops/run-hub.sh)
#   ops/monitoring.sh --gateway localhost:8080 --intake localhost:8081    separate gateway/intake processes
#   ops/monitoring.sh --port 9090 --data /var/tmp/hub-monitoring
#
# Prometheus listens on 127.0.0.1 only. Its data (TSDB, generated config) goes to --data
# (default .hub-data/monitoring/, git-ignored).
set -euo pipefail

ops="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$ops")"
gateway="localhost:8080"
intake=""
port=9090
grafana_port=3000
data="$repo/.hub-data/monitoring"   # .hub-data/ is git-ignored

while (($#)); do
  case "$1" in
    --gateway) gateway="$2"; shift 2 ;;
    --intake) intake="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --grafana-port) grafana_port="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "monitoring.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

if ! command -v prometheus >/dev/null 2>&1; then
  if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-cache policy prometheus 2>/dev/null | grep -q 'Candidate: [0-9]' || apt-get update -qq
    apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 prometheus >/dev/null
  else
    echo "monitoring.sh: prometheus not found. Install it: sudo apt-get install -y prometheus (Debian/Ubuntu)" >&2
    exit 1
  fi
fi

mkdir -p "$data/prometheus"
config="$data/prometheus/prometheus.yml"
# The repo's config with this run's targets, the rules by absolute path, and the intake job only when asked for
# (a hub.role=all process serves the intake meters on the gateway target).
awk -v gw="$gateway" -v in_target="$intake" -v rules="$ops/prometheus/rules/*.yml" -v port="$port" '
  /^  - job_name: / { skip = ($3 == "onewindow-intake" && in_target == "") }
  skip { next }
  { gsub(/localhost:8080/, gw); gsub(/localhost:8081/, in_target); gsub(/localhost:9090/, "127.0.0.1:" port);
    sub(/- rules\/\*\.yml/, "- " rules); if (in_target == "") sub(/role: gateway/, "role: all"); print }
' "$ops/prometheus/prometheus.yml" >"$config"
promtool check config "$config" >/dev/null

echo "Prometheus on http://127.0.0.1:$port scraping gateway $gateway${intake:+, intake $intake} (data: $data)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

prometheus --config.file="$config" --storage.tsdb.path="$data/prometheus/tsdb" \
  --storage.tsdb.retention.time=3d --web.listen-address="127.0.0.1:$port" --log.level=warn &
pids+=($!)

grafana_bin="$(command -v grafana-server || command -v grafana || true)"
if [[ -n "$grafana_bin" ]]; then
  mkdir -p "$data/grafana"
  sed "s#http://localhost:9090#http://127.0.0.1:$port#" "$ops/grafana/provisioning/datasources/prometheus.yml" \
    >"$data/grafana/datasource.yml"
  mkdir -p "$data/grafana/provisioning/datasources" "$data/grafana/provisioning/dashboards"
  mv "$data/grafana/datasource.yml" "$data/grafana/provisioning/datasources/prometheus.yml"
  cp "$ops/grafana/provisioning/dashboards/hub.yml" "$data/grafana/provisioning/dashboards/hub.yml"
  echo "Grafana on http://127.0.0.1:$grafana_port (dashboard: One-window hub / One-window intake hub)"
  args=()
  [[ "$(basename "$grafana_bin")" == grafana ]] && args+=(server)
  [[ -n "${GRAFANA_HOME:-}" ]] && args+=(--homepath "$GRAFANA_HOME")
  ONEWINDOW_DASHBOARDS_DIR="$ops/grafana/dashboards" \
  GF_PATHS_PROVISIONING="$data/grafana/provisioning" GF_PATHS_DATA="$data/grafana/data" \
  GF_SERVER_HTTP_ADDR=127.0.0.1 GF_SERVER_HTTP_PORT="$grafana_port" \
    "$grafana_bin" "${args[@]}" >"$data/grafana/grafana.log" 2>&1 &
  pids+=($!)
else
  echo "Grafana not found (not in Debian's archive): import ops/grafana/dashboards/onewindow-hub.json into a"
  echo "Grafana elsewhere, or provision ops/grafana/provisioning there (see README, Monitoring)."
fi

wait -n "${pids[@]}"
