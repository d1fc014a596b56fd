/*
 * vm_pagequeue.c - the page queues' machinery shared by the --queue
 * designs, and the entry points the rest of the engine calls.  Each design
 * is an ops table in its own file (struct vm_pagequeue_ops, vm_internal.h),
 * chosen once by eng_create():
 *
 *  vm_pagequeue_locked.c	locked: FreeBSD 10, the queue lock per operation.
 *  vm_pagequeue_batch.c	batch:N[:trylock-full]: r332974 per-CPU
 *				batch queues, page lock for logical state.
 *  vm_pagequeue_astate.c	astate:N[:trylock]: FreeBSD 13/14, the atomic
 *				queue-state word and vm_page_pqstate_commit();
 *				D37305's half-full trylock (14.0).
 *  vm_pagequeue_dfly.c		colored:N: DragonFly 5.6, PQ_L2_SIZE coloured
 *				sub-queues per queue, each with a spinlock.
 *
 * Here: queue initialisation, the physical list operations, the batch
 * queues (submit, process, drain), the synchronous dequeue, the
 * queue-state commit, the lazy dequeue requests, and the page-lock
 * designs' shared placement logic (locked and batch differ only in their
 * enqueue/requeue/stay hooks there).
 *
 * Page-queue locks are leaf locks in every design.
 */
#include <stdlib.h>

#include "eng_alloc.h"
#include "vm_internal.h"

static const char *const vm_pagequeue_names[PQ_COUNT] = {
	"inactive", "active", "laundry", "unswappable"
};

/*
 * The queue locks as lock instances (lock_stats.h): the kernel names them
 * "vm inactive pagequeue" ... (vm_page_domain_init()), and lockstat lists
 * each domain's by address (vm_dom+0x80); the model has domain 0 only.
 * --queue colored names each sub-queue's lock after its queue
 * (vm_pagequeue_lockname()), so a queue's instance counts its sub-queues.
 */
static const char *const vm_pagequeue_locknames[PQ_COUNT] = {
	"vm_dom[0].inactive", "vm_dom[0].active", "vm_dom[0].laundry",
	"vm_dom[0].unswappable"
};

/* The lock-instance name of queue q's lock(s). */
const char *
vm_pagequeue_lockname(uint8_t q)
{
	return (vm_pagequeue_locknames[q]);
}

/*
 * The domain's queues and their markers, then the design's own structures
 * (colored: its sub-queues).  Returns 0, or -1 when out of memory.
 */
int
vm_pagequeue_init(struct vm_engine *e)
{
	struct vm_domain *vmd = &e->vmd;
	struct vm_pagequeue *pq;
	unsigned q;

	for (q = 0; q < PQ_COUNT; q++) {
		pq = &vmd->vmd_pagequeues[q];
		eng_mtx_init(&pq->pq_mutex, LC_PAGEQUEUE);
		eng_mtx_name(&pq->pq_mutex, vm_pagequeue_locknames[q]);
		TAILQ_INIT(&pq->pq_pl);
		atomic_init(&pq->pq_cnt, 0);
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
	vmd->vmd_ncolors = 1;
	return (e->pq->init != NULL ? e->pq->init(e) : 0);
}

/* Free what the design's init hook allocated (eng_destroy()). */
void
vm_pagequeue_fini(struct vm_engine *e)
{
	if (e->pq != NULL && e->pq->fini != NULL)
		e->pq->fini(e);
}

int
vm_batchqueue_init(struct eng_cpu *c)
{
	unsigned q;

	for (q = 0; q < PQ_COUNT; q++) {
		c->bq[q].bq_pa = eng_calloc(VM_BATCHQUEUE_MAX,
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
 * Physical list operations.  before: insert in front of it (the inactive
 * head marker, a scan marker), NULL for the tail.  The page queue must be
 * locked.
 */
void
vm_pagequeue_insert(struct eng_cpu *c, struct vm_pagequeue *pq,
    struct vm_page *m, struct vm_page *before)
{
	vm_pagequeue_assert_locked(c, pq);
	if (before != NULL)
		TAILQ_INSERT_BEFORE(before, m, plinks_q);
	else
		TAILQ_INSERT_TAIL(&pq->pq_pl, m, plinks_q);
	vm_pagequeue_cnt_add(pq, 1);
}

void
vm_pagequeue_remove(struct eng_cpu *c, struct vm_pagequeue *pq,
    struct vm_page *m)
{
	vm_pagequeue_assert_locked(c, pq);
	TAILQ_REMOVE(&pq->pq_pl, m, plinks_q);
	vm_pagequeue_cnt_add(pq, -1);
}

/*
 * Where to insert into pq: the tail (NULL), or for head on an inactive
 * queue before the inactive head marker, or before the first page of a
 * --queue colored sub-queue (DragonFly's TAILQ_INSERT_HEAD).
 */
struct vm_page *
vm_pagequeue_where(struct vm_engine *e, struct vm_pagequeue *pq, bool head)
{
	if (!head || pq->pq_index != PQ_INACTIVE)
		return (NULL);
	return (e->vmd.vmd_subq != NULL ? TAILQ_FIRST(&pq->pq_pl) :
	    &e->vmd.vmd_inacthead);
}

/* CAS of the queue-state word, failures counted as commit retries. */
bool
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
 * CAS only protects the other bits of the word.  --queue colored with
 * --page dfly: the page lock or the page hard-busied by this CPU, as
 * DragonFly's page daemon adds to act_count with only the busy held
 * (vm_pageout_scan_active, vm_pageout_page; stored vm_pageout.c, read
 * id 7380431112); e3c330f0's unlocked activate races with it either way.
 */
uint8_t
vm_page_act_adjust(struct eng_cpu *c, struct vm_page *m, int delta,
    int floor)
{
	ENG_SITE_DEFINE;
	vm_page_astate_t old, new;
	int act;

	if (vm_page_qlock(c->e) && (c->e->vmd.vmd_subq == NULL ||
	    !vm_page_dfly_busied(c, m)))
		vm_page_assert_locked(c, m);
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
 * lock held there).  The page must be locked or unreferenced
 * (vm_page_queue_state_owned()).
 */
void
vm_page_dequeue(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	struct vm_pagequeue *pq;
	vm_page_astate_t old, new;
	uint8_t queue;

	vm_page_assert_queue_state_owned(c, m);
	for (;;) {
		old = vm_page_astate_load(m);
		queue = VM_PAGE_A_QUEUE(old);
		if (queue == PQ_NONE) {
			ENG_ASSERT((VM_PAGE_A_FLAGS(old) &
			    PGA_QUEUE_STATE_MASK) == 0);
			return;
		}
		pq = vm_page_pagequeue_m(c->e, m, queue);
		eng_mtx_lock(&c->lk, &pq->pq_mutex, ENG_HERE);
		old = vm_page_astate_load(m);
		if (VM_PAGE_A_QUEUE(old) == queue)
			break;
		eng_mtx_unlock(&c->lk, &pq->pq_mutex);
	}
	if ((VM_PAGE_A_FLAGS(old) & PGA_ENQUEUED) != 0)
		vm_pagequeue_remove(c, pq, m);
	do
		new = VM_PAGE_A_MAKE(VM_PAGE_A_FLAGS(old) &
		    ~PGA_QUEUE_STATE_MASK, PQ_NONE, VM_PAGE_A_ACT(old));
	while (!vm_page_astate_fcmpset(c, m, &old, new, ENG_HERE));
	eng_mtx_unlock(&c->lk, &pq->pq_mutex);
}

/*
 * Process one batch entry under the page-queue lock
 * (vm_pqbatch_process_page).  Stale entries (the page left this queue, or
 * no request remains) are no-ops.  A dequeue unlinks speculatively before
 * the CAS and relinks if the CAS fails; a requeue CASes first, which is
 * safe because PGA_ENQUEUED and the queue field cannot change without this
 * lock.  The page queue must be locked.
 */
void
vm_pqbatch_process_page(struct eng_cpu *c, struct vm_pagequeue *pq,
    struct vm_page *m, uint8_t queue)
{
	ENG_SITE_DEFINE;
	vm_page_astate_t old, new;
	struct vm_page *next;
	uint16_t fl;

	vm_pagequeue_assert_locked(c, pq);
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
				vm_pagequeue_remove(c, pq, m);
			}
			new = VM_PAGE_A_MAKE(fl & ~PGA_QUEUE_STATE_MASK,
			    PQ_NONE, VM_PAGE_A_ACT(old));
			if (vm_page_astate_fcmpset(c, m, &old, new, ENG_HERE))
				break;
			if ((fl & PGA_ENQUEUED) != 0)
				vm_pagequeue_insert(c, pq, m, next);
			continue;
		}
		new = VM_PAGE_A_MAKE((fl & ~(PGA_REQUEUE | PGA_REQUEUE_HEAD)) |
		    PGA_ENQUEUED, queue, VM_PAGE_A_ACT(old));
		if (!vm_page_astate_fcmpset(c, m, &old, new, ENG_HERE))
			continue;
		if ((fl & PGA_ENQUEUED) != 0)
			vm_pagequeue_remove(c, pq, m);
		vm_pagequeue_insert(c, pq, m, vm_pagequeue_where(c->e, pq,
		    (fl & PGA_REQUEUE_HEAD) != 0));
		break;
	}
	c->st.queue_ops++;
}

/* Process every entry of bq.  The page queue must be locked. */
static void
vm_pqbatch_process(struct eng_cpu *c, struct vm_pagequeue *pq,
    struct vm_batchqueue *bq, uint8_t queue)
{
	int i;

	vm_pagequeue_assert_locked(c, pq);
	for (i = 0; i < bq->bq_cnt; i++)
		vm_pqbatch_process_page(c, pq, bq->bq_pa[i], queue);
	bq->bq_cnt = 0;
}

/*
 * vm_page_pqbatch_submit(): defer the physical operation requested on m
 * (request flags already set) to this CPU's batch for queue.  A full batch
 * takes the queue lock once, processes every entry and m.  With :trylock
 * (D37305, 14.0: vm_batchqueue_insert() returns the free slots before the
 * insertion and the lock is tried when at most half were free, so from
 * n - n/2 + 1 entries) the lock is tried and the batch kept on failure;
 * with :trylock-full (r332974, 12.x vm_pqbatch_submit_page) a full batch
 * tries the lock once before blocking.  Called with the page lock held (batch) or no lock
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
		if (e->design.trylock != ENG_TRYLOCK_HALF ||
		    bq->bq_cnt <= n - n / 2)
			return;
		if (!eng_mtx_trylock(&c->lk, &pq->pq_mutex, ENG_HERE))
			return;
		vm_pqbatch_process(c, pq, bq, queue);
		eng_mtx_unlock(&c->lk, &pq->pq_mutex);
		return;
	}
	if (e->design.trylock != ENG_TRYLOCK_FULL ||
	    !eng_mtx_trylock(&c->lk, &pq->pq_mutex, ENG_HERE))
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
			vm_pagequeue_remove(c, pq, m);
			unlinked = true;
			new &= ~(vm_page_astate_t)PGA_ENQUEUED;
		}
		if (!vm_page_astate_fcmpset(c, m, old, new, ENG_HERE)) {
			if (unlinked)
				vm_pagequeue_insert(c, pq, m, next);
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
 * vm_page_dequeue_request(): request a dequeue without the queue lock: set
 * PGA_DEQUEUE unless the page is in no queue or already has the request
 * (*made says whether this call set it).  Returns the page's queue,
 * PQ_NONE if it is in none.  Alone (astate's first wiring, r356156) the
 * request waits for whoever touches the page's queue state next.
 * Page-lock designs: the page lock is held, or no reference is left.
 */
uint8_t
vm_page_dequeue_request(struct eng_cpu *c, struct vm_page *m, bool *made)
{
	ENG_SITE_DEFINE;
	vm_page_astate_t old, new;

	vm_page_assert_queue_state_owned(c, m);
	*made = false;
	old = vm_page_astate_load(m);
	do {
		if (VM_PAGE_A_QUEUE(old) == PQ_NONE ||
		    (VM_PAGE_A_FLAGS(old) & PGA_DEQUEUE) != 0)
			return (VM_PAGE_A_QUEUE(old));
		new = old | PGA_DEQUEUE;
	} while (!vm_page_astate_fcmpset(c, m, &old, new, ENG_HERE));
	*made = true;
	return (VM_PAGE_A_QUEUE(old));
}

/*
 * vm_page_dequeue_deferred(): request a dequeue and submit it, always,
 * even when PGA_DEQUEUE was already set: FreeBSD 12 sets the flag and
 * calls vm_pqbatch_submit_page() unconditionally (sys/vm/vm_page.c,
 * r330296 era), and 13/14 commit through vm_page_pqstate_commit_request(),
 * which submits whether or not the word changed.  Under astate a request
 * set by vm_page_wire() was never submitted, so this is what completes it.
 * Page-lock designs: the page lock is held.
 */
void
vm_page_dequeue_deferred(struct eng_cpu *c, struct vm_page *m)
{
	uint8_t queue;
	bool made;

	if ((queue = vm_page_dequeue_request(c, m, &made)) != PQ_NONE)
		vm_page_pqbatch_submit(c, m, queue);
}

/*
 * vm_page_dequeue_deferred_free() (--queue batch, from
 * vm_page_free_prep()): no reference is left, so nothing else schedules
 * queue operations on the page and the page lock is not needed.  Unlike
 * vm_page_dequeue_deferred() it returns early when PGA_DEQUEUE is already
 * set, as FreeBSD 12's does: in that design a set request has always been
 * submitted.  13/14 have no such variant (astate frees through
 * vm_page_dequeue_deferred()).
 */
void
vm_page_dequeue_deferred_free(struct eng_cpu *c, struct vm_page *m)
{
	uint8_t queue;
	bool made;

	queue = vm_page_dequeue_request(c, m, &made);
	if (made)
		vm_page_pqbatch_submit(c, m, queue);
}

/* ------------------------------------------- the page-lock designs' logic */

/*
 * Move a page (page lock held) from its queue, if any, to queue: a
 * synchronous dequeue, then the design's enqueue.
 */
static void
vm_pq_plock_move(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    bool head)
{
	if (VM_PAGE_A_QUEUE(vm_page_astate_load(m)) != PQ_NONE)
		vm_page_dequeue(c, m);
	c->e->pq->enqueue(c, m, queue, head);
}

/*
 * Place a page (page lock held) in queue: act_count at least ACT_INIT for
 * the active queue; a page already there is left to the design's stay
 * hook; otherwise it moves.  No wiring check: the unwire path places a
 * page before dropping its last wiring.
 */
static void
vm_pq_plock_place(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    bool head)
{
	vm_page_assert_locked(c, m);
	if (queue == PQ_ACTIVE)
		vm_page_act_adjust(c, m, 0, ACT_INIT);
	if (vm_page_queue(m) != queue)
		vm_pq_plock_move(c, m, queue, head);
	else
		c->e->pq->stay(c, m, queue, head);
}

void
vm_pq_plock_activate(struct eng_cpu *c, struct vm_page *m)
{
	vm_pq_plock_place(c, m, PQ_ACTIVE, false);
}

void
vm_pq_plock_deactivate(struct eng_cpu *c, struct vm_page *m, bool head)
{
	vm_pq_plock_place(c, m, PQ_INACTIVE, head);
}

/* vm_page_requeue() of the page-lock designs: the page lock is held. */
bool
vm_pq_plock_requeue_page(struct eng_cpu *c, struct vm_page *m)
{
	uint8_t queue = vm_page_queue(m);

	vm_page_assert_locked(c, m);
	if (queue == PQ_NONE)
		return (false);
	c->e->pq->requeue(c, m, queue, false);
	return (true);
}

/*
 * vm_page_release_toq() of the page-lock designs.
 * VPR_NOREUSE or VPR_TRYFREE (an SF_NOCACHE page that could not be freed):
 * the inactive head (deactivate_noreuse), as FreeBSD's release_toq does
 * (it also sends invalid pages there; the model has no valid bits);
 * already active: just PGA_REFERENCED; otherwise queue.  The page lock is
 * held.
 */
void
vm_pq_plock_release_toq(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    int flags)
{
	vm_page_assert_locked(c, m);
	if ((flags & (VPR_NOREUSE | VPR_TRYFREE)) != 0)
		vm_pq_plock_place(c, m, PQ_INACTIVE, true);
	else if (vm_page_queue(m) == PQ_ACTIVE)
		vm_page_aflag_set(c, m, PGA_REFERENCED);
	else
		vm_pq_plock_place(c, m, queue, false);
}

/* ------------------------------------------------------- entry points */

/*
 * vm_page_enqueue(): put a page that is in no queue into queue.
 * VM_PQ_PAGELOCK designs: the page lock is held.
 */
void
vm_page_enqueue(struct eng_cpu *c, struct vm_page *m, uint8_t queue)
{
	c->e->pq->enqueue(c, m, queue, false);
}

/*
 * A wired page stays off the paging queues: FreeBSD's vm_page_activate()
 * and _deactivate() return at once for one (10.4: "if (m->wire_count ==
 * 0 ..."; 12+: vm_page_wired()).  DragonFly 5.6's do not look at
 * wire_count (v5.6.0 vm_page_activate(), _vm_page_deactivate_locked():
 * only PG_FICTITIOUS | PG_UNQUEUED): its wiring is lazy, and the page
 * daemon takes a wired page it meets off its queue.  So under --page dfly
 * on DragonFly's queues (colored); --page dfly on one of FreeBSD's queue
 * designs keeps FreeBSD's rule, which those designs' wiring hooks rely on.
 * No lock.
 */
static bool
vm_page_queue_skips_wired(struct eng_cpu *c, struct vm_page *m)
{
	if (c->e->dfly && c->e->pq == &vm_pagequeue_dfly_ops)
		return (false);
	return (vm_page_wired_count(c->e, m) != 0);
}

/*
 * vm_page_activate(): put a page in the active queue (not a wired one:
 * vm_page_queue_skips_wired()), or raise its act_count if it is there.
 * The _locked form: the page lock is held (VM_PQ_PAGELOCK designs); the
 * other takes it there, unless the design's activate_unlocked hook
 * finishes without it (colored).
 */
void
vm_page_activate_locked(struct eng_cpu *c, struct vm_page *m)
{
	if (vm_page_queue_skips_wired(c, m))
		return;
	c->e->pq->activate(c, m);
}

void
vm_page_activate(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;

	if (!vm_page_qlock(c->e)) {
		vm_page_activate_locked(c, m);
		return;
	}
	if (c->e->pq->activate_unlocked != NULL &&
	    c->e->pq->activate_unlocked(c, m))
		return;
	vm_page_lock(c, m);
	vm_page_activate_locked(c, m);
	vm_page_unlock(c, m);
}

/*
 * vm_page_deactivate() / _noreuse (head): put a page in the inactive
 * queue (not a wired one: vm_page_queue_skips_wired(); see each design
 * for a page already there).  The _locked form: the page lock is held
 * (VM_PQ_PAGELOCK designs, asserted by the designs' hooks); the other
 * takes it there, unless the design's deactivate_unlocked hook finishes
 * a deactivation not at the head without it (colored).
 */
void
vm_page_deactivate_locked(struct eng_cpu *c, struct vm_page *m, bool head)
{
	if (vm_page_queue_skips_wired(c, m))
		return;
	c->e->pq->deactivate(c, m, head);
}

void
vm_page_deactivate(struct eng_cpu *c, struct vm_page *m, bool head)
{
	ENG_SITE_DEFINE;

	if (!vm_page_qlock(c->e)) {
		vm_page_deactivate_locked(c, m, head);
		return;
	}
	if (!head && c->e->pq->deactivate_unlocked != NULL &&
	    c->e->pq->deactivate_unlocked(c, m))
		return;
	vm_page_lock(c, m);
	vm_page_deactivate_locked(c, m, head);
	vm_page_unlock(c, m);
}

/*
 * The active scan's move of an aged-out active page to the inactive
 * queue.  The page lock is held (VM_PQ_PAGELOCK designs).
 */
void
vm_page_scan_deactivate(struct eng_cpu *c, struct vm_page *m)
{
	if (c->e->pq->scan_deactivate != NULL)
		c->e->pq->scan_deactivate(c, m);
	else
		vm_page_deactivate_locked(c, m, false);
}

/*
 * vm_page_requeue(): move an enqueued page to the tail of its queue.
 * False if it is in no queue.  Takes the page lock (VM_PQ_PAGELOCK).
 */
bool
vm_page_requeue(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	bool done;

	if (!vm_page_qlock(c->e))
		return (c->e->pq->requeue_page(c, m));
	vm_page_lock(c, m);
	done = c->e->pq->requeue_page(c, m);
	vm_page_unlock(c, m);
	return (done);
}

/*
 * vm_page_release_toq(): place a page whose last wiring is going away
 * (see the designs).  VM_PQ_PAGELOCK designs: the page lock is held.
 */
void
vm_page_release_toq(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    int flags)
{
	c->e->pq->release_toq(c, m, queue, flags);
}

/*
 * The queue side of vm_page_free_prep(): the page has no reference left,
 * so no lock is needed for its queue state.
 */
void
vm_page_free_dequeue(struct eng_cpu *c, struct vm_page *m)
{
	c->e->pq->free(c, m);
}

/*
 * The page daemon found a wired page (or one that left its object) in a
 * queue: dequeue it lazily where the design does (r328977).  Page lock
 * held (VM_PQ_PAGELOCK designs).
 */
void
vm_page_dequeue_lazy(struct eng_cpu *c, struct vm_page *m)
{
	if (c->e->pq->dequeue_lazy != NULL)
		c->e->pq->dequeue_lazy(c, m);
}

/*
 * Queue side of a page's first wiring and of its last unwiring (see the
 * designs).  Page lock held (VM_PQ_PAGELOCK designs).
 */
void
vm_page_wire_queue(struct eng_cpu *c, struct vm_page *m)
{
	if (c->e->pq->wire != NULL)
		c->e->pq->wire(c, m);
}

void
vm_page_unwire_queue(struct eng_cpu *c, struct vm_page *m)
{
	if (c->e->pq->unwire != NULL)
		c->e->pq->unwire(c, m);
}
