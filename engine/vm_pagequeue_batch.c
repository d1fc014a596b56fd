/*
 * vm_pagequeue_batch.c - --queue batch:N[:trylock-full|:trylock]: r332974
 * (2018-19, sys/vm/vm_page.c: vm_pqbatch_submit_page, vm_page_enqueue,
 * vm_page_requeue).  The logical update (queue field, PGA_DEQUEUE /
 * PGA_REQUEUE / PGA_REQUEUE_HEAD) is made under the page lock; the
 * physical one is deferred through this CPU's batch queue for the target
 * page queue, and a full batch takes the queue lock once for all its
 * entries, skipping stale ones (vm_page_pqbatch_submit).  Moving a page
 * between queues dequeues it synchronously from the old queue.  With
 * :trylock-full a full batch tries the queue lock once before blocking
 * (12.x vm_pqbatch_submit_page); :trylock grafts D37305's half-full
 * trylock (14.0, astate) onto this design, which never shipped together
 * (vm_page_pqbatch_submit, vm_pagequeue.c).
 *
 * Functions that take locks keep the names they had before the designs
 * were split: they are the call sites lock statistics report.
 */
#include "vm_internal.h"

/*
 * Logical enqueue of a page in no queue (the page lock, lock of the old
 * value PQ_NONE, is held), physical one deferred.
 */
static void
vm_page_enqueue_batch(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    bool head)
{
	ENG_SITE_DEFINE;
	vm_page_astate_t old, new;

	vm_page_assert_locked(c, m);
	old = vm_page_astate_load(m);
	do {
		ENG_ASSERT(VM_PAGE_A_QUEUE(old) == PQ_NONE);
		new = VM_PAGE_A_MAKE(VM_PAGE_A_FLAGS(old) |
		    (head ? PGA_REQUEUE_HEAD : PGA_REQUEUE), queue,
		    VM_PAGE_A_ACT(old));
	} while (!vm_page_astate_fcmpset(c, m, &old, new, ENG_HERE));
	vm_page_pqbatch_submit(c, m, queue);
}

/* vm_page_requeue(): request a requeue (page lock held) and submit it. */
static void
vm_pq_batch_requeue(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    bool head)
{
	vm_page_assert_locked(c, m);
	eng_atomic_fetchor_32(&c->lk, LC_PAGEQUEUE, &m->a,
	    head ? PGA_REQUEUE_HEAD : PGA_REQUEUE);
	vm_page_pqbatch_submit(c, m, queue);
}

/*
 * A page already in the queue it is placed in (deactivated or released
 * while inactive): a requeue is submitted every time, as FreeBSD 12's
 * vm_page_deactivate() calls vm_page_requeue() for an inactive page
 * (r330296 era sys/vm/vm_page.c) and the 2019 vm_page_mvqueue() does for
 * any queue but the active one (sys/vm/vm_page.c after r352110).  An
 * active page stays put; its act_count was raised by the caller.
 */
static void
vm_pq_batch_stay(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    bool head)
{
	if (queue != PQ_ACTIVE)
		vm_pq_batch_requeue(c, m, queue, head);
}

/*
 * The active scan's vm_page_swapqueue(m, PQ_ACTIVE, PQ_INACTIVE) (2019):
 * one commit that leaves the active queue for the inactive one, unless a
 * dequeue is pending.  The page lock is held.
 */
static void
vm_pq_batch_scan_deactivate(struct eng_cpu *c, struct vm_page *m)
{
	vm_page_astate_t old, new;

	vm_page_assert_locked(c, m);
	old = vm_page_astate_load(m);
	do {
		if (VM_PAGE_A_QUEUE(old) != PQ_ACTIVE ||
		    (VM_PAGE_A_FLAGS(old) & PGA_DEQUEUE) != 0)
			return;
		new = VM_PAGE_A_MAKE((VM_PAGE_A_FLAGS(old) &
		    ~PGA_QUEUE_OP_MASK) | PGA_REQUEUE, PQ_INACTIVE,
		    VM_PAGE_A_ACT(old));
	} while (!vm_page_pqstate_commit(c, m, &old, new));
}

/*
 * No queue work at wiring: wired pages are dequeued lazily by the page
 * daemon (r328977), and freed pages by a deferred dequeue.
 */
const struct vm_pagequeue_ops vm_pagequeue_batch_ops = {
	.name = "batch",
	.flags = VM_PQ_PAGELOCK,
	.enqueue = vm_page_enqueue_batch,
	.requeue = vm_pq_batch_requeue,
	.stay = vm_pq_batch_stay,
	.activate = vm_pq_plock_activate,
	.deactivate = vm_pq_plock_deactivate,
	.requeue_page = vm_pq_plock_requeue_page,
	.release_toq = vm_pq_plock_release_toq,
	.free = vm_page_dequeue_deferred_free,
	.dequeue_lazy = vm_page_dequeue_deferred,
	.scan_deactivate = vm_pq_batch_scan_deactivate,
};
