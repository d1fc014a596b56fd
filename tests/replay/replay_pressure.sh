#!/bin/sh
# replay_pressure.sh PAGEREPLAY TRACE - the page daemon on a bundled trace
# under memory pressure (issue 12 item 6, issue 14): the build recorded in
# an 80 MiB cgroup, replayed with model memory half its resident footprint
# (--phys-mem 0.5x) under the freebsd12 and freebsd14 presets.  The daemon
# must scan and free pages, allocators must have slept in vm_wait rather
# than lose pages (alloc_failures 0), and the invariant check must pass.
# Bad factors give one line and status 2.
set -u
. "$(dirname "$0")/../lib.sh"
PR=$1
TRACE=$2

for preset in freebsd12 freebsd14; do
	"$PR" replay "$TRACE" --preset "$preset" --threads 2 --phys-mem 0.5x \
	    --check --no-hwc --json "$T/$preset.json" >"$T/table" 2>"$T/err" ||
	    { cat "$T/err"; fail "replay --preset $preset"; }
	python3 - "$T/$preset.json" "$preset" <<'PY' || fail "$preset: counters"
import json, sys
d = json.load(open(sys.argv[1]))
c, row = d["counters"], d["rows"][0]
what = "%s: %s" % (sys.argv[2], c)
assert row["check_violations"] == 0, what
# Half of the trace's peak resident pages, well under the default 1 GiB.
assert 512 <= row["phys_pages"] < 262144, row["phys_pages"]
assert c["pd_wakeups"] > 0 and c["pd_passes"] > 0, what
assert c["scan_inactive"] > 0 and c["scan_active"] > 0, what
assert c["scan_pages"] == c["scan_inactive"] + c["scan_active"], what
assert c["scan_freed"] > 0, what
assert c["reclaims"] >= c["vm_waits"] > 0 and c["vm_wait_ns"] > 0, what
assert c["alloc_failures"] == 0 and c["pd_ooms"] == 0, what
PY
done

for bad in 0x x -1x 2000x 0.5y; do
	expect_error 2 "$PR" replay "$TRACE" --phys-mem "$bad"
	grep -q -- '--phys-mem' "$T/err" || fail "--phys-mem $bad: $(cat "$T/err")"
done
echo ok
