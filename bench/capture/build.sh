#!/bin/sh
# build.sh - capture overhead on a parallel build: the same `make -jJOBS`
# without recording, under `pagereplay record`, and under `perf record`
# of the same tracepoints (perf's sys_enter filtered to the system calls
# the recorder looks at; perf has no sys_exit filter, so it is left out),
# uncompressed and with `-z` (zstd at perf's default level).
# Prints per run: mode, wall seconds, events (perf: its samples), lost,
# trace bytes, bytes per event, and for the perf modes the same bytes
# per event of the round's `record` run (B/rec_ev) and their ratio to the
# recorder's file (x_rec), events per second.
#
# Usage (root): build.sh PAGEREPLAY TRACE_STATS SRCDIR RUNS JOBS TARGET...
#   e.g. build.sh build/pagereplay build/tests/capture/trace_stats \
#	/var/tmp/linux-6.1 3 2 lib/ mm/ fs/
# SRCDIR must be configured (the Linux example: `make tinyconfig`); each
# run starts from `make clean` with the source in the page cache.
# Environment: MODES, the modes of each round in order (default
# "none record perf perfz"; B/rec_ev and x_rec need `record` before the
# perf modes); KEEP, a directory to keep each run's trace in (MODE.RUN.prt
# or .perf) instead of deleting it.
set -eu
# Absolute, since the runs work in SRCDIR.
PR=$(realpath "$1")
STATS=$(realpath "$2")
SRC=$3
RUNS=$4
JOBS=$5
shift 5
TARGETS=$*
MODES=${MODES:-none record perf perfz}
[ -z "${KEEP:-}" ] || KEEP=$(realpath "$KEEP")
OUT=/var/tmp/pr-build.$$
trap 'rm -f "$OUT".*' EXIT INT TERM

filter=""
for n in 0 1 17 18 11 40 221; do
	filter="${filter:+$filter || }id == $n"
done
set -- -e filemap:mm_filemap_add_to_page_cache \
    -e filemap:mm_filemap_delete_from_page_cache \
    -e filemap:mm_filemap_get_pages -e filemap:mm_filemap_map_pages \
    -e pagemap:mm_lru_insertion -e pagemap:mm_lru_activate \
    -e vmscan:mm_vmscan_lru_isolate \
    -e exceptions:page_fault_user -e exceptions:page_fault_kernel \
    -e sched:sched_process_fork -e sched:sched_process_exec \
    -e sched:sched_process_exit -e ext4:ext4_evict_inode \
    -e raw_syscalls:sys_enter --filter "$filter"

cd "$SRC"
make -s -j"$JOBS" $TARGETS > /dev/null 2>&1	# warm the page cache
printf '%-7s %-3s %8s %10s %8s %11s %6s %8s %6s %9s\n' mode run wall_s \
    events lost bytes B/ev B/rec_ev x_rec events/s
for run in $(seq "$RUNS"); do
	rec_ev=0; rec_bytes=0
	for mode in $MODES; do
		make -s clean > /dev/null 2>&1
		t0=$(date +%s%N)
		case $mode in
		none)
			make -s -j"$JOBS" $TARGETS > /dev/null 2>&1 ;;
		record)
			"$PR" record -o "$OUT.prt" -- make -s -j"$JOBS" \
			    $TARGETS > /dev/null 2> "$OUT.err" ;;
		perf)
			perf record -q -o "$OUT.perf" "$@" -- make -s \
			    -j"$JOBS" $TARGETS > /dev/null 2> "$OUT.err" ;;
		perfz)
			perf record -q -z -o "$OUT.perf" "$@" -- make -s \
			    -j"$JOBS" $TARGETS > /dev/null 2> "$OUT.err" ;;
		*)
			echo "build.sh: unknown mode $mode" >&2
			exit 1 ;;
		esac
		t1=$(date +%s%N)
		wall=$(( (t1 - t0) / 1000000 ))
		case $mode in
		none)
			ev=0; lost=0; bytes=0 ;;
		record)
			ev=$("$STATS" "$OUT.prt" | awk '$1 == "events" { print $2 }')
			lost=$("$STATS" "$OUT.prt" | awk '$1 == "lost" { print $2 }')
			bytes=$(stat -c %s "$OUT.prt")
			rec_ev=$ev; rec_bytes=$bytes
			[ -z "${KEEP:-}" ] || cp "$OUT.prt" "$KEEP/$mode.$run.prt" ;;
		perf*)
			# perf report decompresses -z files: SAMPLE counts
			# the samples either way.
			ev=$(perf report -i "$OUT.perf" --stats 2> /dev/null |
			    awk '/SAMPLE events:/ { print $3; exit }')
			lost=$(perf report -i "$OUT.perf" --stats 2> /dev/null |
			    awk '/LOST_SAMPLES events:|LOST events:/ { n += $3 } END { print n + 0 }')
			bytes=$(stat -c %s "$OUT.perf")
			[ -z "${KEEP:-}" ] || cp "$OUT.perf" "$KEEP/$mode.$run.perf" ;;
		esac
		awk -v m="$mode" -v r="$run" -v w="$wall" -v e="${ev:-0}" \
		    -v l="${lost:-0}" -v b="$bytes" -v re="$rec_ev" \
		    -v rb="$rec_bytes" 'BEGIN {
			perf = m ~ /^perf/ && re > 0 && rb > 0
			printf "%-7s %-3s %8.1f %10d %8d %11d %6.2f %8s %6s %9.0f\n",
			    m, r, w / 1000, e, l, b, (e > 0 ? b / e : 0),
			    (perf ? sprintf("%.2f", b / re) : "-"),
			    (perf ? sprintf("%.2f", b / rb) : "-"),
			    (w > 0 ? e / w * 1000 : 0) }'
	done
done
