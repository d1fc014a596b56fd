#!/usr/bin/env bash
# pcap_live.sh PAGEREPLAY SFSERVER - the libpcap front end against the real
# server on loopback: `record --iface lo --filter` live, and tcpdump's pcap
# through `record --pcap`, must both find exactly the requests curl made;
# 20 pipelined GETs captured with -s 512 must all become events; SIGINT to
# a lagging live capture keeps the packets the kernel already captured.
set -euo pipefail
PR=$1
SF=$2
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || skip "live capture needs root"
command -v curl >/dev/null || skip "curl is not installed"
command -v tcpdump >/dev/null || skip "tcpdump is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
# (Outputs captured first: with pipefail, `cmd | grep -q` has cmd's status.)
probe=$("$PR" record --pcap /dev/null -o /dev/null 2>&1 || true)
if grep -q 'without libpcap' <<<"$probe"; then
	skip "pagereplay was built without libpcap"
fi

tmp=$(mktemp -d /tmp/pr-pcaplive-XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir "$tmp/www"
head -c 200000 /dev/urandom >"$tmp/www/a.bin"
head -c 50000 /dev/urandom >"$tmp/www/b.bin"
"$SF" -d "$tmp/www" -p 0 --port-file "$tmp/port" --nocache 2>"$tmp/sf.log" &
pids+=($!)
for _ in $(seq 300); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || fail "server did not start"
port=$(cat "$tmp/port")
url=http://127.0.0.1:$port

"$PR" record --iface lo --filter "tcp port $port" --nocache \
    -o "$tmp/live.prt" >"$tmp/live.log" 2>&1 &
live=$!
tcpdump -i lo -s 512 -U -w "$tmp/cap.pcap" "tcp port $port" \
    2>"$tmp/tcpdump.log" &
pids+=($!)
tcpd=$!
for _ in $(seq 300); do
	grep -q 'listening on' "$tmp/tcpdump.log" &&
	    grep -q 'listening on' "$tmp/live.log" && break
	sleep 0.1
done
grep -q 'listening on' "$tmp/live.log" ||
    fail "record --iface did not start: $(cat "$tmp/live.log")"
grep -q 'listening on' "$tmp/tcpdump.log" ||
    fail "tcpdump did not start: $(cat "$tmp/tcpdump.log")"

# 8 whole files and 6 ranges on two keep-alive connections, plus 3 HEADs
# and 3 misses that must not become events.
curl -sf -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
    "$url/a.bin" "$url/b.bin" "$url/a.bin" "$url/b.bin"
curl -sf -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
    "$url/a.bin" "$url/a.bin" "$url/b.bin" "$url/b.bin"
for r in 0-4095 8192-20000 100000-; do
	curl -sf -o /dev/null -r "$r" "$url/a.bin"
	curl -sf -o /dev/null -r "$r" "$url/a.bin"
done
for _ in 1 2 3; do
	curl -sfI -o /dev/null "$url/a.bin"
	curl -s -o /dev/null "$url/missing"
done

sleep 2			# let a loaded machine deliver the last packets
kill -INT "$live"		# SIGINT ends a live capture cleanly
wait "$live" || fail "record --iface failed: $(cat "$tmp/live.log")"
kill -INT "$tcpd"
wait "$tcpd" || true
"$PR" record --pcap "$tmp/cap.pcap" --nocache -o "$tmp/file.prt" \
    >"$tmp/file.log" 2>&1 || fail "record --pcap: $(cat "$tmp/file.log")"

check() {
	"$PR" info --json "$1" >"$tmp/info.json" || fail "info $1"
	python3 - "$tmp/info.json" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n = d["notes"]
want = {"pcap.requests": 20, "pcap.responses": 20, "pcap.no_body": 6,
        "pcap.connections": 14, "pcap.unanswered": 0,
        "pcap.malformed": 0, "pcap.bad_http": 0}
errs = [f"{k} = {n.get(k)}, want {v}" for k, v in want.items()
        if n.get(k) != v]
if d["source"] != "pcap":
    errs.append(f"source {d['source']}")
if d["by_kind"].get("sendfile") != 14 or d["events"] != 14:
    errs.append(f"events {d['by_kind']}")
# 8 whole files (4 of 200000 B = 49 pages, 4 of 50000 B = 13 pages) and
# 2 x (1 + 3 + 25) pages of ranges.
if d["pages_by_kind"].get("sendfile") != 4 * 49 + 4 * 13 + 2 * (1 + 3 + 25):
    errs.append(f"pages {d['pages_by_kind']}")
if errs:
    print(sys.argv[2] + ": " + "; ".join(errs))
    sys.exit(1)
PY
}
check "$tmp/live.prt" || fail "live capture"
# SIGINT to a capture that lags behind its traffic keeps the packets the
# kernel already captured: stopped (SIGSTOP) while curl runs, the recorder
# finds the signal pending and the packets in its ring when it resumes.
"$PR" record --iface lo --filter "tcp port $port" --nocache \
    -o "$tmp/lag.prt" >"$tmp/lag.log" 2>&1 &
lag=$!
pids+=($lag)
for _ in $(seq 300); do grep -q 'listening on' "$tmp/lag.log" && break; sleep 0.1; done
grep -q 'listening on' "$tmp/lag.log" ||
    fail "record --iface did not start: $(cat "$tmp/lag.log")"
kill -STOP "$lag"
curl -sf -o /dev/null -o /dev/null -o /dev/null \
    "$url/a.bin" "$url/b.bin" "$url/a.bin"
kill -INT "$lag"
kill -CONT "$lag"
wait "$lag" || fail "record --iface (lagging) failed: $(cat "$tmp/lag.log")"
"$PR" info --json "$tmp/lag.prt" >"$tmp/lag.json" || fail "info lag.prt"
python3 - "$tmp/lag.json" <<'PY' || fail "packets captured before SIGINT were lost"
import json, sys
d = json.load(open(sys.argv[1]))
n = d["notes"]
if d["events"] != 3 or n.get("pcap.requests") != 3 or n.get("pcap.responses") != 3:
    print(f"{d['events']} events, {n.get('pcap.requests')} requests, "
          f"{n.get('pcap.responses')} responses; want 3 each")
    sys.exit(1)
PY
# --duration ends a live capture on time even when no packet comes.
start=$(date +%s)
"$PR" record --iface lo --filter 'tcp port 1' --duration 1s \
    -o "$tmp/idle.prt" >"$tmp/idle.log" 2>&1 ||
    fail "record --duration: $(cat "$tmp/idle.log")"
# (Without the bound it never ends; 20 s leaves start-up time on a loaded
# machine.)
[ $(($(date +%s) - start)) -le 20 ] || fail "--duration 1s took too long"
"$PR" info "$tmp/idle.prt" | grep -q '^events: *0$' || fail "idle capture"
check "$tmp/file.prt" || fail "tcpdump capture"

# 20 pipelined GETs on one connection under tcpdump -s 512 (issue 18): on
# loopback most response headers sit deep in a 64 KB segment after the
# previous body, past the snap length; each becomes an estimated event.
# Twice: one request per segment, then all 20 in one write (the requests
# past the snap length are estimated as copies of the ones seen).
tcpdump -i lo -s 512 -U -w "$tmp/pipe.pcap" "tcp port $port" \
    2>"$tmp/tcpdump2.log" &
pids+=($!)
tcpd=$!
for _ in $(seq 300); do
	grep -q 'listening on' "$tmp/tcpdump2.log" && break
	sleep 0.1
done
for mode in each one; do
python3 - "$port" "$mode" <<'PY' || fail "pipelined client ($mode)"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
req = b"GET /a.bin HTTP/1.1\r\nHost: t\r\n\r\n"
if sys.argv[2] == "each":
    for _ in range(20):
        s.sendall(req)
else:
    s.sendall(req * 20)
buf = b""
for _ in range(20):
    while b"\r\n\r\n" not in buf:
        buf += s.recv(65536)
    head, buf = buf.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200"), head
    n = int([l.split(b":")[1] for l in head.split(b"\r\n")
             if l.lower().startswith(b"content-length:")][0])
    while len(buf) < n:
        buf += s.recv(65536)
    buf = buf[n:]
s.close()
PY
done
sleep 1
kill -INT "$tcpd"
wait "$tcpd" || true
"$PR" record --pcap "$tmp/pipe.pcap" -o "$tmp/pipe.prt" \
    >"$tmp/pipe.log" 2>&1 || fail "record --pcap: $(cat "$tmp/pipe.log")"
"$PR" info --json "$tmp/pipe.prt" >"$tmp/pipe.json" || fail "info pipe.prt"
python3 - "$tmp/pipe.json" <<'PY' || fail "pipelined capture at -s 512"
import json, sys
d = json.load(open(sys.argv[1]))
n = d["notes"]
errs = []
if n.get("pcap.requests") != 40 or d["events"] != 40:
    errs.append(f"{n.get('pcap.requests')} requests, {d['events']} events")
if d["pages_by_kind"].get("sendfile") != 40 * 49:
    errs.append(f"pages {d['pages_by_kind']}")
if n.get("pcap.unanswered") != 0 or n.get("pcap.orphan_responses") != 0:
    errs.append(f"unanswered {n.get('pcap.unanswered')}, orphans "
                f"{n.get('pcap.orphan_responses')}")
if errs:
    print("; ".join(errs))
    sys.exit(1)
print(f"pipelined at -s 512: {n['pcap.responses']} response headers "
      f"seen, {n['pcap.estimated']} events estimated, "
      f"{n['pcap.estimated_requests']} requests estimated")
PY
echo "pcap_live: live and tcpdump captures both match the 20 requests;" \
    "2 x 20 pipelined GETs at -s 512 all found"
