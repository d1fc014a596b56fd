#!/bin/sh
# replay_designs.sh PAGEREPLAY - end to end: a synthetic build trace replayed
# on two threads under every --pv x --pvchunk design (and --page pagelock)
# must run and pass the pmap's invariant check (pmap_check lines; the MI
# layer's own violations are its tests' business and only noted); the
# chunk lock of --pvchunk global is taken only when a chunk page joins or
# leaves the chunk list (amd64 get_pv_entry(), reserve_pv_entries(),
# free_pv_chunk(); no reclamation here), so at most once per chunk page
# allocated and once per chunk page freed, never per pv entry; a
# promotion-heavy trace takes more pv locks under perpage (512 per
# promotion) than under hashed.
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
			cp "$T/out" "$T/$page-$pv-$chunk.out"
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

# counter FILE NAME: the value after "NAME " in a replay report.
counter() {
	sed -n "s/.*[ ,]$2 \([0-9]*\).*/\1/p" "$1" | head -n 1
}

g=$(csv_col "$T/refcount-hashed-global.csv" pvchunk acquisitions)
p=$(csv_col "$T/refcount-hashed-pmaps.csv" pvchunk acquisitions)
out="$T/refcount-hashed-global.out"
allocs=$(counter "$out" pv_chunk_allocs)
frees=$(counter "$out" pv_chunk_frees)
reclaims=$(counter "$out" pv_reclaims)
[ "$reclaims" -eq 0 ] && [ "$g" -gt 0 ] &&
    [ "$g" -le $((allocs + frees)) ] || {
	echo "FAIL: pvchunk acquisitions global $g, chunk pages allocated" \
	    "$allocs, freed $frees, reclaims $reclaims" >&2; exit 1; }
h=$(csv_col "$T/refcount-hashed-pmaps.csv" pv acquisitions)
pp=$(csv_col "$T/refcount-perpage-pmaps.csv" pv acquisitions)
[ "$pp" -gt "$h" ] || {
	echo "FAIL: pv acquisitions perpage $pp, hashed $h" >&2; exit 1; }
echo "ok: 16 replays checked; pvchunk global $g (chunk pages $allocs" \
    "allocated, $frees freed) vs pmaps $p;" \
    "pv perpage $pp vs hashed $h"
