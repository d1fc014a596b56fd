#!/bin/sh
# replay_bench.sh BUILD_DIR [EVENTS] [PAIRS] - replay rate per worker on
# the synth build and sendfile traces, per design, with lock timing on and
# off, against the floor (bench_replay_floor: decode rate, the replay core
# with no model and with one atomic per page).  On and off runs alternate
# (PAIRS pairs, default 5) so that a shared machine's drift hits both; the
# instrumentation cost is the median of the pairs' ratios.  Prints a
# Markdown section for docs/benchmarks.md.
set -eu
B=${1:?usage: replay_bench.sh BUILD_DIR [EVENTS] [PAIRS]}
EVENTS=${2:-300000}
PAIRS=${3:-5}
PR=$B/pagereplay
FLOOR=$B/bench/replay/bench_replay_floor
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
NCPU=$(nproc)
THREADS="1"
[ "$NCPU" -ge 2 ] && THREADS="1 2"
DESIGNS="pagelock:locked:hashed refcount:locked:hashed
pagelock:batch:63:hashed refcount:batch:63:perpage"

echo "## replay"
echo
echo "\`bench/replay/replay_bench.sh $B $EVENTS $PAIRS\`, $(date -u '+%Y-%m-%d %H:%M UTC'),"
echo "Linux $(uname -r), $NCPU CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)),"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the start."
for kind in build sendfile; do
	"$PR" synth $kind --seed 1 --events "$EVENTS" -o "$T/$kind.prt" >/dev/null
	echo
	echo "### synth $kind, $EVENTS events"
	echo
	echo '```'
	"$FLOOR" "$T/$kind.prt" $THREADS | sed "s|$T/||"
	echo '```'
	: >"$T/$kind.tsv"
	for d in $DESIGNS; do
		page=${d%%:*}
		pv=${d##*:}
		queue=${d#*:}
		queue=${queue%:*}
		for n in $THREADS; do
			i=0
			while [ $i -lt "$PAIRS" ]; do
				for timing in on off; do
					flag=
					[ $timing = off ] && flag=--no-timing
					"$PR" replay "$T/$kind.prt" --threads "$n" \
					    --page "$page" --queue "$queue" \
					    --pv "$pv" --no-hwc $flag \
					    --csv "$T/run.csv" >/dev/null
					python3 - "$T/run.csv" "$d" "$n" "$i" \
					    "$timing" >>"$T/$kind.tsv" <<'PY'
import csv, sys
r = next(csv.DictReader(open(sys.argv[1])))
print("\t".join(sys.argv[2:6] + [r["events_per_s"]]))
PY
				done
				i=$((i + 1))
			done
		done
	done
	python3 - "$T/$kind.tsv" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    d, n, i, timing, eps = line.split("\t")
    runs.setdefault((d, int(n)), {}).setdefault(int(i), {})[timing] = float(eps)
print()
print("| design (page:queue:pv) | threads | timing off: M ev/s per worker | timing on: M ev/s per worker | instrumentation cost (median of pairs) |")
print("|---|---|---|---|---|")
for (d, n), pairs in sorted(runs.items()):
    off = statistics.median(p["off"] for p in pairs.values()) / n / 1e6
    on = statistics.median(p["on"] for p in pairs.values()) / n / 1e6
    cost = statistics.median(1 - p["on"] / p["off"] for p in pairs.values())
    print(f"| {d} | {n} | {off:.2f} | {on:.2f} | {100 * cost:.0f}% |")
PY
done
