#!/usr/bin/env python3
"""classes.py - lock acquisitions and atomics per event, per lock class,
of two engines on the same traces (before and after a change).

For each trace and preset: one single-threaded replay per binary
(`replay TRACE --threads 1 --no-timing --preset P --json -`, counts only:
a one-thread replay is deterministic), then one line naming every lock
class (of either engine: a class one of them lacks counts as 0) whose
acquisitions or atomics differ, as acquisitions per event
old -> new "at" atomics per event old -> new, and the skipped events of
both.  A line with no class is a cell where the two engines agree.

usage: bench/engine/classes.py OLD_PAGEREPLAY NEW_PAGEREPLAY PRESETS TRACE...
  e.g. bench/engine/classes.py /tmp/old/b/pagereplay build-rel/pagereplay \\
       freebsd14,dragonfly56 workloads/traces/build-zstd.prt
"""

import json
import os
import subprocess
import sys


def classes(binary, trace, preset):
    """{lock class: (acquisitions, atomics)}, events, skipped."""
    out = subprocess.run([binary, "replay", trace, "--threads", "1",
                          "--no-timing", "--preset", preset, "--json", "-"],
                         capture_output=True, text=True, check=True)
    rows = json.loads(out.stdout)["rows"]
    per = {r["lock_class"]: (r["acquisitions"], r["atomics"])
           for r in rows if not r.get("lock_instance")}
    return per, rows[0]["events"], rows[0]["skipped"]


def main(argv):
    if len(argv) < 5:
        sys.exit(__doc__.strip())
    old, new, presets, traces = argv[1], argv[2], argv[3].split(","), argv[4:]
    for trace in traces:
        name = os.path.basename(trace).rsplit(".", 1)[0]
        for preset in presets:
            a, events, askip = classes(old, trace, preset)
            b, _, bskip = classes(new, trace, preset)
            moved = []
            for lc in list(a) + [lc for lc in b if lc not in a]:
                if a.get(lc, (0, 0)) != b.get(lc, (0, 0)):
                    (aq, at), (bq, bt) = a.get(lc, (0, 0)), b.get(lc, (0, 0))
                    moved.append(f"{lc} {aq / events:.3f} -> {bq / events:.3f}"
                                 f" at {at / events:.3f} -> {bt / events:.3f}")
            print(f"{name} {preset} skipped {askip} -> {bskip}: "
                  + ("; ".join(moved) if moved else "same"))


if __name__ == "__main__":
    main(sys.argv)
