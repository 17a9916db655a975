#!/usr/bin/env bash
# Checks the hub's monitoring assets; run by `mvn verify` (ops/pom.xml) and by hand:
#   ops/prometheus/check.sh                                   config, rules, rule unit tests, dashboard
#   ops/prometheus/check.sh --against http://localhost:8080/metrics   instead: list the metrics a live hub lacks (info only)
# Needs promtool and python3 with PyYAML. When missing and running as root on Debian/Ubuntu, installs the OS
# packages `prometheus` (ships /usr/bin/promtool) and `python3-yaml`; otherwise fails saying what to install.
# Last line: "promtool: N passed, M failed" (one per check); exit status non-zero on any failure.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ops="$(dirname "$here")"
repo="$(dirname "$ops")"
against=""
if [[ "${1:-}" == "--against" ]]; then
  against="${2:?usage: check.sh [--against URL_OR_FILE]}"
fi

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "  ok    $*"; }
fail() { failed=$((failed + 1)); echo "  FAIL  $*"; }
die() { echo "check.sh: $*" >&2; echo "promtool: $passed passed, $((failed + 1)) failed"; exit 1; }

has_yaml() { "$1" -c 'import yaml' >/dev/null 2>&1; }

find_python() {
  local candidate
  for candidate in ${PYTHON:-} /usr/bin/python3 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && has_yaml "$candidate"; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

# Installs Debian packages non-interactively (root only); refreshes the package lists once if a package has no
# installation candidate yet (a fresh machine).
apt_install() {
  if [[ "$(id -u)" -ne 0 ]]; then
    die "missing: $* (needed for the monitoring checks). Install them: sudo apt-get install -y $*
  (Debian/Ubuntu; package 'prometheus' provides /usr/bin/promtool), or set PROMTOOL=/path/to/promtool and
  PYTHON=/path/to/python3-with-PyYAML."
  fi
  command -v apt-get >/dev/null 2>&1 || die "missing: $*; no apt-get here: install Prometheus 2.x promtool and PyYAML"
  export DEBIAN_FRONTEND=noninteractive
  local pkg log
  log="$(mktemp)"
  for pkg in "$@"; do
    if ! apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
      echo "check.sh: no candidate for $pkg yet, running apt-get update"
      apt-get update -qq >"$log" 2>&1 || { cat "$log"; die "apt-get update failed"; }
      break
    fi
  done
  echo "check.sh: installing $* from the OS packages"
  if ! apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "$@" >"$log" 2>&1; then
    tail -20 "$log"
    die "apt-get install $* failed"
  fi
  rm -f "$log"
}

missing=()
PROMTOOL="${PROMTOOL:-$(command -v promtool || true)}"
[[ -n "$PROMTOOL" ]] || missing+=(prometheus)
PY="$(find_python || true)"
[[ -n "$PY" ]] || missing+=(python3-yaml)
if ((${#missing[@]})); then
  apt_install "${missing[@]}"
  PROMTOOL="${PROMTOOL:-$(command -v promtool || true)}"
  [[ -n "$PROMTOOL" ]] || die "promtool still not found after installing prometheus"
  PY="$(find_python || true)"
  [[ -n "$PY" ]] || die "no python3 with PyYAML after installing python3-yaml"
fi

if [[ -n "$against" ]]; then
  exec "$PY" "$here/validate.py" --against "$against" "$ops" "$repo"
fi

started=$SECONDS
echo "Monitoring checks ($("$PROMTOOL" --version 2>&1 | head -1))"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. Prometheus configuration (also loads rules/*.yml through rule_files)
if out="$("$PROMTOOL" check config "$here/prometheus.yml" 2>&1)"; then
  pass "promtool check config prometheus.yml"
else
  fail "promtool check config prometheus.yml"; echo "$out"
fi

# 2. each rule file (syntax, PromQL, templates)
for f in "$here"/rules/*.yml; do
  if out="$("$PROMTOOL" check rules "$f" 2>&1)"; then
    pass "promtool check rules ${f#"$ops/"}: $(grep -o '[0-9]* rules found' <<<"$out")"
  else
    fail "promtool check rules ${f#"$ops/"}"; echo "$out"
  fi
done

# 3. rule unit tests, one check per test file
for f in "$here"/tests/*.yml; do
  if out="$(cd "$here/tests" && "$PROMTOOL" test rules "$(basename "$f")" 2>&1)"; then
    pass "promtool test rules ${f#"$ops/"}: $(grep -c '^  - name:' "$f") test groups"
  else
    fail "promtool test rules ${f#"$ops/"}"; echo "$out"
  fi
done

# 4. dashboard and cross-checks (validate.py prints its own ok/FAIL lines and a "checks: N passed, M failed")
out="$("$PY" "$here/validate.py" "$ops" "$repo" "$work/dashboard-promql.yml" 2>&1)"
status=$?
echo "$out" | grep -v '^checks: '
summary="$(grep '^checks: ' <<<"$out" | tail -1)"
if [[ "$summary" =~ ^checks:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  passed=$((passed + BASH_REMATCH[1]))
  failed=$((failed + BASH_REMATCH[2]))
  ((status == 0 || BASH_REMATCH[2] > 0)) || fail "validate.py exited $status"
else
  fail "validate.py did not finish (exit $status)"
fi

# 5. every dashboard query is valid PromQL (written as recording rules by validate.py)
if [[ -s "$work/dashboard-promql.yml" ]] && out="$("$PROMTOOL" check rules "$work/dashboard-promql.yml" 2>&1)"; then
  pass "dashboard PromQL parses: $(grep -o '[0-9]* rules found' <<<"$out" | sed 's/rules found/queries/')"
else
  fail "dashboard PromQL parses"; echo "${out:-no queries written}"
fi

echo "($((SECONDS - started)) s)"
echo "promtool: $passed passed, $failed failed"
((failed == 0))
