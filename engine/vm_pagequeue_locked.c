/*
 * vm_pagequeue_locked.c - --queue locked: FreeBSD 10 (sys/vm/vm_page.c,
 * vm_page_enqueue / vm_page_requeue / _vm_page_deactivate).  Every enqueue,
 * dequeue and requeue takes the page queue's lock around one list
 * operation, with the page lock held; the queue field and PGA_ENQUEUED
 * always agree.  No batch queues; frees go straight to the free lists.
 *
 * Functions that take locks keep the names they had before the designs
 * were split: they are the call sites lock statistics report.
 */
#include "vm_internal.h"

/*
 * Physically enqueue a page that is in no queue, on the queue or, under
 * --queue colored, the sub-queue of its colour (DragonFly's
 * _vm_page_add_queue_spinlocked(m, queue + m->pc, athead) under
 * _vm_page_queue_spin_lock()).  The page lock is held (queue is (P,Q)).
 */
void
vm_page_enqueue_now(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    bool head)
{
	ENG_SITE_DEFINE;
	struct vm_pagequeue *pq = vm_page_pagequeue_m(c->e, m, queue);
	vm_page_astate_t old, new;

	vm_page_assert_locked(c, m);
	eng_mtx_lock(&c->lk, &pq->pq_mutex, ENG_HERE);
	old = vm_page_astate_load(m);
	do {
		ENG_ASSERT(VM_PAGE_A_QUEUE(old) == PQ_NONE);
		new = VM_PAGE_A_MAKE(VM_PAGE_A_FLAGS(old) | PGA_ENQUEUED, queue,
		    VM_PAGE_A_ACT(old));
	} while (!vm_page_astate_fcmpset(c, m, &old, new, ENG_HERE));
	vm_pagequeue_insert(c, pq, m, vm_pagequeue_where(c->e, pq, head));
	eng_mtx_unlock(&c->lk, &pq->pq_mutex);
}

/*
 * Move an enqueued page to the tail (or the inactive head) of its
 * (sub-)queue now.  The page lock is held.
 */
void
vm_page_requeue_now(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    bool head)
{
	ENG_SITE_DEFINE;
	struct vm_pagequeue *pq = vm_page_pagequeue_m(c->e, m, queue);

	vm_page_assert_locked(c, m);
	eng_mtx_lock(&c->lk, &pq->pq_mutex, ENG_HERE);
	if ((VM_PAGE_A_FLAGS(vm_page_astate_load(m)) & PGA_ENQUEUED) != 0) {
		vm_pagequeue_remove(c, pq, m);
		vm_pagequeue_insert(c, pq, m, vm_pagequeue_where(c->e, pq,
		    head));
	}
	eng_mtx_unlock(&c->lk, &pq->pq_mutex);
}

/*
 * A page already in the queue it is placed in stays put unless it goes to
 * the inactive head: FreeBSD 10's _vm_page_deactivate() returns early for
 * an inactive page unless noreuse.
 */
static void
vm_pq_locked_stay(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    bool head)
{
	if (head)
		vm_page_requeue_now(c, m, queue, true);
}

/*
 * The first wiring dequeues now (FreeBSD 10's vm_page_wire() under the
 * page lock); a free dequeues synchronously too.
 */
const struct vm_pagequeue_ops vm_pagequeue_locked_ops = {
	.name = "locked",
	.flags = VM_PQ_PAGELOCK | VM_PQ_SYNC,
	.enqueue = vm_page_enqueue_now,
	.requeue = vm_page_requeue_now,
	.stay = vm_pq_locked_stay,
	.activate = vm_pq_plock_activate,
	.deactivate = vm_pq_plock_deactivate,
	.requeue_page = vm_pq_plock_requeue_page,
	.release_toq = vm_pq_plock_release_toq,
	.free = vm_page_dequeue,
	.wire = vm_page_dequeue,
};
