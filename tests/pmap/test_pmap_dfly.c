/*
 * test_pmap_dfly.c - --pv dfly (DragonFly 5.6's pmap, pmap_dfly.c) on the
 * test page layer: the per-page mapping counts against the mappings, the
 * early exits they allow, the walk of an object's backing list and its
 * locks, pmap_ts_referenced's limit, no superpages, backings detached at
 * exit, the checker's count rule; and a four-thread stress run under the
 * MI rule that an object lock (here a test rwlock per object) orders
 * pmap_enter against pmap_remove_all / pmap_remove_write of its pages.
 *
 * PMAP_STRESS_OPS sets the stress operations per thread (default 6000).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pmap_ops.h"

#define VA0	0x7f0000000000ul

static void
dfly_design(struct eng_design *d)
{

	memset(d, 0, sizeof(*d));
	d->page = ENG_PAGE_REFCOUNT;
	d->pv = ENG_PV_DFLY;
	d->pvchunk = ENG_PVCHUNK_DOMAIN;
	d->pvchunk_domains = 1;
}

static struct pmap_counters
counters(struct vm_engine *e)
{
	struct pmap_counters cnt;

	pmap_md_counters(e->md, &cnt);
	return (cnt);
}

static uint32_t
pmap_count(struct vm_page *m)
{

	return (atomic_load(&m->md.pmap_count));
}

static uint32_t
writeable_count(struct vm_page *m)
{

	return (atomic_load(&m->md.writeable_count));
}

static uint64_t
pte_of(struct pmap *pm, uint64_t va)
{
	struct pmap_pd *pd;

	pd = pmap_pd_find(pm, va);
	return (pd == NULL || pd->pd_ptp == NULL ? 0 :
	    pd->pd_ptp[pmap_pte_index(va)]);
}

static uint64_t
acq(struct eng_cpu *c, enum eng_lock_class lc)
{

	return (c->lk.cls[lc].acquisitions);
}

/* Backings on object slot obj's list. */
static unsigned
nbackings(struct vm_engine *e, uint64_t obj)
{
	const struct pmap_backing *ba;
	unsigned n;

	n = 0;
	TAILQ_FOREACH(ba, &e->md->md_backing[obj].backing_list, ba_entry)
		n++;
	return (n);
}

/*
 * pmap_enter, pmap_remove and a replacement move the counts with the
 * mappings; no pv entry or chunk is made; PGA_WRITEABLE is set by a
 * writable enter and survives the mapping's removal (only the page-centric
 * operations clear it).
 */
static void
test_dfly_counts(void **state)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	struct vm_page *m, *m2;

	(void)state;
	dfly_design(&d);
	e = fake_create(&d, 1024, 4, 1);
	c = e->cpus[0];
	m = fake_page(e, 5);
	m2 = fake_page(e, 6);
	assert_int_equal(pmap_ev_enter(c, 0, VA0, m, true), 0);
	assert_int_equal(pmap_ev_enter(c, 1, VA0, m, false), 0);
	assert_int_equal(pmap_ev_enter(c, 2, VA0 + PAGE_SIZE, m, true), 0);
	assert_int_equal(pmap_count(m), 3);
	assert_int_equal(writeable_count(m), 2);
	assert_true(fake_writeable(m));
	assert_true(TAILQ_EMPTY(&m->md.pv_list));
	assert_int_equal(counters(e).chunk_allocs, 0);
	assert_true(pmap_page_is_mapped(m));
	/* The same page again, read-only: one mapping, no longer writable. */
	assert_int_equal(pmap_ev_enter(c, 0, VA0, m, false), 0);
	assert_int_equal(pmap_count(m), 3);
	assert_int_equal(writeable_count(m), 1);
	/* Another page replaces m at pmap 2's address. */
	assert_int_equal(pmap_ev_enter(c, 2, VA0 + PAGE_SIZE, m2, false), 0);
	assert_int_equal(pmap_count(m), 2);
	assert_int_equal(writeable_count(m), 0);
	assert_int_equal(pmap_count(m2), 1);
	assert_true(fake_writeable(m));		/* not cleared on unmap */
	assert_int_equal(pmap_check(e->md, stderr), 0);
	assert_int_equal(pmap_ev_remove(c, 0, VA0, 1), 0);
	assert_int_equal(pmap_ev_remove(c, 1, VA0, 1), 0);
	assert_int_equal(pmap_count(m), 0);
	assert_false(pmap_page_is_mapped(m));
	assert_int_equal(pmap_check(e->md, stderr), 0);
	fake_destroy(e);
}

/*
 * The early exits: pmap_remove_all of an unmapped page and
 * pmap_remove_write of a page with no writable mapping take no lock at
 * all; a page whose count reads 0 is not walked even when mapped (the
 * exit trusts the count: the checker must then report it).
 */
static void
test_dfly_early_exits(void **state)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	struct vm_page *m;
	uint64_t b, p;

	(void)state;
	dfly_design(&d);
	e = fake_create(&d, 1024, 4, 1);
	c = e->cpus[0];
	m = fake_page(e, 9);
	b = acq(c, LC_BACKING);
	p = acq(c, LC_PV);
	pmap_remove_all(c, m);
	pmap_remove_write(c, m);
	assert_int_equal(acq(c, LC_BACKING), b);
	assert_int_equal(acq(c, LC_PV), p);
	assert_int_equal(counters(e).dfly_early_exits, 2);

	assert_int_equal(pmap_ev_enter(c, 0, VA0, m, false), 0);
	assert_int_equal(pmap_ev_enter(c, 1, VA0, m, false), 0);
	b = acq(c, LC_BACKING);
	pmap_remove_write(c, m);		/* nothing writable */
	assert_int_equal(acq(c, LC_BACKING), b);
	assert_int_equal(counters(e).dfly_early_exits, 3);
	assert_int_equal(pmap_count(m), 2);

	/* A count that lies: remove_all believes it and leaves the PTEs. */
	atomic_store(&m->md.pmap_count, 0);
	pmap_remove_all(c, m);
	assert_int_equal(counters(e).dfly_early_exits, 4);
	assert_true((pte_of(fake_pmap(e, 0), VA0) & PG_V) != 0);
	assert_int_equal(pmap_check(e->md, NULL), 1);
	atomic_store(&m->md.pmap_count, 2);
	assert_int_equal(pmap_check(e->md, stderr), 0);

	/* The real walk: both mappings go, one walk, the flag is cleared. */
	pmap_remove_all(c, m);
	assert_int_equal(counters(e).dfly_walks, 1);
	assert_int_equal(pmap_count(m), 0);
	assert_int_equal(pte_of(fake_pmap(e, 0), VA0) & PG_V, 0);
	assert_int_equal(pte_of(fake_pmap(e, 1), VA0) & PG_V, 0);
	assert_int_equal(pmap_check(e->md, stderr), 0);
	fake_destroy(e);
}

/*
 * The walk's locks: the object's backing_lk once (shared), then the pmap
 * of every backing on the list, including one that does not map the page
 * (pmap 1 maps another page of the object at another offset).
 * pmap_remove_write clears RW and M of the writable mappings only.
 */
static void
test_dfly_walk_locks(void **state)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	struct vm_page *m, *other;
	uint64_t b, p;

	(void)state;
	dfly_design(&d);
	e = fake_create(&d, 1024, 4, 1);
	c = e->cpus[0];
	m = fake_page(e, 3);			/* object 0, pindex 3 */
	other = fake_page(e, 40);		/* object 0, pindex 40 */
	b = acq(c, LC_BACKING);
	assert_int_equal(pmap_ev_enter(c, 0, VA0 + 3 * PAGE_SIZE, m, true),
	    0);
	assert_int_equal(pmap_ev_enter(c, 1, VA0, m, false), 0);
	assert_int_equal(pmap_ev_enter(c, 1, VA0 + 7 * PAGE_SIZE, other,
	    false), 0);
	/* Three attaches, each under backing_lk exclusive; pmap 0's is
	   shared with pindex 4 at the next address. */
	assert_int_equal(pmap_ev_enter(c, 0, VA0 + 4 * PAGE_SIZE,
	    fake_page(e, 4), false), 0);
	assert_int_equal(acq(c, LC_BACKING) - b, 3);
	assert_int_equal(counters(e).dfly_attaches, 3);
	assert_int_equal(nbackings(e, 0), 3);

	b = acq(c, LC_BACKING);
	p = acq(c, LC_PV);
	pmap_remove_write(c, m);
	assert_int_equal(acq(c, LC_BACKING) - b, 1);
	assert_int_equal(acq(c, LC_PV) - p, 3);
	assert_int_equal(counters(e).dfly_backings, 3);
	assert_int_equal(writeable_count(m), 0);
	assert_int_equal(pmap_count(m), 2);
	assert_false(fake_writeable(m));
	assert_int_equal(pte_of(fake_pmap(e, 0), VA0 + 3 * PAGE_SIZE) &
	    (PG_RW | PG_M), 0);

	b = acq(c, LC_BACKING);
	p = acq(c, LC_PV);
	assert_true(fake_try_remove_all(c, m));
	assert_int_equal(acq(c, LC_BACKING) - b, 1);
	assert_int_equal(acq(c, LC_PV) - p, 3);
	assert_int_equal(pmap_count(m), 0);
	assert_int_equal(pmap_count(other), 1);	/* not m: left alone */
	assert_int_equal(pmap_check(e->md, stderr), 0);
	fake_destroy(e);
}

/* pmap_ts_referenced counts and clears at most five referenced bits. */
static void
test_dfly_ts_referenced(void **state)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	struct vm_page *m;
	uint64_t slot;

	(void)state;
	dfly_design(&d);
	e = fake_create(&d, 1024, 8, 1);
	c = e->cpus[0];
	m = fake_page(e, 2);
	for (slot = 0; slot < 7; slot++)
		assert_int_equal(pmap_ev_enter(c, slot, VA0, m, false), 0);
	assert_int_equal(pmap_ts_referenced(c, m), 5);
	assert_int_equal(pmap_ts_referenced(c, m), 2);
	assert_int_equal(pmap_ts_referenced(c, m), 0);
	assert_int_equal(pmap_count(m), 7);
	assert_int_equal(pmap_check(e->md, stderr), 0);
	fake_destroy(e);
}

/*
 * No user superpages: a full aligned run stays 512 PTEs, promote and
 * demote events are skipped with no lock taken (5.6 has no function to
 * run for them); exit detaches the pmap's backings from the object lists.
 */
static void
test_dfly_no_superpages_and_exit(void **state)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	uint64_t i, pv0;

	(void)state;
	dfly_design(&d);
	e = fake_create(&d, 2048, 2, 1);
	c = e->cpus[0];
	for (i = 0; i < NPTEPG; i++)
		assert_int_equal(pmap_ev_enter(c, 0, VA0 + i * PAGE_SIZE,
		    fake_page(e, 512 + i), true), 0);
	pv0 = acq(c, LC_PV);
	assert_int_equal(pmap_ev_promote(c, 0, VA0), 1);
	assert_int_equal(counters(e).promotions, 0);
	assert_int_equal(pmap_ev_demote(c, 0, VA0), 1);
	assert_int_equal(acq(c, LC_PV), pv0);
	assert_int_equal(fake_pmap(e, 0)->pm_stats.resident_count, NPTEPG);
	/* Pages 512..1023: objects 8..15, one backing each. */
	assert_int_equal(nbackings(e, 8), 1);
	assert_int_equal(pmap_check(e->md, stderr), 0);
	assert_int_equal(pmap_ev_destroy(c, 0), 0);
	for (i = 8; i < 16; i++)
		assert_int_equal(nbackings(e, i), 0);
	assert_int_equal(pmap_count(fake_page(e, 600)), 0);
	assert_int_equal(pmap_check(e->md, stderr), 0);
	/* The slot lives again and attaches anew. */
	assert_int_equal(pmap_ev_enter(c, 0, VA0, fake_page(e, 512), false),
	    0);
	assert_int_equal(nbackings(e, 8), 1);
	assert_int_equal(pmap_check(e->md, stderr), 0);
	fake_destroy(e);
}

/*
 * Stress: four threads on eight pmaps and 2048 pages (32 objects); every
 * page-centric operation write-locks the page's object (test rwlock) and
 * every enter read-locks it, as the MI layer does; the page daemon's
 * pmap_ts_referenced read-locks it.  Then the checker.
 */
#define ST_THREADS	4
#define ST_NPMAPS	8
#define ST_NPAGES	2048

struct dworker {
	pthread_t		 td;
	struct eng_cpu		*c;
	pthread_rwlock_t	*objlk;
	uint64_t		 seed;
	long			 ops;
};

static void *
dworker_main(void *arg)
{
	struct dworker *w = arg;
	struct ops_rng r = { w->seed };
	struct vm_page *m;
	uint64_t op, slot, page, va;
	long i;

	for (i = 0; i < w->ops; i++) {
		op = ops_rand(&r) % 100;
		slot = ops_rand(&r) % ST_NPMAPS;
		page = ops_rand(&r) % ST_NPAGES;
		m = fake_page(w->c->e, page);
		/* Mostly the object's usual offset, sometimes another. */
		va = VA0 + (ops_rand(&r) % 4 == 0 ? ops_rand(&r) % ST_NPAGES :
		    page) * PAGE_SIZE;
		if (op < 45) {
			pthread_rwlock_rdlock(&w->objlk[m->obj]);
			(void)pmap_ev_enter(w->c, slot, va, m,
			    ops_rand(&r) % 2);
			pthread_rwlock_unlock(&w->objlk[m->obj]);
		} else if (op < 60) {
			(void)pmap_ev_remove(w->c, slot, va,
			    1 + (uint32_t)(ops_rand(&r) % 64));
		} else if (op < 75) {
			pthread_rwlock_wrlock(&w->objlk[m->obj]);
			if (ops_rand(&r) % 2)
				(void)fake_try_remove_all(w->c, m);
			else
				pmap_remove_write(w->c, m);
			pthread_rwlock_unlock(&w->objlk[m->obj]);
		} else if (op < 85) {
			pthread_rwlock_rdlock(&w->objlk[m->obj]);
			(void)pmap_ts_referenced(w->c, m);
			pthread_rwlock_unlock(&w->objlk[m->obj]);
		} else if (op < 96) {
			(void)pmap_ev_extract_and_hold(w->c, slot, va);
		} else if (op < 98) {
			(void)pmap_ev_destroy(w->c, slot);
		} else {
			(void)pmap_ev_create(w->c, slot);
		}
	}
	return (NULL);
}

static void
test_dfly_stress(void **state)
{
	pthread_rwlock_t objlk[ST_NPAGES / FAKE_OBJ_PAGES];
	struct dworker w[ST_THREADS];
	struct pmap_counters cnt;
	struct vm_engine *e;
	struct eng_design d;
	const char *s;
	unsigned t, i;

	(void)state;
	for (i = 0; i < ST_NPAGES / FAKE_OBJ_PAGES; i++)
		pthread_rwlock_init(&objlk[i], NULL);
	dfly_design(&d);
	e = fake_create(&d, ST_NPAGES, ST_NPMAPS, ST_THREADS);
	s = getenv("PMAP_STRESS_OPS");
	for (t = 0; t < ST_THREADS; t++) {
		w[t].c = e->cpus[t];
		w[t].objlk = objlk;
		w[t].seed = 0x9e3779b9ul * (t + 1);
		w[t].ops = s != NULL && atol(s) > 0 ? atol(s) : 6000;
		assert_int_equal(pthread_create(&w[t].td, NULL, dworker_main,
		    &w[t]), 0);
	}
	for (t = 0; t < ST_THREADS; t++)
		assert_int_equal(pthread_join(w[t].td, NULL), 0);
	cnt = counters(e);
	fprintf(stderr, "dfly: walks %llu backings %llu early exits %llu "
	    "rescans %llu attaches %llu\n", (unsigned long long)cnt.dfly_walks,
	    (unsigned long long)cnt.dfly_backings,
	    (unsigned long long)cnt.dfly_early_exits,
	    (unsigned long long)cnt.dfly_rescans,
	    (unsigned long long)cnt.dfly_attaches);
	assert_true(cnt.dfly_walks > 0 && cnt.dfly_early_exits > 0);
	assert_int_equal(cnt.chunk_allocs, 0);
	for (t = 0; t < ST_THREADS; t++)
		assert_int_equal(e->cpus[t]->lk.nheld, 0);
	assert_int_equal(pmap_check(e->md, stderr), 0);
	fake_destroy(e);
	for (i = 0; i < ST_NPAGES / FAKE_OBJ_PAGES; i++)
		pthread_rwlock_destroy(&objlk[i]);
}

int
main(void)
{
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_dfly_counts),
		cmocka_unit_test(test_dfly_early_exits),
		cmocka_unit_test(test_dfly_walk_locks),
		cmocka_unit_test(test_dfly_ts_referenced),
		cmocka_unit_test(test_dfly_no_superpages_and_exit),
	};
	const struct CMUnitTest stress[] = {
		cmocka_unit_test(test_dfly_stress),
	};

	if (getenv("PMAP_DFLY_STRESS") != NULL)
		return (cmocka_run_group_tests(stress, NULL, NULL));
	return (cmocka_run_group_tests(unit, NULL, NULL));
}
