/*
 * lock.c - lock primitives of the model and their instrumentation (see
 * lock.h for the contract and the lock order).
 */
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

#include "eng_assert.h"
#include "lock.h"
#include "lock_sim.h"

/* The simulator's hook of this thread (lock_sim.h); NULL: real locks. */
_Thread_local const struct eng_sim_hook *eng_sim_hook;

void
eng_lock_sim_set(const struct eng_sim_hook *h)
{
	eng_sim_hook = h;
}

/* Per-CPU thread-local state (lock_sim.h); written by constructors only. */
static struct eng_sim_tls eng_sim_tls_reg[ENG_SIM_TLS_MAX];
static size_t eng_sim_ntls;

void
eng_sim_tls_register(void *(*addr)(void), size_t size)
{
	if (eng_sim_ntls == ENG_SIM_TLS_MAX)
		ENG_PANIC("more than %d per-CPU thread-local blocks",
		    ENG_SIM_TLS_MAX);
	eng_sim_tls_reg[eng_sim_ntls].addr = addr;
	eng_sim_tls_reg[eng_sim_ntls++].size = size;
}

const struct eng_sim_tls *
eng_sim_tls(size_t i)
{
	return (i < eng_sim_ntls ? &eng_sim_tls_reg[i] : NULL);
}

static const char *const eng_lock_class_names[LC_COUNT] = {
	[LC_PAGE] = "page",
	[LC_OBJECT] = "object",
	[LC_PAGEQUEUE] = "pagequeue",
	[LC_FREEQUEUE] = "freequeue",
	[LC_PV] = "pv",
	[LC_PMAP] = "pmap",
	[LC_PVCHUNK] = "pvchunk",
	[LC_RESERV] = "reserv",
	[LC_BACKING] = "backing",
	[LC_INVL] = "invl",
};

const char *
eng_lock_class_name(unsigned lc)
{
	return (lc < LC_COUNT ? eng_lock_class_names[lc] : "?");
}

/*
 * Spinning (lock.h).  ENG_SPIN_LIMIT: pauses one spin phase of an
 * acquisition may take before the waiter parks although the owner looks
 * running (the model's stand-in for a preempted owner; not in the kernel).
 * ENG_SPINS: the byte lock's pauses before it yields.  ENG_ROWNER_RETRIES
 * and ENG_ROWNER_LOOPS: kern_rwlock.c's rowner_retries and rowner_loops,
 * the spinning on a read-locked lock.
 */
#define ENG_SPIN_LIMIT		1024
#define ENG_SPINS		256
#define ENG_ROWNER_RETRIES	10
#define ENG_ROWNER_LOOPS	10000

/*
 * Run state of the lock owners, by cpu_id: parked is set while the CPU
 * sleeps on a lock (TD_IS_RUNNING false).  Slots are type-stable, as
 * struct thread is in the kernel, so a waiter may read the slot of an
 * owner that has since released the lock or gone away.
 */
#define ENG_RUN_SLOTS	1024
struct eng_runstate {
	_Alignas(ENG_CACHE_LINE) _Atomic uint32_t parked;	/* (A) */
};
static struct eng_runstate eng_run[ENG_RUN_SLOTS + 1];	/* by cpu_id */
static _Atomic uint32_t eng_run_next;

/* lock_delay(): doubling backoff, capped by lock_delay_default_init(). */
static pthread_once_t eng_delay_once = PTHREAD_ONCE_INIT;
static unsigned eng_delay_max;

struct eng_delay {
	unsigned	delay;		/* pauses of the last step */
	unsigned	spun;		/* pauses in this spin phase */
};

/* Futex wait queues of a rwlock word (turnstile queues). */
#define ENG_FUTEX_READERS	1u
#define ENG_FUTEX_WRITERS	2u

/*
 * Lock order rank of each class (lock.h).  A blocking acquisition of class
 * X while a lock of higher rank is held is an order violation.
 */
static const uint8_t eng_lock_rank[LC_COUNT] = {
	[LC_OBJECT] = 0,
	[LC_PAGE] = 1,
	[LC_BACKING] = 2,
	[LC_PMAP] = 3,
	[LC_PV] = 4,
	[LC_PVCHUNK] = 5,
	[LC_PAGEQUEUE] = 6,
	[LC_RESERV] = 7,
	[LC_FREEQUEUE] = 8,
	[LC_INVL] = 9,
};

/* Site registry: append-only, names are static strings. */
static pthread_mutex_t eng_site_mtx = PTHREAD_MUTEX_INITIALIZER;
static const char *eng_site_names[ENG_SITE_MAX];
static _Atomic unsigned eng_nsites;

/*
 * Lock-instance registry: append-only, names are static strings; added to
 * under eng_site_mtx, read below eng_ninst without it.
 */
static const char *eng_inst_names[ENG_INST_MAX];
static uint8_t eng_inst_classes[ENG_INST_MAX];
static _Atomic unsigned eng_ninst;

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

/* A counted atomic RMW on the word at p: a scheduling point in simulation. */
static inline void
eng_rmw(struct eng_lkstat *ls, unsigned lc, const void *p)
{
	ls->cls[lc].atomics++;
	eng_sim_access(p, ENG_SIM_RMW);
}

/*
 * eng_rmw() where the caller has seen eng_fast_ok() (no simulation: no
 * access to report), or eng_rmw() itself: fast is a constant at each
 * inlined call, so that the fast path holds no call.
 */
static inline void
eng_rmw_as(struct eng_lkstat *ls, unsigned lc, const void *p, bool fast)
{
	if (fast)
		ls->cls[lc].atomics++;
	else
		eng_rmw(ls, lc, p);
}

/* The clock of wait and hold times: the TSC, or virtual ns in simulation. */
static inline uint64_t
eng_clock(void)
{
	return (eng_sim_hook != NULL ? eng_sim_hook->now(eng_sim_hook->ctx) :
	    eng_rdtsc());
}

/*
 * An interval of eng_clock() in ns, the probe's cost taken off.  An
 * interval the TSC ran backwards over (a vCPU moved between host CPUs
 * whose TSC offsets differ, as seen on the shared 2-vCPU VM) is 0, not a
 * wrapped 2^64-cycle hold that would swamp every total it is added to.
 */
static inline uint64_t
eng_clock_ns(uint64_t d)
{
	if (eng_sim_hook != NULL)
		return (d);
	return (eng_tsc_ns((int64_t)d > (int64_t)eng_tsc_probe ?
	    d - eng_tsc_probe : 0));
}

/* n pauses (lock_delay_spin); virtual ones in simulation. */
static inline void
eng_pauses(unsigned n)
{
	unsigned i;

	if (eng_sim_hook != NULL) {
		eng_sim_hook->spin(eng_sim_hook->ctx, n);
		return;
	}
	for (i = 0; i < n; i++)
		eng_cpu_relax();
}

void
eng_yield(void)
{
	if (eng_sim_hook != NULL)
		eng_sim_hook->yield(eng_sim_hook->ctx);
	else
		sched_yield();
}

/* Wake every waiter of queue on *p; returns how many were asleep. */
static long
eng_futex_wake(_Atomic uint32_t *p, uint32_t queue)
{
	if (eng_sim_hook != NULL)
		return (eng_sim_hook->wake(eng_sim_hook->ctx, p, queue));
	return (syscall(SYS_futex, (uint32_t *)p, FUTEX_WAKE_BITSET_PRIVATE,
	    INT_MAX, NULL, NULL, queue));
}

/*
 * The CPU is about to sleep on a lock: from now on it is "not running" to
 * those spinning on the locks it owns (turnstile_trywait).
 */
static inline void
eng_parking(const struct eng_lkstat *ls)
{
	atomic_store_explicit(&eng_run[ls->cpu_id].parked, 1,
	    memory_order_relaxed);
}

static inline void
eng_running(const struct eng_lkstat *ls)
{
	atomic_store_explicit(&eng_run[ls->cpu_id].parked, 0,
	    memory_order_relaxed);
}

/*
 * Sleep on *p in queue while it holds v (turnstile_wait), counted as a
 * block of class lc; the CPU runs again when this returns.  Called
 * between eng_parking() and the caller's re-check of the word.
 */
static void
eng_park(struct eng_lkstat *ls, unsigned lc, _Atomic uint32_t *p,
    uint32_t v, uint32_t queue)
{
	ls->cls[lc].blocks++;
	if (eng_sim_hook != NULL)
		eng_sim_hook->park(eng_sim_hook->ctx, p, v, queue);
	else
		syscall(SYS_futex, (uint32_t *)p, FUTEX_WAIT_BITSET_PRIVATE, v,
		    NULL, NULL, queue);
	eng_running(ls);
}

/*
 * A waiter about to sleep on *p, which read *vp: make sure the word
 * carries its waiter bit (a CAS if it does not yet).  True when *vp is
 * then the word with bit set, to sleep on; false when the word moved (*vp
 * is its new value, to be judged again).
 */
static bool
eng_waiter_bit(struct eng_lkstat *ls, unsigned lc, _Atomic uint32_t *p,
    uint32_t *vp, uint32_t bit)
{
	if ((*vp & bit) != 0)
		return (true);
	eng_rmw(ls, lc, p);
	if (!atomic_compare_exchange_weak_explicit(p, vp, *vp | bit,
	    memory_order_release, memory_order_relaxed))
		return (false);
	*vp |= bit;
	return (true);
}

/* Is the owner with this cpu_id running (TD_IS_RUNNING)? */
static inline bool
eng_owner_running(uint32_t id)
{
	return (id <= ENG_RUN_SLOTS && atomic_load_explicit(
	    &eng_run[id].parked, memory_order_relaxed) == 0);
}

static void
eng_delay_init_once(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned r;

	for (r = 1; n > 0 && r <= (unsigned long)n; r <<= 1)
		continue;
	eng_delay_max = r * 256 > 32678 ? 32678 : r * 256;
}

static inline void
eng_delay_start(struct eng_delay *d)
{
	d->delay = 1;
	d->spun = 0;
}

/* This spin phase used up ENG_SPIN_LIMIT: park as if the owner slept. */
static inline bool
eng_delay_spent(const struct eng_delay *d)
{
	return (d->spun >= ENG_SPIN_LIMIT);
}

/* lock_delay_spin(n): n pauses, counted as spinning for class lc. */
static void
eng_delay_spin(struct eng_lkstat *ls, unsigned lc, struct eng_delay *d,
    unsigned n)
{
	eng_pauses(n);
	d->spun += n;
	ls->cls[lc].spins += n;
}

/* lock_delay(): the next, doubled step of the backoff. */
static void
eng_delay(struct eng_lkstat *ls, unsigned lc, struct eng_delay *d)
{
	d->delay <<= 1;
	if (d->delay > eng_delay_max)
		d->delay = eng_delay_max;
	eng_delay_spin(ls, lc, d, d->delay);
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

/*
 * eng_site_index()'s slow path: give site its slot at its first use.  The
 * registry's mutex serialises registration; a site that lost the race
 * finds its slot under it.
 */
unsigned
eng_site_register(struct eng_site *site)
{
	int i;

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

/*
 * The lock instance named name, registered at its first naming; the
 * site registry's mutex serialises registration.  Names are few and fixed
 * by the code (lock_stats.h): more than ENG_INST_MAX is a bug.
 */
static unsigned
eng_inst_index(const char *name, unsigned lc)
{
	unsigned i, n;

	pthread_mutex_lock(&eng_site_mtx);
	n = atomic_load_explicit(&eng_ninst, memory_order_relaxed);
	for (i = 0; i < n; i++)
		if (strcmp(eng_inst_names[i], name) == 0)
			break;
	if (i == n) {
		if (n == ENG_INST_MAX)
			ENG_PANIC("more than %d named locks (%s)",
			    ENG_INST_MAX, name);
		eng_inst_names[n] = name;
		eng_inst_classes[n] = (uint8_t)lc;
		atomic_store_explicit(&eng_ninst, n + 1, memory_order_release);
	}
	pthread_mutex_unlock(&eng_site_mtx);
	ENG_KASSERT(eng_inst_classes[i] == lc, "lock instance %s named with "
	    "two classes", name);
	return (i);
}

unsigned
eng_lock_inst_count(void)
{
	return (atomic_load_explicit(&eng_ninst, memory_order_acquire));
}

const char *
eng_lock_inst_name(unsigned i)
{
	return (i < eng_lock_inst_count() ? eng_inst_names[i] : "?");
}

unsigned
eng_lock_inst_class(unsigned i)
{
	return (i < eng_lock_inst_count() ? eng_inst_classes[i] : LC_COUNT);
}

void
eng_lkstat_init(struct eng_lkstat *ls, bool timing, uint32_t hold_every)
{
	ENG_KASSERT(!timing || hold_every >= 1, "hold_every %u", hold_every);
	memset(ls, 0, sizeof(*ls));
	ls->timing = timing;
	ls->hold_every = timing ? hold_every : 0;
	ls->untimed = timing ? 0 : UINT64_MAX;
	ls->cpu_id = atomic_fetch_add_explicit(&eng_run_next, 1,
	    memory_order_relaxed) % ENG_RUN_SLOTS + 1;
	eng_running(ls);
	pthread_once(&eng_delay_once, eng_delay_init_once);
	if (timing)
		eng_tsc_calibrate();
}

uint64_t
eng_hold_total(uint64_t sum_ns, uint64_t timed, uint64_t acquisitions,
    uint32_t hold_sample)
{
	if (hold_sample <= 1 || timed == 0)
		return (sum_ns);
	return ((uint64_t)((eng_u128)sum_ns * acquisitions / timed));
}

/* Zero the counters; locks still held stay recorded. */
void
eng_lkstat_reset(struct eng_lkstat *ls)
{
	memset(ls->cls, 0, sizeof(ls->cls));
	memset(ls->inst, 0, sizeof(ls->inst));
	memset(ls->site, 0, sizeof(ls->site));
}

/* Add one set of lock counters into another. */
static void
eng_lock_stats_add(struct eng_lock_stats *out, const struct eng_lock_stats *in)
{
	out->acquisitions += in->acquisitions;
	out->contended += in->contended;
	out->cas_retries += in->cas_retries;
	out->atomics += in->atomics;
	out->spins += in->spins;
	out->blocks += in->blocks;
	eng_hist_merge(&out->wait, &in->wait);
	eng_hist_merge(&out->hold, &in->hold);
}

void
eng_lkstat_merge(const struct eng_lkstat *ls,
    struct eng_lock_stats out[LC_COUNT],
    struct eng_site_stats sites[ENG_SITE_MAX][LC_COUNT])
{
	unsigned lc, s;

	for (lc = 0; lc < LC_COUNT; lc++)
		eng_lock_stats_add(&out[lc], &ls->cls[lc]);
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
			b->holds_timed += a->holds_timed;
		}
}

void
eng_lkstat_merge_inst(const struct eng_lkstat *ls,
    struct eng_lock_stats out[ENG_INST_MAX])
{
	unsigned i;

	for (i = 0; i < ENG_INST_MAX; i++)
		eng_lock_stats_add(&out[i], &ls->inst[i]);
}

/*
 * The slot of lock on this CPU's held stack, the topmost if it is there
 * more than once (a recursed read lock), or -1.
 */
static int
eng_held_slot(const struct eng_lkstat *ls, const void *lock)
{
	unsigned i;

	for (i = ls->nheld; i-- > 0;)
		if (ls->held[i].lock == lock)
			return ((int)i);
	return (-1);
}

bool
eng_lock_held(const struct eng_lkstat *ls, const void *lock)
{
	return (eng_held_slot(ls, lock) >= 0);
}

/* Abort on a lock-order violation (lock.h): blocking acquisition of lc. */
static void
eng_lock_order_check(const struct eng_lkstat *ls, unsigned lc,
    const struct eng_site *site)
{
	unsigned i;

	if (!ENG_DEBUG)
		return;
	for (i = 0; i < LC_COUNT; i++)
		if (ls->held_class[i] != 0 &&
		    eng_lock_rank[i] > eng_lock_rank[lc])
			ENG_PANIC("lock order violation: %s lock taken in %s "
			    "while holding a %s lock", eng_lock_class_name(lc),
			    site->name, eng_lock_class_name(i));
}

/*
 * Whether this acquisition's hold is timed: with timing on, every one in
 * simulation (the simulator is told every hold), else one in hold_every,
 * counted down per CPU (lock.h, "Hold").  With timing off untimed starts
 * at UINT64_MAX and is never spent.
 */
static inline bool
eng_hold_timed(struct eng_lkstat *ls)
{
	if (!ls->timing)
		return (false);
	if (eng_sim_hook == NULL && ls->untimed > 0) {
		ls->untimed--;
		return (false);
	}
	ls->untimed = ls->hold_every - 1;
	return (true);
}

/*
 * eng_acquired()'s contended part: count the contention and, with timing
 * on, its wait from t0 to t1 (the TSC now).  Returns the wait in ns (0
 * with timing off).
 */
static uint64_t
eng_acquired_wait(struct eng_lkstat *ls, unsigned lc, unsigned s,
    uint64_t t0, uint64_t t1)
{
	struct eng_lock_stats *cs = &ls->cls[lc];
	struct eng_site_stats *ss = &ls->site[s][lc];
	uint64_t ns = 0;

	cs->contended++;
	ss->contended++;
	if (ls->timing) {
		ns = eng_clock_ns(t1 - t0);
		eng_hist_put(&cs->wait, ns);
		ss->wait_ns += ns;
	}
	return (ns);
}

/*
 * Bookkeeping once a lock is owned.  With timing on, a contended
 * acquisition waited from t0, the TSC read after its first attempt failed,
 * to now; a timed hold (eng_hold_timed()) starts now.  Returns the wait in
 * ns (0 uncontended or timing off).  Inlined into every acquire that does
 * not take the fast path.  The per-class count of held locks serves only
 * the lock-order check and is kept only with it.
 */
static inline uint64_t
eng_acquired(struct eng_lkstat *ls, const void *lock, unsigned lc,
    struct eng_site *site, uint64_t t0, bool contended, bool shared)
{
	unsigned s = eng_site_index(site);
	struct eng_held *h;
	uint64_t t1 = 0, ns = 0;
	bool timed;

	ENG_KASSERT(ls->cpu_id != 0, "lock %p taken in %s with an "
	    "uninitialised eng_lkstat", lock, site->name);
	ls->cls[lc].acquisitions++;
	ls->site[s][lc].acquisitions++;
	timed = eng_hold_timed(ls);
	if (timed || (contended && ls->timing))
		t1 = eng_clock();
	if (__builtin_expect(contended, 0))
		ns = eng_acquired_wait(ls, lc, s, t0, t1);
	if (__builtin_expect(ls->nheld >= ENG_HELD_MAX, 0))
		ENG_PANIC("more than %d locks held at %s", ENG_HELD_MAX,
		    site->name);
	h = &ls->held[ls->nheld++];
	h->lock = lock;
	h->t1 = t1;
	h->site = (uint16_t)s;
	h->lc = (uint8_t)lc;
	h->order = (uint8_t)lc;
	h->shared = shared;
	h->inst = 0;
	h->timed = timed;
	if (ENG_DEBUG)
		ls->held_class[lc]++;
	return (ns);
}

/*
 * After eng_acquired() of a rwlock ranked as another class
 * (eng_rw_order()): the lock just acquired holds that class's rank.  Only
 * the lock-order check reads it.
 */
static inline void
eng_acquired_order(struct eng_lkstat *ls, const struct eng_rw *rw)
{
	struct eng_held *h;

	if (!ENG_DEBUG || rw->rw_order == rw->rw_class)
		return;
	h = &ls->held[ls->nheld - 1];
	ls->held_class[h->order]--;
	ls->held_class[rw->rw_order]++;
	h->order = rw->rw_order;
}

/*
 * After eng_acquired() of a named mutex: count the acquisition, and its
 * wait ns when contended, for instance inst (+1; 0: not named), whose
 * hold eng_releasing() then times.
 */
static inline void
eng_inst_acquired(struct eng_lkstat *ls, unsigned inst, bool contended,
    uint64_t ns)
{
	struct eng_lock_stats *is;

	if (inst == 0)
		return;
	is = &ls->inst[inst - 1];
	is->acquisitions++;
	if (contended) {
		is->contended++;
		if (ls->timing)
			eng_hist_put(&is->wait, ns);
	}
	ls->held[ls->nheld - 1].inst = (uint8_t)inst;
}

/* eng_releasing() of a timed hold: the hold of h ends now. */
static void
eng_released_hold(struct eng_lkstat *ls, const struct eng_held *h)
{
	struct eng_site_stats *ss = &ls->site[h->site][h->lc];
	uint64_t ns;

	if (eng_sim_hook != NULL)
		eng_sim_hook->release(eng_sim_hook->ctx, h->site, h->lc,
		    eng_clock() - h->t1);
	ns = eng_clock_ns(eng_clock() - h->t1);
	eng_hist_put(&ls->cls[h->lc].hold, ns);
	ss->hold_ns += ns;
	ss->holds_timed++;
	if (h->inst != 0)
		eng_hist_put(&ls->inst[h->inst - 1].hold, ns);
}

/*
 * Bookkeeping before a lock is released: hold time, held-stack removal.
 * Locks are mostly released in the reverse order of their acquisition, so
 * the top of the stack is tried before the search.
 */
static inline void
eng_releasing(struct eng_lkstat *ls, const void *lock)
{
	struct eng_held *h;
	unsigned i;
	int slot;

	i = ls->nheld - 1;
	if (__builtin_expect(ls->nheld == 0 || ls->held[i].lock != lock, 0)) {
		if ((slot = eng_held_slot(ls, lock)) < 0)
			ENG_PANIC("releasing lock %p, which this CPU does not "
			    "hold", lock);
		i = (unsigned)slot;
	}
	h = &ls->held[i];
	if (h->timed)
		eng_released_hold(ls, h);
	if (ENG_DEBUG)
		ls->held_class[h->order]--;
	if (i != --ls->nheld)
		*h = ls->held[ls->nheld];
}

/*
 * Whether an acquisition or release may take the fast path: no debugging
 * checks, no simulation, and (acquisition) a hold that is not to be timed
 * (lock timing off, or not this CPU's sampled one: eng_hold_timed()), the
 * site registered and room on the held stack; (release) an untimed hold.
 * The fast path makes no call, so an uncontended lock or unlock saves no
 * registers; everything else goes the full way, out of line.
 */
static inline bool
eng_fast_ok(void)
{
	return (!ENG_DEBUG && eng_sim_hook == NULL);
}

static inline bool
eng_fast_acquire_ok(const struct eng_lkstat *ls, const struct eng_site *site)
{
	return (eng_fast_ok() && ls->untimed > 0 && atomic_load_explicit(
	    &site->idx, memory_order_acquire) > 0 && ls->nheld < ENG_HELD_MAX);
}

/*
 * eng_acquired() and eng_inst_acquired() of a first attempt that
 * succeeded, on the fast path (eng_fast_acquire_ok()).
 */
static inline void
eng_acquired_fast(struct eng_lkstat *ls, const void *lock, unsigned lc,
    const struct eng_site *site, bool shared, unsigned inst)
{
	unsigned s = (unsigned)atomic_load_explicit(&site->idx,
	    memory_order_relaxed) - 1;
	struct eng_held *h;

	ls->cls[lc].acquisitions++;
	ls->site[s][lc].acquisitions++;
	ls->untimed--;
	h = &ls->held[ls->nheld++];
	h->lock = lock;
	h->site = (uint16_t)s;
	h->lc = (uint8_t)lc;
	h->order = (uint8_t)lc;
	h->shared = shared;
	h->inst = (uint8_t)inst;
	h->timed = false;
	if (inst != 0)
		ls->inst[inst - 1].acquisitions++;
}

/*
 * A first attempt that succeeded: eng_acquired_fast() when fast (the
 * caller has seen eng_fast_acquire_ok()), else eng_acquired() and
 * eng_inst_acquired().  fast is a constant at each inlined call.
 */
static inline void
eng_acquired_as(struct eng_lkstat *ls, const void *lock, unsigned lc,
    struct eng_site *site, bool shared, unsigned inst, bool fast)
{
	if (fast)
		eng_acquired_fast(ls, lock, lc, site, shared, inst);
	else
		eng_inst_acquired(ls, inst, false, eng_acquired(ls, lock, lc,
		    site, 0, false, shared));
}

/*
 * eng_releasing() on the fast path (eng_fast_ok()): lock is the top of
 * the held stack, as it is when locks are released in the reverse order
 * of their acquisition.  Returns false, having done nothing, otherwise.
 */
static inline bool
eng_releasing_fast(struct eng_lkstat *ls, const void *lock)
{
	if (!eng_fast_ok() || ls->nheld == 0 ||
	    ls->held[ls->nheld - 1].lock != lock ||
	    ls->held[ls->nheld - 1].timed)
		return (false);
	ls->nheld--;
	return (true);
}

/* TSC at the start of a wait: after the first attempt failed. */
static inline uint64_t
eng_t0(const struct eng_lkstat *ls)
{
	return (ls->timing ? eng_clock() : 0);
}

/* Mutex ------------------------------------------------------------- */

void
eng_mtx_init(struct eng_mtx *m, enum eng_lock_class lc)
{
	atomic_init(&m->mtx_lock, 0);
	m->mtx_class = (uint8_t)lc;
	m->mtx_inst = 0;
}

void
eng_mtx_name(struct eng_mtx *m, const char *name)
{
	m->mtx_inst = (uint8_t)(eng_inst_index(name, m->mtx_class) + 1);
}

bool
eng_mtx_owned(const struct eng_mtx *m)
{
	return (atomic_load_explicit(&m->mtx_lock, memory_order_relaxed) !=
	    0);
}

/*
 * __mtx_lock_sleep: the first CAS (eng_mtx_lock()) failed, having seen v;
 * while the owner runs, spin with lock_delay() until the mutex is free or
 * the owner stops running; when it does not run, set CONTESTED and park.
 * Woken waiters race for the mutex again (the unlock wakes them all).  Out
 * of line, so that the uncontended lock saves no registers for it.
 */
static __attribute__((noinline)) void
eng_mtx_lock_hard(struct eng_lkstat *ls, struct eng_mtx *m,
    struct eng_site *site, uint32_t v)
{
	const unsigned lc = m->mtx_class;
	struct eng_delay d;
	uint64_t t0;
	bool sleep;

	t0 = eng_t0(ls);
	eng_delay_start(&d);
	for (;;) {
		if (v == 0) {
			eng_rmw(ls, lc, &m->mtx_lock);
			if (atomic_compare_exchange_weak_explicit(&m->mtx_lock,
			    &v, ls->cpu_id, memory_order_acquire,
			    memory_order_relaxed))
				break;
			continue;
		}
		if (eng_owner_running(v & ENG_MTX_OWNER) &&
		    !eng_delay_spent(&d)) {
			do {
				eng_delay(ls, lc, &d);
				v = atomic_load_explicit(&m->mtx_lock,
				    memory_order_relaxed);
			} while (v != 0 &&
			    eng_owner_running(v & ENG_MTX_OWNER) &&
			    !eng_delay_spent(&d));
			continue;
		}
		/* turnstile_trywait(): re-check, set CONTESTED, sleep. */
		eng_parking(ls);
		v = atomic_load_explicit(&m->mtx_lock, memory_order_relaxed);
		do {
			sleep = v != 0 && (!eng_owner_running(v &
			    ENG_MTX_OWNER) || eng_delay_spent(&d));
		} while (sleep && !eng_waiter_bit(ls, lc, &m->mtx_lock, &v,
		    ENG_MTX_CONTESTED));
		if (!sleep) {
			eng_running(ls);	/* turnstile_cancel() */
			continue;
		}
		eng_park(ls, lc, &m->mtx_lock, v, FUTEX_BITSET_MATCH_ANY);
		eng_delay_start(&d);
		v = atomic_load_explicit(&m->mtx_lock, memory_order_relaxed);
	}
	eng_inst_acquired(ls, m->mtx_inst, true, eng_acquired(ls, m, lc,
	    site, t0, true, false));
}

/*
 * __mtx_lock: one CAS when free, else __mtx_lock_sleep.  fast: as
 * eng_acquired_as().
 */
static inline void
eng_mtx_lock_as(struct eng_lkstat *ls, struct eng_mtx *m,
    struct eng_site *site, bool fast)
{
	uint32_t v = 0;

	eng_lock_order_check(ls, m->mtx_class, site);
	eng_rmw_as(ls, m->mtx_class, &m->mtx_lock, fast);
	if (__builtin_expect(atomic_compare_exchange_strong_explicit(
	    &m->mtx_lock, &v, ls->cpu_id, memory_order_acquire,
	    memory_order_relaxed), 1)) {
		eng_acquired_as(ls, m, m->mtx_class, site, false, m->mtx_inst,
		    fast);
		return;
	}
	eng_mtx_lock_hard(ls, m, site, v);
}

/* eng_mtx_lock() with any bookkeeping: timing, simulation, checks. */
static __attribute__((noinline)) void
eng_mtx_lock_full(struct eng_lkstat *ls, struct eng_mtx *m,
    struct eng_site *site)
{
	eng_mtx_lock_as(ls, m, site, false);
}

void
eng_mtx_lock(struct eng_lkstat *ls, struct eng_mtx *m, struct eng_site *site)
{
	if (__builtin_expect(!eng_fast_acquire_ok(ls, site), 0)) {
		eng_mtx_lock_full(ls, m, site);
		return;
	}
	eng_mtx_lock_as(ls, m, site, true);
}

bool
eng_mtx_trylock(struct eng_lkstat *ls, struct eng_mtx *m,
    struct eng_site *site)
{
	uint32_t v = 0;

	eng_rmw(ls, m->mtx_class, &m->mtx_lock);
	if (!atomic_compare_exchange_strong_explicit(&m->mtx_lock, &v,
	    ls->cpu_id, memory_order_acquire, memory_order_relaxed))
		return (false);
	eng_inst_acquired(ls, m->mtx_inst, false, eng_acquired(ls, m,
	    m->mtx_class, site, 0, false, false));
	return (true);
}

/*
 * __mtx_unlock_sleep: release; if contested, wake every waiter.  fast: as
 * eng_rmw_as().
 */
static inline void
eng_mtx_unlock_word(struct eng_lkstat *ls, struct eng_mtx *m, bool fast)
{
	eng_rmw_as(ls, m->mtx_class, &m->mtx_lock, fast);
	if ((atomic_exchange_explicit(&m->mtx_lock, 0, memory_order_release) &
	    ENG_MTX_CONTESTED) != 0)
		eng_futex_wake(&m->mtx_lock, FUTEX_BITSET_MATCH_ANY);
}

/* eng_mtx_unlock() with any bookkeeping: timing, simulation, checks. */
static __attribute__((noinline)) void
eng_mtx_unlock_full(struct eng_lkstat *ls, struct eng_mtx *m)
{
	eng_releasing(ls, m);
	eng_mtx_unlock_word(ls, m, false);
}

void
eng_mtx_unlock(struct eng_lkstat *ls, struct eng_mtx *m)
{
	if (__builtin_expect(!eng_releasing_fast(ls, m), 0)) {
		eng_mtx_unlock_full(ls, m);
		return;
	}
	eng_mtx_unlock_word(ls, m, true);
}

/* Reader/writer lock ------------------------------------------------- */

void
eng_rw_init(struct eng_rw *rw, enum eng_lock_class lc)
{
	atomic_init(&rw->rw_lock, 0);
	rw->rw_class = (uint8_t)lc;
	rw->rw_order = (uint8_t)lc;
}

void
eng_rw_order(struct eng_rw *rw, enum eng_lock_class order)
{
	rw->rw_order = (uint8_t)order;
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
	    (ENG_RW_WRITER | ENG_RW_COUNT)) != 0);
}

/*
 * __rw_can_read: no writer holds, waits or spins; or this CPU holds a read
 * lock already (any rwlock, as td_rw_rlocks) and the lock is read-locked.
 */
static inline bool
eng_rw_can_read(const struct eng_lkstat *ls, uint32_t v)
{
	if ((v & (ENG_RW_WRITER | ENG_RW_WRITE_WAITERS |
	    ENG_RW_WRITE_SPINNER)) == 0)
		return (true);
	return (ls->rw_rlocks > 0 && (v & ENG_RW_WRITER) == 0);
}

/*
 * __rw_rlock_try: add a reader while eng_rw_can_read(); *vp: last seen.
 * fast: as eng_rmw_as().
 */
static inline bool
eng_rw_rlock_try(struct eng_lkstat *ls, struct eng_rw *rw, uint32_t *vp,
    bool fast)
{
	while (eng_rw_can_read(ls, *vp)) {
		eng_rmw_as(ls, rw->rw_class, &rw->rw_lock, fast);
		if (atomic_compare_exchange_weak_explicit(&rw->rw_lock, vp,
		    *vp + 1, memory_order_acquire, memory_order_relaxed)) {
			ls->rw_rlocks++;
			return (true);
		}
	}
	return (false);
}

/*
 * A writer takes a lock no one holds, keeping the waiter bits (they stay
 * for its release to act on) and dropping WRITE_SPINNER.
 */
static bool
eng_rw_wlock_try(struct eng_lkstat *ls, struct eng_rw *rw, uint32_t *vp)
{
	while ((*vp & (ENG_RW_WRITER | ENG_RW_COUNT)) == 0) {
		eng_rmw(ls, rw->rw_class, &rw->rw_lock);
		if (atomic_compare_exchange_weak_explicit(&rw->rw_lock, vp,
		    ENG_RW_WRITER | ls->cpu_id | (*vp & ENG_RW_WAITERS),
		    memory_order_acquire, memory_order_relaxed))
			return (true);
	}
	return (false);
}

/*
 * Spin while the write owner in *vp runs (lock_delay()), until the lock
 * changes hands or the spin phase is spent.  False if the owner does not
 * run (or the phase is spent): the caller parks.
 */
static bool
eng_rw_spin_owner(struct eng_lkstat *ls, struct eng_rw *rw,
    struct eng_delay *d, uint32_t *vp)
{
	uint32_t v = *vp;

	if (!eng_owner_running(v & ENG_RW_COUNT) || eng_delay_spent(d))
		return (false);
	do {
		eng_delay(ls, rw->rw_class, d);
		v = atomic_load_explicit(&rw->rw_lock, memory_order_relaxed);
	} while ((v & ENG_RW_WRITER) != 0 &&
	    eng_owner_running(v & ENG_RW_COUNT) && !eng_delay_spent(d));
	*vp = v;
	return (true);
}

/*
 * Spin on a read-locked lock, n pauses a round for n readers and
 * rowner_loops pauses at most (kern_rwlock.c), until the readers are gone
 * or, for a reader, it may enter or a writer holds; for a writer, its
 * WRITE_SPINNER is gone.  True when the lock changed so (retry), false
 * when the spinning ran out (sleep).
 */
static bool
eng_rw_spin_readers(struct eng_lkstat *ls, struct eng_rw *rw,
    struct eng_delay *d, uint32_t *vp, bool writer)
{
	uint32_t v = *vp;
	unsigned i, n;

	for (i = 0, n = v & ENG_RW_COUNT; i < ENG_ROWNER_LOOPS && n != 0 &&
	    !eng_delay_spent(d); i += n) {
		eng_delay_spin(ls, rw->rw_class, d, n);
		v = atomic_load_explicit(&rw->rw_lock, memory_order_relaxed);
		if (writer ? (v & (ENG_RW_WRITE_SPINNER | ENG_RW_WRITER)) !=
		    ENG_RW_WRITE_SPINNER : (v & ENG_RW_WRITER) != 0 ||
		    eng_rw_can_read(ls, v))
			break;
		n = v & ENG_RW_COUNT;
	}
	*vp = v;
	return (i < ENG_ROWNER_LOOPS && !eng_delay_spent(d));
}

/*
 * __rw_rlock_hard.  The first attempt failed with v the word it saw;
 * returns owning a read lock, counted as a contended acquisition at site.
 * Out of line, as eng_mtx_lock_hard().
 */
static __attribute__((noinline)) void
eng_rw_rlock_hard(struct eng_lkstat *ls, struct eng_rw *rw,
    struct eng_site *site, uint32_t v)
{
	const unsigned lc = rw->rw_class;
	struct eng_delay d;
	uint64_t t0;
	unsigned spintries = 0;
	bool sleep;

	t0 = eng_t0(ls);
	eng_delay_start(&d);
	for (;;) {
		if (eng_rw_rlock_try(ls, rw, &v, false))
			break;
		if ((v & ENG_RW_WRITER) != 0) {
			if (eng_rw_spin_owner(ls, rw, &d, &v))
				continue;
		} else if ((v & ENG_RW_WRITE_SPINNER) != 0 &&
		    (v & ENG_RW_COUNT) == 0 && !eng_delay_spent(&d)) {
			/* A spinning writer is about to take it. */
			eng_delay_spin(ls, lc, &d, 2);
			v = atomic_load_explicit(&rw->rw_lock,
			    memory_order_relaxed);
			continue;
		} else if (spintries < ENG_ROWNER_RETRIES &&
		    !eng_delay_spent(&d)) {
			spintries++;
			if (eng_rw_spin_readers(ls, rw, &d, &v, false))
				continue;
		}
		/* turnstile_trywait(): re-check, set READ_WAITERS, sleep. */
		eng_parking(ls);
		v = atomic_load_explicit(&rw->rw_lock, memory_order_relaxed);
		do {
			/* Not if it can take it, or should spin. */
			sleep = !eng_rw_can_read(ls, v) &&
			    (eng_delay_spent(&d) ||
			    ((v & ENG_RW_WRITER) != 0 ?
			    !eng_owner_running(v & ENG_RW_COUNT) :
			    (v & (ENG_RW_WRITE_SPINNER | ENG_RW_COUNT)) !=
			    ENG_RW_WRITE_SPINNER));
		} while (sleep && !eng_waiter_bit(ls, lc, &rw->rw_lock, &v,
		    ENG_RW_READ_WAITERS));
		if (!sleep) {
			eng_running(ls);	/* turnstile_cancel() */
			continue;
		}
		eng_park(ls, lc, &rw->rw_lock, v, ENG_FUTEX_READERS);
		eng_delay_start(&d);
		v = atomic_load_explicit(&rw->rw_lock, memory_order_relaxed);
	}
	eng_acquired(ls, rw, lc, site, t0, true, true);
}

/*
 * __rw_wlock_hard.  The first attempt failed with v the word it saw;
 * returns owning the write lock, counted as a contended acquisition at
 * site (out of line, as eng_mtx_lock_hard()).  spinner: this writer set WRITE_SPINNER
 * (the kernel's in_critical) and must trade it for WRITE_WAITERS before it
 * sleeps.
 */
static __attribute__((noinline)) void
eng_rw_wlock_hard(struct eng_lkstat *ls, struct eng_rw *rw,
    struct eng_site *site, uint32_t v)
{
	const unsigned lc = rw->rw_class;
	struct eng_delay d;
	uint64_t t0;
	unsigned spintries = 0;
	bool spinner = false, on_writer = false, sleep;
	uint32_t setv;

	t0 = eng_t0(ls);
	eng_delay_start(&d);
	for (;;) {
		if (eng_rw_wlock_try(ls, rw, &v))
			break;
		on_writer = (v & ENG_RW_WRITER) != 0;
		if (on_writer) {
			spinner = false;	/* rw_drop_critical() */
			if (eng_rw_spin_owner(ls, rw, &d, &v))
				continue;
		} else if (spintries < ENG_ROWNER_RETRIES &&
		    !eng_delay_spent(&d)) {
			/* Read-locked: hold new readers off and spin. */
			if ((v & ENG_RW_WRITE_SPINNER) == 0) {
				eng_rmw(ls, lc, &rw->rw_lock);
				if (!atomic_compare_exchange_weak_explicit(
				    &rw->rw_lock, &v, v | ENG_RW_WRITE_SPINNER,
				    memory_order_relaxed, memory_order_relaxed))
					continue;
				v |= ENG_RW_WRITE_SPINNER;
				spinner = true;
			}
			spintries++;
			if (eng_rw_spin_readers(ls, rw, &d, &v, true))
				continue;
		}
		/* turnstile_trywait(): re-check, set WRITE_WAITERS, sleep. */
		eng_parking(ls);
		v = atomic_load_explicit(&rw->rw_lock, memory_order_relaxed);
		sleep = false;
		for (;;) {
			if ((v & (ENG_RW_WRITER | ENG_RW_COUNT)) == 0)
				break;		/* free: take it */
			if ((v & ENG_RW_WRITER) != 0 ?
			    eng_owner_running(v & ENG_RW_COUNT) &&
			    !eng_delay_spent(&d) :
			    on_writer && spintries < ENG_ROWNER_RETRIES &&
			    !eng_delay_spent(&d))
				break;		/* spin instead */
			setv = v | ENG_RW_WRITE_WAITERS;
			if (spinner)
				setv &= ~ENG_RW_WRITE_SPINNER;
			if (setv != v) {
				eng_rmw(ls, lc, &rw->rw_lock);
				if (!atomic_compare_exchange_weak_explicit(
				    &rw->rw_lock, &v, setv,
				    memory_order_relaxed, memory_order_relaxed))
					continue;
			}
			v = setv;
			spinner = false;
			sleep = true;
			break;
		}
		if (!sleep) {
			eng_running(ls);	/* turnstile_cancel() */
			continue;
		}
		eng_park(ls, lc, &rw->rw_lock, v, ENG_FUTEX_WRITERS);
		spintries = 0;
		eng_delay_start(&d);
		v = atomic_load_explicit(&rw->rw_lock, memory_order_relaxed);
	}
	eng_acquired(ls, rw, lc, site, t0, true, false);
}

/*
 * __rw_rlock: add a reader while it may, else the hard way.  fast: as
 * eng_acquired_as().
 */
static inline void
eng_rw_rlock_as(struct eng_lkstat *ls, struct eng_rw *rw,
    struct eng_site *site, bool fast)
{
	uint32_t v;

	eng_lock_order_check(ls, rw->rw_order, site);
	v = atomic_load_explicit(&rw->rw_lock, memory_order_relaxed);
	if (__builtin_expect(eng_rw_rlock_try(ls, rw, &v, fast), 1))
		eng_acquired_as(ls, rw, rw->rw_class, site, true, 0, fast);
	else
		eng_rw_rlock_hard(ls, rw, site, v);
	eng_acquired_order(ls, rw);
}

/* eng_rw_rlock() with any bookkeeping: timing, simulation, checks. */
static __attribute__((noinline)) void
eng_rw_rlock_full(struct eng_lkstat *ls, struct eng_rw *rw,
    struct eng_site *site)
{
	eng_rw_rlock_as(ls, rw, site, false);
}

void
eng_rw_rlock(struct eng_lkstat *ls, struct eng_rw *rw, struct eng_site *site)
{
	if (__builtin_expect(!eng_fast_acquire_ok(ls, site), 0)) {
		eng_rw_rlock_full(ls, rw, site);
		return;
	}
	eng_rw_rlock_as(ls, rw, site, true);
}

/*
 * __rw_wlock: one CAS when free, else the hard way.  fast: as
 * eng_acquired_as().
 */
static inline void
eng_rw_wlock_as(struct eng_lkstat *ls, struct eng_rw *rw,
    struct eng_site *site, bool fast)
{
	uint32_t v = 0;

	eng_lock_order_check(ls, rw->rw_order, site);
	eng_rmw_as(ls, rw->rw_class, &rw->rw_lock, fast);
	if (__builtin_expect(atomic_compare_exchange_strong_explicit(
	    &rw->rw_lock, &v, ENG_RW_WRITER | ls->cpu_id,
	    memory_order_acquire, memory_order_relaxed), 1))
		eng_acquired_as(ls, rw, rw->rw_class, site, false, 0, fast);
	else
		eng_rw_wlock_hard(ls, rw, site, v);
	eng_acquired_order(ls, rw);
}

/* eng_rw_wlock() with any bookkeeping: timing, simulation, checks. */
static __attribute__((noinline)) void
eng_rw_wlock_full(struct eng_lkstat *ls, struct eng_rw *rw,
    struct eng_site *site)
{
	eng_rw_wlock_as(ls, rw, site, false);
}

void
eng_rw_wlock(struct eng_lkstat *ls, struct eng_rw *rw, struct eng_site *site)
{
	if (__builtin_expect(!eng_fast_acquire_ok(ls, site), 0)) {
		eng_rw_wlock_full(ls, rw, site);
		return;
	}
	eng_rw_wlock_as(ls, rw, site, true);
}

/* __rw_try_rlock: succeeds whenever no writer holds the lock. */
bool
eng_rw_try_rlock(struct eng_lkstat *ls, struct eng_rw *rw,
    struct eng_site *site)
{
	uint32_t v;

	v = atomic_load_explicit(&rw->rw_lock, memory_order_relaxed);
	for (;;) {
		if ((v & ENG_RW_WRITER) != 0)
			return (false);
		eng_rmw(ls, rw->rw_class, &rw->rw_lock);
		if (atomic_compare_exchange_weak_explicit(&rw->rw_lock, &v,
		    v + 1, memory_order_acquire, memory_order_relaxed))
			break;
	}
	ls->rw_rlocks++;
	eng_acquired(ls, rw, rw->rw_class, site, 0, false, true);
	eng_acquired_order(ls, rw);
	return (true);
}

/*
 * __rw_try_upgrade: the caller's read lock becomes the write lock if it
 * is the only reader, keeping the waiter bits (the kernel claims the
 * turnstile with them) and dropping WRITE_SPINNER.  Not an acquisition:
 * lockstat records rw:upgrade, and the hold that began with the read
 * lock goes on to the write unlock (no lock_profile call in between).
 */
bool
eng_rw_try_upgrade(struct eng_lkstat *ls, struct eng_rw *rw)
{
	uint32_t v;
	int slot;

	slot = eng_held_slot(ls, rw);
	ENG_KASSERT(slot >= 0 && ls->held[slot].shared, "upgrade of rwlock "
	    "%p, which this CPU does not read-lock", (void *)rw);
	v = atomic_load_explicit(&rw->rw_lock, memory_order_relaxed);
	for (;;) {
		if ((v & ENG_RW_COUNT) > 1)
			return (false);
		eng_rmw(ls, rw->rw_class, &rw->rw_lock);
		if (atomic_compare_exchange_weak_explicit(&rw->rw_lock, &v,
		    ENG_RW_WRITER | ls->cpu_id | (v & ENG_RW_WAITERS),
		    memory_order_acquire, memory_order_relaxed))
			break;
	}
	ls->rw_rlocks--;
	ls->held[slot].shared = false;
	return (true);
}

/* __rw_try_wlock: only a free lock with no waiter bits. */
bool
eng_rw_try_wlock(struct eng_lkstat *ls, struct eng_rw *rw,
    struct eng_site *site)
{
	uint32_t v = 0;

	eng_rmw(ls, rw->rw_class, &rw->rw_lock);
	if (!atomic_compare_exchange_strong_explicit(&rw->rw_lock, &v,
	    ENG_RW_WRITER | ls->cpu_id, memory_order_acquire,
	    memory_order_relaxed))
		return (false);
	eng_acquired(ls, rw, rw->rw_class, site, 0, false, false);
	eng_acquired_order(ls, rw);
	return (true);
}

/*
 * Wake the waiters after a release that changed the word from v to setv:
 * the writers if WRITE_WAITERS was set (READ_WAITERS stays in setv), else
 * the readers.  A futex has no turnstile chain lock, so WRITE_WAITERS may
 * have been set by a writer that then took the lock without sleeping: if
 * no writer was asleep, do what a release without it does (clear
 * READ_WAITERS if the word did not move, wake the readers).
 */
static void
eng_rw_wakeup(struct eng_lkstat *ls, struct eng_rw *rw, uint32_t v,
    uint32_t setv)
{
	if ((v & ENG_RW_WRITE_WAITERS) != 0) {
		if (eng_futex_wake(&rw->rw_lock, ENG_FUTEX_WRITERS) > 0 ||
		    (setv & ENG_RW_READ_WAITERS) == 0)
			return;
		eng_rmw(ls, rw->rw_class, &rw->rw_lock);
		atomic_compare_exchange_strong_explicit(&rw->rw_lock, &setv,
		    setv & ~ENG_RW_READ_WAITERS, memory_order_relaxed,
		    memory_order_relaxed);
	}
	if ((v & ENG_RW_READ_WAITERS) != 0)
		eng_futex_wake(&rw->rw_lock, ENG_FUTEX_READERS);
}

/*
 * __rw_runlock_try / __rw_runlock_hard: drop one reader; the last one out
 * with waiters frees the lock (keeping READ_WAITERS when it wakes writers,
 * and WRITE_SPINNER) and wakes one queue.  fast: as eng_rmw_as().
 */
static inline void
eng_rw_runlock_word(struct eng_lkstat *ls, struct eng_rw *rw, bool fast)
{
	uint32_t v, setv;

	ls->rw_rlocks--;
	v = atomic_load_explicit(&rw->rw_lock, memory_order_relaxed);
	for (;;) {
		if ((v & ENG_RW_COUNT) > 1 || (v & ENG_RW_WAITERS) == 0)
			setv = v - 1;
		else {
			setv = (v & ENG_RW_WRITE_SPINNER) |
			    ((v & ENG_RW_WRITE_WAITERS) != 0 ?
			    (v & ENG_RW_READ_WAITERS) : 0);
		}
		eng_rmw_as(ls, rw->rw_class, &rw->rw_lock, fast);
		if (atomic_compare_exchange_weak_explicit(&rw->rw_lock, &v,
		    setv, memory_order_release, memory_order_relaxed))
			break;
	}
	if ((v & ENG_RW_COUNT) == 1 && (v & ENG_RW_WAITERS) != 0)
		eng_rw_wakeup(ls, rw, v, setv);
}

/* eng_rw_runlock() with any bookkeeping: timing, simulation, checks. */
static __attribute__((noinline)) void
eng_rw_runlock_full(struct eng_lkstat *ls, struct eng_rw *rw)
{
	eng_releasing(ls, rw);
	eng_rw_runlock_word(ls, rw, false);
}

void
eng_rw_runlock(struct eng_lkstat *ls, struct eng_rw *rw)
{
	if (__builtin_expect(!eng_releasing_fast(ls, rw), 0)) {
		eng_rw_runlock_full(ls, rw);
		return;
	}
	eng_rw_runlock_word(ls, rw, true);
}

/*
 * __rw_wunlock_hard: free the lock; with writers waiting wake them and
 * keep READ_WAITERS, else wake the readers.  fast: as eng_rmw_as().
 */
static inline void
eng_rw_wunlock_word(struct eng_lkstat *ls, struct eng_rw *rw, bool fast)
{
	uint32_t v, setv;

	v = atomic_load_explicit(&rw->rw_lock, memory_order_relaxed);
	do {
		setv = (v & ENG_RW_WRITE_WAITERS) != 0 ?
		    (v & ENG_RW_READ_WAITERS) : 0;
		eng_rmw_as(ls, rw->rw_class, &rw->rw_lock, fast);
	} while (!atomic_compare_exchange_weak_explicit(&rw->rw_lock, &v,
	    setv, memory_order_release, memory_order_relaxed));
	if ((v & ENG_RW_WAITERS) != 0)
		eng_rw_wakeup(ls, rw, v, setv);
}

/* eng_rw_wunlock() with any bookkeeping: timing, simulation, checks. */
static __attribute__((noinline)) void
eng_rw_wunlock_full(struct eng_lkstat *ls, struct eng_rw *rw)
{
	eng_releasing(ls, rw);
	eng_rw_wunlock_word(ls, rw, false);
}

void
eng_rw_wunlock(struct eng_lkstat *ls, struct eng_rw *rw)
{
	if (__builtin_expect(!eng_releasing_fast(ls, rw), 0)) {
		eng_rw_wunlock_full(ls, rw);
		return;
	}
	eng_rw_wunlock_word(ls, rw, true);
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
	eng_rmw(ls, t->tk_class, &t->tk);
	contended = !ck_spinlock_ticket_trylock(&t->tk);
	if (contended) {
		t0 = eng_t0(ls);
		eng_rmw(ls, t->tk_class, &t->tk);
		if (eng_sim_hook != NULL)	/* not FIFO in simulation */
			while (!ck_spinlock_ticket_trylock(&t->tk))
				eng_pauses(1);
		else
			ck_spinlock_ticket_lock(&t->tk);
	}
	eng_acquired(ls, t, t->tk_class, site, t0, contended, false);
}

void
eng_ticket_unlock(struct eng_lkstat *ls, struct eng_ticket *t)
{
	eng_releasing(ls, t);
	eng_sim_access(&t->tk, ENG_SIM_STORE);
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
	eng_rmw(ls, l->mcs_class, &l->mcs);
	contended = !ck_spinlock_mcs_trylock(&l->mcs, node);
	if (contended) {
		t0 = eng_t0(ls);
		eng_rmw(ls, l->mcs_class, &l->mcs);
		if (eng_sim_hook != NULL)	/* not FIFO in simulation */
			while (!ck_spinlock_mcs_trylock(&l->mcs, node))
				eng_pauses(1);
		else
			ck_spinlock_mcs_lock(&l->mcs, node);
	}
	eng_acquired(ls, l, l->mcs_class, site, t0, contended, false);
}

void
eng_mcs_unlock(struct eng_lkstat *ls, struct eng_mcs *l,
    ck_spinlock_mcs_context_t *node)
{
	eng_releasing(ls, l);
	eng_rmw(ls, l->mcs_class, &l->mcs);
	ck_spinlock_mcs_unlock(&l->mcs, node);
}

/* One-byte lock ------------------------------------------------------ */

static bool
eng_blk_try(struct eng_lkstat *ls, eng_blk_t *b, enum eng_lock_class lc)
{
	uint8_t v = 0;

	eng_rmw(ls, lc, b);
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
				eng_pauses(1);
			else
				eng_yield();
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
	eng_sim_access(b, ENG_SIM_STORE);
	atomic_store_explicit(b, 0, memory_order_release);
}
