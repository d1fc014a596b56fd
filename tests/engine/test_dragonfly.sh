#!/bin/sh
# test_dragonfly.sh PAGEREPLAY TRACES_DIR - the DragonFly preset end to end
# (issue 13): footprint under --preset dragonfly56 prints a row for every
# event kind, and every bundled trace replays under it with --check: no
# invariant violation (sub-queue membership, free sub-queues, vm_page_hash
# entries), events replayed, and the colour walk's and the page hash's
# counters in the JSON.
set -u
. "$(dirname "$0")/../lib.sh"
PR=$1
DIR=$2

"$PR" footprint --preset dragonfly56 >"$T/fp" || fail "footprint --preset dragonfly56"
head -1 "$T/fp" | grep -q '^# page dfly, queue colored:1024, .*free colored$' ||
    fail "footprint header: $(head -1 "$T/fp")"
for kind in obj_create obj_terminate page_insert page_lookup page_remove \
    wire unwire release activate deactivate requeue pmap_create \
    pmap_destroy map unmap remove_all remove_write extract_hold promote \
    demote scan sendfile lost; do
	grep -q "^$kind " "$T/fp" || fail "footprint: no $kind row"
done

n=0
for t in "$DIR"/*.prt; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .prt)
	"$PR" replay "$t" --threads 2 --cpus 0 --no-hwc --check \
	    --preset dragonfly56 --json "$T/$name.json" >"$T/out" 2>"$T/err" ||
	    { cat "$T/err" >&2; fail "replay $name under dragonfly56"; }
	grep -q '^invariant check: 0 violations' "$T/out" ||
	    fail "$name: $(grep 'invariant' "$T/out")"
	python3 - "$T/$name.json" <<'PY' || fail "$name: JSON"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["counters"]
assert c["free_find_steps"] > 0, c
# --page dfly: a fault of a file's page tries vm_page_hash first
# (vm_fault_quick; not an anonymous object's, OBJ_ONEMAPPING), and every
# bundled trace with faults faults on files.
m = d["kinds"].get("map", {"events": 0, "skipped": 0})
if m["events"] > m["skipped"]:
    assert c["page_hash_hits"] + c["page_hash_misses"] + \
        c["page_hash_fails"] > 0, (c, m)
assert all(r["page"] == "dfly" for r in d["rows"]), d["rows"][0]
assert all(r["queue"] == "colored:1024" for r in d["rows"]), d["rows"][0]
assert all(r["check_violations"] == 0 for r in d["rows"]), d["rows"][0]
PY
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "SKIP: no bundled traces in $DIR"; exit 77; }

# Reproducible: vm_page_hash's `ticks` is the trace's clock, so two
# single-threaded replays take the same locks and atomics and count the
# same hash hits (with the host's clock they differed from run to run).
t=$DIR/build-zstd.prt
[ -f "$t" ] || fail "no $t"
for i in 1 2; do
	"$PR" replay "$t" --threads 1 --cpus 0 --no-hwc --preset dragonfly56 \
	    --json "$T/det$i.json" >/dev/null 2>"$T/err" ||
	    { cat "$T/err" >&2; fail "replay build-zstd, run $i"; }
done
python3 - "$T/det1.json" "$T/det2.json" <<'PY' || fail "dragonfly56 not reproducible"
import json, sys
def key(f):
    d = json.load(open(f))
    return (d["counters"], [(r["lock_class"], r["lock_instance"],
        r["acquisitions"], r["atomics"]) for r in d["rows"]])
a, b = key(sys.argv[1]), key(sys.argv[2])
assert a[0]["page_hash_hits"] > 0, a[0]
assert a == b, (a, b)
PY
echo "ok: footprint and $n traces under dragonfly56, reproducible"
