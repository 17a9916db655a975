#!/usr/bin/env python3
"""Structural checks of the hub's monitoring assets, run by ops/prometheus/check.sh (needs PyYAML).

Each check prints one "ok"/"FAIL" line; the last line is "checks: N passed, M failed" for check.sh to add up.
  validate.py OPS_DIR REPO_DIR DASHBOARD_EXPRS_OUT   writes the dashboard's PromQL, as recording rules, for promtool
  validate.py --against URL_OR_FILE OPS_DIR REPO_DIR lists referenced metrics a real scrape does not export (info)
"""
import json
import re
import sys
import urllib.request
from pathlib import Path

import yaml

# Labels an expression, legend or annotation may use, and (when not None) the metric prefixes they belong to.
# Anything else (id, path, uri, route, dossier, applicant, ...) could carry a dossier id, a path parameter or
# personal data and fails the check.
ALLOWED_LABELS = {
    "__name__": None, "job": None, "instance": None, "role": None, "service": None, "le": None,
    "outcome": ("hub_submissions", "hub:submissions", "hub_agency_events", "hub_code_seedings"),
    "status": ("hub_agency_events",), "feed": ("hub_feed_",),
    "province": ("hub_timeliness_",),
    "channel": ("hub_submissions",),
    "reason": ("hub_refusals", "hub_intake_dead_letters", "hub:refusals", "hub_connections_closed",
               "hub_unready_reason", "hub_submissions_direct"),
    "upstream": ("hub_intake_failures",),
    "limit": ("hub_ratelimit_decisions",), "decision": ("hub_ratelimit_decisions",),
    "name": ("resilience4j_",), "state": ("resilience4j_",), "kind": ("resilience4j_",),
    "code": ("vertx_http_server_", "hub:http_"), "code_class": ("vertx_http_server_",),
    "method": ("vertx_http_server_",),
    # client | warmup | probe (RequestOrigins)
    "origin": ("vertx_http_server_", "hub:http_"),
    "area": ("jvm_memory_",), "pool_type": ("vertx_pool_",),
    # an intake partition's index: bounded by stream.partitions (fixed for life, at most 4096)
    "partition": ("hub_stream_partition_", "hub:stream_partition_"),
    "severity": None, "alertname": ("ALERTS",), "alertstate": ("ALERTS",),
}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left",
            "group_right", "inf", "nan", "Inf", "NaN", "atan2"}
SUFFIXES = ("total", "seconds_bucket", "seconds_count", "seconds_sum", "seconds_max", "bucket", "count", "sum",
            "max")

results = []


def check(name, problems):
    results.append((name, list(problems)))


def strip_strings(expr):
    return re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)


def call_args(expr, start):
    """Text of a call's arguments, from just after its "(" to the matching ")", skipping string literals."""
    depth, i, quote = 1, start, None
    while i < len(expr) and depth:
        c = expr[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'`":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        i += 1
    return expr[start:i - 1]


def parse_promql(expr):
    """Returns (metric names, label names) an expression reads; good enough for the PromQL written here."""
    labels = set()
    for m in re.finditer(r'\blabel_(replace|join)\s*\(', expr):
        strings = re.findall(r'"((?:[^"\\]|\\.)*)"', call_args(expr, m.end()))
        if m.group(1) == "replace" and len(strings) >= 4:
            labels.update({strings[-4], strings[-2]})  # label_replace(v, dst, replacement, src, regex)
        elif m.group(1) == "join":  # conservative: every identifier-like string may be a label
            labels.update(x for x in strings if re.fullmatch(r'[A-Za-z_]\w*', x))
    e = strip_strings(expr)
    for body in re.findall(r'\{([^}]*)\}', e):
        labels.update(re.findall(r'([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)', body))
    e = re.sub(r'\{[^}]*\}', ' ', e)
    e = re.sub(r'\[[^\]]*\]', ' ', e)
    for m in re.finditer(r'\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)', e):
        labels.update(x.strip() for x in m.group(2).split(",") if x.strip())
    e = re.sub(r'\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)', ' ', e)
    metrics = set()
    for m in re.finditer(r'(?<![\w.$])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?', e):
        word, call = m.group(1), m.group(2)
        if call or word in KEYWORDS:
            continue
        metrics.add(word)
    return metrics, labels


def legend_labels(text):
    return set(re.findall(r'\{\{\s*\$?(?:labels\.)?([A-Za-z_][A-Za-z0-9_]*)\s*\}\}', text or ""))


def label_problems(where, labels, metrics):
    out = []
    for label in sorted(labels):
        if label not in ALLOWED_LABELS:
            out.append(f"{where}: label '{label}' is not on the bounded allowlist (could carry ids or personal data)")
            continue
        prefixes = ALLOWED_LABELS[label]
        if prefixes and metrics and not any(m.startswith(prefixes) for m in metrics):
            out.append(f"{where}: label '{label}' used with {sorted(metrics)}, allowed only on {prefixes}")
    return out


def grafana_to_promql(expr):
    expr = re.sub(r'\$(__rate_interval|__interval|__range)\b', '5m', expr)
    expr = re.sub(r'\$\{(__rate_interval|__interval|__range)\}', '5m', expr)
    return re.sub(r'\$[A-Za-z_][A-Za-z0-9_]*', '.*', expr)


def load_known(ops):
    known = set()
    for line in (ops / "prometheus" / "known-metrics.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            known.add(line)
    return known


def meter_bases(repo):
    src = (repo / "common/src/main/java/vn/onewindow/common/metrics/MeterNames.java").read_text()
    return {m.group(1): m.group(2).replace(".", "_")
            for m in re.finditer(r'static final String ([A-Z_]+)\s*=\s*"(hub\.[a-z0-9.]+)"', src)}


def maps_to(name, base):
    return name == base or (name.startswith(base + "_") and name[len(base) + 1:] in SUFFIXES)


def rules_and_alerts(ops):
    records, alerts = {}, []
    for f in sorted((ops / "prometheus" / "rules").glob("*.yml")):
        for group in yaml.safe_load(f.read_text())["groups"]:
            for rule in group["rules"]:
                if "record" in rule:
                    records[rule["record"]] = rule["expr"]
                else:
                    alerts.append(rule)
    return records, alerts


def dashboard_exprs(dash):
    """(where, expr, legend) for every PromQL the dashboard runs: panel targets, annotations, variables."""
    out = []
    for p in dash.get("panels", []):
        for t in p.get("targets", []):
            out.append((f"panel {p.get('id')} '{p.get('title')}' {t.get('refId')}", t.get("expr", ""),
                        t.get("legendFormat", "")))
    for a in dash.get("annotations", {}).get("list", []):
        if a.get("expr"):
            out.append((f"annotation '{a.get('name')}'", a["expr"],
                        (a.get("titleFormat") or "") + (a.get("textFormat") or "")))
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            q = v.get("query")
            q = q.get("query") if isinstance(q, dict) else q
            m = re.match(r'label_values\((.*),\s*([A-Za-z_]\w*)\)\s*$', q or "")
            if m:
                out.append((f"variable '{v['name']}'", m.group(1), "{{" + m.group(2) + "}}"))
    return out


def main(argv):
    against = None
    if argv and argv[0] == "--against":
        against, argv = argv[1], argv[2:]
    ops, repo = Path(argv[0]), Path(argv[1])
    exprs_out = Path(argv[2]) if len(argv) > 2 else None

    known = load_known(ops)
    records, alerts = rules_and_alerts(ops)
    dash_file = ops / "grafana" / "dashboards" / "onewindow-hub.json"

    if against:
        text = (urllib.request.urlopen(against, timeout=5).read().decode() if "://" in against
                else Path(against).read_text())
        scraped = {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and line[0] != "#"}
        dash = json.loads(dash_file.read_text())
        used = set()
        for _, expr, _ in dashboard_exprs(dash):
            used |= parse_promql(grafana_to_promql(expr))[0]
        for expr in list(records.values()) + [a["expr"] for a in alerts]:
            used |= parse_promql(expr)[0]
        missing = sorted(m for m in used - set(records) - {"up", "ALERTS"} if m not in scraped)
        print(f"metrics read by rules/dashboard and absent from {against}: {len(missing)}")
        for m in missing:
            print("  " + m)
        return 0

    # 1. dashboard JSON parses
    try:
        dash = json.loads(dash_file.read_text())
        check("dashboard JSON parses", [])
    except (OSError, ValueError) as e:
        check("dashboard JSON parses", [str(e)])
        dash = {}

    # 2. structure: stable uid, unique panel ids, rows in operator order, datasource variable
    probs = []
    if dash.get("uid") != "onewindow-hub":
        probs.append(f"uid is {dash.get('uid')!r}, expected the stable 'onewindow-hub'")
    ids = [p.get("id") for p in dash.get("panels", [])]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup or None in ids:
        probs.append(f"panel ids must be unique and present, duplicates: {dup}")
    rows = [p["title"] for p in dash.get("panels", []) if p.get("type") == "row"]
    expected_rows = ["Is the window open?", "Is the backlog draining?", "Are limits biting?", "Upstreams", "Runtime",
                     "Agency side", "Timeliness (on-time share per province)"]
    if rows != expected_rows:
        probs.append(f"rows are {rows}, expected {expected_rows}")
    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    if variables.get("DS_PROMETHEUS", {}).get("type") != "datasource":
        probs.append("templating variable DS_PROMETHEUS (type datasource) is missing")
    for p in dash.get("panels", []):
        if p.get("type") == "row":
            continue
        if p.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
            probs.append(f"panel {p.get('id')} does not use the ${{DS_PROMETHEUS}} datasource")
        if not p.get("targets") or not all(t.get("expr") for t in p["targets"]):
            probs.append(f"panel {p.get('id')} '{p.get('title')}' has no PromQL target")
        refs = [t.get("refId") for t in p.get("targets", [])]
        if len(refs) != len(set(refs)):
            probs.append(f"panel {p.get('id')} has duplicate refIds")
        g = p.get("gridPos", {})
        if not all(k in g for k in "hwxy") or g["x"] + g["w"] > 24:
            probs.append(f"panel {p.get('id')} has a bad gridPos {g}")
    check("dashboard structure (uid, unique panel ids, rows, datasource variable, gridPos)", probs)

    # 3. every metric the dashboard reads is known or recorded
    probs = []
    all_dash_metrics = set()
    for where, expr, _ in dashboard_exprs(dash):
        metrics = parse_promql(grafana_to_promql(expr))[0]
        all_dash_metrics |= metrics
        if not metrics:
            probs.append(f"{where}: names no metric: {expr}")
        for m in sorted(metrics - known - set(records)):
            probs.append(f"{where}: unknown metric '{m}' (not in known-metrics.txt nor a recording rule)")
    check("dashboard expressions read only known metrics or recording rules", probs)

    # 4. every metric the rules read is known or recorded
    probs = []
    for name, expr in list(records.items()) + [(a["alert"], a["expr"]) for a in alerts]:
        for m in sorted(parse_promql(expr)[0] - known - set(records)):
            probs.append(f"rule {name}: unknown metric '{m}'")
    check("rule expressions read only known metrics or recording rules", probs)

    # 5. no label that could carry a dossier id, a path parameter or personal data
    probs = []
    for where, expr, legend in dashboard_exprs(dash):
        metrics, labels = parse_promql(grafana_to_promql(expr))
        probs += label_problems(where, labels | legend_labels(legend), metrics)
    for name, expr in records.items():
        metrics, labels = parse_promql(expr)
        probs += label_problems(f"record {name}", labels, metrics | {name})
    for a in alerts:
        metrics, labels = parse_promql(a["expr"])
        text = " ".join(str(v) for v in a.get("annotations", {}).values())
        probs += label_problems(f"alert {a['alert']}", labels | legend_labels(text)
                                | set(re.findall(r'\$labels\.([A-Za-z_]\w*)', text)), metrics)
    check("labels are bounded (no id, path or personal data)", probs)

    # 6. alert metadata: severity, summary, description, runbook entry
    probs = []
    try:
        runbook = (ops / "prometheus" / "RUNBOOK.md").read_text()
    except OSError as e:
        runbook = ""
        probs.append(f"cannot read RUNBOOK.md: {e}")
    anchors = {"#" + h.strip().lower() for h in re.findall(r'^## (\S+)\s*$', runbook, re.M)}
    for a in alerts:
        name = a["alert"]
        if a.get("labels", {}).get("severity") not in ("critical", "warning"):
            probs.append(f"{name}: severity must be critical or warning")
        ann = a.get("annotations", {})
        for key in ("summary", "description", "runbook_url"):
            if not ann.get(key):
                probs.append(f"{name}: missing annotation {key}")
        url = ann.get("runbook_url", "")
        if "#" + name.lower() not in anchors or not url.endswith("#" + name.lower()):
            probs.append(f"{name}: runbook_url must point at a '## {name}' section of RUNBOOK.md")
        if "look first" not in ann.get("description", "").lower():
            probs.append(f"{name}: description should say what to look at first")
        titles = {p.get("title") for p in dash.get("panels", [])}
        for quoted in re.findall(r'"([^"]+)"', re.sub(r'\{\{.*?\}\}', '', ann.get("description", ""))):
            if quoted not in titles:
                probs.append(f'{name}: description names "{quoted}", which is no dashboard panel or row title')
    check("alerts carry severity, summary, description (naming real panels) and a runbook entry", probs)

    # 7. every alert has a firing and a quiet unit test; every recording rule is tested
    probs = []
    firing, quiet, tested_exprs = set(), set(), []
    for f in sorted((ops / "prometheus" / "tests").glob("*.yml")):
        for t in yaml.safe_load(f.read_text()).get("tests", []):
            for a in t.get("alert_rule_test", []) or []:
                (firing if a.get("exp_alerts") else quiet).add(a["alertname"])
            tested_exprs += [e["expr"] for e in t.get("promql_expr_test", []) or []]
    for name in sorted({a["alert"] for a in alerts}):
        if name not in firing:
            probs.append(f"{name}: no test where it fires")
        if name not in quiet:
            probs.append(f"{name}: no test where it stays quiet")
    for rec in records:
        if not any(re.search(r'(?<![\w:])' + re.escape(rec) + r'(?![\w:])', e) for e in tested_exprs):
            probs.append(f"recording rule {rec}: no promql_expr_test")
    check("every alert is tested firing and quiet, every recording rule is tested", probs)

    # 8. MeterNames <-> known metrics <-> dashboard
    probs = []
    try:
        bases = meter_bases(repo)
    except OSError as e:
        bases = {}
        probs.append(f"cannot read MeterNames.java: {e}")
    for const, base in sorted(bases.items()):
        if not any(maps_to(k, base) for k in known):
            probs.append(f"MeterNames.{const} ({base}) is missing from known-metrics.txt")
        elif not any(maps_to(m, base) for m in all_dash_metrics):
            probs.append(f"MeterNames.{const} ({base}) has no dashboard panel")
    for k in sorted(x for x in known if x.startswith("hub_")):
        if bases and not any(maps_to(k, b) for b in bases.values()):
            probs.append(f"known metric {k} matches no MeterNames constant (renamed or removed?)")
    check("every MeterNames meter is known and on the dashboard, every hub_* name is in MeterNames", probs)

    # 9. every MeterNames meter is in README's list of metrics ("## Observability"), as its Prometheus name or, after
    # a sibling's full name, as its `_tail` (`hub_stream_partition_length`, `_pending`): an ops tryout found three meters
    # (hub_intake_claimed_total, hub_intake_failures_total, the hub_timeliness_* gauges) that alerts or panels read
    # missing from it
    probs = []
    try:
        readme = (repo / "README.md").read_text()
        start = readme.index("\n## Observability")
        section = readme[start:readme.index("\n## ", start + 1)]
    except (OSError, ValueError) as e:
        section = ""
        probs.append(f"cannot read README.md's '## Observability' section: {e}")
    for const, base in sorted(bases.items()) if section else []:
        full = any(f"`{base}{suffix}" in section for suffix in ("`", "{", "_total`", "_total{", "_seconds`", "_seconds{"))
        parts = base.split("_")
        tail = any(f"`{'_'.join(parts[:i])}" in section and f"`_{'_'.join(parts[i:])}`" in section
                   for i in range(2, len(parts)))
        if not (full or tail):
            probs.append(f"MeterNames.{const} ({base}) is not in README.md's list of metrics (## Observability)")
    check("every MeterNames meter is listed in README.md's Observability section", probs)

    # 10. Grafana provisioning points at the dashboard's datasource and folder
    probs = []
    prov = ops / "grafana" / "provisioning"
    try:
        ds = yaml.safe_load((prov / "datasources" / "prometheus.yml").read_text())
        uids = [d.get("uid") for d in ds.get("datasources", []) if d.get("type") == "prometheus"]
        default = variables.get("DS_PROMETHEUS", {}).get("current", {}).get("value")
        if ds.get("apiVersion") != 1 or default not in uids:
            probs.append(f"datasource provisioning: apiVersion 1 and uid {default!r} expected, found {uids}")
        dp = yaml.safe_load((prov / "dashboards" / "hub.yml").read_text())
        providers = dp.get("providers", [])
        if dp.get("apiVersion") != 1 or not providers or providers[0].get("type") != "file" \
                or not providers[0].get("options", {}).get("path"):
            probs.append("dashboard provisioning: apiVersion 1 and a file provider with options.path expected")
    except (OSError, yaml.YAMLError, AttributeError) as e:
        probs.append(f"provisioning files: {e}")
    check("Grafana provisioning files (datasource uid, dashboard provider)", probs)

    # Dashboard PromQL as recording rules, for `promtool check rules` (syntax of every panel query).
    if exprs_out:
        rules = [{"record": f"dashboard:check:{i}", "expr": grafana_to_promql(expr)}
                 for i, (_, expr, _) in enumerate(dashboard_exprs(dash))]
        exprs_out.write_text(yaml.safe_dump({"groups": [{"name": "dashboard-promql", "rules": rules}]}))

    failed = 0
    for name, probs in results:
        print(("  ok    " if not probs else "  FAIL  ") + name)
        for p in probs:
            print("          " + p)
        failed += bool(probs)
    print(f"checks: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
