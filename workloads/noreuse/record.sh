#!/usr/bin/env bash
# workloads/noreuse/record.sh - record a streaming reader that tells the
# kernel it will not reuse what it read: a file read three times in 1 MiB
# chunks, each chunk followed by posix_fadvise(POSIX_FADV_NOREUSE) on it
# (what a backup or media streamer does to keep its data out of the way),
# the file dropped from the page cache first.  Each advice becomes a
# deactivate flagged HEAD (FreeBSD: a read in a NOREUSE region ends with
# VOP_ADVISE(POSIX_FADV_DONTNEED) of what it read, vn_read(), whose
# vop_stdadvise() calls vm_page_deactivate_noreuse() on the resident
# pages).  See docs/workloads.md.
#
#   workloads/noreuse/record.sh [options]
#     -B DIR          build directory of pagereplay (default: build)
#     -o FILE         trace to write (default: noreuse-stream.prt)
#     --dir DIR       where the file goes (default: a temporary directory
#                     under /var/tmp, removed at the end)
#     --size MIB      file size in MiB (default: 64)
#     --passes N      sequential passes over the file (default: 3)
#
# Needs root (eBPF) and python3.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$ROOT/build
out=noreuse-stream.prt
dir=
size=64
passes=3

die() { echo "record.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	-B) build=$2; shift ;;
	-o) out=$2; shift ;;
	--dir) dir=$2; shift ;;
	--size) size=$2; shift ;;
	--passes) passes=$2; shift ;;
	-h|--help) sed -n '2,21s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
	*) echo "record.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

PR=$(cd "$build" 2>/dev/null && pwd)/pagereplay
[ -x "$PR" ] || die "no $PR: build first (scripts/setup $build)"
[ "$(id -u)" = 0 ] || die "needs root (eBPF)"
# The system's interpreter: a version manager's shim would be recorded too.
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || die "needs python3"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
if [ -z "$dir" ]; then
	dir=$(mktemp -d /var/tmp/pr-noreuse-XXXXXX)
	trap 'rm -rf "$dir"' EXIT
fi

# The file, written and synced, then dropped from the page cache.
head -c "$((size * 1048576))" /dev/urandom >"$dir/stream.dat"
sync "$dir/stream.dat"
"$py" -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
os.close(fd)' "$dir/stream.dat"

"$PR" record -o "$out" -- "$py" -c '
import os, sys
path, passes = sys.argv[1], int(sys.argv[2])
chunk = 1 << 20
for _ in range(passes):
    fd = os.open(path, os.O_RDONLY)
    off = 0
    while True:
        n = len(os.pread(fd, chunk, off))
        if n == 0:
            break
        os.posix_fadvise(fd, off, n, os.POSIX_FADV_NOREUSE)
        off += n
    os.close(fd)' "$dir/stream.dat" "$passes" || die "record failed"
"$PR" info "$out"
