/*
 * vm.h - the engine's internal structures: the machine (struct vm_engine),
 * objects, the domain's page queues and free memory, and the model CPU
 * (struct eng_cpu).  Used by the engine's .c files and by the pmap (engine/amd64).
 *
 * Locks (see vm_page.h for the letters):
 *	(C) constant after eng_create()
 *	(F) vmd_free_mtx
 *	(R) the reservation's lock (struct vm_reserv)
 *	(O) the object's lock
 *	(Q) the page queue's pq_mutex
 *	(T) owned by the CPU's thread (per-CPU state)
 *	(H) the lock of the structure holding the hash table (see there)
 * A lock itself carries no letter: it is what the letters name.
 */
#ifndef ENG_VM_H
#define ENG_VM_H

#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "eng_assert.h"
#include "engine.h"
#include "lock.h"
#include "vm_page.h"

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1u << PAGE_SHIFT)
#define PDRSHIFT	21			/* 2 MiB superpage */
#define NPDEPG		512			/* 4 KiB pages per 2 MiB */
#define PA_LOCK_COUNT	256			/* amd64 with SMP */
#define VM_BATCHQUEUE_SIZE	63		/* amd64 after D37305 */
#define VM_BATCHQUEUE_MAX	256
#define ENG_DFLY_EXCL_BITS	16		/* dfly_excl_heur: 64 KiB */
#define ENG_DFLY_EXCL_SLOTS	(1u << ENG_DFLY_EXCL_BITS)

TAILQ_HEAD(pglist, vm_page);

/*
 * Page queue.  Counted and linked under pq_mutex; vm_pagequeue is
 * cache-line aligned as in the kernel.
 */
struct vm_pagequeue {
	_Alignas(ENG_CACHE_LINE) struct eng_mtx pq_mutex;
	struct pglist	pq_pl;		/* (Q) */
	_Atomic uint64_t pq_cnt;	/* (Q) pages physically enqueued;
					   (a) read without the lock */
	uint8_t		pq_index;	/* (C) PQ_* */
	const char	*pq_name;	/* (C) */
};

/* Per-CPU batch of deferred queue operations for one page queue. */
struct vm_batchqueue {
	struct vm_page	**bq_pa;	/* (T) design.batch entries */
	int		bq_cnt;		/* (T) */
};

/*
 * A 2 MiB physical frame.  Either free (on vmd_free_frames), a superpage
 * reservation of (rv_object, rv_gen, rv_pindex) whose page i is reserved for
 * pindex rv_pindex * 512 + i, or broken: its free pages are on vmd_free_pages
 * for any use.  rv_popcnt counts the frame's allocated pages (including pages
 * sitting in per-CPU caches).
 *
 * (R) is the reservation's lock, by free design: rv_lock under --free
 * pgcache (FreeBSD 12+, struct vm_reserv's own mutex since r331369);
 * vmd_free_mtx under --free global (FreeBSD 10, whose vm_reserv.c runs under
 * vm_page_queue_free_mtx; rv_lock is then never taken).  Under pgcache a
 * reserved frame's fields change under rv_lock alone, a broken frame's
 * under the free lock alone, and a frame changes kind (carved, emptied,
 * broken) with the lock of each side held in turn, rv_lock first.
 * rv_state and rv_popcnt are atomic so that the reclaim scan and a lookup
 * through a stale object entry may read them racily; each rechecks under
 * rv_lock.
 */
#define RV_FREE		0
#define RV_RESERVED	1
#define RV_BROKEN	2

struct vm_reserv {
	struct eng_mtx	rv_lock;	/* reservation lock (--free pgcache) */
	TAILQ_ENTRY(vm_reserv) rv_link;	/* (F) free-frame list */
	struct vm_object *rv_object;	/* (R) owner when RV_RESERVED */
	uint64_t	rv_gen;		/* (R) owner's generation */
	vm_pindex_t	rv_pindex;	/* (R) owner pindex >> 9 */
	_Atomic uint32_t rv_popcnt;	/* (R); broken: (F) */
	_Atomic uint8_t	rv_state;	/* (R) RV_*; free/broken: (F) */
};

TAILQ_HEAD(rvlist, vm_reserv);

struct vm_dfly_free;

/*
 * --page dfly: one entry of DragonFly 5.6's vm_page_hash[] (vm_page_hash.c),
 * a lockless, heuristic cache of pages by (object, pindex).  Both fields
 * are read and written with relaxed atomics and no lock (a): entries may
 * be stale or torn, since SMP races are allowed; an entry names only a
 * page, which a reader trusts after soft-busying it and finding its own
 * identity to match.
 */
struct vm_page_hash_elm {
	_Atomic(struct vm_page *) m;		/* (a) */
	_Atomic int	ticks;			/* (a) last use, hz ticks */
};

/* The domain's free memory (one domain in the model). */
struct vm_domain {
	struct vm_pagequeue vmd_pagequeues[PQ_COUNT]; /* (C) each (Q) */
	struct vm_page	vmd_inacthead;	/* (Q) inactive head marker */
	struct vm_page	vmd_clock;	/* (Q) active scan's clock hand */
	_Alignas(ENG_CACHE_LINE) struct eng_mtx vmd_free_mtx;
	struct rvlist	vmd_free_frames; /* (F) whole free frames */
	struct pglist	vmd_free_pages;	/* (F) free pages of broken frames */
	_Atomic uint32_t vmd_free_count; /* (F) --free global; (a) pgcache,
					   colored:
					   free pages of any kind, reserved
					   by vm_domain_allocate() (u_int,
					   as the kernel's) */
	uint32_t	vmd_free_reserved; /* (C) vm_pageout_init_domain() */
	uint64_t	vmd_nfree_frames; /* (F) */
	/*
	 * --queue colored (DragonFly): vmd_ncolors (PQ_L2_SIZE) sub-queues
	 * per queue, queue q's sub-queue i at vmd_subq[q * vmd_ncolors + i],
	 * each with its own lock; vmd_pagequeues[] then hold only the
	 * markers.  NULL and 1 in the other designs.
	 */
	struct vm_pagequeue *vmd_subq;	/* (C) each (Q) */
	unsigned	vmd_ncolors;	/* (C) */
	struct vm_dfly_free *vmd_dfly_free; /* (C) --free colored: the
					   PQ_FREE sub-queues (vm_phys_dfly.c) */
};

/*
 * Something freed once no SMR section can still read it (vm_smr_retire()):
 * the first member of its allocation.
 */
struct vm_smr_entry {
	struct vm_smr_entry *next;	/* (T) the retiring CPU's list */
	uint64_t	goal;		/* (T) write sequence that frees it */
};

/*
 * Hash table from pindex (page lookup) or reservation index to pointer,
 * open addressing with linear probing; changed only under the owner's
 * lock (H).  An object's page index is also read without it, under
 * --page refcount (e->smr_lookups), as FreeBSD 13+ reads the radix trie in
 * vm_radix_lookup_unlocked() under SMR, and by the model's own uncounted
 * naming of a page the kernel's caller holds (vm_page_named_unlocked(),
 * every page design): the table (struct vm_phash_tab, vm_object.c) is one
 * allocation published through ph_tab, its slots are atomics, and a table
 * replaced or emptied is freed only after every SMR section that could
 * still read it has ended (vm_smr_retire()).
 */
struct vm_phash_tab;
struct vm_phash {
	_Atomic(struct vm_phash_tab *) ph_tab; /* (H); readers (a) */
	uint64_t	ph_cap;		/* (H) ph_tab's slots (pt_cap, kept
					   here beside ph_cnt for the owner's
					   lookups): power of two, or 0 */
	uint64_t	ph_cnt;		/* (H) */
};

/*
 * Object.  An object slot is reused after termination: ob_gen tells
 * incarnations apart (reservations name their owner by it).
 */
struct vm_object {
	struct eng_rw	lock;		/* the object lock */
	_Atomic bool	alive;		/* (a) created, not terminated */
	_Atomic bool	mightbedirty;	/* (O) 10/12's OBJ_MIGHTBEDIRTY
					   (vm_object_set_writeable_dirty()):
					   a vnode's object a write fault
					   may have dirtied; set under the
					   write lock, cleared by termination
					   (the model has no
					   vm_object_page_clean()); read
					   without the lock by vm_fault()'s
					   first test, then under the read
					   lock.  Unused 13+ */
	uint64_t	gen;		/* (O) incarnation, +1 per termination */
	uint64_t	resident_page_count; /* (O) */
	struct vm_phash	pages;		/* (O) pindex -> vm_page (H = O) */
	struct vm_phash	rvs;		/* (O) pindex >> 9 -> vm_reserv */
	_Atomic uint32_t pip;		/* (o) 10/12, (a) 13+:
					   paging_in_progress, held by a
					   fault's slow path across its
					   unlocked pmap_enter; termination
					   waits for it (vm_object_pip_wait) */
	_Atomic uint32_t ref_count;	/* (o) 10/12, (a) 13+: the
					   references events in flight hold
					   (a fault's slow path, a sendfile
					   syscall); the mappings' are not
					   kept (vm_object_deallocate()) */
	_Atomic uint32_t busy;		/* (a) 13+'s busy count
					   (vm_object_busy(): a blockcount
					   that the fault's soft path raises
					   and drops); its waiters are not
					   modelled */
	_Atomic uint32_t hold_count;	/* (a) --page dfly: DragonFly 5.6's
					   object->hold_count, one per
					   vm_object_hold() in force
					   (vm_object_hold(), vm_object.c);
					   0 under the other designs */
	_Atomic uint32_t generation;	/* (O) 10/12, (a) 13+ and dfly: the
					   kernel's object->generation (not
					   `gen`).  FreeBSD: a vnode's object's
					   count of write faults
					   (vm_object_set_writeable_dirty():
					   generation++ under the write lock;
					   13+ atomic_add_int() with none, its
					   dirtiness being generation !=
					   cleangeneration).  DragonFly 5.6:
					   raised by every vm_page_insert() and
					   vm_page_remove() (atomic_add_int);
					   no reader is modelled */
	_Atomic uint64_t ev_wirings;	/* (A) the model's own: its pages'
					   ev_wirings summed (vm_page.h), so
					   that a NOCACHE release knows it
					   can drop none (eng_ev_dontneed()) */
	uint64_t	slot;		/* (C) */
	bool		anon;		/* (C) set before the first event
					   (eng_object_anon()); the daemon
					   runs by then but meets an object
					   only through its pages, which come
					   later: anonymous memory
					   (OBJT_DEFAULT), else a vnode's */
};

#define VM_OBJECT_WLOCK(c, o)	eng_rw_wlock(&(c)->lk, &(o)->lock, ENG_HERE)
#define VM_OBJECT_RLOCK(c, o)	eng_rw_rlock(&(c)->lk, &(o)->lock, ENG_HERE)
#define VM_OBJECT_TRYWLOCK(c, o) eng_rw_try_wlock(&(c)->lk, &(o)->lock, \
				    ENG_HERE)
#define VM_OBJECT_TRYUPGRADE(c, o) eng_rw_try_upgrade(&(c)->lk, &(o)->lock)
#define VM_OBJECT_WUNLOCK(c, o)	eng_rw_wunlock(&(c)->lk, &(o)->lock)
#define VM_OBJECT_RUNLOCK(c, o)	eng_rw_runlock(&(c)->lk, &(o)->lock)

/*
 * Lock assertions, each on "held by this CPU" (eng_lock_held()), as the
 * kernel's are on curthread: the object's lock (write-locked: held here
 * and a writer present; unlocked: not held here), the page lock, a page
 * queue's lock, the domain's free lock, and the exclusive busy lock (owned
 * by this CPU).
 */
#define VM_OBJECT_ASSERT_WLOCKED(c, o)					\
	ENG_KASSERT(eng_rw_wowned(&(o)->lock) &&			\
	    eng_lock_held(&(c)->lk, &(o)->lock),			\
	    "object %" PRIu64 " not write-locked by CPU %u", (o)->slot,	\
	    (c)->slot)
#define VM_OBJECT_ASSERT_LOCKED(c, o)					\
	ENG_KASSERT(eng_lock_held(&(c)->lk, &(o)->lock),		\
	    "object %" PRIu64 " not locked by CPU %u", (o)->slot,	\
	    (c)->slot)
#define VM_OBJECT_ASSERT_UNLOCKED(c, o)					\
	ENG_KASSERT(!eng_lock_held(&(c)->lk, &(o)->lock),		\
	    "object %" PRIu64 " locked by CPU %u", (o)->slot, (c)->slot)
#define vm_page_assert_locked(c, m)					\
	ENG_KASSERT(eng_lock_held(&(c)->lk, vm_page_lockptr((c), (m))),	\
	    "page %p (pa %#" PRIx64 ") not locked by CPU %u",		\
	    (void *)(m), (m)->phys_addr, (c)->slot)
#define vm_pagequeue_assert_locked(c, pq)				\
	ENG_KASSERT(eng_lock_held(&(c)->lk, &(pq)->pq_mutex),		\
	    "%s queue not locked by CPU %u", (pq)->pq_name, (c)->slot)
#define vm_domain_free_assert_locked(c)					\
	ENG_KASSERT(eng_lock_held(&(c)->lk, &(c)->e->vmd.vmd_free_mtx),	\
	    "free lock not held by CPU %u", (c)->slot)
#define vm_page_assert_xbusied(c, m)					\
	ENG_KASSERT(atomic_load_explicit(&(m)->busy_lock,		\
	    memory_order_relaxed) == VPB_CPU_EXCLUSIVE(c),		\
	    "page %p (pa %#" PRIx64 ") not exclusive busied by CPU %u",	\
	    (void *)(m), (m)->phys_addr, (c)->slot)
#define vm_page_assert_unbusied(m)					\
	ENG_KASSERT(atomic_load_explicit(&(m)->busy_lock,		\
	    memory_order_relaxed) == VPB_UNBUSIED,			\
	    "page %p (pa %#" PRIx64 ") busied", (void *)(m), (m)->phys_addr)


/* Per-CPU (per worker thread) counters beside the lock statistics. */
struct eng_cpu_stats {
	uint64_t	events;
	uint64_t	skipped;
	uint64_t	by_kind[PR_KIND_COUNT];
	uint64_t	skipped_by_kind[PR_KIND_COUNT];
	uint64_t	skipped_by_cause[ENG_SKIP_COUNT];
	uint64_t	queue_ops;
	uint64_t	queue_nops;
	uint64_t	pqstate_commit_retries;
	uint64_t	relock_restarts;
	uint64_t	reclaims;
	uint64_t	alloc_failures;
	uint64_t	reserv_breaks;
	uint64_t	scan_pages;
	uint64_t	scan_freed;
	uint64_t	scan_skipped;
	uint64_t	scan_inactive;
	uint64_t	scan_active;
	uint64_t	pd_wakeups;
	uint64_t	pd_passes;
	uint64_t	pd_ooms;
	uint64_t	vm_waits;
	uint64_t	vm_wait_ns;
	uint64_t	free_find_steps;
	uint64_t	free_far_afield;
	uint64_t	free_lastq_hits;
	uint64_t	page_hash_hits;
	uint64_t	page_hash_misses;
	uint64_t	page_hash_fails;
	uint64_t	fault_around_lookups;
};

/*
 * What this CPU's faults (map events) left mapped in one block of
 * ENG_FAULT_SEEN_PAGES pages of one object, mapped at one address in one
 * pmap: bit p of mapped says that pindex base + p is mapped at va + p
 * pages (by its fault's pmap_enter, or pmap_enter_quick in a fault's
 * prefault), of writeable that the mapping allows writes.  Cleared by
 * any event but a map or a page lookup on this CPU, and moved (cleared)
 * to the block of a fault outside it (engine.c, ev_map()).  All (T).
 */
#define ENG_FAULT_SEEN_PAGES	64
struct eng_fault_seen {
	const struct vm_object *obj;
	uint64_t	pmap;
	uint64_t	va;
	uint64_t	base;		/* a multiple of the block's pages */
	uint64_t	mapped;
	uint64_t	writeable;
};

/*
 * A model CPU: one per worker thread, and one more (cpus[nslots]) for the
 * page daemon's thread, used only by that thread (T), except that
 * eng_quiesce(), eng_stats_collect() and eng_stats_reset() read and reset
 * it after the workers stopped (and the daemon stopped or held idle).
 */
/*
 * Pages of a file-system buffer: UFS's default block size, 32 KiB (newfs's
 * DFL_BLKSIZE, coder03/freebsd10.4 @3d3f8b11 sbin/newfs/newfs.h line 51),
 * the buffer through which the model's page_insert reads its pages
 * (ev_page_insert_read(), vfs_bio_read()).
 */
#define ENG_BIO_PAGES	8

struct eng_cpu {
	struct vm_engine *e;		/* (C) */
	unsigned	slot;		/* (C) */
	struct vm_batchqueue bq[PQ_COUNT]; /* (T) pqbatch[domain][queue] */
	struct vm_page	**pc;		/* (T) page cache (vmd_pgcache): free
					   pages of broken frames, 2N */
	int		pc_cnt;		/* (T) */
	struct eng_cpu_stats st;	/* (T) */
	struct eng_lkstat lk;		/* (T) lock statistics */
	uint64_t	now_ns;		/* (T) trace time of the event being
					   applied (eng_apply): the clock
					   DragonFly's `ticks` is read from */
	_Atomic uint64_t smr_seq;	/* (a) the write sequence this CPU's
					   SMR section began at, 0 outside
					   one (smr_enter's c_seq; vm_smr.c) */
	struct vm_smr_entry *smr_head;	/* (T) retired, oldest first */
	struct vm_smr_entry **smr_tail;	/* (T) */
	unsigned	smr_pending;	/* (T) entries on the list */
	struct vm_object *bio_obj;	/* (T) the object of the buffer read by
					   this CPU's last event if it was a
					   page_insert, else NULL
					   (ev_page_insert_read()) */
	vm_pindex_t	bio_next;	/* (T) the index after that read's
					   last page */
	struct vm_page	*bio_ma[ENG_BIO_PAGES]; /* (T) the pages the
					   insertion being applied allocated,
					   by index in their buffer */
	unsigned	scan_next[2];	/* (T) --queue colored: the sub-queue
					   this CPU's next inactive [0] and
					   active [1] scan starts at
					   (DragonFly's q1iterator and
					   q2iterator, each scanning
					   thread's own) */
	struct eng_fault_seen fault_seen; /* (T) engine.c, ev_map() */
};

/* The machine. */
struct vm_engine {
	struct eng_design design;	/* (C) */
	struct eng_params params;	/* (C) */
	struct vm_page	*vm_page_array;	/* (C) type-stable, never freed */
	uint64_t	vm_page_array_size; /* (C) pages */
	struct vm_reserv *vm_reserv_array; /* (C) one per 2 MiB frame */
	uint64_t	nframes;	/* (C) */
	char		*pa_lock;	/* (C) the page-lock array */
	size_t		pa_lock_stride;	/* (C) bytes per lock */
	unsigned	pa_lock_count;	/* (C) */
	struct vm_domain vmd;		/* (C) one domain, fields as there */
	struct vm_object *objects;	/* (C) nobjects slots */
	uint64_t	nobjects;	/* (C) */
	struct eng_cpu	**cpus;		/* (C) nslots workers, the daemon */
	unsigned	ncpus;		/* (C) nslots + 1 */
	struct pmap_md	*md;		/* (C) machine-dependent state */
	bool		pagelock;	/* (C) page design is pagelock */
	const struct vm_pagequeue_ops *pq; /* (C) the page-queue design */
	struct vm_pagedaemon *pd;	/* (C) vm_pageout.c, fields as there */
	struct eng_mtx	*vm_page_spin;	/* (C) colored: DragonFly's per-page
					   m->spin, the page lock; else NULL */
	bool		dfly;		/* (C) page design is dfly */
	/*
	 * --page dfly: the fault's exclusive-token heuristic
	 * (VM_MAP_BACK_EXCL_HEUR), which DragonFly keeps per map entry's
	 * backing; the model has no map entries and keeps it per (pmap,
	 * object) pair, hashed into ENG_DFLY_EXCL_SLOTS bytes (pairs that
	 * collide share one).  (C) the array, (a) each byte.
	 */
	_Atomic uint8_t	*dfly_excl_heur;
	struct vm_page_hash_elm *vm_page_hash; /* (C) dfly: size entries,
					   each (a); else NULL */
	uint64_t	vm_page_hash_size; /* (C) power of two */
	bool		smr_lookups;	/* (C) page design is refcount: page
					   indexes are read under SMR too */
	_Atomic uint64_t smr_wr_seq;	/* (a) SMR write sequence, from 1
					   (smr_shared's s_wr.seq) */
};

#define PHYS_TO_VM_PAGE(e, pa)	(&(e)->vm_page_array[(pa) >> PAGE_SHIFT])
#define VM_PAGE_TO_PHYS(m)	((m)->phys_addr)
#define VM_PAGE_TO_INDEX(e, m)	((uint64_t)((m) - (e)->vm_page_array))

static inline struct vm_pagequeue *
vm_page_pagequeue(struct vm_engine *e, uint8_t queue)
{
	return (&e->vmd.vmd_pagequeues[queue]);
}

/*
 * pq's count moves by delta: a plain update under the queue lock, stored
 * atomically so that the DragonFly daemon may read it without the lock
 * (as it reads vmstats.v_inactive_count).  The page queue must be locked.
 */
static inline void
vm_pagequeue_cnt_add(struct vm_pagequeue *pq, int delta)
{
	atomic_store_explicit(&pq->pq_cnt, atomic_load_explicit(&pq->pq_cnt,
	    memory_order_relaxed) + (uint64_t)(int64_t)delta,
	    memory_order_relaxed);
}

/* Sub-queue i of queue under --queue colored; else queue itself (i 0). */
static inline struct vm_pagequeue *
vm_pagequeue_nth(struct vm_engine *e, uint8_t queue, unsigned i)
{
	if (e->vmd.vmd_subq == NULL)
		return (vm_page_pagequeue(e, queue));
	return (&e->vmd.vmd_subq[queue * e->vmd.vmd_ncolors + i]);
}

/*
 * The page's colour as DragonFly's vm_add_new_page() computes m->pc: the
 * page frame number twisted by its quotients by PQ_L2_SIZE and its square
 * "for cpu localization", masked (a modulus here, the same for powers of
 * two).  0 outside --queue colored.
 */
static inline unsigned
vm_page_color_n(const struct vm_page *m, uint64_t n)
{
	uint64_t pfn = m->phys_addr >> PAGE_SHIFT;

	return ((unsigned)((pfn ^ (pfn / n) ^ (pfn / (n * n))) % n));
}

static inline unsigned
vm_page_color(const struct vm_engine *e, const struct vm_page *m)
{
	return (vm_page_color_n(m, e->vmd.vmd_ncolors));
}

/* The (sub-)queue m is linked on when it is in queue. */
static inline struct vm_pagequeue *
vm_page_pagequeue_m(struct vm_engine *e, const struct vm_page *m,
    uint8_t queue)
{
	return (vm_pagequeue_nth(e, queue, vm_page_color(e, m)));
}

#endif /* ENG_VM_H */
