/*
 * test_pmap_stress.c - the pmap model under concurrency, per design:
 * threads on many pmaps mapping shared pages, with promotion, demotion,
 * try_remove_all against extract_and_hold, pmap destroy/create and
 * reclamation under a small chunk budget, a third of the designs with
 * 12.0's and a third with 12.1+'s delayed invalidation (pmap_invl.c); then
 * the invariant checker and every DI block closed.  A
 * pmap of wired mappings that no thread touches must come out intact.
 * Also a deterministic run of the trylock/generation restart protocol.
 *
 * PMAP_STRESS_OPS sets the operations per thread (default 6000).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "pmap_ops.h"

#define ST_THREADS	4
#define ST_NPMAPS	12		/* the last one holds the wired pages */
#define ST_NPAGES	8192
#define ST_SHARED	7680		/* pages the threads use */
#define ST_CHUNKS	40		/* chunk budget: ~6700 entries */

struct worker {
	pthread_t	 td;
	struct eng_cpu	*c;
	uint64_t	 seed;
	long		 ops;
};

static void *
worker_main(void *arg)
{
	const struct ops_space sp = { ST_NPMAPS - 1, ST_SHARED, true, true };
	struct worker *w = arg;
	struct ops_rng r = { w->seed };
	long i;

	for (i = 0; i < w->ops; i++)
		ops_step(w->c, &r, &sp);
	return (NULL);
}

static long
stress_ops(void)
{
	const char *s;

	s = getenv("PMAP_STRESS_OPS");
	return (s != NULL && atol(s) > 0 ? atol(s) : 6000);
}

static void
test_stress(void **state)
{
	struct worker w[ST_THREADS];
	struct pmap_counters cnt;
	struct vm_engine *e;
	struct eng_design d;
	static const enum eng_pv_di di[3] = { ENG_DI_NONE, ENG_DI_LOCKED,
	    ENG_DI_LOCKLESS };
	struct pmap *wired_pm;
	const char *name;
	uint64_t i, wired;
	unsigned k, t;

	(void)state;
	for (k = 0; k < FAKE_NDESIGNS; k++) {
		fake_design(k, &d, &name);
		d.pv_di = di[k % 3];
		e = fake_create(&d, ST_NPAGES, ST_NPMAPS, ST_THREADS);
		pmap_md_set_chunk_limit(e->md, ST_CHUNKS);
		wired_pm = fake_pmap(e, ST_NPMAPS - 1);
		wired = ST_NPAGES - ST_SHARED;
		for (i = 0; i < wired; i++)
			(void)pmap_enter(e->cpus[0], wired_pm, OPS_VA0 +
			    i * PAGE_SIZE, fake_page(e, ST_SHARED + i), true,
			    true, NULL);
		for (t = 0; t < ST_THREADS; t++) {
			w[t].c = e->cpus[t];
			w[t].seed = 0x1234567ul * (t + 1) + k;
			w[t].ops = stress_ops();
			assert_int_equal(pthread_create(&w[t].td, NULL,
			    worker_main, &w[t]), 0);
		}
		for (t = 0; t < ST_THREADS; t++)
			assert_int_equal(pthread_join(w[t].td, NULL), 0);
		pmap_md_counters(e->md, &cnt);
		fprintf(stderr, "%-18s di %u promotions %llu demotions %llu "
		    "reclaims %llu (%llu mappings) pv restarts %llu "
		    "fallbacks %llu overcommits %llu\n", name, k % 3,
		    (unsigned long long)cnt.promotions,
		    (unsigned long long)cnt.demotions,
		    (unsigned long long)cnt.reclaims,
		    (unsigned long long)cnt.reclaimed,
		    (unsigned long long)cnt.pv_restarts,
		    (unsigned long long)cnt.hold_fallbacks,
		    (unsigned long long)cnt.chunk_overcommits);
		assert_true(cnt.promotions > 0 && cnt.demotions > 0);
		assert_true(cnt.reclaims > 0);
		for (t = 0; t < ST_THREADS; t++) {
			assert_int_equal(e->cpus[t]->lk.nheld, 0);
			assert_true(pmap_not_in_di(e->cpus[t]));
		}
		/* Every delayed-invalidation block closed (pmap_invl.c). */
		if (d.pv_di == ENG_DI_LOCKED)
			assert_true(LIST_EMPTY(&e->md->md_invl_tracker));
		if (d.pv_di == ENG_DI_LOCKLESS)
			assert_int_equal(atomic_load(&e->md->md_invl[0].word) >>
			    47, 0);
		assert_int_equal(wired_pm->pm_stats.wired_count, wired);
		assert_int_equal(wired_pm->pm_stats.resident_count, wired);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		fake_destroy(e);
	}
}

/*
 * The restart protocol: pmap_remove_all fails its trylock on a pmap held
 * by this thread, saves the generation, blocks; meanwhile another mapping
 * of the page changes the page's pv list, so it must restart.
 */
struct remover {
	struct eng_cpu	*c;
	struct vm_page	*m;
};

static void *
remover_main(void *arg)
{
	struct remover *rm = arg;

	pmap_remove_all(rm->c, rm->m);
	return (NULL);
}

/* Wait (10 s at most) until a thread sleeps on m (ENG_MTX_CONTESTED). */
static bool
wait_for_sleeper(struct eng_mtx *m)
{
	int i;

	for (i = 0; i < 10000; i++) {
		if ((atomic_load(&m->mtx_lock) & ENG_MTX_CONTESTED) != 0)
			return (true);
		usleep(1000);
	}
	return (false);
}

static void
test_restart_protocol(void **state)
{
	struct pmap_counters cnt;
	struct remover rm;
	struct vm_engine *e;
	struct eng_design d;
	const char *name;
	pthread_t td;
	unsigned k;

	(void)state;
	for (k = 0; k < FAKE_NDESIGNS; k++) {
		ENG_SITE_DEFINE;

		fake_design(k, &d, &name);
		e = fake_create(&d, 2048, 4, 2);
		(void)pmap_enter(e->cpus[0], fake_pmap(e, 0), OPS_VA0,
		    fake_page(e, 5), true, false, NULL);
		pmap_lock(e->cpus[0], fake_pmap(e, 0), ENG_HERE);
		rm.c = e->cpus[1];
		rm.m = fake_page(e, 5);
		assert_int_equal(pthread_create(&td, NULL, remover_main, &rm),
		    0);
		assert_true(wait_for_sleeper(&fake_pmap(e, 0)->pm_mtx));
		/* pmap 1 takes its own lock and m's pv lock: gen moves. */
		(void)pmap_enter(e->cpus[0], fake_pmap(e, 1), OPS_VA0,
		    fake_page(e, 5), false, false, NULL);
		pmap_unlock(e->cpus[0], fake_pmap(e, 0));
		assert_int_equal(pthread_join(td, NULL), 0);
		pmap_md_counters(e->md, &cnt);
		assert_true(cnt.pv_restarts >= 1);
		assert_int_equal(fake_pmap(e, 0)->pm_stats.resident_count, 0);
		assert_int_equal(fake_pmap(e, 1)->pm_stats.resident_count, 0);
		assert_true(TAILQ_EMPTY(&fake_page(e, 5)->md.pv_list));
		assert_int_equal(pmap_check(e->md, stderr), 0);
		fake_destroy(e);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restart_protocol),
		cmocka_unit_test(test_stress),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
