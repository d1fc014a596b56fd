#!/bin/sh
# bench/results.sh [BUILD_DIR [OUT_DIR [REPEAT]]] - reproduces every figure
# of docs/results.md: the four claims of PRODUCT.md section 9, checked with
# pagereplay (footprint, replay, sweep) on the real traces in
# workloads/traces/ and on synthetic traces made with `synth`.
#
#   meson setup build-x && ninja -C build-x
#   bench/results.sh build-x /tmp/results 3
#
# Writes into OUT_DIR the traces, the sweeps' CSVs, the footprint and
# per-call-site outputs, and tables.md (the Markdown tables quoted in
# docs/results.md, medians over REPEAT runs; counts and ratios are taken
# within one run, then the median over the repeats).  Needs python3 and a C
# compiler (the per-call-site counter helper below links the engine's
# static library: the replay CLI does not print per-site counters).
# Sections can be run alone: SECTIONS="c1 c2" bench/results.sh ...
set -eu
B=${1:-build-x}
O=${2:-/tmp/pagereplay-results}
R=${3:-3}
SECTIONS=${SECTIONS:-"c1 c2 c3 c4 eras tables"}
PR=$B/pagereplay
TR=workloads/traces
mkdir -p "$O"

want() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "host: $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), Linux $(uname -r), Debian $(cat /etc/debian_version)"
	echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "commit: $(git describe --always --dirty 2>/dev/null || echo unknown)"
	echo "uncommitted: $(git status --short engine replay workloads 2>/dev/null | tr '\n' ' ')"
	echo "binary: $PR, built $(date -u -r "$PR" '+%Y-%m-%d %H:%M UTC')"
	echo "version: $($PR --version)"
} >"$O/machine-$(echo "$SECTIONS" | tr ' ' '_').txt"

# Synthetic traces (deterministic: same options, same bytes).
[ -f "$O/sf.prt" ] || "$PR" synth sendfile --seed 1 --files 2000 --clients 64 \
    --nocache --events 200000 -o "$O/sf.prt" >/dev/null
[ -f "$O/sfc.prt" ] || "$PR" synth sendfile --seed 1 --files 2000 --clients 64 \
    --events 200000 -o "$O/sfc.prt" >/dev/null
[ -f "$O/build.prt" ] || "$PR" synth build --seed 1 --events 300000 \
    -o "$O/build.prt" >/dev/null

# Per-call-site lock acquisitions: a single-threaded, deterministic pass of a
# trace through the engine (ids mapped to slots in order of appearance),
# printing eng_stats_sites().
sites_helper() {
	[ -x "$O/sites" ] && return 0
	cat >"$O/sites.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"
#include "trace.h"

struct map { uint64_t *k, *v; size_t cap, n; };
static uint64_t slot(struct map *m, uint64_t key)
{
	size_t i = (key * 0x9E3779B97F4A7C15ULL) & (m->cap - 1);
	while (m->k[i] != 0 && m->k[i] != key + 1)
		i = (i + 1) & (m->cap - 1);
	if (m->k[i] == 0) { m->k[i] = key + 1; m->v[i] = m->n++; }
	return m->v[i];
}
static void minit(struct map *m, size_t cap)
{ m->cap = cap; m->n = 0; m->k = calloc(cap, 8); m->v = calloc(cap, 8); }

int main(int argc, char **argv)
{
	char err[256];
	struct eng_design d;
	struct eng_params p;
	struct pr_event ev;
	struct map om, pm;
	struct pr_reader *r;
	struct vm_engine *en;
	struct eng_cpu *c;
	struct eng_site_row rows[256];
	uint64_t n = 0, sk = 0;
	size_t nr, i;
	int e;

	if (argc < 5) {
		fprintf(stderr, "usage: sites TRACE PAGE QUEUE PV\n");
		return 2;
	}
	eng_design_default(&d);
	if (eng_design_parse(&d, ENG_FAM_PAGE, argv[2], err, sizeof err) ||
	    eng_design_parse(&d, ENG_FAM_QUEUE, argv[3], err, sizeof err) ||
	    eng_design_parse(&d, ENG_FAM_PV, argv[4], err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	minit(&om, 1 << 22);
	minit(&pm, 1 << 20);
	if ((r = pr_reader_open(argv[1], &e)) == NULL)
		return 2;
	while (pr_reader_next(r, &ev) == 1) {
		slot(&om, ev.obj);
		slot(&pm, ev.pmap);
	}
	pr_reader_close(r);
	memset(&p, 0, sizeof p);
	p.design = d;
	p.nslots = 1;
	p.nobjects = om.n + 1;
	p.npmaps = pm.n + 1;
	p.phys_pages = 1ULL << 18;	/* 1 GiB, replay's default */
	p.timing = false;
	if ((en = eng_create(&p, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	c = eng_cpu(en, 0);
	if ((r = pr_reader_open(argv[1], &e)) == NULL)
		return 2;
	while (pr_reader_next(r, &ev) == 1) {
		ev.obj = slot(&om, ev.obj);
		ev.pmap = slot(&pm, ev.pmap);
		sk += eng_apply(c, &ev) != ENG_SKIP_NONE;
		n++;
	}
	pr_reader_close(r);
	eng_quiesce(en);
	nr = eng_stats_sites(en, rows, 256);
	printf("# %s page %s queue %s pv %s: %llu events, %llu skipped, "
	    "1 thread\n", argv[1], argv[2], argv[3], argv[4],
	    (unsigned long long)n, (unsigned long long)sk);
	printf("%-10s %-30s %12s\n", "class", "site", "acquisitions");
	for (i = 0; i < nr && i < 256; i++)
		printf("%-10s %-30s %12llu\n",
		    eng_lock_class_name(rows[i].lock_class), rows[i].site,
		    (unsigned long long)rows[i].acquisitions);
	printf("invariant violations: %llu\n",
	    (unsigned long long)eng_check(en, stderr));
	eng_destroy(en);
	return 0;
}
EOF
	${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -Iengine -Icommon -o "$O/sites" \
	    "$O/sites.c" "$B/engine/libprengine.a" "$B/engine/libprlock.a" \
	    "$B/common/libprtrace.a" \
	    -lzstd -lpthread -lm
}

# Claim 1: refcount removes page-lock bouncing in object termination.
if want c1; then
	for p in pagelock refcount; do
		"$PR" footprint --page $p --queue locked --pv hashed \
		    >"$O/c1-footprint-$p.txt"
	done
	sites_helper
	for t in "$TR/build-zstd.prt" "$O/build.prt"; do
		n=$(basename "$t" .prt)
		for p in pagelock refcount; do
			"$O/sites" "$t" $p locked hashed >"$O/c1-sites-$n-$p.txt"
		done
	done
	for t in "$TR/build-zstd.prt" "$O/build.prt"; do
		n=$(basename "$t" .prt)
		"$PR" sweep "$t" --threads 1,2 --page pagelock,refcount \
		    --queue locked --pv hashed --repeat "$R" --check \
		    --csv "$O/c1-$n.csv" >/dev/null 2>"$O/c1-$n.err"
	done
fi

# Claim 2: SF_NOCACHE completions on different files, threads 1 and 2,
# --scale disjoint (each replica its own files and pmaps).
if want c2; then
	sites_helper
	for p in pagelock refcount; do
		"$O/sites" "$O/sf.prt" $p batch:7 hashed >"$O/c2-sites-sf-$p.txt"
	done
	for t in "$O/sf.prt" "$TR/sendfile-nocache-pcap.prt" \
	    "$TR/sendfile-nocache-ebpf.prt"; do
		n=$(basename "$t" .prt)
		"$PR" sweep "$t" --threads 1,2 --scale 1,2 --scale-mode disjoint \
		    --page pagelock,refcount --queue batch:7 --pv hashed \
		    --repeat "$R" --check --csv "$O/c2-$n.csv" \
		    >/dev/null 2>"$O/c2-$n.err"
	done
	for p in pagelock refcount; do
		"$PR" footprint --page $p --queue batch:7 --pv hashed \
		    >"$O/c2-footprint-$p.txt"
	done
fi

# Claim 3: batch queues vs the page-queue lock.
if want c3; then
	for t in "$O/sf.prt" "$O/sfc.prt" "$TR/build-zstd.prt"; do
		n=$(basename "$t" .prt)
		"$PR" sweep "$t" --threads 2 --page refcount \
		    --queue locked,batch:7,batch:31,batch:63,batch:63:trylock \
		    --pv hashed --repeat "$R" --check --csv "$O/c3-$n.csv" \
		    >/dev/null 2>"$O/c3-$n.err"
	done
fi

# Claim 4: pv-list lock granularity on a build.
if want c4; then
	for t in "$TR/build-zstd.prt" "$O/build.prt"; do
		n=$(basename "$t" .prt)
		"$PR" sweep "$t" --threads 2 --page refcount --queue batch:63 \
		    --pv hashed,superpage,perpage --repeat "$R" --check \
		    --csv "$O/c4-$n.csv" >/dev/null 2>"$O/c4-$n.err"
	done
	sites_helper
	for t in "$TR/build-zstd.prt" "$O/build.prt"; do
		n=$(basename "$t" .prt)
		for pv in hashed superpage perpage; do
			"$O/sites" "$t" refcount batch:63 $pv \
			    >"$O/c4-sites-$n-$pv.txt"
		done
	done
	# The other half of D24217: the global pv-chunk list lock vs a
	# global list of pmaps.
	"$PR" sweep "$TR/build-zstd.prt" --threads 2 --page refcount \
	    --queue batch:63 --pv perpage --pvchunk global,pmaps \
	    --repeat "$R" --check --csv "$O/c4b-build-zstd.csv" \
	    >/dev/null 2>"$O/c4b-build-zstd.err"
	for pv in hashed superpage perpage; do
		"$PR" footprint --page refcount --queue batch:63 --pv $pv \
		    >"$O/c4-footprint-$pv.txt"
	done
fi

# The eras: every family as each release shipped it (--preset), on the
# real build and the cached synthetic sendfile trace, 2 threads.
PRESETS="freebsd10 freebsd12 freebsd13 freebsd14 d24217"
if want eras; then
	for t in "$TR/build-zstd.prt" "$O/sfc.prt"; do
		n=$(basename "$t" .prt)
		for p in $PRESETS; do
			"$PR" sweep "$t" --threads 2 --preset "$p" \
			    --repeat "$R" --check --csv "$O/e-$n-$p.csv" \
			    >/dev/null 2>"$O/e-$n-$p.err"
		done
	done
fi

if want tables; then
	python3 - "$O" >"$O/tables.md" <<'EOF'
import csv, glob, os, statistics, sys
O = sys.argv[1]
med = statistics.median

def runs(path):
    """{run_id: {'cfg': {...}, class: row}} from a sweep CSV."""
    out = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            if r['run_id'] == 'run_id' or r.get('lock_instance'):
                continue                # headers of shards; instance rows
            d = out.setdefault(r['run_id'], {'cfg': r})
            d[r['lock_class']] = r
    return out

def key(r, cols):
    return tuple(r['cfg'][c] for c in cols)

def group(path, cols):
    g = {}
    for run in runs(path).values():
        g.setdefault(key(run, cols), []).append(run)
    return g

def f(x, nd=3):
    if isinstance(x, float):
        if x != 0 and abs(x) < 10 ** -nd:
            return '%.2g' % x
        return ('%.' + str(nd) + 'f') % x
    return str(x)

CL = ['page', 'object', 'pagequeue', 'freequeue', 'pv', 'pmap', 'pvchunk',
      'reserv']
def I(run, c, col):
    return int(run[c][col] or 0)
def cont_total(run):
    return sum(I(run, c, 'contended') for c in CL)
def ev(run):
    return int(run['cfg']['events'])
def viol(rs):
    v = [r['cfg']['check_violations'] for r in rs]
    return ','.join(sorted(set(v)))

def table(title, path, cols, metrics):
    if not os.path.exists(path):
        return
    print('### ' + title)
    print()
    print('`' + os.path.basename(path) + '`, median of %s repeats' % '/'.join(
        sorted({str(len(v)) for v in group(path, cols).values()})))
    print()
    hdr = cols + [m[0] for m in metrics] + ['check']
    print('| ' + ' | '.join(hdr) + ' |')
    print('|' + '---|' * len(hdr))
    for k, rs in group(path, cols).items():
        vals = [f(med([m[1](r) for r in rs]), m[2] if len(m) > 2 else 3)
                for m in metrics]
        print('| ' + ' | '.join(list(k) + vals) + ' | ' + viol(rs) + ' |')
    print()

def sites(path):
    d = {}
    if not os.path.exists(path):
        return d
    for line in open(path):
        w = line.split()
        if len(w) == 3 and w[2].isdigit():
            d[(w[0], w[1])] = int(w[2])
    return d

def sites_table(title, files, classes):
    got = [(lbl, sites(p)) for lbl, p in files]
    if not all(d for _, d in got):
        return
    print('### ' + title)
    print()
    print('single-threaded pass through the engine (`sites` helper), deterministic')
    print()
    print('| class | site | ' + ' | '.join(l for l, _ in got) + ' |')
    print('|---|---|' + '---|' * len(got))
    keys = sorted({k for _, d in got for k in d if k[0] in classes},
                  key=lambda k: (classes.index(k[0]), -max(d.get(k, 0) for _, d in got),
                                 k[1]))
    for k in keys:
        print('| %s | `%s` | ' % k + ' | '.join(str(d.get(k, 0)) for _, d in got) + ' |')
    print('| %s | **total** | ' % '+'.join(classes) + ' | '.join(
        str(sum(v for kk, v in d.items() if kk[0] in classes)) for _, d in got) + ' |')
    print()

for n in ['build-zstd', 'build']:
    sites_table('Claim 1: page-lock acquisitions per call site, %s, queue locked, pv hashed' % n,
                [(p, '%s/c1-sites-%s-%s.txt' % (O, n, p)) for p in ['pagelock', 'refcount']],
                ['page'])
sites_table('Claim 2: per call site, sf, queue batch:7, pv hashed',
            [(p, '%s/c2-sites-sf-%s.txt' % (O, p)) for p in ['pagelock', 'refcount']],
            ['page', 'object', 'freequeue'])
for n in ['build-zstd', 'build']:
    sites_table('Claim 4: pv-lock acquisitions per call site, %s, refcount, batch:63' % n,
                [(p, '%s/c4-sites-%s-%s.txt' % (O, n, p)) for p in ['hashed', 'superpage', 'perpage']],
                ['pv'])

# Claim 1
for n in ['build-zstd', 'build']:
    table('Claim 1: %s, page class' % n, '%s/c1-%s.csv' % (O, n),
          ['threads', 'page'],
          [('events', lambda r: ev(r), 0),
           ('page acq', lambda r: I(r, 'page', 'acquisitions'), 0),
           ('page acq/event', lambda r: I(r, 'page', 'acquisitions') / ev(r)),
           ('page contended', lambda r: I(r, 'page', 'contended'), 0),
           ('page cont/1k events', lambda r: 1000 * I(r, 'page', 'contended') / ev(r)),
           ('page wait total ms', lambda r: I(r, 'page', 'wait_total_ns') / 1e6, 1),
           ('page share of contention %', lambda r: 100 * I(r, 'page', 'contended') / max(1, cont_total(r)), 1),
           ('events/s', lambda r: float(r['cfg']['events_per_s']), 0)])

# Claim 2
for n in ['sf', 'sendfile-nocache-pcap', 'sendfile-nocache-ebpf']:
    table('Claim 2: %s' % n, '%s/c2-%s.csv' % (O, n),
          ['threads', 'scale', 'page'],
          [('events', lambda r: ev(r), 0),
           ('page acq/event', lambda r: I(r, 'page', 'acquisitions') / ev(r)),
           ('page cont/1k events', lambda r: 1000 * I(r, 'page', 'contended') / ev(r)),
           ('page wait ns/event', lambda r: I(r, 'page', 'wait_total_ns') / ev(r), 1),
           ('freequeue cont/1k events', lambda r: 1000 * I(r, 'freequeue', 'contended') / ev(r)),
           ('all cont/1k events', lambda r: 1000 * cont_total(r) / ev(r)),
           ('events/s', lambda r: float(r['cfg']['events_per_s']), 0),
           ('slowest worker ev/s', lambda r: float(r['cfg']['worker_events_per_s_min']), 0)])

# Claim 3
for n in ['sf', 'sfc', 'build-zstd']:
    table('Claim 3: %s, threads 2, page refcount, pv hashed' % n,
          '%s/c3-%s.csv' % (O, n), ['queue'],
          [('pq acq', lambda r: I(r, 'pagequeue', 'acquisitions'), 0),
           ('pq acq/event', lambda r: I(r, 'pagequeue', 'acquisitions') / ev(r)),
           ('pq contended', lambda r: I(r, 'pagequeue', 'contended'), 0),
           ('pq cont %', lambda r: float(r['pagequeue']['contended_pct'] or 0), 2),
           ('pq share of contention %', lambda r: 100 * I(r, 'pagequeue', 'contended') / max(1, cont_total(r)), 1),
           ('pq wait total ms', lambda r: I(r, 'pagequeue', 'wait_total_ns') / 1e6, 1),
           ('fq acq/event', lambda r: I(r, 'freequeue', 'acquisitions') / ev(r)),
           ('fq share of contention %', lambda r: 100 * I(r, 'freequeue', 'contended') / max(1, cont_total(r)), 1),
           ('pvchunk share %', lambda r: 100 * I(r, 'pvchunk', 'contended') / max(1, cont_total(r)), 1),
           ('all contended', lambda r: cont_total(r), 0),
           ('events/s', lambda r: float(r['cfg']['events_per_s']), 0)])

# Claim 4
for n in ['build-zstd', 'build']:
    table('Claim 4: %s, threads 2, page refcount, queue batch:63' % n,
          '%s/c4-%s.csv' % (O, n), ['pv'],
          [('pv acq', lambda r: I(r, 'pv', 'acquisitions'), 0),
           ('pv contended', lambda r: I(r, 'pv', 'contended'), 0),
           ('pv cont/1k acq', lambda r: 1000 * I(r, 'pv', 'contended') / max(1, I(r, 'pv', 'acquisitions'))),
           ('pv wait total ms', lambda r: I(r, 'pv', 'wait_total_ns') / 1e6, 2),
           ('pv share of contention %', lambda r: 100 * I(r, 'pv', 'contended') / max(1, cont_total(r)), 1),
           ('pvchunk acq', lambda r: I(r, 'pvchunk', 'acquisitions'), 0),
           ('events/s', lambda r: float(r['cfg']['events_per_s']), 0)])
table('Claim 4b: build-zstd, threads 2, refcount, batch:63, pv perpage',
      '%s/c4b-build-zstd.csv' % O, ['pvchunk'],
      [('pvchunk acq', lambda r: I(r, 'pvchunk', 'acquisitions'), 0),
       ('pvchunk contended', lambda r: I(r, 'pvchunk', 'contended'), 0),
       ('pvchunk wait total ms', lambda r: I(r, 'pvchunk', 'wait_total_ns') / 1e6, 1),
       ('pvchunk share of contention %', lambda r: 100 * I(r, 'pvchunk', 'contended') / max(1, cont_total(r)), 1),
       ('all contended', lambda r: cont_total(r), 0),
       ('events/s', lambda r: float(r['cfg']['events_per_s']), 0)])

# The eras: one sweep file per preset, rows merged into one table.
import glob, shutil, tempfile
for n in ['build-zstd', 'sfc']:
    files = [('%s/e-%s-%s.csv' % (O, n, p)) for p in
             ['freebsd10', 'freebsd12', 'freebsd13', 'freebsd14', 'd24217']]
    files = [x for x in files if os.path.exists(x)]
    if not files:
        continue
    tmp = tempfile.NamedTemporaryFile('w', suffix='.csv', delete=False)
    for i, x in enumerate(files):
        lines = open(x).read().splitlines(True)
        tmp.writelines(lines if i == 0 else [l for l in lines if not l.startswith('run_id,')])
    tmp.close()
    os.rename(tmp.name, '%s/e-%s.csv' % (O, n))
    acq = lambda c: (c + ' acq/event', lambda r, c=c: I(r, c, 'acquisitions') / ev(r))
    share = lambda c: (c + ' share %', lambda r, c=c: 100 * I(r, c, 'contended') / max(1, cont_total(r)), 1)
    table('Eras: %s, threads 2, --preset' % n, '%s/e-%s.csv' % (O, n),
          ['page', 'queue', 'pv', 'pvchunk'],
          [acq('page'), acq('object'), acq('pagequeue'), acq('freequeue'),
           acq('pv'), acq('pvchunk'),
           share('pagequeue'), share('freequeue'), share('pv'), share('object'),
           ('all cont/1k events', lambda r: 1000 * cont_total(r) / ev(r), 2),
           ('events/s', lambda r: float(r['cfg']['events_per_s']), 0)])
EOF
	cat "$O/tables.md"
fi
