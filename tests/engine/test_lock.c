/*
 * test_lock.c - the lock primitives and their instrumentation: counts per
 * class and per call site, atomics, trylock failures, the log-linear
 * histogram, the lock-order assertion (-Ddebug_checks builds), lock
 * instances;
 * and, with helper threads whose progress is read from the lock words
 * (never from the clock), the adaptive mutex (spin while the owner runs,
 * park at once when it is parked) and the reader/writer lock's writer
 * preference, reader recursion and try_rlock, as kern_mutex.c and
 * kern_rwlock.c.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "eng_assert.h"
#include "lock.h"

static struct eng_lkstat *
lk_new(bool timing)
{
	struct eng_lkstat *ls = malloc(sizeof(*ls));

	assert_non_null(ls);
	eng_lkstat_init(ls, timing, 1);
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
	/* Neither waited: only contended acquisitions have a wait. */
	assert_int_equal(ls->cls[LC_OBJECT].wait.count, 0);
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

/*
 * __rw_try_upgrade: the only reader becomes the writer, as one more
 * atomic and no acquisition, its hold going on to the write unlock; with
 * a second reader it fails with no atomic and leaves the read lock held.
 */
static void
test_rw_try_upgrade(void **state)
{
	ENG_SITE_DEFINE;
	struct eng_lkstat *ls = lk_new(true);
	struct eng_rw rw;

	(void)state;
	eng_rw_init(&rw, LC_OBJECT);
	eng_rw_rlock(ls, &rw, ENG_HERE);
	assert_true(eng_rw_try_upgrade(ls, &rw));
	assert_true(eng_rw_wowned(&rw));
	assert_int_equal(ls->rw_rlocks, 0);
	assert_false(eng_rw_try_rlock(ls, &rw, ENG_HERE));
	eng_rw_wunlock(ls, &rw);
	assert_false(eng_rw_locked(&rw));
	assert_int_equal(ls->cls[LC_OBJECT].acquisitions, 1);
	/* rlock CAS, upgrade CAS, failed try_rlock: none, wunlock CAS. */
	assert_int_equal(ls->cls[LC_OBJECT].atomics, 3);
	assert_int_equal(ls->cls[LC_OBJECT].hold.count, 1);
	assert_int_equal(ls->nheld, 0);

	eng_rw_rlock(ls, &rw, ENG_HERE);
	assert_true(eng_rw_try_rlock(ls, &rw, ENG_HERE));
	assert_false(eng_rw_try_upgrade(ls, &rw));
	assert_false(eng_rw_wowned(&rw));
	assert_int_equal(ls->rw_rlocks, 2);
	eng_rw_runlock(ls, &rw);
	eng_rw_runlock(ls, &rw);
	assert_false(eng_rw_locked(&rw));
	assert_int_equal(ls->cls[LC_OBJECT].acquisitions, 3);
	assert_int_equal(ls->cls[LC_OBJECT].atomics, 7);
	free(ls);
}

/*
 * Sampled holds (lock.h, "Hold"; debug.lock.prof.skipcount): with
 * hold_every 4 the 1st, 5th and 9th of ten acquisitions are timed, of
 * any primitive, counted per CPU; the counts stay exact, and a total is
 * the timed holds' mean times the acquisitions.  Every hold with 1, none
 * with timing off.
 */
static void
test_hold_sample(void **state)
{
	ENG_SITE_DEFINE;
	static const struct {
		bool		timing;
		uint32_t	every;
		uint64_t	timed;
	} c[] = { { true, 4, 3 }, { true, 1, 10 }, { false, 4, 0 } };
	const struct eng_site_stats *ss;
	struct eng_lkstat *ls;
	struct eng_mtx m;
	struct eng_rw rw;
	uint64_t sum;
	unsigned i, k;

	(void)state;
	eng_mtx_init(&m, LC_OBJECT);
	eng_rw_init(&rw, LC_OBJECT);
	for (k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		ls = malloc(sizeof(*ls));
		assert_non_null(ls);
		eng_lkstat_init(ls, c[k].timing, c[k].every);
		for (i = 0; i < 10; i++) {
			if (i % 2 == 0) {
				eng_mtx_lock(ls, &m, ENG_HERE);
				eng_mtx_unlock(ls, &m);
			} else {
				eng_rw_wlock(ls, &rw, ENG_HERE);
				eng_rw_wunlock(ls, &rw);
			}
		}
		assert_int_equal(ls->cls[LC_OBJECT].acquisitions, 10);
		assert_int_equal(ls->cls[LC_OBJECT].hold.count, c[k].timed);
		assert_int_equal(ls->cls[LC_OBJECT].wait.count, 0);
		ss = site_of(ls, "test_hold_sample", LC_OBJECT);
		assert_non_null(ss);
		assert_int_equal(ss->acquisitions, 10);
		assert_int_equal(ss->holds_timed, c[k].timed);
		sum = ls->cls[LC_OBJECT].hold.sum_ns;
		assert_int_equal(ss->hold_ns, sum);
		assert_int_equal(ls->nheld, 0);
		free(ls);
	}
	assert_int_equal(eng_hold_total(300, 3, 10, 4), 1000);
	assert_int_equal(eng_hold_total(300, 3, 10, 1), 300);
	assert_int_equal(eng_hold_total(300, 3, 10, 0), 300);
	assert_int_equal(eng_hold_total(0, 0, 10, 4), 0);
}

/* A thread that takes one lock (and maybe a second inside it). */
struct locker {
	pthread_t	tid;
	struct eng_lkstat *ls;
	struct eng_mtx	*m1, *m2;	/* mutexes: m1, then m2 inside */
	struct eng_rw	*rw;		/* or this rwlock */
	bool		write;		/* rw: write lock */
	bool		try;		/* rw: try_rlock only */
	_Atomic bool	acquired;
	bool		got;		/* try: result */
	unsigned	stamp;		/* order of acquisition */
};

static _Atomic unsigned order;

static void *
locker_main(void *arg)
{
	ENG_SITE_DEFINE;
	struct locker *l = arg;

	if (l->m1 != NULL) {
		eng_mtx_lock(l->ls, l->m1, ENG_HERE);
		atomic_store(&l->acquired, true);
		if (l->m2 != NULL) {
			eng_mtx_lock(l->ls, l->m2, ENG_HERE);
			eng_mtx_unlock(l->ls, l->m2);
		}
		eng_mtx_unlock(l->ls, l->m1);
	} else if (l->try) {
		l->got = eng_rw_try_rlock(l->ls, l->rw, ENG_HERE);
		if (l->got)
			eng_rw_runlock(l->ls, l->rw);
	} else if (l->write) {
		eng_rw_wlock(l->ls, l->rw, ENG_HERE);
		l->stamp = atomic_fetch_add(&order, 1);
		eng_rw_wunlock(l->ls, l->rw);
	} else {
		eng_rw_rlock(l->ls, l->rw, ENG_HERE);
		atomic_store(&l->acquired, true);
		l->stamp = atomic_fetch_add(&order, 1);
		eng_rw_runlock(l->ls, l->rw);
	}
	return (NULL);
}

/* Start l's thread; timing off unless the caller gave it an eng_lkstat. */
static void
locker_start(struct locker *l)
{
	if (l->ls == NULL)
		l->ls = lk_new(false);
	atomic_init(&l->acquired, false);
	assert_int_equal(pthread_create(&l->tid, NULL, locker_main, l), 0);
}

static void
locker_join(struct locker *l)
{
	assert_int_equal(pthread_join(l->tid, NULL), 0);
	assert_int_equal(l->ls->nheld, 0);
	assert_int_equal(l->ls->rw_rlocks, 0);
}

/* Wait (yielding) until the lock word has one of bits set. */
static void
wait_bits(_Atomic uint32_t *word, uint32_t bits)
{
	while ((atomic_load(word) & bits) == 0)
		sched_yield();
}

/* The instance a name was given, by name (-1: none). */
static int
inst_of(const char *name)
{
	unsigned i;

	for (i = 0; i < eng_lock_inst_count(); i++)
		if (strcmp(eng_lock_inst_name(i), name) == 0)
			return ((int)i);
	return (-1);
}

/*
 * Lock instances (lock_stats.h): a named mutex counts into its instance
 * as well as its class; one name is one instance, wherever it is given;
 * unnamed mutexes of the class count into the class only; the counters
 * merge and reset with the class's.
 */
static void
test_lock_instances(void **state)
{
	ENG_SITE_DEFINE;
	struct eng_lkstat *ls = lk_new(true);
	struct eng_lock_stats out[ENG_INST_MAX];
	struct eng_mtx a, a2, b, anon;
	int ia, ib;

	(void)state;
	eng_mtx_init(&a, LC_PAGEQUEUE);
	eng_mtx_init(&a2, LC_PAGEQUEUE);
	eng_mtx_init(&b, LC_PAGEQUEUE);
	eng_mtx_init(&anon, LC_PAGEQUEUE);
	eng_mtx_name(&a, "test.a");
	eng_mtx_name(&a2, "test.a");		/* another engine's */
	eng_mtx_name(&b, "test.b");
	ia = inst_of("test.a");
	ib = inst_of("test.b");
	assert_true(ia >= 0 && ib >= 0 && ia != ib);
	assert_int_equal(eng_lock_inst_class((unsigned)ia), LC_PAGEQUEUE);
	eng_mtx_lock(ls, &a, ENG_HERE);
	eng_mtx_lock(ls, &b, ENG_HERE);
	eng_mtx_unlock(ls, &a);		/* out of order: hold follows */
	eng_mtx_unlock(ls, &b);
	assert_true(eng_mtx_trylock(ls, &a2, ENG_HERE));
	eng_mtx_unlock(ls, &a2);
	eng_mtx_lock(ls, &anon, ENG_HERE);
	eng_mtx_unlock(ls, &anon);
	assert_int_equal(ls->cls[LC_PAGEQUEUE].acquisitions, 4);
	assert_int_equal(ls->inst[ia].acquisitions, 2);
	assert_int_equal(ls->inst[ib].acquisitions, 1);
	assert_int_equal(ls->inst[ia].hold.count, 2);
	assert_int_equal(ls->inst[ib].hold.count, 1);
	assert_int_equal(ls->inst[ia].wait.count, 0);	/* none waited */
	assert_int_equal(ls->inst[ia].contended, 0);
	memset(out, 0, sizeof(out));
	eng_lkstat_merge_inst(ls, out);
	eng_lkstat_merge_inst(ls, out);
	assert_int_equal(out[ia].acquisitions, 4);
	assert_int_equal(out[ib].hold.count, 2);
	eng_lkstat_reset(ls);
	assert_int_equal(ls->inst[ia].acquisitions, 0);
	free(ls);
}

/*
 * __mtx_lock_sleep: a waiter whose owner is itself parked (here: blocked
 * on a second mutex) parks at once, without spinning.
 */
static void
test_mutex_owner_parked(void **state)
{
	ENG_SITE_DEFINE;
	struct eng_lkstat *ls = lk_new(false);
	struct locker a = { 0 }, b = { 0 };
	struct eng_mtx m1, m2;

	(void)state;
	eng_mtx_init(&m1, LC_PAGE);
	eng_mtx_name(&m1, "test.m1");	/* contention counted there too */
	eng_mtx_init(&m2, LC_PAGEQUEUE);
	eng_mtx_lock(ls, &m2, ENG_HERE);
	a.m1 = &m1;
	a.m2 = &m2;
	locker_start(&a);
	/* a holds m1 and sleeps on m2 (after spinning on us: we run). */
	wait_bits(&m2.mtx_lock, ENG_MTX_CONTESTED);
	assert_true(atomic_load(&a.acquired));
	b.m1 = &m1;
	b.ls = lk_new(true);	/* its wait, timed, into the instance too */
	locker_start(&b);
	wait_bits(&m1.mtx_lock, ENG_MTX_CONTESTED);
	eng_mtx_unlock(ls, &m2);
	locker_join(&a);
	locker_join(&b);
	assert_true(a.ls->cls[LC_PAGEQUEUE].spins > 0);
	assert_true(a.ls->cls[LC_PAGEQUEUE].blocks > 0);
	assert_int_equal(b.ls->cls[LC_PAGE].spins, 0);
	assert_true(b.ls->cls[LC_PAGE].blocks > 0);
	assert_int_equal(b.ls->cls[LC_PAGE].contended, 1);
	assert_int_equal(b.ls->inst[inst_of("test.m1")].contended, 1);
	assert_int_equal(b.ls->inst[inst_of("test.m1")].acquisitions, 1);
	assert_int_equal(b.ls->cls[LC_PAGE].wait.count, 1);
	assert_true(b.ls->cls[LC_PAGE].wait.sum_ns > 0);
	assert_int_equal(b.ls->inst[inst_of("test.m1")].wait.sum_ns,
	    b.ls->cls[LC_PAGE].wait.sum_ns);
	assert_int_equal(atomic_load(&m1.mtx_lock), 0);
	free(a.ls);
	free(b.ls);
	free(ls);
}

/*
 * Writer preference (__rw_can_read): once a writer waits for the readers,
 * a new reader waits too and gets the lock after the writer; a reader
 * that already holds a read lock enters (td_rw_rlocks); try_rlock ignores
 * the waiting writer (__rw_try_rlock).
 */
static void
test_rwlock_writer_preference(void **state)
{
	ENG_SITE_DEFINE;
	struct eng_lkstat *ls = lk_new(false);
	struct locker w = { 0 }, r = { 0 }, t = { 0 };
	struct eng_rw rw;
	uint32_t v;

	(void)state;
	eng_rw_init(&rw, LC_OBJECT);
	atomic_store(&order, 0);
	eng_rw_rlock(ls, &rw, ENG_HERE);
	w.rw = &rw;
	w.write = true;
	locker_start(&w);
	/* The writer spins (WRITE_SPINNER) or sleeps (WRITE_WAITERS). */
	wait_bits(&rw.rw_lock, ~(uint32_t)1);
	r.rw = &rw;
	locker_start(&r);
	/* The new reader must not enter: wait until it sleeps or enters. */
	while ((atomic_load(&rw.rw_lock) & ENG_RW_READ_WAITERS) == 0 &&
	    !atomic_load(&r.acquired))
		sched_yield();
	assert_false(atomic_load(&r.acquired));
	/* Recursion: this CPU holds a read lock, so it enters. */
	eng_rw_rlock(ls, &rw, ENG_HERE);
	assert_int_equal(ls->rw_rlocks, 2);
	t.rw = &rw;
	t.try = true;
	locker_start(&t);
	locker_join(&t);
	assert_true(t.got);
	v = atomic_load(&rw.rw_lock);
	assert_int_equal(v & ENG_RW_WRITER, 0);
	assert_int_equal(v & ENG_RW_COUNT, 2);
	eng_rw_runlock(ls, &rw);
	eng_rw_runlock(ls, &rw);
	assert_int_equal(ls->rw_rlocks, 0);
	locker_join(&w);
	locker_join(&r);
	assert_true(w.stamp < r.stamp);
	assert_int_equal(atomic_load(&rw.rw_lock), 0);
	assert_int_equal(r.ls->cls[LC_OBJECT].contended, 1);
	assert_true(r.ls->cls[LC_OBJECT].blocks > 0);
	free(w.ls);
	free(r.ls);
	free(t.ls);
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

/*
 * The exit status of a child process that runs take on a fresh lock
 * statistics record: 0, or 70 when the lock-order check aborts it.
 */
static int
lock_order_child(void (*take)(struct eng_lkstat *))
{
	pid_t pid;
	int st;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct eng_lkstat *ls = lk_new(false);

		fclose(stderr);
		take(ls);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return (WEXITSTATUS(st));
}

/* A leaf lock, then an object lock. */
static void
take_leaf_then_object(struct eng_lkstat *ls)
{
	ENG_SITE_DEFINE;
	struct eng_mtx pq, obj;

	eng_mtx_init(&pq, LC_PAGEQUEUE);
	eng_mtx_init(&obj, LC_OBJECT);
	eng_mtx_lock(ls, &pq, ENG_HERE);
	eng_mtx_lock(ls, &obj, ENG_HERE);
}

/*
 * A pv rwlock, read and write, then a pmap lock: FreeBSD 10's
 * pvh_global_lock before PMAP_LOCK, allowed only with the rwlock ranked
 * as backing (eng_rw_order()).  It is counted as pv all the same.
 */
static void
take_pv_then_pmap(struct eng_lkstat *ls, bool ranked)
{
	ENG_SITE_DEFINE;
	struct eng_rw pv;
	struct eng_mtx pm;

	eng_rw_init(&pv, LC_PV);
	if (ranked)
		eng_rw_order(&pv, LC_BACKING);
	eng_mtx_init(&pm, LC_PMAP);
	eng_rw_rlock(ls, &pv, ENG_HERE);
	eng_mtx_lock(ls, &pm, ENG_HERE);
	eng_mtx_unlock(ls, &pm);
	eng_rw_runlock(ls, &pv);
	eng_rw_wlock(ls, &pv, ENG_HERE);
	eng_mtx_lock(ls, &pm, ENG_HERE);
	eng_mtx_unlock(ls, &pm);
	eng_rw_wunlock(ls, &pv);
	if (ls->cls[LC_PV].acquisitions != 2 ||
	    ls->cls[LC_PMAP].acquisitions != 2 ||
	    ls->cls[LC_BACKING].acquisitions != 0)
		_exit(1);
}

static void
take_pv_ranked_then_pmap(struct eng_lkstat *ls)
{
	take_pv_then_pmap(ls, true);
}

static void
take_pv_unranked_then_pmap(struct eng_lkstat *ls)
{
	take_pv_then_pmap(ls, false);
}

static void
test_lock_order(void **state)
{
	(void)state;
	if (!ENG_DEBUG)
		skip();
	assert_int_equal(lock_order_child(take_leaf_then_object), 70);
	assert_int_equal(lock_order_child(take_pv_unranked_then_pmap), 70);
	assert_int_equal(lock_order_child(take_pv_ranked_then_pmap), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutex),
		cmocka_unit_test(test_rwlock),
		cmocka_unit_test(test_rw_try_upgrade),
		cmocka_unit_test(test_hold_sample),
		cmocka_unit_test(test_lock_instances),
		cmocka_unit_test(test_mutex_owner_parked),
		cmocka_unit_test(test_rwlock_writer_preference),
		cmocka_unit_test(test_spin_and_byte_locks),
		cmocka_unit_test(test_counted_atomics),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_lock_order),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
