/*
 * lock_stats.h - the lock layer's public vocabulary: lock classes, the
 * nanosecond histogram and the per-class counters.  The engine's public
 * face (engine.h) reports in these types and the lock primitives (lock.h)
 * count into them; this header depends on neither, so the lock layer is a
 * leaf of the engine.
 */
#ifndef ENG_LOCK_STATS_H
#define ENG_LOCK_STATS_H

#include <stdint.h>

/*
 * Lock classes (PRODUCT.md section 5).  Order of acquisition: lock.h.
 * LC_RESERV is struct vm_reserv's own mutex (FreeBSD 12+, r331369); the
 * domain free lock (vmd_free_mtx, FreeBSD 10's vm_page_queue_free_mtx) is
 * LC_FREEQUEUE and is taken inside it.  LC_BACKING is DragonFly's
 * per-object backing_lk (a lockmgr lock guarding the object's
 * backing_list of vm_map_backing), distinct from the object's token: the
 * lock --pv dfly's page-centric walks take instead of a pv-list lock.
 * LC_INVL is amd64's delayed-invalidation (DI) bookkeeping, global to the
 * machine: 12.0's invl_gen_mtx and the turnstile chain lock of invl_gen_ts
 * (--pv ...:di-locked), or the lock-free DI queue's atomics of 12.1+
 * (--pv ...:di); engine/amd64/pmap_invl.c.  Consumers iterate to LC_COUNT
 * rather than assume the number of classes.
 */
enum eng_lock_class {
	LC_PAGE = 0,		/* page lock, or refcount atomics */
	LC_OBJECT,
	LC_PAGEQUEUE,
	LC_FREEQUEUE,
	LC_PV,
	LC_PMAP,
	LC_PVCHUNK,
	LC_RESERV,		/* per-reservation mutex (vm_reserv.c, r331369) */
	LC_BACKING,		/* DragonFly object backing_lk (--pv dfly) */
	LC_INVL,		/* amd64 delayed invalidation (--pv ...:di*) */
	LC_COUNT
};
const char *eng_lock_class_name(unsigned lc);

/*
 * Lock instances: single locks the kernel names, counted on their own
 * beside their class (a domain's inactive, active, laundry and
 * unswappable page-queue locks, which lockstat lists one by one as
 * vm_dom+0x80 ...).  A lock joins at its initialisation (eng_mtx_name(),
 * lock.h); instances are numbered 0 .. eng_lock_inst_count()-1 in the
 * order they were first named, process-wide.
 */
#define ENG_INST_MAX	8
unsigned eng_lock_inst_count(void);
const char *eng_lock_inst_name(unsigned i);	/* "vm_dom[0].inactive" */
unsigned eng_lock_inst_class(unsigned i);	/* enum eng_lock_class */

/* Log-linear histogram of nanoseconds. */
#define ENG_HIST_BUCKETS	512
struct eng_hist {
	uint64_t	count;
	uint64_t	sum_ns;
	uint64_t	max_ns;
	uint64_t	bucket[ENG_HIST_BUCKETS];
};
uint64_t eng_hist_quantile(const struct eng_hist *h, double q);	/* ns */

struct eng_lock_stats {
	uint64_t	acquisitions;
	uint64_t	contended;	/* had to wait */
	uint64_t	cas_retries;	/* failed CAS in atomic designs */
	struct eng_hist	wait;		/* timing on: contended acquisitions */
	struct eng_hist	hold;		/* timing on: the timed holds (lock.h) */
	uint64_t	atomics;	/* atomic RMWs executed (locks incl.) */
	uint64_t	spins;		/* pauses spent spinning for a lock */
	uint64_t	blocks;		/* times parked (futex wait) */
};

/*
 * The hold time of every one of acquisitions, from the sum of the timed
 * holds: the sum itself when every hold was timed (hold_sample 0 or 1),
 * else the timed holds' mean times acquisitions (lock.h, "Hold").
 */
uint64_t eng_hold_total(uint64_t sum_ns, uint64_t timed,
    uint64_t acquisitions, uint32_t hold_sample);

#endif /* ENG_LOCK_STATS_H */
