/*
 * test_presets.c - the era presets (issue 12 item 5): each preset sets
 * every family as docs/presets.md says its release shipped, later family
 * options override it, the design values the presets need parse and
 * format, and the two behaviours they add are the kernel's: the queue-lock
 * rate of D37305's half-full trylock (astate:63:trylock, one flush per 33
 * submissions) against astate:63 and 12.x's trylock-when-full
 * (batch:31:trylock-full, one per 32), the free path following
 * --free, not --queue, and freebsd10's pvh_global_lock (--pv
 * hashed:256:global): one more pv acquisition where 10.4 read-locks it,
 * one lock word that every CPU's pmap operations share.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine.h"
#include "evgen.h"
#include "pmap_internal.h"
#include "solo_hook.h"

/* docs/presets.md's table, by family (page, queue, pv, pvchunk, free). */
static const struct {
	const char *name;
	const char *spec[ENG_FAM_COUNT];
} want[] = {
	{ "freebsd10", { "pagelock:256", "locked", "hashed:256:global",
	    "global", "global" } },
	{ "freebsd12", { "pagelock:256", "batch:31:trylock-full",
	    "hashed:256:di-locked", "global", "pgcache" } },
	{ "freebsd13", { "refcount", "astate:31", "superpage:di", "domain:1",
	    "pgcache" } },
	{ "freebsd14", { "refcount", "astate:63:trylock", "superpage:di",
	    "domain:1", "pgcache" } },
	{ "dragonfly56", { "dfly", "colored:1024", "dfly", "domain:1",
	    "colored" } },
	{ "d24217", { "refcount", "astate:63:trylock", "perpage:di", "pmaps",
	    "pgcache" } },
};
#define NWANT	(sizeof(want) / sizeof(want[0]))

static void
test_preset_families(void **state)
{
	const struct eng_preset_info *pi;
	struct eng_design d;
	char err[256], buf[64];
	size_t i;
	int fam;

	(void)state;
	for (i = 0; i < NWANT; i++) {
		assert_int_equal(eng_preset_apply(&d, want[i].name, err,
		    sizeof(err)), 0);
		for (fam = 0; fam < ENG_FAM_COUNT; fam++)
			assert_string_equal(eng_design_format(&d,
			    (enum eng_family)fam, buf, sizeof(buf)),
			    want[i].spec[fam]);
		pi = eng_preset_info(i);
		assert_non_null(pi);
		assert_string_equal(pi->name, want[i].name);
		for (fam = 0; fam < ENG_FAM_COUNT; fam++)
			assert_true(strlen(pi->follows[fam]) > 0);
	}
	assert_null(eng_preset_info(NWANT));
	err[0] = '\0';
	assert_int_equal(eng_preset_apply(&d, "freebsd11", err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "freebsd14"));
}

/* A family option after the preset changes that family only. */
static void
test_preset_override(void **state)
{
	struct eng_design d, p;
	char err[256];

	(void)state;
	assert_int_equal(eng_preset_apply(&p, "freebsd12", err, sizeof(err)),
	    0);
	d = p;
	assert_int_equal(eng_design_parse(&d, ENG_FAM_QUEUE, "astate:8", err,
	    sizeof(err)), 0);
	assert_int_equal(d.queue, ENG_QUEUE_ASTATE);
	assert_int_equal(d.batch, 8);
	assert_int_equal(d.trylock, ENG_TRYLOCK_NONE);
	assert_int_equal(d.page, p.page);
	assert_int_equal(d.pv, p.pv);
	assert_int_equal(d.pvchunk, p.pvchunk);
	assert_int_equal(d.free, p.free);
	/* A preset after a family option replaces it. */
	assert_int_equal(eng_preset_apply(&d, "freebsd12", err, sizeof(err)),
	    0);
	assert_memory_equal(&d, &p, sizeof(d));
}

/*
 * The defaults keep today's design, pgcache included (the new values
 * themselves are parsed in test_vm.c's test_design_parse).
 */
static void
test_defaults_unchanged(void **state)
{
	struct eng_design d;

	(void)state;
	eng_design_default(&d);
	assert_int_equal(d.queue, ENG_QUEUE_ASTATE);
	assert_int_equal(d.trylock, ENG_TRYLOCK_NONE);
	assert_int_equal(d.free, ENG_FREE_PGCACHE);
	assert_int_equal(d.pvchunk, ENG_PVCHUNK_GLOBAL);
}

/* The footprint rows of design d (ENG_FP_NVARIANTS; free() them). */
static struct eng_fp_row *
footprint(const struct eng_design *d)
{
	struct eng_fp_row *rows;
	char err[256];

	rows = calloc(ENG_FP_NVARIANTS, sizeof(*rows));
	assert_non_null(rows);
	assert_int_equal(eng_footprint(d, rows, NULL, err, sizeof(err)), 0);
	return (rows);
}

/* The row of event in rows. */
static const struct eng_fp_row *
fp_row(const struct eng_fp_row *rows, const char *event)
{
	unsigned i;

	for (i = 0; i < ENG_FP_NVARIANTS; i++)
		if (rows[i].event != NULL && strcmp(rows[i].event, event) == 0)
			return (&rows[i]);
	fail_msg("no footprint event %s", event);
	return (NULL);
}

/* Amortized acquisitions of class lc by event under the design. */
static double
amortized(const char *queue, const char *free_spec, const char *event,
    unsigned lc)
{
	const struct eng_fp_row *r;
	struct eng_fp_row *rows;
	struct eng_design d;
	char err[256];
	double v;

	eng_design_default(&d);
	assert_int_equal(eng_design_parse(&d, ENG_FAM_QUEUE, queue, err,
	    sizeof(err)), 0);
	assert_int_equal(eng_design_parse(&d, ENG_FAM_FREE, free_spec, err,
	    sizeof(err)), 0);
	rows = footprint(&d);
	r = fp_row(rows, event);
	v = (double)r->total.acq[lc] / r->reps;
	free(rows);
	return (v);
}

/*
 * One requeue per event: astate:63 flushes every 64th submission,
 * D37305 every 33rd (the lock is tried once 32 of 63 slots are taken, so
 * at the 33rd entry), 12.x's full-batch trylock every 32nd for batch:31,
 * the same as a plain lock uncontended.
 */
static void
test_trylock_rates(void **state)
{
	(void)state;
	assert_float_equal(amortized("astate:63", "pgcache", "requeue",
	    LC_PAGEQUEUE), 1.0 / 64, 0.002);
	assert_float_equal(amortized("astate:63:trylock", "pgcache",
	    "requeue", LC_PAGEQUEUE), 1.0 / 33, 0.001);
	assert_float_equal(amortized("batch:31:trylock-full", "pgcache",
	    "requeue", LC_PAGEQUEUE), 1.0 / 32, 0.001);
	assert_float_equal(amortized("batch:31", "pgcache", "requeue",
	    LC_PAGEQUEUE), 1.0 / 32, 0.001);
}

/* The free path follows --free whatever the queue design. */
static void
test_free_axis(void **state)
{
	(void)state;
	assert_float_equal(amortized("locked", "global", "page_insert",
	    LC_FREEQUEUE), 1.0, 0.001);
	assert_true(amortized("locked", "pgcache", "page_insert",
	    LC_FREEQUEUE) < 0.1);
	assert_float_equal(amortized("astate:63", "global", "page_insert",
	    LC_FREEQUEUE), 1.0, 0.001);
	assert_true(amortized("astate:63", "pgcache", "page_insert",
	    LC_FREEQUEUE) < 0.1);
}

/*
 * --pv hashed:256:global (freebsd10) adds FreeBSD 10.4's pvh_global_lock
 * to class pv (release/10.4.0 sys/amd64/amd64/pmap.c): one more pv
 * acquisition, single and amortized, for the read-locking pmap_enter
 * (map, its variants, promote's caller), pmap_remove (unmap),
 * pmap_remove_write, pmap_remove_pages (pmap_destroy) and demote's
 * callers; pmap_remove_all (remove_all) write-locks it instead of the pv
 * list lock, so its count stays 1.  The other classes do not change.
 */
static void
test_pvh_global_lock(void **state)
{
	static const struct {
		const char *event;
		unsigned more;
	} want_pv[] = {
		{ "map", 1 }, { "map:write", 1 }, { "map:new", 1 },
		{ "unmap", 1 }, { "remove_write", 1 }, { "pmap_destroy", 1 },
		{ "promote", 1 }, { "demote", 1 }, { "remove_all", 0 },
	};
	struct eng_fp_row *base, *glob;
	const struct eng_fp_row *b, *g;
	struct eng_design d;
	char err[256];
	unsigned i, lc;

	(void)state;
	assert_int_equal(eng_preset_apply(&d, "freebsd10", err, sizeof(err)),
	    0);
	assert_true(d.pv_global);
	glob = footprint(&d);
	assert_int_equal(eng_design_parse(&d, ENG_FAM_PV, "hashed:256", err,
	    sizeof(err)), 0);
	assert_false(d.pv_global);
	base = footprint(&d);
	for (i = 0; i < sizeof(want_pv) / sizeof(want_pv[0]); i++) {
		b = fp_row(base, want_pv[i].event);
		g = fp_row(glob, want_pv[i].event);
		assert_int_equal(g->single.acq[LC_PV], b->single.acq[LC_PV] +
		    want_pv[i].more);
		assert_int_equal(g->total.acq[LC_PV] * b->reps,
		    (b->total.acq[LC_PV] + (uint64_t)want_pv[i].more *
		    b->reps) * g->reps);
	}
	assert_int_equal(fp_row(glob, "remove_all")->single.acq[LC_PV], 1);
	for (i = 0; i < ENG_FP_NVARIANTS; i++)
		for (lc = 0; lc < LC_COUNT; lc++)
			if (lc != LC_PV)
				assert_int_equal(glob[i].single.acq[lc],
				    base[i].single.acq[lc]);
	free(base);
	free(glob);
}

/*
 * Delayed invalidation (engine/amd64/pmap_invl.c), class invl: only
 * pmap_remove (unmap) opens a block among the footprint's events.  12.0
 * (freebsd12, :di-locked): invl_gen_mtx in pmap_delayed_invl_started and
 * _finished, and the turnstile chain lock of invl_gen_ts in _finished, a
 * lone CPU's block being the oldest: 3 acquisitions.  12.1+ (freebsd13,
 * freebsd14, d24217, :di): no lock, five locked RMWs (start_u: load and
 * store cmpxchg16b on the queue's tail; finish_u: atomic_set_ptr on its
 * own element, load and store cmpxchg16b on its predecessor).  10.4 has
 * none.  Every other class, and every other event, is as without DI;
 * pmap_destroy opens none (pmap_remove_pages needs none, and no mapping is
 * left for the teardown's pmap_remove).
 */
static void
test_delayed_invl(void **state)
{
	static const struct {
		const char *preset, *no_di;
		uint64_t acq, atomics;
	} want_di[] = {
		{ "freebsd12", "hashed:256", 3, 0 },
		{ "freebsd13", "superpage", 0, 5 },
		{ "freebsd14", "superpage", 0, 5 },
		{ "d24217", "perpage", 0, 5 },
		{ "freebsd10", "hashed:256:global", 0, 0 },
	};
	struct eng_fp_row *di, *base;
	const struct eng_fp_row *u;
	struct eng_design d;
	char err[256];
	unsigned i, k, lc;

	(void)state;
	for (i = 0; i < sizeof(want_di) / sizeof(want_di[0]); i++) {
		assert_int_equal(eng_preset_apply(&d, want_di[i].preset, err,
		    sizeof(err)), 0);
		di = footprint(&d);
		assert_int_equal(eng_design_parse(&d, ENG_FAM_PV,
		    want_di[i].no_di, err, sizeof(err)), 0);
		assert_int_equal(d.pv_di, ENG_DI_NONE);
		base = footprint(&d);
		u = fp_row(di, "unmap");
		if (u->single.acq[LC_INVL] != want_di[i].acq ||
		    u->single.atomics[LC_INVL] < want_di[i].atomics ||
		    (want_di[i].acq == 0 && u->single.atomics[LC_INVL] !=
		    want_di[i].atomics))
			fail_msg("%s unmap: invl %ju acquisitions, %ju atomics",
			    want_di[i].preset,
			    (uintmax_t)u->single.acq[LC_INVL],
			    (uintmax_t)u->single.atomics[LC_INVL]);
		assert_int_equal(u->total.acq[LC_INVL],
		    want_di[i].acq * u->reps);
		for (k = 0; k < ENG_FP_NVARIANTS; k++) {
			if (di[k].event == NULL)
				continue;
			if (strcmp(di[k].event, "unmap") != 0 &&
			    (di[k].single.acq[LC_INVL] != 0 ||
			    di[k].single.atomics[LC_INVL] != 0))
				fail_msg("%s %s: invl taken", want_di[i].preset,
				    di[k].event);
			for (lc = 0; lc < LC_COUNT; lc++) {
				if (lc == LC_INVL)
					continue;
				assert_int_equal(di[k].single.acq[lc],
				    base[k].single.acq[lc]);
				assert_int_equal(di[k].single.atomics[lc],
				    base[k].single.atomics[lc]);
			}
		}
		free(base);
		free(di);
	}
}

/* An engine of preset name with nslots CPUs, objects, pmaps and pages. */
static struct vm_engine *
preset_engine(const char *name, unsigned nslots, uint64_t nobjects,
    uint64_t npmaps, uint64_t phys)
{
	struct eng_params p;
	struct vm_engine *e;
	char err[256];

	memset(&p, 0, sizeof(p));
	assert_int_equal(eng_preset_apply(&p.design, name, err, sizeof(err)),
	    0);
	p.nslots = nslots;
	p.nobjects = nobjects;
	p.npmaps = npmaps;
	p.phys_pages = phys;
	e = eng_create(&p, err, sizeof(err));
	assert_non_null(e);
	return (e);
}

/* Class invl acquisitions and atomics of CPU i of e. */
static uint64_t
invl_acq(struct vm_engine *e, unsigned i)
{
	return (pmap_mi_lkstat(eng_cpu(e, i))->cls[LC_INVL].acquisitions);
}

static uint64_t
invl_atomics(struct vm_engine *e, unsigned i)
{
	return (pmap_mi_lkstat(eng_cpu(e, i))->cls[LC_INVL].atomics);
}

/* A two-CPU engine of preset, whose pmap layer has delayed invl. di. */
static struct vm_engine *
di_engine(const char *preset, enum eng_pv_di di, struct eng_cpu **a,
    struct eng_cpu **b, struct pmap_md **md)
{
	struct vm_engine *e;

	e = preset_engine(preset, 2, 8, 2, 4096);
	*a = eng_cpu(e, 0);
	*b = eng_cpu(e, 1);
	*md = pmap_mi_cpu_md(*a);
	assert_int_equal((*md)->md_di, di);
	return (e);
}

/*
 * 12.0's DI blocks overlapping (freebsd12, :di-locked): CPU 0 opens one
 * (generation 1), CPU 1 another (2) and closes it first: an older block
 * is open, so pmap_delayed_invl_finished hands generation 2 to CPU 0's
 * block instead of taking the turnstile chain lock (2 acquisitions of
 * invl_gen_mtx).  CPU 0's block, the oldest, closes with the chain lock
 * (3) and publishes pmap_invl_gen 2 (2019 head pmap.c @14000-16100).
 */
static void
test_delayed_invl_locked_overlap(void **state)
{
	struct vm_engine *e;
	struct pmap_md *md;
	struct eng_cpu *a, *b;

	(void)state;
	e = di_engine("freebsd12", ENG_DI_LOCKED, &a, &b, &md);
	pmap_delayed_invl_start(a);
	pmap_delayed_invl_start(b);
	assert_false(pmap_not_in_di(a));
	assert_int_equal(md->md_invl[1].gen, 1);
	assert_int_equal(md->md_invl[2].gen, 2);
	pmap_delayed_invl_finish(b);
	assert_int_equal(invl_acq(e, 1), 2);
	assert_int_equal(md->md_invl[1].gen, 2);
	assert_int_equal(md->md_invl_gen, 0);
	pmap_delayed_invl_finish(a);
	assert_int_equal(invl_acq(e, 0), 3);
	assert_int_equal(md->md_invl_gen, 2);
	assert_true(pmap_not_in_di(a) && pmap_not_in_di(b));
	eng_destroy(e);
}

/*
 * 12.1+'s lock-free DI queue (freebsd14, :di): CPU 0's block (generation
 * 2, the head's 1 + 1) is linked from the head, CPU 1's (3) from CPU 0's
 * element, each start with two RMWs on its predecessor.  CPU 1 closes
 * first: its predecessor, CPU 0's element, takes generation 3 and is the
 * tail again; CPU 0 closes and the head takes 3 (13.0 pmap.c, index id
 * 65761193378, @19000-25000).  Five RMWs a block, no lock.
 */
static void
test_delayed_invl_lockless_overlap(void **state)
{
	struct vm_engine *e;
	struct pmap_md *md;
	struct eng_cpu *a, *b;
	uint64_t w;

	(void)state;
	e = di_engine("freebsd14", ENG_DI_LOCKLESS, &a, &b, &md);
	assert_true(pmap_not_in_di(a));
	pmap_delayed_invl_start(a);
	pmap_delayed_invl_start(b);
	assert_false(pmap_not_in_di(a) || pmap_not_in_di(b));
	w = atomic_load(&md->md_invl[0].word);
	assert_int_equal(w, 1 | (uint64_t)1 << 47);	/* gen 1, next CPU 0 */
	w = atomic_load(&md->md_invl[1].word);
	assert_int_equal(w, 2 | (uint64_t)2 << 47);	/* gen 2, next CPU 1 */
	assert_int_equal(atomic_load(&md->md_invl[2].word), 3);
	pmap_delayed_invl_finish(b);
	assert_int_equal(atomic_load(&md->md_invl[1].word), 3);
	pmap_delayed_invl_finish(a);
	assert_int_equal(atomic_load(&md->md_invl[0].word), 3);
	assert_true(pmap_not_in_di(a) && pmap_not_in_di(b));
	assert_int_equal(invl_atomics(e, 0), 5);
	assert_int_equal(invl_atomics(e, 1), 5);
	assert_int_equal(invl_acq(e, 0) + invl_acq(e, 1), 0);
	eng_destroy(e);
}

static _Atomic bool global_map_done;

/* A fault on CPU 0: page 5 of object 2 mapped in pmap 0. */
static void *
global_map_run(void *arg)
{
	struct pr_event x;

	memset(&x, 0, sizeof(x));
	x.kind = PR_MAP;
	x.obj = 2;
	x.pindex = 5;
	x.npages = 1;
	x.addr = (uint64_t)0x1005 << 12;
	assert_int_equal(eng_apply(eng_cpu(arg, 0), &x), 0);
	atomic_store(&global_map_done, true);
	return (NULL);
}

/*
 * --pv hashed:256:global (the freebsd10 preset): pvh_global_lock is one
 * lock word per engine, which every CPU's pmap_enter read-locks before its
 * pmap lock (release/10.4.0 sys/amd64/amd64/pmap.c line 4299).  While CPU
 * 1 write-locks it, as pmap_remove_all does (line 3861), a fault on CPU 0
 * waits; it maps the page once the lock is dropped, its acquisition
 * counted contended in class pv.
 */
static void
test_pvh_global_lock_shared(void **state)
{
	ENG_SITE_DEFINE;
	struct eng_stats st;
	struct vm_engine *e;
	struct pmap_md *md;
	struct eng_lkstat *ls1;
	pthread_t t;

	(void)state;
	e = preset_engine("freebsd10", 2, 8, 2, 4096);
	md = pmap_mi_cpu_md(eng_cpu(e, 0));
	assert_true(md->md_pv_global);
	assert_ptr_equal(pmap_mi_cpu_md(eng_cpu(e, 1)), md);
	ls1 = pmap_mi_lkstat(eng_cpu(e, 1));
	eng_rw_wlock(ls1, &md->md_pvh_global_lock, ENG_HERE);
	atomic_store(&global_map_done, false);
	assert_int_equal(pthread_create(&t, NULL, global_map_run, e), 0);
	usleep(50000);
	assert_false(atomic_load(&global_map_done));
	eng_rw_wunlock(ls1, &md->md_pvh_global_lock);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(atomic_load(&global_map_done));
	eng_stats_collect(e, &st);
	assert_true(st.lock[LC_PV].contended >= 1);
	eng_quiesce(e);
	assert_int_equal(eng_check(e, stderr), 0);
	eng_destroy(e);
}

/* A solo_hook.h hook that counts the RMWs reported to it. */
static uint64_t rmw_reported, rmw_now;

static void
count_access(void *ctx, const void *p, enum eng_sim_op op)
{
	(void)ctx;
	(void)p;
	rmw_reported += op == ENG_SIM_RMW;
}

static uint64_t
count_now(void *ctx)
{
	(void)ctx;
	return (rmw_now);
}

/*
 * Every atomic the engine counts (the `atomics` of a report) is reported
 * to the simulator before it is executed, so that `simulate` charges each
 * one its cache line's cost: 20 000 random events of every kind on one
 * CPU under each preset, reported RMWs against counted atomics.  Fails
 * if a design counts an atomic it does not report (DragonFly's pmap
 * counters did, so simulate left them out).
 */
static void
test_atomics_reported(void **state)
{
	static const struct eng_sim_hook hook =
	    SOLO_HOOK(count_access, count_now);
	struct eng_stats st;
	struct vm_engine *e;
	struct pr_event ev;
	uint64_t counted;
	size_t i, k;
	unsigned lc;

	(void)state;
	for (i = 0; i < NWANT; i++) {
		struct evgen g = {
			.state = 7 + i, .nobjects = 24, .npmaps = 4,
			.pindex_span = 1500, .scan = true, .pmap = true,
		};

		e = preset_engine(want[i].name, 1, 24, 4, 2048);
		rmw_reported = 0;
		eng_lock_sim_set(&hook);
		for (k = 0; k < 20000; k++) {
			evgen_next(&g, &ev);
			ev.time_ns = rmw_now = k * 1000;
			(void)eng_apply(eng_cpu(e, 0), &ev);
		}
		eng_lock_sim_set(NULL);
		eng_stats_collect(e, &st);
		for (counted = 0, lc = 0; lc < LC_COUNT; lc++)
			counted += st.lock[lc].atomics;
		if (counted != rmw_reported)
			fail_msg("%s: %ju atomics counted, %ju reported",
			    want[i].name, (uintmax_t)counted,
			    (uintmax_t)rmw_reported);
		assert_true(counted > 20000);
		eng_destroy(e);
	}
}

/*
 * Under every preset a page_lookup flagged PR_F_FAULT_AROUND (Linux's
 * fault-around, which no modelled kernel makes: engine.c
 * eng_ev_fault_around()) takes no lock, counts no atomic, allocates no
 * page and is counted in fault_around_lookups; the same lookup unflagged
 * (a read's) grabs its pages.
 */
static void
test_fault_around_lookup(void **state)
{
	struct eng_stats before, after;
	struct pr_event x;
	struct vm_engine *e;
	size_t i;
	unsigned k;

	(void)state;
	for (i = 0; i < NWANT; i++) {
		e = preset_engine(want[i].name, 1, 4, 2, 2048);
		memset(&x, 0, sizeof(x));
		x.kind = PR_OBJ_CREATE;
		x.obj = 1;
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
		x.kind = PR_PAGE_LOOKUP;
		x.pindex = 32;
		x.npages = 16;
		x.flags = PR_F_FAULT_AROUND;
		eng_stats_collect(e, &before);
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
		eng_stats_collect(e, &after);
		for (k = 0; k < LC_COUNT; k++) {
			assert_int_equal(after.lock[k].acquisitions,
			    before.lock[k].acquisitions);
			assert_int_equal(after.lock[k].atomics,
			    before.lock[k].atomics);
		}
		assert_int_equal(after.fault_around_lookups, 1);
		x.kind = PR_PAGE_REMOVE;
		x.npages = 1;
		x.flags = 0;
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x),
		    ENG_SKIP_NOT_RESIDENT);
		x.kind = PR_PAGE_LOOKUP;
		x.npages = 16;
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
		eng_stats_collect(e, &after);
		assert_true(after.lock[LC_OBJECT].acquisitions >
		    before.lock[LC_OBJECT].acquisitions);
		assert_int_equal(after.fault_around_lookups, 1);
		x.kind = PR_PAGE_REMOVE;
		x.npages = 1;
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
		eng_destroy(e);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preset_families),
		cmocka_unit_test(test_preset_override),
		cmocka_unit_test(test_pvh_global_lock),
		cmocka_unit_test(test_pvh_global_lock_shared),
		cmocka_unit_test(test_delayed_invl),
		cmocka_unit_test(test_delayed_invl_locked_overlap),
		cmocka_unit_test(test_delayed_invl_lockless_overlap),
		cmocka_unit_test(test_defaults_unchanged),
		cmocka_unit_test(test_trylock_rates),
		cmocka_unit_test(test_free_axis),
		cmocka_unit_test(test_atomics_reported),
		cmocka_unit_test(test_fault_around_lookup),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
