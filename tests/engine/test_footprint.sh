#!/bin/sh
# test_footprint.sh PAGEREPLAY - `pagereplay footprint` end to end: JSON
# shape, and the seed's claim computed from the counters: an SF_NOCACHE
# sendfile completion takes no page lock under refcount and does under the
# page-lock array; a batch flush amortizes to 1/N; bad specs fail with one
# line and exit 2.
set -eu
. "$(dirname "$0")/../lib.sh"
PR=$1

"$PR" footprint --page refcount --queue batch:63 --json >"$T/ref.json"
"$PR" footprint --page pagelock --queue batch:63 --json >"$T/pl.json"
"$PR" footprint --page pagelock --queue locked --free global --json >"$T/lk.json"
"$PR" footprint --page refcount --queue astate:63 --json >"$T/as.json"
"$PR" footprint --help | grep -q '^usage: pagereplay footprint'

LOCK_CLASSES=$(lock_classes) \
python3 - "$T/ref.json" "$T/pl.json" "$T/lk.json" "$T/as.json" <<'PY'
import json, os, sys
ref = json.load(open(sys.argv[1]))
pl = json.load(open(sys.argv[2]))
lk = json.load(open(sys.argv[3]))
ast = json.load(open(sys.argv[4]))
for rows in (ref, pl):
    for r in rows:
        assert set(r) == {"event", "lock_class", "acquisitions",
                          "amortized", "atomics"}, r
    classes = {r["lock_class"] for r in rows}
    assert classes <= set(os.environ["LOCK_CLASSES"].split()), classes
def acq(rows, ev, lc):
    return sum(r["acquisitions"] for r in rows
               if r["event"] == ev and r["lock_class"] == lc)
def amort(rows, ev, lc):
    return sum(r["amortized"] for r in rows
               if r["event"] == ev and r["lock_class"] == lc)
assert acq(ref, "sendfile:nocache", "page") == 0, "refcount took a page lock"
assert acq(pl, "sendfile:nocache", "page") >= 1, "pagelock took none"
# Requeue under batch:63: no queue lock now, 1/64 amortized.
assert acq(pl, "requeue", "pagequeue") == 0
a = amort(pl, "requeue", "pagequeue")
assert abs(a - 1 / 64) < 0.002, a
# Page allocation (vmd_pgcache): batch and astate refill a per-CPU cache
# with up to 63 slots of the reservation under one free-lock acquisition;
# footprint's page_insert targets are 4 pages apart, so 1/16 amortized.
# --free global (FreeBSD 10) takes the free lock on every allocation.
for rows in (ref, pl, ast):
    a = amort(rows, "page_insert", "freequeue")
    assert a < 0.1, a
assert amort(lk, "page_insert", "freequeue") == 1.0
# The page daemon carries a page-lock cursor (vm_page_change_lock): the
# 64 scanned pages of one 2 MiB frame cost one page-lock acquisition.
assert acq(pl, "scan", "page") == 1, acq(pl, "scan", "page")
# pagelock sendfile completion: one page-lock critical section, so a
# sendfile costs 2 page locks (wire, release).
assert acq(pl, "sendfile", "page") == 2, acq(pl, "sendfile", "page")
print("footprint: ok")
PY

if "$PR" footprint --queue batch:999 2>"$T/err"; then
	echo "bad spec accepted" >&2
	exit 1
fi
test "$(wc -l <"$T/err")" -eq 1
grep -q 'batch size' "$T/err"
