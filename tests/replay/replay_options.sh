#!/bin/sh
# replay_options.sh PAGEREPLAY - the command line a perf user expects of
# every subcommand: -h is --help everywhere; a short option means one
# thing in every subcommand, and the ones perf users type (-o output, -t
# threads, -C CPU list, -d duration) are there and work; every design
# option's --help shows its default, the one a run without options uses;
# sweep takes a list of presets as an axis; the CSV and the report's
# design line carry the free path and the preset.
set -u
. "$(dirname "$0")/../lib.sh"
PR=$1

# -h everywhere, the same text as --help, which points at the installed
# man page and docs; the "-X, --long" pairs.
cmds=$("$PR" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p')
[ "$(echo "$cmds" | wc -l)" -ge 9 ] || fail "no commands in pagereplay --help"
: >"$T/pairs"
for c in $cmds; do
	"$PR" "$c" -h >"$T/h" 2>&1 || fail "$c -h exited non-zero"
	"$PR" "$c" --help >"$T/help" 2>&1 || fail "$c --help"
	[ -s "$T/h" ] && cmp -s "$T/h" "$T/help" || fail "$c -h is not $c --help"
	grep -q "^Manual: man pagereplay-$c; docs in /" "$T/help" ||
	    fail "$c --help does not point at its man page and the docs"
	sed -n 's/^ *\(-[a-zA-Z]\), \(--[a-z][a-z-]*\).*/\1 \2/p' "$T/help" |
	    sed "s/^/$c /" >>"$T/pairs"
done
"$PR" help replay >"$T/h1" && "$PR" replay --help >"$T/h2" &&
    cmp -s "$T/h1" "$T/h2" || fail "pagereplay help replay"

# No letter means two things across the subcommands.
awk '{ if (($2 in lng) && lng[$2] != $3) {
	print $2 " is " lng[$2] " in " cmd[$2] " but " $3 " in " $1; bad = 1 }
    lng[$2] = $3; cmd[$2] = $1 } END { exit bad }' "$T/pairs" >"$T/clash" ||
    fail "a short option means two things: $(cat "$T/clash")"
for p in "replay -t --threads" "replay -C --cpus" "replay -o --output" \
    "replay -d --duration" "replay -h --help" "sweep -t --threads" \
    "sweep -C --cpus" "sweep -o --output" "sweep -h --help" \
    "merge -o --output" "merge -h --help" "plot -o --output" \
    "report -o --output" "synth -o --output" "record -o --output" \
    "record -d --duration" "footprint -h --help"; do
	grep -qx -- "$p" "$T/pairs" || fail "--help has no '$p'"
done

# The short options work.
"$PR" synth build --seed 1 --events 5000 -o "$T/b.prt" >/dev/null ||
    fail "synth build"
"$PR" replay "$T/b.prt" -t 2 -C 0 -d 30s -o "$T/r.csv" >/dev/null 2>&1 ||
    fail "replay -t -C -d -o"
[ "$(csv_col "$T/r.csv" page threads)" = 2 ] || fail "-t 2: threads"
[ "$(csv_col "$T/r.csv" page cpu_list)" = 0 ] || fail "-C 0: cpu_list"
"$PR" replay "$T/b.prt" -t 1 -C 0 -o "$T/r.json" >/dev/null 2>&1 ||
    fail "replay -o FILE.json"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))["rows"]' \
    "$T/r.json" || fail "-o FILE.json: not the JSON"
expect_error 2 "$PR" replay "$T/b.prt" -o "$T/r.txt"
grep -q '\.csv or \.json' "$T/err" || fail "-o FILE.txt: no reason"
"$PR" sweep "$T/b.prt" -t 1,2 -C 0 -o "$T/s.csv" >/dev/null 2>&1 ||
    fail "sweep -t -C -o"
[ "$(csv_col "$T/s.csv" page threads | paste -sd, -)" = 1,2 ] ||
    fail "sweep -t 1,2 -o: not two runs in the CSV"

# Every design option shows its default, the design of a bare replay.
for c in replay footprint; do
	"$PR" "$c" --help >"$T/help"
	for fam in page queue pv pvchunk free; do
		d=$(awk -v o="--$fam" '$1 == o && $2 == "SPEC" { getline
		    sub(/^ *\(default: /, ""); sub(/\)$/, ""); print }' "$T/help")
		[ -n "$d" ] || fail "$c --help: --$fam shows no default"
		[ "$d" = "$(csv_col "$T/r.csv" page "$fam")" ] ||
		    fail "$c --help: --$fam default '$d' is not what replay runs"
	done
done
"$PR" sweep --help >"$T/help"
for fam in page queue pv pvchunk free; do
	grep -A1 -- "^  --$fam " "$T/help" | grep -q '(default: ' ||
	    fail "sweep --help: --$fam shows no default"
done

# The free path and the preset: columns and the report's design line.
"$PR" replay "$T/b.prt" -t 1 -C 0 --preset freebsd14 --free global \
    --csv "$T/f.csv" >"$T/out" 2>&1 || fail "replay --free global"
[ "$(csv_col "$T/f.csv" page free)" = global ] || fail "no free column"
[ "$(csv_col "$T/f.csv" page preset)" = freebsd14 ] || fail "no preset column"
grep -q '^design: .*, free global (--preset freebsd14)$' "$T/out" ||
    fail "the design line lacks the free path or the preset"
[ "$(csv_col "$T/r.csv" page preset)" = "" ] || fail "preset without --preset"

# sweep --preset a,b: one run per preset (and per the other axes); a
# design list overrides every preset, the families not given follow each
# preset, as replay --preset NAME with the same option.
"$PR" sweep --preset help >"$T/presets" || fail "sweep --preset help"
grep -q '^freebsd10 ' "$T/presets" || fail "sweep --preset help: no list"
"$PR" sweep "$T/b.prt" -t 1 -C 0 --preset freebsd10,freebsd14 \
    --queue batch:8 --csv "$T/p.csv" >/dev/null 2>&1 ||
    fail "sweep --preset freebsd10,freebsd14"
for p in freebsd10 freebsd14; do
	"$PR" replay "$T/b.prt" -t 1 -C 0 --preset $p --queue batch:8 \
	    --csv "$T/$p.csv" >/dev/null 2>&1 || fail "replay --preset $p"
done
python3 - "$T/p.csv" "$T/freebsd10.csv" "$T/freebsd14.csv" <<'PY' ||
import csv, sys
cols = ("preset", "page", "queue", "pv", "pvchunk", "free")
def runs(p):
    return [tuple(r[c] for c in cols) for r in csv.DictReader(open(p))
            if r["lock_class"] == "page" and not r["lock_instance"]]
sw = runs(sys.argv[1])
one = runs(sys.argv[2]) + runs(sys.argv[3])
assert sw == one, (sw, one)
assert [r[0] for r in sw] == ["freebsd10", "freebsd14"], sw
assert all(r[2] == "batch:8" for r in sw), sw
assert sw[0][1:] != sw[1][1:], sw
PY
    fail "sweep's preset runs differ from replay --preset"
expect_error 2 "$PR" sweep "$T/b.prt" --preset freebsd14,nosuch
grep -q nosuch "$T/err" || fail "a bad preset in the list is not named"

# --hold-sample N (debug.lock.prof.skipcount): one hold in N timed per
# worker, counts and waits exact; the hold histogram holds the sampled
# holds and hold_total_ns is their mean times the acquisitions; the CSV,
# the JSON and the header say so.  simulate refuses it.
"$PR" replay "$T/b.prt" -t 1 -C 0 --json "$T/h1.json" >/dev/null 2>&1 ||
    fail "replay (every hold timed)"
"$PR" replay "$T/b.prt" -t 1 -C 0 --hold-sample 4 --json "$T/h4.json" \
    >"$T/h4.out" 2>&1 || fail "replay --hold-sample 4"
grep -q '^run: .*timing on (holds: 1 in 4)$' "$T/h4.out" ||
    fail "--hold-sample 4: the run line does not say so"
python3 - "$T/h1.json" "$T/h4.json" <<'PY' ||
import json, sys
one, four = (json.load(open(p)) for p in sys.argv[1:3])
def rows(d):
    return {(r["lock_class"], r["lock_instance"]): r for r in d["rows"]}
def holds(d):
    return {(h["lock_class"], h["lock_instance"]): h["hold"]
            for h in d["histograms"]}
r1, r4, h1, h4 = rows(one), rows(four), holds(one), holds(four)
assert {r["hold_sample"] for r in r1.values()} == {1}
assert {r["hold_sample"] for r in r4.values()} == {4}
acq = 0
for k, r in r4.items():
    assert r["acquisitions"] == r1[k]["acquisitions"], k
    assert r["contended"] == r1[k]["contended"] == 0, k
    assert r["atomics"] == r1[k]["atomics"], k
    if r["lock_instance"]:
        continue
    acq += r["acquisitions"]
    assert h1[k[0], ""]["count"] == r["acquisitions"], k
    n = h4[k[0], ""]["count"]
    assert n <= r["acquisitions"], k
    if n:
        want = h4[k[0], ""]["sum_ns"] * r["acquisitions"] // n
        assert r["hold_total_ns"] == want, (k, r["hold_total_ns"], want)
timed = sum(h4[k[0], ""]["count"] for k in r4 if not k[1])
# each CPU (the worker, the page daemon) counts every class's
# acquisitions down: 1 in 4, give or take 3 a CPU at the ends
assert acq > 1000 and abs(4 * timed - acq) <= 3 * 3, (timed, acq)
PY
    fail "--hold-sample 4: counts, sampled holds or estimated totals wrong"
expect_error 2 "$PR" replay "$T/b.prt" --hold-sample 0
grep -q 'hold-sample' "$T/err" || fail "--hold-sample 0: no reason"
expect_error 2 "$PR" simulate "$T/b.prt" --hold-sample 4
grep -q 'does not apply' "$T/err" || fail "simulate --hold-sample accepted"
exit 0
