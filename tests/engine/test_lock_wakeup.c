/*
 * test_lock_wakeup.c - lost-wakeup stress for the sleeping lock primitives
 * (eng_rw, eng_mtx): overlapping readers, writers, try-lock users and
 * mutex holders on one reader/writer lock and one mutex, more threads than
 * the machine's CPUs so that waiters park, for a fixed time.
 *
 *  - writers increment a counter under the write lock;
 *  - readers read it twice under the read lock (it must not move), and
 *    every other time take the read lock again while holding it (recursion,
 *    which must not wait behind a waiting writer, as in the kernel);
 *  - try users alternate try_wlock and try_rlock and fall back to the
 *    blocking call when the try fails;
 *  - mutex users increment a second counter under the mutex and, every
 *    other time, take the reader/writer lock while holding the mutex, so
 *    that the mutex owner parks (and its waiters must park, not spin);
 *  - upgraders read the counter under the read lock and try to upgrade
 *    (vm_fault's VM_OBJECT_TRYUPGRADE): on success the counter must not
 *    have moved, and they increment it; on failure they drop the read
 *    lock and take the write lock.
 *
 * A watchdog (the main thread) fails the test instead of hanging: when a
 * thread that has not finished makes no progress for HANG_MS, it prints
 * the lock words and exits 1.  The run lasts RUN_MS whatever the speed of
 * the machine (the checks are exclusion and liveness, never speed).
 */
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"

#define RUN_MS		2500
#define HANG_MS		5000
#define TICK_MS		20

enum role { R_WRITER, R_READER, R_TRY, R_MTX, R_UPGRADE, R_COUNT };
static const char *const role_name[R_COUNT] = { "writer", "reader",
    "try", "mutex", "upgrade" };
/* Two threads of each role. */
#define NTHREADS	(2 * R_COUNT)

static struct eng_rw rw;
static struct eng_mtx mtx;
static uint64_t wcount;		/* guarded by rw (write) */
static uint64_t mcount;		/* guarded by mtx */
static _Atomic bool stop;
static _Atomic int bad;		/* exclusion failures seen */

struct th {
	pthread_t	tid;
	enum role	role;
	struct eng_lkstat *ls;
	_Atomic uint64_t progress;	/* operations completed */
	_Atomic bool	done;
	uint64_t	writes;		/* wcount increments */
	uint64_t	mwrites;	/* mcount increments */
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

static void
write_locked(struct th *t, uint64_t i)
{
	wcount++;
	t->writes++;
	if (i % 16 == 0)
		sched_yield();		/* hold it across a reschedule */
}

static void
read_locked(struct th *t, uint64_t i)
{
	ENG_SITE_DEFINE;
	uint64_t a, b;

	a = wcount;
	if (i % 2 == 0) {
		eng_rw_rlock(t->ls, &rw, ENG_HERE);
		eng_rw_runlock(t->ls, &rw);
	}
	if (i % 16 == 0)
		sched_yield();
	b = wcount;
	if (a != b)
		atomic_fetch_add(&bad, 1);
}

static void *
run(void *arg)
{
	ENG_SITE_DEFINE;
	struct th *t = arg;
	uint64_t i, seen;

	for (i = 0; !atomic_load_explicit(&stop, memory_order_relaxed); i++) {
		switch (t->role) {
		case R_WRITER:
			eng_rw_wlock(t->ls, &rw, ENG_HERE);
			write_locked(t, i);
			eng_rw_wunlock(t->ls, &rw);
			break;
		case R_READER:
			eng_rw_rlock(t->ls, &rw, ENG_HERE);
			read_locked(t, i);
			eng_rw_runlock(t->ls, &rw);
			break;
		case R_TRY:
			if (i % 2 == 0) {
				if (!eng_rw_try_wlock(t->ls, &rw, ENG_HERE))
					eng_rw_wlock(t->ls, &rw, ENG_HERE);
				write_locked(t, i);
				eng_rw_wunlock(t->ls, &rw);
			} else {
				if (!eng_rw_try_rlock(t->ls, &rw, ENG_HERE))
					eng_rw_rlock(t->ls, &rw, ENG_HERE);
				read_locked(t, i);
				eng_rw_runlock(t->ls, &rw);
			}
			break;
		case R_MTX:
			if (i % 3 != 0 ||
			    !eng_mtx_trylock(t->ls, &mtx, ENG_HERE))
				eng_mtx_lock(t->ls, &mtx, ENG_HERE);
			mcount++;
			t->mwrites++;
			if (i % 2 == 0) {
				/* The mutex owner may park here. */
				if (i % 4 == 0) {
					eng_rw_wlock(t->ls, &rw, ENG_HERE);
					write_locked(t, i);
					eng_rw_wunlock(t->ls, &rw);
				} else {
					eng_rw_rlock(t->ls, &rw, ENG_HERE);
					read_locked(t, i);
					eng_rw_runlock(t->ls, &rw);
				}
			}
			eng_mtx_unlock(t->ls, &mtx);
			break;
		case R_UPGRADE:
			eng_rw_rlock(t->ls, &rw, ENG_HERE);
			seen = wcount;
			if (eng_rw_try_upgrade(t->ls, &rw)) {
				if (wcount != seen)
					atomic_fetch_add(&bad, 1);
			} else {
				eng_rw_runlock(t->ls, &rw);
				eng_rw_wlock(t->ls, &rw, ENG_HERE);
			}
			write_locked(t, i);
			eng_rw_wunlock(t->ls, &rw);
			break;
		default:
			break;
		}
		atomic_store_explicit(&t->progress, i + 1,
		    memory_order_relaxed);
		/* Give waiters a gap now and then (no permanent overlap). */
		if (i % 8 == 7)
			sched_yield();
	}
	atomic_store(&t->done, true);
	return (NULL);
}

/* Print the state of a hung run and exit 1 (never returns). */
static void
hang(struct th *t, unsigned n, unsigned stuck, uint64_t ms)
{
	unsigned i;

	printf("FAIL: lost wakeup? %s thread %u made no progress for %" PRIu64
	    " ms\n", role_name[t[stuck].role], stuck, ms);
	printf("  rwlock word 0x%08" PRIx32 ", mutex word 0x%08" PRIx32 "\n",
	    atomic_load(&rw.rw_lock), atomic_load(&mtx.mtx_lock));
	for (i = 0; i < n; i++)
		printf("  thread %u %-6s %s, %" PRIu64 " operations\n", i,
		    role_name[t[i].role], atomic_load(&t[i].done) ? "done" :
		    "running", atomic_load(&t[i].progress));
	fflush(stdout);
	_exit(1);
}

int
main(void)
{
	static struct th t[NTHREADS];
	uint64_t start, now, seen[NTHREADS], since[NTHREADS], ops, writes,
	    mwrites, spins, blocks, contended;
	struct timespec tick = { 0, TICK_MS * 1000000L };
	unsigned i, ndone;

	eng_rw_init(&rw, LC_PV);
	eng_mtx_init(&mtx, LC_PAGE);
	start = now_ms();
	for (i = 0; i < NTHREADS; i++) {
		t[i].role = (enum role)(i % R_COUNT);
		t[i].ls = malloc(sizeof(*t[i].ls));
		if (t[i].ls == NULL)
			return (1);
		eng_lkstat_init(t[i].ls, i % 2 == 0, 1);
		seen[i] = 0;
		since[i] = start;
		if (pthread_create(&t[i].tid, NULL, run, &t[i]) != 0)
			return (1);
	}
	/* Watchdog: stop after RUN_MS, fail on a thread stuck HANG_MS. */
	for (;;) {
		nanosleep(&tick, NULL);
		now = now_ms();
		if (now - start >= RUN_MS)
			atomic_store(&stop, true);
		ndone = 0;
		for (i = 0; i < NTHREADS; i++) {
			ops = atomic_load(&t[i].progress);
			if (atomic_load(&t[i].done)) {
				ndone++;
				continue;
			}
			if (ops != seen[i]) {
				seen[i] = ops;
				since[i] = now;
			} else if (now - since[i] >= HANG_MS)
				hang(t, NTHREADS, i, now - since[i]);
		}
		if (ndone == NTHREADS)
			break;
	}
	writes = mwrites = ops = spins = blocks = contended = 0;
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i].tid, NULL);
		writes += t[i].writes;
		mwrites += t[i].mwrites;
		ops += t[i].progress;
		spins += t[i].ls->cls[LC_PV].spins + t[i].ls->cls[LC_PAGE].spins;
		blocks += t[i].ls->cls[LC_PV].blocks +
		    t[i].ls->cls[LC_PAGE].blocks;
		contended += t[i].ls->cls[LC_PV].contended +
		    t[i].ls->cls[LC_PAGE].contended;
		printf("thread %u %-6s %" PRIu64 " operations\n", i,
		    role_name[t[i].role], atomic_load(&t[i].progress));
		if (t[i].ls->nheld != 0) {
			printf("FAIL: thread %u ended holding %u locks\n", i,
			    t[i].ls->nheld);
			atomic_fetch_add(&bad, 1);
		}
		free(t[i].ls);
	}
	printf("%" PRIu64 " contended acquisitions, %" PRIu64 " pauses spun, "
	    "%" PRIu64 " parks\n", contended, spins, blocks);
	printf("%" PRIu64 " operations; writes %" PRIu64 " (counter %" PRIu64
	    "), mutex %" PRIu64 " (counter %" PRIu64 "), %d exclusion "
	    "failures\n", ops, writes, wcount, mwrites, mcount,
	    atomic_load(&bad));
	if (wcount != writes || mcount != mwrites || atomic_load(&bad) != 0 ||
	    atomic_load(&rw.rw_lock) != 0 || atomic_load(&mtx.mtx_lock) != 0) {
		printf("FAIL: rwlock word 0x%08" PRIx32 ", mutex word 0x%08"
		    PRIx32 " at the end\n", atomic_load(&rw.rw_lock),
		    atomic_load(&mtx.mtx_lock));
		return (1);
	}
	return (0);
}
