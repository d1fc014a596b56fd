#!/bin/sh
# stream_memory.sh PAGEREPLAY - replay streams its trace: the peak
# resident memory of a replay does not grow with the trace's length.
# Two synthetic sendfile traces of one workload (200 files, so the
# model's objects do not grow with the length), 1 M and 4 M events, are
# replayed on a small model (--phys-mem 64M); the longer one may take at
# most 24 MiB more at its peak (seen: 0.1 MiB; 9-38 MiB before replay
# fixed glibc's mmap threshold, session.c).  Holding the events
# in memory, as replay did before it streamed, costs 76 bytes per event:
# 228 MiB more here (375 MiB measured).
set -u
. "$(dirname "$0")/../lib.sh"
PR=$1

for n in 1000000 4000000; do
	"$PR" synth sendfile --seed 1 --events $n --files 200 --file-size 8K \
	    --chunk 8K -o "$T/s$n.prt" >/dev/null || fail "synth $n"
done

# Peak RSS (KiB) of one replay, from the kernel's accounting of the child.
peak() {
	python3 - "$PR" "$1" <<'PY'
import resource, subprocess, sys
r = subprocess.run([sys.argv[1], "replay", sys.argv[2], "--threads", "2",
                    "--no-hwc", "--no-timing", "--phys-mem", "64M"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
if r.returncode != 0:
    sys.stderr.write(r.stderr.decode())
    sys.exit(1)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}

small=$(peak "$T/s1000000.prt") || fail "replay of 1 M events"
large=$(peak "$T/s4000000.prt") || fail "replay of 4 M events"
echo "peak RSS: 1 M events $small KiB, 4 M events $large KiB"
[ "$large" -le $((small + 24 * 1024)) ] ||
    fail "4 M events took $((large - small)) KiB more than 1 M (limit 24 MiB)"
