#!/bin/sh
# slurm.sh PAGEREPLAY DOC - the Slurm recipe of docs/sweep-cluster.md on a
# real single-node Slurm: munged, slurmctld and slurmd on localhost,
# configured here in a temp dir (own ports, state, spool, munge key and
# socket).  The documented sweep.sbatch is submitted as written (a 3-task
# array and a small SWEEP), the documented `pagereplay merge` merges (one
# header: every shard writes one), and the run set equals the same sweep
# on one machine.  Before the fix the recipe never
# created logs/ and results/: every task failed without a log.  Skipped
# with a printed reason without Slurm, munge or root.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
PR=$1
DOC=$2
skip() { echo "SKIP: $*"; exit 77; }
for p in slurmctld slurmd sbatch squeue munged; do
	command -v $p >/dev/null 2>&1 ||
	    skip "$p not found (Debian: slurm-wlm munge; scripts/setup)"
done
[ "$(id -u)" -eq 0 ] || skip "a private slurmd needs root"

S=$T/slurm
mkdir -p "$S/state" "$S/spool" "$S/munge" "$T/bin" "$T/w"
chmod 700 "$S/munge"
ln -s "$(cd "$(dirname "$PR")" && pwd)/$(basename "$PR")" "$T/bin/pagereplay"

# munge: a key and a socket of our own.
dd if=/dev/urandom of="$S/munge/key" bs=1024 count=1 2>/dev/null
chmod 400 "$S/munge/key"
munged --force --key-file="$S/munge/key" --socket="$S/munge/sock" \
    --pid-file="$S/munge/pid" --log-file="$S/munge/log" \
    --seed-file="$S/munge/seed" 2>"$T/munged.err" ||
    skip "munged does not start: $(cat "$T/munged.err")"

# Ports from the PID so that concurrent runs do not collide.
port=$((20000 + ($$ % 20000) * 2))
cpus=$(nproc)
mem=$(awk '/MemTotal/ { print int($2 / 1024 / 2) }' /proc/meminfo)
host=$(hostname -s)
cat >"$S/slurm.conf" <<CONF
ClusterName=prtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$S/munge/sock
CredType=cred/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MaxArraySize=64
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$S/slurm.conf"
stop() {
	for f in slurmd.pid slurmctld.pid munge/pid; do
		[ -s "$S/$f" ] && kill "$(cat "$S/$f")" 2>/dev/null
	done
	sleep 1
	rm -rf "$T"
}
trap stop EXIT
slurmctld -f "$SLURM_CONF" 2>"$T/ctld.err" ||
    fail "slurmctld: $(cat "$T/ctld.err")"
slurmd -f "$SLURM_CONF" 2>"$T/slurmd.err" ||
    fail "slurmd: $(cat "$T/slurmd.err")"
i=0
until sinfo -h -o %t 2>/dev/null | grep -q '^idle'; do
	i=$((i + 1))
	[ $i -lt 30 ] || { tail -5 "$S/slurmctld.log" "$S/slurmd.log"
	    fail "the node did not come up in 30 s"; }
	sleep 1
done

export PATH="$T/bin:$PATH"
cd "$T/w" || fail "cd"
doc_block sweep.sbatch >sweep.sbatch
doc_block slurm-submit >submit.sh
[ -s sweep.sbatch ] && [ -s submit.sh ] ||
    fail "recipes not found in $DOC"
mkdir -p traces
pagereplay synth build --seed 1 --events 10000 -o traces/build.prt \
    >/dev/null || fail "synth build"

# The documented submission for 3 shards and a small sweep, bounded.
export SWEEP="--threads 1,2 --page pagelock,refcount --queue locked,batch:8 --repeat 2"
sed 's/^sbatch --wait sweep.sbatch$/sbatch --wait --array=0-2 sweep.sbatch/' \
    submit.sh >small.sh
grep -q 'array=0-2' small.sh ||
    fail "the submission lines of the recipe changed"
timeout 200 sh small.sh >out 2>err || { cat out err logs/* 2>/dev/null
    tail -5 "$S/slurmctld.log"; fail "the Slurm recipe failed"; }
grep -q '^merge: .* runs from 3 files$' err || { cat out err; fail "no merge summary"; }
for i in 0 1 2; do
	[ -f logs/sweep-$i.log ] || fail "no logs/sweep-$i.log"
done
[ -s sweep.svg ] || fail "no chart of the merged sweep"

pagereplay sweep traces/build.prt $SWEEP --cpus 0 --csv single.csv \
    >/dev/null 2>err || { cat err; fail "one-machine sweep"; }
same_runs sweep.csv single.csv

# The by-hand check, for this sweep's 16 runs (2 x 2 x 2 x 2 repeats).
doc_block check >check.sh
grep -q '^expected=\$(( 6 \* 2 \* 5 \* 3 \* 3 ))$' check.sh ||
    fail "the check recipe changed"
sed 's/^expected=.*/expected=16/' check.sh >check16.sh
[ "$(sh check16.sh)" = complete ] || fail "the check recipe: not complete"
grep -v "$(tail -1 sweep.csv | cut -d, -f1)" sweep.csv >short.csv
sed 's/sweep\.csv/short.csv/' check16.sh >checkshort.sh
[ -z "$(sh checkshort.sh)" ] || fail "the check recipe: a run missing passed"
exit 0
