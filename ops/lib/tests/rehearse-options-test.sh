#!/usr/bin/env bash
# ops/rehearse.sh must refuse a bad command line at once, naming the option, before any build or Maven run: an option
# without its value said "$2: unbound variable" (or took the next option as its value), and a mistyped profile went
# through Maven into Gatling and ended in a Java stack trace. Plain bash: `mvn` on the PATH is a stand-in that records
# being called, so a refusal that reaches Maven fails the test. Exit 0: passed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rehearse=$here/../../rehearse.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
printf '#!/bin/sh\ntouch %q/mvn-called\nexit 0\n' "$work" >"$work/bin/mvn"
chmod +x "$work/bin/mvn"

failures=0
# refused <expected message part> <args...>: exit 2, the message on stderr, Maven never started
refused() {
  local expected=$1 out rc
  shift
  rm -f "$work/mvn-called"
  set +e
  out=$(PATH="$work/bin:$PATH" timeout 20 "$rehearse" "$@" 2>&1 >/dev/null)
  rc=$?
  set -e
  if [ "$rc" -ne 2 ] || [[ "$out" != *"$expected"* ]] || [ -e "$work/mvn-called" ]; then
    echo "FAIL: rehearse.sh $* -> exit $rc, stderr '$out'$([ -e "$work/mvn-called" ] && echo ', Maven was run')" >&2
    failures=$((failures + 1))
  fi
}

refused "--profile needs a value" --profile
refused "--rate needs a value" --rate
refused "--rate needs a value" --rate --duration 30
refused "--pg-url needs a value" --base-url http://127.0.0.1:1 --pg-url
refused "unknown profile 'spkie'" --profile spkie
refused "unknown option --profil" --profil spike

if [ "$failures" -gt 0 ]; then
  echo "rehearse-options-test: $failures failure(s)" >&2
  exit 1
fi
echo "rehearse-options-test: passed"
