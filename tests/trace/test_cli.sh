#!/usr/bin/env bash
# test_cli.sh PAGEREPLAY - `pagereplay synth` and `pagereplay info` end to
# end: determinism, info --json keys and counts, truncated and corrupt
# files, usage errors.
set -u
PR=$1
dir=$(mktemp -d /tmp/prtrace-cli.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# expect STATUS CMD...: run CMD, check its exit status.
expect() {
	local want=$1; shift
	"$@" >"$dir/out" 2>"$dir/err"
	local rc=$?
	[ "$rc" -eq "$want" ] || fail "exit $rc (want $want): $*: $(head -c 300 "$dir/err")"
}

# Determinism: same seed, same bytes; another seed, other bytes.
expect 0 "$PR" synth build --seed 1 -o "$dir/b1.prt"
expect 0 "$PR" synth build --seed 1 -o "$dir/b1again.prt"
expect 0 "$PR" synth build --seed 2 -o "$dir/b2.prt"
cmp -s "$dir/b1.prt" "$dir/b1again.prt" || fail "synth build --seed 1 differs between runs"
cmp -s "$dir/b1.prt" "$dir/b2.prt" && fail "seeds 1 and 2 give the same file"
expect 0 "$PR" synth sendfile --seed 3 --files 50 --clients 4 --zipf 1.2 \
    --nocache -n 30000 -o "$dir/s1.prt"
expect 0 "$PR" synth sendfile --seed 3 --files 50 --clients 4 --zipf 1.2 \
    --nocache -n 30000 -o "$dir/s1again.prt"
cmp -s "$dir/s1.prt" "$dir/s1again.prt" || fail "synth sendfile not deterministic"

# The header's command line regenerates the same file.
for f in b2 s1; do
	cmd=$(python3 - "$f" <<PY
import json, subprocess, sys
d = json.loads(subprocess.run(["$PR", "info", "--json", "$dir/$f.prt"],
    capture_output=True, text=True).stdout)
print(d["cmdline"].removeprefix("pagereplay "))
PY
)
	# shellcheck disable=SC2086
	expect 0 "$PR" $cmd -o "$dir/$f.regen.prt"
	cmp -s "$dir/$f.prt" "$dir/$f.regen.prt" ||
	    fail "header command line '$cmd' does not regenerate $f"
done

# info --json: keys, counts that add up, kinds by their names.
check_json() {
	python3 - "$@" <<'PY'
import json, sys
path, want_events, model = sys.argv[1], int(sys.argv[2]), sys.argv[3]
d = json.load(open(path))
keys = ["version", "source", "events", "by_kind", "pages_by_kind", "lost",
        "frames", "bytes_per_event", "duration_ns", "truncated"]
missing = [k for k in keys if k not in d]
assert not missing, f"missing keys {missing}"
names = ("obj_create obj_terminate page_insert page_lookup page_remove wire "
         "unwire release activate deactivate requeue pmap_create pmap_destroy "
         "map unmap remove_all remove_write extract_hold promote demote scan "
         "sendfile lost").split()
assert list(d["by_kind"]) == names, d["by_kind"].keys()
assert list(d["pages_by_kind"]) == names
assert d["version"] == 3 and d["source"] == "synth"
assert d["events"] == want_events, (d["events"], want_events)
assert sum(d["by_kind"].values()) == d["events"]
assert d["truncated"] is False and d["lost"] == 0 and d["frames"] >= 1
assert 0 < d["bytes_per_event"] <= (6.0 if model == "build" else 10.0), \
    d["bytes_per_event"]
assert d["duration_ns"] > 0
bk, pk = d["by_kind"], d["pages_by_kind"]
if model == "build":
    for k in ("pmap_create", "pmap_destroy", "obj_create", "obj_terminate",
              "page_insert", "page_lookup", "map", "unmap", "promote",
              "extract_hold", "remove_write", "scan"):
        assert bk[k] > 0, f"build trace without {k}"
    assert pk["page_insert"] > bk["page_insert"], "no folios (npages > 1)"
    assert bk["sendfile"] == 0
else:
    assert bk["sendfile"] > 0 and bk["scan"] > 0
    assert pk["sendfile"] >= bk["sendfile"]
PY
}
expect 0 "$PR" info --json "$dir/b1.prt"
cp "$dir/out" "$dir/b1.json"
check_json "$dir/b1.json" 200000 build || fail "info --json on the build trace"
expect 0 "$PR" info --json "$dir/s1.prt"
check_json "$dir/out" 30000 sendfile || fail "info --json on the sendfile trace"
expect 0 "$PR" info "$dir/b1.prt"
grep -q "^status: *complete" "$dir/out" || fail "info table: no 'complete' status"
grep -q "^page_insert " "$dir/out" || fail "info table: no page_insert row"

# --duration limits trace time; --nocache flags every sendfile.
expect 0 "$PR" synth sendfile -n 0 --duration 20ms -o "$dir/d.prt"
expect 0 "$PR" info --json "$dir/d.prt"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert 0 < d["duration_ns"] <= 20e6 and d["events"] > 0' "$dir/out" ||
    fail "--duration 20ms not honoured"

# A truncated file: what was recovered, non-zero unless --allow-truncated.
# Cut inside the second frame (file header, then 48-byte frame headers).
size=$(python3 - "$dir/b1.prt" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
body = 16 + struct.unpack_from("<I", b, 12)[0] + 8
print(body + 48 + struct.unpack_from("<I", b, body + 8)[0] + 100)
PY
)
head -c "$size" "$dir/b1.prt" >"$dir/cut.prt"
expect 1 "$PR" info "$dir/cut.prt"
grep -q "truncated" "$dir/err" || fail "truncated file: stderr does not say so"
expect 0 "$PR" info --allow-truncated --json "$dir/cut.prt"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["truncated"] is True and 0 < d["events"] < 200000' "$dir/out" ||
    fail "truncated file: JSON does not report the recovered part"

# A corrupt frame: named with its byte offset.
cp "$dir/b1.prt" "$dir/bad.prt"
off=$(python3 - "$dir/b1.prt" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
hlen = struct.unpack_from("<I", b, 12)[0]
first = 16 + hlen + 8                      # first frame header
comp = struct.unpack_from("<I", b, first + 8)[0]
print(first + 48 + comp)                   # second frame header
PY
)
printf '\377\377\377\377' | dd of="$dir/bad.prt" bs=1 seek=$((off + 100)) conv=notrunc 2>/dev/null
expect 1 "$PR" info "$dir/bad.prt"
grep -q "frame 1 at byte $off" "$dir/err" || fail "corrupt frame not named: $(cat "$dir/err")"

# A file without its end marker whose first frame header is damaged: the
# scan goes on from the next sound frame (trace-format.md rule 3), so every
# other frame is recovered; info names the damage and exits 1 even with
# --allow-truncated (it accepts a cut, not damage).
python3 - "$dir/b1.prt" "$dir/hdr.prt" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
ioff = struct.unpack_from("<Q", b, len(b) - 24)[0]
first = 16 + struct.unpack_from("<I", b, 12)[0] + 8
b[first:first + 48] = bytes(48)
open(sys.argv[2], "wb").write(b[:ioff])
PY
expect 1 "$PR" info --allow-truncated --json "$dir/hdr.prt"
grep -q "the scan went on from the next sound frame" "$dir/err" ||
    fail "damaged header of a cut file not named: $(cat "$dir/err")"
"$PR" info --json "$dir/b1.prt" >"$dir/whole.json" 2>/dev/null
python3 - "$dir/out" "$dir/whole.json" <<'PY' || fail "damaged header: the frames after it were not recovered"
import json, sys
d, whole = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert d["truncated"] is True and d["error"] is not None, d
assert whole["frames"] >= 2 and d["frames"] == whole["frames"] - 1, (d, whole)
assert 0 < d["events"] < whole["events"], (d, whole)
PY

# A damaged end marker (issue 18): one flipped bit in the tail's index
# offset (it once stopped the scan early: 81 % of the events lost), a byte
# flipped in the index block, a flipped bit in the tail's magic.  Every
# frame is recovered, info names the damage and exits 1.
for what in offset index magic; do
	cp "$dir/b1.prt" "$dir/end.prt"
	python3 - "$dir/end.prt" "$what" <<'PY'
import struct, sys
path, what = sys.argv[1], sys.argv[2]
b = bytearray(open(path, "rb").read())
tail = len(b) - 24
ioff = struct.unpack_from("<Q", b, tail)[0]
if what == "offset":   # a set bit whose flip points into the body
    k = next(i for i in reversed(range(ioff.bit_length()))
             if ioff >> i & 1 and ioff - (1 << i) > 4096)
    struct.pack_into("<Q", b, tail, ioff ^ (1 << k))
elif what == "index":
    b[ioff + 16 + 56 * 2 + 20] ^= 0xff
else:
    b[len(b) - 3] ^= 0x10
open(path, "wb").write(b)
PY
	expect 1 "$PR" info "$dir/end.prt"
	grep -q "damaged end marker.*recovered 200000 events" "$dir/err" ||
	    fail "end marker damage ($what) not reported: $(cat "$dir/err")"
	expect 1 "$PR" info --json "$dir/end.prt"
	python3 - "$dir/out" "$dir/b1.json" <<'PY' || fail "end marker damage ($what): JSON"
import json, sys
d, ok = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert d["end_damaged"] is True and d["truncated"] is False, d
assert d["events"] == ok["events"] and d["frames"] == ok["frames"], d
assert d["by_kind"] == ok["by_kind"] and d["error"] is not None
assert ok["end_damaged"] is False and ok["error"] is None
PY
done

# A cut inside the header says so (not "no end marker").
head -c 40 "$dir/b1.prt" >"$dir/hcut.prt"
expect 1 "$PR" info "$dir/hcut.prt"
grep -q "header cut short" "$dir/err" || fail "header cut: $(cat "$dir/err")"

# Not a trace; usage errors; help.
echo "hello" >"$dir/text"
expect 1 "$PR" info "$dir/text"
grep -q "not a pagereplay trace" "$dir/err" || fail "bad magic message"
expect 1 "$PR" info "$dir/absent.prt"
expect 2 "$PR" info
expect 2 "$PR" info --bogus "$dir/b1.prt"
expect 0 "$PR" info --help
expect 0 "$PR" synth --help
grep -q -- "--zipf" "$dir/out" || fail "synth --help does not document --zipf"
expect 2 "$PR" synth
expect 2 "$PR" synth build
expect 2 "$PR" synth frobnicate -o "$dir/x.prt"
expect 2 "$PR" synth build --files 10 -o "$dir/x.prt"
expect 2 "$PR" synth sendfile --zipf nope -o "$dir/x.prt"
expect 2 "$PR" synth build --cpus 0 -o "$dir/x.prt"
expect 1 "$PR" synth build -o "$dir/nodir/x.prt"

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "all synth/info checks passed"
