#!/usr/bin/env python3
"""traces.py - the engine's floor ratio and lock timing's cost on real traces.

For each trace and preset: single-thread replays (`--threads 1 --no-hwc`)
with lock timing off and on, alternated RUNS times; per run the worker's
ns per event (elapsed_ns / events of workers[0] in --json).  Prints the
medians, the atomics per event (every row's `atomics`: each lock
acquisition, release and counted RMW), the physical floor (atomics per
event x the cost of one uncontended atomic RMW, `bench_engine --costs`),
floor / time with timing off, and timing's cost (on / off - 1) beside
its own floor: lock timing reads the TSC once per acquisition and once
per release, so it costs at least 2 x acquisitions per event x one TSC
read (`bench_engine --costs`) over the time with timing off.

PAGEREPLAY may be a comma-separated list of binaries (before and after a
change): their runs alternate within each cell, one row per binary.

--hold-sample N[,N...] (first argument): time one lock hold in N (replay
--hold-sample) in the timed runs, one row per N (default 1: every hold,
as the replay's default).  Its runs alternate with the others'; "tsc
min" is then 2 x acquisitions / N TSC reads.

Usage: traces.py [--hold-sample N[,N...]] PAGEREPLAY[,PAGEREPLAY...]
                 BENCH_ENGINE RUNS PRESETS TRACE...
  e.g. bench/engine/traces.py build-rel/pagereplay \\
       build-rel/bench/engine/bench_engine 5 freebsd14,freebsd12 \\
       workloads/traces/*.prt
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile


def replay(pr, trace, preset, hold_sample, out):
    """hold_sample 0: timing off; else --hold-sample hold_sample."""
    cmd = [pr, "replay", trace, "--threads", "1", "--no-hwc",
           "--preset", preset, "--json", out]
    if hold_sample == 0:
        cmd.append("--no-timing")
    elif hold_sample > 1:
        cmd += ["--hold-sample", str(hold_sample)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    with open(out) as f:
        d = json.load(f)
    w = d["workers"][0]
    atomics = sum(r["atomics"] for r in d["rows"])
    acquisitions = sum(r["acquisitions"] for r in d["rows"])
    return (w["elapsed_ns"] / w["events"], atomics / w["events"],
            acquisitions / w["events"])


def main():
    args = sys.argv[1:]
    samples = [1]
    if args[:1] == ["--hold-sample"] and len(args) > 1:
        samples = [int(n) for n in args[1].split(",")]
        args = args[2:]
    if len(args) < 5 or min(samples) < 1:
        sys.exit(__doc__)
    pr, bench, runs, presets = args[:4]
    traces = args[4:]
    rmw, tsc = map(float, subprocess.run(
        [bench, "--costs"], check=True, capture_output=True,
        text=True).stdout.split())
    print("one uncontended atomic RMW: %.2f ns, one TSC read: %.2f ns; "
          "medians of %s runs" % (rmw, tsc, runs))
    binaries = pr.split(",")
    for i, b in enumerate(binaries):
        print("binary %d: %s" % (i, b))
    print("%-22s %-11s %3s %6s %9s %9s %7s %7s %6s %6s %7s %7s" % (
        "trace", "preset", "bin", "hold/N", "ns/ev off", "ns/ev on",
        "atom/ev", "floor", "ratio", "acq/ev", "timing", "tsc min"))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run.json")
        for trace in traces:
            name = os.path.basename(trace).rsplit(".", 1)[0]
            for preset in presets.split(","):
                off = [[] for _ in binaries]
                on = [[[] for _ in samples] for _ in binaries]
                counts = [None for _ in binaries]
                for _ in range(int(runs)):
                    for i, b in enumerate(binaries):
                        t, atomics, acq = replay(b, trace, preset, 0, out)
                        off[i].append(t)
                        counts[i] = (atomics, acq)
                        for j, n in enumerate(samples):
                            on[i][j].append(replay(b, trace, preset, n,
                                                   out)[0])
                for i in range(len(binaries)):
                    atomics, acq = counts[i]
                    moff = statistics.median(off[i])
                    floor = atomics * rmw
                    for j, n in enumerate(samples):
                        mon = statistics.median(on[i][j])
                        print("%-22s %-11s %3d %6d %9.0f %9.0f %7.2f %7.0f "
                              "%5.0f%% %6.2f %+6.0f%% %+6.0f%%"
                              % (name, preset, i, n, moff, mon, atomics,
                                 floor, 100 * floor / moff, acq,
                                 100 * (mon / moff - 1),
                                 100 * 2 * acq * tsc / n / moff),
                              flush=True)

if __name__ == "__main__":
    main()
