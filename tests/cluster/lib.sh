# lib.sh - what the cluster tests share, after ../lib.sh.
#
# doc_block NAME	the code block after "<!-- tests/cluster: NAME -->" in
#			docs/sweep-cluster.md, verbatim
# run_set CSV		the runs of a CSV of runs, one line per run and lock
#			class (design, threads, repeat, class), sorted: what
#			must be equal between a sharded and a one-machine
#			sweep (run ids, times and hosts differ)
# same_runs MERGED SINGLE
#			fail unless the merged shards' CSV has the runs of the
#			one-machine sweep's CSV, under one header

doc_block() {
	awk -v m="<!-- tests/cluster: $1 -->" '
	    $0 == m { f = 1; next }
	    f == 1 && /^```/ { f = 2; next }
	    f == 2 && /^```/ { exit }
	    f == 2 { print }' "$DOC"
}

run_set() {
	awk -F, '
	    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; h = $0; next }
	    $0 == h { next }
	    { print $c["page"], $c["queue"], $c["pv"], $c["pvchunk"],
		$c["scale"], $c["threads"], $c["repeat"], $c["lock_class"],
		$c["lock_instance"] }' \
	    "$1" | sort
}

same_runs() {
	run_set "$1" >"$T/merged.set"
	run_set "$2" >"$T/single.set"
	[ -s "$T/single.set" ] || fail "empty run set"
	cmp -s "$T/merged.set" "$T/single.set" || {
		diff "$T/merged.set" "$T/single.set" | head
		fail "the merged shards are not the one-machine sweep's runs"; }
	[ "$(grep -c '^run_id,' "$1")" -eq 1 ] || fail "not one header"
}
