#!/usr/bin/env bash
# sfserver.sh SFSERVER - the sendfile server end to end over loopback:
# whole files, byte ranges, keep-alive with pipelining, error statuses,
# path traversal, loopback-only binding, and --nocache dropping the pages
# it sent (fincore).
set -euo pipefail
SF=$1
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }

tmp=$(mktemp -d /tmp/pr-sfserver-XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$tmp/www/sub"
head -c 300000 /dev/urandom >"$tmp/www/big.bin"
printf 'hello\n' >"$tmp/www/sub/h.txt"
: >"$tmp/www/empty"
echo secret >"$tmp/outside"

start() {
	rm -f "$tmp/port"
	"$SF" -d "$tmp/www" -p 0 --port-file "$tmp/port" "$@" 2>"$tmp/log" &
	pid=$!
	for _ in $(seq 300); do [ -s "$tmp/port" ] && break; sleep 0.1; done
	[ -s "$tmp/port" ] || fail "server did not start: $(cat "$tmp/log")"
	url=http://127.0.0.1:$(cat "$tmp/port")
}
stop() {
	kill "$pid"
	wait "$pid" || fail "server exited with $?"
	pid=
}
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

start -t 2
curl -sf "$url/big.bin" | cmp - "$tmp/www/big.bin" || fail "whole file differs"
curl -sf -r 1000-4999 "$url/big.bin" |
    cmp - <(tail -c +1001 "$tmp/www/big.bin" | head -c 4000) ||
    fail "range 1000-4999 differs"
[ "$(curl -sf -r -100 "$url/big.bin" | wc -c)" = 100 ] || fail "suffix range"
[ "$(curl -sf -r 299990- "$url/big.bin" | wc -c)" = 10 ] || fail "open range"
[ "$(code -r 1000-1999 "$url/big.bin")" = 206 ] || fail "range status"
[ "$(code -r 400000- "$url/big.bin")" = 416 ] || fail "unsatisfiable range"
[ "$(code "$url/nope")" = 404 ] || fail "missing file"
[ "$(code "$url/sub")" = 404 ] || fail "directory"
[ "$(code --path-as-is "$url/../outside")" = 400 ] || fail "traversal"
[ "$(code --path-as-is "$url/sub/%2e%2e/../outside")" = 400 ] ||
    fail "encoded traversal"
[ "$(code -X POST "$url/big.bin")" = 405 ] || fail "POST"
[ "$(curl -sf "$url/empty" | wc -c)" = 0 ] || fail "empty file"
[ "$(curl -sI "$url/big.bin" | tr -d '\r' |
    sed -n 's/^Content-Length: //p')" = 300000 ] || fail "HEAD length"
# Two requests pipelined on one connection, answered in order.
resp=$(printf 'GET /sub/h.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /big.bin HTTP/1.1\r\nRange: bytes=0-2\r\nConnection: close\r\n\r\n' |
    timeout 30 curl -s telnet://127.0.0.1:"$(cat "$tmp/port")" | tr -d '\r')
[ "$(grep -c '^HTTP/1.1 ' <<<"$resp")" = 2 ] || fail "pipelining: $resp"
grep -q '^Content-Range: bytes 0-2/300000$' <<<"$resp" || fail "pipelined range"
# Keep-alive: curl reuses one connection for two URLs.
curl -sv "$url/sub/h.txt" "$url/sub/h.txt" 2>&1 >/dev/null |
    grep -q 'Re-using existing connection' || fail "keep-alive"
stop
grep -q ' requests (' "$tmp/log" || fail "no counters at exit"

# Loopback only.
if "$SF" -d "$tmp/www" -p 0 -b 0.0.0.0 2>/dev/null; then
	fail "bound to 0.0.0.0"
fi

# --nocache: the pages a response sent are dropped afterwards.
command -v fincore >/dev/null || { echo "SKIP: no fincore for --nocache"; exit 77; }
resident() { fincore -n -b -o RES "$tmp/www/big.bin" | tr -d ' '; }
sync "$tmp/www/big.bin"		# dirty pages cannot be dropped
cat "$tmp/www/big.bin" >/dev/null
[ "$(resident)" -gt 0 ] || { echo "SKIP: page cache not observable"; exit 77; }
start --nocache
curl -sf "$url/big.bin" >/dev/null
# A receiver's skbs may be freed late, by the CPU that allocated them at
# its next network receive, and the server drops the pages they still held
# again at exit (sfserver.c, drop_range): give every CPU we may run on a
# receive before stopping it.
command -v taskset >/dev/null || { echo "SKIP: no taskset for --nocache"; exit 77; }
cpus=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
for r in $(echo "$cpus" | tr ',' ' '); do
	for c in $(seq "${r%-*}" "${r#*-}"); do
		taskset -c "$c" curl -sf "$url/sub/h.txt" >/dev/null
	done
done
stop
[ "$(resident)" = 0 ] || fail "--nocache left $(resident) bytes resident"
grep -q ' pages never dropped' "$tmp/log" || fail "no --nocache counters"
start
curl -sf "$url/big.bin" >/dev/null
stop
[ "$(resident)" -gt 0 ] || fail "without --nocache the file was dropped"
echo "sfserver: all checks passed"
