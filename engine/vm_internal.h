/*
 * vm_internal.h - functions shared by the machine-independent engine files
 * (vm_object.c, vm_page.c, vm_pagequeue.c, vm_phys.c, vm_pageout.c,
 * engine.c).  Not for the pmap or for replay.
 */
#ifndef ENG_VM_INTERNAL_H
#define ENG_VM_INTERNAL_H

#include <inttypes.h>
#include <stdlib.h>

#include "vm.h"

/* vm_page_release() flags. */
#define VPR_TRYFREE	0x01
#define VPR_NOREUSE	0x02
/*
 * The model's own: the release of a B_DIRECT buffer's page, whose free
 * under --page pagelock (10/12's vfs_vmio_unwire() -> vm_page_try_to_free())
 * unmaps a mapped page too; sendfile_free_page() frees only an unmapped one.
 */
#define VPR_BDIRECT	0x04

/*
 * vm_page_grab_pages_unlocked() flags, the kernel's: wire each page
 * found; busy it shared (else exclusive) while its identity is checked.
 */
#define VM_ALLOC_WIRED		0x01
#define VM_ALLOC_IGN_SBUSY	0x02

/* Page lock of m, with the caller's site. */
#define vm_page_lock(c, m)						\
	eng_mtx_lock(&(c)->lk, vm_page_lockptr((c), (m)), ENG_HERE)
#define vm_page_trylock(c, m)						\
	eng_mtx_trylock(&(c)->lk, vm_page_lockptr((c), (m)), ENG_HERE)
#define vm_page_unlock(c, m)						\
	eng_mtx_unlock(&(c)->lk, vm_page_lockptr((c), (m)))

/*
 * A page-queue design (--queue): an ops table chosen once by eng_create()
 * (e->pq), one file per design, in the manner of fio's ioengine_ops.  The
 * engine calls a design only through the vm_page_* wrappers in
 * vm_pagequeue.c; a NULL hook means "nothing to do" in that design.
 * Capability flags say what the rest of the engine must do differently:
 *
 *  VM_PQ_PAGELOCK: logical queue state (queue field, request flags) is
 *	protected by the page lock, so callers take it around the hooks
 *	(FreeBSD 10 through 2019).  Without it the state word is changed by
 *	CAS only (13/14).
 *  VM_PQ_SYNC: no deferred queue operations: every enqueue, dequeue and
 *	requeue is done at once under the queue lock, and the page daemon
 *	dequeues the pages it scans logically, one per queue-lock
 *	acquisition (FreeBSD 10).
 * The free path is its own family (--free, design.free; vm_phys.c).
 */
#define VM_PQ_PAGELOCK	0x01
#define VM_PQ_SYNC	0x02

struct vm_pagequeue_ops {
	const char	*name;		/* as in eng_designs[] */
	unsigned	flags;		/* VM_PQ_* */
	/* Put m, in no queue, in queue (head: the inactive head). */
	void	(*enqueue)(struct eng_cpu *, struct vm_page *, uint8_t queue,
		    bool head);
	/* Move m, in queue, to its tail (head: the inactive head). */
	void	(*requeue)(struct eng_cpu *, struct vm_page *, uint8_t queue,
		    bool head);
	/* Place m where it already is: deactivate/release of a page that
	 * is already in queue. */
	void	(*stay)(struct eng_cpu *, struct vm_page *, uint8_t queue,
		    bool head);
	/* vm_page_activate(), _deactivate(), _requeue(), _release_toq() of
	 * an unwired page; page lock held with VM_PQ_PAGELOCK. */
	void	(*activate)(struct eng_cpu *, struct vm_page *);
	void	(*deactivate)(struct eng_cpu *, struct vm_page *, bool head);
	bool	(*requeue_page)(struct eng_cpu *, struct vm_page *);
	void	(*release_toq)(struct eng_cpu *, struct vm_page *,
		    uint8_t queue, int flags);
	/* Queue side of vm_page_free_prep(): no reference is left. */
	void	(*free)(struct eng_cpu *, struct vm_page *);
	/* Optional: the lazy dequeue of a wired page the daemon finds. */
	void	(*dequeue_lazy)(struct eng_cpu *, struct vm_page *);
	/* Optional: queue side of a page's first wiring and last unwiring
	 * (the latter also when the unwiring drops the last reference). */
	void	(*wire)(struct eng_cpu *, struct vm_page *);
	void	(*unwire)(struct eng_cpu *, struct vm_page *);
	/* Optional: the active scan's move of a page to inactive; NULL:
	 * deactivate. */
	void	(*scan_deactivate)(struct eng_cpu *, struct vm_page *);
	/* Optional: vm_page_activate() before any lock; true: done. */
	bool	(*activate_unlocked)(struct eng_cpu *, struct vm_page *);
	/* Optional: vm_page_deactivate() (not at the head) before any
	 * lock; true: done. */
	bool	(*deactivate_unlocked)(struct eng_cpu *, struct vm_page *);
	/* Optional: the design's own structures, at eng_create() (0 or
	 * -1: out of memory) and eng_destroy(). */
	int	(*init)(struct vm_engine *);
	void	(*fini)(struct vm_engine *);
};

extern const struct vm_pagequeue_ops vm_pagequeue_locked_ops;
extern const struct vm_pagequeue_ops vm_pagequeue_batch_ops;
extern const struct vm_pagequeue_ops vm_pagequeue_astate_ops;
extern const struct vm_pagequeue_ops vm_pagequeue_dfly_ops;

static inline bool
vm_pq_flagged(const struct vm_engine *e, unsigned flag)
{
	return ((e->pq->flags & flag) != 0);
}

/*
 * Does the design run FreeBSD 10's code where it differs from later
 * releases' (the fault path, sendfile, the buffer cache's release,
 * vm_object_page_remove)?  --page pagelock with a synchronous queue
 * design (--queue locked): the freebsd10 preset.
 */
static inline bool
vm_engine_fb10(const struct vm_engine *e)
{
	return (e->pagelock && vm_pq_flagged(e, VM_PQ_SYNC));
}

/* Does the design use the page lock for logical queue state? */
static inline bool
vm_page_qlock(const struct vm_engine *e)
{
	return (vm_pq_flagged(e, VM_PQ_PAGELOCK));
}

/*
 * May this CPU change m's logical queue state?  Always under astate; under
 * the page-lock designs with the page lock held, or when no reference is
 * left (vm_page_free_prep(), an allocation): FreeBSD's "the page must
 * either be locked or unallocated".
 */
static inline bool
vm_page_queue_state_owned(struct eng_cpu *c, struct vm_page *m)
{
	if (!vm_page_qlock(c->e) ||
	    eng_lock_held(&c->lk, vm_page_lockptr(c, m)))
		return (true);
	if (c->e->pagelock)
		return (atomic_load_explicit(&m->wire_count,
		    memory_order_relaxed) == 0 &&
		    atomic_load_explicit(&m->object, memory_order_relaxed) ==
		    NULL);
	return (atomic_load_explicit(&m->ref_count, memory_order_relaxed) ==
	    0);
}

#define vm_page_assert_queue_state_owned(c, m)				\
	ENG_KASSERT(vm_page_queue_state_owned((c), (m)),		\
	    "page %p (pa %#" PRIx64 "): queue state changed by CPU %u "	\
	    "without its page lock", (void *)(m), (m)->phys_addr,	\
	    (c)->slot)

/* Busy lock (vm_page.c). */
bool	vm_page_tryxbusy(struct eng_cpu *c, struct vm_page *m);
void	vm_page_xunbusy(struct eng_cpu *c, struct vm_page *m);
/*
 * The shared busy: --page dfly's soft busy (vm_page.h), and --page
 * refcount's vm_page_trysbusy()/vm_page_sunbusy() of a lockless lookup.
 */
bool	vm_page_sbusy_try(struct eng_cpu *c, struct vm_page *m);
void	vm_page_sbusy_drop(struct eng_cpu *c, struct vm_page *m);
/* --page refcount: the free page's VPB_FREED; the model's own pin. */
void	vm_page_busy_free(struct eng_cpu *c, struct vm_page *m);
bool	vm_page_pin_try(struct vm_page *m);
void	vm_page_pin_drop(struct vm_page *m);
/* --page dfly: vm_page_busy_wait (vm_page.h). */
void	vm_page_busy_wait(struct eng_cpu *c, struct vm_page *m);
bool	vm_page_dfly_busied(struct eng_cpu *c, struct vm_page *m);

/*
 * --page dfly, --free colored: DragonFly's object->pg_color, a u_short set
 * at the object's creation (_vm_object_allocate(): vm_quickcolor(), the
 * creating thread's address >> 10 plus a per-CPU counter stepped by
 * PQ_PRIME2).  The model hashes the object's slot instead, so that runs
 * are reproducible.  (C)
 */
static inline uint16_t
vm_object_pg_color(const struct vm_object *obj)
{
	return ((uint16_t)((obj->slot * 0x9e3779b97f4a7c15ull) >> 48));
}

/* --page dfly: vm_page_hash[] (vm_page_hash.c). */
int	vm_page_hash_init(struct vm_engine *e);
void	vm_page_hash_fini(struct vm_engine *e);
struct vm_page *vm_page_hash_get(struct eng_cpu *c, struct vm_object *obj,
	    vm_pindex_t pindex);
void	vm_page_hash_enter(struct eng_cpu *c, struct vm_page *m);
uint64_t vm_page_hash_check(struct vm_engine *e, FILE *out);

/*
 * Hash tables (vm_object.c).  Changes take the CPU that makes them, whose
 * SMR list keeps a replaced table until no lockless reader can see it
 * (vm_smr_retire()); NULL only when no CPU runs.
 */
void	*vm_phash_lookup(const struct vm_phash *h, uint64_t key);
void	*vm_phash_lookup_unlocked(const struct vm_phash *h, uint64_t key,
	    bool *settled);
int	 vm_phash_insert(struct eng_cpu *c, struct vm_phash *h, uint64_t key,
	    void *val);
void	 vm_phash_remove(struct eng_cpu *c, struct vm_phash *h, uint64_t key);
void	 vm_phash_fini(struct eng_cpu *c, struct vm_phash *h);
/* Calls fn on each value (no changes to h meanwhile). */
void	 vm_phash_foreach(const struct vm_phash *h,
	    void (*fn)(void *val, void *arg), void *arg);

/* SMR for the lockless page lookups of --page refcount (vm_smr.c). */
void	vm_smr_init(struct vm_engine *e);
void	vm_smr_cpu_init(struct eng_cpu *c);
void	vm_smr_cpu_fini(struct eng_cpu *c);
void	vm_smr_enter(struct eng_cpu *c, bool kernel);
void	vm_smr_exit(struct eng_cpu *c);
void	vm_smr_retire(struct eng_cpu *c, struct vm_smr_entry *p);

/* Objects (vm_object.c). */
int	vm_object_init(struct vm_engine *e);
void	vm_object_fini(struct vm_engine *e);
struct vm_object *vm_object_slot(struct eng_cpu *c, uint64_t slot);
int	vm_object_create(struct eng_cpu *c, struct vm_object *obj);
int	vm_object_terminate(struct eng_cpu *c, struct vm_object *obj);
void	vm_object_make_alive(struct eng_cpu *c, struct vm_object *obj);
void	vm_object_busy(struct eng_cpu *c, struct vm_object *obj);
void	vm_object_deallocate(struct eng_cpu *c, struct vm_object *obj,
	    bool anon, unsigned mappings, struct eng_site *site);
/* --page dfly: DragonFly 5.6's holds (hold_count and the token). */
void	vm_object_hold(struct eng_cpu *c, struct vm_object *obj,
	    struct eng_site *site);
void	vm_object_hold_shared(struct eng_cpu *c, struct vm_object *obj,
	    struct eng_site *site);
void	vm_object_drop(struct eng_cpu *c, struct vm_object *obj);
void	vm_object_hold_recurse(struct eng_cpu *c, struct vm_object *obj);
void	vm_object_drop_recurse(struct eng_cpu *c, struct vm_object *obj);
void	vm_object_pip_add(struct eng_cpu *c, struct vm_object *obj);
void	vm_object_pip_addn(struct eng_cpu *c, struct vm_object *obj,
	    uint32_t n);
void	vm_object_pip_wakeup(struct eng_cpu *c, struct vm_object *obj);
void	vm_object_pip_wakeupn(struct eng_cpu *c, struct vm_object *obj,
	    uint32_t n);
void	vm_object_reference_locked(struct eng_cpu *c, struct vm_object *obj);
void	vm_object_set_writeable_dirty(struct eng_cpu *c,
	    struct vm_object *obj);
void	vm_object_unbusy(struct eng_cpu *c, struct vm_object *obj);
struct vm_page *vm_page_lookup(struct eng_cpu *c, struct vm_object *obj,
	    vm_pindex_t pindex);
struct vm_page *vm_page_lookup_busy(struct eng_cpu *c, struct vm_object *obj,
	    vm_pindex_t pindex);
struct vm_page *vm_page_lookup_busy_try(struct eng_cpu *c,
	    struct vm_object *obj, vm_pindex_t pindex, bool soft);
struct vm_page *vm_page_named(struct eng_cpu *c, struct vm_object *obj,
	    vm_pindex_t pindex);
struct vm_page *vm_page_named_unlocked(struct eng_cpu *c,
	    struct vm_object *obj, vm_pindex_t pindex, bool *settled);
struct vm_page *vm_page_named_pin(struct eng_cpu *c, struct vm_object *obj,
	    vm_pindex_t pindex, bool *settled);

/*
 * Is m the page of obj at pindex?  m->object is read with acquire order,
 * pairing with vm_page_insert()'s release store, so that m->pindex, set
 * before it, is read as that insertion left it.  The caller keeps m from
 * changing identity meanwhile: the object lock, a busy or pin that keeps
 * it from being freed, or (pagelock) its page lock.
 */
static inline bool
vm_page_named_is(struct vm_page *m, struct vm_object *obj,
    vm_pindex_t pindex)
{
	return (atomic_load_explicit(&m->object, memory_order_acquire) ==
	    obj && m->pindex == pindex);
}

/* Pages (vm_page.c). */
/* vm_page_busied(): held busy, shared or exclusive (or free: VPB_FREED). */
static inline bool
vm_page_busied(struct vm_page *m)
{
	return (atomic_load_explicit(&m->busy_lock, memory_order_relaxed) !=
	    VPB_UNBUSIED);
}
struct vm_page *vm_page_alloc(struct eng_cpu *c, struct vm_object *obj,
	    vm_pindex_t pindex, bool wired, bool busy, bool *retry);
struct vm_page *vm_page_grab(struct eng_cpu *c, struct vm_object *obj,
	    vm_pindex_t pindex, bool wired, bool *allocated);
int	vm_page_grab_pages(struct eng_cpu *c, struct vm_object *obj,
	    vm_pindex_t pindex, bool wired, struct vm_page **ma, int count,
	    bool *fresh);
bool	vm_page_xbusy_fresh(struct eng_cpu *c, struct vm_object *obj,
	    struct vm_page *m);
int	vfs_bio_read(struct eng_cpu *c, struct vm_object *obj,
	    vm_pindex_t pindex, struct vm_page **ma, int n, bool joined);
int	vm_page_grab_pages_unlocked(struct eng_cpu *c, struct vm_object *obj,
	    vm_pindex_t pindex, int allocflags, struct vm_page **ma,
	    int count);
void	vm_page_insert(struct eng_cpu *c, struct vm_page *m,
	    struct vm_object *obj, vm_pindex_t pindex);
bool	vm_page_remove(struct eng_cpu *c, struct vm_page *m);
void	vm_page_free(struct eng_cpu *c, struct vm_page *m);
void	vm_page_wire(struct eng_cpu *c, struct vm_page *m);
bool	vm_page_unwire_noq(struct eng_cpu *c, struct vm_page *m);
bool	vm_page_unwire_event(struct eng_cpu *c, struct vm_page *m);
void	vm_page_unwire_pagelocked(struct eng_cpu *c, struct vm_page *m,
	    uint8_t queue, int flags);
bool	vm_page_ev_wiring_take(struct vm_object *obj, struct vm_page *m);
bool	vm_page_ev_wiring_add(struct vm_object *obj, struct vm_page *m);
bool	vm_page_try_to_free(struct eng_cpu *c, struct vm_page *m);
void	vm_page_release(struct eng_cpu *c, struct vm_page *m, int flags);
bool	vm_page_release_locked(struct eng_cpu *c, struct vm_page *m,
	    int flags);
void	vm_page_change_lock(struct eng_cpu *c, struct vm_page *m,
	    struct eng_mtx **mtx, struct eng_site *site);
uint32_t vm_page_wired_count(const struct vm_engine *e, struct vm_page *m);
bool	vm_page_tryacquire_transient(struct eng_cpu *c, struct vm_page *m);
bool	vm_page_drop_transient(struct eng_cpu *c, struct vm_page *m);

/* Page queues (vm_pagequeue.c), through the design's ops. */
int	vm_pagequeue_init(struct vm_engine *e);
void	vm_pagequeue_fini(struct vm_engine *e);
const char *vm_pagequeue_lockname(uint8_t q);
int	vm_batchqueue_init(struct eng_cpu *c);
void	vm_batchqueue_fini(struct eng_cpu *c);
void	vm_page_enqueue(struct eng_cpu *c, struct vm_page *m, uint8_t queue);
void	vm_page_activate(struct eng_cpu *c, struct vm_page *m);
void	vm_page_activate_locked(struct eng_cpu *c, struct vm_page *m);
void	vm_page_deactivate(struct eng_cpu *c, struct vm_page *m, bool head);
void	vm_page_deactivate_locked(struct eng_cpu *c, struct vm_page *m,
	    bool head);
void	vm_page_scan_deactivate(struct eng_cpu *c, struct vm_page *m);
bool	vm_page_requeue(struct eng_cpu *c, struct vm_page *m);
void	vm_page_release_toq(struct eng_cpu *c, struct vm_page *m,
	    uint8_t queue, int flags);
void	vm_page_dequeue(struct eng_cpu *c, struct vm_page *m);
void	vm_page_dequeue_lazy(struct eng_cpu *c, struct vm_page *m);
void	vm_page_unqueue_nowakeup(struct eng_cpu *c, struct vm_page *m);
void	vm_page_free_dequeue(struct eng_cpu *c, struct vm_page *m);
void	vm_page_wire_queue(struct eng_cpu *c, struct vm_page *m);
void	vm_page_unwire_queue(struct eng_cpu *c, struct vm_page *m);
/* Shared by the designs (vm_pagequeue.c). */
bool	vm_page_astate_fcmpset(struct eng_cpu *c, struct vm_page *m,
	    vm_page_astate_t *old, vm_page_astate_t new,
	    struct eng_site *site);
void	vm_page_dequeue_deferred(struct eng_cpu *c, struct vm_page *m);
void	vm_page_dequeue_deferred_free(struct eng_cpu *c, struct vm_page *m);
uint8_t	vm_page_dequeue_request(struct eng_cpu *c, struct vm_page *m,
	    bool *made);
void	vm_page_pqbatch_submit(struct eng_cpu *c, struct vm_page *m,
	    uint8_t queue);
void	vm_page_pqbatch_drain(struct eng_cpu *c);
bool	vm_page_pqstate_commit(struct eng_cpu *c, struct vm_page *m,
	    vm_page_astate_t *old, vm_page_astate_t new);
uint8_t	vm_page_act_adjust(struct eng_cpu *c, struct vm_page *m, int delta,
	    int floor);
void	vm_pqbatch_process_page(struct eng_cpu *c, struct vm_pagequeue *pq,
	    struct vm_page *m, uint8_t queue);
void	vm_pagequeue_insert(struct eng_cpu *c, struct vm_pagequeue *pq,
	    struct vm_page *m, struct vm_page *before);
void	vm_pagequeue_remove(struct eng_cpu *c, struct vm_pagequeue *pq,
	    struct vm_page *m);
struct vm_page *vm_pagequeue_where(struct vm_engine *e,
	    struct vm_pagequeue *pq, bool head);
/*
 * --queue locked's synchronous enqueue and requeue on the page's (sub-)
 * queue, shared with colored (vm_pagequeue_locked.c; page lock held).
 */
void	vm_page_enqueue_now(struct eng_cpu *c, struct vm_page *m,
	    uint8_t queue, bool head);
void	vm_page_requeue_now(struct eng_cpu *c, struct vm_page *m,
	    uint8_t queue, bool head);
/* The page-lock designs' placement (locked, batch; page lock held). */
void	vm_pq_plock_activate(struct eng_cpu *c, struct vm_page *m);
void	vm_pq_plock_deactivate(struct eng_cpu *c, struct vm_page *m,
	    bool head);
bool	vm_pq_plock_requeue_page(struct eng_cpu *c, struct vm_page *m);
void	vm_pq_plock_release_toq(struct eng_cpu *c, struct vm_page *m,
	    uint8_t queue, int flags);

/* Free memory and reservations (vm_phys.c). */
int	vm_phys_init(struct vm_engine *e);
void	vm_phys_fini(struct vm_engine *e);
int	vm_phys_cache_init(struct eng_cpu *c);
void	vm_phys_cache_fini(struct eng_cpu *c);
struct vm_page *vm_phys_alloc(struct eng_cpu *c, struct vm_object *obj,
	    vm_pindex_t pindex);
void	vm_phys_free(struct eng_cpu *c, struct vm_page *m);
void	vm_phys_cache_flush(struct eng_cpu *c);
uint64_t vm_phys_check(struct vm_engine *e, FILE *out);
/* --free colored (vm_phys_dfly.c), called by vm_phys.c's entry points. */
int	vm_phys_dfly_init(struct vm_engine *e);
void	vm_phys_dfly_fini(struct vm_engine *e);
struct vm_page *vm_phys_dfly_alloc(struct eng_cpu *c, struct vm_object *obj,
	    vm_pindex_t pindex);
void	vm_phys_dfly_free(struct eng_cpu *c, struct vm_page *m);
uint64_t vm_phys_dfly_check(struct vm_engine *e, FILE *out);
/* The free count (vm_phys.c), for vm_phys_dfly.c too. */
bool	vm_domain_allocate(struct eng_cpu *c, uint32_t n);
void	vm_domain_freecnt_inc(struct eng_cpu *c, uint32_t n);

/* Page daemon (vm_pageout.c). */
uint64_t vm_pageout_scan_inactive(struct eng_cpu *c, uint64_t shortage,
	    uint64_t maxscan, uint64_t *addl, uint64_t *inact);
uint64_t vm_pageout_scan_active(struct eng_cpu *c, uint64_t maxscan);
bool	vm_pageout_daemon_pass(struct eng_cpu *c);
int	vm_pageout_init(struct vm_engine *e, struct eng_cpu *cpu, bool run);
void	vm_pageout_stop(struct vm_engine *e);
void	vm_pageout_fini(struct vm_engine *e);
void	vm_pageout_hold(struct vm_engine *e);
void	vm_pageout_resume(struct vm_engine *e);
void	vm_pageout_thresholds(const struct vm_engine *e, uint64_t *free_min,
	    uint64_t *free_target, uint64_t *wakeup_thresh);
void	vm_domain_freecnt_adj(struct eng_cpu *c, uint32_t old, uint32_t new);
bool	vm_domain_alloc_fail(struct eng_cpu *c, struct vm_object *obj);

#endif /* ENG_VM_INTERNAL_H */
