#!/usr/bin/env bash
# run_fuzz.sh FUZZER PAGEREPLAY [SECONDS] - run the reader fuzzer for a
# bounded time from a small seed corpus generated here: synthetic traces of
# both models (in the newest format), one cut short, one without frames;
# plus the older formats' seeds in seeds/ (trace_rewrite --version 1 and 2
# of the same synthetic traces: synth writes only the newest).
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
cp "$(dirname "$(realpath "$0")")"/seeds/*.prt "$dir/corpus/"
cd "$dir"
exec "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 corpus
