#!/bin/sh
# stream_memory.sh BUILD_DIR [EVENTS...] - memory and time of a replay
# against the trace's length: for each count (default 1M 10M 100M 1G
# events) `pagereplay synth build --seed 1` writes a trace, then
# `pagereplay replay` replays it on 2 threads (default design, lock timing
# off) under /usr/bin/time; prints a Markdown table for docs/benchmarks.md
# (max resident set, wall time, the scan's rate) and a chart of RSS.
#
# DURATION=D (e.g. 600s) stops each replay's measurement after D
# (--duration): the trace is still scanned whole, its model sized for all
# of it, and the frames stream as before; the table says how many events
# were replayed.
#
# A benchmark, not a test (tests/replay/stream_memory.sh is the test): the
# 1G-event row writes a 4.1 GB trace to TMPDIR; on the project's 2-vCPU
# VM its synth took 14 minutes, its scan 1.5, and a whole replay takes
# 20 minutes (quiet) to over an hour (load 15).  Run it with nice on a
# shared machine.
set -eu
B=${1:?usage: stream_memory.sh BUILD_DIR [EVENTS...]}
shift
[ $# -gt 0 ] || set -- 1000000 10000000 100000000 1000000000
PR=$B/pagereplay
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

echo "\`bench/replay/stream_memory.sh $B $*\`, $(date -u '+%Y-%m-%d %H:%M UTC'),"
echo "Linux $(uname -r), $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)),"
echo "$(sed -n 's/^MemTotal: *//p' /proc/meminfo) memory."
echo
echo "| events | B/event | synth s | scan M ev/s | replayed | replay s | max RSS MiB | load avg at start |"
echo "|---:|---:|---:|---:|---:|---:|---:|---|"
: >"$T/chart"
for n in "$@"; do
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	s0=$(date +%s.%N)
	"$PR" synth build --seed 1 --events "$n" -o "$T/t.prt" >/dev/null
	s1=$(date +%s.%N)
	size=$(stat -c %s "$T/t.prt")
	/usr/bin/time -f '%e %M' -o "$T/time" "$PR" replay "$T/t.prt" \
	    --threads 2 --no-hwc --no-timing ${DURATION:+--duration "$DURATION"} \
	    >"$T/out" 2>&1
	read -r wall rss <"$T/time"
	scan=$(sed -n 's/^scanned .*(\([0-9.]*\) M events\/s)$/\1/p' "$T/out")
	done=$(sed -n 's/^[^ ]*: \([0-9]*\) events on .*/\1/p' "$T/out" | head -1)
	rm -f "$T/t.prt"
	printf '| %s | %.2f | %.1f | %s | %s | %.1f | %.0f | %s |\n' "$n" \
	    "$(echo "$size / $n" | bc -l)" "$(echo "$s1 - $s0" | bc -l)" \
	    "$scan" "$done" "$wall" "$(echo "$rss / 1024" | bc -l)" "$load"
	echo "$n $rss" >>"$T/chart"
done
echo
echo "Max RSS (MiB) against events, one # per 32 MiB:"
echo
echo '```'
while read -r n rss; do
	mib=$((rss / 1024))
	printf '%12s %6s ' "$n" "$mib"
	i=0
	while [ $i -lt $((mib / 32)) ]; do printf '#'; i=$((i + 1)); done
	echo
done <"$T/chart"
echo '```'
