#!/bin/sh
# bundled_goals.sh - issue 17's figures of every bundled trace in one run:
# size (bytes per event of the file as stored), single-thread decode rate
# (bench_trace, events per second of thread CPU time, median of 9 runs
# that keep their memory), and the engine's floor ratio and lock timing's
# cost per preset, timing every hold and one in 4 (--hold-sample 4)
# (bench/engine/traces.py).  perf record -z is not rerun
# here (it needs root and a kernel build): docs/benchmarks.md "perf record
# -z beside the recorder on one build" measured it.
#
# Usage: bench/bundled_goals.sh [BUILD_DIR [RUNS [PRESETS]]]
#   BUILD_DIR  a release build (default build-rel)
#   RUNS       replays per cell for traces.py (default 3)
#   PRESETS    comma-separated (default freebsd14,freebsd12,dragonfly56)
set -eu
cd "$(dirname "$0")/.."
B=${1:-build-rel}
RUNS=${2:-3}
PRESETS=${3:-freebsd14,freebsd12,dragonfly56}
for f in "$B/pagereplay" "$B/bench/trace/bench_trace" \
    "$B/bench/engine/bench_engine"; do
	[ -x "$f" ] || { echo "bundled_goals.sh: no $f (ninja -C $B)" >&2;
	    exit 1; }
done
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD)" \
    "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "## size and decode (bench_trace --repeat 9 --keep-memory)"
"$B/bench/trace/bench_trace" --repeat 9 --keep-memory workloads/traces/*.prt
echo "## floor ratio and lock timing, every hold and one in 4 timed" \
    "(bench/engine/traces.py, $RUNS runs)"
python3 bench/engine/traces.py --hold-sample 1,4 "$B/pagereplay" \
    "$B/bench/engine/bench_engine" "$RUNS" "$PRESETS" workloads/traces/*.prt
echo "# end $(date -u +%H:%M:%SZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
