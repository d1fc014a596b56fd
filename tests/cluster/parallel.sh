#!/bin/sh
# parallel.sh PAGEREPLAY DOC - the GNU parallel recipe of
# docs/sweep-cluster.md, verbatim: its shards merged by `pagereplay merge`
# (as the recipe does) are the same runs as the sweep on one machine, with
# one header (every shard writes one: the recipe's old `cat` of the shards
# gave 8); a failing shard makes the recipe fail and leaves no merged CSV
# (it used to merge the failures into an empty CSV and exit 0); the merge
# refuses a missing shard.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
PR=$1
DOC=$2
command -v parallel >/dev/null 2>&1 || {
	echo "SKIP: GNU parallel is not installed (Debian: parallel)"; exit 77; }
mkdir -p "$T/bin" "$T/w" "$T/home/.parallel"
ln -s "$(cd "$(dirname "$PR")" && pwd)/$(basename "$PR")" "$T/bin/pagereplay"
touch "$T/home/.parallel/will-cite"
export PATH="$T/bin:$PATH" HOME="$T/home"
cd "$T/w" || fail "cd"
doc_block parallel >recipe.sh
[ -s recipe.sh ] || fail "recipe not found in $DOC"

pagereplay synth build --seed 1 --events 10000 -o build.prt >/dev/null ||
    fail "synth build"
sh recipe.sh >out 2>err || { cat out err; fail "the GNU parallel recipe failed"; }
grep -q '^merge: .* runs from 8 files$' err || { cat out err; fail "no merge summary"; }

# The same sweep on one machine (the recipe's lists and thread counts).
CPUS=$(nproc); J=$(( CPUS < 4 ? CPUS : 4 )); C=$(( CPUS / J ))
TH=1; t=2; while [ $t -le $C ]; do TH=$TH,$t; t=$((t * 2)); done
pagereplay sweep build.prt --threads $TH --page pagelock,refcount \
    --queue locked,batch:8,batch:64 --repeat 3 --cpus 0 \
    --csv single.csv >/dev/null 2>err || { cat err; fail "one-machine sweep"; }
same_runs sweep.csv single.csv

# A failing shard: the recipe fails and nothing is merged.
rm -f sweep.csv
cp -R results good
head -c 3000 build.prt >cut.prt && mv cut.prt build.prt
sh recipe.sh >out 2>err && fail "the recipe succeeded with failing shards"
[ ! -e sweep.csv ] || fail "failed shards were merged into sweep.csv"
# The documented merge refuses a missing shard (a failed one leaves no
# file), names the first missing run and writes nothing.
rm -rf results && mv good results
rm results/sweep-1.csv
pagereplay merge -o sweep.csv results/sweep-*.csv >out 2>err &&
    fail "pagereplay merge merged a missing shard"
grep -q 'missing (the first: run 1)' err ||
    { cat err; fail "pagereplay merge does not name the missing run"; }
[ ! -e sweep.csv ] || fail "a merge with a missing shard wrote sweep.csv"
exit 0
