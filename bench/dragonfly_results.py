#!/usr/bin/env python3
"""dragonfly_results.py - FreeBSD 14 vs DragonFly 5.6 on every bundled trace,
and PQ_L2_SIZE 1024 vs 2048 under memory pressure (issue 13; docs/results.md,
"FreeBSD 14 and DragonFly 5.6").

usage: bench/dragonfly_results.py PAGEREPLAY [OUT_DIR [REPEAT [TRACES_DIR]]]
           [--only traces|pressure]

traces:   every trace of TRACES_DIR (default workloads/traces) with
          --threads 2 --check under --preset freebsd14, --preset dragonfly56
          and dragonfly56 with --queue colored:2048 (PQ_L2_SIZE before
          e3c330f0).
pressure: the build traces with --phys-mem 0.5x (half the trace's resident
          footprint, so that the page daemon runs and allocations walk the
          free sub-queues far afield) under dragonfly56 with --queue
          colored:1024 and colored:2048.

Every run is made afresh (nothing is reused from an earlier invocation);
the configurations of one trace alternate within each of the REPEAT rounds
(default 3), so that a change of machine load falls on all of them.  Writes
OUT_DIR/tables.md (default /tmp/pagereplay-dragonfly): the machine, date and
tree, then per trace and lock class the median acquisitions, contended
acquisitions and wait time, the median throughput and the medians of the
colour walk's and the page daemon's counters.  Every run's JSON stays in
OUT_DIR.  About 7 minutes on the project's 2-vCPU VM.  Exits 1 if a run
fails or reports an invariant violation.
"""

import argparse
import datetime
import glob
import json
import os
import platform
import statistics
import subprocess
import sys

CONFIGS = [
    ("freebsd14", ["--preset", "freebsd14"]),
    ("dragonfly56", ["--preset", "dragonfly56"]),
    ("dragonfly56-2048", ["--preset", "dragonfly56", "--queue",
                          "colored:2048"]),
]
PRESSURE = [
    ("colored:1024-0.5x", ["--preset", "dragonfly56", "--queue",
                           "colored:1024", "--phys-mem", "0.5x"]),
    ("colored:2048-0.5x", ["--preset", "dragonfly56", "--queue",
                           "colored:2048", "--phys-mem", "0.5x"]),
]
PRESSURE_TRACES = "build-*.prt"
CLASSES = ["object", "page", "pagequeue", "freequeue", "reserv", "pv",
           "pmap", "pvchunk"]
COUNTERS = ["free_find_steps", "free_far_afield", "free_lastq_hits",
            "scan_pages", "scan_freed", "pd_passes", "vm_waits",
            "alloc_failures"]


def run(pr, trace, cfg, args, out, rep):
    js = os.path.join(out, "%s-%s-%d.json" % (
        os.path.basename(trace)[:-4], cfg.replace(":", ""), rep))
    if os.path.exists(js):
        os.unlink(js)
    subprocess.run([pr, "replay", trace, "--threads", "2", "--no-hwc",
                    "--check", "--json", js] + args, check=True,
                   stdout=subprocess.DEVNULL)
    d = json.load(open(js))
    if any(r["check_violations"] != 0 for r in d["rows"]):
        sys.exit("%s: invariant violations under %s" % (trace, cfg))
    return d


def med(xs):
    return statistics.median(xs) if xs else 0


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def machine():
    cpu = "?"
    try:
        for ln in open("/proc/cpuinfo"):
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return "%s, %d CPUs, Linux %s, load %s" % (
        cpu, os.cpu_count() or 0, platform.release(),
        " ".join("%.1f" % x for x in os.getloadavg()))


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("pagereplay")
    ap.add_argument("out", nargs="?", default="/tmp/pagereplay-dragonfly")
    ap.add_argument("repeat", nargs="?", type=int, default=3)
    ap.add_argument("traces", nargs="?", default="workloads/traces")
    ap.add_argument("--only", choices=["traces", "pressure"])
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    start = datetime.datetime.now(datetime.timezone.utc)
    lines = ["# FreeBSD 14 vs DragonFly 5.6 (bench/dragonfly_results.py)",
             "", "started %s; machine: %s; tree %s%s" % (
                 start.strftime("%Y-%m-%d %H:%M UTC"), machine(),
                 sh(["git", "rev-parse", "--short", "HEAD"]),
                 "" if sh(["git", "status", "--porcelain",
                           "--untracked-files=no"]) == "" else " (modified)"),
             "", "threads 2, --check, median of %d runs" % a.repeat, ""]
    jobs = []
    if a.only != "pressure":
        jobs += [(t, CONFIGS, "") for t in
                 sorted(glob.glob(os.path.join(a.traces, "*.prt")))]
    if a.only != "traces":
        jobs += [(t, PRESSURE, ", --phys-mem 0.5x") for t in
                 sorted(glob.glob(os.path.join(a.traces, PRESSURE_TRACES)))]
    for trace, configs, what in jobs:
        table(a.pagereplay, trace, configs, what, a.out, a.repeat, lines)
    end = datetime.datetime.now(datetime.timezone.utc)
    lines += ["finished %s (%.1f min)" % (end.strftime("%H:%M UTC"),
                                          (end - start).seconds / 60), ""]
    with open(os.path.join(a.out, "tables.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def table(pr, trace, configs, what, out, rep, lines):
    """One trace's table under configs, appended to lines."""
    res = {cfg: [] for cfg, _ in configs}
    for r in range(rep):
        for cfg, args in configs:
            res[cfg].append(run(pr, trace, cfg, args, out, r))
    name = os.path.basename(trace)[:-4]
    lines += ["## %s%s" % (name, what), "",
              "| class | " + " | ".join(
                  "%s acq / contended / wait ms" % c for c, _ in configs) +
              " |", "|---|" + "---|" * len(configs)]
    for lc in CLASSES:
        cells = []
        for cfg, _ in configs:
            rows = [[r for r in d["rows"] if r["lock_class"] == lc]
                    for d in res[cfg]]
            rows = [r[0] for r in rows if r]
            if not rows:
                cells.append("-")
                continue
            cells.append("%d / %d / %.1f" % (
                med([r["acquisitions"] for r in rows]),
                med([r["contended"] for r in rows]),
                med([r["wait_total_ns"] for r in rows]) / 1e6))
        lines.append("| %s | %s |" % (lc, " | ".join(cells)))
    lines.append("| events/s | %s |" % " | ".join(
        "%d (%d-%d)" % (med(x), min(x), max(x)) for x in (
            [d["rows"][0]["events_per_s"] for d in res[c]]
            for c, _ in configs)))
    for k in COUNTERS:
        lines.append("| %s | %s |" % (k, " | ".join(
            "%d" % med([d["counters"].get(k, 0) for d in res[c]])
            for c, _ in configs)))
    lines.append("")


if __name__ == "__main__":
    main()
