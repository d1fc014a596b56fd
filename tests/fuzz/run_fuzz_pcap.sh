#!/usr/bin/env bash
# run_fuzz_pcap.sh FUZZER TEST_PCAP_HTTP [SECONDS] - run a pcap front-end
# fuzzer (fuzz_pcap_packets or fuzz_pcap_file) for a bounded time from a
# seed corpus made by the unit test: test_pcap_http writes its captures
# (clean, damaged, pcapng, pipelined, huge bodies, snap length 512) into
# $PR_PCAP_CORPUS and keeps them.
set -eu
fuzzer=$(realpath "$1") test=$(realpath "$2") secs=${3:-20}
dir=$(mktemp -d /tmp/prfuzz-pcap.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/made" "$dir/corpus"
PR_PCAP_CORPUS="$dir/made" "$test" >"$dir/test.log" 2>&1 ||
    { cat "$dir/test.log"; exit 1; }
# The captures, the largest (5,000 pipelined requests) left out: seeds stay
# small so that runs are fast.
find "$dir/made" -type f \( -name '*.pcap' -o -name '*.pcapng' \) \
    -size -256k -exec cp {} "$dir/corpus/" \;
[ -n "$(ls "$dir/corpus")" ] || { echo "no seed captures"; exit 1; }
cd "$dir"
exec "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len=262144 -close_fd_mask=3 -print_final_stats=1 corpus
