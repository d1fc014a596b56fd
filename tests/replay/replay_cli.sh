#!/bin/sh
# replay_cli.sh PAGEREPLAY DOCS_CSV - the replay, sweep and plot commands
# end to end on a small synthetic trace: CSV header = docs/csv.md, JSON
# parses, scale multiplies the events, sweep row count = product x repeats,
# shards' union = the full sweep, the plot is an SVG with the expected
# series, gnuplot failure leaves no file, bad input gives one line and a
# non-zero status.
set -u
. "$(dirname "$0")/../lib.sh"
PR=$1
DOCS=$2

"$PR" synth build --seed 1 --events 20000 -o "$T/b.prt" >/dev/null ||
    fail "synth build"

# replay: table, CSV with the documented header, JSON; the default design
# passes the invariant check.
"$PR" replay "$T/b.prt" --threads 2 --cpus 0 --check \
    --csv "$T/r.csv" \
    --json "$T/r.json" >"$T/table" 2>"$T/err" || { cat "$T/err"; fail "replay"; }
grep -q 'events/s' "$T/table" || fail "no events/s in the table"
grep -q '^engine counters:' "$T/table" || fail "no engine counters in the table"
grep -q '^  queue_ops [0-9]' "$T/table" || fail "no queue_ops in the table"
grep -q '^top [0-9]* of [0-9]* call sites by wait_total:' "$T/table" ||
    fail "no call-site table"
doc_header=$(sed -n 's/^| `\([a-z0-9_]*\)`.*/\1/p' "$DOCS" | paste -sd, -)
[ "$(head -1 "$T/r.csv")" = "$doc_header" ] || fail "CSV header differs from docs/csv.md"
[ "$(wc -l <"$T/r.csv")" -eq $((NROWS + 1)) ] ||
    fail "replay CSV: not $NCLASSES lock-class and $NINST instance rows"
python3 - "$T/r.json" "$T/r.csv" <<'PY' || fail "JSON"
import csv, json, os, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
assert len(d["rows"]) == len(rows) == int(os.environ["NROWS"])
assert len(d["workers"]) == 2
assert sum(w["events"] for w in d["workers"]) == int(rows[0]["events"])
assert all(w["cpu"] == 0 for w in d["workers"])
assert rows[0]["threads"] == "2" and rows[0]["cpu_list"] == "0"
assert rows[0]["check_violations"] == "0"
assert int(rows[0]["events"]) > 0
# Engine counters (docs/csv.md, in this order) and every call site.
names = ["queue_ops", "queue_nops", "pqstate_commit_retries",
         "relock_restarts", "reclaims", "alloc_failures", "reserv_breaks",
         "scan_pages", "scan_freed", "scan_skipped", "pv_restarts",
         "pa_restarts", "hold_fallbacks", "promotions", "promote_failures",
         "demotions", "pv_reclaims", "pv_reclaimed", "pv_chunk_allocs",
         "pv_chunk_frees", "pv_chunk_overcommits", "scan_inactive",
         "scan_active", "pd_wakeups", "pd_passes", "pd_ooms", "vm_waits",
         "vm_wait_ns", "free_find_steps", "free_far_afield",
         "free_lastq_hits", "page_hash_hits", "page_hash_misses",
         "page_hash_fails", "fault_around_lookups"]
assert list(d["counters"]) == names, list(d["counters"])
assert all(isinstance(v, int) and v >= 0 for v in d["counters"].values())
assert d["counters"]["queue_ops"] > 0 and d["counters"]["pv_chunk_allocs"] > 0
assert d["sites_left_off"] == 0 and len(d["sites"]) > 0
for s in d["sites"]:
    assert set(s) == {"site", "lock_class", "acquisitions", "contended",
                      "cas_retries", "wait_total_ns", "hold_total_ns"}, s
# The sites of a class add up to the class's row.
for r in rows:
    if r["lock_instance"]:
        continue
    lc = r["lock_class"]
    for k in ("acquisitions", "contended", "cas_retries"):
        got = sum(s[k] for s in d["sites"] if s["lock_class"] == lc)
        assert got == int(r[k]), (lc, k, got, r[k])
PY

# Wait statistics as perf lock contention and lockstat define them: over
# the contended acquisitions (count, total, avg, max, percentiles), hold
# over all; each class's share of the contention; the JSON histograms give
# the CSV's figures back exactly.
python3 - "$T/r.json" "$T/r.csv" <<'PY' || fail "contended-only wait statistics"
import csv, json, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
def lower(b):
    if b < 64:
        return b
    k = (b - 64) // 16 + 6
    return (1 << k) + (((b - 64) % 16) << (k - 4))
def quantile(h, q):
    n = h["count"]
    if n == 0:
        return 0
    rank = min(int(q * n), n - 1)
    seen = 0
    for b, c in h["buckets"]:
        seen += c
        if seen > rank:
            break
    lo, hi = lower(b), lower(b + 1) if b + 1 < 512 else lower(b)
    return min(lo + (hi - lo) // 2, h["max_ns"])
hist = {(h["lock_class"], h["lock_instance"]): h for h in d["histograms"]}
assert len(hist) == len(rows)
shares = 0.0
for r in rows:
    assert r["schema"] == "4" and r["status"] == "complete", r
    assert r["hold_sample"] == "1", r
    h = hist[r["lock_class"], r["lock_instance"]]
    w, hd = h["wait"], h["hold"]
    n = int(r["contended"])
    assert int(r["wait_count"]) == n == w["count"], (r["lock_class"], n, w)
    assert w["sum_ns"] == int(r["wait_total_ns"])
    assert w["max_ns"] == int(r["wait_max_ns"])
    assert int(r["wait_avg_ns"]) == (w["sum_ns"] // n if n else 0)
    for q, col in ((0.5, "wait_p50_ns"), (0.9, "wait_p90_ns"),
                   (0.99, "wait_p99_ns"), (0.999, "wait_p999_ns")):
        assert quantile(w, q) == int(r[col]), (r["lock_class"], col)
        assert quantile(hd, q) == int(r[col.replace("wait", "hold")])
    assert hd["count"] == int(r["acquisitions"]), r["lock_class"]
    assert sum(c for _, c in w["buckets"]) == n
    if not r["lock_instance"]:
        shares += float(r["contention_share_pct"])
    assert r["pace_behind_max_ns"] == ""        # --pace asap
    assert (r["run_index"], r["runs"], r["shard"]) == ("0", "1", "0/1")
total = sum(int(r["contended"]) for r in rows if not r["lock_instance"])
assert abs(shares - (100.0 if total else 0.0)) < 0.01, shares
PY

# Lock instances (docs/csv.md): the page-queue locks one by one after the
# class rows, the ones docs/csv.md lists; they add up to their class's
# row, and their share is of all classes' contention, as lockstat's.
lock_classes >"$T/classes"
lock_instances >"$T/instances"
python3 - "$T/r.csv" "$T/classes" "$T/instances" <<'PY' || fail "lock instances"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
classes = open(sys.argv[2]).read().split()
insts = open(sys.argv[3]).read().split()
cls = [r for r in rows if not r["lock_instance"]]
ins = [r for r in rows if r["lock_instance"]]
assert [r["lock_class"] for r in cls] == classes, [r["lock_class"] for r in cls]
assert [r["lock_instance"] for r in ins] == insts, ins
assert rows[:len(cls)] == cls, "instance rows before the class rows"
total = sum(int(r["contended"]) for r in cls)
for r in ins:
    assert r["lock_class"] == "pagequeue", r
    share = 100.0 * int(r["contended"]) / total if total else 0.0
    assert abs(float(r["contention_share_pct"]) - share) < 0.001, r
pq = next(r for r in cls if r["lock_class"] == "pagequeue")
for k in ("acquisitions", "contended", "wait_total_ns"):
    assert sum(int(r[k]) for r in ins) == int(pq[k]), k
assert int(next(r for r in ins if r["lock_instance"] ==
                "vm_dom[0].inactive")["acquisitions"]) > 0
PY
grep -q "^$NINST lock instances:" "$T/table" || fail "no lock-instance table"
grep -q '^vm_dom\[0\]\.inactive  *pagequeue  *[0-9]' "$T/table" ||
    fail "no inactive page-queue row in the instance table"

# The human tables: 100 columns by default, times with units, --wide for
# every column, --sort and -E as perf lock contention has.
awk 'length($0) > 100 && !/^note: / {
    print; bad = 1 } END { exit bad }' "$T/table" ||
    fail "the default table is wider than 100 columns"
grep -q "^$NCLASSES lock classes by wait_total:" "$T/table" || fail "no lock table"
grep -Eq "^($(lock_classes | paste -sd'|')) .* (ns|us|ms|s)\$" \
    "$T/table" || fail "no times with units in the lock table"
grep -q 'share%' "$T/table" || fail "no share% column"
"$PR" replay "$T/b.prt" --threads 2 --cpus 0 --wide --sort contended -E 2 \
    >"$T/wide" 2>&1 || fail "replay --wide --sort -E"
grep -q '^top 2 lock classes by contended:' "$T/wide" || fail "-E 2 lock table"
grep -q '^top 2 of [0-9]* call sites by contended:' "$T/wide" ||
    fail "-E 2 call-site table"
grep -q 'p99.9 wait' "$T/wide" || fail "--wide: no p99.9 wait"
grep -q 'atomics' "$T/wide" || fail "--wide: no atomics"
python3 - "$T/wide" <<'PY' || fail "-E 2 --sort contended: not 2 rows in order"
import sys
lines = open(sys.argv[1]).read().split("\n")
i = next(i for i, l in enumerate(lines) if l.endswith("classes by contended:"))
j = next(j for j in range(i, len(lines)) if lines[j].startswith("("))
assert j - i - 2 == 2, lines[i:j]
vals = [int(l.split()[2]) for l in lines[i + 2:j]]
assert vals == sorted(vals, reverse=True), vals
PY
expect_error 2 "$PR" replay "$T/b.prt" --sort nosuchkey
expect_error 2 "$PR" replay "$T/b.prt" -E 0

# A run stopped early says so (status; loops says what ran); a warm-up past
# the end of the trace is an error; --pace recorded says how far behind.
"$PR" replay "$T/b.prt" --threads 2 --loop 1000000 --duration 0.2s \
    --csv "$T/dur.csv" >/dev/null 2>&1 || fail "replay --duration"
[ "$(csv_col "$T/dur.csv" page status)" = stopped ] ||
    fail "--duration: status not 'stopped'"
loops=$(csv_col "$T/dur.csv" page loops)
[ "$loops" -ge 1 ] && [ "$loops" -lt 1000000 ] ||
    fail "--duration: loops $loops is not what ran"
expect_error 1 "$PR" replay "$T/b.prt" --warmup 20000
grep -q 'nothing would be measured' "$T/err" || fail "--warmup N past the end"
expect_error 1 "$PR" replay "$T/b.prt" --warmup 60s
grep -q 'nothing was measured' "$T/err" || fail "--warmup DUR past the end"
"$PR" replay "$T/b.prt" --threads 2 --pace recorded --csv "$T/pace.csv" \
    >"$T/pace.out" 2>&1 || fail "replay --pace recorded"
grep -Eq '^pace recorded:1: (fell behind|kept)' "$T/pace.out" ||
    fail "--pace recorded: no word on the lag"
csv_col "$T/pace.csv" page pace_behind_max_ns | grep -Eq '^[0-9]+$' ||
    fail "--pace recorded: no pace_behind_max_ns"

# --scale 3 replays three times the events.
"$PR" replay "$T/b.prt" --threads 2 --scale 3 --csv "$T/s3.csv" >/dev/null ||
    fail "replay --scale"
python3 - "$T/r.csv" "$T/s3.csv" <<'PY' || fail "--scale 3 events"
import csv, sys
a = next(csv.DictReader(open(sys.argv[1])))
b = next(csv.DictReader(open(sys.argv[2])))
assert int(b["events"]) == 3 * int(a["events"]), (a["events"], b["events"])
assert b["scale"] == "3" and b["scale_mode"] == "disjoint"
PY

# sweep: rows = product x repeats x lock classes; shards add up to it.
SW="--threads 1,2 --page pagelock,refcount --queue locked,batch:8 --repeat 2"
"$PR" sweep "$T/b.prt" $SW --csv "$T/full.csv" --plot "$T/full.svg" \
    >/dev/null 2>"$T/err" || { cat "$T/err"; fail "sweep"; }
grep -q "^sweep: wrote 16 runs x $NCLASSES lock classes and $NINST lock instances to $T/full.csv\$" "$T/err" ||
    fail "sweep: no one-line summary"
[ "$(wc -l <"$T/full.csv")" -eq $((2 * 2 * 2 * 2 * NROWS + 1)) ] ||
    fail "sweep: $(wc -l <"$T/full.csv") lines, wanted $((16 * NROWS + 1))"
"$PR" sweep "$T/b.prt" --threads 1,2 --json "$T/sw.json" --csv "$T/sw.csv" \
    >/dev/null || fail "sweep --json"
python3 - "$T/sw.json" <<'PY' || fail "sweep --json: not 2 run documents"
import json, os, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 2 and all(len(r["rows"]) == int(os.environ["NROWS"])
                           for r in d)
assert [r["rows"][0]["threads"] for r in d] == [1, 2]
PY
# A design spec with a comma inside a list.
"$PR" sweep "$T/b.prt" --threads 1 --page pagelock:128,nopad,refcount \
    --csv "$T/nopad.csv" >/dev/null || fail "sweep --page pagelock:128,nopad"
python3 - "$T/nopad.csv" <<'PY' || fail "pagelock:128,nopad not one design"
import csv, sys
pages = sorted({r["page"] for r in csv.DictReader(open(sys.argv[1]))})
assert len(pages) == 2 and pages[1] == "refcount", pages
assert pages[0].startswith("pagelock:128"), pages
PY
for i in 0 1 2; do
	"$PR" sweep "$T/b.prt" $SW --shard $i/3 --csv "$T/shard$i.csv" \
	    --json "$T/shard$i.json" >/dev/null 2>&1 ||
	    fail "sweep --shard $i/3"
	head -1 "$T/shard$i.csv" | grep -q '^run_id' ||
	    fail "shard $i wrote no header"
done
"$PR" merge -o "$T/union.csv" "$T/shard2.csv" "$T/shard0.csv" \
    "$T/shard1.csv" 2>/dev/null || fail "merge"
"$PR" merge -o "$T/union.json" "$T/shard1.json" "$T/shard0.json" \
    "$T/shard2.json" 2>/dev/null || fail "merge JSON"
python3 - "$T/union.csv" "$T/union.json" <<'PY' || fail "merged CSV/JSON"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
runs = [int(r["run_index"]) for r in rows]
assert runs == sorted(runs) and sorted(set(runs)) == list(range(16)), runs
assert {r["shard"] for r in rows} == {"0/3", "1/3", "2/3"}
d = json.load(open(sys.argv[2]))
assert [x["rows"][0]["run_index"] for x in d] == list(range(16))
PY
expect_error 1 "$PR" merge -o "$T/m.csv" "$T/shard0.csv" "$T/shard2.csv"
grep -q 'missing' "$T/err" || fail "merge: a missing shard not named"
expect_error 1 "$PR" merge -o "$T/m.csv" "$T/shard0.csv" "$T/shard1.csv" \
    "$T/shard2.csv" "$T/shard1.csv"
grep -q 'twice' "$T/err" || fail "merge: a duplicated shard not named"
expect_error 1 "$PR" merge -o "$T/m.json" "$T/shard0.json" "$T/shard1.json"
expect_error 1 "$PR" merge -o "$T/shard0.csv" "$T/shard0.csv" \
    "$T/shard1.csv" "$T/shard2.csv"
[ -e "$T/m.csv" ] || [ -e "$T/m.json" ] && fail "a refused merge left a file"
"$PR" plot "$T/shard1.csv" -o "$T/lone.svg" || fail "a lone shard does not plot"
python3 - "$T/full.csv" "$T/union.csv" <<'PY' || fail "shards' union != full sweep"
import csv, os, sys
key = ("repeat", "threads", "page", "queue", "pv", "pvchunk", "scale",
       "lock_class", "lock_instance", "events")
def rows(p):
    return sorted(tuple(r[k] for k in key) for r in csv.DictReader(open(p)))
a, b = rows(sys.argv[1]), rows(sys.argv[2])
assert len(a) == 16 * int(os.environ["NROWS"]) and a == b, (len(a), len(b))
PY

# The sweep's chart: an SVG naming every design series.
python3 - "$T/full.svg" "$T/full.csv" <<'PY' || fail "sweep --plot SVG"
import csv, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag.endswith("svg")
text = " ".join(t.strip() for t in root.itertext())
rows = list(csv.DictReader(open(sys.argv[2])))
# A panel per page design, a line per queue design (plot.h).
panels = {"page=" + r["page"] for r in rows}
series = {r["queue"] for r in rows}
assert len(panels) == 2 and len(series) == 2, (panels, series)
for s in sorted(panels | series) + ["worker threads", "million events/s"]:
    assert s in text, s
PY
"$PR" plot "$T/union.csv" -o "$T/hold.svg" --kind hold || fail "plot hold"
python3 -c "import xml.etree.ElementTree as E,sys; E.parse(sys.argv[1])" \
    "$T/hold.svg" || fail "hold SVG"
"$PR" plot "$T/full.csv" -o "$T/wait.svg" --kind wait --where threads=2 ||
    fail "plot wait"
python3 - "$T/wait.svg" <<'PY' || fail "wait SVG"
import sys, xml.etree.ElementTree as ET
text = " ".join(t.strip() for t in ET.parse(sys.argv[1]).getroot().itertext())
assert "wait p99 (ns)" in text and "batch size" in text
assert "threads=1" not in text  # --where threads=2: one panel
PY
"$PR" plot "$T/full.csv" -o "$T/full.png" || fail "plot png"
[ "$(head -c 4 "$T/full.png" | od -An -c | tr -d ' ')" = '211PNG' ] ||
    fail "not a PNG"

# SIGINT ends a long replay early: partial figures, status 1, CSV kept.
"$PR" replay "$T/b.prt" --threads 2 --loop 1000000 --csv "$T/int.csv" \
    >"$T/int.out" 2>"$T/int.err" &
pid=$!
# Its handler is in place once the CSV's temporary file exists (replay
# creates its outputs after catching the signals): wait for it (30 s at
# most; exec and start-up may take seconds on a loaded machine).
i=0
until ls "$T"/int.csv.part.* >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -le 300 ] || { kill -9 $pid; fail "replay did not start in 30 s"; }
	sleep 0.1
done
sleep 1
kill -INT $pid
wait $pid && fail "interrupted replay exited 0"
grep -q interrupted "$T/int.err" || fail "no 'interrupted' message"
[ "$(wc -l <"$T/int.csv")" -eq $((NROWS + 1)) ] ||
    fail "interrupted replay: no CSV"
[ "$(csv_col "$T/int.csv" page status)" = interrupted ] ||
    fail "interrupted replay: status not 'interrupted'"

# gnuplot missing: one clear line, no chart left behind.
expect_error 1 env PATH=/nonexistent "$PR" plot "$T/full.csv" -o "$T/no.svg"
grep -q gnuplot "$T/err" || fail "gnuplot not named"
ls "$T" | grep -q '^no\.svg' && fail "a failed plot left a file"

# Bad input.
printf 'not a trace at all, just text\n' >"$T/junk.prt"
head -c 3000 "$T/b.prt" >"$T/cut.prt"
expect_error 2 "$PR" replay "$T/b.prt" --page nosuchdesign
expect_error 2 "$PR" replay "$T/b.prt" --queue batch:x
expect_error 2 "$PR" replay "$T/b.prt" --cpus 0-
expect_error 2 "$PR" replay "$T/b.prt" --cpus 4095
expect_error 2 "$PR" replay "$T/b.prt" --threads 0
expect_error 2 "$PR" replay "$T/b.prt" --pace sometimes
expect_error 2 "$PR" replay
expect_error 1 "$PR" replay "$T/missing.prt"
expect_error 1 "$PR" replay "$T/junk.prt"
expect_error 1 "$PR" replay "$T/cut.prt"
expect_error 2 "$PR" sweep "$T/b.prt" --threads 1,,2
expect_error 2 "$PR" sweep "$T/b.prt" --threads 1,two
expect_error 2 "$PR" sweep "$T/b.prt" --queue locked,bogus
expect_error 2 "$PR" sweep "$T/b.prt" --shard 3/3
expect_error 2 "$PR" plot "$T/full.csv" -o "$T/x.pdf"
expect_error 1 "$PR" plot "$T/b.prt" -o "$T/x.svg"
echo "ok"
