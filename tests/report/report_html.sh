#!/bin/sh
# report_html.sh PAGEREPLAY - `pagereplay report` writes one self-contained
# HTML page (inline SVG, no script, nothing fetched) with the charts and
# the lockstat-style tables, and headless Chromium renders it to a
# non-blank screenshot.  Without chromium the rendering is skipped with a
# printed reason (scripts/setup installs it).
set -u
. "$(dirname "$0")/../lib.sh"
PR=$1
command -v gnuplot >/dev/null 2>&1 || {
	echo "SKIP: gnuplot is not installed (Debian: gnuplot-nox)"; exit 77; }

"$PR" synth build --seed 1 --events 20000 -o "$T/b.prt" >/dev/null ||
    fail "synth build"
"$PR" sweep "$T/b.prt" --threads 1,2 --page pagelock,refcount \
    --queue locked,batch:31 --repeat 2 --cpus 0 \
    --csv "$T/s.csv" >/dev/null 2>"$T/err" || { cat "$T/err"; fail "sweep"; }
"$PR" report "$T/s.csv" -o "$T/r.html" >"$T/out" 2>"$T/err" ||
    { cat "$T/err"; fail "report"; }
[ ! -s "$T/err" ] || { cat "$T/err"; fail "report said something"; }

# Self-contained: four inline charts, no script, no external reference.
[ "$(grep -c '<svg' "$T/r.html")" -eq 4 ] || fail "not 4 inline SVG charts"
grep -qi '<script\|<link\|<img\|src=\|url(' "$T/r.html" &&
    fail "the page loads something"
grep -o 'href=[^ >]*' "$T/r.html" | grep -v "href='#" | grep -q . &&
    fail "the page links outside itself"
grep -q 'Speedup over page=pagelock:256' "$T/r.html" || fail "no speedup chart"
# The lockstat table of each design: every class, share of contention.
grep -q '<th>share</th>' "$T/r.html" || fail "no contention share column"
[ "$(grep -c '<h3>' "$T/r.html")" -eq 8 ] ||
    fail "not one lock table per design and thread count"
for c in $(lock_classes); do
	grep -q "<tr><td>$c</td>" "$T/r.html" || fail "class $c missing"
done
# ... and the page-queue locks one by one, with their share of all
# contention events (D37305's figure).
for i in $(lock_instances); do
	grep -qF "<tr class=\"inst\"><td>pagequeue $i</td>" "$T/r.html" ||
	    fail "lock instance $i missing"
done

# Usage errors, and a failure leaves no file behind.
expect_error 2 "$PR" report "$T/s.csv" -o "$T/r.txt"
expect_error 2 "$PR" report "$T/s.csv"
expect_error 1 "$PR" report "$T/b.prt" -o "$T/bad.html"
[ ! -e "$T/bad.html" ] || fail "a failed report left a page"
expect_error 1 "$PR" report "$T/s.csv" -o "$T/b.prt.html" --where page=nosuch
[ ! -e "$T/b.prt.html" ] || fail "a failed report left a page"

# Rendered by headless Chromium: the screenshot is not blank.
browser=$(command -v chromium || command -v chromium-browser ||
    command -v google-chrome) || {
	echo "SKIP: no chromium (Debian: chromium) to render the report"
	exit 77; }
HOME=$T timeout 180 "$browser" --headless=new --no-sandbox --disable-gpu \
    --hide-scrollbars --window-size=1300,2400 \
    --screenshot="$T/shot.png" "file://$T/r.html" >"$T/chromium.log" 2>&1
[ -s "$T/shot.png" ] || { tail -5 "$T/chromium.log"; fail "no screenshot"; }
python3 - "$T/shot.png" <<'PY' || fail "the screenshot is blank"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w, h = 8, b"", 0, 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IHDR":
        w, h = struct.unpack(">II", data[pos + 8:pos + 16])
    elif kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
# A blank page filters to bytes 0x00 (no change) and 0xff (white): count
# the others.
ink = sum(1 for b in raw if b not in (0, 255))
print("screenshot %dx%d, %d ink bytes of %d" % (w, h, ink, len(raw)))
sys.exit(0 if w >= 1000 and ink > len(raw) // 200 else 1)
PY
exit 0
