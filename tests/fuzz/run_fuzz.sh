#!/usr/bin/env bash
# run_fuzz.sh FUZZER PAGEREPLAY [SECONDS] - run the reader fuzzer for a
# bounded time from a small seed corpus generated here: synthetic traces of
# both models, one cut short, one without frames.
set -eu
fuzzer=$(realpath "$1") pr=$(realpath "$2") secs=${3:-25}
dir=$(mktemp -d /tmp/prfuzz.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/corpus"
"$pr" synth build --seed 1 -n 300 -o "$dir/corpus/build.prt"
"$pr" synth sendfile --seed 2 -n 200 --files 20 --clients 3 --nocache \
    -o "$dir/corpus/sendfile.prt"
size=$(stat -c %s "$dir/corpus/build.prt")
head -c $((size / 2)) "$dir/corpus/build.prt" >"$dir/corpus/cut.prt"
"$pr" synth build --seed 3 -n 1 -o "$dir/corpus/one.prt"
cd "$dir"
exec "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 corpus
