#!/usr/bin/env bash
# test_merge.sh TRACE_REWRITE TRACE DIR - trace_rewrite's --merge-frames:
# TRACE cut into frames of 1000 events, then merged back, reads back the
# same events (trace_rewrite compares every field of every event and exits
# non-zero otherwise), in fewer frames, and the merge of the cut file is
# byte for byte the merge of TRACE (merging ignores the input's frames).
# An output that is the input (or a link to it) is refused, input intact.
set -u
RW=$1
TRACE=$2
dir=$3/merge-$(basename "$TRACE" .prt)
mkdir -p "$dir"
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# frames OUTPUT-LINE: the output's frame count from trace_rewrite's line.
frames() {
	sed -n 's/.*-> v[0-9] \([0-9]*\) frames.*/\1/p' <<<"$1"
}

small=$("$RW" --frame-events 1000 "$TRACE" "$dir/small.prt") ||
    fail "--frame-events 1000 $TRACE"
merged=$("$RW" --merge-frames "$dir/small.prt" "$dir/merged.prt") ||
    fail "--merge-frames of the cut file"
"$RW" --merge-frames "$TRACE" "$dir/direct.prt" >/dev/null ||
    fail "--merge-frames $TRACE"
ten=$("$RW" --merge-frames=10 "$dir/small.prt" "$dir/ten.prt") ||
    fail "--merge-frames=10 of the cut file"
echo "$small"
echo "$merged"
ns=$(frames "$small")
nm=$(frames "$merged")
nt=$(frames "$ten")
[ -n "$ns" ] && [ -n "$nm" ] && [ "$nm" -lt "$ns" ] ||
    fail "merged frames '$nm' not fewer than cut frames '$ns'"
[ -n "$nt" ] && [ "$nt" -eq $(((ns + 9) / 10)) ] ||
    fail "--merge-frames=10 of $ns frames gave '$nt'"
cmp -s "$dir/merged.prt" "$dir/direct.prt" ||
    fail "merging the cut file and $TRACE differ"
cp "$dir/small.prt" "$dir/self.prt"
ln -s self.prt "$dir/link.prt"
for out in "$dir/self.prt" "$dir/link.prt"; do
	if "$RW" --merge-frames "$dir/self.prt" "$out" 2>/dev/null; then
		fail "rewriting self.prt into $out was not refused"
	fi
	cmp -s "$dir/self.prt" "$dir/small.prt" && [ ! -e "$dir/self.prt.old" ] ||
	    fail "a refused rewrite into $out touched its input"
done
rm -rf "$dir"
[ "$fails" -eq 0 ] || exit 1
echo "ok"
