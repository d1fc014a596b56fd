#!/bin/sh
# validate.sh BUILD_DIR [REPEATS] [MACHINE] - `simulate` against `replay`
# at 1 and 2 CPUs on the bundled traces: events/s (replay: median and
# range of REPEATS runs, default 5; simulate: one run, it is deterministic)
# and acquisitions per lock class, and the CPU time of simulate at 64
# virtual CPUs on the build trace.  Prints Markdown for docs/benchmarks.md.
set -eu
B=${1:?usage: validate.sh BUILD_DIR [REPEATS] [MACHINE]}
R=${2:-5}
M=${3:-xeon-2s-104}
PR=$B/pagereplay
TR=$(dirname "$0")/../../workloads/traces
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

echo "## simulate"
echo
echo "\`bench/simulate/validate.sh $B $R $M\`, $(date -u '+%Y-%m-%d %H:%M UTC'),"
echo "Linux $(uname -r), $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)),"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; default design."
echo
/usr/bin/time -f '%U %S %e %M' -o "$T/time" "$PR" simulate \
    "$TR/build-zstd.prt" --cpus 64 --machine "$M" --csv "$T/s64.csv" \
    >"$T/s64.out" 2>"$T/s64.err"
read -r u s e rss <"$T/time"
echo "### Speed"
echo
echo "build-zstd.prt (737 k events) at 64 virtual CPUs of $M: **$u s user +"
echo "$s s system** on one host core ($e s wall on the shared machine,"
echo "max RSS $((rss / 1024)) MiB).  Scheduling:"
echo
echo '```'
sed -n 's/^\(simulated .*\)/\1/p' "$T/s64.out" | fold -s -w 76
echo '```'
for tr in build-zstd sendfile-nocache-ebpf directio-fio; do
	for n in 1 2; do
		cpus=0
		[ "$n" -eq 2 ] && cpus=0,1
		i=0
		while [ "$i" -lt "$R" ]; do
			"$PR" replay "$TR/$tr.prt" --threads "$n" --cpus "$cpus" \
			    --csv "$T/r-$tr-$n-$i.csv" >/dev/null 2>&1
			i=$((i + 1))
		done
	done
	"$PR" simulate "$TR/$tr.prt" --cpus 1,2 --machine "$M" \
	    --csv "$T/s-$tr.csv" >/dev/null 2>&1
done
python3 - "$T" "$R" "$M" <<'PY'
import csv, glob, os, statistics, sys
T, R, M = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def runs(path):
    out = {}
    for r in csv.DictReader(open(path)):
        key = r["run_id"]
        out.setdefault(key, {"threads": int(r["threads"]),
                             "eps": float(r["events_per_s"]), "acq": {}})
        out[key]["acq"][r["lock_class"]] = int(r["acquisitions"])
    return list(out.values())
print()
print("### Against replay at 1 and 2 CPUs")
print()
print("events/s: replay's median [min–max] of %d runs on this host, "
      "simulate's one run on `%s` (virtual); acquisitions: replay's median "
      "and simulate's, the difference in percent." % (R, M))
for tr in ["build-zstd", "sendfile-nocache-ebpf", "directio-fio"]:
    sim = runs(os.path.join(T, "s-%s.csv" % tr))
    print()
    print("**%s**" % tr)
    print()
    classes = [c for c in sim[0]["acq"]]
    print("| CPUs | replay events/s | simulate events/s | " +
          " | ".join("%s acq. replay / sim (Δ %%)" % c for c in classes
                     if any(s["acq"][c] for s in sim)) + " |")
    print("|---" * (3 + sum(1 for c in classes
                            if any(s["acq"][c] for s in sim))) + "|")
    for n in (1, 2):
        rr = []
        for f in sorted(glob.glob(os.path.join(T, "r-%s-%d-*.csv" % (tr, n)))):
            rr += runs(f)
        s = [x for x in sim if x["threads"] == n][0]
        eps = [x["eps"] for x in rr]
        cells = ["%d" % n, "%.0f [%.0f–%.0f]" % (statistics.median(eps),
                 min(eps), max(eps)), "%.0f" % s["eps"]]
        for c in classes:
            if not any(x["acq"][c] for x in sim):
                continue
            med = statistics.median(x["acq"][c] for x in rr)
            d = 100.0 * (s["acq"][c] - med) / med if med else 0.0
            cells.append("%d / %d (%+.2f)" % (med, s["acq"][c], d))
        print("| " + " | ".join(cells) + " |")
PY
