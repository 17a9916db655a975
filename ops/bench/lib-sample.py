#!/usr/bin/env python3
"""Samplers for ops/bench/capacity.sh, reading /proc and /metrics only (no agent in the measured processes).

  lib-sample.py procs OUT NAME=PID... [--pg-db DB] [--until-done] [-- CMD...]
      CPU ([utime, stime] of every thread, /proc/<pid>/stat fields 14-15) of each named process between start and
      SIGTERM, split by thread group (event loops, JIT, GC and VM, other), the largest VmRSS seen (one sample a
      second), and the CPU of the PostgreSQL backends serving database DB (pg_stat_activity.datname, via psql and
      the PG* environment): backends present at start count from their ticks then, those that appear later from
      zero (they started inside the window), those that end from their last sample; and the busy ticks of the whole
      box (/proc/stat). CMD (the load generator) is started once the first sample is taken (OUT.started) and is
      measured too; OUT.done holds its exit code once it has ended (--until-done: the measurement ends with it).
      Writes JSON to OUT.
  lib-sample.py counter OUT URL -- CMD...
      Sums the accepted submissions (hub_submissions_total, outcome accepted or degraded) at URL, then runs CMD and
      samples again every second while CMD runs. Writes JSON {"samples": [[seconds, count], ...], "rc": rc}.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")  # what `getconf CLK_TCK` prints
ACCEPTED = re.compile(r'^hub_submissions_total\{[^}]*outcome="(accepted|degraded)"[^}]*\}\s+([0-9.eE+]+)')


def cpu(stat_path):
    """[utime, stime] in ticks (fields 14 and 15) of one /proc stat file, or None when the task is gone."""
    try:
        with open(stat_path) as f:
            rest = f.read().rsplit(")", 1)[1].split()  # the name (field 2) may hold spaces and parentheses
    except (OSError, IndexError):
        return None
    return [int(rest[11]), int(rest[12])]


def minus(a, b):
    return [a[0] - b[0], a[1] - b[1]]


def plus(a, b):
    return [a[0] + b[0], a[1] + b[1]]


def thread_group(comm):
    if comm.startswith("vert.x-eventloo"):
        return "event_loops"
    if "CompilerThre" in comm:
        return "jit"
    if comm.startswith(("GC Thread", "G1 ", "VM Thread", "VM Periodic")):
        return "gc_vm"
    return "other"


def threads(pid):
    """{tid: (group, [utime, stime])} of one process."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        t = cpu(f"/proc/{pid}/task/{tid}/stat")
        if t is not None:
            out[tid] = (thread_group(comm), t)
    return out


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pg_backends(db):
    sql = f"SELECT pid FROM pg_stat_activity WHERE datname = '{db}' AND pid <> pg_backend_pid()"
    try:
        out = subprocess.run(["psql", "-d", "postgres", "-tAc", sql], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [p for p in out.split() if p.isdigit()]


def box_ticks():
    """Busy ticks of the whole machine (every process, ours or not): /proc/stat cpu minus idle and iowait."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return sum(v) - v[3] - v[4]


def procs(out_path, args):
    named, db, cmd, until_done = {}, None, None, False
    while args:
        a = args.pop(0)
        if a == "--pg-db":
            db = args.pop(0)
        elif a == "--until-done":
            until_done = True
        elif a == "--":
            cmd, args = args, []
        else:
            name, pid = a.split("=", 1)
            named[name] = pid
    start, box0 = time.time(), box_ticks()
    first = {name: threads(pid) for name, pid in named.items()}
    total0 = {name: cpu(f"/proc/{pid}/stat") or [0, 0] for name, pid in named.items()}
    rss = {name: rss_kb(pid) for name, pid in named.items()}
    pg_first = {p: t for p in (pg_backends(db) if db else []) if (t := cpu(f"/proc/{p}/stat")) is not None}
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    child, child_ticks = None, None
    if cmd:  # the load generator, measured from its start; OUT.done tells the caller when it has ended
        child = subprocess.Popen(cmd)
    last = {name: dict(t) for name, t in first.items()}
    total = dict(total0)
    pg_last = dict(pg_first)
    open(out_path + ".started", "w").close()

    def sample():
        for name, pid in named.items():
            last[name].update(threads(pid))
            total[name] = cpu(f"/proc/{pid}/stat") or total[name]  # the whole process, ended threads too
            rss[name] = max(rss[name], rss_kb(pid))
        if db:
            for p in pg_backends(db):
                pg_first.setdefault(p, [0, 0])
            for p in list(pg_first):
                t = cpu(f"/proc/{p}/stat")
                if t is not None:
                    pg_last[p] = t

    next_sample = time.monotonic() + 1
    while not stop:
        time.sleep(0.05)
        if child:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:  # its own rusage: every thread, from its start
                child.returncode = os.waitstatus_to_exitcode(status)
                child_ticks = [round(usage.ru_utime * TICK), round(usage.ru_stime * TICK)]
                with open(out_path + ".done", "w") as f:
                    f.write(str(child.returncode))
                child = None
                if until_done:
                    break
        if time.monotonic() >= next_sample:
            sample()
            next_sample += 1
    sample()
    if child:  # stopped early (the script is exiting): the load ends with the measurement
        child.terminate()
        child.wait()
    result = {"seconds": time.time() - start, "clk_tck": TICK, "box_ticks": box_ticks() - box0,
              "cores": os.cpu_count(), "procs": {}, "postgres": None}
    for name in named:
        groups = {}
        for tid, (group, t) in last[name].items():
            groups[group] = plus(groups.get(group, [0, 0]), minus(t, first[name].get(tid, (group, [0, 0]))[1]))
        whole, threads_sum = minus(total[name], total0[name]), [0, 0]
        for g in groups.values():
            threads_sum = plus(threads_sum, g)
        ended = [max(0, x) for x in minus(whole, threads_sum)]  # threads that ended inside the window
        groups["other"] = plus(groups.get("other", [0, 0]), ended)
        result["procs"][name] = {"cpu": plus(threads_sum, ended), "groups": groups, "rss_max_kb": rss[name]}
    if child_ticks is not None:
        result["procs"][cmd[0]] = {"cpu": child_ticks, "groups": {}, "rss_max_kb": 0}
    if db:
        pg = [0, 0]
        for p, t in pg_first.items():
            pg = plus(pg, minus(pg_last.get(p, t), t))
        result["postgres"] = {"cpu": pg, "backends": len(pg_first)}
    with open(out_path, "w") as f:
        json.dump(result, f)


def accepted(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            text = r.read().decode()
    except OSError:
        return None
    return sum(float(m.group(2)) for m in map(ACCEPTED.match, text.splitlines()) if m)


def counter(out_path, url, cmd):
    t0 = time.monotonic()
    samples = [[0.0, accepted(url)]]
    child = subprocess.Popen(cmd)

    def stop(*_):  # the script is exiting: the load ends with the measurement
        child.terminate()
        child.wait()
        sys.exit(143)
    signal.signal(signal.SIGTERM, stop)
    k = 1
    while True:
        time.sleep(max(0.0, t0 + k - time.monotonic()))
        if child.poll() is not None:  # a second cut short by the end of the load is not a rate
            break
        samples.append([round(time.monotonic() - t0, 3), accepted(url)])
        k += 1
    with open(out_path, "w") as f:
        json.dump({"samples": samples, "rc": child.wait()}, f)


if __name__ == "__main__":
    mode, out = sys.argv[1], sys.argv[2]
    if mode == "procs":
        procs(out, sys.argv[3:])
    elif mode == "counter":
        rest = sys.argv[3:]
        counter(out, rest[0], rest[rest.index("--") + 1:])
    else:
        sys.exit(__doc__)
