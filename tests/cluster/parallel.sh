#!/bin/sh
# parallel.sh PAGEREPLAY DOC - the GNU parallel recipe of
# docs/sweep-cluster.md, verbatim: its shards merged by the documented
# merge.sh are the same runs as the sweep on one machine; a failing shard
# makes the recipe fail and leaves no merged CSV (it used to merge the
# failures into an empty CSV and exit 0).
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
doc_block merge.sh >merge.sh
doc_block parallel >recipe.sh
[ -s merge.sh ] && [ -s recipe.sh ] || fail "recipes not found in $DOC"

pagereplay synth build --seed 1 --events 10000 -o build.prt >/dev/null ||
    fail "synth build"
sh recipe.sh >out 2>err || { cat out err; fail "the GNU parallel recipe failed"; }
grep -q '^merge: 8 shards' out || { cat out err; fail "no merge summary"; }

# The same sweep on one machine (the recipe's lists and thread counts).
CPUS=$(nproc); J=$(( CPUS < 4 ? CPUS : 4 )); C=$(( CPUS / J ))
TH=1; t=2; while [ $t -le $C ]; do TH=$TH,$t; t=$((t * 2)); done
pagereplay sweep build.prt --threads $TH --page pagelock,refcount \
    --queue locked,batch:8,batch:64 --repeat 3 --cpus 0 \
    --csv single.csv >/dev/null 2>err || { cat err; fail "one-machine sweep"; }
run_set sweep.csv >merged.set
run_set single.csv >single.set
[ -s single.set ] || fail "empty run set"
cmp -s merged.set single.set || { diff merged.set single.set | head
    fail "the merged shards are not the one-machine sweep's runs"; }
[ "$(grep -c '^run_id,' sweep.csv)" -eq 1 ] || fail "not one header"

# A failing shard: the recipe fails and nothing is merged.
rm -f sweep.csv
head -c 3000 build.prt >cut.prt && mv cut.prt build.prt
sh recipe.sh >out 2>err && fail "the recipe succeeded with failing shards"
[ ! -e sweep.csv ] || fail "failed shards were merged into sweep.csv"
# merge.sh alone refuses a missing shard.
mkdir -p r2 && : >r2/sweep-0.csv
sh merge.sh 2 r2 >out 2>err && fail "merge.sh merged a missing shard"
grep -q 'shard 1 of 2' err || fail "merge.sh does not name the missing shard"
exit 0
