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
# lock_classes, lock_instances
#		the lock classes / lock instances docs/csv.md lists (its
#		lock_class column and its "Lock instances" table), one a line:
#		tests count rows by them, never by a number of their own
# NCLASSES, NINST, NROWS
#		how many of each; NROWS = rows of one run in a CSV

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

_CSV_DOC=$(dirname "$0")/../../docs/csv.md

lock_classes() {
	sed -n 's/^| `lock_class` | string |[^:]*: //p' "$_CSV_DOC" |
	    grep -o '`[a-z_]*`' | tr -d '`'
}

lock_instances() {
	sed -n 's/^| \(vm_[a-z]*\[[0-9]*\]\.[a-z]*\) |.*/\1/p' "$_CSV_DOC"
}

NCLASSES=$(lock_classes | wc -l)
NINST=$(lock_instances | wc -l)
NROWS=$((NCLASSES + NINST))
export NCLASSES NINST NROWS
[ "$NCLASSES" -gt 0 ] && [ "$NINST" -gt 0 ] ||
    { echo "FAIL: no lock classes/instances in $_CSV_DOC" >&2; exit 1; }

csv_col() {
	awk -F, -v cls="$2" -v name="$3" '
	    NR == 1 {
		for (i = 1; i <= NF; i++) {
			if ($i == name) c = i
			if ($i == "lock_class") l = i
			if ($i == "lock_instance") n = i
		}
		next
	    }
	    $l == cls && (n == 0 || $n == "") { print $c }' "$1"
}
