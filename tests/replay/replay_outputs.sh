#!/bin/sh
# replay_outputs.sh PAGEREPLAY - what replay, sweep and plot do to the
# user's files and with damaged traces: no output may be the trace (by
# name, symbolic or hard link, or stdout appending to it) or replace
# another trace; one file named twice is refused; a bad output path fails before the run; a failed write
# leaves the old file as it was and no temporary file; --csv -/--json -
# put only the data on stdout; write errors on stdout are caught; on a
# terminal sweep rows are not glued onto the progress line; a trace
# with a flipped byte in its index, its tail or a frame is refused, and
# --salvage replays what is intact with a warning saying how much.
set -u
. "$(dirname "$0")/../lib.sh"
PR=$1
R="--threads 1 --cpus 0 --no-hwc"

"$PR" synth build --seed 1 --events 20000 -o "$T/b.prt" >/dev/null ||
    fail "synth build"
cp "$T/b.prt" "$T/keep.prt"
"$PR" replay "$T/b.prt" $R --csv "$T/whole.csv" >/dev/null 2>&1 ||
    fail "replay"

# unchanged FILE: FILE is still the trace it was.
unchanged() {
	cmp -s "$1" "$T/keep.prt" || fail "$1 was changed"
}
# no_leftovers: no temporary output file is left in $T.
no_leftovers() {
	! ls "$T" | grep -q '\.part\.' || fail "left behind: $(ls "$T")"
}

# An output that is the input, by name, symbolic link or hard link.
expect_error 1 "$PR" replay "$T/b.prt" $R --csv "$T/b.prt"
grep -q 'is the input' "$T/err" || fail "the refusal does not say why"
expect_error 1 "$PR" replay "$T/b.prt" $R --json "$T/b.prt"
ln -s b.prt "$T/sym.csv"
ln "$T/b.prt" "$T/hard.csv"
expect_error 1 "$PR" replay "$T/b.prt" $R --csv "$T/sym.csv"
expect_error 1 "$PR" replay "$T/b.prt" $R --json "$T/hard.csv"
expect_error 1 "$PR" sweep "$T/b.prt" --threads 1 --csv "$T/./b.prt"
unchanged "$T/b.prt"
# stdout appended to the trace (`>> T.prt`): refused before a byte of the
# report, the CSV header or the info lands in it.
for cmd in replay sweep info "simulate --cpus 4"; do
	"$PR" $cmd "$T/b.prt" >>"$T/b.prt" 2>"$T/err" &&
	    fail "$cmd T >> T was accepted"
	grep -q 'stdout' "$T/err" || fail "$cmd T >> T: $(cat "$T/err")"
	unchanged "$T/b.prt"
done

# Another trace is never replaced, by a CSV, a JSON or a chart.
cp "$T/keep.prt" "$T/other.prt"
cp "$T/keep.prt" "$T/other.svg"
expect_error 1 "$PR" replay "$T/b.prt" $R --csv "$T/other.prt"
grep -q 'trace' "$T/err" || fail "the refusal does not say why"
expect_error 1 "$PR" sweep "$T/b.prt" --threads 1 --json "$T/other.prt"
expect_error 1 "$PR" plot "$T/whole.csv" -o "$T/other.svg"
unchanged "$T/other.prt"
unchanged "$T/other.svg"

# One file twice.
expect_error 1 "$PR" replay "$T/b.prt" $R --csv "$T/x.csv" --json "$T/x.csv"
expect_error 1 "$PR" replay "$T/b.prt" $R --csv "$T/x.csv" \
    --json "$T/../$(basename "$T")/x.csv"
expect_error 1 "$PR" replay "$T/b.prt" $R --csv - --json -
expect_error 1 "$PR" sweep "$T/b.prt" --threads 1 --json -
grep -q 'stdout without --csv' "$T/err" || fail "sweep --json -: $(cat "$T/err")"
expect_error 1 "$PR" sweep "$T/b.prt" --threads 1 --csv "$T/x.svg" \
    --plot "$T/x.svg"
[ -e "$T/x.csv" ] || [ -e "$T/x.svg" ] && fail "a refused output was made"

# A bad path fails before the run: no report, no CSV.
expect_error 1 "$PR" replay "$T/b.prt" $R --csv "$T/no/dir/r.csv"
[ -s "$T/out" ] && fail "replay ran before checking --csv"
expect_error 1 "$PR" sweep "$T/b.prt" --threads 1 --csv "$T/sw.csv" \
    --plot "$T/no/dir/p.svg"
[ -e "$T/sw.csv" ] && fail "sweep ran before checking --plot"
no_leftovers

# A failed write (the file size limit) keeps the old file and leaves no
# temporary one; a good one replaces it whole, keeping its mode.
printf 'old,results\n' >"$T/good.csv"
chmod 640 "$T/good.csv"
for cmd in replay sweep; do
	(trap '' XFSZ; ulimit -f 2; exec "$PR" $cmd "$T/b.prt" $R \
	    --csv "$T/good.csv") >/dev/null 2>"$T/err" &&
	    fail "$cmd: a failed write exited 0"
	grep -q 'write failed' "$T/err" || fail "$cmd: $(cat "$T/err")"
	[ "$(cat "$T/good.csv")" = "old,results" ] ||
	    fail "$cmd: a failed write clobbered the old file"
	no_leftovers
done
"$PR" replay "$T/b.prt" $R --csv "$T/good.csv" >/dev/null || fail "replay"
[ "$(wc -l <"$T/good.csv")" -eq $((NROWS + 1)) ] || fail "good.csv not replaced"
[ "$(stat -c %a "$T/good.csv")" = 640 ] || fail "good.csv lost its mode"
# Through a symbolic link: the link stays, its target gets the CSV.
ln -s good.csv "$T/link.csv"
"$PR" replay "$T/b.prt" $R --json "$T/link.csv" >/dev/null || fail "replay"
[ -L "$T/link.csv" ] || fail "the link was replaced"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' \
    "$T/good.csv" || fail "the link's target is not the JSON"

# Write errors on stdout are caught.
if [ -w /dev/full ]; then
	"$PR" sweep "$T/b.prt" --threads 1 >/dev/full 2>"$T/err" &&
	    fail "sweep >/dev/full exited 0"
	"$PR" replay "$T/b.prt" $R --json - >/dev/full 2>"$T/err" &&
	    fail "replay --json - >/dev/full exited 0"
fi

# --csv - and --json -: only the data on stdout, the report on stderr.
"$PR" replay "$T/b.prt" $R --csv - >"$T/o.csv" 2>"$T/err" ||
    fail "replay --csv -"
[ "$(wc -l <"$T/o.csv")" -eq $((NROWS + 1)) ] || fail "--csv -: stdout is not the CSV"
head -1 "$T/o.csv" | grep -q '^run_id,' || fail "--csv -: no header first"
grep -q 'events/s' "$T/err" || fail "--csv -: no report on stderr"
"$PR" replay "$T/b.prt" $R --json - --csv "$T/j.csv" >"$T/o.json" \
    2>/dev/null || fail "replay --json -"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/o.json" ||
    fail "--json -: stdout is not the JSON alone"

# On a terminal, a sweep's CSV rows on stdout are not glued onto its
# progress line on stderr.
python3 - "$PR" "$T/b.prt" <<'PY' || fail "sweep rows glued onto the progress line"
import os, pty, sys
try:
    pid, fd = pty.fork()
except OSError as e:
    print(f"skipped the terminal check: no pty ({e})")
    sys.exit(0)
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "sweep", sys.argv[2], "--threads",
                           "1,1,1", "--no-hwc"])
out = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
os.waitpid(pid, 0)
# What the terminal shows of each line: the text after its last \r.
text = out.decode(errors="replace").replace("\x1b[K", "")
shown = [l.rstrip("\r").split("\r")[-1] for l in text.split("\n")]
rows = [l for l in text.split("\n") if ",synth," in l]
assert len(rows) == 3 * int(os.environ["NROWS"]), text
assert "sweep: run 2 of 3" in text, "no progress line drawn"
for l in shown:
    assert ",synth," not in l or not l.startswith("sweep:"), repr(l)
PY

# Damaged traces: a byte flipped in the index block, in the tail's index
# offset, or in the second frame of a two-frame trace; and a cut one.
# (In format v3, 150 000 synth build events fit one 1 MiB frame; 200 000
# make two.)
"$PR" synth build --seed 1 --events 200000 -o "$T/m.prt" >/dev/null ||
    fail "synth build"
python3 - "$T" <<'PY' || fail "damaging traces"
import struct, sys
t = sys.argv[1]
def damage(src, dst, at):
    d = bytearray(open(f"{t}/{src}", "rb").read())
    at(d)
    open(f"{t}/{dst}", "wb").write(d)
# The tail: u64 index offset, u64 checksum, 8-byte magic; the index:
# u32 magic, u32 0, u64 nframes, entries { u64 offset, 48-byte header }.
ioff = lambda d: struct.unpack_from("<Q", d, len(d) - 24)[0]
def idx(d): d[ioff(d) + 20] ^= 0x40
def tail(d): d[len(d) - 21] ^= 0x01
def frame1(d):
    off = struct.unpack_from("<Q", d, ioff(d) + 16 + 56)[0]
    d[off + 48 + 100] ^= 0x10
damage("b.prt", "idx.prt", idx)
damage("b.prt", "tail.prt", tail)
damage("m.prt", "frame.prt", frame1)
m = open(f"{t}/m.prt", "rb").read()
open(f"{t}/cut.prt", "wb").write(m[:ioff(m)])
PY
for bad in idx tail frame; do
	expect_error 1 "$PR" replay "$T/$bad.prt" $R
	grep -q 'damaged.*--salvage' "$T/err" ||
	    fail "$bad: the refusal does not say damaged and --salvage"
	expect_error 1 "$PR" sweep "$T/$bad.prt" --threads 1
done
for bad in idx tail; do
	"$PR" replay "$T/$bad.prt" $R --salvage --csv "$T/$bad.csv" \
	    >/dev/null 2>"$T/err" || fail "$bad: --salvage"
	grep -q 'warning: .*damaged.* replaying the 20000 events of its 1 intact frames' \
	    "$T/err" || fail "$bad: no warning with the counts: $(cat "$T/err")"
	[ "$(csv_col "$T/$bad.csv" page events)" = \
	    "$(csv_col "$T/whole.csv" page events)" ] ||
	    fail "$bad: not every intact event replayed"
done
"$PR" sweep "$T/frame.prt" --threads 1 --salvage --csv "$T/frame.csv" \
    2>"$T/err" || fail "sweep --salvage"
grep -q 'warning: .*damaged.*of its 1 intact frames (1 damaged frames left out)' \
    "$T/err" || fail "frame: no warning with the counts: $(cat "$T/err")"
ev=$(csv_col "$T/frame.csv" page events)
[ "$ev" -gt 0 ] && [ "$ev" -lt 200000 ] || fail "frame: $ev events replayed"
"$PR" replay "$T/cut.prt" $R >/dev/null 2>"$T/err" || fail "a cut trace"
grep -q 'warning: .*cut short; replaying its 200000 events in 2 complete frames' \
    "$T/err" || fail "cut: no warning with the counts: $(cat "$T/err")"
no_leftovers
echo "ok"
