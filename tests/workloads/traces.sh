#!/usr/bin/env bash
# traces.sh PAGEREPLAY TRACES_DIR - every bundled real trace replays under
# every lock design with --check: the cross product of --page, --queue and
# --pv (24 designs) through `sweep` (the trace decoded once), each run
# bounded to 2 s of replay.  Every run must end with 0 invariant violations
# and replay events; `info` must find each trace complete.
set -euo pipefail
PR=$1
DIR=$2
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v python3 >/dev/null || skip "python3 is not installed"
shopt -s nullglob
traces=("$DIR"/*.prt)
[ ${#traces[@]} -gt 0 ] || skip "no bundled traces in $DIR yet"
probe=$("$PR" sweep --help 2>&1 || true)
if grep -q 'not implemented' <<<"$probe"; then
	skip "pagereplay sweep is not implemented yet"
fi

tmp=$(mktemp -d /tmp/pr-traces-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

PAGES=pagelock,refcount
QUEUES=locked,batch:63,batch:63:trylock,astate:63
PVS=hashed,superpage,perpage
for t in "${traces[@]}"; do
	name=$(basename "$t" .prt)
	[ -f "$DIR/$name.md" ] || fail "$name.prt has no $name.md"
	"$PR" info "$t" >"$tmp/$name.info" || fail "info $t"
	grep -q '^status: *complete' "$tmp/$name.info" ||
	    fail "$t is not complete: $(grep '^status' "$tmp/$name.info")"
	rc=0
	"$PR" sweep "$t" --threads 2 --page "$PAGES" --queue "$QUEUES" \
	    --pv "$PVS" --check --no-hwc --duration 2s \
	    --csv "$tmp/$name.csv" >"$tmp/$name.log" 2>&1 || rc=$?
	[ -s "$tmp/$name.csv" ] ||
	    fail "sweep $t wrote no CSV: $(tail -5 "$tmp/$name.log")"
	python3 - "$tmp/$name.csv" "$t" "$PAGES" "$QUEUES" "$PVS" <<'PY' ||
import csv, itertools, sys
path, trace, pages, queues, pvs = sys.argv[1:6]
runs = {}
for row in csv.DictReader(open(path)):
    runs.setdefault(row["run_id"], row)
want = set(itertools.product(pages.split(","), queues.split(","),
                             pvs.split(",")))
# Canonical specs may add defaults (hashed -> hashed:256).
got = set((r["page"].split(":")[0],
           r["queue"], r["pv"].split(":")[0]) for r in runs.values())
errs = []
if got != want:
    errs.append(f"designs run: missing {sorted(want - got)}")
for r in runs.values():
    d = f'{r["page"]}/{r["queue"]}/{r["pv"]}'
    if r["check_violations"] != "0":
        errs.append(f"{d}: check_violations={r['check_violations']!r}")
    if int(r["events"]) <= 0:
        errs.append(f"{d}: no events replayed")
if errs:
    print(trace + ": " + "; ".join(errs))
    sys.exit(1)
print(f"{trace}: {len(runs)} designs, 0 violations")
PY
	    fail "$t: $(grep -m 3 -i -E 'violation|error' "$tmp/$name.log")"
	[ "$rc" = 0 ] || fail "sweep $t exited $rc: $(tail -3 "$tmp/$name.log")"
done
