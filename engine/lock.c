/*
 * lock.c - lock primitives of the model and their instrumentation (see
 * lock.h for the contract and the lock order).
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/futex.h>
#include <sys/syscall.h>

#include "lock.h"

static const char *const eng_lock_class_names[LC_COUNT] = {
	[LC_PAGE] = "page",
	[LC_OBJECT] = "object",
	[LC_PAGEQUEUE] = "pagequeue",
	[LC_FREEQUEUE] = "freequeue",
	[LC_PV] = "pv",
	[LC_PMAP] = "pmap",
	[LC_PVCHUNK] = "pvchunk",
};

const char *
eng_lock_class_name(unsigned lc)
{
	return (lc < LC_COUNT ? eng_lock_class_names[lc] : "?");
}

/* Spins before a mutex or rwlock waiter parks on its futex. */
#define ENG_SPINS	256

/*
 * Lock order rank of each class (lock.h).  A blocking acquisition of class
 * X while a lock of higher rank is held is an order violation.
 */
static const uint8_t eng_lock_rank[LC_COUNT] = {
	[LC_OBJECT] = 0,
	[LC_PAGE] = 1,
	[LC_PMAP] = 2,
	[LC_PV] = 3,
	[LC_PVCHUNK] = 4,
	[LC_PAGEQUEUE] = 5,
	[LC_FREEQUEUE] = 6,
};

/* Site registry: append-only, names are static strings. */
static pthread_mutex_t eng_site_mtx = PTHREAD_MUTEX_INITIALIZER;
static const char *eng_site_names[ENG_SITE_MAX];
static _Atomic unsigned eng_nsites;

/* TSC calibration, written once under pthread_once. */
static pthread_once_t eng_tsc_once = PTHREAD_ONCE_INIT;
static uint64_t eng_tsc_mult;		/* ns per tick, 32.32 fixed point */
static uint64_t eng_tsc_probe;		/* ticks of one rdtsc pair */
static double eng_tsc_rate;		/* GHz */

static inline void
eng_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("pause");
#endif
}

static void
eng_futex_wait(_Atomic uint32_t *p, uint32_t v)
{
	syscall(SYS_futex, (uint32_t *)p, FUTEX_WAIT_PRIVATE, v, NULL, NULL,
	    0);
}

static void
eng_futex_wake(_Atomic uint32_t *p, int n)
{
	syscall(SYS_futex, (uint32_t *)p, FUTEX_WAKE_PRIVATE, n, NULL, NULL,
	    0);
}

static uint64_t
eng_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}

static int
eng_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

/*
 * Calibrate once: ticks against CLOCK_MONOTONIC over ~20 ms, and the cost of
 * one back-to-back probe (median of many), subtracted from every interval.
 */
static void
eng_tsc_calibrate_once(void)
{
	uint64_t n0, n1, t0, t1, d[257];
	double ns_per_tick;
	size_t i;

	n0 = eng_mono_ns();
	t0 = eng_rdtsc();
	do
		n1 = eng_mono_ns();
	while (n1 - n0 < 20000000u);
	t1 = eng_rdtsc();
	ns_per_tick = (double)(n1 - n0) / (double)(t1 - t0);
	if (!(ns_per_tick > 0))
		ns_per_tick = 1;
	eng_tsc_mult = (uint64_t)(ns_per_tick * 4294967296.0);
	eng_tsc_rate = 1 / ns_per_tick;
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		t0 = eng_rdtsc();
		t1 = eng_rdtsc();
		d[i] = t1 - t0;
	}
	qsort(d, sizeof(d) / sizeof(d[0]), sizeof(d[0]), eng_u64_cmp);
	eng_tsc_probe = d[sizeof(d) / sizeof(d[0]) / 2];
}

void
eng_tsc_calibrate(void)
{
	pthread_once(&eng_tsc_once, eng_tsc_calibrate_once);
}

__extension__ typedef unsigned __int128 eng_u128;

uint64_t
eng_tsc_ns(uint64_t ticks)
{
	return ((uint64_t)(((eng_u128)ticks * eng_tsc_mult) >> 32));
}

uint64_t
eng_tsc_probe_ticks(void)
{
	return (eng_tsc_probe);
}

double
eng_tsc_ghz(void)
{
	return (eng_tsc_rate);
}

/*
 * Log-linear buckets: 0..63 ns one bucket each; above, 16 buckets per power
 * of two.  The last bucket takes everything from ~8.6 s up.  Computed
 * without branches (clz, then selects the compiler turns into cmov): hold
 * times straddle 64 ns, so a branch there would be mispredicted often.
 */
static inline unsigned
eng_hist_bucket(uint64_t ns)
{
	unsigned k, b;

	k = 63 - (unsigned)__builtin_clzll(ns | 1);
	k = k < 6 ? 6 : k;
	b = 16 * k - 32 + (unsigned)((ns >> (k - 4)) & 15);
	b = ns < 64 ? (unsigned)ns : b;
	return (b < ENG_HIST_BUCKETS ? b : ENG_HIST_BUCKETS - 1);
}

/* Lower bound of bucket b in ns. */
static uint64_t
eng_hist_lower(unsigned b)
{
	unsigned k;

	if (b < 64)
		return (b);
	k = (b - 64) / 16 + 6;
	return (((uint64_t)1 << k) + ((uint64_t)((b - 64) % 16) << (k - 4)));
}

static inline void
eng_hist_put(struct eng_hist *h, uint64_t ns)
{
	h->count++;
	h->sum_ns += ns;
	h->max_ns = ns > h->max_ns ? ns : h->max_ns;
	h->bucket[eng_hist_bucket(ns)]++;
}

void
eng_hist_add(struct eng_hist *h, uint64_t ns)
{
	eng_hist_put(h, ns);
}

void
eng_hist_merge(struct eng_hist *dst, const struct eng_hist *src)
{
	unsigned i;

	dst->count += src->count;
	dst->sum_ns += src->sum_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
	for (i = 0; i < ENG_HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

/*
 * Quantile q in [0, 1] in ns: the middle of the bucket holding it (exact
 * below 64 ns), never above the maximum seen.
 */
uint64_t
eng_hist_quantile(const struct eng_hist *h, double q)
{
	uint64_t rank, seen, lo, hi, v;
	unsigned b;

	if (h->count == 0)
		return (0);
	if (q <= 0)
		q = 0;
	if (q >= 1)
		return (h->max_ns);
	rank = (uint64_t)(q * (double)h->count);
	if (rank >= h->count)
		rank = h->count - 1;
	seen = 0;
	for (b = 0; b < ENG_HIST_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen > rank)
			break;
	}
	if (b >= ENG_HIST_BUCKETS)
		return (h->max_ns);
	lo = eng_hist_lower(b);
	hi = b + 1 < ENG_HIST_BUCKETS ? eng_hist_lower(b + 1) : lo;
	v = lo + (hi - lo) / 2;
	return (v < h->max_ns ? v : h->max_ns);
}

unsigned
eng_site_index(struct eng_site *site)
{
	int i;

	i = atomic_load_explicit(&site->idx, memory_order_acquire);
	if (i > 0)
		return ((unsigned)i - 1);
	pthread_mutex_lock(&eng_site_mtx);
	i = atomic_load_explicit(&site->idx, memory_order_relaxed);
	if (i == 0) {
		unsigned n = atomic_load_explicit(&eng_nsites,
		    memory_order_relaxed);

		if (n < ENG_SITE_MAX) {
			eng_site_names[n] = site->name;
			atomic_store_explicit(&eng_nsites, n + 1,
			    memory_order_release);
			i = (int)n + 1;
		} else
			i = ENG_SITE_MAX;	/* share the last slot */
		atomic_store_explicit(&site->idx, i, memory_order_release);
	}
	pthread_mutex_unlock(&eng_site_mtx);
	return ((unsigned)i - 1);
}

const char *
eng_site_name(unsigned i)
{
	const char *name = NULL;

	pthread_mutex_lock(&eng_site_mtx);
	if (i < atomic_load_explicit(&eng_nsites, memory_order_relaxed))
		name = eng_site_names[i];
	pthread_mutex_unlock(&eng_site_mtx);
	return (name);
}

unsigned
eng_site_count(void)
{
	return (atomic_load_explicit(&eng_nsites, memory_order_acquire));
}

void
eng_lkstat_init(struct eng_lkstat *ls, bool timing)
{
	memset(ls, 0, sizeof(*ls));
	ls->timing = timing;
	if (timing)
		eng_tsc_calibrate();
}

/* Zero the counters; locks still held stay recorded. */
void
eng_lkstat_reset(struct eng_lkstat *ls)
{
	memset(ls->cls, 0, sizeof(ls->cls));
	memset(ls->site, 0, sizeof(ls->site));
}

void
eng_lkstat_merge(const struct eng_lkstat *ls,
    struct eng_lock_stats out[LC_COUNT],
    struct eng_site_stats sites[ENG_SITE_MAX][LC_COUNT])
{
	unsigned lc, s;

	for (lc = 0; lc < LC_COUNT; lc++) {
		out[lc].acquisitions += ls->cls[lc].acquisitions;
		out[lc].contended += ls->cls[lc].contended;
		out[lc].cas_retries += ls->cls[lc].cas_retries;
		out[lc].atomics += ls->cls[lc].atomics;
		eng_hist_merge(&out[lc].wait, &ls->cls[lc].wait);
		eng_hist_merge(&out[lc].hold, &ls->cls[lc].hold);
	}
	if (sites == NULL)
		return;
	for (s = 0; s < ENG_SITE_MAX; s++)
		for (lc = 0; lc < LC_COUNT; lc++) {
			const struct eng_site_stats *a = &ls->site[s][lc];
			struct eng_site_stats *b = &sites[s][lc];

			b->acquisitions += a->acquisitions;
			b->contended += a->contended;
			b->cas_retries += a->cas_retries;
			b->wait_ns += a->wait_ns;
			b->hold_ns += a->hold_ns;
		}
}

bool
eng_lock_held(const struct eng_lkstat *ls, const void *lock)
{
	unsigned i;

	for (i = ls->nheld; i-- > 0;)
		if (ls->held[i].lock == lock)
			return (true);
	return (false);
}

/* Abort on a lock-order violation (lock.h): blocking acquisition of lc. */
static void
eng_lock_order_check(const struct eng_lkstat *ls, unsigned lc,
    const struct eng_site *site)
{
#ifndef NDEBUG
	unsigned i;

	for (i = 0; i < LC_COUNT; i++)
		if (ls->held_class[i] != 0 &&
		    eng_lock_rank[i] > eng_lock_rank[lc])
			errx(70, "lock order violation: %s lock taken in %s "
			    "while holding a %s lock", eng_lock_class_name(lc),
			    site->name, eng_lock_class_name(i));
#else
	(void)ls; (void)lc; (void)site;
#endif
}

/*
 * Bookkeeping once a lock is owned.  Timing on: an acquisition whose first
 * attempt succeeded (!contended) reads the TSC once, after that attempt, as
 * the start of the hold, and records a wait of 0 ns, as lock profilers
 * count wait time only for acquisitions that had to wait; a contended one
 * waited from t0, the TSC read after its first attempt failed, to now.
 */
static void
eng_acquired(struct eng_lkstat *ls, const void *lock, unsigned lc,
    struct eng_site *site, uint64_t t0, bool contended, bool shared)
{
	unsigned s = eng_site_index(site);
	struct eng_lock_stats *cs = &ls->cls[lc];
	struct eng_site_stats *ss = &ls->site[s][lc];
	struct eng_held *h;
	uint64_t t1 = 0;

	cs->acquisitions++;
	ss->acquisitions++;
	if (ls->timing)
		t1 = eng_rdtsc();
	if (contended) {
		cs->contended++;
		ss->contended++;
		if (ls->timing) {
			uint64_t d, ns;

			d = t1 - t0;
			d = d > eng_tsc_probe ? d - eng_tsc_probe : 0;
			ns = eng_tsc_ns(d);
			eng_hist_put(&cs->wait, ns);
			ss->wait_ns += ns;
		}
	} else if (ls->timing) {
		cs->wait.count++;
		cs->wait.bucket[0]++;
	}
	if (ls->nheld >= ENG_HELD_MAX)
		errx(70, "more than %d locks held at %s", ENG_HELD_MAX,
		    site->name);
	h = &ls->held[ls->nheld++];
	h->lock = lock;
	h->t1 = t1;
	h->site = (uint16_t)s;
	h->lc = (uint8_t)lc;
	h->shared = shared;
	ls->held_class[lc]++;
}

/* Bookkeeping before a lock is released: hold time, held-stack removal. */
static void
eng_releasing(struct eng_lkstat *ls, const void *lock)
{
	struct eng_held *h;
	unsigned i;

	for (i = ls->nheld; i-- > 0;)
		if (ls->held[i].lock == lock)
			break;
	if (i == UINT_MAX)
		errx(70, "releasing a lock this thread does not hold");
	h = &ls->held[i];
	if (ls->timing) {
		uint64_t d, ns;

		d = eng_rdtsc() - h->t1;
		d = d > eng_tsc_probe ? d - eng_tsc_probe : 0;
		ns = eng_tsc_ns(d);
		eng_hist_put(&ls->cls[h->lc].hold, ns);
		ls->site[h->site][h->lc].hold_ns += ns;
	}
	ls->held_class[h->lc]--;
	*h = ls->held[--ls->nheld];
}

/* TSC at the start of a wait: after the first attempt failed. */
static inline uint64_t
eng_t0(const struct eng_lkstat *ls)
{
	return (ls->timing ? eng_rdtsc() : 0);
}

/* Mutex ------------------------------------------------------------- */

void
eng_mtx_init(struct eng_mtx *m, enum eng_lock_class lc)
{
	atomic_init(&m->mtx_lock, 0);
	m->mtx_class = (uint8_t)lc;
}

bool
eng_mtx_owned(const struct eng_mtx *m)
{
	return (atomic_load_explicit(&m->mtx_lock, memory_order_relaxed) !=
	    0);
}

/*
 * Adaptive acquisition: one CAS when free; otherwise spin reading the word
 * and retrying, then park: mark the word 2 (sleepers) and futex-wait.
 */
void
eng_mtx_lock(struct eng_lkstat *ls, struct eng_mtx *m, struct eng_site *site)
{
	uint64_t t0;
	uint32_t v = 0;
	unsigned spins;

	eng_lock_order_check(ls, m->mtx_class, site);
	ls->cls[m->mtx_class].atomics++;
	if (atomic_compare_exchange_strong_explicit(&m->mtx_lock, &v, 1,
	    memory_order_acquire, memory_order_relaxed)) {
		eng_acquired(ls, m, m->mtx_class, site, 0, false, false);
		return;
	}
	t0 = eng_t0(ls);
	for (spins = 0; spins < ENG_SPINS; spins++) {
		eng_cpu_relax();
		v = atomic_load_explicit(&m->mtx_lock, memory_order_relaxed);
		if (v != 0)
			continue;
		ls->cls[m->mtx_class].atomics++;
		if (atomic_compare_exchange_weak_explicit(&m->mtx_lock, &v, 1,
		    memory_order_acquire, memory_order_relaxed)) {
			eng_acquired(ls, m, m->mtx_class, site, t0, true,
			    false);
			return;
		}
	}
	ls->cls[m->mtx_class].atomics++;
	v = atomic_exchange_explicit(&m->mtx_lock, 2, memory_order_acquire);
	while (v != 0) {
		eng_futex_wait(&m->mtx_lock, 2);
		ls->cls[m->mtx_class].atomics++;
		v = atomic_exchange_explicit(&m->mtx_lock, 2,
		    memory_order_acquire);
	}
	eng_acquired(ls, m, m->mtx_class, site, t0, true, false);
}

bool
eng_mtx_trylock(struct eng_lkstat *ls, struct eng_mtx *m,
    struct eng_site *site)
{
	uint32_t v = 0;

	ls->cls[m->mtx_class].atomics++;
	if (!atomic_compare_exchange_strong_explicit(&m->mtx_lock, &v, 1,
	    memory_order_acquire, memory_order_relaxed))
		return (false);
	eng_acquired(ls, m, m->mtx_class, site, 0, false, false);
	return (true);
}

void
eng_mtx_unlock(struct eng_lkstat *ls, struct eng_mtx *m)
{
	eng_releasing(ls, m);
	ls->cls[m->mtx_class].atomics++;
	if (atomic_exchange_explicit(&m->mtx_lock, 0, memory_order_release) ==
	    2)
		eng_futex_wake(&m->mtx_lock, 1);
}

/* Reader/writer lock ------------------------------------------------- */

void
eng_rw_init(struct eng_rw *rw, enum eng_lock_class lc)
{
	atomic_init(&rw->rw_lock, 0);
	rw->rw_class = (uint8_t)lc;
}

bool
eng_rw_wowned(const struct eng_rw *rw)
{
	return ((atomic_load_explicit(&rw->rw_lock, memory_order_relaxed) &
	    ENG_RW_WRITER) != 0);
}

bool
eng_rw_locked(const struct eng_rw *rw)
{
	return ((atomic_load_explicit(&rw->rw_lock, memory_order_relaxed) &
	    (ENG_RW_WRITER | ENG_RW_READERS)) != 0);
}

/* One attempt; *vp is the last value seen. */
static bool
eng_rw_try(struct eng_lkstat *ls, struct eng_rw *rw, bool shared,
    uint32_t *vp)
{
	uint32_t v = *vp, new;

	if (shared) {
		if ((v & ENG_RW_WRITER) != 0)
			return (false);
		new = v + 1;
	} else {
		if ((v & (ENG_RW_WRITER | ENG_RW_READERS)) != 0)
			return (false);
		new = v | ENG_RW_WRITER;
	}
	ls->cls[rw->rw_class].atomics++;
	return (atomic_compare_exchange_weak_explicit(&rw->rw_lock, vp, new,
	    memory_order_acquire, memory_order_relaxed));
}

static void
eng_rw_lock(struct eng_lkstat *ls, struct eng_rw *rw, bool shared,
    struct eng_site *site)
{
	uint64_t t0 = 0;
	unsigned spins = 0;
	bool contended = false;
	uint32_t v;

	eng_lock_order_check(ls, rw->rw_class, site);
	v = atomic_load_explicit(&rw->rw_lock, memory_order_relaxed);
	for (;;) {
		if (eng_rw_try(ls, rw, shared, &v))
			break;
		if (!contended)
			t0 = eng_t0(ls);
		contended = true;
		if (spins++ < ENG_SPINS) {
			eng_cpu_relax();
			v = atomic_load_explicit(&rw->rw_lock,
			    memory_order_relaxed);
			continue;
		}
		/* Park: announce a sleeper, then wait for the word to move. */
		if ((v & ENG_RW_WAITERS) == 0) {
			ls->cls[rw->rw_class].atomics++;
			if (!atomic_compare_exchange_weak_explicit(
			    &rw->rw_lock, &v, v | ENG_RW_WAITERS,
			    memory_order_relaxed, memory_order_relaxed))
				continue;
			v |= ENG_RW_WAITERS;
		}
		eng_futex_wait(&rw->rw_lock, v);
		v = atomic_load_explicit(&rw->rw_lock, memory_order_relaxed);
	}
	eng_acquired(ls, rw, rw->rw_class, site, t0, contended, shared);
}

void
eng_rw_rlock(struct eng_lkstat *ls, struct eng_rw *rw, struct eng_site *site)
{
	eng_rw_lock(ls, rw, true, site);
}

void
eng_rw_wlock(struct eng_lkstat *ls, struct eng_rw *rw, struct eng_site *site)
{
	eng_rw_lock(ls, rw, false, site);
}

static bool
eng_rw_trylock(struct eng_lkstat *ls, struct eng_rw *rw, bool shared,
    struct eng_site *site)
{
	uint32_t v;

	v = atomic_load_explicit(&rw->rw_lock, memory_order_relaxed);
	for (;;) {
		if (eng_rw_try(ls, rw, shared, &v))
			break;
		/* Retry only a CAS that failed spuriously or lost to a reader. */
		if ((v & ENG_RW_WRITER) != 0 ||
		    (!shared && (v & ENG_RW_READERS) != 0))
			return (false);
	}
	eng_acquired(ls, rw, rw->rw_class, site, 0, false, shared);
	return (true);
}

bool
eng_rw_try_rlock(struct eng_lkstat *ls, struct eng_rw *rw,
    struct eng_site *site)
{
	return (eng_rw_trylock(ls, rw, true, site));
}

bool
eng_rw_try_wlock(struct eng_lkstat *ls, struct eng_rw *rw,
    struct eng_site *site)
{
	return (eng_rw_trylock(ls, rw, false, site));
}

/* Last reader out with sleepers: clear the mark and wake them all. */
void
eng_rw_runlock(struct eng_lkstat *ls, struct eng_rw *rw)
{
	uint32_t v;

	eng_releasing(ls, rw);
	ls->cls[rw->rw_class].atomics++;
	v = atomic_fetch_sub_explicit(&rw->rw_lock, 1, memory_order_release) -
	    1;
	if (v == ENG_RW_WAITERS) {
		ls->cls[rw->rw_class].atomics++;
		if (atomic_compare_exchange_strong_explicit(&rw->rw_lock, &v, 0,
		    memory_order_relaxed, memory_order_relaxed))
			eng_futex_wake(&rw->rw_lock, INT_MAX);
	}
}

void
eng_rw_wunlock(struct eng_lkstat *ls, struct eng_rw *rw)
{
	eng_releasing(ls, rw);
	ls->cls[rw->rw_class].atomics++;
	if ((atomic_exchange_explicit(&rw->rw_lock, 0, memory_order_release) &
	    ENG_RW_WAITERS) != 0)
		eng_futex_wake(&rw->rw_lock, INT_MAX);
}

/* Concurrency Kit spin locks ----------------------------------------- */

void
eng_ticket_init(struct eng_ticket *t, enum eng_lock_class lc)
{
	ck_spinlock_ticket_init(&t->tk);
	t->tk_class = (uint8_t)lc;
}

void
eng_ticket_lock(struct eng_lkstat *ls, struct eng_ticket *t,
    struct eng_site *site)
{
	uint64_t t0 = 0;
	bool contended;

	eng_lock_order_check(ls, t->tk_class, site);
	ls->cls[t->tk_class].atomics++;
	contended = !ck_spinlock_ticket_trylock(&t->tk);
	if (contended) {
		t0 = eng_t0(ls);
		ls->cls[t->tk_class].atomics++;
		ck_spinlock_ticket_lock(&t->tk);
	}
	eng_acquired(ls, t, t->tk_class, site, t0, contended, false);
}

void
eng_ticket_unlock(struct eng_lkstat *ls, struct eng_ticket *t)
{
	eng_releasing(ls, t);
	ck_spinlock_ticket_unlock(&t->tk);
}

void
eng_mcs_init(struct eng_mcs *l, enum eng_lock_class lc)
{
	ck_spinlock_mcs_init(&l->mcs);
	l->mcs_class = (uint8_t)lc;
}

void
eng_mcs_lock(struct eng_lkstat *ls, struct eng_mcs *l,
    ck_spinlock_mcs_context_t *node, struct eng_site *site)
{
	uint64_t t0 = 0;
	bool contended;

	eng_lock_order_check(ls, l->mcs_class, site);
	ls->cls[l->mcs_class].atomics++;
	contended = !ck_spinlock_mcs_trylock(&l->mcs, node);
	if (contended) {
		t0 = eng_t0(ls);
		ls->cls[l->mcs_class].atomics++;
		ck_spinlock_mcs_lock(&l->mcs, node);
	}
	eng_acquired(ls, l, l->mcs_class, site, t0, contended, false);
}

void
eng_mcs_unlock(struct eng_lkstat *ls, struct eng_mcs *l,
    ck_spinlock_mcs_context_t *node)
{
	eng_releasing(ls, l);
	ls->cls[l->mcs_class].atomics++;
	ck_spinlock_mcs_unlock(&l->mcs, node);
}

/* One-byte lock ------------------------------------------------------ */

static bool
eng_blk_try(struct eng_lkstat *ls, eng_blk_t *b, enum eng_lock_class lc)
{
	uint8_t v = 0;

	ls->cls[lc].atomics++;
	return (atomic_compare_exchange_strong_explicit(b, &v, 1,
	    memory_order_acquire, memory_order_relaxed));
}

/* Spin reading the byte, then yield the CPU between attempts. */
void
eng_blk_lock(struct eng_lkstat *ls, eng_blk_t *b, enum eng_lock_class lc,
    struct eng_site *site)
{
	uint64_t t0 = 0;
	unsigned spins = 0;
	bool contended = false;

	eng_lock_order_check(ls, lc, site);
	while (!eng_blk_try(ls, b, lc)) {
		if (!contended)
			t0 = eng_t0(ls);
		contended = true;
		do {
			if (spins++ < ENG_SPINS)
				eng_cpu_relax();
			else
				sched_yield();
		} while (atomic_load_explicit(b, memory_order_relaxed) != 0);
	}
	eng_acquired(ls, b, lc, site, t0, contended, false);
}

bool
eng_blk_trylock(struct eng_lkstat *ls, eng_blk_t *b, enum eng_lock_class lc,
    struct eng_site *site)
{
	if (!eng_blk_try(ls, b, lc))
		return (false);
	eng_acquired(ls, b, lc, site, 0, false, false);
	return (true);
}

void
eng_blk_unlock(struct eng_lkstat *ls, eng_blk_t *b)
{
	eng_releasing(ls, b);
	atomic_store_explicit(b, 0, memory_order_release);
}
