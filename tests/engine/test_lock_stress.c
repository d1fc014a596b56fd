/*
 * test_lock_stress.c - mutual exclusion of every lock primitive under 4
 * threads (more threads than the VM's CPUs, so the futex park path runs):
 * a plain counter guarded by the lock must come out exact, and the merged
 * acquisition counts must equal the iterations.  Run under TSan too.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lock.h"

#if defined(__SANITIZE_THREAD__)
#define ENG_TSAN	1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ENG_TSAN	1
#endif
#endif
#ifndef ENG_TSAN
#define ENG_TSAN	0
#endif

#define NTHREADS	4
#define ITERS		40000

enum kind { K_MTX, K_RW_W, K_RW_MIX, K_TICKET, K_MCS, K_BLK, K_COUNT };
static const char *const names[K_COUNT] = { "mutex", "rwlock-write",
    "rwlock-mixed", "ticket", "mcs", "byte" };

static struct eng_mtx mtx;
static struct eng_rw rw;
static struct eng_ticket tk;
static struct eng_mcs mcs;
static eng_blk_t blk;
static uint64_t counter;	/* guarded by the lock under test */
static pthread_barrier_t start;
static enum kind cur;

struct th {
	pthread_t	tid;
	struct eng_lkstat *ls;
	uint64_t	reads;
};

static void *
run(void *arg)
{
	ENG_SITE_DEFINE;
	struct th *t = arg;
	ck_spinlock_mcs_context_t node;
	uint64_t v;
	int i;

	pthread_barrier_wait(&start);
	for (i = 0; i < ITERS; i++) {
		switch (cur) {
		case K_MTX:
			eng_mtx_lock(t->ls, &mtx, ENG_HERE);
			counter++;
			eng_mtx_unlock(t->ls, &mtx);
			break;
		case K_RW_W:
			eng_rw_wlock(t->ls, &rw, ENG_HERE);
			counter++;
			eng_rw_wunlock(t->ls, &rw);
			break;
		case K_RW_MIX:
			if (i % 4 == 0) {
				eng_rw_wlock(t->ls, &rw, ENG_HERE);
				counter++;
				eng_rw_wunlock(t->ls, &rw);
			} else {
				eng_rw_rlock(t->ls, &rw, ENG_HERE);
				v = counter;
				t->reads += v > 0;
				eng_rw_runlock(t->ls, &rw);
			}
			break;
		case K_TICKET:
			eng_ticket_lock(t->ls, &tk, ENG_HERE);
			counter++;
			eng_ticket_unlock(t->ls, &tk);
			break;
		case K_MCS:
			eng_mcs_lock(t->ls, &mcs, &node, ENG_HERE);
			counter++;
			eng_mcs_unlock(t->ls, &mcs, &node);
			break;
		case K_BLK:
			eng_blk_lock(t->ls, &blk, LC_PV, ENG_HERE);
			counter++;
			eng_blk_unlock(t->ls, &blk);
			break;
		default:
			break;
		}
	}
	return (NULL);
}

int
main(void)
{
	static struct eng_lock_stats tot[LC_COUNT];
	struct th t[NTHREADS];
	uint64_t want, acq, contended;
	int i, n, fails = 0;
	unsigned lc;

	eng_mtx_init(&mtx, LC_OBJECT);
	eng_rw_init(&rw, LC_OBJECT);
	eng_ticket_init(&tk, LC_OBJECT);
	eng_mcs_init(&mcs, LC_OBJECT);
	atomic_init(&blk, 0);
	for (cur = 0; cur < K_COUNT; cur++) {
		n = cur == K_TICKET || cur == K_MCS ? 2 : NTHREADS;
		if (ENG_TSAN && n == 2) {
			printf("%-13s not run under TSan (inline-asm atomics)\n",
			    names[cur]);
			continue;
		}
		counter = 0;
		pthread_barrier_init(&start, NULL, (unsigned)n);
		for (i = 0; i < n; i++) {
			t[i].ls = malloc(sizeof(*t[i].ls));
			if (t[i].ls == NULL)
				return (1);
			eng_lkstat_init(t[i].ls, i % 2 == 0, 1);
			t[i].reads = 0;
			pthread_create(&t[i].tid, NULL, run, &t[i]);
		}
		acq = contended = 0;
		for (i = 0; i < n; i++) {
			pthread_join(t[i].tid, NULL);
			for (lc = 0; lc < LC_COUNT; lc++)
				memset(&tot[lc], 0, sizeof(tot[lc]));
			eng_lkstat_merge(t[i].ls, tot, NULL);
			lc = cur == K_BLK ? LC_PV : LC_OBJECT;
			acq += tot[lc].acquisitions;
			contended += tot[lc].contended;
			free(t[i].ls);
		}
		pthread_barrier_destroy(&start);
		want = cur == K_RW_MIX ? (uint64_t)n * ITERS / 4 :
		    (uint64_t)n * ITERS;
		printf("%-13s counter %ju (want %ju), %ju acquisitions, "
		    "%ju contended\n", names[cur], (uintmax_t)counter,
		    (uintmax_t)want, (uintmax_t)acq, (uintmax_t)contended);
		if (counter != want || acq != (uint64_t)n * ITERS)
			fails++;
	}
	return (fails != 0);
}
