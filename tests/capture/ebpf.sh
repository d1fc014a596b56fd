#!/bin/sh
# ebpf.sh - `pagereplay record` against this kernel (meson suite `ebpf`).
#
# Usage: ebpf.sh TEST PAGEREPLAY TRACE_STATS SENDFILE_ONCE MMAP_TOUCH HOOKCOUNT
# TEST: cat, counts, perf, directio, sendfile, tree, pid, signals, errors,
# anonymize, classic.  Exit 0 pass, 1 fail (with the reason), 77 skip (with why).
set -u

test_name=$1
PR=$2
STATS=$3
SENDFILE_ONCE=$4
MMAP_TOUCH=$5
HOOKCOUNT=$6

fail() {
	echo "FAIL ($test_name): $*" >&2
	exit 1
}

skip() {
	echo "SKIP ($test_name): $*" >&2
	exit 77
}

# A fact from trace_stats output: stat FILE KEY [FIELD]
stat_of() {
	"$STATS" "$1" | awk -v k="$2" -v f="${3:-2}" \
	    '$1 == k { print $f; found = 1; exit } END { if (!found) print 0 }'
}

# Events (field 3) or pages (field 4) of a kind.
kind_of() {
	"$STATS" "$1" | awk -v k="$2" -v f="${3:-3}" \
	    '$1 == "kind" && $2 == k { print $f }'
}

# A trailer note's value: note_of FILE KEY
note_of() {
	"$STATS" "$1" | awk -v k="$2" '$1 == "note" && $2 == k { print $3 }'
}

# Events on one object: obj_events FILE OBJ
obj_events() {
	"$STATS" "$1" obj="$2" | awk '$1 == "obj_events" { print $2 }'
}

# The trace object id of a file (capture/record.h: major, minor, inode).
obj_of() {
	set -- $(stat -c '%Hd %Ld %i' "$1")
	echo $(( ($1 & 0xff) << 55 | ($2 & 0x7fff) << 40 | ($3 & 0xffffffffff) ))
}

[ "$(id -u)" = 0 ] || skip "needs root (BPF tracing)"
[ -r /sys/kernel/btf/vmlinux ] || skip "no kernel BTF (/sys/kernel/btf/vmlinux)"

WORK=$(mktemp -d /var/tmp/pr-ebpf.XXXXXX) || fail "mktemp"
trap 'rm -rf "$WORK"' EXIT INT TERM

probe_err=$("$PR" record -o "$WORK/probe.prt" -- true 2>&1) ||
	skip "the recorder cannot run here: $probe_err"

# Drop one file's pages from the page cache (not the whole cache: the
# machine is shared).
uncache() {
	sync "$1" && dd if="$1" iflag=nocache count=0 status=none ||
	    fail "cannot drop $1 from the page cache"
}

# Wait until trace FILE of recorder PID has a complete frame (start-up is
# slow under sanitizers and on a loaded machine); 30 s at most.
wait_frame() {
	i=0
	until [ -s "$1" ] && [ "$(stat_of "$1" frames)" -ge 1 ]; do
		i=$((i + 1))
		[ $i -le 60 ] || { kill -9 "$2"; fail "no frame in $1 within 30 s"; }
		sleep 0.5
	done
}

# A file of N MiB whose pages are not cached.
cold_file() {
	head -c "$(( $2 * 1048576 ))" /dev/urandom > "$1" || fail "write $1"
	uncache "$1"
}

case $test_name in
cat)
	# Every page of a cold 64 MiB file is inserted, on one object.
	cold_file "$WORK/f64" 64
	"$PR" record -o "$WORK/cat.prt" -- cat "$WORK/f64" > /dev/null \
	    2> "$WORK/err" || fail "record: $(cat "$WORK/err")"
	want=16384
	obj=$(printf '%#x' "$(obj_of "$WORK/f64")")
	got=$("$STATS" "$WORK/cat.prt" | awk '$1 == "insert_max_obj"')
	set -- $got
	[ "${2:-}" = "$obj" ] || fail "most inserted object ${2:-none}, want $obj (the file)"
	[ "${3:-0}" -ge "$want" ] || fail "file pages inserted ${3:-0} < $want"
	[ "$(stat_of "$WORK/cat.prt" truncated)" = 0 ] || fail "trace truncated"
	[ "$(stat_of "$WORK/cat.prt" lost)" = 0 ] || fail "events lost"
	info=$("$PR" info "$WORK/cat.prt" 2>&1) || fail "info: $info"
	echo "$info" | grep -q page_insert || fail "info does not show page_insert: $info"
	;;
counts)
	# The trace against an independent BPF counter (tests/capture/
	# hookcount.bpf.c, a raw_tp program of its own) of the same hook on
	# the same file in the same run: within 1%.
	cold_file "$WORK/f32" 32
	"$HOOKCOUNT" "$WORK/f32" "$PR" record -o "$WORK/counts.prt" -- \
	    sh -c 'cat "$1" > /dev/null' sh "$WORK/f32" > "$WORK/hc" \
	    2> "$WORK/err"
	rc=$?
	[ $rc = 77 ] && skip "$(cat "$WORK/err")"
	[ $rc = 0 ] || fail "hookcount/record: $(cat "$WORK/err")"
	hc=$(awk '$1 == "inserts" { print $2 }' "$WORK/hc")
	ins=$("$STATS" "$WORK/counts.prt" obj="$(obj_of "$WORK/f32")" |
	    awk '$1 == "obj_inserts" { print $2 }')
	[ "$hc" -ge 256 ] || fail "counter saw $hc inserts < 256 for a cold 32 MiB file"
	diff=$(( ins > hc ? ins - hc : hc - ins ))
	[ $(( diff * 100 )) -le "$hc" ] ||
	    fail "page inserts on the file: trace $ins, counter $hc (> 1% apart)"
	echo "page inserts on the file: trace $ins, independent counter $hc"
	;;
perf)
	# The trace against perf's own count of the same tracepoint, for
	# the same workload: within 1%.
	command -v perf > /dev/null || skip "perf not installed"
	mountpoint -q /sys/kernel/tracing ||
	    mount -t tracefs nodev /sys/kernel/tracing 2> /dev/null ||
	    skip "tracefs cannot be mounted (perf needs it)"
	perf stat -e filemap:mm_filemap_add_to_page_cache -- true \
	    > /dev/null 2>&1 || skip "perf cannot count tracepoints"
	cold_file "$WORK/f32" 32
	# Re-cache perf, sh and cat so only the file's pages are inserted
	# outside what perf counts (perf counts its workload from exec on).
	perf stat -e filemap:mm_filemap_add_to_page_cache -- \
	    sh -c 'cat /dev/null' > /dev/null 2>&1
	"$PR" record -o "$WORK/counts.prt" -- perf stat -x, \
	    -e filemap:mm_filemap_add_to_page_cache -- \
	    sh -c 'cat "$1" > /dev/null' sh "$WORK/f32" 2> "$WORK/perf" ||
	    fail "record: $(cat "$WORK/perf")"
	perf_ins=$(awk -F, '$3 ~ /add_to_page_cache/ { print $1 }' "$WORK/perf")
	[ -n "$perf_ins" ] || fail "no perf count: $(cat "$WORK/perf")"
	ins=$(kind_of "$WORK/counts.prt" page_insert)
	hook=$(note_of "$WORK/counts.prt" ebpf.hook.mm_filemap_add_to_page_cache)
	[ "$ins" -ge 256 ] || fail "page inserts $ins < 256 for a cold 32 MiB file"
	[ "$ins" = "$hook" ] || fail "trace $ins != kernel hook count $hook"
	diff=$(( ins > perf_ins ? ins - perf_ins : perf_ins - ins ))
	[ $(( diff * 100 )) -le "$perf_ins" ] ||
	    fail "page inserts: trace $ins, perf $perf_ins (> 1% apart)"
	echo "page inserts: trace $ins, perf $perf_ins"
	;;
directio)
	# O_DIRECT reads and writes wire (and unwire) the user buffer.
	"$PR" record -o "$WORK/dio.prt" -- sh -c '
	    dd if=/dev/zero of="$1" bs=1M count=8 oflag=direct 2>/dev/null &&
	    dd if="$1" of=/dev/null bs=1M iflag=direct 2>/dev/null' sh \
	    "$WORK/dio" 2> "$WORK/err" || fail "record: $(cat "$WORK/err")"
	wire=$(kind_of "$WORK/dio.prt" wire)
	unwire=$(kind_of "$WORK/dio.prt" unwire)
	pages=$(kind_of "$WORK/dio.prt" wire 4)
	hold=$(kind_of "$WORK/dio.prt" extract_hold)
	[ "$wire" -ge 16 ] || fail "wire events $wire < 16 (8 writes + 8 reads)"
	[ "$pages" -ge 4096 ] || fail "wired pages $pages < 4096 (16 MiB)"
	[ "$unwire" = "$wire" ] || fail "unwire $unwire != wire $wire"
	[ "$hold" = "$wire" ] || fail "extract_hold $hold != wire $wire"
	;;
sendfile)
	cold_file "$WORK/f8" 8
	"$PR" record -o "$WORK/sf.prt" -- "$SENDFILE_ONCE" "$WORK/f8" \
	    2> "$WORK/err" || fail "record: $(cat "$WORK/err")"
	n=$(kind_of "$WORK/sf.prt" sendfile)
	pages=$(kind_of "$WORK/sf.prt" sendfile 4)
	[ "$n" -ge 8 ] || fail "sendfile events $n < 8 (1 MiB calls)"
	[ "$pages" -ge 2048 ] || fail "sendfile pages $pages < 2048"
	obj=$(obj_of "$WORK/f8")
	[ "$(obj_events "$WORK/sf.prt" "$obj")" -ge 8 ] ||
	    fail "sendfile events not on the file's object"
	;;
tree)
	# fork + exec children that mmap and touch pages: map events in
	# several pmaps, each pmap destroyed at exit.  A process outside the
	# tree, reading another file all along, is absent; a recorder with
	# -a just before sees it (so its absence means something).  The two
	# recorders run one after the other: bpf_find_vma() is per CPU.
	cold_file "$WORK/out" 16
	cold_file "$WORK/in" 4
	(while [ ! -e "$WORK/stop" ]; do
		dd if="$WORK/out" of=/dev/null bs=1M iflag=nocache status=none
	done) &
	outside=$!
	"$PR" record -a -o "$WORK/all.prt" --duration 1s 2> "$WORK/err_a" ||
	    fail "record -a: $(cat "$WORK/err_a")"
	"$PR" record -o "$WORK/tree.prt" -- sh -c '
	    for i in 1 2 3; do "$1" 64 "$2" & done; wait; sleep 0.5' sh \
	    "$MMAP_TOUCH" "$WORK/in" 2> "$WORK/err" ||
	    fail "record: $(cat "$WORK/err")"
	touch "$WORK/stop"
	wait $outside
	pmaps=$(stat_of "$WORK/tree.prt" pmaps_mapped)
	created=$(kind_of "$WORK/tree.prt" pmap_create)
	destroyed=$(kind_of "$WORK/tree.prt" pmap_destroy)
	[ "$pmaps" -ge 4 ] || fail "map events in $pmaps pmaps, want >= 4 (sh + 3 children)"
	[ "$destroyed" -ge 4 ] || fail "pmap_destroy $destroyed < 4"
	[ "$destroyed" = "$created" ] || fail "pmap_create $created != pmap_destroy $destroyed"
	anon=$(stat_of "$WORK/tree.prt" map_anon_pages)
	[ "$anon" -ge $(( 3 * 64 )) ] ||
	    fail "anonymous pages mapped $anon < 3 x 64"
	mapped=$(kind_of "$WORK/tree.prt" map 4)
	[ "$mapped" -ge $(( 3 * (64 + 1024) )) ] ||
	    fail "mapped pages $mapped < 3 x (64 anonymous + 1024 file pages)"
	obj=$(obj_of "$WORK/out")
	inside=$(obj_events "$WORK/tree.prt" "$obj")
	seen=$(obj_events "$WORK/all.prt" "$obj")
	[ "$seen" -gt 0 ] || fail "record -a did not see the outside process either"
	[ "$inside" = 0 ] || fail "$inside events of the outside process in the tree's trace"
	;;
pid)
	# -p follows a running process and the children it forks after the
	# attach, and ends when the process exits.
	cold_file "$WORK/f8" 8
	sh -c 'while [ ! -e "$1/stop" ]; do
	    dd if="$2" of=/dev/null bs=1M iflag=nocache status=none; done' \
	    sh "$WORK" "$WORK/f8" &
	loop=$!
	"$PR" record -p $loop --duration 1s -o "$WORK/p.prt" 2> "$WORK/err" ||
	    fail "record -p: $(cat "$WORK/err")"
	touch "$WORK/stop"
	wait $loop
	n=$(obj_events "$WORK/p.prt" "$(obj_of "$WORK/f8")")
	[ "$n" -gt 0 ] || fail "no events on the file the children read"
	sleep 1 &
	t0=$(date +%s)
	"$PR" record -p $! -o "$WORK/p2.prt" 2> "$WORK/err" ||
	    fail "record -p: $(cat "$WORK/err")"
	[ $(( $(date +%s) - t0 )) -le 3 ] || fail "record -p did not end with its process"
	;;
signals)
	# SIGINT ends cleanly; kill -9 leaves complete frames readable.
	cold_file "$WORK/f16" 16
	loop='while :; do cat "$1" > /dev/null; done'
	"$PR" record -o "$WORK/int.prt" -- sh -c "$loop" sh "$WORK/f16" \
	    2> "$WORK/err" &
	rec=$!
	wait_frame "$WORK/int.prt" $rec
	kill -INT $rec
	wait $rec || fail "record after SIGINT: exit $? $(cat "$WORK/err")"
	[ "$(stat_of "$WORK/int.prt" truncated)" = 0 ] || fail "SIGINT: no end marker"
	[ "$(stat_of "$WORK/int.prt" events)" -gt 0 ] || fail "SIGINT: no events"
	setsid "$PR" record -o "$WORK/k9.prt" -- sh -c "$loop" sh "$WORK/f16" \
	    2> /dev/null &
	rec=$!
	# Once the first frame is on disk, 2.5 s more must bring at least one
	# more: frames every second.
	wait_frame "$WORK/k9.prt" $rec
	sleep 2.5
	kill -9 $rec
	wait $rec
	pkill -TERM -s $rec 2> /dev/null	# CMD, orphaned by kill -9
	out=$("$STATS" "$WORK/k9.prt") || fail "kill -9: unreadable: $out"
	[ "$(stat_of "$WORK/k9.prt" truncated)" = 1 ] || fail "kill -9: end marker?"
	[ "$(stat_of "$WORK/k9.prt" frames)" -ge 2 ] ||
	    fail "kill -9: no second frame 2.5 s after the first"
	[ "$(stat_of "$WORK/k9.prt" events)" -gt 0 ] || fail "kill -9: no events"
	;;
errors)
	# Not root: one line naming what is missing.
	if command -v setpriv > /dev/null; then
		out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		    "$PR" record -o /tmp/pr-nobody.prt -- true 2>&1) &&
		    fail "record as nobody succeeded"
		[ "$(echo "$out" | wc -l)" = 1 ] || fail "not one line: $out"
		echo "$out" | grep -q root || fail "does not name root: $out"
	fi
	# Bad usage: exit 2.
	"$PR" record -- true 2> /dev/null; [ $? = 2 ] || fail "no -o: not exit 2"
	"$PR" record -o x -a -p 1 2> /dev/null; [ $? = 2 ] || fail "-a -p: not exit 2"
	"$PR" record -o x --buffer 12q -a 2> /dev/null; [ $? = 2 ] || fail "bad --buffer: not exit 2"
	# A full disk: one clear error, exit 1, the file still reads.
	mkdir "$WORK/small"
	mount -t tmpfs -o size=64k tmpfs "$WORK/small" 2> /dev/null ||
	    skip "cannot mount a small tmpfs for the full-disk case"
	trap 'umount "$WORK/small"; rm -rf "$WORK"' EXIT INT TERM
	head -c 40000 /dev/zero > "$WORK/small/fill"
	cold_file "$WORK/f16" 16
	"$PR" record -o "$WORK/small/t.prt" -- sh -c \
	    'for i in 1 2 3 4 5 6 7 8; do dd if="$1" of=/dev/null bs=1M iflag=nocache status=none; done' \
	    sh "$WORK/f16" 2> "$WORK/err"
	rc=$?
	grep -v 'note:' "$WORK/err" > "$WORK/err2"
	[ $rc = 1 ] || fail "full disk: exit $rc"
	[ "$(wc -l < "$WORK/err2")" = 1 ] && grep -q 'No space left' "$WORK/err2" ||
	    fail "full disk: $(cat "$WORK/err")"
	"$STATS" "$WORK/small/t.prt" > /dev/null || fail "full disk: file unreadable"
	;;
anonymize)
	cold_file "$WORK/f4" 4
	"$PR" record --anonymize -o "$WORK/anon.prt" -- cat "$WORK/f4" \
	    > /dev/null 2> "$WORK/err" || fail "record: $(cat "$WORK/err")"
	obj=$(obj_of "$WORK/f4")
	[ "$(obj_events "$WORK/anon.prt" "$obj")" = 0 ] ||
	    fail "the file's object id is in the clear"
	"$STATS" "$WORK/anon.prt" | grep -qx 'cmdline ' ||
	    fail "command line kept: $("$STATS" "$WORK/anon.prt" | grep ^cmdline)"
	[ "$("$STATS" "$WORK/anon.prt" | awk '$1 == "insert_max_obj" { print $3 }')" -ge 1024 ] ||
	    fail "the file's pages are missing"
	;;
classic)
	# The raw_tp fallback records the same page inserts.
	cold_file "$WORK/f16" 16
	"$PR" record --classic -o "$WORK/cl.prt" -- cat "$WORK/f16" \
	    > /dev/null 2> "$WORK/err" || fail "record: $(cat "$WORK/err")"
	[ "$(note_of "$WORK/cl.prt" ebpf.fallback_hooks)" -gt 0 ] ||
	    fail "no hook fell back"
	[ "$("$STATS" "$WORK/cl.prt" | awk '$1 == "insert_max_obj" { print $3 }')" -ge 4096 ] ||
	    fail "the file's pages are missing"
	;;
*)
	fail "unknown test"
	;;
esac
exit 0
