#!/usr/bin/env python3
"""streams.py - where a v2 or v3 trace's bytes go: compressed bytes per
event of each column stream, read from the frames' stream directories
(docs/trace-format.md, "Frames" and "Frame payload (v2)").

usage: bench/trace/streams.py TRACE...

Per trace: events, frames, file bytes, then per non-empty stream its
compressed bytes per event, the frame headers and directories, and the
rest (file header, index block, tail).  No decompression and no checks:
`pagereplay info` is the tool that validates a trace.
"""

import struct
import sys

STREAMS = ("shape shapes time timelo tid cpu obj objnew pindex pmap addr "
           "addrlo arg npages").split()
FRAME_MAGICS = (0x32465250, 0x33465250)  # "PRF2", "PRF3"


def varint(buf, i):
    """The LEB128 varint at buf[i] and the offset after it."""
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def report(path):
    with open(path, "rb") as f:
        buf = f.read()
    if buf[:8] != b"PRTRACE\0":
        sys.exit(f"{path}: not a trace")
    version, hlen = struct.unpack_from("<II", buf, 8)
    if version < 2:
        sys.exit(f"{path}: format v{version} has no streams")
    pos = 24 + hlen
    comp = [0] * len(STREAMS)
    events = frames = overhead = 0
    # The frames run up to the index block, whose magic is not a frame's.
    while (pos + 48 <= len(buf) and
           struct.unpack_from("<I", buf, pos)[0] in FRAME_MAGICS):
        fcomp, fevents = struct.unpack_from("<II", buf, pos + 8)
        i = pos + 48 + 1  # past the header and tlo
        for k in range(len(STREAMS)):
            _, i = varint(buf, i)
            size, i = varint(buf, i)
            comp[k] += size
        overhead += i - pos
        events += fevents
        frames += 1
        pos += 48 + fcomp
    if events == 0:
        sys.exit(f"{path}: no frames")
    print(f"{path}: events {events} frames {frames} bytes {len(buf)} "
          f"B/event {len(buf) / events:.3f}")
    for name, size in zip(STREAMS, comp):
        if size:
            print(f"  {name:<8} {size / events:.3f}")
    print(f"  {'headers':<8} {overhead / events:.3f}  (frame headers, "
          "directories)")
    rest = len(buf) - sum(comp) - overhead
    print(f"  {'rest':<8} {rest / events:.3f}  (file header, index, tail)")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__.split("\n\n")[1])
    for path in sys.argv[1:]:
        report(path)


if __name__ == "__main__":
    main()
