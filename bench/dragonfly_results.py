#!/usr/bin/env python3
"""dragonfly_results.py - FreeBSD 14 vs DragonFly 5.6 on every bundled trace
(issue 13): per-trace lock tables (docs/results.md, "FreeBSD 14 and
DragonFly 5.6").

usage: bench/dragonfly_results.py PAGEREPLAY [OUT_DIR [REPEAT [TRACES_DIR]]]

For each trace of TRACES_DIR (default workloads/traces) replays it with
--threads 2 --check under --preset freebsd14, --preset dragonfly56 and
dragonfly56 with --queue colored:2048 (PQ_L2_SIZE before e3c330f0), REPEAT
times each (default 3), and writes OUT_DIR/tables.md: per trace and lock
class the median acquisitions, contended acquisitions and wait time, the
median throughput, and the colour walk's counters.  Every run's JSON stays
in OUT_DIR.  Medians over the repeats; counts are per run.  Exits 1 if a
run fails or reports an invariant violation.
"""

import glob
import json
import os
import statistics
import subprocess
import sys

CONFIGS = [
    ("freebsd14", ["--preset", "freebsd14"]),
    ("dragonfly56", ["--preset", "dragonfly56"]),
    ("dragonfly56-2048", ["--preset", "dragonfly56", "--queue",
                          "colored:2048"]),
]
# PQ_L2_SIZE under memory pressure: the build traces with 64 MiB of model
# memory, so that allocations walk the free sub-queues far afield.
PRESSURE = [(c + "-64M", a + ["--phys-mem", "64M"]) for c, a in CONFIGS]
PRESSURE_TRACES = "build-*.prt"
CLASSES = ["object", "page", "pagequeue", "freequeue", "pv", "pmap",
           "pvchunk"]


def run(pr, trace, cfg, args, out, rep):
    js = os.path.join(out, "%s-%s-%d.json" % (
        os.path.basename(trace)[:-4], cfg, rep))
    if not os.path.exists(js):
        subprocess.run([pr, "replay", trace, "--threads", "2", "--no-hwc",
                        "--check", "--json", js] + args, check=True,
                       stdout=subprocess.DEVNULL)
    d = json.load(open(js))
    if any(r["check_violations"] != 0 for r in d["rows"]):
        sys.exit("%s: invariant violations under %s" % (trace, cfg))
    return d


def med(xs):
    return statistics.median(xs) if xs else 0


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    pr = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/pagereplay-dragonfly"
    rep = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    tdir = sys.argv[4] if len(sys.argv) > 4 else "workloads/traces"
    os.makedirs(out, exist_ok=True)
    lines = ["# FreeBSD 14 vs DragonFly 5.6 (bench/dragonfly_results.py)",
             "", "threads 2, --check, median of %d runs" % rep, ""]
    jobs = [(t, CONFIGS, "") for t in
            sorted(glob.glob(os.path.join(tdir, "*.prt")))]
    jobs += [(t, PRESSURE, ", --phys-mem 64M") for t in
             sorted(glob.glob(os.path.join(tdir, PRESSURE_TRACES)))]
    for trace, configs, what in jobs:
        table(pr, trace, configs, what, out, rep, lines)
    with open(os.path.join(out, "tables.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def table(pr, trace, configs, what, out, rep, lines):
    """One trace's table under configs, appended to lines."""
    res = {cfg: [run(pr, trace, cfg, args, out, r) for r in range(rep)]
           for cfg, args in configs}
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
        "%d" % med([d["rows"][0]["events_per_s"] for d in res[c]])
        for c, _ in configs))
    for k in ("free_find_steps", "free_far_afield", "free_lastq_hits",
              "scan_pages", "reclaims"):
        lines.append("| %s | %s |" % (k, " | ".join(
            "%d" % med([d["counters"].get(k, 0) for d in res[c]])
            for c, _ in configs)))
    lines.append("")


if __name__ == "__main__":
    main()
