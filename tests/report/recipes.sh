#!/bin/sh
# recipes.sh PAGEREPLAY GUIDE - the chart recipes of the user guide
# (section 6, the blocks after "<!-- tests/report: recipe -->") run
# verbatim, and each chart shows its answer: the speedup of refcount over
# pagelock is a line of its own; the batch-queue chart has a pagequeue line
# (before, its p99 of 0 fell off the log axis and the line was missing)
# and every lock class; the report page is written; the D37305 recipe
# gives the inactive page-queue lock a row per release.
set -u
. "$(dirname "$0")/../lib.sh"
PR=$1
GUIDE=$2
command -v gnuplot >/dev/null 2>&1 || {
	echo "SKIP: gnuplot is not installed (Debian: gnuplot-nox)"; exit 77; }
mkdir -p "$T/bin" "$T/w"
ln -s "$(cd "$(dirname "$PR")" && pwd)/$(basename "$PR")" "$T/bin/pagereplay"
export PATH="$T/bin:$PATH"
cd "$T/w" || fail "cd"
awk '$0 == "<!-- tests/report: recipe -->" { f = 1; next }
    f == 1 && /^```/ { f = 2; next }
    f == 2 && /^```/ { f = 0; next }
    f == 2 { print }' "$GUIDE" >recipes.sh
[ "$(grep -c '^pagereplay plot' recipes.sh)" -ge 3 ] ||
    fail "the recipes are not in $GUIDE"
sh -e recipes.sh >out 2>err || { cat err; fail "a recipe failed"; }

svg_text() {
	sed -n 's/.*<text[^>]*>\(<tspan[^>]*>\)\{0,1\}\([^<]*\)<.*/\2/p' "$1"
}
svg_text refcount-speedup.svg >sp.txt
grep -qx 'page=refcount' sp.txt || fail "speedup: no refcount panel"
grep -q 'Speedup over page=pagelock:256' sp.txt || fail "speedup: title"
svg_text batch-wait.svg >w.txt
for c in $(lock_classes); do
	grep -qx "$c" w.txt || fail "batch chart: no $c line"
done
grep -qx 'pagequeue (batch:trylock)' w.txt || fail "batch chart: no trylock line"
[ "$(grep -c '<svg' batch.html)" -ge 3 ] || fail "batch report: charts"
# D37305's step: the inactive page-queue lock's row in each release's
# lock table, with its share.
[ "$(grep -cF '<tr class="inst"><td>pagequeue vm_dom[0].inactive</td>' eras.html)" -eq 2 ] ||
    fail "eras report: not one inactive-queue row per preset"
[ "$(csv_col eras.csv page preset | sort -u | paste -sd, -)" = freebsd13,freebsd14 ] ||
    fail "eras CSV: not the two presets"
# ... and the chart answers it: the inactive queue lock's share, per
# release, lower under freebsd14 (counts, not times, decide: thousands of
# contended acquisitions against about a hundred).
svg_text eras.svg >e.txt
grep -qx 'vm_dom\[0\]\.inactive (astate)' e.txt &&
    grep -qx 'vm_dom\[0\]\.inactive (astate:trylock)' e.txt ||
    fail "eras chart: no inactive-queue line per release"
python3 - eras.csv <<'PY' || fail "eras: the inactive queue's share did not fall"
import csv, statistics, sys
share = {}
for r in csv.DictReader(open(sys.argv[1])):
    if r["lock_instance"] == "vm_dom[0].inactive":
        share.setdefault(r["preset"], []).append(
            float(r["contention_share_pct"]))
m13, m14 = (statistics.median(share[p]) for p in ("freebsd13", "freebsd14"))
print("inactive page-queue lock's share: freebsd13 %.1f %%, freebsd14 %.1f %%"
      % (m13, m14))
assert m14 < m13, (m13, m14)
PY
exit 0
