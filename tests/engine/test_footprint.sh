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
# Page allocation and free (issue 12 item 3).  --free pgcache (FreeBSD
# 12+): a page of an existing reservation is allocated and freed under the
# reservation's own lock alone (vm_reserv_extend, vm_reserv_depopulate);
# the free lock only when a reservation is carved or emptied, so not on
# footprint's path, which keeps a neighbour page in the reservation.
# --free global (FreeBSD 10): the free lock on every allocation and free,
# no reservation lock.
for rows in (ref, pl, ast):
    for ev in ("page_insert", "page_remove", "release:nocache"):
        assert acq(rows, ev, "reserv") == 1, (ev, acq(rows, ev, "reserv"))
        assert acq(rows, ev, "freequeue") == 0, ev
        assert amort(rows, ev, "freequeue") == 0, ev
    # Terminating a one-page object empties its reservation.
    assert acq(rows, "obj_terminate", "freequeue") == 1
for ev in ("page_insert", "page_remove", "release:nocache"):
    assert amort(lk, ev, "freequeue") == 1.0, ev
    assert acq(lk, ev, "reserv") == 0, ev
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
