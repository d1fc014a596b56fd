#!/bin/sh
# simulate_cli.sh PAGEREPLAY - `pagereplay simulate` end to end on a small
# synthetic trace: two runs with the same options and seed give the same
# CSV in every column but the run's identity and the host's facts; the
# rows say mode simulate and the machine; a contended run at 8 CPUs has
# waits; --machine host measures first; bad options give one line and
# status 2.
set -u
. "$(dirname "$0")/../lib.sh"
PR=$1

"$PR" synth build --seed 1 --events 20000 -o "$T/b.prt" >/dev/null ||
    fail "synth build"

for i in 1 2; do
	"$PR" simulate "$T/b.prt" --cpus 1,8 --machine epyc-64 --seed 5 \
	    --partition object --check --csv "$T/s$i.csv" --json "$T/s$i.json" \
	    >"$T/table$i" 2>"$T/err" || { cat "$T/err"; fail "simulate $i"; }
done
grep -q '^simulated 8 virtual CPUs of epyc-64' "$T/table1" ||
    fail "no 'simulated' line"
python3 - "$T/s1.csv" "$T/s2.csv" "$T/s1.json" <<'PY' || fail "determinism"
import csv, json, os, sys
skip = {"run_id", "date", "host", "cpus", "cpu_model", "kernel"}
a = list(csv.DictReader(open(sys.argv[1])))
b = list(csv.DictReader(open(sys.argv[2])))
assert len(a) == len(b) == 2 * int(os.environ["NROWS"]), (len(a), len(b))
for ra, rb in zip(a, b):
    for k in ra:
        if k not in skip and ra[k] != rb[k]:
            sys.exit("column %s differs: %s vs %s" % (k, ra[k], rb[k]))
    assert ra["mode"] == "simulate" and ra["machine"] == "epyc-64", ra
    assert ra["seed"] == "5" and ra["think"] == "0ns", ra
    assert ra["check_violations"] == "0", ra
eight = [r for r in a if r["threads"] == "8"]
assert sum(int(r["contended"]) for r in eight) > 0, "no contention at 8"
assert sum(int(r["wait_total_ns"]) for r in eight) > 0, "no wait at 8"
docs = json.load(open(sys.argv[3]))
assert isinstance(docs, list) and len(docs) == 2, "JSON: not 2 documents"
PY

# sweep --simulate: the same figures as simulate for the same run.
"$PR" sweep "$T/b.prt" --simulate --threads 8 --machine epyc-64 --seed 5 \
    --partition object --check --csv "$T/w.csv" >/dev/null 2>"$T/err" ||
    { cat "$T/err"; fail "sweep --simulate"; }
python3 - "$T/s1.csv" "$T/w.csv" <<'PY' || fail "sweep --simulate differs"
import csv, os, sys
skip = {"run_id", "date", "host", "cpus", "cpu_model", "kernel",
        "run_index", "runs"}
a = [r for r in csv.DictReader(open(sys.argv[1])) if r["threads"] == "8"]
b = list(csv.DictReader(open(sys.argv[2])))
assert len(a) == len(b) == int(os.environ["NROWS"]), (len(a), len(b))
for ra, rb in zip(a, b):
    for k in ra:
        if k not in skip and ra[k] != rb[k]:
            sys.exit("column %s differs: %s vs %s" % (k, ra[k], rb[k]))
PY
expect_error 2 "$PR" sweep "$T/b.prt" --machine epyc-64
expect_error 2 "$PR" sweep "$T/b.prt" --simulate --think calibrated

# A replay's rows say mode replay and leave the simulation's columns empty.
"$PR" replay "$T/b.prt" --threads 1 --cpus 0 --csv "$T/r.csv" \
    >/dev/null 2>"$T/err" || { cat "$T/err"; fail "replay"; }
[ "$(csv_col "$T/r.csv" page mode)" = replay ] || fail "replay: mode"
[ -z "$(csv_col "$T/r.csv" page machine)" ] || fail "replay: machine"

# The host machine is measured first and said so (its figures vary).
"$PR" simulate "$T/b.prt" --cpus 2 --machine host --csv "$T/h.csv" \
    >"$T/host" 2>"$T/err" || { cat "$T/err"; fail "simulate host"; }
grep -q '^host machine, measured: RMW [0-9]* ns' "$T/host" ||
    fail "no host measurement line"
grep -q '^work_ns [0-9]*, calibrated' "$T/host" || fail "host: no work_ns"
"$PR" simulate "$T/b.prt" --cpus 2 --think calibrated --csv "$T/c.csv" \
    >/dev/null 2>"$T/err" || { cat "$T/err"; fail "think calibrated"; }
csv_col "$T/c.csv" page think | grep -q '^calibrated:[0-9]*ns$' ||
    fail "think calibrated: column"
[ "$(csv_col "$T/h.csv" page machine)" = host ] || fail "host: machine"

expect_error 2 "$PR" simulate "$T/b.prt"
grep -q -- '--cpus' "$T/err" || fail "no --cpus: message"
expect_error 2 "$PR" simulate "$T/b.prt" --cpus 2 --pace recorded
expect_error 2 "$PR" simulate "$T/b.prt" --cpus 2 --machine vax
expect_error 2 "$PR" simulate "$T/b.prt" --cpus 0
expect_error 2 "$PR" simulate "$T/b.prt" --cpus 2 --think fast
expect_error 1 "$PR" simulate "$T/b.prt" --cpus 200 --machine xeon-2s-104
grep -q '104 hardware threads' "$T/err" || fail "too many CPUs: message"
exit 0
