/*
 * vm_phys.c - free memory: 2 MiB frames, superpage reservations and their
 * locks, the free lists under the domain's free lock (vmd_free_mtx), the
 * domain's free count, and the per-CPU page caches (vmd_pgcache) of --free
 * pgcache.
 *
 * A page of obj at pindex is taken from the reservation of
 * (obj, pindex >> 9): the frame's page pindex & 511.  So contiguous file
 * pages are physically contiguous and share a 2 MiB frame, hence a page
 * lock (and a pv lock), as in the kernel.  When the reservation cannot
 * give the page the allocator falls back to single pages of broken frames,
 * breaking a partially populated reservation if it must
 * (vm_reserv_reclaim_inactive).
 *
 * The free designs (design.free):
 *  global (FreeBSD 10): the free lock around every allocation and free.
 *	Reservations and the free count are under it too: 10's vm_reserv.c
 *	asserts vm_page_queue_free_mtx in vm_reserv_alloc_page() and
 *	vm_reserv_depopulate(), and vm_phys_freecnt_adj() changes
 *	cnt.v_free_count under it.
 *  pgcache (FreeBSD 12+): a page of an existing reservation is allocated
 *	and freed under that reservation's own mutex (r331369, D14707:
 *	vm_reserv_extend() in 12, part of vm_reserv_alloc_page() from 13;
 *	vm_reserv_free_page() -> vm_reserv_depopulate()), after taking it off
 *	the domain's free count with a compare-and-swap and no lock
 *	(vm_domain_allocate()).  The free lock is taken only where 12's
 *	vm_reserv.c and vm_page.c take it: carving a new reservation out of
 *	the free frames (vm_reserv_alloc_page()), returning an emptied one
 *	(vm_reserv_depopulate() at popcnt 0), breaking one (vm_reserv_reclaim()),
 *	and moving a bucket of pages that no reservation took between the
 *	free lists and a CPU's page cache (vmd_pgcache, rS331863:
 *	vm_page_zone_import() / vm_page_zone_release()).  The cache holds only
 *	pages of broken frames, as the kernel's holds only pages allocated
 *	outside reservations (vm_page_alloc_domain_after() tries the
 *	reservation first, and vm_page_free_toq() gives a reservation's page
 *	back to it).  A cache holds 2N pages, N = the batch size (design.batch;
 *	under --queue locked its default, 63).
 *
 * Not modelled (docs/design-page.md): vm_reserv_domain_lock, which guards
 * the partially populated queue and is taken by vm_reserv_populate() and
 * _depopulate() at most once a tick per reservation and when one fills or
 * empties; vm_reserv_object_lock around the object's reservation list;
 * the buddy allocator's orders; and vm_reserv_alloc_page()'s refusal to
 * reserve past the end of a vnode object (every object here may grow).
 *
 * --free colored (DragonFly's PQ_FREE colour sub-queues, no reservations)
 * is vm_phys_dfly.c: these entry points hand it the work; it keeps the
 * free count through vm_domain_allocate() and vm_domain_freecnt_inc() as
 * pgcache does (a compare-and-swap, an atomic add, no free lock).
 */
#include <stdlib.h>

#include "eng_alloc.h"
#include "vm_internal.h"

static void	vm_phys_free_locked(struct eng_cpu *c, struct vm_page *m);

static inline bool
vm_phys_pgcache(const struct vm_engine *e)
{
	return (e->design.free == ENG_FREE_PGCACHE);
}

/* rv_state and rv_popcnt (vm.h): plain values behind relaxed atomics. */
static inline uint8_t
vm_reserv_state(const struct vm_reserv *rv)
{
	return (atomic_load_explicit(&rv->rv_state, memory_order_relaxed));
}

static inline void
vm_reserv_set_state(struct vm_reserv *rv, uint8_t state)
{
	atomic_store_explicit(&rv->rv_state, state, memory_order_relaxed);
}

static inline uint32_t
vm_reserv_popcnt(const struct vm_reserv *rv)
{
	return (atomic_load_explicit(&rv->rv_popcnt, memory_order_relaxed));
}

static inline void
vm_reserv_set_popcnt(struct vm_reserv *rv, uint32_t popcnt)
{
	atomic_store_explicit(&rv->rv_popcnt, popcnt, memory_order_relaxed);
}

/*
 * (R) of vm.h held by this CPU: the reservation's lock under pgcache, the
 * free lock under global.
 */
#define vm_reserv_assert_locked(c, rv)					\
	ENG_KASSERT(eng_lock_held(&(c)->lk,				\
	    vm_phys_pgcache((c)->e) ? &(rv)->rv_lock :			\
	    &(c)->e->vmd.vmd_free_mtx),					\
	    "reservation %ju not locked by CPU %u",			\
	    (uintmax_t)((rv) - (c)->e->vm_reserv_array), (c)->slot)

int
vm_phys_init(struct vm_engine *e)
{
	struct vm_domain *vmd = &e->vmd;
	struct vm_reserv *rv;
	struct vm_page *m;
	uint64_t i;

	e->vm_page_array = eng_alloc(e->vm_page_array_size *
	    sizeof(struct vm_page));
	e->vm_reserv_array = eng_calloc(e->nframes, sizeof(struct vm_reserv));
	if (e->vm_page_array == NULL || e->vm_reserv_array == NULL)
		return (-1);
	eng_mtx_init(&vmd->vmd_free_mtx, LC_FREEQUEUE);
	TAILQ_INIT(&vmd->vmd_free_frames);
	TAILQ_INIT(&vmd->vmd_free_pages);
	for (i = 0; i < e->vm_page_array_size; i++) {
		m = &e->vm_page_array[i];
		m->phys_addr = (vm_paddr_t)i << PAGE_SHIFT;
		atomic_init(&m->object, NULL);
		m->pindex = 0;
		atomic_init(&m->ref_count, 0);
		atomic_init(&m->wire_count, 0);
		atomic_init(&m->a, VM_PAGE_A_MAKE(0, PQ_NONE, 0));
		atomic_init(&m->busy_lock, e->smr_lookups ? VPB_FREED :
		    VPB_UNBUSIED);
		atomic_init(&m->pstate, PS_FREE);
		m->flags = 0;
	}
	for (i = 0; i < e->nframes; i++) {
		rv = &e->vm_reserv_array[i];
		eng_mtx_init(&rv->rv_lock, LC_RESERV);
		atomic_init(&rv->rv_state, RV_FREE);
		atomic_init(&rv->rv_popcnt, 0);
		TAILQ_INSERT_TAIL(&vmd->vmd_free_frames, rv, rv_link);
	}
	vmd->vmd_nfree_frames = e->nframes;
	atomic_init(&vmd->vmd_free_count, (uint32_t)e->vm_page_array_size);
	if (e->design.free == ENG_FREE_COLORED)	/* vm_phys_dfly.c */
		return (vm_phys_dfly_init(e));
	return (0);
}

void
vm_phys_fini(struct vm_engine *e)
{
	free(e->vm_page_array);
	free(e->vm_reserv_array);
	vm_phys_dfly_fini(e);
}

int
vm_phys_cache_init(struct eng_cpu *c)
{
	c->pc = eng_calloc(2 * VM_BATCHQUEUE_MAX, sizeof(*c->pc));
	c->pc_cnt = 0;
	return (c->pc == NULL ? -1 : 0);
}

void
vm_phys_cache_fini(struct eng_cpu *c)
{
	free(c->pc);
}

static struct vm_reserv *
vm_reserv_of(struct vm_engine *e, struct vm_page *m)
{
	return (&e->vm_reserv_array[VM_PAGE_TO_INDEX(e, m) / NPDEPG]);
}

static struct vm_page *
vm_reserv_page(struct vm_engine *e, struct vm_reserv *rv, unsigned i)
{
	return (&e->vm_page_array[(uint64_t)(rv - e->vm_reserv_array) * NPDEPG +
	    i]);
}

/* ---------------------------------------------------------- free count */

/*
 * Is the free count changed without the free lock?  pgcache and colored
 * (vm_phys_dfly.c); global keeps it under the free lock.
 */
static inline bool
vm_domain_freecnt_atomic(const struct vm_engine *e)
{
	return (e->design.free != ENG_FREE_GLOBAL);
}

/*
 * vm_domain_allocate(): take n pages off the domain's free count; false,
 * changing nothing, when that would leave fewer than vmd_free_reserved
 * free: every model allocation is the kernel's VM_ALLOC_NORMAL class
 * (12.0+ vm_domain_allocate's `limit = vmd->vmd_free_reserved; limit +=
 * npages; if (old < limit) return (0)`; 10.x vm_page_alloc's `v_free_count
 * + v_cache_count > v_free_reserved`), and the model's page daemon
 * allocates nothing, so the VM_ALLOC_SYSTEM limit it would get is never
 * asked for.  The change is reported to the page daemon
 * (vm_domain_freecnt_adj).  pgcache and colored: a
 * compare-and-swap loop and no lock (FreeBSD 12+, vm_domain_allocate()'s
 * atomic_fcmpset_int on vmd_free_count; colored: docs/design-dragonfly.md).
 * global: the free lock is held (10's vm_phys_freecnt_adj()).
 */
bool
vm_domain_allocate(struct eng_cpu *c, uint32_t n)
{
	ENG_SITE_DEFINE;
	struct vm_domain *vmd = &c->e->vmd;
	uint32_t old, limit = vmd->vmd_free_reserved + n;

	if (!vm_domain_freecnt_atomic(c->e))
		vm_domain_free_assert_locked(c);
	old = atomic_load_explicit(&vmd->vmd_free_count, memory_order_relaxed);
	if (!vm_domain_freecnt_atomic(c->e)) {
		if (old < limit)
			return (false);
		atomic_store_explicit(&vmd->vmd_free_count, old - n,
		    memory_order_relaxed);
	} else {
		do {
			if (old < limit)
				return (false);
		} while (!eng_atomic_fcmpset_32(&c->lk, LC_FREEQUEUE,
		    ENG_HERE, &vmd->vmd_free_count, &old, old - n));
	}
	vm_domain_freecnt_adj(c, old, old - n);	/* the page daemon */
	return (true);
}

/*
 * vm_domain_freecnt_inc(): give n pages back to the free count.  pgcache
 * and colored: one atomic add, no lock; global: the free lock is held.
 * All report the change to the page daemon (vm_domain_freecnt_adj).
 */
void
vm_domain_freecnt_inc(struct eng_cpu *c, uint32_t n)
{
	struct vm_domain *vmd = &c->e->vmd;

	uint32_t old;

	if (!vm_domain_freecnt_atomic(c->e)) {
		vm_domain_free_assert_locked(c);
		old = atomic_load_explicit(&vmd->vmd_free_count,
		    memory_order_relaxed);
		atomic_store_explicit(&vmd->vmd_free_count, old + n,
		    memory_order_relaxed);
	} else
		old = eng_atomic_fetchadd_32(&c->lk, LC_FREEQUEUE,
		    &vmd->vmd_free_count, n);
	vm_domain_freecnt_adj(c, old, old + n);	/* the page daemon */
}

/* -------------------------------------------------------- reservations */

/* Is rv the reservation of (obj, ri)?  (R) is held. */
static bool
vm_reserv_owned_by(struct eng_cpu *c, struct vm_reserv *rv,
    struct vm_object *obj, vm_pindex_t ri)
{
	vm_reserv_assert_locked(c, rv);
	return (vm_reserv_state(rv) == RV_RESERVED && rv->rv_object == obj &&
	    rv->rv_gen == obj->gen && rv->rv_pindex == ri);
}

/*
 * vm_reserv_insert(): make rv, just taken off the free frames, the
 * reservation of (obj, ri).  (R) is held.
 */
static void
vm_reserv_insert(struct eng_cpu *c, struct vm_reserv *rv,
    struct vm_object *obj, vm_pindex_t ri)
{
	vm_reserv_assert_locked(c, rv);
	ENG_KASSERT(vm_reserv_popcnt(rv) == 0, "reservation %ju: carved "
	    "with %u pages allocated", (uintmax_t)(rv - c->e->vm_reserv_array),
	    vm_reserv_popcnt(rv));
	rv->rv_object = obj;
	rv->rv_gen = obj->gen;
	rv->rv_pindex = ri;
	vm_reserv_set_state(rv, RV_RESERVED);
}

/* vm_reserv_populate(): allocate rv's free page m.  (R) is held. */
static void
vm_reserv_populate(struct eng_cpu *c, struct vm_reserv *rv,
    struct vm_page *m)
{
	vm_reserv_assert_locked(c, rv);
	ENG_KASSERT(atomic_load_explicit(&m->pstate, memory_order_relaxed) ==
	    PS_FREE, "page %p (pa %#" PRIx64 "): populated while not free",
	    (void *)m, m->phys_addr);
	atomic_store_explicit(&m->pstate, PS_ALLOCATED, memory_order_relaxed);
	vm_reserv_set_popcnt(rv, vm_reserv_popcnt(rv) + 1);
}

/*
 * vm_reserv_depopulate() (pgcache): give m back to its reservation; an
 * emptied reservation goes back to the free frames under the free lock,
 * the one place this path takes it.  rv's lock is held.
 */
static void
vm_reserv_depopulate(struct eng_cpu *c, struct vm_reserv *rv,
    struct vm_page *m)
{
	ENG_SITE_DEFINE;
	struct vm_domain *vmd = &c->e->vmd;

	vm_reserv_assert_locked(c, rv);
	ENG_KASSERT(vm_reserv_popcnt(rv) > 0, "page %p (pa %#" PRIx64 "): "
	    "freed into a reservation with no page allocated", (void *)m,
	    m->phys_addr);
	atomic_store_explicit(&m->pstate, PS_FREE, memory_order_relaxed);
	vm_reserv_set_popcnt(rv, vm_reserv_popcnt(rv) - 1);
	if (vm_reserv_popcnt(rv) == 0) {
		/* vm_reserv_remove(), then vm_phys_free_pages(order 9). */
		rv->rv_object = NULL;
		vm_reserv_set_state(rv, RV_FREE);
		eng_mtx_lock(&c->lk, &vmd->vmd_free_mtx, ENG_HERE);
		TAILQ_INSERT_TAIL(&vmd->vmd_free_frames, rv, rv_link);
		vmd->vmd_nfree_frames++;
		eng_mtx_unlock(&c->lk, &vmd->vmd_free_mtx);
	}
	vm_domain_freecnt_inc(c, 1);
}

/*
 * vm_reserv_break(): the reservation (or a whole free frame, taken off the
 * free frames) ends; its free pages go to the single-page free list.  The
 * free lock is held, and for a reservation under pgcache rv's lock as well
 * (vm_reserv_reclaim()).
 */
static void
vm_reserv_break(struct eng_cpu *c, struct vm_reserv *rv)
{
	struct vm_engine *e = c->e;
	struct vm_page *m;
	unsigned i;

	vm_domain_free_assert_locked(c);
	if (vm_reserv_state(rv) == RV_RESERVED)
		vm_reserv_assert_locked(c, rv);
	vm_reserv_set_state(rv, RV_BROKEN);
	rv->rv_object = NULL;
	for (i = 0; i < NPDEPG; i++) {
		m = vm_reserv_page(e, rv, i);
		if (atomic_load_explicit(&m->pstate, memory_order_relaxed) ==
		    PS_FREE)
			TAILQ_INSERT_TAIL(&e->vmd.vmd_free_pages, m, freeq);
	}
}

/*
 * The partially populated reservation with the fewest pages, or NULL
 * (vm_reserv_reclaim_inactive()'s choice; the kernel takes the head of its
 * partially populated queue).  A hint: read without the reservations'
 * locks, rechecked by the caller under the lock.
 */
static struct vm_reserv *
vm_reserv_reclaim_pick(struct vm_engine *e)
{
	struct vm_reserv *rv, *best = NULL;
	uint32_t pop, bestpop = NPDEPG;
	uint64_t i;

	for (i = 0; i < e->nframes; i++) {
		rv = &e->vm_reserv_array[i];
		pop = vm_reserv_popcnt(rv);
		if (vm_reserv_state(rv) == RV_RESERVED && pop < bestpop) {
			best = rv;
			bestpop = pop;
		}
	}
	return (best);
}

/*
 * vm_reserv_reclaim_inactive() (pgcache): break a partially populated
 * reservation so its free pages can be used one by one.  Called with no
 * free lock held: takes the reservation's lock, then the free lock
 * (vm_reserv_reclaim() -> vm_reserv_break()).  True if one was broken.
 */
static bool
vm_reserv_reclaim_inactive(struct eng_cpu *c)
{
	ENG_SITE_DEFINE;
	struct vm_reserv *rv;
	bool ok;

	ENG_KASSERT(!eng_lock_held(&c->lk, &c->e->vmd.vmd_free_mtx),
	    "reservation reclaim with the free lock held by CPU %u", c->slot);
	if ((rv = vm_reserv_reclaim_pick(c->e)) == NULL)
		return (false);
	eng_mtx_lock(&c->lk, &rv->rv_lock, ENG_HERE);
	ok = vm_reserv_state(rv) == RV_RESERVED &&
	    vm_reserv_popcnt(rv) < NPDEPG;
	if (ok) {
		eng_mtx_lock(&c->lk, &c->e->vmd.vmd_free_mtx, ENG_HERE);
		vm_reserv_break(c, rv);
		eng_mtx_unlock(&c->lk, &c->e->vmd.vmd_free_mtx);
		c->st.reserv_breaks++;
	}
	eng_mtx_unlock(&c->lk, &rv->rv_lock);
	return (ok);
}

/* ------------------------------------------------------ the free lists */

/*
 * Take m, a free page of a broken frame, off the free list.  The free lock
 * is held.
 */
static void
vm_phys_take(struct eng_cpu *c, struct vm_page *m)
{
	struct vm_reserv *rv = vm_reserv_of(c->e, m);

	vm_domain_free_assert_locked(c);
	TAILQ_REMOVE(&c->e->vmd.vmd_free_pages, m, freeq);
	atomic_store_explicit(&m->pstate, PS_ALLOCATED, memory_order_relaxed);
	vm_reserv_set_popcnt(rv, vm_reserv_popcnt(rv) + 1);
}

/*
 * Order-0 allocation (vm_phys_alloc_pages): a page of a broken frame, else
 * break a whole free frame; under global, else break the reservation with
 * the fewest pages (10's vm_reserv_reclaim_inactive() runs under the free
 * lock; under pgcache the caller reclaims after dropping it).  The free
 * count was already taken.  The free lock is held.
 */
static struct vm_page *
vm_phys_alloc_single(struct eng_cpu *c)
{
	struct vm_engine *e = c->e;
	struct vm_domain *vmd = &e->vmd;
	struct vm_reserv *rv;
	struct vm_page *m;

	vm_domain_free_assert_locked(c);
	if (TAILQ_EMPTY(&vmd->vmd_free_pages)) {
		if ((rv = TAILQ_FIRST(&vmd->vmd_free_frames)) != NULL) {
			TAILQ_REMOVE(&vmd->vmd_free_frames, rv, rv_link);
			vmd->vmd_nfree_frames--;
			vm_reserv_break(c, rv);
		} else if (!vm_phys_pgcache(e) &&
		    (rv = vm_reserv_reclaim_pick(e)) != NULL) {
			vm_reserv_break(c, rv);
			c->st.reserv_breaks++;
		}
	}
	if ((m = TAILQ_FIRST(&vmd->vmd_free_pages)) == NULL)
		return (NULL);
	vm_phys_take(c, m);
	return (m);
}

/*
 * Return m to the free lists (vm_phys_free_pages): to the single-page list
 * if its frame is broken; a frame with no page left allocated becomes free
 * as a whole.  Under pgcache only pages of broken frames come here (a
 * reservation's pages go back through vm_reserv_depopulate()).  The free
 * count is the caller's.  The free lock is held.
 */
static void
vm_phys_free_locked(struct eng_cpu *c, struct vm_page *m)
{
	struct vm_engine *e = c->e;
	struct vm_domain *vmd = &e->vmd;
	struct vm_reserv *rv = vm_reserv_of(e, m);
	unsigned i;

	vm_domain_free_assert_locked(c);
	ENG_KASSERT(vm_reserv_popcnt(rv) > 0, "page %p (pa %#" PRIx64 "): "
	    "freed into a frame with no page allocated", (void *)m,
	    m->phys_addr);
	ENG_KASSERT(!vm_phys_pgcache(e) || vm_reserv_state(rv) == RV_BROKEN,
	    "page %p (pa %#" PRIx64 "): a reservation's page on the free "
	    "lists", (void *)m, m->phys_addr);
	atomic_store_explicit(&m->pstate, PS_FREE, memory_order_relaxed);
	vm_reserv_set_popcnt(rv, vm_reserv_popcnt(rv) - 1);
	if (vm_reserv_state(rv) == RV_BROKEN) {
		TAILQ_INSERT_TAIL(&vmd->vmd_free_pages, m, freeq);
		if (vm_reserv_popcnt(rv) != 0)
			return;
		for (i = 0; i < NPDEPG; i++)
			TAILQ_REMOVE(&vmd->vmd_free_pages,
			    vm_reserv_page(e, rv, i), freeq);
	} else if (vm_reserv_popcnt(rv) != 0)
		return;
	vm_reserv_set_state(rv, RV_FREE);
	rv->rv_object = NULL;
	TAILQ_INSERT_TAIL(&vmd->vmd_free_frames, rv, rv_link);
	vmd->vmd_nfree_frames++;
}

/* ------------------------------------------------------------ allocation */

/*
 * FreeBSD 10's vm_page_alloc() (--free global): everything under the free
 * lock: the free count, the object's reservation (vm_reserv_alloc_page()),
 * else a single page.  The object is write-locked.
 */
static struct vm_page *
vm_phys_alloc_global(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex)
{
	ENG_SITE_DEFINE;
	struct vm_engine *e = c->e;
	struct vm_domain *vmd = &e->vmd;
	vm_pindex_t ri = pindex >> (PDRSHIFT - PAGE_SHIFT);
	unsigned off = (unsigned)(pindex & (NPDEPG - 1));
	struct vm_reserv *rv;
	struct vm_page *m = NULL;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	eng_mtx_lock(&c->lk, &vmd->vmd_free_mtx, ENG_HERE);
	if (!vm_domain_allocate(c, 1)) {
		eng_mtx_unlock(&c->lk, &vmd->vmd_free_mtx);
		return (NULL);
	}
	rv = vm_phash_lookup(&obj->rvs, ri);
	if (rv != NULL && vm_reserv_owned_by(c, rv, obj, ri)) {
		m = vm_reserv_page(e, rv, off);
		if (atomic_load_explicit(&m->pstate, memory_order_relaxed) ==
		    PS_FREE)
			vm_reserv_populate(c, rv, m);
		else
			m = NULL;
	} else if ((rv = TAILQ_FIRST(&vmd->vmd_free_frames)) != NULL) {
		TAILQ_REMOVE(&vmd->vmd_free_frames, rv, rv_link);
		vmd->vmd_nfree_frames--;
		vm_reserv_insert(c, rv, obj, ri);
		m = vm_reserv_page(e, rv, off);
		vm_reserv_populate(c, rv, m);
		if (vm_phash_insert(c, &obj->rvs, ri, rv) != 0)
			ENG_PANIC("out of memory");
	}
	if (m == NULL && (m = vm_phys_alloc_single(c)) == NULL)
		vm_domain_freecnt_inc(c, 1);
	eng_mtx_unlock(&c->lk, &vmd->vmd_free_mtx);
	return (m);
}

/*
 * FreeBSD 12+'s reservation allocation (--free pgcache): the page of
 * (obj, pindex) in the object's existing reservation, under that
 * reservation's lock alone (12's vm_reserv_extend(); 13+ vm_reserv_alloc_page()
 * for an existing reservation); without one, a new reservation carved
 * from the free frames under the free lock and populated under its own
 * lock (vm_reserv_alloc_page()).  NULL when the reservation exists but
 * cannot give the page, or no frame is free.  The object is write-locked.
 */
static struct vm_page *
vm_reserv_alloc_page(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex)
{
	ENG_SITE_DEFINE;
	struct vm_engine *e = c->e;
	struct vm_domain *vmd = &e->vmd;
	vm_pindex_t ri = pindex >> (PDRSHIFT - PAGE_SHIFT);
	unsigned off = (unsigned)(pindex & (NPDEPG - 1));
	struct vm_reserv *rv;
	struct vm_page *m;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	if ((rv = vm_phash_lookup(&obj->rvs, ri)) != NULL) {
		eng_mtx_lock(&c->lk, &rv->rv_lock, ENG_HERE);
		/* Handle reclaim race: the entry may be stale. */
		if (vm_reserv_owned_by(c, rv, obj, ri)) {
			m = vm_reserv_page(e, rv, off);
			if (atomic_load_explicit(&m->pstate,
			    memory_order_relaxed) == PS_FREE &&
			    vm_domain_allocate(c, 1))
				vm_reserv_populate(c, rv, m);
			else
				m = NULL;
			eng_mtx_unlock(&c->lk, &rv->rv_lock);
			return (m);
		}
		eng_mtx_unlock(&c->lk, &rv->rv_lock);
	}
	if (!vm_domain_allocate(c, 1))
		return (NULL);
	eng_mtx_lock(&c->lk, &vmd->vmd_free_mtx, ENG_HERE);
	if ((rv = TAILQ_FIRST(&vmd->vmd_free_frames)) != NULL) {
		TAILQ_REMOVE(&vmd->vmd_free_frames, rv, rv_link);
		vmd->vmd_nfree_frames--;
	}
	eng_mtx_unlock(&c->lk, &vmd->vmd_free_mtx);
	if (rv == NULL) {
		vm_domain_freecnt_inc(c, 1);
		return (NULL);
	}
	eng_mtx_lock(&c->lk, &rv->rv_lock, ENG_HERE);
	vm_reserv_insert(c, rv, obj, ri);
	m = vm_reserv_page(e, rv, off);
	vm_reserv_populate(c, rv, m);
	eng_mtx_unlock(&c->lk, &rv->rv_lock);
	if (vm_phash_insert(c, &obj->rvs, ri, rv) != 0)
		ENG_PANIC("out of memory");
	return (m);
}

/*
 * Give the top n pages of this CPU's page cache back to the free lists
 * under one free-lock acquisition (a bucket: vm_page_zone_release()),
 * then to the free count.  pgcache.
 */
static void
vm_phys_pgcache_release(struct eng_cpu *c, int n)
{
	ENG_SITE_DEFINE;
	struct vm_domain *vmd = &c->e->vmd;
	int i;

	if (n == 0)
		return;
	eng_mtx_lock(&c->lk, &vmd->vmd_free_mtx, ENG_HERE);
	for (i = c->pc_cnt - n; i < c->pc_cnt; i++)
		vm_phys_free_locked(c, c->pc[i]);
	eng_mtx_unlock(&c->lk, &vmd->vmd_free_mtx);
	c->pc_cnt -= n;
	vm_domain_freecnt_inc(c, (uint32_t)n);
}

/*
 * A page that no reservation gave (--free pgcache): from this CPU's page
 * cache (uma_zalloc(vmd_pgcache), no lock), refilled with a bucket of N
 * pages under one free-lock acquisition when N pages are free
 * (vm_page_zone_import()); else one page under the free lock
 * (vm_page_alloc_domain_after()'s vm_phys_alloc_pages()).  NULL when no
 * single page is free.  No free lock held.
 */
static struct vm_page *
vm_phys_pgcache_alloc(struct eng_cpu *c)
{
	ENG_SITE_DEFINE;
	struct vm_domain *vmd = &c->e->vmd;
	int n = (int)c->e->design.batch, i;
	struct vm_page *m;

	ENG_KASSERT(!eng_lock_held(&c->lk, &vmd->vmd_free_mtx),
	    "page cache refill with the free lock held by CPU %u", c->slot);
	if (c->pc_cnt == 0 && vm_domain_allocate(c, (uint32_t)n)) {
		eng_mtx_lock(&c->lk, &vmd->vmd_free_mtx, ENG_HERE);
		for (i = 0; i < n && (m = vm_phys_alloc_single(c)) != NULL;
		    i++) {
			atomic_store_explicit(&m->pstate, PS_CACHED,
			    memory_order_relaxed);
			c->pc[c->pc_cnt++] = m;
		}
		eng_mtx_unlock(&c->lk, &vmd->vmd_free_mtx);
		if (i < n)
			vm_domain_freecnt_inc(c, (uint32_t)(n - i));
	}
	if (c->pc_cnt > 0) {
		m = c->pc[--c->pc_cnt];
		atomic_store_explicit(&m->pstate, PS_ALLOCATED,
		    memory_order_relaxed);
		return (m);
	}
	if (!vm_domain_allocate(c, 1))
		return (NULL);
	eng_mtx_lock(&c->lk, &vmd->vmd_free_mtx, ENG_HERE);
	m = vm_phys_alloc_single(c);
	eng_mtx_unlock(&c->lk, &vmd->vmd_free_mtx);
	if (m == NULL)
		vm_domain_freecnt_inc(c, 1);
	return (m);
}

/*
 * A free page for obj at pindex: its reservation slot (an existing or a
 * new reservation), else a single page (under pgcache through the CPU's
 * page cache, breaking a partially populated reservation if no single
 * page is left).  The object must be write-locked (its reservation table
 * is (O)).  Locks by free design: see the top of this file.
 *
 * NULL when memory is exhausted: vm_page_alloc() then reclaims and
 * retries.
 */
struct vm_page *
vm_phys_alloc(struct eng_cpu *c, struct vm_object *obj, vm_pindex_t pindex)
{
	struct vm_page *m;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	if (c->e->design.free == ENG_FREE_COLORED)
		return (vm_phys_dfly_alloc(c, obj, pindex));
	if (!vm_phys_pgcache(c->e))
		return (vm_phys_alloc_global(c, obj, pindex));
	if ((m = vm_reserv_alloc_page(c, obj, pindex)) != NULL ||
	    (m = vm_phys_pgcache_alloc(c)) != NULL)
		return (m);
	if (vm_reserv_reclaim_inactive(c) &&
	    (m = vm_phys_pgcache_alloc(c)) != NULL)
		return (m);
	return (NULL);
}

/* ------------------------------------------------------------ freeing */

/*
 * vm_phys_cache_flush(): return this CPU's page cache to the free lists
 * (memory shortage, quiesce).  pgcache; a no-op under global.
 */
void
vm_phys_cache_flush(struct eng_cpu *c)
{
	vm_phys_pgcache_release(c, c->pc_cnt);
}

/*
 * Free a page that has no reference, object or mapping left
 * (vm_page_free_toq()).  global: to the free lists under the free lock.
 * pgcache: a reservation's page goes back to it under its lock
 * (vm_reserv_free_page(): a racy look at the reservation, rechecked under
 * the lock); any other page into this CPU's page cache, whose full
 * bucket goes back under one free-lock acquisition (uma_zfree).
 */
void
vm_phys_free(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	struct vm_engine *e = c->e;
	struct vm_reserv *rv = vm_reserv_of(e, m);

	if (e->design.free == ENG_FREE_COLORED) {
		vm_phys_dfly_free(c, m);
		return;
	}
	if (!vm_phys_pgcache(e)) {
		eng_mtx_lock(&c->lk, &e->vmd.vmd_free_mtx, ENG_HERE);
		vm_phys_free_locked(c, m);
		vm_domain_freecnt_inc(c, 1);
		eng_mtx_unlock(&c->lk, &e->vmd.vmd_free_mtx);
		return;
	}
	if (vm_reserv_state(rv) == RV_RESERVED) {
		eng_mtx_lock(&c->lk, &rv->rv_lock, ENG_HERE);
		/* Re-validate: a reclaim may have broken it meanwhile. */
		if (vm_reserv_state(rv) == RV_RESERVED) {
			vm_reserv_depopulate(c, rv, m);
			eng_mtx_unlock(&c->lk, &rv->rv_lock);
			return;
		}
		eng_mtx_unlock(&c->lk, &rv->rv_lock);
	}
	if (c->pc_cnt == 2 * (int)e->design.batch)
		vm_phys_pgcache_release(c, (int)e->design.batch);
	atomic_store_explicit(&m->pstate, PS_CACHED, memory_order_relaxed);
	c->pc[c->pc_cnt++] = m;
}

/*
 * Free-memory invariants (single-threaded, caches flushed): frame
 * population counts, free count, free-list membership.
 */
uint64_t
vm_phys_check(struct vm_engine *e, FILE *out)
{
	struct vm_domain *vmd = &e->vmd;
	struct vm_reserv *rv;
	struct vm_page *m;
	uint64_t i, nfree = 0, nlisted = 0, bad = 0, frames = 0, count;
	unsigned j, alloc, freepg;
	uint8_t st;

	if (e->design.free == ENG_FREE_COLORED)
		return (vm_phys_dfly_check(e, out));
	for (i = 0; i < e->nframes; i++) {
		rv = &e->vm_reserv_array[i];
		alloc = freepg = 0;
		for (j = 0; j < NPDEPG; j++) {
			m = vm_reserv_page(e, rv, j);
			st = atomic_load_explicit(&m->pstate,
			    memory_order_relaxed);
			if (st == PS_ALLOCATED)
				alloc++;
			else if (st == PS_FREE)
				freepg++;
			else {
				fprintf(out, "page %#jx: still in a page cache "
				    "after quiesce\n", (uintmax_t)m->phys_addr);
				bad++;
			}
		}
		nfree += freepg;
		if (alloc != vm_reserv_popcnt(rv)) {
			fprintf(out, "frame %ju: %u pages allocated, "
			    "popcnt %u\n", (uintmax_t)i, alloc,
			    vm_reserv_popcnt(rv));
			bad++;
		}
		if (vm_reserv_state(rv) == RV_FREE && alloc != 0) {
			fprintf(out, "frame %ju: free with %u pages "
			    "allocated\n", (uintmax_t)i, alloc);
			bad++;
		}
	}
	TAILQ_FOREACH(rv, &vmd->vmd_free_frames, rv_link) {
		frames++;
		if (vm_reserv_state(rv) != RV_FREE) {
			fprintf(out, "frame %ju on the free-frame list in "
			    "state %u\n", (uintmax_t)(rv - e->vm_reserv_array),
			    vm_reserv_state(rv));
			bad++;
		}
	}
	TAILQ_FOREACH(m, &vmd->vmd_free_pages, freeq) {
		nlisted++;
		if (atomic_load_explicit(&m->pstate, memory_order_relaxed) !=
		    PS_FREE || vm_reserv_state(vm_reserv_of(e, m)) !=
		    RV_BROKEN) {
			fprintf(out, "page %#jx: on the free list but not a "
			    "free page of a broken frame\n",
			    (uintmax_t)m->phys_addr);
			bad++;
		}
	}
	count = atomic_load_explicit(&vmd->vmd_free_count,
	    memory_order_relaxed);
	if (frames != vmd->vmd_nfree_frames || nfree != count) {
		fprintf(out, "free memory: %ju free frames listed (count %ju), "
		    "%ju free pages (count %ju)\n", (uintmax_t)frames,
		    (uintmax_t)vmd->vmd_nfree_frames, (uintmax_t)nfree,
		    (uintmax_t)count);
		bad++;
	}
	return (bad);
}
