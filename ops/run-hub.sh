#!/usr/bin/env bash
# Builds and runs the hub (gateway + intake workers) on port 8080.
# With no HUB_REDIS_URL / HUB_POSTGRES_URL it starts a real PostgreSQL and redis-server itself (data in .hub-data/).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests -pl hub -am package
# In a terminal, readable log lines (log.format=text); piped or redirected, the JSON default. HUB_LOG_FORMAT wins.
if [ -t 1 ] && [ -z "${HUB_LOG_FORMAT:-}" ]; then
  export HUB_LOG_FORMAT=text
fi
exec java ${HUB_JAVA_OPTS:--Xms256m -Xmx1g} -jar hub/target/hub.jar
