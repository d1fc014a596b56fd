#!/bin/sh
# replay_bench.sh BUILD_DIR [EVENTS] - replay rate per worker on the synth
# build and sendfile traces, per design, lock timing on and off (the cost
# of instrumentation), against the floor (bench_replay_floor: the replay
# core with no model, and with one atomic per page) and the decode rate.
# Prints a Markdown section for docs/benchmarks.md.
set -eu
B=${1:?usage: replay_bench.sh BUILD_DIR [EVENTS]}
EVENTS=${2:-1000000}
PR=$B/pagereplay
FLOOR=$B/bench/replay/bench_replay_floor
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
NCPU=$(nproc)
THREADS=1
[ "$NCPU" -ge 2 ] && THREADS=1,2

echo "## replay"
echo
echo "\`bench/replay/replay_bench.sh $B $EVENTS\`, $(date -u '+%Y-%m-%d %H:%M UTC'),"
echo "$(uname -r), $NCPU CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1))."
echo "Medians of 3 runs; events/s per worker = run's events/s / threads."
for kind in build sendfile; do
	"$PR" synth $kind --seed 1 --events "$EVENTS" -o "$T/$kind.prt" >/dev/null
	echo
	echo "### synth $kind, $EVENTS events"
	echo
	echo '```'
	"$FLOOR" "$T/$kind.prt" $(echo $THREADS | tr , ' ')
	echo '```'
	for timing in on off; do
		flag=
		[ $timing = off ] && flag=--no-timing
		"$PR" sweep "$T/$kind.prt" --threads $THREADS \
		    --page pagelock,refcount --queue locked,batch:63 \
		    --pv hashed,perpage --repeat 3 --no-hwc $flag \
		    --csv "$T/$kind-$timing.csv" >/dev/null
	done
	python3 - "$T/$kind-on.csv" "$T/$kind-off.csv" <<'PY'
import csv, statistics, sys
def load(p):
    runs = {}
    for r in csv.DictReader(open(p)):
        runs[r["run_id"]] = r
    agg = {}
    for r in runs.values():
        k = (r["page"], r["queue"], r["pv"], int(r["threads"]))
        agg.setdefault(k, []).append(float(r["events_per_s"]))
    return {k: statistics.median(v) for k, v in agg.items()}
on, off = load(sys.argv[1]), load(sys.argv[2])
print()
print("| page | queue | pv | threads | timing off: M ev/s/worker | timing on: M ev/s/worker | instrumentation cost |")
print("|---|---|---|---|---|---|---|")
for k in sorted(on):
    a, b = off[k] / k[3] / 1e6, on[k] / k[3] / 1e6
    print(f"| {k[0]} | {k[1]} | {k[2]} | {k[3]} | {a:.2f} | {b:.2f} | {100 * (1 - b / a):.0f}% |")
PY
done
