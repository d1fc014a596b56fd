/*
 * vm_page.h - the model's resident memory page (struct vm_page) and the
 * page-level operations the pmap layer calls.
 *
 * Locks:
 *	(A) atomic: updated with atomic read-modify-write
 *	(B) the page's busy lock
 *	(C) constant after eng_create()
 *	(F) the free-queue lock (vm_domain.vmd_free_mtx)
 *	(R) the reservation lock of the page's 2 MiB frame (vm.h)
 *	(V) the page's pv-list lock (engine/amd64, pv_lock.c; the
 *	    pmap_internal.h legend's (M) is the pmap lock)
 *	(O) the object lock of m->object
 *	(P) the page lock, pa_lock[(phys_addr >> 21) % N]; under --queue
 *	    colored the page's own spinlock (DragonFly's m->spin)
 *	(Q) the page-queue lock of the queue named by m->a.queue
 * Two letters: either lock suffices to read, both are needed to write.
 *
 * Which lock guards what depends on the design (engine.h):
 *
 * Identity and wiring.  Under --page pagelock (FreeBSD 10 - mid 2019) the
 * page lock protects wire_count and the object's reference: m->object is
 * (O,P) and a page may be freed only with its page lock held.  Under
 * --page refcount (r352110) ref_count is (A): VPRC_OBJREF is the object's
 * reference, set and cleared with the object write-locked; VPRC_BLOCKED is
 * set briefly by vm_page_try_remove_all/_write while no wiring exists to
 * block vm_page_wire_mapped(); the low 30 bits count wirings and transient
 * references.  m->object is then (O) alone.  wire_count is unused under
 * refcount, ref_count unused under pagelock.
 *
 * Under --page dfly (DragonFly 5.6) the counts are refcount's, and m->object
 * and m->pindex change only while the changing CPU holds the page
 * exclusive-busied and its page lock (DragonFly's PBUSY_LOCKED and
 * vm_page_spin_lock in vm_page_insert/vm_page_remove): (O,P,B).  That lets
 * vm_page_hash_get() read them with no lock and trust them once it holds a
 * soft busy.  The busy word keeps the layout below with DragonFly's
 * meaning: VPB_BIT_EXCLUSIVE (and owner) is PBUSY_LOCKED, the sharer count
 * is the soft-busy count (PBUSY_MASK); PBUSY_WANTED is never set (the
 * model yields instead of sleeping) and PBUSY_SWAPINPROG has no use (no
 * swap).
 *
 * Queue state.  aflags, queue and act_count share the aligned 32-bit word
 * m->a (aflags bits 0-15, queue 16-23, act_count 24-31), always updated
 * atomically so that vm_page_pqstate_cmpset() can CAS the whole state.
 * Under --queue locked the queue field and PGA_ENQUEUED always agree and
 * change with both the page lock and the page-queue lock held (P,Q).  Under
 * --queue batch (r330296) the queue field is the logical queue and
 * PGA_ENQUEUED says whether the page is physically on that queue's list;
 * changing queue requires the lock of the old value (the page-queue lock,
 * or the page lock when the old value is PQ_NONE), and one of old and new
 * is PQ_NONE; PGA_ENQUEUED changes only under the page-queue lock;
 * PGA_DEQUEUE and PGA_REQUEUE* are set under the page lock (PGA_DEQUEUE also
 * by vm_page_free_prep() without it) and cleared under the page-queue lock.
 * Exception: the page daemon writes PQ_NONE directly just before freeing a
 * page it has physically dequeued.  Under --queue astate (FreeBSD 13/14)
 * the page lock plays no part: request flags are set by atomic RMW and
 * cleared under the page-queue lock, and queue changes go through
 * vm_page_pqstate_commit().  act_count is (P) except under astate (A).
 * PGA_WRITEABLE and PGA_REFERENCED are (A) in every design.
 *
 * ev_wirings is the model's own bookkeeping, with no kernel counterpart: how
 * many of the page's wirings were taken by wire events and may be dropped
 * by unwire and release events (or by the object's termination, since the
 * trace's holder is gone).  Wirings held inside one event (sendfile, a
 * pmap_extract_and_hold) are not among them, so an unwire event can never
 * drop a wiring another thread is using.  It never exceeds the page's
 * wirings: a wire event counts its wiring after taking it, an unwire or
 * release claims one before dropping it.  The termination that takes the
 * page out of its object sets it to VM_PAGE_EVW_GONE after dropping the
 * wirings it counted, so that a wire event that found the page without
 * the object lock (--page refcount, ev_wire_unlocked()) and wired it
 * meanwhile does not count a wiring no event can reach any more: it drops
 * its wiring instead (vm_page_ev_wiring_add()).  The allocator resets it
 * to 0.  Its atomics are not counted.
 *
 * Physical queue linkage plinks.q is (Q).  Pages are type-stable: the array
 * is allocated once and never freed, so the page daemon and batch queues may
 * hold pointers to pages that have since been freed and reused.
 */
#ifndef ENG_VM_PAGE_H
#define ENG_VM_PAGE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "pmap.h"

typedef uint64_t vm_paddr_t;
typedef uint64_t vm_pindex_t;

struct eng_cpu;
struct eng_mtx;
struct vm_object;

/* Page queues (per domain). */
#define PQ_INACTIVE	0
#define PQ_ACTIVE	1
#define PQ_LAUNDRY	2
#define PQ_UNSWAPPABLE	3
#define PQ_COUNT	4
#define PQ_NONE		255

/* act_count. */
#define ACT_DECLINE	1
#define ACT_ADVANCE	3
#define ACT_INIT	5
#define ACT_MAX		64

/*
 * Atomic flags (m->a bits 0-15).  PGA_WRITEABLE and PGA_REFERENCED are set
 * by the pmap (A); the queue-state flags follow the rules above.
 */
#define PGA_WRITEABLE		0x0001	/* page may be mapped writeable */
#define PGA_REFERENCED		0x0002	/* page has been referenced */
#define PGA_EXECUTABLE		0x0004
#define PGA_ENQUEUED		0x0008	/* physically on a page queue */
#define PGA_DEQUEUE		0x0010	/* dequeue request pending */
#define PGA_REQUEUE		0x0020	/* requeue (enqueue) at tail pending */
#define PGA_REQUEUE_HEAD	0x0040	/* requeue at inactive head pending */
#define PGA_QUEUE_OP_MASK	(PGA_DEQUEUE | PGA_REQUEUE | PGA_REQUEUE_HEAD)
#define PGA_QUEUE_STATE_MASK	(PGA_ENQUEUED | PGA_QUEUE_OP_MASK)

/* The queue-state word. */
typedef uint32_t vm_page_astate_t;
#define VM_PAGE_A_FLAGS(a)	((uint16_t)((a) & 0xffff))
#define VM_PAGE_A_QUEUE(a)	((uint8_t)(((a) >> 16) & 0xff))
#define VM_PAGE_A_ACT(a)	((uint8_t)((a) >> 24))
#define VM_PAGE_A_MAKE(flags, queue, act)				\
	((uint32_t)(flags) | ((uint32_t)(queue) << 16) | ((uint32_t)(act) << 24))

/* ref_count (refcount design). */
#define VPRC_BLOCKED		0x40000000u
#define VPRC_OBJREF		0x80000000u
#define VPRC_WIRE_COUNT(c)	((c) & ~(VPRC_BLOCKED | VPRC_OBJREF))
#define VPRC_WIRE_COUNT_MAX	(~(VPRC_BLOCKED | VPRC_OBJREF))

/*
 * Busy lock (32 bits, as in every FreeBSD scheme).  An exclusive busy
 * records its owner above the flag bits, as VPB_CURTHREAD_EXCLUSIVE records
 * curthread: here the model CPU (slot + 1).
 */
#define VPB_BIT_SHARED		0x01
#define VPB_BIT_EXCLUSIVE	0x02
#define VPB_BIT_WAITERS		0x04
#define VPB_SHIFT		3
#define VPB_UNBUSIED		VPB_BIT_SHARED
/*
 * --page refcount: a free page's busy word (13+'s VPB_FREED, set by
 * vm_page_busy_free() in vm_page_free_prep()): it looks exclusive-busied
 * with waiters, so that a lockless lookup holding a stale pointer to the
 * page fails to busy it.  Other designs leave free pages VPB_UNBUSIED.
 */
#define VPB_FREED		(0xffffffffu - VPB_BIT_SHARED)

/*
 * m->ev_wirings (A, above): the page has left its object with the
 * object's termination; no wire event counts a wiring on it any more.
 */
#define VM_PAGE_EVW_GONE	0x80000000u
#define VM_PAGE_EVW_COUNT(w)	((w) & ~VM_PAGE_EVW_GONE)
#define VPB_CPU_EXCLUSIVE(c)						\
	(VPB_BIT_EXCLUSIVE | (((uint32_t)(c)->slot + 1) << VPB_SHIFT))

/*
 * m->flags (C): set once before the page is first linked anywhere (the
 * domain's markers at eng_create(), a scan's marker before it is
 * inserted), never changed afterwards.
 */
#define PG_MARKER		0x01	/* queue marker, not a real page */

/*
 * m->pstate: allocation state, under the lock of the page's frame (vm.h's
 * struct vm_reserv): (R) for a reservation's page, (F) for a page of a
 * broken or free frame, (T) while it sits in a CPU's page cache.
 */
#define PS_FREE		0	/* in its reservation or the free list */
#define PS_ALLOCATED	1
#define PS_CACHED	2	/* in a CPU's page cache (vmd_pgcache) */

struct vm_page {
	TAILQ_ENTRY(vm_page) plinks_q;	/* (Q) page-queue linkage */
	TAILQ_ENTRY(vm_page) freeq;	/* (F) free-list linkage */
	_Atomic(struct vm_object *) object; /* (O,P), (O) or (O,P,B): above */
	vm_pindex_t	pindex;		/* (O,P) offset into object */
	vm_paddr_t	phys_addr;	/* (C) physical address */
	struct md_page	md;		/* (V) machine dependent */
	_Atomic uint32_t ref_count;	/* (A) refcount: refs + flag bits */
	_Atomic uint32_t wire_count;	/* (P) pagelock: wirings */
	_Atomic vm_page_astate_t a;	/* (A; P,Q by design) aflags, queue,
					   act_count: see above */
	_Atomic uint32_t busy_lock;	/* (A,B) busy state and owner */
	_Atomic uint32_t ev_wirings;	/* (A) wirings held by trace events */
	_Atomic uint8_t	pstate;		/* (R), (F) or (T): see above */
	uint8_t		flags;		/* (C) PG_* */
	_Atomic uint8_t	valid;		/* (O and B) 10/12, (B) 13+: the
					   buffer cache's read set it
					   (VM_PAGE_BITS_ALL,
					   vfs_bio_read_done()); 0 at
					   allocation.  Nothing else in the
					   model reads or sets it */
};

/* A 4 KiB page's valid bits: one per DEV_BSIZE (512) block. */
#define VM_PAGE_BITS_ALL	0xffu

_Static_assert(sizeof(vm_page_astate_t) == 4, "astate word is 32 bits");
_Static_assert(PQ_NONE <= 0xff && PQ_COUNT < PQ_NONE, "queue fits a byte");

/* Queue of m as seen by lock-free readers: PQ_NONE if a dequeue is pending. */
static inline uint8_t
vm_page_astate_queue(vm_page_astate_t a)
{
	return ((VM_PAGE_A_FLAGS(a) & PGA_DEQUEUE) != 0 ? PQ_NONE :
	    VM_PAGE_A_QUEUE(a));
}

static inline vm_page_astate_t
vm_page_astate_load(struct vm_page *m)
{
	return (atomic_load_explicit(&m->a, memory_order_acquire));
}

static inline uint8_t
vm_page_queue(struct vm_page *m)
{
	return (vm_page_astate_queue(vm_page_astate_load(m)));
}

/*
 * Operations the pmap layer calls (locking rule with each definition in
 * vm_page.c).  c is the calling CPU; its lock statistics are charged.
 */
/* Set or clear aflags bits atomically (PGA_WRITEABLE, PGA_REFERENCED). */
void	vm_page_aflag_set(struct eng_cpu *c, struct vm_page *m, uint16_t bits);
void	vm_page_aflag_clear(struct eng_cpu *c, struct vm_page *m,
	    uint16_t bits);
/*
 * Wire a page found through a mapping (pmap_extract_and_hold).  refcount:
 * fails (false) while VPRC_BLOCKED is set, no lock.  pagelock: the caller
 * holds the page lock (vm_page_pa_tryrelock()); never fails.
 */
bool	vm_page_wire_mapped(struct eng_cpu *c, struct vm_page *m);
/*
 * Release one wiring; the page goes to queue (PQ_ACTIVE or PQ_INACTIVE)
 * when it was the last one, and is freed if it was the last reference (a
 * page no longer in an object).  Takes whatever lock the design needs; the
 * caller holds no page lock.
 */
void	vm_page_unwire(struct eng_cpu *c, struct vm_page *m, uint8_t queue);
/*
 * pagelock only: release a hold taken with vm_page_wire_mapped() (12's
 * vm_page_unhold(): no queue operation).  The caller holds no page lock.
 */
void	vm_page_unhold(struct eng_cpu *c, struct vm_page *m);
/*
 * Remove every mapping (pmap_remove_all) or write access
 * (pmap_remove_write) unless the page is wired; refcount blocks new
 * wirings meanwhile.  The caller holds the object write lock and the busy
 * lock.  Returns false, doing nothing, if the page is wired.
 */
bool	vm_page_try_remove_all(struct eng_cpu *c, struct vm_page *m);
bool	vm_page_try_remove_write(struct eng_cpu *c, struct vm_page *m);
/* The page lock of m (pagelock array slot) and of a physical address. */
struct eng_mtx *vm_page_lockptr(struct eng_cpu *c, struct vm_page *m);
struct eng_mtx *vm_page_pa_lockptr(struct eng_cpu *c, vm_paddr_t pa);
/*
 * Old-scheme pmap_extract_and_hold helper: with the pmap lock held, make
 * *locked the page lock of pa.  Trylocks it; on failure drops pmap_lock,
 * locks the page lock, relocks the pmap and returns EAGAIN so the caller
 * redoes its lookup (counted as a relock restart).  Returns 0 when the
 * page lock was taken without dropping the pmap lock.
 */
int	vm_page_pa_tryrelock(struct eng_cpu *c, struct eng_mtx *pmap_lock,
	    vm_paddr_t pa, struct eng_mtx **locked);
/* Drop a page lock taken by vm_page_pa_tryrelock() (NULL: none). */
void	vm_page_pa_unlock(struct eng_cpu *c, struct eng_mtx **locked);

#endif /* ENG_VM_PAGE_H */
