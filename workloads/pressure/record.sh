#!/usr/bin/env bash
# workloads/pressure/record.sh - the build workload (workloads/build) under
# memory pressure: the build runs in a memory cgroup limited to SIZE, so
# that page reclaim (its own direct reclaim: a cgroup's limit does not wake
# kswapd) and writeback happen while it is recorded.  See docs/workloads.md.
#
#   workloads/pressure/record.sh [options] [-- build/record.sh options]
#     -B DIR          build directory of pagereplay (default: build)
#     -o FILE         trace to write (default: build-PKG-pressure.prt, or
#                     build-self-pressure.prt with -- --self)
#     --memory-max SZ the cgroup's limit (default: 80M)
#
# Needs what workloads/build/record.sh needs, and a memory cgroup
# controller (v2 memory.max, else v1 memory.limit_in_bytes).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$ROOT/build
out=
memmax=80M

while [ $# -gt 0 ]; do
	case $1 in
	-B) build=$2; shift ;;
	-o) out=$2; shift ;;
	--memory-max) memmax=$2; shift ;;
	--) shift; break ;;
	-h|--help) sed -n '2,15s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
	*) echo "record.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
if [ -z "$out" ]; then
	out=build-zstd-pressure.prt
	for a in "$@"; do [ "$a" = --self ] && out=build-self-pressure.prt; done
fi
exec "$ROOT/workloads/build/record.sh" -B "$build" -o "$out" \
    --memory-max "$memmax" --cold "$@"
