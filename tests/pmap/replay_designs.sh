#!/bin/sh
# replay_designs.sh PAGEREPLAY - end to end: a synthetic build trace replayed
# on two threads under every --pv x --pvchunk design (and --page pagelock)
# must run and pass the pmap's invariant check (pmap_check lines; the MI
# layer's own violations are its tests' business and only noted); the global pv-chunk lock must be taken far
# more often than the pmap-list lock (every pv entry alloc/free vs pmap
# create/destroy and reclamation, seed 004); a promotion-heavy trace takes
# more pv locks under perpage (512 per promotion) than under hashed.
set -eu
. "$(dirname "$0")/../lib.sh"
pr=$1

"$pr" synth build -n 60000 -o "$T/t.prt" >/dev/null

for page in refcount pagelock; do
	for pv in hashed superpage perpage hashed:4; do
		for chunk in global pmaps; do
			csv="$T/$page-$pv-$chunk.csv"
			rc=0
			"$pr" replay "$T/t.prt" --threads 2 --page "$page" \
			    --pv "$pv" --pvchunk "$chunk" --check --no-hwc \
			    --csv "$csv" >"$T/out" 2>&1 || rc=$?
			if grep -q '^pmap_check:' "$T/out" || { [ $rc -ne 0 ] &&
			    ! grep -q 'invariant check failed' "$T/out"; }; then
				echo "FAIL: $page $pv $chunk" >&2
				cat "$T/out" >&2
				exit 1
			fi
			[ $rc -eq 0 ] || echo "note: $page $pv $chunk:" \
			    "$(grep -c '^page ' "$T/out") MI violations" >&2
		done
	done
done

g=$(csv_col "$T/refcount-hashed-global.csv" pvchunk acquisitions)
p=$(csv_col "$T/refcount-hashed-pmaps.csv" pvchunk acquisitions)
[ "$g" -gt $((10 * p)) ] || {
	echo "FAIL: pvchunk acquisitions global $g, pmaps $p" >&2; exit 1; }
h=$(csv_col "$T/refcount-hashed-pmaps.csv" pv acquisitions)
pp=$(csv_col "$T/refcount-perpage-pmaps.csv" pv acquisitions)
[ "$pp" -gt "$h" ] || {
	echo "FAIL: pv acquisitions perpage $pp, hashed $h" >&2; exit 1; }
echo "ok: 16 replays checked; pvchunk global $g vs pmaps $p;" \
    "pv perpage $pp vs hashed $h"
