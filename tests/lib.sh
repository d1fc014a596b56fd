# lib.sh - what the shell tests share.  Source it first thing:
#	. "$(dirname "$0")/../lib.sh"
#
# T		a fresh temporary directory, removed when the test exits
# fail MSG	print "FAIL: MSG" on stderr and exit 1
# expect_error STATUS CMD...
#		CMD exits with STATUS and says exactly one line on stderr,
#		prefixed "pagereplay: " (its stdout and stderr are left in
#		$T/out and $T/err)
# csv_col FILE CLASS COLUMN
#		the value of COLUMN in the row of lock class CLASS of a
#		replay CSV (docs/csv.md)
# csv_classes FILE...
#		the lock classes of replay or sweep CSVs, one a line, sorted
#		(every run has a row per class, so this is the engine's list)

T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

expect_error() {
	_want=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	_rc=$?
	[ "$_rc" -eq "$_want" ] || { cat "$T/err" >&2
	    fail "'$*' exited $_rc, wanted $_want"; }
	[ "$(wc -l <"$T/err")" -eq 1 ] || { cat "$T/err" >&2
	    fail "'$*': not one line on stderr"; }
	grep -q '^pagereplay: ' "$T/err" || fail "'$*': no 'pagereplay:' prefix"
}

csv_col() {
	awk -F, -v cls="$2" -v name="$3" '
	    NR == 1 {
		for (i = 1; i <= NF; i++) {
			if ($i == name) c = i
			if ($i == "lock_class") l = i
		}
		next
	    }
	    $l == cls { print $c }' "$1"
}

csv_classes() {
	awk -F, 'FNR == 1 {
		for (i = 1; i <= NF; i++) if ($i == "lock_class") l = i
		next
	    }
	    { print $l }' "$@" | sort -u
}
