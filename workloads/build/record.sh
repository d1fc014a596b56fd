#!/usr/bin/env bash
# workloads/build/record.sh - record a real parallel build of a real C code
# base with eBPF: `pagereplay record -o OUT -- make -jN ...`.
# See docs/workloads.md.
#
#   workloads/build/record.sh [options]
#     -B DIR          build directory of pagereplay (default: build)
#     -o FILE         trace to write (default: build-zstd.prt, or
#                     build-self.prt with --self)
#     -j N            parallel jobs (default: 2)
#     --package PKG   Debian source package to fetch (default: zstd)
#     --make-args A   what make builds in the unpacked tree (default for
#                     zstd: "-C lib libzstd.a libzstd")
#     --self          build this project's own tree (git HEAD, with Meson
#                     and ninja) instead of a Debian package
#     --src DIR       build a fresh copy of the source tree DIR (e.g. an
#                     upstream checkout) instead of a Debian package
#     --work DIR      keep the sources and apt state in DIR (default: a
#                     temporary directory, removed at the end)
#     --cold          drop the source tree from the page cache first
#     --memory-max SZ run the build in a memory cgroup limited to SZ bytes
#                     (cgroup v2 memory.max, else v1 memory.limit_in_bytes;
#                     e.g. 80M) so that reclaim and writeback happen in it
#
# The Debian sources come with `apt-get source` through a private apt
# configuration whose deb-src lines are derived from this machine's own apt
# sources (same URIs and suites); the system's configuration is never
# edited.  Needs root (eBPF), network access to the Debian mirror, and
# dpkg-dev (dpkg-source).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$ROOT/build
out=
jobs=2
package=zstd
make_args=
self=
srcdir=
work=
cold=
memmax=
cg=

usage() { sed -n '2,29s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit "$1"; }
die() { echo "record.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	-B) build=$2; shift ;;
	-o) out=$2; shift ;;
	-j) [[ $2 =~ ^[1-9][0-9]*$ ]] || { echo "record.sh: -j $2:" \
	    "expected a positive number" >&2; exit 2; }; jobs=$2; shift ;;
	--package) package=$2; shift ;;
	--make-args) make_args=$2; shift ;;
	--self) self=1 ;;
	--src) srcdir=$2; shift ;;
	--work) work=$2; shift ;;
	--cold) cold=1 ;;
	--memory-max) memmax=$2; shift ;;
	-h|--help) usage 0 ;;
	*) echo "record.sh: unknown option $1" >&2; usage 2 ;;
	esac
	shift
done
if [ -z "$out" ]; then
	if [ -n "$self" ]; then out=build-self.prt; else out=build-$package.prt; fi
fi
if [ -z "$make_args" ] && [ "$package" = zstd ]; then
	make_args="-C lib libzstd.a libzstd"
fi

PR=$(cd "$build" 2>/dev/null && pwd)/pagereplay
[ -x "$PR" ] || die "no $PR: build first (scripts/setup $build)"
[ "$(id -u)" = 0 ] || die "needs root (eBPF)"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

if [ -z "$work" ]; then
	work=$(mktemp -d /tmp/pr-build-XXXXXX)
	tmpwork=1
	trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)

# deb-src lines for every enabled "deb" source of this machine, one-line
# format (sources.list and deb822 *.sources).
derive_deb_src() {
	local f
	if [ -f /etc/apt/sources.list ]; then
		sed -n 's/^[[:space:]]*deb[[:space:]]\{1,\}/deb-src /p' \
		    /etc/apt/sources.list
	fi
	for f in /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]\{1,\}/deb-src /p' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && enabled != "no")
				for (i = 1; i <= nu; i++)
					for (j = 1; j <= ns; j++)
						printf "deb-src %s%s %s %s\n",
						    (key != "" ? "[signed-by=" key "] " : ""),
						    u[i], s[j], comps
			types = comps = key = ""; enabled = "yes"; nu = ns = 0
		}
		/^[[:space:]]*#/ { next }
		/^[[:space:]]*$/ { flush(); next }
		{
			field = tolower($1); sub(/:$/, "", field)
			val = $0; sub(/^[^:]*:[[:space:]]*/, "", val)
			if (field == "types") types = val
			else if (field == "uris") nu = split(val, u, " ")
			else if (field == "suites") ns = split(val, s, " ")
			else if (field == "components") comps = val
			else if (field == "signed-by") key = val
			else if (field == "enabled") enabled = tolower(val)
		}
		END { flush() }' "$f"
	done
}

fetch_debian_source() {
	local apt=$work/apt
	mkdir -p "$apt/lists/partial" "$apt/parts"
	derive_deb_src >"$apt/sources.list"
	[ -s "$apt/sources.list" ] ||
	    die "no deb lines in /etc/apt to derive deb-src lines from"
	echo "record.sh: private deb-src lines:" >&2
	sed 's/^/    /' "$apt/sources.list" >&2
	APTOPTS=(-o "Dir::Etc::SourceList=$apt/sources.list"
	    -o "Dir::Etc::SourceParts=$apt/parts"
	    -o "Dir::State::Lists=$apt/lists"
	    -o "APT::Sandbox::User=root")
	# A fresh tree each time: remove one a previous run left in --work.
	find "$work" -mindepth 2 -maxdepth 2 -type d -name debian |
	    while read -r d; do rm -rf "${d%/debian}"; done
	apt-get "${APTOPTS[@]}" update -qq ||
	    die "apt-get update of the private deb-src lists failed"
	(cd "$work" && apt-get "${APTOPTS[@]}" source -qq "$package") ||
	    die "apt-get source $package failed"
	# The source package may be named otherwise (zstd -> libzstd).
	src=$(find "$work" -mindepth 2 -maxdepth 2 -type d -name debian |
	    head -1)
	src=${src%/debian}
	[ -n "$src" ] || die "apt-get source $package left no source tree"
}

if [ -n "$self" ]; then
	command -v meson >/dev/null || die "--self needs meson"
	src=$work/self
	rm -rf "$src"
	mkdir -p "$src"
	git -C "$ROOT" archive HEAD | tar -x -C "$src"
	meson setup "$src/b" "$src" >/dev/null
	cmd=(ninja -C "$src/b" -j "$jobs")
elif [ -n "$srcdir" ]; then
	[ -d "$srcdir" ] || die "no source tree $srcdir"
	src=$work/src
	rm -rf "$src"
	cp -a "$srcdir" "$src"
	# shellcheck disable=SC2206
	cmd=(make -j "$jobs" $make_args)
else
	command -v dpkg-source >/dev/null || die "needs dpkg-dev (dpkg-source)"
	fetch_debian_source
	# shellcheck disable=SC2206
	cmd=(make -j "$jobs" $make_args)
fi
if [ -n "$cold" ]; then
	find "$src" -type f -exec dd if={} iflag=nocache count=0 status=none \;
fi

# A memory cgroup of its own under this process's: v2 where the memory
# controller is there, else v1.  The recorder's CMD joins it and execs the
# build, so every process of the build is charged to it.
make_cgroup() {
	local v2 v1 self
	v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	if [ -n "$v2" ] && grep -qw memory "$v2/cgroup.controllers" 2>/dev/null; then
		self=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
		cg=$v2$self/pr-pressure-$$
		mkdir "$cg" || die "cannot create cgroup $cg"
		echo "$memmax" >"$cg/memory.max" || die "cannot set memory.max"
		return
	fi
	v1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' \
	    /proc/mounts)
	[ -n "$v1" ] || die "no memory cgroup controller (v2 or v1)"
	self=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
	cg=$v1$self/pr-pressure-$$
	mkdir "$cg" || die "cannot create cgroup $cg"
	echo "$memmax" >"$cg/memory.limit_in_bytes" ||
	    die "cannot set memory.limit_in_bytes"
}

# What the cgroup saw: limit hits and reclaim (v1 or v2 names).
cgroup_report() {
	if [ -f "$cg/memory.events" ]; then
		echo "record.sh: $cg memory.events:" \
		    "$(tr '\n' ' ' <"$cg/memory.events")" >&2
		grep -E '^(pgscan|pgsteal|file_writeback) ' "$cg/memory.stat" >&2 || true
	else
		echo "record.sh: $cg failcnt $(cat "$cg/memory.failcnt")," \
		    "max usage $(cat "$cg/memory.max_usage_in_bytes")" >&2
		grep -E '^(total_)?(pgpgout|pgmajfault|writeback) ' \
		    "$cg/memory.stat" >&2 || true
	fi
}

if [ -n "$memmax" ]; then
	make_cgroup
	trap 'rmdir "$cg" 2>/dev/null; [ -n "${tmpwork:-}" ] && rm -rf "$work"' EXIT
	# shellcheck disable=SC2016
	cmd=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "${cmd[@]}")
fi

echo "record.sh: in $src: pagereplay record -o $out -- ${cmd[*]}" >&2
start=$(date +%s.%N)
(cd "$src" && "$PR" record -o "$out" -- "${cmd[@]}" >"$work/make.log") ||
    die "record failed (make output in $work/make.log)"
end=$(date +%s.%N)
printf 'record.sh: %s in %.1f s; pagereplay info %s:\n' "${cmd[*]}" \
    "$(echo "$end - $start" | bc)" "$out" >&2
[ -z "$memmax" ] || cgroup_report
"$PR" info "$out"
