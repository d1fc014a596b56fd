/*
 * vm_pagequeue_astate.c - --queue astate:N[:trylock]: FreeBSD 13/14
 * (sys/vm/vm_page.c: vm_page_mvqueue, vm_page_release_toq,
 * vm_page_pqstate_commit).  No page lock: queue, request flags and
 * act_count change by CAS of the 32-bit state word;
 * vm_page_pqstate_commit() moves a page between queues by locking the old
 * queue, unlinking speculatively and rolling back if the
 * CAS fails, and submits requests to the batch queues.  :trylock is
 * D37305's half-full trylock of 14.0 (vm_page_pqbatch_submit).
 */
#include "vm_internal.h"

/*
 * vm_page_mvqueue(): move the page to nqueue with request nflag, unless
 * being dequeued (the wrappers already checked for wirings).  A page
 * already in nqueue gets the request too unless nqueue is the active
 * queue and the page is linked there (PGA_ENQUEUED): `nqueue !=
 * PQ_ACTIVE || (old.flags & PGA_ENQUEUED) == 0`, as in every FreeBSD tree
 * with D37305 read for this project (2023-2025 main: bnovkov,
 * CHERI-Alliance, HalfBSD and alcriceedu forks of freebsd-src).  [FB13]
 * and other pre-D37305 trees test only `nqueue != PQ_ACTIVE`, which
 * strands a page whose move into the active queue still sits in a batch:
 * the commit drops its PGA_REQUEUE and the batch then finds nothing to
 * do.  The model keeps the newer test under freebsd13 too.  No lock.
 */
static void
vm_pq_astate_mvqueue(struct eng_cpu *c, struct vm_page *m, uint8_t nqueue,
    uint16_t nflag)
{
	vm_page_astate_t old, new;
	uint16_t fl;
	uint8_t act;

	old = vm_page_astate_load(m);
	do {
		fl = VM_PAGE_A_FLAGS(old);
		if ((fl & PGA_DEQUEUE) != 0)
			return;
		act = VM_PAGE_A_ACT(old);
		if (nqueue == PQ_ACTIVE && act < ACT_INIT)
			act = ACT_INIT;
		fl &= ~PGA_QUEUE_OP_MASK;
		if (VM_PAGE_A_QUEUE(old) != nqueue || nqueue != PQ_ACTIVE ||
		    (fl & PGA_ENQUEUED) == 0)
			fl |= nflag;
		new = VM_PAGE_A_MAKE(fl, nqueue, act);
	} while (!vm_page_pqstate_commit(c, m, &old, new));
}

/* vm_page_enqueue(): a page in no queue gets queue and PGA_REQUEUE. */
static void
vm_pq_astate_enqueue(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    bool head)
{
	vm_page_astate_t old;

	ENG_ASSERT(!head);
	old = vm_page_astate_load(m);
	while (!vm_page_pqstate_commit(c, m, &old,
	    VM_PAGE_A_MAKE(VM_PAGE_A_FLAGS(old) | PGA_REQUEUE, queue,
	    VM_PAGE_A_ACT(old))))
		;
}

static void
vm_pq_astate_activate(struct eng_cpu *c, struct vm_page *m)
{
	vm_pq_astate_mvqueue(c, m, PQ_ACTIVE, PGA_REQUEUE);
}

/* A page already inactive is requeued, as 13/14's vm_page_mvqueue does. */
static void
vm_pq_astate_deactivate(struct eng_cpu *c, struct vm_page *m, bool head)
{
	vm_pq_astate_mvqueue(c, m, PQ_INACTIVE,
	    head ? PGA_REQUEUE_HEAD : PGA_REQUEUE);
}

/* vm_page_requeue(): PGA_REQUEUE on a page in a queue. */
static bool
vm_pq_astate_requeue_page(struct eng_cpu *c, struct vm_page *m)
{
	vm_page_astate_t old, new;

	old = vm_page_astate_load(m);
	do {
		if (vm_page_astate_queue(old) == PQ_NONE)
			return (false);
		new = old | PGA_REQUEUE;
	} while (!vm_page_pqstate_commit(c, m, &old, new));
	return (true);
}

/*
 * vm_page_release_toq() ([FB13] sys/vm/vm_page.c): one commit that drops
 * every pending request (the wiring's lazy PGA_DEQUEUE among them).
 * VPR_NOREUSE or VPR_TRYFREE: the inactive head.  A page in the active
 * queue is only marked PGA_REFERENCED, even with a dequeue pending: it
 * stays where it is, with no queue lock.  Otherwise the page is queued
 * (PGA_REQUEUE) in queue.  act_count is left alone.  The active case
 * also requires PGA_ENQUEUED, as the D37305-era trees above do (`old.queue
 * == PQ_ACTIVE && (old.flags & PGA_ENQUEUED) != 0`); [FB13] tests only
 * the queue field, so that a page whose move into the active queue still
 * sits in a batch loses that request and stays linked nowhere (which
 * eng_check() reports).  Such a page is queued as any other.  Upstream
 * also sends a page with no valid data to the inactive head; the model's
 * pages are all valid.
 */
static void
vm_pq_astate_release_toq(struct eng_cpu *c, struct vm_page *m,
    uint8_t queue, int flags)
{
	vm_page_astate_t old, new;
	uint16_t fl, nflag;

	nflag = (flags & (VPR_NOREUSE | VPR_TRYFREE)) != 0 ?
	    PGA_REQUEUE_HEAD : PGA_REQUEUE;
	if (nflag == PGA_REQUEUE_HEAD)
		queue = PQ_INACTIVE;
	old = vm_page_astate_load(m);
	do {
		fl = VM_PAGE_A_FLAGS(old) & ~PGA_QUEUE_OP_MASK;
		if (nflag != PGA_REQUEUE_HEAD &&
		    VM_PAGE_A_QUEUE(old) == PQ_ACTIVE &&
		    (fl & PGA_ENQUEUED) != 0)
			new = VM_PAGE_A_MAKE(fl | PGA_REFERENCED, PQ_ACTIVE,
			    VM_PAGE_A_ACT(old));
		else
			new = VM_PAGE_A_MAKE(fl | nflag, queue,
			    VM_PAGE_A_ACT(old));
	} while (!vm_page_pqstate_commit(c, m, &old, new));
}

/*
 * The first wiring requests a dequeue without submitting it (r356156:
 * [FB13] vm_page_wire() and vm_page_wire_mapped() set PGA_DEQUEUE, one
 * atomic OR, whatever the page's queue: a wired page in no queue may
 * carry it); the page daemon (vm_pageout_defer) and frees submit.  Also
 * vm_page_unwire_managed()'s re-set while other wirings remain.
 */
static void
vm_pq_astate_wire(struct eng_cpu *c, struct vm_page *m)
{
	vm_page_aflag_set(c, m, PGA_DEQUEUE);
}

/*
 * The last wiring goes: clear the wiring's PGA_DEQUEUE request, as 13/14's
 * vm_page_unwire_noq() does (and vm_page_unwire_managed() when the wiring
 * was the last reference), so that placing or freeing the page makes and
 * submits its own request.
 */
static void
vm_pq_astate_unwire(struct eng_cpu *c, struct vm_page *m)
{
	vm_page_aflag_clear(c, m, PGA_DEQUEUE);
}

const struct vm_pagequeue_ops vm_pagequeue_astate_ops = {
	.name = "astate",
	.flags = 0,
	.enqueue = vm_pq_astate_enqueue,
	.activate = vm_pq_astate_activate,
	.deactivate = vm_pq_astate_deactivate,
	.requeue_page = vm_pq_astate_requeue_page,
	.release_toq = vm_pq_astate_release_toq,
	.free = vm_page_dequeue_deferred,
	.dequeue_lazy = vm_page_dequeue_deferred,
	.wire = vm_pq_astate_wire,
	.unwire = vm_pq_astate_unwire,
};
