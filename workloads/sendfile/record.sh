#!/usr/bin/env bash
# workloads/sendfile/record.sh - record the sendfile workload twice at once:
# sfserver under wrk load on loopback, with eBPF (`pagereplay record -p`,
# the server's page-level events) and with libpcap (`record --iface lo`,
# its HTTP traffic turned into sendfile events).  See docs/workloads.md.
#
#   workloads/sendfile/record.sh [options]
#     -B DIR          build directory (default: build)
#     -o DIR          where the traces go (default: .)
#     --name NAME     trace names NAME-ebpf.prt, NAME-pcap.prt (default:
#                     sendfile, or sendfile-nocache with --nocache)
#     --nocache       server drops each body's pages after sending (like
#                     SF_NOCACHE); pcap events carry the NOCACHE flag
#     --files N       files served (default: 200, ~30 MB)
#     --duration S    seconds of load (default: 10)
#     --requests N    stop the load after about N responses (default: 20000)
#     --conns N       client connections (default: 32)
#     --threads N     server threads (default: 2)
#     --seed N        file sizes and request stream (default: 1)
#     --warm          leave the files in the page cache (default: drop
#                     them first, so the run reads them in)
#     --pcap-file F   also keep tcpdump's capture (headers only) in F
#
# Needs root (eBPF and live capture), wrk, and a build with libpcap.
# Loopback only: the server binds 127.0.0.1 and the capture reads lo.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$ROOT/build
outdir=.
name=
nocache=
files=200
duration=10
requests=20000
conns=32
threads=2
seed=1
warm=
pcapfile=

die() { echo "record.sh: $*" >&2; exit 1; }
usage() { sed -n '2,25s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit "$1"; }
number() { [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -gt 0 ] ||
    { echo "record.sh: $1 $2: expected a positive number" >&2; exit 2; }; }

while [ $# -gt 0 ]; do
	case $1 in
	-B) build=$2; shift ;;
	-o) outdir=$2; shift ;;
	--name) name=$2; shift ;;
	--nocache) nocache=--nocache ;;
	--files) number "$1" "$2"; files=$2; shift ;;
	--duration) number "$1" "$2"; duration=$2; shift ;;
	--requests) number "$1" "$2"; requests=$2; shift ;;
	--conns) number "$1" "$2"; conns=$2; shift ;;
	--threads) number "$1" "$2"; threads=$2; shift ;;
	--seed) number "$1" "$2"; seed=$2; shift ;;
	--warm) warm=1 ;;
	--pcap-file) pcapfile=$2; shift ;;
	-h|--help) usage 0 ;;
	*) echo "record.sh: unknown option $1" >&2; usage 2 ;;
	esac
	shift
done
[ -n "$name" ] || name=sendfile${nocache:+-nocache}

PR=$build/pagereplay
SF=$build/workloads/sendfile/sfserver
[ -x "$PR" ] && [ -x "$SF" ] ||
    die "no $PR or $SF: build first (scripts/setup $build)"
[ "$(id -u)" = 0 ] || die "needs root (eBPF and live capture)"
command -v wrk >/dev/null || die "needs wrk (apt-get install wrk)"
if [ -n "$pcapfile" ]; then
	command -v tcpdump >/dev/null || die "--pcap-file needs tcpdump"
fi
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

tmp=$(mktemp -d /tmp/pr-sendfile-XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# The files: sizes from a seeded mix, 70% 4-64 KiB, 27% 64-512 KiB,
# 3% 512 KiB-2 MiB, in a manifest that zipf.lua reads.  File i is rank i+1 in
# popularity.
mkdir "$tmp/www"
awk -v n="$files" -v seed="$seed" 'BEGIN {
	srand(seed)
	for (i = 0; i < n; i++) {
		u = rand()
		if (u < 0.70)
			sz = 4096 + int(rand() * 61440)
		else if (u < 0.97)
			sz = 65536 + int(rand() * 458752)
		else
			sz = 524288 + int(rand() * 1572864)
		printf "f%05d.bin %d\n", i, sz
	}
}' >"$tmp/manifest"
while read -r f sz; do
	head -c "$sz" /dev/urandom >"$tmp/www/$f"
done <"$tmp/manifest"
sync -f "$tmp/www"
if [ -z "$warm" ]; then
	# Written pages are clean after the sync; drop them.
	for f in "$tmp"/www/*; do
		dd if="$f" iflag=nocache count=0 status=none
	done
fi
echo "record.sh: $files files, $(du -sh "$tmp/www" | cut -f1)," \
    "$( [ -n "$warm" ] && echo cached || echo not cached)" >&2

"$SF" -d "$tmp/www" -p 0 -t "$threads" --port-file "$tmp/port" $nocache \
    2>"$tmp/sfserver.log" &
sfpid=$!
pids+=("$sfpid")
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || die "sfserver did not start: $(cat "$tmp/sfserver.log")"
port=$(cat "$tmp/port")
url=http://127.0.0.1:$port

ebpf=$outdir/$name-ebpf.prt
pcap=$outdir/$name-pcap.prt
rm -f "$ebpf" "$pcap"
"$PR" record -p "$sfpid" $nocache -o "$ebpf" >"$tmp/ebpf.log" 2>&1 &
ebpfpid=$!
pids+=("$ebpfpid")
"$PR" record --iface lo --filter "tcp port $port" $nocache -o "$pcap" \
    >"$tmp/pcap.log" 2>&1 &
pcappid=$!
pids+=("$pcappid")
if [ -n "$pcapfile" ]; then
	tcpdump -i lo -s 512 -U -w "$pcapfile" "tcp port $port" \
	    2>"$tmp/tcpdump.log" &
	tcpdumppid=$!
	pids+=("$tcpdumppid")
fi
# Wait for both recorders (and tcpdump): the eBPF one writes its header
# once attached, the live capture says "listening on".
for _ in $(seq 300); do
	[ -s "$ebpf" ] && grep -q 'listening on' "$tmp/pcap.log" &&
	    { [ -z "$pcapfile" ] || grep -q 'listening on' "$tmp/tcpdump.log"; } &&
	    break
	sleep 0.1
done
[ -s "$ebpf" ] || die "eBPF recorder did not start: $(cat "$tmp/ebpf.log")"
grep -q 'listening on' "$tmp/pcap.log" ||
    die "live capture did not start: $(cat "$tmp/pcap.log")"
sleep 0.5

cmd="wrk -t2 -c$conns -d${duration}s -s $ROOT/workloads/sendfile/zipf.lua $url"
echo "record.sh: $cmd -- MANIFEST 1.0 0.3 $((requests / 2)) $seed" >&2
$cmd -- "$tmp/manifest" 1.0 0.3 $((requests / 2)) "$seed" >"$tmp/wrk.log" ||
    die "wrk failed: $(cat "$tmp/wrk.log")"
sed 's/^/    /' "$tmp/wrk.log" >&2

# Let a loaded machine deliver the last packets to the live capture.
sleep 2
kill -INT "$pcappid"
wait "$pcappid" || die "record --iface failed: $(cat "$tmp/pcap.log")"
if [ -n "$pcapfile" ]; then
	kill -INT "$tcpdumppid"
	wait "$tcpdumppid" || true
fi
kill -TERM "$sfpid"		# record -p ends with its process
wait "$sfpid" || true
wait "$ebpfpid" || die "record -p failed: $(cat "$tmp/ebpf.log")"
pids=()
cat "$tmp/sfserver.log" "$tmp/ebpf.log" "$tmp/pcap.log" >&2
echo "record.sh: wrote $ebpf and $pcap" >&2
