/*
 * vm_pagequeue.c - page queues under the three --queue designs:
 *
 *  locked: FreeBSD 10.  Every enqueue, dequeue and requeue takes the page
 *	queue's lock around one list operation, with the page lock held; the
 *	queue field and PGA_ENQUEUED always agree.
 *  batch:N[:trylock]: r330296 / r332974 (2018-19).  The logical update
 *	(queue field, PGA_DEQUEUE / PGA_REQUEUE / PGA_REQUEUE_HEAD) is made
 *	under the page lock; the physical one is deferred through this CPU's
 *	batch queue for the target page queue, and a full batch takes the
 *	queue lock once for all its entries, skipping stale ones.  Moving a
 *	page between queues dequeues it synchronously from the old queue.
 *	With :trylock (D37305) a batch half full tries the lock and keeps
 *	batching when it is busy; only a full batch blocks.
 *  astate:N: FreeBSD 13/14.  No page lock: queue, flags and act_count
 *	change by CAS of the 32-bit word; vm_page_pqstate_commit() moves a
 *	page between queues by locking the old queue, unlinking speculatively
 *	and rolling back if the CAS fails.
 *
 * Page-queue locks are leaf locks in every design.
 */
#include <stdlib.h>

#include "vm_internal.h"

static const char *const vm_pagequeue_names[PQ_COUNT] = {
	"inactive", "active", "laundry", "unswappable"
};

void
vm_pagequeue_init(struct vm_engine *e)
{
	struct vm_domain *vmd = &e->vmd;
	struct vm_pagequeue *pq;
	unsigned q;

	for (q = 0; q < PQ_COUNT; q++) {
		pq = &vmd->vmd_pagequeues[q];
		eng_mtx_init(&pq->pq_mutex, LC_PAGEQUEUE);
		TAILQ_INIT(&pq->pq_pl);
		pq->pq_cnt = 0;
		pq->pq_index = (uint8_t)q;
		pq->pq_name = vm_pagequeue_names[q];
	}
	/* Markers are permanently enqueued and never counted. */
	vmd->vmd_inacthead.flags = PG_MARKER;
	atomic_init(&vmd->vmd_inacthead.a,
	    VM_PAGE_A_MAKE(PGA_ENQUEUED, PQ_INACTIVE, 0));
	TAILQ_INSERT_HEAD(&vmd->vmd_pagequeues[PQ_INACTIVE].pq_pl,
	    &vmd->vmd_inacthead, plinks_q);
	vmd->vmd_clock.flags = PG_MARKER;
	atomic_init(&vmd->vmd_clock.a,
	    VM_PAGE_A_MAKE(PGA_ENQUEUED, PQ_ACTIVE, 0));
	TAILQ_INSERT_HEAD(&vmd->vmd_pagequeues[PQ_ACTIVE].pq_pl,
	    &vmd->vmd_clock, plinks_q);
}

int
vm_batchqueue_init(struct eng_cpu *c)
{
	unsigned q;

	for (q = 0; q < PQ_COUNT; q++) {
		c->bq[q].bq_pa = calloc(VM_BATCHQUEUE_MAX,
		    sizeof(*c->bq[q].bq_pa));
		if (c->bq[q].bq_pa == NULL)
			return (-1);
		c->bq[q].bq_cnt = 0;
	}
	return (0);
}

void
vm_batchqueue_fini(struct eng_cpu *c)
{
	unsigned q;

	for (q = 0; q < PQ_COUNT; q++)
		free(c->bq[q].bq_pa);
}

/*
 * Physical list operations; the page queue must be locked.  before: insert
 * in front of it (the inactive head marker, a scan marker), NULL for the
 * tail.
 */
void
vm_pagequeue_insert(struct vm_pagequeue *pq, struct vm_page *m,
    struct vm_page *before)
{
	ENG_ASSERT(eng_mtx_owned(&pq->pq_mutex));
	if (before != NULL)
		TAILQ_INSERT_BEFORE(before, m, plinks_q);
	else
		TAILQ_INSERT_TAIL(&pq->pq_pl, m, plinks_q);
	pq->pq_cnt++;
}

void
vm_pagequeue_remove(struct vm_pagequeue *pq, struct vm_page *m)
{
	ENG_ASSERT(eng_mtx_owned(&pq->pq_mutex));
	TAILQ_REMOVE(&pq->pq_pl, m, plinks_q);
	pq->pq_cnt--;
}

static struct vm_page *
vm_pagequeue_where(struct vm_engine *e, uint8_t queue, bool head)
{
	return (head && queue == PQ_INACTIVE ? &e->vmd.vmd_inacthead : NULL);
}

/* CAS of the queue-state word, failures counted as commit retries. */
static bool
vm_page_astate_fcmpset(struct eng_cpu *c, struct vm_page *m,
    vm_page_astate_t *old, vm_page_astate_t new, struct eng_site *site)
{
	if (eng_atomic_fcmpset_32(&c->lk, LC_PAGEQUEUE, site, &m->a, old,
	    new))
		return (true);
	c->st.pqstate_commit_retries++;
	return (false);
}

/*
 * Add delta to act_count, clamped to [floor, ACT_MAX]; returns the new
 * value.  (P) under locked and batch: the caller holds the page lock; the
 * CAS only protects the other bits of the word.
 */
uint8_t
vm_page_act_adjust(struct eng_cpu *c, struct vm_page *m, int delta,
    int floor)
{
	ENG_SITE_DEFINE;
	vm_page_astate_t old, new;
	int act;

	old = vm_page_astate_load(m);
	do {
		act = VM_PAGE_A_ACT(old) + delta;
		if (act < floor)
			act = floor;
		if (act > ACT_MAX)
			act = ACT_MAX;
		new = VM_PAGE_A_MAKE(VM_PAGE_A_FLAGS(old),
		    VM_PAGE_A_QUEUE(old), act);
		if (new == old)
			break;
	} while (!vm_page_astate_fcmpset(c, m, &old, new, ENG_HERE));
	return ((uint8_t)act);
}

/*
 * vm_page_dequeue(): synchronous dequeue.  Lock the queue the page is in,
 * recheck (it may have moved), unlink if physically enqueued and complete
 * the dequeue: queue = PQ_NONE, state flags cleared.  Used by allocators
 * (a page must be physically dequeued before reuse), by --queue locked
 * for every dequeue, and by batch when moving a page between queues (page
 * lock held there).
 */
void
vm_page_dequeue(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	struct vm_pagequeue *pq;
	vm_page_astate_t old, new;
	uint8_t queue;

	for (;;) {
		old = vm_page_astate_load(m);
		queue = VM_PAGE_A_QUEUE(old);
		if (queue == PQ_NONE) {
			ENG_ASSERT((VM_PAGE_A_FLAGS(old) &
			    PGA_QUEUE_STATE_MASK) == 0);
			return;
		}
		pq = vm_page_pagequeue(c->e, queue);
		eng_mtx_lock(&c->lk, &pq->pq_mutex, ENG_HERE);
		old = vm_page_astate_load(m);
		if (VM_PAGE_A_QUEUE(old) == queue)
			break;
		eng_mtx_unlock(&c->lk, &pq->pq_mutex);
	}
	if ((VM_PAGE_A_FLAGS(old) & PGA_ENQUEUED) != 0)
		vm_pagequeue_remove(pq, m);
	do
		new = VM_PAGE_A_MAKE(VM_PAGE_A_FLAGS(old) &
		    ~PGA_QUEUE_STATE_MASK, PQ_NONE, VM_PAGE_A_ACT(old));
	while (!vm_page_astate_fcmpset(c, m, &old, new, ENG_HERE));
	eng_mtx_unlock(&c->lk, &pq->pq_mutex);
}

/*
 * --queue locked: physically enqueue a page that is in no queue.  The page
 * lock is held (queue is (P,Q)).
 */
static void
vm_page_enqueue_now(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    bool head)
{
	ENG_SITE_DEFINE;
	struct vm_pagequeue *pq = vm_page_pagequeue(c->e, queue);
	vm_page_astate_t old, new;

	eng_mtx_lock(&c->lk, &pq->pq_mutex, ENG_HERE);
	old = vm_page_astate_load(m);
	do {
		ENG_ASSERT(VM_PAGE_A_QUEUE(old) == PQ_NONE);
		new = VM_PAGE_A_MAKE(VM_PAGE_A_FLAGS(old) | PGA_ENQUEUED, queue,
		    VM_PAGE_A_ACT(old));
	} while (!vm_page_astate_fcmpset(c, m, &old, new, ENG_HERE));
	vm_pagequeue_insert(pq, m, vm_pagequeue_where(c->e, queue, head));
	eng_mtx_unlock(&c->lk, &pq->pq_mutex);
}

/* --queue locked: move an enqueued page to the tail (or inactive head). */
static bool
vm_page_requeue_now(struct eng_cpu *c, struct vm_page *m, bool head)
{
	ENG_SITE_DEFINE;
	struct vm_pagequeue *pq;
	uint8_t queue = vm_page_queue(m);

	if (queue == PQ_NONE)
		return (false);
	pq = vm_page_pagequeue(c->e, queue);
	eng_mtx_lock(&c->lk, &pq->pq_mutex, ENG_HERE);
	if ((VM_PAGE_A_FLAGS(vm_page_astate_load(m)) & PGA_ENQUEUED) != 0) {
		vm_pagequeue_remove(pq, m);
		vm_pagequeue_insert(pq, m, vm_pagequeue_where(c->e, queue,
		    head));
	}
	eng_mtx_unlock(&c->lk, &pq->pq_mutex);
	return (true);
}

/*
 * --queue batch: logical enqueue of a page in no queue (the page lock,
 * lock of the old value PQ_NONE, is held), physical one deferred.
 */
static void
vm_page_enqueue_batch(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    bool head)
{
	ENG_SITE_DEFINE;
	vm_page_astate_t old, new;

	old = vm_page_astate_load(m);
	do {
		ENG_ASSERT(VM_PAGE_A_QUEUE(old) == PQ_NONE);
		new = VM_PAGE_A_MAKE(VM_PAGE_A_FLAGS(old) |
		    (head ? PGA_REQUEUE_HEAD : PGA_REQUEUE), queue,
		    VM_PAGE_A_ACT(old));
	} while (!vm_page_astate_fcmpset(c, m, &old, new, ENG_HERE));
	vm_page_pqbatch_submit(c, m, queue);
}

/*
 * Process one batch entry under the page-queue lock
 * (vm_pqbatch_process_page).  Stale entries (the page left this queue, or
 * no request remains) are no-ops.  A dequeue unlinks speculatively before
 * the CAS and relinks if the CAS fails; a requeue CASes first, which is
 * safe because PGA_ENQUEUED and the queue field cannot change without this
 * lock.
 */
void
vm_pqbatch_process_page(struct eng_cpu *c, struct vm_pagequeue *pq,
    struct vm_page *m, uint8_t queue)
{
	ENG_SITE_DEFINE;
	vm_page_astate_t old, new;
	struct vm_page *next;
	uint16_t fl;

	old = vm_page_astate_load(m);
	for (;;) {
		fl = VM_PAGE_A_FLAGS(old);
		if (VM_PAGE_A_QUEUE(old) != queue ||
		    (fl & PGA_QUEUE_OP_MASK) == 0) {
			c->st.queue_nops++;
			return;
		}
		if ((fl & PGA_DEQUEUE) != 0) {
			next = NULL;
			if ((fl & PGA_ENQUEUED) != 0) {
				next = TAILQ_NEXT(m, plinks_q);
				vm_pagequeue_remove(pq, m);
			}
			new = VM_PAGE_A_MAKE(fl & ~PGA_QUEUE_STATE_MASK,
			    PQ_NONE, VM_PAGE_A_ACT(old));
			if (vm_page_astate_fcmpset(c, m, &old, new, ENG_HERE))
				break;
			if ((fl & PGA_ENQUEUED) != 0)
				vm_pagequeue_insert(pq, m, next);
			continue;
		}
		new = VM_PAGE_A_MAKE((fl & ~(PGA_REQUEUE | PGA_REQUEUE_HEAD)) |
		    PGA_ENQUEUED, queue, VM_PAGE_A_ACT(old));
		if (!vm_page_astate_fcmpset(c, m, &old, new, ENG_HERE))
			continue;
		if ((fl & PGA_ENQUEUED) != 0)
			vm_pagequeue_remove(pq, m);
		vm_pagequeue_insert(pq, m, vm_pagequeue_where(c->e, queue,
		    (fl & PGA_REQUEUE_HEAD) != 0));
		break;
	}
	c->st.queue_ops++;
}

static void
vm_pqbatch_process(struct eng_cpu *c, struct vm_pagequeue *pq,
    struct vm_batchqueue *bq, uint8_t queue)
{
	int i;

	for (i = 0; i < bq->bq_cnt; i++)
		vm_pqbatch_process_page(c, pq, bq->bq_pa[i], queue);
	bq->bq_cnt = 0;
}

/*
 * vm_page_pqbatch_submit(): defer the physical operation requested on m
 * (request flags already set) to this CPU's batch for queue.  A full batch
 * takes the queue lock once, processes every entry and m.  With :trylock
 * (D37305), once the batch is half full the lock is tried and the batch
 * kept on failure.  Called with the page lock held (batch) or no lock
 * (astate, free path).
 */
void
vm_page_pqbatch_submit(struct eng_cpu *c, struct vm_page *m, uint8_t queue)
{
	ENG_SITE_DEFINE;
	struct vm_engine *e = c->e;
	struct vm_batchqueue *bq = &c->bq[queue];
	struct vm_pagequeue *pq = vm_page_pagequeue(e, queue);
	int n = (int)e->design.batch;

	ENG_ASSERT(queue < PQ_COUNT);
	if (bq->bq_cnt < n) {
		bq->bq_pa[bq->bq_cnt++] = m;
		if (!e->design.trylock || bq->bq_cnt < (n + 1) / 2)
			return;
		if (!eng_mtx_trylock(&c->lk, &pq->pq_mutex, ENG_HERE))
			return;
		vm_pqbatch_process(c, pq, bq, queue);
		eng_mtx_unlock(&c->lk, &pq->pq_mutex);
		return;
	}
	eng_mtx_lock(&c->lk, &pq->pq_mutex, ENG_HERE);
	vm_pqbatch_process(c, pq, bq, queue);
	vm_pqbatch_process_page(c, pq, m, queue);
	eng_mtx_unlock(&c->lk, &pq->pq_mutex);
}

/* vm_page_pqbatch_drain(): process every batch of this CPU. */
void
vm_page_pqbatch_drain(struct eng_cpu *c)
{
	ENG_SITE_DEFINE;
	struct vm_pagequeue *pq;
	uint8_t q;

	for (q = 0; q < PQ_COUNT; q++) {
		if (c->bq[q].bq_cnt == 0)
			continue;
		pq = vm_page_pagequeue(c->e, q);
		eng_mtx_lock(&c->lk, &pq->pq_mutex, ENG_HERE);
		vm_pqbatch_process(c, pq, &c->bq[q], q);
		eng_mtx_unlock(&c->lk, &pq->pq_mutex);
	}
}

/*
 * vm_page_pqstate_commit() (astate; also batch's swapqueue): replace the
 * queue state *old by new.  Leaving a queue for another (commit_dequeue):
 * lock the old queue, fail if the word changed, unlink speculatively, CAS,
 * and relink at the old spot if the CAS fails; then submit to the new
 * queue.  Otherwise a CAS, submitting if new requests appeared.  On failure
 * *old holds the current word and the caller recomputes new.
 */
bool
vm_page_pqstate_commit(struct eng_cpu *c, struct vm_page *m,
    vm_page_astate_t *old, vm_page_astate_t new)
{
	ENG_SITE_DEFINE;
	struct vm_pagequeue *pq;
	struct vm_page *next = NULL;
	vm_page_astate_t cur;
	uint8_t oq = VM_PAGE_A_QUEUE(*old), nq = VM_PAGE_A_QUEUE(new);
	bool unlinked = false;

	if (*old == new)
		return (true);
	if (oq != PQ_NONE && oq != nq) {
		pq = vm_page_pagequeue(c->e, oq);
		eng_mtx_lock(&c->lk, &pq->pq_mutex, ENG_HERE);
		cur = vm_page_astate_load(m);
		if (cur != *old) {
			*old = cur;
			c->st.pqstate_commit_retries++;
			eng_mtx_unlock(&c->lk, &pq->pq_mutex);
			return (false);
		}
		if ((VM_PAGE_A_FLAGS(*old) & PGA_ENQUEUED) != 0) {
			next = TAILQ_NEXT(m, plinks_q);
			vm_pagequeue_remove(pq, m);
			unlinked = true;
			new &= ~(vm_page_astate_t)PGA_ENQUEUED;
		}
		if (!vm_page_astate_fcmpset(c, m, old, new, ENG_HERE)) {
			if (unlinked)
				vm_pagequeue_insert(pq, m, next);
			eng_mtx_unlock(&c->lk, &pq->pq_mutex);
			return (false);
		}
		eng_mtx_unlock(&c->lk, &pq->pq_mutex);
		if (nq != PQ_NONE)
			vm_page_pqbatch_submit(c, m, nq);
		return (true);
	}
	cur = *old;
	if (!vm_page_astate_fcmpset(c, m, old, new, ENG_HERE))
		return (false);
	if (nq != PQ_NONE && (VM_PAGE_A_FLAGS(new) & PGA_QUEUE_OP_MASK &
	    ~VM_PAGE_A_FLAGS(cur)) != 0)
		vm_page_pqbatch_submit(c, m, nq);
	return (true);
}

/*
 * vm_page_mvqueue() (astate): move the page to nqueue with request nflag,
 * unless wired or being dequeued.  No lock.
 */
void
vm_page_mvqueue(struct eng_cpu *c, struct vm_page *m, uint8_t nqueue,
    uint16_t nflag)
{
	vm_page_astate_t old, new;
	uint16_t fl;
	uint8_t act;

	if (vm_page_wired_count(c->e, m) != 0)
		return;
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

/*
 * Move a page (locked, batch; page lock held) from its queue, if any, to
 * queue: a synchronous dequeue, then the design's enqueue.
 */
static void
vm_page_move(struct eng_cpu *c, struct vm_page *m, uint8_t queue, bool head)
{
	if (VM_PAGE_A_QUEUE(vm_page_astate_load(m)) != PQ_NONE)
		vm_page_dequeue(c, m);
	if (c->e->q_locked)
		vm_page_enqueue_now(c, m, queue, head);
	else
		vm_page_enqueue_batch(c, m, queue, head);
}

/*
 * vm_page_enqueue(): put a page that is in no queue into queue.  locked,
 * batch: the page lock is held.
 */
void
vm_page_enqueue(struct eng_cpu *c, struct vm_page *m, uint8_t queue)
{
	vm_page_astate_t old;

	if (c->e->q_locked)
		vm_page_enqueue_now(c, m, queue, false);
	else if (c->e->q_batch)
		vm_page_enqueue_batch(c, m, queue, false);
	else {
		old = vm_page_astate_load(m);
		while (!vm_page_pqstate_commit(c, m, &old,
		    VM_PAGE_A_MAKE(VM_PAGE_A_FLAGS(old) | PGA_REQUEUE, queue,
		    VM_PAGE_A_ACT(old))))
			;
	}
}

/*
 * Place a page (locked, batch; page lock held) in queue: act_count at least
 * ACT_INIT for the active queue; a page already there stays put unless
 * head asks for the inactive head; otherwise it moves.  No wiring check:
 * the unwire path places a page before dropping its last wiring.
 */
static void
vm_page_mvqueue_locked(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    bool head)
{
	if (queue == PQ_ACTIVE)
		vm_page_act_adjust(c, m, 0, ACT_INIT);
	if (vm_page_queue(m) != queue) {
		vm_page_move(c, m, queue, head);
		return;
	}
	if (!head)
		return;
	if (c->e->q_locked)
		vm_page_requeue_now(c, m, true);
	else {
		eng_atomic_fetchor_32(&c->lk, LC_PAGEQUEUE, &m->a,
		    PGA_REQUEUE_HEAD);
		vm_page_pqbatch_submit(c, m, queue);
	}
}

/*
 * vm_page_activate(): put an unwired page in the active queue, or raise
 * its act_count if it is there.  locked, batch: the page lock is held
 * (the _locked form) or taken here; astate: no lock.
 */
void
vm_page_activate_locked(struct eng_cpu *c, struct vm_page *m)
{
	if (vm_page_wired_count(c->e, m) != 0)
		return;
	if (c->e->q_astate)
		vm_page_mvqueue(c, m, PQ_ACTIVE, PGA_REQUEUE);
	else
		vm_page_mvqueue_locked(c, m, PQ_ACTIVE, false);
}

void
vm_page_activate(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;

	if (!vm_page_qlock(c->e)) {
		vm_page_activate_locked(c, m);
		return;
	}
	vm_page_lock(c, m);
	vm_page_activate_locked(c, m);
	vm_page_unlock(c, m);
}

/*
 * vm_page_deactivate() / _noreuse (head): put an unwired page in the
 * inactive queue; a page already inactive stays put unless head asks for
 * the inactive head (FreeBSD 2019; astate requeues as 13/14 does).
 */
void
vm_page_deactivate_locked(struct eng_cpu *c, struct vm_page *m, bool head)
{
	if (vm_page_wired_count(c->e, m) != 0)
		return;
	if (c->e->q_astate)
		vm_page_mvqueue(c, m, PQ_INACTIVE,
		    head ? PGA_REQUEUE_HEAD : PGA_REQUEUE);
	else
		vm_page_mvqueue_locked(c, m, PQ_INACTIVE, head);
}

void
vm_page_deactivate(struct eng_cpu *c, struct vm_page *m, bool head)
{
	ENG_SITE_DEFINE;

	if (!vm_page_qlock(c->e)) {
		vm_page_deactivate_locked(c, m, head);
		return;
	}
	vm_page_lock(c, m);
	vm_page_deactivate_locked(c, m, head);
	vm_page_unlock(c, m);
}

/*
 * vm_page_requeue(): move an enqueued page to the tail of its queue.
 * False if it is in no queue.  Takes the page lock (locked, batch).
 */
bool
vm_page_requeue(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	vm_page_astate_t old, new;
	uint8_t queue;
	bool done;

	if (c->e->q_astate) {
		old = vm_page_astate_load(m);
		do {
			if (vm_page_astate_queue(old) == PQ_NONE)
				return (false);
			new = old | PGA_REQUEUE;
		} while (!vm_page_pqstate_commit(c, m, &old, new));
		return (true);
	}
	vm_page_lock(c, m);
	if (c->e->q_locked)
		done = vm_page_requeue_now(c, m, false);
	else if ((queue = vm_page_queue(m)) != PQ_NONE) {
		eng_atomic_fetchor_32(&c->lk, LC_PAGEQUEUE, &m->a,
		    PGA_REQUEUE);
		vm_page_pqbatch_submit(c, m, queue);
		done = true;
	} else
		done = false;
	vm_page_unlock(c, m);
	return (done);
}

/*
 * vm_page_release_toq(): place a page whose last wiring is going away.
 * VPR_NOREUSE or VPR_TRYFREE (an SF_NOCACHE page that could not be freed):
 * the inactive head (deactivate_noreuse), as FreeBSD's release_toq does
 * (it also sends invalid pages there; the model has no valid bits);
 * already active: just PGA_REFERENCED; otherwise queue.  locked, batch:
 * the page lock is held.  astate: one commit that also cancels a pending
 * lazy dequeue.
 */
void
vm_page_release_toq(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    int flags)
{
	vm_page_astate_t old, new;
	uint16_t fl, nflag;
	uint8_t act;

	if (c->e->q_astate) {
		nflag = (flags & (VPR_NOREUSE | VPR_TRYFREE)) != 0 ?
		    PGA_REQUEUE_HEAD : PGA_REQUEUE;
		if (nflag == PGA_REQUEUE_HEAD)
			queue = PQ_INACTIVE;
		old = vm_page_astate_load(m);
		do {
			fl = VM_PAGE_A_FLAGS(old) & ~PGA_QUEUE_OP_MASK;
			act = VM_PAGE_A_ACT(old);
			if (nflag != PGA_REQUEUE_HEAD &&
			    vm_page_astate_queue(old) == PQ_ACTIVE) {
				/* Keep a pending request: it may be the one
				 * that links the page. */
				new = old | PGA_REFERENCED;
			} else {
				if (queue == PQ_ACTIVE && act < ACT_INIT)
					act = ACT_INIT;
				new = VM_PAGE_A_MAKE(fl | nflag, queue, act);
			}
		} while (!vm_page_pqstate_commit(c, m, &old, new));
		return;
	}
	if ((flags & (VPR_NOREUSE | VPR_TRYFREE)) != 0)
		vm_page_mvqueue_locked(c, m, PQ_INACTIVE, true);
	else if (vm_page_queue(m) == PQ_ACTIVE)
		vm_page_aflag_set(c, m, PGA_REFERENCED);
	else
		vm_page_mvqueue_locked(c, m, queue, false);
}

/*
 * Request a dequeue without the queue lock (vm_page_dequeue_deferred):
 * set PGA_DEQUEUE unless the page is in no queue or already has the
 * request, then submit.  batch: the page lock is held, or (the _free form,
 * from vm_page_free()) no other reference exists.
 */
static void
vm_page_dequeue_request(struct eng_cpu *c, struct vm_page *m, bool submit)
{
	ENG_SITE_DEFINE;
	vm_page_astate_t old, new;

	old = vm_page_astate_load(m);
	do {
		if (VM_PAGE_A_QUEUE(old) == PQ_NONE ||
		    (VM_PAGE_A_FLAGS(old) & PGA_DEQUEUE) != 0)
			return;
		new = old | PGA_DEQUEUE;
	} while (!vm_page_astate_fcmpset(c, m, &old, new, ENG_HERE));
	if (submit)
		vm_page_pqbatch_submit(c, m, VM_PAGE_A_QUEUE(old));
}

void
vm_page_dequeue_deferred(struct eng_cpu *c, struct vm_page *m)
{
	vm_page_dequeue_request(c, m, true);
}

void
vm_page_dequeue_deferred_free(struct eng_cpu *c, struct vm_page *m)
{
	vm_page_dequeue_request(c, m, true);
}

/*
 * Queue side of a page's first wiring.  locked (pagelock; page lock held):
 * dequeue
 * now, as FreeBSD 10 did.  batch: nothing; wired pages are dequeued
 * lazily by the page daemon (r328977).  astate: request the dequeue
 * without submitting it (r356156).
 */
void
vm_page_wire_queue(struct eng_cpu *c, struct vm_page *m)
{
	if (c->e->q_locked)
		vm_page_dequeue(c, m);
	else if (c->e->q_astate)
		vm_page_dequeue_request(c, m, false);
}
