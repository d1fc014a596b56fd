/*
 * vm_pagequeue_dfly.c - --queue colored:N: DragonFly BSD 5.6 (VM rework
 * parts 11-12, commit e3c330f0, May 2019; sys/vm/vm_page.c, vm_page.h,
 * vm_page2.h).  Each queue is PQ_L2_SIZE = N sub-queues (1024 after
 * e3c330f0, 2048 before), each with its own spinlock; a page lives on the
 * sub-queue of its colour m->pc (vm_page_color(), vm.h), fixed by its
 * physical address.  Every page has its own spinlock (m->spin, the
 * model's page lock under this design: vm_page_lockptr()).  Queue
 * operations are synchronous: vm_page_activate() / _deactivate() /
 * _unqueue() take the page's spinlock and then its sub-queue's
 * (vm_page_spin_lock(m), _vm_page_queue_spin_lock(m), then
 * _vm_page_rem_queue_spinlocked / _vm_page_add_queue_spinlocked).
 *
 * What differs from --queue locked: the sub-queue and page locks, the
 * unlocked act_count heuristic of e3c330f0 (vm_page_activate() of a page
 * already active only raises act_count, with no lock), and wiring that
 * leaves the queues alone (DragonFly's vm_page_wire() does not dequeue;
 * the page daemon dequeues a wired page it finds, vm_pageout.c).  Free
 * pages are the free path's (--free colored: DragonFly's PQ_FREE
 * sub-queues, vm_phys_dfly.c); PQ_CACHE and PQ_HOLD are not modelled.
 * docs/design-dragonfly.md says what is left out.
 */
#include <stdlib.h>

#include "eng_alloc.h"
#include "vm_internal.h"

/*
 * Allocate and initialise the sub-queues (vm_page_queue_init(): one
 * spinlock and list per sub-queue; each lock is counted in its queue's
 * lock instance, vm_dom[0].inactive ..., as DragonFly gives every
 * sub-queue's spinlock one name) and the per-page spinlocks
 * (vm_page_startup(): spin_init(&m->spin)).  At eng_create(), alone.
 */
static int
vm_pq_dfly_init(struct vm_engine *e)
{
	struct vm_domain *vmd = &e->vmd;
	struct vm_pagequeue *pq;
	unsigned n = e->design.colors, q, i;
	uint64_t p;

	vmd->vmd_subq = eng_alloc((size_t)PQ_COUNT * n *
	    sizeof(*vmd->vmd_subq));
	e->vm_page_spin = eng_calloc(e->vm_page_array_size,
	    sizeof(*e->vm_page_spin));
	if (vmd->vmd_subq == NULL || e->vm_page_spin == NULL)
		return (-1);
	vmd->vmd_ncolors = n;
	for (q = 0; q < PQ_COUNT; q++)
		for (i = 0; i < n; i++) {
			pq = vm_pagequeue_nth(e, (uint8_t)q, i);
			eng_mtx_init(&pq->pq_mutex, LC_PAGEQUEUE);
			eng_mtx_name(&pq->pq_mutex, vm_pagequeue_lockname(
			    (uint8_t)q));
			TAILQ_INIT(&pq->pq_pl);
			atomic_init(&pq->pq_cnt, 0);
			pq->pq_index = (uint8_t)q;
			pq->pq_name = vmd->vmd_pagequeues[q].pq_name;
		}
	for (p = 0; p < e->vm_page_array_size; p++)
		eng_mtx_init(&e->vm_page_spin[p], LC_PAGE);
	return (0);
}

/* At eng_destroy(), alone. */
static void
vm_pq_dfly_fini(struct vm_engine *e)
{
	free(e->vm_page_spin);
	e->vm_page_spin = NULL;
	free(e->vmd.vmd_subq);
	e->vmd.vmd_subq = NULL;
}

/*
 * A page already in the queue it is placed in stays put:
 * _vm_page_deactivate_locked() ignores a page that is already inactive
 * (even athead), and vm_page_activate() of an active page only raises
 * act_count, which the caller did.  The page's spinlock is held.
 */
static void
vm_pq_dfly_stay(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    bool head)
{
	vm_page_assert_locked(c, m);
	(void)queue;
	(void)head;
}

/*
 * e3c330f0's heuristic vm_page_activate(): a page already in an active
 * sub-queue gets act_count raised to ACT_INIT with no lock at all, and the
 * call ends; otherwise false and the caller takes the page's spinlock.  The
 * kernel stores the byte; the model's act_count shares the queue-state
 * word, so the store is a CAS loop, not counted as an atomic (it stands
 * for a plain store).  No lock held.
 */
static bool
vm_pq_dfly_activate_unlocked(struct eng_cpu *c, struct vm_page *m)
{
	vm_page_astate_t old, new;

	ENG_ASSERT(!eng_lock_held(&c->lk, vm_page_lockptr(c, m)));
	old = vm_page_astate_load(m);
	do {
		if (vm_page_astate_queue(old) != PQ_ACTIVE)
			return (false);
		if (VM_PAGE_A_ACT(old) >= ACT_INIT)
			return (true);
		new = VM_PAGE_A_MAKE(VM_PAGE_A_FLAGS(old), VM_PAGE_A_QUEUE(old),
		    ACT_INIT);
	} while (!atomic_compare_exchange_weak_explicit(&m->a, &old, new,
	    memory_order_relaxed, memory_order_relaxed));
	return (true);
}

/*
 * 5.6's vm_page_deactivate() pre-filter ("We can pre-filter before getting
 * the spinlock"; v5.6.0 sys/vm/vm_page.c lines 3013-3021): a page already
 * in an inactive sub-queue (or PG_FICTITIOUS or PG_UNQUEUED, which the
 * model's pages never are) is left where it is with no lock at all;
 * otherwise false and the caller takes the page's spinlock.  Only for a
 * deactivation at the tail: 5.6's deactivation at the head,
 * vm_page_dontneed(), takes the spinlock first.  No lock held.
 */
static bool
vm_pq_dfly_deactivate_unlocked(struct eng_cpu *c, struct vm_page *m)
{
	ENG_ASSERT(!eng_lock_held(&c->lk, vm_page_lockptr(c, m)));
	return (vm_page_queue(m) == PQ_INACTIVE);
}

/*
 * vm_page_unqueue_nowakeup(): take a busied page off its sub-queue under
 * the page's and the sub-queue's spinlocks (vm_page_and_queue_spin_lock),
 * as DragonFly's fault does to a page it found (vm_fault_object()) and its
 * scan to a wired page it meets (the lazy wiring check; the model's scan
 * also dequeues a page that left its object: no reference can be left but
 * a wiring's, and the busy keeps a free away).  The page is hard-busied by
 * this CPU; takes and drops its spinlock.
 */
void
vm_page_unqueue_nowakeup(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;

	vm_page_assert_xbusied(c, m);
	vm_page_lock(c, m);
	vm_page_dequeue_lazy(c, m);
	vm_page_unlock(c, m);
}

/*
 * Synchronous like --queue locked, whose enqueue and requeue link on the
 * page's sub-queue here (VM_PQ_SYNC: the page daemon takes one page per
 * sub-queue-lock acquisition, as DragonFly's scans do); no queue
 * work at wiring (DragonFly's vm_page_wire() leaves the queues alone), the
 * daemon's lazy dequeue of a wired page and a free dequeue at once.
 */
const struct vm_pagequeue_ops vm_pagequeue_dfly_ops = {
	.name = "colored",
	.flags = VM_PQ_PAGELOCK | VM_PQ_SYNC,
	.enqueue = vm_page_enqueue_now,
	.requeue = vm_page_requeue_now,
	.stay = vm_pq_dfly_stay,
	.activate = vm_pq_plock_activate,
	.deactivate = vm_pq_plock_deactivate,
	.requeue_page = vm_pq_plock_requeue_page,
	.release_toq = vm_pq_plock_release_toq,
	.free = vm_page_dequeue,
	.dequeue_lazy = vm_page_dequeue,
	.activate_unlocked = vm_pq_dfly_activate_unlocked,
	.deactivate_unlocked = vm_pq_dfly_deactivate_unlocked,
	.init = vm_pq_dfly_init,
	.fini = vm_pq_dfly_fini,
};
