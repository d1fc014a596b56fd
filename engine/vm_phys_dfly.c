/*
 * vm_phys_dfly.c - --free colored: DragonFly BSD 5.6's free pages (VM
 * rework part 12, commit e3c330f0, May 2019; sys/vm/vm_page.c
 * vm_page_alloc, vm_page_select_free, _vm_page_list_find,
 * _vm_page_list_find_wide, vm_page_free_toq).  Free pages sit on PQ_L2_SIZE
 * PQ_FREE sub-queues, a page on the one of its colour m->pc, each
 * sub-queue with its own spinlock; there are no superpage reservations
 * and no per-CPU caches.  PQ_L2_SIZE is the colour count of --queue
 * colored:N (design.colors, 1024 unless set).
 *
 * Allocation (vm_page_alloc -> vm_page_select_free -> _vm_page_list_find,
 * as read in mneumann/DragonFlyBSD sys/vm/vm_page.c at 89986e03, a tree
 * after e3c330f0): the wanted colour is vm_get_pg_color(cpu, object,
 * pindex): this CPU's share of the colours (one socket; PQ_L2_SIZE / ncpus
 * colours per core) plus (pindex + object->pg_color) within it.  The
 * sub-queue of that colour is tried first, and a page there clears its
 * vpq.lastq; else _vm_page_list_find_wide() widens the search in aligned
 * sets of 16, 32, ... up to every sub-queue, starting at lastq if an
 * earlier search set it, else at the colour itself, each index visited
 * once; a page found after 8 or more sub-queues were looked at sets the
 * colour's lastq to its sub-queue.  An empty sub-queue is passed over on
 * an unlocked look at its count, as DragonFly's TAILQ_FIRST() peek; a
 * non-empty one is spinlocked and its first page whose spinlock can be
 * tried (spin_trylock) is taken, or the sub-queue passed over if none.
 * Freeing (vm_page_free_toq -> _vm_page_add_queue_spinlocked(m, PQ_FREE +
 * m->pc, 0)) links the page at the head of its colour's sub-queue, under
 * the page's spinlock and then the sub-queue's.
 *
 * Differences, in docs/design-dragonfly.md: object->pg_color
 * (vm_quickcolor() at the object's creation: the creating thread's
 * address and a per-CPU counter stepped by PQ_PRIME2) is a hash of the
 * object slot; VM_ALLOC_NORMAL's vm_page_select_free_or_cache(), which
 * searches PQ_CACHE beside PQ_FREE (_vm_page_list_find2()), is modelled
 * as vm_page_select_free(): the model has no cache pages.
 *
 * bio_page_alloc()'s randomised colour (e3c330f0; as read in a later tree,
 * sys/kern/vfs_bio.c: vm_page_alloc() with VM_ALLOC_CPU((gd_cpuid +
 * ticks) % ncpus), which vm_page_alloc() hands to vm_get_pg_color() in
 * place of mycpu) is not modelled: it serves the buffer cache (allocbuf(),
 * vm_hold_load_pages()), and no event kind is a buffer-cache allocation.
 * page_insert is any page-cache insertion (read, write, a fault's
 * read-ahead), page_lookup a read batch (fault-around's allocates nothing:
 * engine.c eng_ev_fault_around()), map a fault,
 * sendfile's own pages come from vm_page_alloc() in kern_sendfile(): all
 * allocate with the worker's own colours, as vm_page_alloc() without
 * VM_ALLOC_CPU does (test_dragonfly_free.c).
 */
#include <stdlib.h>

#include "eng_alloc.h"
#include "vm_internal.h"

#define PQ_SET_ASSOC		16	/* set_assoc_mask + 1, DragonFly vm_page.c */
#define PQ_SET_ASSOC_MASK	(PQ_SET_ASSOC - 1)

/*
 * One PQ_FREE sub-queue (struct vpgqueues).  (S): its spinlock fq_spin.
 * fq_cnt is written under it and read without it by the peek (lcnt);
 * fq_lastq is DragonFly's racy hint, read and written without a lock.
 */
struct vm_dfly_freeq {
	_Alignas(ENG_CACHE_LINE) struct eng_mtx fq_spin;
	struct pglist	fq_pl;		/* (S) linked through m->freeq */
	_Atomic uint64_t fq_cnt;	/* (S) to write, (a) to read */
	_Atomic int	fq_lastq;	/* (a) far-afield sub-queue, or -1 */
};

struct vm_dfly_free {
	unsigned	n;		/* (C) PQ_L2_SIZE */
	struct vm_dfly_freeq q[];	/* (C) each as above */
};

/* The sub-queue of colour i. */
static struct vm_dfly_freeq *
vm_dfly_freeq(struct vm_engine *e, unsigned i)
{
	return (&e->vmd.vmd_dfly_free->q[i]);
}

/*
 * vm_page_queue_init() and vm_add_new_page() for PQ_FREE: every page at
 * the head of its colour's sub-queue, in ascending physical order.  At
 * eng_create(), alone.  Returns 0 or -1 (out of memory).
 */
int
vm_phys_dfly_init(struct vm_engine *e)
{
	struct vm_dfly_free *f;
	struct vm_dfly_freeq *fq;
	struct vm_page *m;
	unsigned i, n = e->design.colors;
	uint64_t p;

	f = eng_alloc(sizeof(*f) + (size_t)n * sizeof(f->q[0]));
	if (f == NULL)
		return (-1);
	f->n = n;
	e->vmd.vmd_dfly_free = f;
	for (i = 0; i < n; i++) {
		fq = vm_dfly_freeq(e, i);
		eng_mtx_init(&fq->fq_spin, LC_FREEQUEUE);
		TAILQ_INIT(&fq->fq_pl);
		atomic_init(&fq->fq_cnt, 0);
		atomic_init(&fq->fq_lastq, -1);
	}
	for (p = 0; p < e->vm_page_array_size; p++) {
		m = &e->vm_page_array[p];
		fq = vm_dfly_freeq(e, vm_page_color_n(m, n));
		TAILQ_INSERT_HEAD(&fq->fq_pl, m, freeq);
		atomic_store_explicit(&fq->fq_cnt, atomic_load_explicit(
		    &fq->fq_cnt, memory_order_relaxed) + 1,
		    memory_order_relaxed);
	}
	return (0);
}

/* At eng_destroy(), alone. */
void
vm_phys_dfly_fini(struct vm_engine *e)
{
	free(e->vmd.vmd_dfly_free);
	e->vmd.vmd_dfly_free = NULL;
}

/*
 * Look at sub-queue i as _vm_page_list_find() and
 * _vm_page_list_find_wide() do (sys/vm/vm_page.c of mneumann/DragonFlyBSD
 * at 89986e03, after e3c330f0): pass it over if it is empty on an unlocked
 * peek (TAILQ_FIRST(&pq->pl); here its count), else spin_lock() it and take
 * the first page whose spinlock spin_trylock() gets, passing over a page
 * whose spinlock is held (a page being freed or, under --page pagelock,
 * one sharing a held lock of the array).  The page, with both spinlocks held, is then dequeued
 * (_vm_page_rem_queue_spinlocked(), which drops the sub-queue's) and,
 * once busied, its spinlock dropped (vm_page_select_free()).  A free page
 * is never busy in the model, so vm_page_select_free()'s
 * deactivate-and-retry of a busy one does not arise.  NULL if no page was
 * taken.  *steps counts the sub-queues looked at.  Takes and drops the
 * sub-queue's spinlock and tries page spinlocks inside it.
 */
static struct vm_page *
vm_dfly_take(struct eng_cpu *c, unsigned i, uint64_t *steps)
{
	ENG_SITE_DEFINE;
	struct vm_dfly_freeq *fq = vm_dfly_freeq(c->e, i);
	struct vm_page *m;

	(*steps)++;
	if (atomic_load_explicit(&fq->fq_cnt, memory_order_relaxed) == 0)
		return (NULL);
	eng_mtx_lock(&c->lk, &fq->fq_spin, ENG_HERE);
	TAILQ_FOREACH(m, &fq->fq_pl, freeq) {
		if (!vm_page_trylock(c, m))
			continue;
		TAILQ_REMOVE(&fq->fq_pl, m, freeq);
		atomic_store_explicit(&fq->fq_cnt, atomic_load_explicit(
		    &fq->fq_cnt, memory_order_relaxed) - 1,
		    memory_order_relaxed);
		atomic_store_explicit(&m->pstate, PS_ALLOCATED,
		    memory_order_relaxed);
		eng_mtx_unlock(&c->lk, &fq->fq_spin);
		vm_page_unlock(c, m);
		return (m);
	}
	eng_mtx_unlock(&c->lk, &fq->fq_spin);
	return (NULL);
}

/*
 * _vm_page_list_find_wide() (89986e03): the search widened from index, or
 * from *lastp, the wanted colour's lastq, if that is set ("avoid
 * re-searching empty queues over and over again").  Aligned sets of 16,
 * 32, ... up to every sub-queue around that start: the first set from the
 * start itself onwards, wrapping within the set (so with no lastq the
 * wanted colour's sub-queue is looked at again), each later one the half
 * of the doubled set not yet seen, in ascending order; each index is
 * visited once.  If 8 or more sub-queues were looked at before the one
 * that gave the page ("if we had to wander too far", count >= 8), that
 * sub-queue is stored in *lastp (counted free_far_afield); a page from the
 * lastq sub-queue itself is counted free_lastq_hits.  The kernel's count
 * also steps once over a skipped index when a set ends part way (only
 * past the first 16, where it is already 8 or more).  No lock held; takes
 * and drops sub-queue spinlocks and tries page spinlocks.
 */
static struct vm_page *
vm_dfly_list_find_wide(struct eng_cpu *c, unsigned index, _Atomic int *lastp,
    uint64_t *steps)
{
	struct vm_dfly_free *f = c->e->vmd.vmd_dfly_free;
	struct vm_page *m;
	unsigned first = PQ_SET_ASSOC_MASK & (f->n - 1), pqmask, prev, i, pqi;
	unsigned count = 0;
	int lastq;

	if ((lastq = atomic_load_explicit(lastp, memory_order_relaxed)) >= 0)
		index = (unsigned)lastq;
	for (pqmask = prev = first;; prev = pqmask, pqmask = (pqmask << 1) | 1) {
		for (i = 0; i <= pqmask; i++) {
			pqi = (index & ~pqmask) | ((index + i) & pqmask);
			if (pqmask != first &&
			    (pqi & ~prev) == (index & ~prev))
				continue;	/* in the set seen before */
			if ((m = vm_dfly_take(c, pqi, steps)) != NULL) {
				if (count == 0 && lastq >= 0)
					c->st.free_lastq_hits++;
				if (count >= 8) {
					atomic_store_explicit(lastp, (int)pqi,
					    memory_order_relaxed);
					c->st.free_far_afield++;
				}
				return (m);
			}
			count++;
		}
		if (pqmask == f->n - 1)
			return (NULL);
	}
}

/*
 * _vm_page_list_find(PQ_FREE, index) (89986e03): the wanted colour's
 * sub-queue, whose page clears its lastq (pq->lastq = -1); else the
 * widened search.  No lock held; takes and drops sub-queue spinlocks and
 * tries page spinlocks.
 */
static struct vm_page *
vm_dfly_list_find(struct eng_cpu *c, unsigned index, uint64_t *steps)
{
	struct vm_dfly_freeq *fq = vm_dfly_freeq(c->e, index);
	struct vm_page *m;

	if ((m = vm_dfly_take(c, index, steps)) != NULL) {
		atomic_store_explicit(&fq->fq_lastq, -1, memory_order_relaxed);
		return (m);
	}
	return (vm_dfly_list_find_wide(c, index, &fq->fq_lastq, steps));
}

/*
 * vm_get_pg_color(): this CPU's range of colours, and within it pindex
 * plus the object's colour.  The colours are shared among the workers'
 * CPUs (nslots): the page daemon's model CPU, cpus[nslots], allocates
 * nothing, and DragonFly's pageout thread has no CPU of its own.  No lock.
 */
static unsigned
vm_dfly_pg_color(struct eng_cpu *c, struct vm_object *obj, vm_pindex_t pindex)
{
	unsigned n = c->e->vmd.vmd_dfly_free->n, ncpus = c->e->params.nslots;
	unsigned grp = n / ncpus > 0 ? n / ncpus : 1;

	return ((unsigned)((c->slot * grp +
	    (pindex + vm_object_pg_color(obj)) % grp) % n));
}

/*
 * vm_page_alloc() -> vm_page_select_free() of a free page (see the file
 * comment), after taking it off the free count (vm_domain_allocate(): a
 * compare-and-swap, reported to the page daemon); given back if no
 * sub-queue has a page.  The object is write-locked, as for
 * vm_phys_alloc(); takes and drops sub-queue spinlocks and tries page
 * spinlocks inside them.  NULL when no page is free.
 */
struct vm_page *
vm_phys_dfly_alloc(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex)
{
	struct vm_page *m;
	uint64_t steps = 0;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	if (!vm_domain_allocate(c, 1))
		return (NULL);
	m = vm_dfly_list_find(c, vm_dfly_pg_color(c, obj, pindex), &steps);
	c->st.free_find_steps += steps;
	if (m == NULL)
		vm_domain_freecnt_inc(c, 1);
	return (m);
}

/*
 * vm_page_free_toq(): the page, with no reference, object or mapping
 * left, goes to the head of its colour's sub-queue, under the page's
 * spinlock (taken here unless the caller holds it: --page pagelock) and
 * the sub-queue's, nested in that order as in the kernel; then back on the
 * free count (vm_domain_freecnt_inc(): an atomic add, reported to the page
 * daemon).  Takes and drops them.
 */
void
vm_phys_dfly_free(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	struct vm_dfly_freeq *fq = vm_dfly_freeq(c->e,
	    vm_page_color_n(m, c->e->vmd.vmd_dfly_free->n));
	bool spin = !eng_lock_held(&c->lk, vm_page_lockptr(c, m));

	if (spin)
		vm_page_lock(c, m);
	eng_mtx_lock(&c->lk, &fq->fq_spin, ENG_HERE);
	atomic_store_explicit(&m->pstate, PS_FREE, memory_order_relaxed);
	TAILQ_INSERT_HEAD(&fq->fq_pl, m, freeq);
	atomic_store_explicit(&fq->fq_cnt, atomic_load_explicit(&fq->fq_cnt,
	    memory_order_relaxed) + 1, memory_order_relaxed);
	eng_mtx_unlock(&c->lk, &fq->fq_spin);
	if (spin)
		vm_page_unlock(c, m);
	vm_domain_freecnt_inc(c, 1);
}

/*
 * Free-memory invariants (single-threaded, after eng_quiesce()): every
 * page on a sub-queue is free and of that sub-queue's colour, each count
 * matches its list, every free page is on one and counted in the free
 * count, a lastq names a sub-queue.
 */
uint64_t
vm_phys_dfly_check(struct vm_engine *e, FILE *out)
{
	struct vm_dfly_free *f = e->vmd.vmd_dfly_free;
	struct vm_dfly_freeq *fq;
	struct vm_page *m;
	uint64_t p, cnt, count, listed = 0, nfree = 0, bad = 0;
	unsigned i;
	int lastq;

	for (i = 0; i < f->n; i++) {
		fq = vm_dfly_freeq(e, i);
		cnt = 0;
		TAILQ_FOREACH(m, &fq->fq_pl, freeq) {
			cnt++;
			if (atomic_load_explicit(&m->pstate,
			    memory_order_relaxed) != PS_FREE ||
			    vm_page_color_n(m, f->n) != i) {
				fprintf(out, "page %#jx: on free sub-queue %u "
				    "but colour %u, state %u\n",
				    (uintmax_t)m->phys_addr, i,
				    vm_page_color_n(m, f->n),
				    atomic_load_explicit(&m->pstate,
				    memory_order_relaxed));
				bad++;
			}
		}
		listed += cnt;
		if (cnt != atomic_load_explicit(&fq->fq_cnt,
		    memory_order_relaxed)) {
			fprintf(out, "free sub-queue %u: %ju pages linked, "
			    "count %ju\n", i, (uintmax_t)cnt, (uintmax_t)
			    atomic_load_explicit(&fq->fq_cnt,
			    memory_order_relaxed));
			bad++;
		}
		lastq = atomic_load_explicit(&fq->fq_lastq,
		    memory_order_relaxed);
		if (lastq < -1 || lastq >= (int)f->n) {
			fprintf(out, "free sub-queue %u: lastq %d\n", i, lastq);
			bad++;
		}
	}
	for (p = 0; p < e->vm_page_array_size; p++)
		nfree += atomic_load_explicit(&e->vm_page_array[p].pstate,
		    memory_order_relaxed) == PS_FREE;
	count = atomic_load_explicit(&e->vmd.vmd_free_count,
	    memory_order_relaxed);
	if (nfree != listed || nfree != count) {
		fprintf(out, "free memory: %ju free pages, %ju on the free "
		    "sub-queues (count %ju)\n", (uintmax_t)nfree,
		    (uintmax_t)listed, (uintmax_t)count);
		bad++;
	}
	return (bad);
}
