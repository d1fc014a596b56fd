#!/bin/sh
# burst.sh - burst capacity of `pagereplay record -a`: a page cache of
# MiB mebibytes in order-0 folios (4 KiB writes) is dropped at once, one
# PR_PAGE_REMOVE per page, while recording; per --buffer size, prints the
# file's removes recorded, the losses counted (all events), the burst's
# span and rate, the trace's size.
#
# Usage (root): burst.sh PAGEREPLAY TRACE_STATS [MiB] [RUNS] [BUFFERS...]
#   defaults: 1024 MiB, 3 runs, buffers 64M 16M 4M 1M 256k.
# With DROP=caches the drop is `echo 3 > /proc/sys/vm/drop_caches` (the
# whole machine's cache, as in issue 7), else POSIX_FADV_DONTNEED on the
# file alone (the same per-page kernel path, kinder to a shared machine).
set -eu
PR=$1
STATS=$2
MIB=${3:-1024}
RUNS=${4:-3}
shift $(( $# < 4 ? $# : 4 ))
BUFFERS=${*:-64M 16M 4M 1M 256k}
F=/var/tmp/pr-burst.$$
T=/var/tmp/pr-burst.$$.prt
trap 'rm -f "$F" "$T"' EXIT INT TERM

# Drop the file's (or every) cached page; print the wall time in ms.
drop() {
	t0=$(date +%s%N)
	if [ "${DROP:-file}" = caches ]; then
		echo 3 > /proc/sys/vm/drop_caches
	else
		dd if="$F" iflag=nocache count=0 status=none
	fi
	echo $(( ($(date +%s%N) - t0) / 1000000 ))
}

fill() {
	dd if=/dev/zero of="$F" bs=4k count=$(( MIB * 256 )) conv=fdatasync \
	    status=none
}

for run in $(seq "$RUNS"); do
	fill
	echo "no recorder: drop of $(( MIB * 256 )) pages took $(drop) ms"
done
printf '%-6s %-4s %8s %8s %8s %9s %11s %7s %9s\n' buffer run removes lost \
    sum span_ms pages_per_s drop_ms bytes
for buf in $BUFFERS; do
	for run in $(seq "$RUNS"); do
		fill
		"$PR" record -a --buffer "$buf" -o "$T" 2> /dev/null &
		rec=$!
		sleep 1
		ms=$(drop)
		sleep 1
		kill -INT $rec
		wait $rec
		set -- $(stat -c '%Hd %Ld %i' "$F")
		obj=$(printf 'obj=%#x' $(( ($1 & 0xff) << 55 |
		    ($2 & 0x7fff) << 40 | ($3 & 0xffffffffff) )))
		"$STATS" "$T" dump | awk -v b="$buf" -v r="$run" \
		    -v bytes="$(stat -c %s "$T")" -v obj="$obj" -v ms="$ms" '
		    $2 == "page_remove" && $3 == obj { n++; t = $1 + 0
			if (min == "" || t < min) min = t
			if (t > max) max = t }
		    $1 == "lost" && NF == 2 { lost = $2 }
		    END { span = (max - min) / 1e6
			printf "%-6s %-4s %8d %8d %8d %9.1f %11.0f %7d %9d\n",
			    b, r, n, lost, n + lost, span,
			    (span > 0 ? n / span * 1000 : 0), ms, bytes }'
	done
done
