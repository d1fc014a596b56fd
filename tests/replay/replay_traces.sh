#!/bin/sh
# replay_traces.sh PAGEREPLAY TRACES_DIR - every bundled trace
# (workloads/traces/*.prt) replays under every preset (`replay --preset
# help` lists them) with fewer than 1 % of its events skipped, every skip
# named by a cause (the causes add up to the skips); priming makes the
# pages that the eBPF traces touch before inserting them resident, and
# --no-prime primes nothing; the memory-pressure trace's scans reach the
# page daemon (scan_pages > 0).  2 threads, no timing, no counters: about
# 25 runs of under a second each.
set -u
. "$(dirname "$0")/../lib.sh"
PR=$1
DIR=$2

command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
set -- "$DIR"/*.prt
[ -f "$1" ] || { echo "SKIP: no bundled traces in $DIR"; exit 77; }
presets=$("$PR" replay --preset help | awk '{ print $1 }')
[ -n "$presets" ] || fail "replay --preset help lists no preset"

for t in "$@"; do
	name=$(basename "$t" .prt)
	for p in $presets; do
		"$PR" replay "$t" --threads 2 --no-timing --no-hwc \
		    --preset "$p" --json "$T/$name.$p.json" \
		    >"$T/$name.$p.out" 2>&1 ||
		    { tail -3 "$T/$name.$p.out" >&2; fail "replay $name --preset $p"; }
	done
done
"$PR" replay "$DIR/build-zstd.prt" --threads 2 --no-timing --no-hwc \
    --no-prime --json "$T/noprime.json" >"$T/noprime.out" 2>&1 ||
    fail "replay --no-prime"
grep -q '^priming off (--no-prime)' "$T/noprime.out" ||
    fail "--no-prime: the report does not say priming is off"

python3 - "$T" "$presets" "$@" <<'PY' || exit 1
import json, os, sys
tmp, presets, traces = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
errs = []
for t in traces:
    name = os.path.basename(t)[:-len(".prt")]
    for p in presets:
        d = json.load(open(f"{tmp}/{name}.{p}.json"))
        ev = sum(w["events"] for w in d["workers"])
        sk = sum(w["skipped"] for w in d["workers"])
        causes = sum(d["skip_causes"].values())
        kinds = sum(k["skipped"] for k in d["kinds"].values())
        tag = f"{name} --preset {p}"
        if ev == 0:
            errs.append(f"{tag}: no events replayed")
            continue
        if 100.0 * sk / ev >= 1.0:
            top = sorted(d["skip_causes"].items(), key=lambda c: -c[1])[:3]
            errs.append(f"{tag}: {sk} of {ev} events skipped "
                        f"({100.0 * sk / ev:.2f} %, >= 1 %): {top}")
        if causes != sk or kinds != sk:
            errs.append(f"{tag}: {sk} skipped, {causes} by cause, "
                        f"{kinds} by kind")
        if not d["prime"]["enabled"]:
            errs.append(f"{tag}: priming is off by default")
        if name.startswith("build-") and d["prime"]["pages"] == 0:
            errs.append(f"{tag}: nothing primed on a build trace")
        if name == "build-self-pressure" and d["counters"]["scan_pages"] == 0:
            errs.append(f"{tag}: the page daemon scanned nothing")
        print(f"{tag}: {sk}/{ev} skipped ({100.0 * sk / ev:.2f} %), "
              f"primed {d['prime']['pages']} pages")
n = json.load(open(f"{tmp}/noprime.json"))["prime"]
if n["enabled"] or n["pages"] != 0 or n["objects"] != 0:
    errs.append(f"--no-prime primed {n}")
for e in errs:
    print("FAIL: " + e, file=sys.stderr)
sys.exit(1 if errs else 0)
PY
