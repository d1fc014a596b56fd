#!/bin/sh
# charts.sh PAGEREPLAY - each chart of the user guide's recipes shows its
# answer: every lock class is drawn, zeros included (a class whose values
# are 0 sat off a log axis and vanished); hold quantiles are drawn per
# design and thread count (a median per quantile across designs gave
# p50 > p90); throughput panels per design family with the trace, host and
# date in the title; a speedup view over a named baseline.
set -u
. "$(dirname "$0")/../lib.sh"
PR=$1
command -v gnuplot >/dev/null 2>&1 || {
	echo "SKIP: gnuplot is not installed (Debian: gnuplot-nox)"; exit 77; }

"$PR" synth build --seed 1 --events 20000 -o "$T/b.prt" >/dev/null ||
    fail "synth build"
"$PR" sweep "$T/b.prt" --threads 1,2 --page pagelock,refcount \
    --queue locked,batch:7,batch:63:trylock --repeat 2 --cpus 0 \
    --csv "$T/s.csv" >/dev/null 2>"$T/err" || { cat "$T/err"; fail "sweep"; }
classes=$(lock_classes)
for c in $classes; do
	[ -n "$(csv_col "$T/s.csv" "$c" run_id)" ] ||
	    fail "lock class $c not in the sweep"
done

# The text of an SVG chart, one element per line.
svg_text() {
	sed -n 's/.*<text[^>]*>\(<tspan[^>]*>\)\{0,1\}\([^<]*\)<.*/\2/p' "$1"
}

# Throughput: a panel per page design, the title names trace, host, date.
"$PR" plot "$T/s.csv" -o "$T/t.svg" >/dev/null 2>"$T/err" ||
    { cat "$T/err"; fail "plot throughput"; }
svg_text "$T/t.svg" >"$T/t.txt"
grep -q '^page=pagelock:256$' "$T/t.txt" || fail "no pagelock panel"
grep -q '^page=refcount$' "$T/t.txt" || fail "no refcount panel"
grep -q '^trace .*b.prt, host .*, 20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]$' \
    "$T/t.txt" || fail "no trace/host/date in the title"
# Legend in numeric order: batch:7 before batch:63 in each panel.
a=$(grep -nx 'batch:7' "$T/t.txt" | head -1 | cut -d: -f1)
b=$(grep -nx 'batch:63:trylock' "$T/t.txt" | head -1 | cut -d: -f1)
[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || fail "legend not in numeric order"

# Speedup over a named baseline: the baseline's own line is 1.
"$PR" plot "$T/s.csv" -o "$T/sp.svg" --kind speedup \
    --baseline page=pagelock:256 >/dev/null 2>"$T/err" ||
    { cat "$T/err"; fail "plot speedup"; }
grep -q 'Speedup over page=pagelock:256' "$T/sp.svg" || fail "speedup title"
expect_error 2 "$PR" plot "$T/s.csv" -o "$T/x.svg" --kind speedup
expect_error 1 "$PR" plot "$T/s.csv" -o "$T/x.svg" --kind speedup \
    --baseline page=nosuch
[ ! -e "$T/x.svg" ] || fail "a failed speedup left a chart"

# Wait (the batch-queue recipe): every class is in the legend, the zero
# ones too, and the trylock variant is its own line.
for y in wait_p99_ns contended; do
	"$PR" plot "$T/s.csv" -o "$T/w.svg" --kind wait --y "$y" \
	    --where threads=2 --where page=refcount >/dev/null 2>"$T/err" ||
	    { cat "$T/err"; fail "plot wait --y $y"; }
	svg_text "$T/w.svg" >"$T/w.txt"
	for c in $classes; do
		grep -qx "$c" "$T/w.txt" || fail "wait ($y): class $c not drawn"
	done
	grep -qx 'pagequeue (batch:trylock)' "$T/w.txt" ||
	    fail "wait ($y): no trylock line"
	grep -qx '0' "$T/w.txt" || fail "wait ($y): no 0 on the log axis"
done

# Hold (the refcount recipe, no --where): one panel per design and thread
# count, never a median across them.
"$PR" plot "$T/s.csv" -o "$T/h.svg" --kind hold --where queue=locked \
    >/dev/null 2>"$T/err" || { cat "$T/err"; fail "plot hold"; }
svg_text "$T/h.svg" >"$T/h.txt"
for p in 'page=pagelock:256, threads=1' 'page=refcount, threads=2'; do
	grep -qx "$p" "$T/h.txt" || fail "hold: no panel '$p'"
done
grep -q 'median over the designs' "$T/h.txt" && fail "hold: quantiles mixed across designs"

# PNG: the title is not clipped (gnuplot draws it centred, two lines).
"$PR" plot "$T/s.csv" -o "$T/t.png" >/dev/null 2>"$T/err" ||
    { cat "$T/err"; fail "plot png"; }
[ -s "$T/t.png" ] || fail "no PNG"
exit 0
