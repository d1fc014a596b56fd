#!/usr/bin/env bash
# workloads/directio/record.sh - record O_DIRECT I/O: fio with direct=1
# (psync: pread/pwrite, which the recorder sees) on a file in a scratch
# directory, random reads and writes from several jobs, then an fsync'd
# buffered pass over the same file (writeback).  Each direct I/O becomes
# extract_hold + wire at the call and unwire at its return.  See
# docs/workloads.md.
#
#   workloads/directio/record.sh [options]
#     -B DIR          build directory of pagereplay (default: build)
#     -o FILE         trace to write (default: directio-fio.prt)
#     --dir DIR       where fio's file goes (default: a temporary directory
#                     under /var/tmp, removed at the end; not tmpfs, which
#                     has no O_DIRECT)
#     --size SZ       file size (default: 64M)
#     --runtime S     seconds of direct I/O (default: 5)
#     --jobs N        fio jobs (default: 2)
#
# Needs root (eBPF); installs Debian's fio with apt-get when it is missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$ROOT/build
out=directio-fio.prt
dir=
size=64M
runtime=5
jobs=2

die() { echo "record.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	-B) build=$2; shift ;;
	-o) out=$2; shift ;;
	--dir) dir=$2; shift ;;
	--size) size=$2; shift ;;
	--runtime) runtime=$2; shift ;;
	--jobs) jobs=$2; shift ;;
	-h|--help) sed -n '2,21s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
	*) echo "record.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

PR=$(cd "$build" 2>/dev/null && pwd)/pagereplay
[ -x "$PR" ] || die "no $PR: build first (scripts/setup $build)"
[ "$(id -u)" = 0 ] || die "needs root (eBPF)"
if ! command -v fio >/dev/null; then
	apt-get install -y -qq fio >/dev/null || die "apt-get install fio failed"
fi
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
if [ -z "$dir" ]; then
	dir=$(mktemp -d /var/tmp/pr-dio-XXXXXX)
	trap 'rm -rf "$dir"' EXIT
fi

echo "record.sh: fio $(fio --version) in $dir" >&2
"$PR" record -o "$out" -- sh -c '
	fio --name=dio --directory="$1" --filename=dio.dat --size="$2" \
	    --direct=1 --ioengine=psync --rw=randrw --rwmixread=70 \
	    --bsrange=4k-64k --numjobs="$3" --time_based --runtime="$4" \
	    --group_reporting --output=/dev/null &&
	fio --name=buffered --directory="$1" --filename=dio.dat --size="$2" \
	    --direct=0 --ioengine=psync --rw=randwrite --bs=4k \
	    --io_size=8M --end_fsync=1 --output=/dev/null' \
	    sh "$dir" "$size" "$jobs" "$runtime" ||
    die "record failed"
"$PR" info "$out"
