#!/usr/bin/env bash
# Runs every ops/lib/tests/*-test.sh (the operators' scripts' own checks: plain bash, no JVM, no server of the
# project's) and fails when any fails; `mvn verify` runs it (ops/pom.xml).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
failed=0
for test in "$here"/*-test.sh; do
  bash "$test" || { echo "FAILED: ${test##*/}" >&2; failed=1; }
done
exit "$failed"
