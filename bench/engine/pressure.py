#!/usr/bin/env python3
"""pressure.py - the page daemon's work on a trace under memory pressure.

For each binary (a comma-separated list, e.g. before and after a change),
RUNS single-worker replays of TRACE under PRESET with --phys-mem PHYS, the
binaries alternated; prints per binary the medians of the daemon's passes,
the pages its scans looked at and freed, the vm_wait sleeps, the page-queue
lock acquisitions and the worker's ns per event.  These depend on timing
(the daemon is a thread of its own), hence the medians.

Usage: pressure.py PAGEREPLAY[,PAGEREPLAY...] RUNS TRACE PRESET PHYS
  e.g. bench/engine/pressure.py build-rel/pagereplay 3 \\
       workloads/traces/build-self-pressure.prt dragonfly56 48M
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

FIELDS = ("pd_passes", "scan_inactive", "scan_active", "scan_freed",
          "vm_waits", "alloc_failures", "pd_ooms")


def replay(pr, trace, preset, phys, out):
    subprocess.run([pr, "replay", trace, "--threads", "1", "--preset",
                    preset, "--phys-mem", phys, "--no-timing", "--no-hwc",
                    "--json", out], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    with open(out) as f:
        d = json.load(f)
    r = {k: d["counters"][k] for k in FIELDS}
    r["pagequeue_acq"] = sum(x["acquisitions"] for x in d["rows"]
                             if x.get("lock_class") == "pagequeue")
    w = d["workers"][0]
    r["ns_per_event"] = round(w["elapsed_ns"] / w["events"])
    return r


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    binaries = sys.argv[1].split(",")
    runs, trace, preset, phys = int(sys.argv[2]), *sys.argv[3:6]
    res = {b: [] for b in binaries}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run.json")
        for i in range(runs):
            for b in binaries:
                res[b].append(replay(b, trace, preset, phys, out))
                print("run %d %s done" % (i + 1, b), file=sys.stderr)
    keys = list(res[binaries[0]][0])
    print("%-16s" % "median" + "".join("%16s" % b[-16:] for b in binaries))
    for k in keys:
        print("%-16s" % k + "".join(
            "%16d" % statistics.median(r[k] for r in res[b])
            for b in binaries))


if __name__ == "__main__":
    main()
