/*
 * test_lock.c - the lock primitives and their instrumentation, one thread:
 * counts per class and per call site, atomics, trylock failures, the
 * log-linear histogram, and the lock-order assertion (debug builds).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lock.h"

static struct eng_lkstat *
lk_new(bool timing)
{
	struct eng_lkstat *ls = malloc(sizeof(*ls));

	assert_non_null(ls);
	eng_lkstat_init(ls, timing);
	return (ls);
}

static const struct eng_site_stats *
site_of(const struct eng_lkstat *ls, const char *name, unsigned lc)
{
	unsigned i;

	for (i = 0; i < eng_site_count(); i++)
		if (strcmp(eng_site_name(i), name) == 0)
			return (&ls->site[i][lc]);
	return (NULL);
}

static void
test_mutex(void **state)
{
	ENG_SITE_DEFINE;
	struct eng_lkstat *ls = lk_new(true);
	const struct eng_site_stats *ss;
	struct eng_mtx m;

	(void)state;
	eng_mtx_init(&m, LC_OBJECT);
	eng_mtx_lock(ls, &m, ENG_HERE);
	assert_true(eng_mtx_owned(&m));
	assert_true(eng_lock_held(ls, &m));
	assert_false(eng_mtx_trylock(ls, &m, ENG_HERE));
	eng_mtx_unlock(ls, &m);
	assert_false(eng_lock_held(ls, &m));
	assert_true(eng_mtx_trylock(ls, &m, ENG_HERE));
	eng_mtx_unlock(ls, &m);
	assert_int_equal(ls->cls[LC_OBJECT].acquisitions, 2);
	assert_int_equal(ls->cls[LC_OBJECT].contended, 0);
	/* lock CAS, failed trylock CAS, trylock CAS, two unlock swaps. */
	assert_int_equal(ls->cls[LC_OBJECT].atomics, 5);
	assert_int_equal(ls->cls[LC_OBJECT].wait.count, 2);
	assert_int_equal(ls->cls[LC_OBJECT].hold.count, 2);
	assert_int_equal(ls->nheld, 0);
	ss = site_of(ls, "test_mutex", LC_OBJECT);
	assert_non_null(ss);
	assert_int_equal(ss->acquisitions, 2);
	eng_lkstat_reset(ls);
	assert_int_equal(ls->cls[LC_OBJECT].acquisitions, 0);
	free(ls);
}

static void
test_rwlock(void **state)
{
	ENG_SITE_DEFINE;
	struct eng_lkstat *ls = lk_new(false);
	struct eng_rw rw;

	(void)state;
	eng_rw_init(&rw, LC_PV);
	eng_rw_rlock(ls, &rw, ENG_HERE);
	assert_true(eng_rw_try_rlock(ls, &rw, ENG_HERE));
	assert_false(eng_rw_try_wlock(ls, &rw, ENG_HERE));
	assert_true(eng_rw_locked(&rw));
	assert_false(eng_rw_wowned(&rw));
	eng_rw_runlock(ls, &rw);
	eng_rw_runlock(ls, &rw);
	assert_false(eng_rw_locked(&rw));
	eng_rw_wlock(ls, &rw, ENG_HERE);
	assert_true(eng_rw_wowned(&rw));
	assert_false(eng_rw_try_rlock(ls, &rw, ENG_HERE));
	eng_rw_wunlock(ls, &rw);
	assert_int_equal(ls->cls[LC_PV].acquisitions, 3);
	/* Timing off: no histogram entries. */
	assert_int_equal(ls->cls[LC_PV].wait.count, 0);
	free(ls);
}

static void
test_spin_and_byte_locks(void **state)
{
	ENG_SITE_DEFINE;
	struct eng_lkstat *ls = lk_new(false);
	ck_spinlock_mcs_context_t node;
	struct eng_ticket t;
	struct eng_mcs mcs;
	eng_blk_t b;

	(void)state;
	eng_ticket_init(&t, LC_PVCHUNK);
	eng_ticket_lock(ls, &t, ENG_HERE);
	eng_ticket_unlock(ls, &t);
	eng_mcs_init(&mcs, LC_PVCHUNK);
	eng_mcs_lock(ls, &mcs, &node, ENG_HERE);
	eng_mcs_unlock(ls, &mcs, &node);
	atomic_init(&b, 0);
	eng_blk_lock(ls, &b, LC_PV, ENG_HERE);
	assert_int_equal(atomic_load(&b), 1);
	assert_false(eng_blk_trylock(ls, &b, LC_PV, ENG_HERE));
	eng_blk_unlock(ls, &b);
	assert_true(eng_blk_trylock(ls, &b, LC_PV, ENG_HERE));
	eng_blk_unlock(ls, &b);
	assert_int_equal(ls->cls[LC_PVCHUNK].acquisitions, 2);
	assert_int_equal(ls->cls[LC_PV].acquisitions, 2);
	assert_int_equal(ls->nheld, 0);
	free(ls);
}

static void
test_counted_atomics(void **state)
{
	ENG_SITE_DEFINE;
	struct eng_lkstat *ls = lk_new(false);
	_Atomic uint32_t w = 5;
	uint32_t old = 4;

	(void)state;
	assert_false(eng_atomic_fcmpset_32(ls, LC_PAGE, ENG_HERE, &w, &old,
	    9));
	assert_int_equal(old, 5);
	assert_true(eng_atomic_fcmpset_32(ls, LC_PAGE, ENG_HERE, &w, &old,
	    9));
	assert_int_equal(eng_atomic_fetchadd_32(ls, LC_PAGE, &w, 1), 9);
	assert_int_equal(ls->cls[LC_PAGE].atomics, 3);
	assert_int_equal(ls->cls[LC_PAGE].cas_retries, 1);
	assert_int_equal(site_of(ls, "test_counted_atomics",
	    LC_PAGE)->cas_retries, 1);
	free(ls);
}

static void
test_histogram(void **state)
{
	struct eng_hist *h = calloc(1, sizeof(*h));
	uint64_t v, q;
	unsigned i;

	(void)state;
	assert_non_null(h);
	assert_int_equal(eng_hist_quantile(h, 0.5), 0);
	for (i = 0; i < 90; i++)
		eng_hist_add(h, 1000);
	for (i = 0; i < 10; i++)
		eng_hist_add(h, 50000);
	eng_hist_add(h, 7);
	q = eng_hist_quantile(h, 0.5);
	assert_true(q >= 1000 - 1000 / 16 && q <= 1000 + 1000 / 16);
	q = eng_hist_quantile(h, 0.99);
	assert_true(q >= 50000 - 50000 / 16 && q <= 50000 + 50000 / 16);
	assert_int_equal(eng_hist_quantile(h, 1), 50000);
	assert_int_equal(eng_hist_quantile(h, 0), 7);	/* exact below 64 */
	assert_int_equal(h->count, 101);
	/* Huge values land in the last bucket, max kept exactly. */
	v = (uint64_t)1 << 40;
	eng_hist_add(h, v);
	assert_int_equal(h->bucket[ENG_HIST_BUCKETS - 1], 1);
	assert_int_equal(h->max_ns, v);
	free(h);
}

static void
test_lock_order(void **state)
{
#ifndef NDEBUG
	ENG_SITE_DEFINE;
	struct eng_mtx pq, obj;
	pid_t pid;
	int st;

	(void)state;
	eng_mtx_init(&pq, LC_PAGEQUEUE);
	eng_mtx_init(&obj, LC_OBJECT);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct eng_lkstat *ls = lk_new(false);

		fclose(stderr);
		eng_mtx_lock(ls, &pq, ENG_HERE);
		eng_mtx_lock(ls, &obj, ENG_HERE);	/* leaf, then object */
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 70);
#else
	(void)state;
	skip();
#endif
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutex),
		cmocka_unit_test(test_rwlock),
		cmocka_unit_test(test_spin_and_byte_locks),
		cmocka_unit_test(test_counted_atomics),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_lock_order),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
