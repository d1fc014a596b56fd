/*
 * lock.h - the model's lock primitives and their instrumentation.
 *
 * Primitives:
 *  - eng_mtx: the kernel's adaptive mutex (kern_mutex.c, MTX_DEF).  The
 *    word holds the owner (the CPU id of its struct eng_lkstat) and a
 *    CONTESTED bit.  A waiter spins while the owner is running, with the
 *    kernel's exponential backoff (lock_delay(): 2, 4, 8 ... pauses a step,
 *    up to roundup2(ncpus) * 256, at most 32678; ncpus: the host's online
 *    CPUs, as the kernel's mp_ncpus), and parks at once when the
 *    owner is not running (__mtx_lock_sleep: TD_IS_RUNNING(owner) false ->
 *    turnstile_wait).  In the model "not running" means "parked on a lock"
 *    (a per-CPU flag, set around the futex wait).  To park it sets
 *    CONTESTED and sleeps on a futex; an unlock that finds CONTESTED wakes
 *    every waiter (__mtx_unlock_sleep's turnstile_broadcast).
 *  - eng_rw: the kernel's reader/writer lock (kern_rwlock.c, 2017+), with
 *    writer preference.  Word: ENG_RW_WRITER plus the owner's CPU id when
 *    write-locked, else the reader count; ENG_RW_READ_WAITERS,
 *    ENG_RW_WRITE_WAITERS and ENG_RW_WRITE_SPINNER as RW_LOCK_*.
 *    * A new reader enters only when the lock is read-locked or free with
 *      no writer waiting or spinning (__rw_can_read), or when this CPU
 *      already holds a read lock on any rwlock (td_rw_rlocks, here
 *      eng_lkstat.rw_rlocks), so that a recursing reader does not wait
 *      behind a writer that waits for it.
 *    * A writer blocked by readers sets WRITE_SPINNER and spins (up to
 *      rowner_retries x rowner_loops pauses, and ENG_SPIN_LIMIT; a reader
 *      blocked by a waiting writer spins as long), then trades
 *      WRITE_SPINNER for WRITE_WAITERS and parks; a waiter on a
 *      write-locked lock spins while the owner runs and parks when it does
 *      not, as for the mutex.
 *    * Release (__rw_wunlock_hard, __rw_runlock_hard): with writers
 *      waiting, wake the writers and leave READ_WAITERS set; else wake the
 *      readers.  Readers and writers sleep on the one futex word in two
 *      wait queues (FUTEX_WAIT_BITSET), as on the turnstile's shared and
 *      exclusive queues.
 *    * try_rlock succeeds whenever the lock is not write-locked (it ignores
 *      waiting writers, as __rw_try_rlock); try_wlock only on a free lock
 *      with no waiter bits (__rw_try_wlock).
 *  - eng_ticket, eng_mcs: FIFO spin locks from Concurrency Kit, offered where
 *    a design calls for a spin lock.
 *  - eng_blk: a one-byte lock (D24217's per-page pv lock), spin-then-yield.
 *
 * Where the primitives differ from the kernel:
 *  - A host thread preempted by the host scheduler still looks "running":
 *    the model cannot see it.  So every spin phase of one acquisition ends
 *    after ENG_SPIN_LIMIT (1024) pauses and the waiter parks, the model's
 *    stand-in for "the owner was preempted".  The kernel has no such bound.
 *  - The kernel's turnstile chain lock makes "set the waiter bit, then
 *    sleep" atomic against the release; a futex compares the word instead.
 *    So a writer can set WRITE_WAITERS and then take the lock without
 *    sleeping; a release that wakes no writer therefore wakes the readers
 *    as well (never leaving a reader asleep behind a stale bit).
 *  - No priority propagation, no write recursion, no downgrade, no
 *    spin mutexes (MTX_SPIN): the model has no use for them.  Owner ids
 *    come from a table of ENG_RUN_SLOTS run-state slots that struct
 *    eng_lkstat instances take in turn at eng_lkstat_init() (type-stable,
 *    like struct thread): instances initialised a multiple of
 *    ENG_RUN_SLOTS apart share a slot, which blurs the running/parked
 *    hint of both, never exclusion.
 *  - The kernel reads the owner's td_state; the model's owner sets its own
 *    "parked" flag just before it decides to sleep, so a waiter may park a
 *    little early (while the owner cancels its sleep), never late.
 *
 * Instrumentation: every acquire and release goes through the wrappers
 * below, which count into the calling CPU's struct eng_lkstat, keyed by lock
 * class (enum eng_lock_class in lock_stats.h) and by call site (the function
 * that took the lock, as lockstat and perf lock key by caller):
 * acquisitions, contended acquisitions, CAS retries, atomics executed,
 * pauses spun and parks (lockstat's spin and block events), and
 * with timing on wait and hold times (TSC, calibrated once to ns, the
 * probe's own cost subtracted) into log-linear histograms.
 *  - Wait: only a contended acquisition has one, from the TSC read after
 *    its first failed attempt, through spinning and parking, until it owns
 *    the lock; every contended acquisition is timed.  An uncontended one
 *    waited 0 ns and is not put in the histogram (its count is
 *    acquisitions - contended), as lock_profile_obtain_lock_success()
 *    takes a waittime only from the contested paths (subr_lock.c).
 *  - Hold: one acquisition in hold_every of each CPU reads the TSC when it
 *    owns the lock and again at its release.  hold_every 1 (the default)
 *    times every hold; more samples them as FreeBSD's LOCK_PROFILING does
 *    with debug.lock.prof.skipcount ("sample approximately every N lock
 *    acquisitions", subr_lock.c), each CPU counting its own acquisitions
 *    down.  The histogram then holds the sampled holds, and a total is
 *    estimated as the sampled mean times the acquisitions.  Sampling takes
 *    timing's TSC reads (two per timed hold) off the other acquisitions,
 *    which then go the fast path below.
 *
 * Simulation (lock_sim.h): with a hook installed on the calling thread,
 * every counted atomic and releasing store is a scheduling point of the
 * simulator, spinning and parking happen in virtual time and wait/hold
 * times are virtual ns; the code paths are otherwise the same.
 *
 * Call sites: a function that takes locks starts with ENG_SITE_DEFINE; the
 * wrappers are then called with ENG_HERE.
 *
 * Lock order (checked at every blocking acquisition in builds with the
 * debugging checks, ENG_DEBUG; trylocks are exempt, several locks of one
 * class may be held):
 *	object -> page -> backing -> pmap -> pv -> pvchunk -> pagequeue
 *	    -> reserv -> freequeue -> invl
 * (backing: --pv dfly's object backing_lk, held across the pmap locks of
 * a backing walk; under that design the pmap lock is counted as pv.  A
 * rwlock may rank as another class than its own, eng_rw_order(): FreeBSD
 * 10's pvh_global_lock, counted as pv, ranks as backing, before the pmap
 * lock.)
 * invl (amd64 delayed invalidation, --pv ...:di-locked) is a leaf: 12.0's
 * invl_gen_mtx, inside it the turnstile chain lock, nothing else (the
 * kernel opens a DI block before the pmap lock, or with pmap and pv locks
 * held in reclaim_pv_chunk(); engine/amd64/pmap_invl.c).
 * The free-queue lock is a leaf lock; a reservation's lock is held only
 * around that reservation's population and may take the free-queue lock
 * inside (vm_reserv_depopulate() returning an emptied reservation,
 * vm_reserv_reclaim() breaking one; vm_reserv.c of FreeBSD 12+).
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

#include "lock_sim.h"
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
	uint64_t	hold_ns;	/* of the timed holds */
	uint64_t	holds_timed;
};

/* One lock held by this CPU (for hold times and lock-order checks). */
struct eng_held {
	const void	*lock;
	uint64_t	 t1;		/* eng_clock() when acquired (timed) */
	uint16_t	 site;
	uint8_t		 lc;
	uint8_t		 order;		/* class of its lock-order rank */
	uint8_t		 shared;
	uint8_t		 inst;		/* lock instance + 1 (0: none) */
	bool		 timed;		/* its hold is timed: t1 is set */
};

#define ENG_HELD_MAX	1024

/*
 * Per-CPU lock statistics and lock-owner identity.  Written only by the
 * owning thread; read by eng_lkstat_merge() after the workers stopped.
 */
struct eng_lkstat {
	bool		timing;			/* take TSC stamps */
	uint32_t	cpu_id;			/* owner id in lock words, >= 1 */
	uint32_t	hold_every;		/* time one hold in hold_every */
	uint64_t	untimed;		/* acquisitions before the next
						   timed hold (UINT64_MAX with
						   timing off) */
	unsigned	rw_rlocks;		/* read locks held (td_rw_rlocks) */
	unsigned	nheld;
	unsigned	held_class[LC_COUNT];	/* locks held, by class (only
						   with ENG_DEBUG) */
	struct eng_lock_stats cls[LC_COUNT];
	struct eng_lock_stats inst[ENG_INST_MAX]; /* named locks (acquisitions,
						   contended, wait, hold) */
	struct eng_site_stats site[ENG_SITE_MAX][LC_COUNT];
	struct eng_held	held[ENG_HELD_MAX];
};

/*
 * Adaptive mutex.  mtx_lock: 0 free, else the owner's cpu_id, with
 * ENG_MTX_CONTESTED once a waiter parked (or is about to).
 */
struct eng_mtx {
	_Atomic uint32_t mtx_lock;	/* (A) */
	uint8_t		mtx_class;	/* (C) enum eng_lock_class */
	uint8_t		mtx_inst;	/* (C) lock instance + 1 */
};

#define ENG_MTX_CONTESTED	0x80000000u
#define ENG_MTX_OWNER		0x7fffffffu

/* A mutex alone on its cache line (mtx_padalign). */
struct eng_mtx_padalign {
	_Alignas(ENG_CACHE_LINE) struct eng_mtx m;
};

/*
 * Reader/writer lock.  rw_lock: ENG_RW_WRITER and the owner's cpu_id in
 * ENG_RW_COUNT when write-locked, else the number of readers in
 * ENG_RW_COUNT (0: free); the three flag bits as the kernel's RW_LOCK_*.
 */
struct eng_rw {
	_Atomic uint32_t rw_lock;	/* (A) */
	uint8_t		rw_class;	/* (C) */
	uint8_t		rw_order;	/* (C) class of its rank in the lock
					   order: rw_class unless
					   eng_rw_order() */
};

#define ENG_RW_WRITER		0x80000000u	/* write-locked */
#define ENG_RW_READ_WAITERS	0x40000000u	/* readers parked */
#define ENG_RW_WRITE_WAITERS	0x20000000u	/* writers parked */
#define ENG_RW_WRITE_SPINNER	0x10000000u	/* a writer spins on readers */
#define ENG_RW_WAITERS		(ENG_RW_READ_WAITERS | ENG_RW_WRITE_WAITERS)
#define ENG_RW_COUNT		0x0fffffffu	/* readers, or the owner */

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
/* timing off: hold_every is ignored; on: >= 1 (lock.h, "Hold"). */
void	eng_lkstat_init(struct eng_lkstat *ls, bool timing,
	    uint32_t hold_every);
void	eng_lkstat_reset(struct eng_lkstat *ls);
/* Add ls's class counters into out (out->lock[]) and its sites into sites. */
void	eng_lkstat_merge(const struct eng_lkstat *ls,
	    struct eng_lock_stats out[LC_COUNT],
	    struct eng_site_stats sites[ENG_SITE_MAX][LC_COUNT]);
/* Add ls's lock-instance counters into out (eng_lock_inst_count()). */
void	eng_lkstat_merge_inst(const struct eng_lkstat *ls,
	    struct eng_lock_stats out[ENG_INST_MAX]);
/* Does this CPU hold lock (any primitive)? (mtx_owned(): by curthread) */
bool	eng_lock_held(const struct eng_lkstat *ls, const void *lock);
/* Name of registered site i, or NULL; number registered. */
const char *eng_site_name(unsigned i);
unsigned eng_site_count(void);

/* TSC: calibrated once (thread-safe); ticks to ns; probe cost in ticks. */
void	eng_tsc_calibrate(void);
/* Give the CPU away once: sched_yield(), or the simulator's yield. */
void	eng_yield(void);
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
/*
 * Count m also as the lock instance name (lock_stats.h), as the kernel's
 * mtx_init() names a lock; the same name is the same instance in every
 * engine of the process.  Set-up, before m is used.
 */
void	eng_mtx_name(struct eng_mtx *m, const char *name);

/* Reader/writer lock. */
void	eng_rw_init(struct eng_rw *rw, enum eng_lock_class lc);
/*
 * Rank rw in the lock order as a lock of class order while it is counted
 * in its own class: FreeBSD 10's pvh_global_lock, class pv, is taken
 * before the pmap lock (engine/amd64/pv_lock.c).  Set-up, before rw is
 * used.
 */
void	eng_rw_order(struct eng_rw *rw, enum eng_lock_class order);
void	eng_rw_rlock(struct eng_lkstat *ls, struct eng_rw *rw,
	    struct eng_site *site);
void	eng_rw_wlock(struct eng_lkstat *ls, struct eng_rw *rw,
	    struct eng_site *site);
bool	eng_rw_try_rlock(struct eng_lkstat *ls, struct eng_rw *rw,
	    struct eng_site *site);
bool	eng_rw_try_wlock(struct eng_lkstat *ls, struct eng_rw *rw,
	    struct eng_site *site);
/* Read lock held by the caller -> write lock, if it is the only reader. */
bool	eng_rw_try_upgrade(struct eng_lkstat *ls, struct eng_rw *rw);
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

/* Register site in the site table (eng_site_index()'s first use). */
unsigned eng_site_register(struct eng_site *site);

/*
 * Slot of a site in the site table, registering it at its first use; after
 * that one load of the slot the site caches.  Any thread, no lock: the
 * slot is written once, under the registry's mutex, and published with
 * release order.
 */
static inline unsigned
eng_site_index(struct eng_site *site)
{
	int i;

	i = atomic_load_explicit(&site->idx, memory_order_acquire);
	if (__builtin_expect(i > 0, 1))
		return ((unsigned)i - 1);
	return (eng_site_register(site));
}

/*
 * Counted atomics for lock-free designs (refcount, astate, busy; the
 * lock-free delayed-invalidation queue, engine/amd64/pmap_invl.c, whose
 * 16-byte cmpxchg16b the model packs into 64 bits): each is one locked
 * read-modify-write, counted as an atomic of class lc (and a scheduling
 * point when simulating, lock_sim.h).  A failed compare-and-set is also
 * counted as a CAS retry of class lc at site.
 */
#define ENG_ATOMIC_FCMPSET(bits)					\
static inline bool							\
eng_atomic_fcmpset_##bits(struct eng_lkstat *ls, enum eng_lock_class lc,\
    struct eng_site *site, _Atomic uint##bits##_t *p, uint##bits##_t *old,\
    uint##bits##_t new)							\
{									\
	bool ok;							\
									\
	ls->cls[lc].atomics++;						\
	eng_sim_access(p, ENG_SIM_RMW);					\
	ok = atomic_compare_exchange_strong_explicit(p, old, new,	\
	    memory_order_acq_rel, memory_order_acquire);		\
	if (!ok) {							\
		ls->cls[lc].cas_retries++;				\
		ls->site[eng_site_index(site)][lc].cas_retries++;	\
	}								\
	return (ok);							\
}

/* eng_atomic_fetch{add,or,and}_{32,64}: atomic_fetch_<op>, counted. */
#define ENG_ATOMIC_FETCHOP(op, bits)					\
static inline uint##bits##_t						\
eng_atomic_fetch##op##_##bits(struct eng_lkstat *ls,			\
    enum eng_lock_class lc, _Atomic uint##bits##_t *p,			\
    uint##bits##_t v)							\
{									\
	ls->cls[lc].atomics++;						\
	eng_sim_access(p, ENG_SIM_RMW);					\
	return (atomic_fetch_##op##_explicit(p, v, memory_order_acq_rel));\
}

ENG_ATOMIC_FCMPSET(32)
ENG_ATOMIC_FCMPSET(64)
ENG_ATOMIC_FETCHOP(add, 32)
ENG_ATOMIC_FETCHOP(or, 32)
ENG_ATOMIC_FETCHOP(or, 64)
ENG_ATOMIC_FETCHOP(and, 32)
ENG_ATOMIC_FETCHOP(and, 64)

/*
 * An 8-bit fetch-or (vm_page_bits_set(): the kernel's atomic_set_32 of
 * the aligned word holding the bits), counted as eng_atomic_fetchor_32().
 */
static inline uint8_t
eng_atomic_fetchor_8(struct eng_lkstat *ls, enum eng_lock_class lc,
    _Atomic uint8_t *p, uint8_t v)
{
	eng_sim_access(p, ENG_SIM_RMW);
	ls->cls[lc].atomics++;
	return (atomic_fetch_or_explicit(p, v, memory_order_acq_rel));
}

#endif /* ENG_LOCK_H */
