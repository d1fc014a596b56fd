/*
 * lock.h - the model's lock primitives and their instrumentation.
 *
 * Primitives:
 *  - eng_mtx: the kernel's adaptive mutex, modelled as spin-then-park: spin
 *    (test-and-test-and-set with pause) while the owner is likely running,
 *    then sleep on a futex, so that more threads than CPUs measure the lock
 *    and not the scheduler.  Three-state word (free, locked, locked with
 *    sleepers) so an uncontended unlock is one atomic exchange.
 *  - eng_rw: reader/writer lock (object lock, pv-list lock), spin-then-park.
 *  - eng_ticket, eng_mcs: FIFO spin locks from Concurrency Kit, offered where
 *    a design calls for a spin lock.
 *  - eng_blk: a one-byte lock (D24217's per-page pv lock), spin-then-yield.
 *
 * Instrumentation: every acquire and release goes through the wrappers
 * below, which count into the calling CPU's struct eng_lkstat, keyed by lock
 * class (enum eng_lock_class in lock_stats.h) and by call site (the function
 * that took the lock, as lockstat and perf lock key by caller):
 * acquisitions, contended acquisitions, CAS retries, atomics executed, and
 * with timing on wait and hold times (TSC, calibrated once to ns, the
 * probe's own cost subtracted) into log-linear histograms.  An acquisition
 * whose first attempt succeeds reads the TSC once (the start of its hold)
 * and records a wait of 0 ns; a contended one waits from the TSC read after
 * its first failed attempt.  So timing costs two TSC reads per uncontended
 * acquire/release pair, three per contended one.
 *
 * Call sites: a function that takes locks starts with ENG_SITE_DEFINE; the
 * wrappers are then called with ENG_HERE.
 *
 * Lock order (checked at every blocking acquisition in builds without
 * NDEBUG; trylocks are exempt, several locks of one class may be held):
 *	object -> page -> pmap -> pv -> pvchunk -> pagequeue -> freequeue
 * The page-queue and free-queue locks are leaf locks.
 *
 * Thread safety: a struct eng_lkstat belongs to one thread (one model CPU);
 * the lock objects are shared.
 */
#ifndef ENG_LOCK_H
#define ENG_LOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <ck_spinlock.h>

#include "lock_stats.h"

#define ENG_CACHE_LINE	64

/*
 * A call site: one static instance per function that takes locks.  idx is
 * 0 until the site is first used, then its slot in the site table plus one.
 */
struct eng_site {
	const char	*name;		/* (C) function name */
	_Atomic int	 idx;		/* (A) registry slot + 1 */
};

#define ENG_SITE_MAX	256
#define ENG_SITE_DEFINE							\
	static struct eng_site eng_site_ = { __func__, 0 }
#define ENG_HERE	(&eng_site_)

/* Per-site counters of one lock class (per CPU, merged by collect). */
struct eng_site_stats {
	uint64_t	acquisitions;
	uint64_t	contended;
	uint64_t	cas_retries;
	uint64_t	wait_ns;
	uint64_t	hold_ns;
};

/* One lock held by this CPU (for hold times and lock-order checks). */
struct eng_held {
	const void	*lock;
	uint64_t	 t1;		/* TSC when acquired (timing on) */
	uint16_t	 site;
	uint8_t		 lc;
	uint8_t		 shared;
};

#define ENG_HELD_MAX	1024

/*
 * Per-CPU lock statistics.  Written only by the owning thread; read by
 * eng_lkstat_merge() after the workers stopped.
 */
struct eng_lkstat {
	bool		timing;			/* take TSC stamps */
	unsigned	nheld;
	unsigned	held_class[LC_COUNT];	/* locks held, by class */
	struct eng_lock_stats cls[LC_COUNT];
	struct eng_site_stats site[ENG_SITE_MAX][LC_COUNT];
	struct eng_held	held[ENG_HELD_MAX];
};

/* Adaptive mutex.  mtx_lock: 0 free, 1 owned, 2 owned with sleepers. */
struct eng_mtx {
	_Atomic uint32_t mtx_lock;	/* (A) */
	uint8_t		mtx_class;	/* (C) enum eng_lock_class */
};

/* A mutex alone on its cache line (mtx_padalign). */
struct eng_mtx_padalign {
	_Alignas(ENG_CACHE_LINE) struct eng_mtx m;
};

/* Reader/writer lock: bit 31 writer, bit 30 sleepers, bits 0-29 readers. */
struct eng_rw {
	_Atomic uint32_t rw_lock;	/* (A) */
	uint8_t		rw_class;	/* (C) */
};

#define ENG_RW_WRITER	0x80000000u
#define ENG_RW_WAITERS	0x40000000u
#define ENG_RW_READERS	0x3fffffffu

struct eng_ticket {
	ck_spinlock_ticket_t tk;
	uint8_t		tk_class;
};

struct eng_mcs {
	ck_spinlock_mcs_t mcs;
	uint8_t		mcs_class;
};

/* One-byte lock: 0 free, 1 owned.  The class is given at each call. */
typedef _Atomic uint8_t eng_blk_t;

/* Set-up (single-threaded, or before the CPU's thread starts). */
void	eng_lkstat_init(struct eng_lkstat *ls, bool timing);
void	eng_lkstat_reset(struct eng_lkstat *ls);
/* Add ls's class counters into out (out->lock[]) and its sites into sites. */
void	eng_lkstat_merge(const struct eng_lkstat *ls,
	    struct eng_lock_stats out[LC_COUNT],
	    struct eng_site_stats sites[ENG_SITE_MAX][LC_COUNT]);
/* Does this CPU hold lock (any primitive)? (mtx_owned(): by curthread) */
bool	eng_lock_held(const struct eng_lkstat *ls, const void *lock);
/* Name of registered site i, or NULL; number registered. */
const char *eng_site_name(unsigned i);
unsigned eng_site_count(void);

/* TSC: calibrated once (thread-safe); ticks to ns; probe cost in ticks. */
void	eng_tsc_calibrate(void);
uint64_t eng_tsc_ns(uint64_t ticks);
uint64_t eng_tsc_probe_ticks(void);
double	eng_tsc_ghz(void);

static inline uint64_t
eng_rdtsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (((uint64_t)hi << 32) | lo);
#else
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
#endif
}

/* Histograms (lock_stats.h's struct eng_hist). */
void	eng_hist_add(struct eng_hist *h, uint64_t ns);
void	eng_hist_merge(struct eng_hist *dst, const struct eng_hist *src);

/* Mutex. */
void	eng_mtx_init(struct eng_mtx *m, enum eng_lock_class lc);
void	eng_mtx_lock(struct eng_lkstat *ls, struct eng_mtx *m,
	    struct eng_site *site);
bool	eng_mtx_trylock(struct eng_lkstat *ls, struct eng_mtx *m,
	    struct eng_site *site);
void	eng_mtx_unlock(struct eng_lkstat *ls, struct eng_mtx *m);
bool	eng_mtx_owned(const struct eng_mtx *m);	/* by anyone */

/* Reader/writer lock. */
void	eng_rw_init(struct eng_rw *rw, enum eng_lock_class lc);
void	eng_rw_rlock(struct eng_lkstat *ls, struct eng_rw *rw,
	    struct eng_site *site);
void	eng_rw_wlock(struct eng_lkstat *ls, struct eng_rw *rw,
	    struct eng_site *site);
bool	eng_rw_try_rlock(struct eng_lkstat *ls, struct eng_rw *rw,
	    struct eng_site *site);
bool	eng_rw_try_wlock(struct eng_lkstat *ls, struct eng_rw *rw,
	    struct eng_site *site);
void	eng_rw_runlock(struct eng_lkstat *ls, struct eng_rw *rw);
void	eng_rw_wunlock(struct eng_lkstat *ls, struct eng_rw *rw);
bool	eng_rw_wowned(const struct eng_rw *rw);	/* write-locked by anyone */
bool	eng_rw_locked(const struct eng_rw *rw);	/* any mode */

/* Concurrency Kit FIFO spin locks. */
void	eng_ticket_init(struct eng_ticket *t, enum eng_lock_class lc);
void	eng_ticket_lock(struct eng_lkstat *ls, struct eng_ticket *t,
	    struct eng_site *site);
void	eng_ticket_unlock(struct eng_lkstat *ls, struct eng_ticket *t);
void	eng_mcs_init(struct eng_mcs *l, enum eng_lock_class lc);
/* node: the caller's queue node, live until the matching unlock. */
void	eng_mcs_lock(struct eng_lkstat *ls, struct eng_mcs *l,
	    ck_spinlock_mcs_context_t *node, struct eng_site *site);
void	eng_mcs_unlock(struct eng_lkstat *ls, struct eng_mcs *l,
	    ck_spinlock_mcs_context_t *node);

/* One-byte lock. */
void	eng_blk_lock(struct eng_lkstat *ls, eng_blk_t *b,
	    enum eng_lock_class lc, struct eng_site *site);
bool	eng_blk_trylock(struct eng_lkstat *ls, eng_blk_t *b,
	    enum eng_lock_class lc, struct eng_site *site);
void	eng_blk_unlock(struct eng_lkstat *ls, eng_blk_t *b);

/* Slot of a site in the site table, registering it at its first use. */
unsigned eng_site_index(struct eng_site *site);

/*
 * Counted atomics for lock-free designs (refcount, astate, busy): each is
 * one locked read-modify-write, counted as an atomic of class lc.  A failed
 * compare-and-set is also counted as a CAS retry of class lc at site.
 */
static inline void
eng_atomic_count(struct eng_lkstat *ls, enum eng_lock_class lc)
{
	ls->cls[lc].atomics++;
}

static inline bool
eng_atomic_fcmpset_32(struct eng_lkstat *ls, enum eng_lock_class lc,
    struct eng_site *site, _Atomic uint32_t *p, uint32_t *old, uint32_t new)
{
	bool ok;

	ls->cls[lc].atomics++;
	ok = atomic_compare_exchange_strong_explicit(p, old, new,
	    memory_order_acq_rel, memory_order_acquire);
	if (!ok) {
		ls->cls[lc].cas_retries++;
		ls->site[eng_site_index(site)][lc].cas_retries++;
	}
	return (ok);
}

static inline uint32_t
eng_atomic_fetchadd_32(struct eng_lkstat *ls, enum eng_lock_class lc,
    _Atomic uint32_t *p, uint32_t v)
{
	ls->cls[lc].atomics++;
	return (atomic_fetch_add_explicit(p, v, memory_order_acq_rel));
}

static inline uint32_t
eng_atomic_fetchor_32(struct eng_lkstat *ls, enum eng_lock_class lc,
    _Atomic uint32_t *p, uint32_t v)
{
	ls->cls[lc].atomics++;
	return (atomic_fetch_or_explicit(p, v, memory_order_acq_rel));
}

static inline uint32_t
eng_atomic_fetchand_32(struct eng_lkstat *ls, enum eng_lock_class lc,
    _Atomic uint32_t *p, uint32_t v)
{
	ls->cls[lc].atomics++;
	return (atomic_fetch_and_explicit(p, v, memory_order_acq_rel));
}

#endif /* ENG_LOCK_H */
