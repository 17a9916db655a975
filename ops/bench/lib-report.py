#!/usr/bin/env python3
"""Report of ops/bench/capacity.sh: lib-report.py WORK DURATION HALF_DURATION CONNECTIONS

Reads WORK/ceilings.txt (xadd=, nginx=) and, for each measured jar, WORK/<label>/ (label `before` = the baseline
jar, `after` = the current one): result.txt (key=value from the script), cpu.json (lib-sample.py procs),
cold.json (lib-sample.py counter), cold-cpu.json (lib-sample.py procs over the cold start's first 10 s),
gc-gateway.log and gc-intake.log (-Xlog:gc), gateway.jfr (PROFILE=1); and the floors: WORK/nginx.json and
floor-{http,parse,enqueue}.json (lib-sample.py procs) with wrk's output in nginx.txt and floor-*.txt; the interleaved
rounds (capacity.sh ROUNDS) as rN_* keys in result.txt and rN-cpu.json.
Prints the capacity block of each jar (the `after` one in the historical format), CPU per dossier by process, the
cold start, memory and GC, the profile, and with two jars a before/after table. Exit 1 when a dossier was lost or
nothing was accepted.
"""
import collections
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

PAUSE = re.compile(r"\bPause\b.*?([0-9.]+)ms\s*$")
WALL_MS = re.compile(r"\[(\d{12,})ms\]")   # -Xlog:gc's timemillis decoration: the pause's wall clock
FRAME = re.compile(r"^\s+(\S.*?)(?:\s+line:\s*\d+)?(?:\s+bci:\s*\d+)?\s*$")
GC_LONG_MS = 50


def load(work, label):
    d = os.path.join(work, label)
    if not os.path.isdir(d):
        return None
    with open(os.path.join(d, "result.txt")) as f:
        run = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    run["dir_path"], run["label"] = d, label
    for name in ("cpu", "cold", "cold-cpu"):
        path = os.path.join(d, name + ".json")
        run[name] = json.load(open(path)) if os.path.exists(path) else None
    run["gc"] = {role: gc_pauses(os.path.join(d, f"gc-{role}.log")) for role in ("gateway", "intake")}
    return run


def gc_pauses(path):
    """(wall clock in ms or None, pause in ms) of every pause. The file's .0 is the primer's (the JVM archives an
    existing log of that name when it starts), not this process's."""
    if not os.path.exists(path):
        return None
    pauses = []
    with open(path) as f:
        for line in f:
            m = PAUSE.search(line)
            if m:
                w = WALL_MS.search(line)
                pauses.append((int(w.group(1)) if w else None, float(m.group(1))))
    return pauses


def num(run, key, default=0.0):
    try:
        return float(run.get(key, default))
    except ValueError:
        return default


def figures(run, duration, half_duration):
    """Every figure of one jar, as numbers (None when not measured)."""
    f = {}
    accepted, rows = int(num(run, "accepted")), int(num(run, "rows"))
    span, start, end = num(run, "persist_span"), num(run, "start"), num(run, "run_end")
    f.update(accepted=accepted, refused=int(num(run, "refused")), rows=rows, rows_at_end=int(num(run, "rows_at_end")),
             span=span, acc_rate=accepted / duration, lost=max(0, accepted - rows),
             persist_rate=rows / span if span > 0 else 0.0,
             persist_during=num(run, "rows_at_end") / (end - start) if end > start else 0.0,
             half_rate=num(run, "half_accepted") / half_duration, refused2=int(num(run, "half_refused")),
             p50=num(run, "half_p50", float("nan")), p99=num(run, "half_p99", float("nan")),
             # the jar that set the same-load pacing (the first) ran it as its half rate
             same_rate=num(run, "same_accepted", num(run, "half_accepted")) / half_duration,
             same_p50=num(run, "same_p50", num(run, "half_p50", float("nan"))),
             same_p99=num(run, "same_p99", num(run, "half_p99", float("nan"))),
             ready_s=num(run, "ready_s", float("nan")), warmup_s=num(run, "warmup_s", float("nan")),
             intake_ready_s=num(run, "intake_ready_s", float("nan")))
    cpu = run["cpu"]
    if cpu:
        f.update(cpu_figures(cpu, accepted, int(num(run, "rows_committed", rows))))
    f["rounds"] = rounds(run, duration)
    cold = run["cold"]
    if cold:
        pts = [(t, c) for t, c in cold["samples"] if c is not None]
        f["cold_rates"] = [(c1 - c0) / (t1 - t0) for (t0, c0), (t1, c1) in zip(pts, pts[1:]) if t1 > t0]
        # the count at 10 s after ready, interpolated between the samples around it (a slow scrape shifts them)
        after = next((i for i, (t, _) in enumerate(pts) if t >= 10), None)
        if after:
            (t0, c0), (t1, c1) = pts[after - 1], pts[after]
            f["cold_first10"] = (c0 + (c1 - c0) * (10 - t0) / (t1 - t0) - pts[0][1]) / 10
        else:
            f["cold_first10"] = float("nan")
        warm = f["acc_rate"] or float("nan")
        f["cold_ratio"] = f["cold_first10"] / warm
        # where the new gateway's CPU went meanwhile: the JIT compiler threads' share above all
        cold_cpu = run.get("cold-cpu")
        if cold_cpu:
            tick, secs = cold_cpu["clk_tck"], cold_cpu["seconds"]
            for name in ("gateway", "intake"):
                p = cold_cpu["procs"].get(name)
                if p:
                    f[f"cold_cores_{name}"] = sum(p["cpu"]) / tick / secs
                    f[f"cold_jit_{name}"] = sum(p["groups"].get("jit", [0, 0])) / tick / secs
        f["cold_reach"] = {share: next((i + 1 for i, r in enumerate(f["cold_rates"]) if r >= share * warm), None)
                           for share in (0.7, 0.9)}
    load_from_ms = num(run, "load_from", 0.0) * 1000
    for role, timed in run["gc"].items():
        if timed is not None:
            pauses = [p for _, p in timed]
            # the load: from the measured gateway's readiness on (a log without wall clocks counts every pause)
            loaded = [p for t, p in timed if t is None or t >= load_from_ms]
            f[f"gc_{role}"] = {"count": len(pauses), "max": max(pauses, default=0.0),
                               "long": sum(1 for p in pauses if p > GC_LONG_MS), "total": sum(pauses),
                               "load_max": max(loaded, default=0.0),
                               "load_long": sum(1 for p in loaded if p > GC_LONG_MS)}
    return f


def cpu_figures(cpu, accepted, committed):
    """CPU per dossier of each process over one saturation (lib-sample.py procs): per accepted dossier for the gateway,
    Redis and wrk, per committed row for the intake and PostgreSQL; and the box's load meanwhile."""
    tick, secs = cpu["clk_tck"], cpu["seconds"]
    f = {"window_s": secs, "cores": cpu["cores"], "box_cores": cpu["box_ticks"] / tick / secs, "cpu": {}}
    per = {"gateway": accepted, "redis": accepted, "intake": committed, "postgres": committed, "wrk": accepted}
    procs = dict(cpu["procs"])
    if cpu.get("postgres"):
        procs["postgres"] = cpu["postgres"]
    for name, p in procs.items():
        u, s = p["cpu"]
        n = per.get(name, accepted) or 1
        f["cpu"][name] = {"us": (u + s) / tick * 1e6 / n, "user_us": u / tick * 1e6 / n,
                          "sys_us": s / tick * 1e6 / n, "cores": (u + s) / tick / secs,
                          "rss_mb": p.get("rss_max_kb", 0) / 1024, "backends": p.get("backends"),
                          "groups": {g: sum(v) / tick * 1e6 / n for g, v in p.get("groups", {}).items()},
                          "java_user_us": sum(p.get("groups", {}).get(g, [0, 0])[0]
                                              for g in ("event_loops", "other")) / tick * 1e6 / n}
    f["ours_cores"] = sum(c["cores"] for c in f["cpu"].values())
    f["others_cores"] = max(0.0, f["box_cores"] - f["ours_cores"])
    return f


def rounds(run, duration):
    """The interleaved saturations of capacity.sh's ROUNDS (keys rN_*, files rN-cpu.json), each as
    {"n", "start", "acc_rate", "lost", "cpu": ...}, in the order they ran."""
    found, n = [], 1
    while f"r{n}_accepted" in run:
        path = os.path.join(run["dir_path"], f"r{n}-cpu.json")
        if os.path.exists(path):
            accepted = int(num(run, f"r{n}_accepted"))
            f = cpu_figures(json.load(open(path)), accepted, int(num(run, f"r{n}_rows_committed")))
            f.update(n=n, start=num(run, f"r{n}_start"), acc_rate=accepted / duration,
                     lost=max(0, accepted - int(num(run, f"r{n}_rows"))),
                     accepted=accepted, refused=int(num(run, f"r{n}_refused")))
            found.append(f)
        n += 1
    return found


# a round in which a jar refused more than this share of its requests is left out of the medians
REFUSED_SHARE = 0.01


def print_rounds(b, a):
    """Every saturation of both jars in the order they ran (round 0: measure()'s own), the after/before ratio of each
    round, and their median: the figure that a drift of the box over the run moves least."""
    if not (a["rounds"] and b["rounds"] and "cpu" in a and "cpu" in b):
        return
    both = [(0, b, a)] + list(zip(range(1, 99), b["rounds"], a["rounds"]))
    measures = [("gateway", "gateway"), ("redis-server", "redis"), ("PostgreSQL", "postgres"), ("intake", "intake")]
    print()
    print(f"INTERLEAVED SATURATIONS (both hubs kept running; round 0 is the one above, before first; then each jar"
          f" saturated in turn, after first in odd rounds; µs per dossier before / after = ratio)")
    print(f"  {'round':6s} {'first':7s} " + " ".join(f"{name:>21s}" for name, _ in measures)
          + f" {'accepted/s':>17s} {'others':>11s}")
    ratios = {key: [] for _, key in measures}
    ratios["rate"] = []
    skipped = []
    for n, fb, fa in both:
        cells = []
        # a jar that refused part of its load (its own shedding: ff65167, whose receipts filled Redis's maxmemory,
        # refused a fifth of round 1's requests and nearly all of round 2's in run CO) spent its CPU on refusals too:
        # its CPU per accepted dossier is no measure of a dossier's cost (1,829 µs, a ratio of 0.022, in CO), so the
        # round is shown and left out of the median
        refusing = [side for side, f in (("before", fb), ("after", fa))
                    if f.get("refused", 0) > REFUSED_SHARE * (f.get("accepted", 0) + f.get("refused", 0))]
        for _, key in measures:
            vb, va = fb["cpu"][key]["us"], fa["cpu"][key]["us"]
            ratios[key].append(va / vb if vb and not refusing else float("nan"))
            cells.append(f"{vb:5.0f} / {va:5.0f} = {va / vb if vb else float('nan'):5.3f}")
        ratios["rate"].append(fa["acc_rate"] / fb["acc_rate"] if fb["acc_rate"] and not refusing else float("nan"))
        if refusing:
            skipped.append(f"round {n} ({' and '.join(refusing)} refused part of its load)")
        first = "after" if n % 2 == 1 else "before"
        print(f"  {n:<6d} {first:7s} " + " ".join(f"{c:>21s}" for c in cells)
              + f" {fb['acc_rate']:7.0f} / {fa['acc_rate']:7.0f} {fb['others_cores']:4.2f}/{fa['others_cores']:4.2f}")
    # a round without a figure (no dossier, a process that was not sampled) leaves a NaN out, not in the median
    counted = len(both) - len(skipped)
    ratios = {k: [r for r in v if r == r] or [float("nan")] for k, v in ratios.items()}
    med = {k: statistics.median(v) for k, v in ratios.items()}
    spread = {k: (min(v), max(v)) for k, v in ratios.items()}
    if skipped:
        print("  left out of the median: " + "; ".join(skipped))
    print(f"  median after/before over {counted} rounds: " + ", ".join(
        f"{name} {med[key]:.3f} ({spread[key][0]:.3f}-{spread[key][1]:.3f})" for name, key in measures)
        + f", accepted/s {med['rate']:.3f}")
    lost = sum(r["lost"] for r in b["rounds"] + a["rounds"])
    print(f"  lost in the rounds: {lost}")


def ratio(a, b, fmt="8.3f"):
    return format(a / b, fmt) if b else "     n/a"


def print_capacity(f, ceilings, conns, duration, note=""):
    xadd, nginx = ceilings.get("xadd", 0.0), ceilings.get("nginx", 0.0)
    print()
    print(f"CAPACITY ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()},"
          f" {os.cpu_count()} cores, load generator on the same box){note}")
    print(f"  hub max sustained accepted rate : {f['acc_rate']:8.0f} dossiers/s  (wrk closed loop, {conns} connections,"
          f" {duration:.0f} s; refused {f['refused']})")
    print(f"  hub p99 at half of it           : {f['p99']:8.1f} ms  (p50 {f['p50']:.1f} ms at {f['half_rate']:.0f}/s"
          f" accepted, refused {f['refused2']})")
    print(f"  persisted rate                  : {f['persist_rate']:8.0f} rows/s  ({f['rows']} rows from first receipt"
          f" to last commit in {f['span']:.1f} s; {f['persist_during']:.0f}/s by the end of the load; lost {f['lost']})")
    print(f"  nginx return 202 (1 worker)     : {nginx:8.0f} req/s")
    print(f"  Redis XADD (unpipelined)        : {xadd:8.0f} /s")
    print("ratios")
    print(f"  hub / nginx                     : {ratio(f['acc_rate'], nginx)}")
    print(f"  hub / XADD                      : {ratio(f['acc_rate'], xadd)}")
    print(f"  persisted / accepted            : {ratio(f['persist_rate'], f['acc_rate'])}")


def print_details(run, f):
    if "cpu" in f:
        print(f"CPU per dossier (/proc utime+stime over the saturation and the drain, {f['window_s']:.1f} s, after"
              f" {run.get('warmup_s', '?')} s of warm-up whose last step had JIT at {run.get('warm_jit_share', '?')} of"
              f" a JVM's CPU; whole box busy {f['box_cores']:.2f} of {f['cores']} cores, these processes"
              f" {f['ours_cores']:.2f})")
        print("  process                 µs/dossier   user  system   cores  per")
        labels = {"gateway": "gateway JVM", "intake": "intake JVM", "redis": "redis-server",
                  "postgres": "PostgreSQL backends", "wrk": "wrk (load generator)"}
        for name in ("gateway", "intake", "redis", "postgres", "wrk"):
            c = f["cpu"].get(name)
            if not c:
                continue
            what = "persisted" if name in ("intake", "postgres") else "accepted"
            if c["backends"] is not None:
                what += f" ({c['backends']} backends of the run's database)"
            print(f"  {labels[name]:22s} {c['us']:10.0f} {c['user_us']:6.0f} {c['sys_us']:7.0f} {c['cores']:7.2f}  {what}")
            if c["groups"] and name in ("gateway", "intake"):
                parts = ", ".join(f"{g.replace('_', ' ')} {v:.0f}" for g, v in sorted(c["groups"].items(),
                                                                                  key=lambda kv: -kv[1]))
                print(f"  {'':22s} threads: {parts}")
    if "cold_rates" in f:
        rates = f["cold_rates"]
        reach = ", ".join(f"{int(s * 100)}% in second {r}" if r else f"{int(s * 100)}% not within {len(rates)} s"
                          for s, r in f["cold_reach"].items())
        cds = {"1": ", class archive of the primer's exit mapped (AppCDS)",
               "0": ", no class archive"}.get(run.get("cds"), "")
        print(f"Cold start (a fresh gateway{cds}): ready {f['ready_s']:.1f} s after its start; accepted/s in each second"
              f" after ready:")
        for i in range(0, len(rates), 10):
            print(f"  {i + 1:2d}-{min(i + 10, len(rates)):2d} s: " + " ".join(f"{r:5.0f}" for r in rates[i:i + 10]))
        print(f"  first 10 s: {f['cold_first10']:.0f}/s = {f['cold_ratio']:.2f} of the warm rate ({f['acc_rate']:.0f}/s);"
              f" warm share reached: {reach}; refused: {run.get('cold_refused') or 'none'}")
        if "cold_cores_gateway" in f:
            intake = (f"; intake {f['cold_cores_intake']:.2f}, of which JIT {f['cold_jit_intake']:.2f}"
                      if "cold_cores_intake" in f else "")
            print(f"  CPU in the first 10 s, cores: gateway {f['cold_cores_gateway']:.2f}, of which JIT compiler threads"
                  f" {f['cold_jit_gateway']:.2f}{intake}")
    mem = []
    for role in ("gateway", "intake"):
        g, c = f.get(f"gc_{role}"), f.get("cpu", {}).get(role)
        rss = f"RSS max {c['rss_mb']:.0f} MB at the max rate" if c else "RSS n/a"
        gc = (f"GC pauses {g['count']} (total {g['total']:.0f} ms), longest {g['max']:.1f} ms, over {GC_LONG_MS} ms:"
              f" {g['long']}; under load (from the measured gateway's readiness): longest {g['load_max']:.1f} ms,"
              f" over {GC_LONG_MS} ms: {g['load_long']}") if g else "no GC log"
        mem.append(f"  {role:8s}: {rss}; {gc}")
    print(f"Memory and GC (JVM options: {run.get('java_opts', '')}; pauses over the whole life of the process, and under load)")
    print("\n".join(mem))
    print_redis(run, f)
    for role, per in (("gateway", "accepted"), ("intake", "persisted")):
        jfr = os.path.join(run["dir_path"], f"{role}.jfr")
        if os.path.exists(jfr):
            print_profile(jfr, f.get("cpu", {}).get(role, {}).get("java_user_us", 0.0), role, per)


def print_redis(run, f):
    """Redis's command time over the saturation (INFO commandstats) per accepted dossier, by command; the rest of
    redis-server's CPU is its event loop, reading and writing sockets, and the AOF. With PROFILE=1, perf's top
    symbols of redis-server."""
    path = os.path.join(run["dir_path"], "redis-commandstats.txt")
    accepted, cpu = f.get("accepted", 0), f.get("cpu", {}).get("redis")
    if not os.path.exists(path) or not accepted:
        return
    stats = []
    for line in open(path):
        m = re.match(r"cmdstat_([a-z|_-]+):calls=(\d+),usec=(\d+)", line)
        if m:
            stats.append((m.group(1), int(m.group(2)), int(m.group(3))))
    stats.sort(key=lambda t: -t[2])
    # a script's time includes the commands it calls (counted again under their own names), so the sum is the calls
    # made by clients: scripts and the commands sent directly (what no script of ours calls: the stream reads, acks)
    scripted = {"get", "set", "incr", "xadd", "expire", "hincrby", "hmget", "hset", "pexpire", "del", "time",
                "zadd", "zremrangebyscore", "zcard", "zcount"}
    direct = sum(t[2] for t in stats if t[0] not in scripted) / accepted
    total = f" of {cpu['us']:.0f} µs of redis-server CPU per dossier" if cpu else ""
    print(f"Redis command time per accepted dossier (INFO commandstats over the saturation): {direct:.1f} µs{total};"
          " the rest is the event loop, sockets and the AOF. A script's time (evalsha) includes the commands it"
          " calls, listed again below")
    print("  command                       calls/dossier  µs/dossier  µs/call")
    for name, calls, usec in stats[:10]:
        print(f"  {name:28s} {calls / accepted:14.3f} {usec / accepted:11.1f} {usec / max(1, calls):8.1f}")
    info = {}
    stats_path = os.path.join(run["dir_path"], "redis-stats.txt")
    if os.path.exists(stats_path):
        info = dict(line.strip().split(":", 1) for line in open(stats_path) if ":" in line)
    if info.get("total_reads_processed"):
        # total_commands_processed counts the commands scripts call too: the clients' own are in commandstats
        reads = int(info["total_reads_processed"])
        sent = sum(t[1] for t in stats if t[0] not in scripted)
        print(f"  socket reads {reads / accepted:.2f} per dossier, {sent / max(1, reads):.2f} commands sent by clients"
              f" per read (INFO stats and commandstats over the saturation)")
    ticks = num(run, "redis_children_ticks", -1)
    if ticks >= 0:
        hz = os.sysconf("SC_CLK_TCK")
        print(f"  AOF rewrites (redis-server's forked children, reaped in the window): {ticks / hz * 1e6 / accepted:.1f}"
              " µs per dossier, not in the redis-server figure above")
    perf = os.path.join(run["dir_path"], "redis-perf.txt")
    if os.path.exists(perf) and os.path.getsize(perf):
        print("  redis-server's top symbols (perf, self share of its samples over the saturation):")
        for line in open(perf).read().splitlines()[:15]:
            print("    " + " ".join(line.split()))
    perf = os.path.join(run["dir_path"], "postgres-perf.txt")
    if os.path.exists(perf) and os.path.getsize(perf):
        print("PostgreSQL backends' top symbols (perf, self share of their samples over the saturation):")
        for line in open(perf).read().splitlines()[:30]:
            print("    " + " ".join(line.split()))


def print_profile(path, java_user_us, role, per):
    try:
        text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "128", path],
                              capture_output=True, text=True, timeout=300).stdout
    except (OSError, subprocess.TimeoutExpired) as e:
        print(f"Profile: could not read {path}: {e}")
        return
    stacks, frames, inside, thread = [], [], False, ""
    for line in text.splitlines():
        if line.strip().startswith("sampledThread = "):
            thread = line.split("=", 1)[1].strip()
        elif line.strip() == "stackTrace = [":
            frames, inside = [], True
        elif inside and line.strip() == "]":
            if not thread.startswith(('"Attach Listener"', '"JFR')):  # the profiler's own work
                stacks.append(frames)
            inside = False
        elif inside and line.strip() != "...":
            m = FRAME.match(line)
            if m:
                frames.append(m.group(1).split("(", 1)[0])
    if not stacks:
        print("Profile: no execution samples")
        return
    n = len(stacks)
    self_counts = collections.Counter(s[0] for s in stacks if s)
    ours = collections.Counter(m for s in stacks for m in {fr for fr in s if fr.startswith("vn.onewindow.")})
    innermost = collections.Counter(next((fr for fr in s if fr.startswith("vn.onewindow.")),
                                         "(no method of ours on the stack: Netty, Vert.x, clients, JDK)")
                                    for s in stacks)
    print(f"Where the {role}'s CPU goes (JFR, settings=profile, {n} Java execution samples over the saturation;"
          f" µs = share x {java_user_us:.0f} µs user CPU of its Java threads per {per} dossier; time in the kernel"
          f" and in GC/JIT threads is not sampled)")
    print("  top 15 frames by self samples:")
    for frame, c in self_counts.most_common(15):
        print(f"    {100 * c / n:5.1f}%  {c / n * java_user_us:6.1f} µs  {frame}")
    print("  top 15 of our methods (vn.onewindow.*) by inclusive samples:")
    for frame, c in ours.most_common(15):
        print(f"    {100 * c / n:5.1f}%  {c / n * java_user_us:6.1f} µs  {frame}")
    print("  top 15 by the innermost of our methods on the stack (its own code and the library code it calls):")
    for frame, c in innermost.most_common(15):
        print(f"    {100 * c / n:5.1f}%  {c / n * java_user_us:6.1f} µs  {frame}")


def print_comparison(b, a, runs, ceilings):
    nginx = ceilings.get("nginx", 0.0)
    rows = [("accepted/s, warm (max sustained)", "acc_rate", "{:.0f}"),
            ("hub / nginx", lambda f: f["acc_rate"] / nginx if nginx else float("nan"), "{:.3f}"),
            ("p99 at half the max rate, ms", "p99", "{:.1f}"),
            ("p50 at the first jar's half-rate load, ms", "same_p50", "{:.1f}"),
            ("p99 at the first jar's half-rate load, ms", "same_p99", "{:.1f}"),
            ("  accepted/s at that load", "same_rate", "{:.0f}"),
            ("gateway CPU µs / accepted dossier", lambda f: f["cpu"]["gateway"]["us"], "{:.0f}"),
            ("  of which event loops", lambda f: f["cpu"]["gateway"]["groups"]["event_loops"], "{:.0f}"),
            ("  of which JIT compiler threads", lambda f: f["cpu"]["gateway"]["groups"]["jit"], "{:.0f}"),
            ("intake CPU µs / persisted dossier", lambda f: f["cpu"]["intake"]["us"], "{:.0f}"),
            ("redis-server CPU µs / dossier", lambda f: f["cpu"]["redis"]["us"], "{:.0f}"),
            ("PostgreSQL CPU µs / persisted dossier", lambda f: f["cpu"]["postgres"]["us"], "{:.0f}"),
            ("time from start to ready, s", "ready_s", "{:.1f}"),
            ("warm-up until JIT settled, s (unmeasured)", lambda f: f["warmup_s"], "{:.0f}"),
            ("accepted/s in the first 10 s after ready", "cold_first10", "{:.0f}"),
            ("first 10 s / warm rate", "cold_ratio", "{:.2f}"),
            ("gateway JIT threads in the first 10 s, cores", "cold_jit_gateway", "{:.2f}"),
            ("intake JIT threads in those 10 s, cores", "cold_jit_intake", "{:.2f}"),
            ("intake: time from start to ready, s", "intake_ready_s", "{:.1f}"),
            ("gateway RSS max, MB", lambda f: f["cpu"]["gateway"]["rss_mb"], "{:.0f}"),
            ("intake RSS max, MB", lambda f: f["cpu"]["intake"]["rss_mb"], "{:.0f}"),
            ("longest GC pause, ms (gateway)", lambda f: f["gc_gateway"]["max"], "{:.1f}"),
            ("longest GC pause, ms (intake)", lambda f: f["gc_intake"]["max"], "{:.1f}"),
            (f"GC pauses > {GC_LONG_MS} ms, both, whole life", lambda f: f["gc_gateway"]["long"] + f["gc_intake"]["long"], "{:.0f}"),
            (f"  of which the intake's", lambda f: f["gc_intake"]["long"], "{:.0f}"),
            (f"GC pauses > {GC_LONG_MS} ms, both, under load", lambda f: f["gc_gateway"]["load_long"] + f["gc_intake"]["load_long"], "{:.0f}"),
            ("persisted / accepted", lambda f: f["persist_rate"] / f["acc_rate"] if f["acc_rate"] else float("nan"), "{:.3f}"),
            ("lost", "lost", "{:.0f}"),
            ("other processes on the box, cores (noise)", "others_cores", "{:.2f}")]

    def value(f, get):
        try:
            return float(f[get] if isinstance(get, str) else get(f))
        except (KeyError, TypeError, ZeroDivisionError):
            return float("nan")
    print()
    # the jar measured second ran "same" at the first one's pacing (capacity.sh: AFTER_FIRST)
    first = "after" if "same_p99" in runs[0] else "before"
    print(f"BEFORE / AFTER (one run, same servers re-created, same durations; before = {runs[0]['jar']}"
          f" in {runs[0]['dir']}, after = {runs[1]['jar']}; measured first: {first})")
    print(f"  {'measure':42s} {'before':>9s} {'after':>9s} {'after/before':>13s}")
    for name, get, fmt in rows:
        vb, va = value(b, get), value(a, get)
        r = f"{va / vb:13.3f}" if vb and vb == vb and va == va else f"{'n/a':>13s}"
        print(f"  {name:42s} {fmt.format(vb):>9s} {fmt.format(va):>9s} {r}")


WRK_REQUESTS = re.compile(r"^\s*(\d+) requests in")
WRK_ERRORS = re.compile(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*")
FLOORS = (("nginx", "nginx return 202 (1 worker): read, 202", "nginx"),
          ("floor-http", "Vert.x: read the body, 202", "floor"),
          ("floor-parse", "  + Jackson tree of the body", "floor"),
          ("floor-enqueue", "  + XADD of the body (pipelined)", "floor"))


def floor(work, name, proc):
    """(requests/s, µs of the process's CPU per request, µs of redis-server's, errors) of one floor, or None."""
    json_path, txt_path = os.path.join(work, name + ".json"), os.path.join(work, name + ".txt")
    if not (os.path.exists(json_path) and os.path.exists(txt_path)):
        return None
    sample, text = json.load(open(json_path)), open(txt_path).read()
    requests = next((int(m.group(1)) for m in map(WRK_REQUESTS.match, text.splitlines()) if m), 0)
    rate = next((float(line.split()[1]) for line in text.splitlines() if line.startswith("Requests/sec")), 0.0)
    errors = "; ".join(m.group(0) for m in WRK_ERRORS.finditer(text))
    if not requests:
        return None
    per = lambda p: sum(sample["procs"][p]["cpu"]) / sample["clk_tck"] * 1e6 / requests if p in sample["procs"] else None
    return rate, per(proc), per("redis") if proc == "floor" else None, errors


def print_floors(work, figs):
    found = [(label, f) for name, label, proc in FLOORS if (f := floor(work, name, proc))]
    if not found:
        return
    print()
    print("STACK FLOORS (same box, wrk client and bodies as the hub; warm; CPU per request from /proc; the Vert.x ones"
          " are ops/bench/StackFloor.java on the hub jar)")
    for label, (rate, us, redis_us, errors) in found:
        redis = f", redis-server {redis_us:5.1f} µs per XADD" if redis_us and label.strip().startswith("+ XADD") else ""
        print(f"  {label:38s}: {rate:8.0f} req/s, {us:5.1f} µs per request{redis}{'  [' + errors + ']' if errors else ''}")
    enqueue = floor(work, "floor-enqueue", "floor")
    if not (enqueue and enqueue[1] and enqueue[2]):
        return
    for f in figs:
        if "cpu" in f:
            gw, rd = f["cpu"]["gateway"]["us"], f["cpu"]["redis"]["us"]
            print(f"  [{f['label']}] gateway {gw:.0f} µs per dossier = {gw / enqueue[1]:.2f} x the enqueue floor's JVM;"
                  f" redis-server {rd:.0f} µs = {rd / enqueue[2]:.2f} x one XADD of the body")


def main():
    work, duration, half_duration, conns = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    ceilings = {}
    if os.path.exists(os.path.join(work, "ceilings.txt")):
        with open(os.path.join(work, "ceilings.txt")) as f:
            ceilings = {k: float(v or 0) for k, v in (line.strip().split("=", 1) for line in f if "=" in line)}
    runs = [r for r in (load(work, "before"), load(work, "after")) if r]
    figs = [figures(r, duration, half_duration) for r in runs]
    for run, f in zip(runs, figs):
        note = f"  [before: {run['jar']}, config of {run['dir']}]" if run["label"] == "before" else ""
        print_capacity(f, ceilings, conns, duration, note)
        print_details(run, f)
    if len(runs) == 2:
        print_comparison(figs[0], figs[1], runs, ceilings)
        print_rounds(figs[0], figs[1])
    for run, f in zip(runs, figs):
        f["label"] = run["label"]
    print_floors(work, figs)
    sys.exit(0 if all(f["rows"] >= f["accepted"] > 0 and not any(r["lost"] for r in f["rounds"]) for f in figs)
             else 1)


if __name__ == "__main__":
    main()
