/*
 * vm_pageout.c - the page daemon's scans, run by scan events and inline by
 * an allocator that found no free page.
 *
 * Inactive scan (vm_pageout_scan_inactive): a marker is inserted at the
 * head of the inactive queue and pages are taken from behind it.
 *  --queue locked: one page per queue-lock acquisition (the page lock is
 *	trylocked under the queue lock and the page dequeued, logically and
 *	physically, as FreeBSD 10 did); a kept page is enqueued again, taking
 *	the queue lock once more.
 *  --queue batch, astate: vm_pageout_collect_batch() takes up to N pages
 *	under one queue-lock acquisition and dequeues them physically only;
 *	they stay logically inactive.  Each is then examined with the page
 *	and object locks only (batch: page lock; astate: none); the kept ones
 *	are batched and reinserted before the marker when the batch fills and
 *	at the end, where both of the kernel's flushes take the queue lock
 *	even when empty (r330296, vm_pageout_reinsert_inactive), and a scan
 *	takes the laundry queue's lock once to post its request.  The page
 *	lock is a cursor carried from page to page (vm_page_change_lock, as
 *	the 2019 scans do): it is switched only when the next page hashes to
 *	another lock, so the pages of one 2 MiB frame cost one acquisition.
 *	So is the object lock: kept while consecutive pages share the object
 *	(12.0 and 13/14 vm_pageout_scan_inactive), one acquisition per run.
 * Per page: skip it if its logical state moved on; --page refcount with a
 * page-locked queue takes a transient reference and drops it once the
 * object lock is held (seed 000); astate takes none (13/14 rely on the
 * type stability of objects, the object lock and vm_page_tryxbusy).  The
 * object is locked: astate without page locks blocks on it and re-checks
 * m->object (13/14); the others trylock it, and if that fails a scan event under batch drops
 * the page-lock cursor, blocks on the object lock, takes the page lock
 * again and re-checks the page's queue state, as the 2019 scan does.  An
 * inline reclaim (vm_pageout_reclaim(), which already holds another
 * object's lock) and --queue locked (FreeBSD 10: object locked per page)
 * only trylock and keep the page, so the scan can never deadlock; wired
 * pages are dequeued lazily; referenced pages get a second chance
 * (reactivated if mapped); the others are unmapped
 * (vm_page_try_remove_all) and freed.
 *
 * Active scan (vm_pageout_scan_active): a marker inserted after the clock
 * hand vmd_clock sweeps the active queue in batches without dequeuing, and
 * the hand moves to it at the end; act_count rises for referenced pages
 * and decays otherwise, and a page reaching 0 moves to the inactive queue
 * (vm_page_scan_deactivate: batch's swapqueue commit, the others'
 * deactivation).
 *
 * The queue design enters through its ops (vm_internal.h): VM_PQ_SYNC
 * selects FreeBSD 10's one-page-at-a-time logical dequeue, VM_PQ_PAGELOCK
 * the page-lock cursor; the lazy dequeue of wired pages and the active
 * scan's deactivation are hooks.
 */
#include "vm_internal.h"

enum vm_pageout_verdict {
	PO_FREED,
	PO_REINSERT,	/* keep in the inactive queue */
	PO_SKIP,	/* someone else owns its queue state now */
};

struct vm_pageout_scan {
	struct vm_page	marker;
	struct vm_pagequeue *pq;
	uint64_t	maxscan;
	uint64_t	scanned;
};

/*
 * vm_pageout_init_scan(): insert the scan's marker at the head of the queue
 * (or --queue colored sub-queue) pq (after == NULL) or after the marker
 * after, under one queue-lock acquisition.  Takes and drops the queue lock.
 */
static void
vm_pageout_init_scan(struct eng_cpu *c, struct vm_pageout_scan *ss,
    struct vm_pagequeue *pq, struct vm_page *after, uint64_t maxscan)
{
	ENG_SITE_DEFINE;

	ss->pq = pq;
	ss->maxscan = maxscan;
	ss->scanned = 0;
	ss->marker.flags = PG_MARKER;
	atomic_init(&ss->marker.a, VM_PAGE_A_MAKE(PGA_ENQUEUED, pq->pq_index,
	    0));
	eng_mtx_lock(&c->lk, &ss->pq->pq_mutex, ENG_HERE);
	if (after == NULL)
		TAILQ_INSERT_HEAD(&ss->pq->pq_pl, &ss->marker, plinks_q);
	else
		TAILQ_INSERT_AFTER(&ss->pq->pq_pl, after, &ss->marker,
		    plinks_q);
	eng_mtx_unlock(&c->lk, &ss->pq->pq_mutex);
}

/*
 * vm_pageout_end_scan(): remove the marker under one queue-lock
 * acquisition; the active scan moves its clock hand in the same critical
 * section, to the head of the queue if the scan reached its end (wrapped),
 * else to the marker.  Takes and drops the queue lock.
 */
static void
vm_pageout_end_scan(struct eng_cpu *c, struct vm_pageout_scan *ss,
    struct vm_page *clock, bool wrapped)
{
	ENG_SITE_DEFINE;

	eng_mtx_lock(&c->lk, &ss->pq->pq_mutex, ENG_HERE);
	if (clock != NULL) {
		TAILQ_REMOVE(&ss->pq->pq_pl, clock, plinks_q);
		if (wrapped)
			TAILQ_INSERT_HEAD(&ss->pq->pq_pl, clock, plinks_q);
		else
			TAILQ_INSERT_AFTER(&ss->pq->pq_pl, &ss->marker, clock,
			    plinks_q);
	}
	TAILQ_REMOVE(&ss->pq->pq_pl, &ss->marker, plinks_q);
	eng_mtx_unlock(&c->lk, &ss->pq->pq_mutex);
	c->st.scan_pages += ss->scanned;
}

/*
 * vm_pageout_collect_batch(): under the queue lock, take up to limit pages
 * after the marker; the marker moves to the first page not taken (*end:
 * it reached the end of the queue).  dequeue (the inactive scan): unlink
 * them (clearing PGA_ENQUEUED); --queue locked also dequeues them
 * logically, under the page lock, which is trylocked here (a page whose
 * lock is busy is passed over) and left held for the caller.  Without
 * dequeue (the active scan) the pages stay where they are.  Takes and
 * drops the queue lock.
 */
static int
vm_pageout_collect_batch(struct eng_cpu *c, struct vm_pageout_scan *ss,
    struct vm_page **ma, int limit, bool dequeue, bool *end)
{
	ENG_SITE_DEFINE;
	struct vm_pagequeue *pq = ss->pq;
	struct vm_page *m, *next;
	vm_page_astate_t old, new;
	bool locked = vm_pq_flagged(c->e, VM_PQ_SYNC);
	int n = 0;

	eng_mtx_lock(&c->lk, &pq->pq_mutex, ENG_HERE);
	for (m = TAILQ_NEXT(&ss->marker, plinks_q);
	    m != NULL && n < limit && ss->scanned < ss->maxscan; m = next) {
		next = TAILQ_NEXT(m, plinks_q);
		if ((m->flags & PG_MARKER) != 0)
			continue;
		ss->scanned++;
		if (!dequeue) {
			ma[n++] = m;
			continue;
		}
		if (locked && !vm_page_trylock(c, m)) {
			c->st.scan_skipped++;
			continue;
		}
		vm_pagequeue_remove(c, pq, m);
		old = vm_page_astate_load(m);
		do
			new = locked ? VM_PAGE_A_MAKE(VM_PAGE_A_FLAGS(old) &
			    ~PGA_QUEUE_STATE_MASK, PQ_NONE, VM_PAGE_A_ACT(old)) :
			    old & ~(vm_page_astate_t)PGA_ENQUEUED;
		while (!eng_atomic_fcmpset_32(&c->lk, LC_PAGEQUEUE, ENG_HERE,
		    &m->a, &old, new));
		ma[n++] = m;
	}
	TAILQ_REMOVE(&pq->pq_pl, &ss->marker, plinks_q);
	if (m != NULL)
		TAILQ_INSERT_BEFORE(m, &ss->marker, plinks_q);
	else
		TAILQ_INSERT_TAIL(&pq->pq_pl, &ss->marker, plinks_q);
	*end = m == NULL;
	eng_mtx_unlock(&c->lk, &pq->pq_mutex);
	return (n);
}

/*
 * vm_pageout_reinsert_inactive(): put the kept pages back before the
 * marker, unless their state moved on meanwhile (another queue, a pending
 * request, or already relinked).  Like the kernel's (12.0 [FB12po], 13/14
 * [FB13]), it takes the queue lock even when there is nothing to put back:
 * the scan's end flushes its two batches (kept pages, pages collected but
 * not examined) unconditionally.  Takes and drops the queue lock.
 */
static void
vm_pageout_reinsert_inactive(struct eng_cpu *c, struct vm_pageout_scan *ss,
    struct vm_page **ma, int n)
{
	ENG_SITE_DEFINE;
	vm_page_astate_t old;
	int i;

	eng_mtx_lock(&c->lk, &ss->pq->pq_mutex, ENG_HERE);
	for (i = 0; i < n; i++) {
		old = vm_page_astate_load(ma[i]);
		do {
			if (VM_PAGE_A_QUEUE(old) != PQ_INACTIVE ||
			    (VM_PAGE_A_FLAGS(old) & PGA_QUEUE_STATE_MASK) != 0)
				break;
		} while (!eng_atomic_fcmpset_32(&c->lk, LC_PAGEQUEUE, ENG_HERE,
		    &ma[i]->a, &old, old | PGA_ENQUEUED));
		if (VM_PAGE_A_QUEUE(old) == PQ_INACTIVE &&
		    (VM_PAGE_A_FLAGS(old) & PGA_QUEUE_STATE_MASK) == 0)
			vm_pagequeue_insert(c, ss->pq, ma[i], &ss->marker);
	}
	eng_mtx_unlock(&c->lk, &ss->pq->pq_mutex);
}

/*
 * Examine one collected page (see the file comment).  On entry --queue
 * locked holds the page lock and the page is in no queue, and returns with
 * it dropped; its object is locked and unlocked here.  Batch and astate
 * hold at most the page-lock cursor *mtx (the lock of an earlier page) and
 * the object-lock cursor *objp (the write-locked object of an earlier
 * page); the page is logically inactive but unlinked.  They return with
 * *mtx the lock of m or unchanged, and *objp m's object, still locked, or
 * NULL.
 */
static enum vm_pageout_verdict
vm_pageout_inactive_page(struct eng_cpu *c, struct vm_page *m,
    struct eng_mtx **mtx, struct vm_object **objp)
{
	ENG_SITE_DEFINE;
	struct vm_engine *e = c->e;
	struct vm_object *obj;
	vm_page_astate_t a;
	bool locked = vm_pq_flagged(e, VM_PQ_SYNC), plock, transient = false;
	bool astate = !vm_page_qlock(e);
	enum vm_pageout_verdict v;
	uint8_t expect = locked ? PQ_NONE : PQ_INACTIVE;

	if (locked)
		vm_page_assert_locked(c, m);
	ENG_KASSERT(!locked || *objp == NULL,
	    "page %p: object cursor under --queue locked", (void *)m);
	plock = e->pagelock || vm_page_qlock(e);
	if (!locked) {
		a = vm_page_astate_load(m);
		if (vm_page_astate_queue(a) != PQ_INACTIVE ||
		    (VM_PAGE_A_FLAGS(a) & PGA_QUEUE_STATE_MASK) != 0)
			return (PO_SKIP);
		if (plock)
			vm_page_change_lock(c, m, mtx, ENG_HERE);
	}
	v = PO_SKIP;
	a = vm_page_astate_load(m);
	if (VM_PAGE_A_QUEUE(a) != expect ||
	    (VM_PAGE_A_FLAGS(a) & PGA_QUEUE_STATE_MASK) != 0)
		goto out;
	/*
	 * Seed 000's transient reference (--page refcount with a page-locked
	 * queue design).  The astate scan of 13/14 takes none: it reads
	 * m->object racily and relies on the type stability of objects, the
	 * object lock and vm_page_tryxbusy() ([FB13] vm_pageout_scan_inactive).
	 */
	if (!e->pagelock && !astate) {
		if (!vm_page_tryacquire_transient(c, m))
			goto out;	/* free, or being freed */
		transient = true;
	}
	obj = atomic_load_explicit(&m->object, memory_order_acquire);
	/*
	 * The object lock is kept while consecutive pages share the object:
	 * 12.0 `if (object != m->object)`, 13/14 `if (object == NULL ||
	 * object != m->object)` (vm_pageout_scan_inactive, [FB12po], [FB13]).
	 * FreeBSD 10 (--queue locked) locked and unlocked it per page.
	 */
	if (obj == NULL || obj != *objp) {
		if (*objp != NULL) {
			VM_OBJECT_WUNLOCK(c, *objp);
			*objp = NULL;
		}
		if (obj == NULL) {
			/*
			 * astate: being freed by another thread (13/14).
			 * Otherwise a wired page that left its object:
			 * dequeue it lazily.
			 */
			if (!astate)
				vm_page_dequeue_lazy(c, m);
			goto out;
		}
		if (astate && !plock && !c->in_reclaim)
			VM_OBJECT_WLOCK(c, obj);	/* type stability */
		else if (!VM_OBJECT_TRYWLOCK(c, obj)) {
			if (locked || c->in_reclaim) {
				c->st.scan_skipped++;
				v = PO_REINSERT;
				goto out;
			}
			/* Lock order object -> page: drop the cursor, block. */
			if (*mtx != NULL) {
				eng_mtx_unlock(&c->lk, *mtx);
				*mtx = NULL;
			}
			VM_OBJECT_WLOCK(c, obj);
			if (plock)
				vm_page_change_lock(c, m, mtx, ENG_HERE);
			a = vm_page_astate_load(m);
			if (VM_PAGE_A_QUEUE(a) != expect ||
			    (VM_PAGE_A_FLAGS(a) & PGA_QUEUE_STATE_MASK) != 0) {
				*objp = obj;
				goto out;	/* someone else placed it */
			}
		}
		if (atomic_load_explicit(&m->object, memory_order_relaxed) !=
		    obj) {
			VM_OBJECT_WUNLOCK(c, obj);
			v = PO_REINSERT;
			goto out;
		}
		if (!locked)
			*objp = obj;
	}
	if (transient) {
		vm_page_drop_transient(c, m);	/* the object's ref remains */
		transient = false;
	}
	if (vm_page_wired_count(e, m) != 0) {
		vm_page_dequeue_lazy(c, m);
		goto unlock_obj;
	}
	if (!vm_page_tryxbusy(c, m)) {
		c->st.scan_skipped++;
		v = PO_REINSERT;
		goto unlock_obj;
	}
	a = vm_page_astate_load(m);
	if (VM_PAGE_A_QUEUE(a) != expect ||
	    (VM_PAGE_A_FLAGS(a) & PGA_QUEUE_STATE_MASK) != 0)
		goto unbusy;
	if ((VM_PAGE_A_FLAGS(a) & PGA_REFERENCED) != 0) {
		vm_page_aflag_clear(c, m, PGA_REFERENCED);
		if (pmap_page_is_mapped(m)) {
			vm_page_act_adjust(c, m, ACT_ADVANCE, ACT_INIT);
			if (locked)
				vm_page_enqueue(c, m, PQ_ACTIVE);
			else {
				vm_page_activate_locked(c, m);
				/*
				 * Refused (refcount: wired since the check
				 * above by pmap_extract_and_hold): the page is
				 * logically inactive on no list; dequeue it
				 * lazily like any wired page.
				 */
				if (vm_page_wired_count(e, m) != 0)
					vm_page_dequeue_lazy(c, m);
			}
		} else
			v = PO_REINSERT;
		goto unbusy;
	}
	if (pmap_page_is_mapped(m) && !vm_page_try_remove_all(c, m)) {
		v = PO_REINSERT;
		goto unbusy;
	}
	/* The sanctioned exception: queue = PQ_NONE without the queue lock. */
	if (!locked)
		while (!eng_atomic_fcmpset_32(&c->lk, LC_PAGEQUEUE, ENG_HERE,
		    &m->a, &a, VM_PAGE_A_MAKE(VM_PAGE_A_FLAGS(a) &
		    ~PGA_QUEUE_STATE_MASK, PQ_NONE, VM_PAGE_A_ACT(a))))
			;
	vm_page_xunbusy(c, m);
	vm_page_free(c, m);
	v = PO_FREED;
	goto unlock_obj;
unbusy:
	vm_page_xunbusy(c, m);
unlock_obj:
	if (locked)
		VM_OBJECT_WUNLOCK(c, obj);
out:
	/* Our transient reference was the last: the page left its object. */
	if (transient && vm_page_drop_transient(c, m)) {
		vm_page_free(c, m);
		v = PO_FREED;
	}
	if (locked) {
		if (v == PO_REINSERT) {
			vm_page_enqueue(c, m, PQ_INACTIVE);
			v = PO_SKIP;
		}
		vm_page_unlock(c, m);
	}
	return (v);
}

/*
 * Examine up to maxscan pages of the inactive queue (or sub-queue) pq;
 * returns how many were freed and adds to *scanned how many it looked at.
 * Kept pages are batched (rq) and put back when the batch fills and at the
 * end of the scan, as the kernel's vm_pageout_reinsert_inactive() does.
 * Takes and drops every lock itself; the caller may hold one object lock
 * (inline reclaim).
 */
static uint64_t
vm_pageout_scan_inactive_pq(struct eng_cpu *c, struct vm_pagequeue *pq,
    uint64_t maxscan, uint64_t *scanned)
{
	ENG_SITE_DEFINE;
	struct vm_page *ma[VM_BATCHQUEUE_MAX], *rq[VM_BATCHQUEUE_MAX];
	struct vm_pageout_scan ss;
	struct vm_pagequeue *lpq;
	struct eng_mtx *mtx = NULL;
	struct vm_object *obj = NULL;
	uint64_t freed = 0;
	int i, n, nrq = 0, limit;
	bool end, sync = vm_pq_flagged(c->e, VM_PQ_SYNC);

	limit = sync ? 1 : (int)c->e->design.batch;
	vm_pageout_init_scan(c, &ss, pq, NULL, maxscan);
	while ((n = vm_pageout_collect_batch(c, &ss, ma, limit, true,
	    &end)) > 0 || ss.scanned < ss.maxscan) {
		if (n == 0) {
			if (end)
				break;
			continue;
		}
		for (i = 0; i < n; i++)
			switch (vm_pageout_inactive_page(c, ma[i], &mtx,
			    &obj)) {
			case PO_FREED:
				freed++;
				break;
			case PO_REINSERT:
				rq[nrq++] = ma[i];
				if (nrq == limit) {
					vm_pageout_reinsert_inactive(c, &ss,
					    rq, nrq);
					nrq = 0;
				}
				break;
			case PO_SKIP:
				break;
			}
	}
	if (mtx != NULL)
		eng_mtx_unlock(&c->lk, mtx);
	if (obj != NULL)
		VM_OBJECT_WUNLOCK(c, obj);
	/*
	 * FreeBSD 10 (--queue locked) put each kept page back on its own and
	 * had no laundry queue (PQ_LAUNDRY came with 11.1/12).  Since r330296
	 * the scan ends with two flushes, kept pages and the collected pages
	 * the loop did not reach (none here: the model has no shortage target
	 * that ends a scan inside a batch; the lock is taken all the same),
	 * then removes its marker; a scan run for a shortage posts the
	 * laundry request under the laundry queue's lock (12.0
	 * vm_pageout_scan_inactive, 13/14 vm_pageout_inactive: `if
	 * (starting_page_shortage > 0)`); the model has no dirty pages, so
	 * the request is never more than the lock.
	 */
	if (!sync) {
		vm_pageout_reinsert_inactive(c, &ss, rq, nrq);
		vm_pageout_reinsert_inactive(c, &ss, NULL, 0);
	}
	vm_pageout_end_scan(c, &ss, NULL, false);
	if (!sync && maxscan > 0) {
		lpq = vm_page_pagequeue(c->e, PQ_LAUNDRY);
		eng_mtx_lock(&c->lk, &lpq->pq_mutex, ENG_HERE);
		eng_mtx_unlock(&c->lk, &lpq->pq_mutex);
	}
	c->st.scan_freed += freed;
	*scanned += ss.scanned;
	return (freed);
}

/*
 * The first sub-queue a --queue colored scan visits: DragonFly's scans
 * start each pass where the last one left off (a static rotor, updated
 * without a lock), so the rotor is read and advanced racily here too.
 */
static unsigned
vm_pageout_rotor(struct vm_engine *e)
{
	unsigned r = atomic_load_explicit(&e->vmd.vmd_scan_rotor,
	    memory_order_relaxed);

	atomic_store_explicit(&e->vmd.vmd_scan_rotor, r + 1,
	    memory_order_relaxed);
	return (r);
}

/*
 * vm_pageout_scan_inactive(): examine up to maxscan inactive pages; returns
 * how many were freed.  --queue colored scans the sub-queues one after the
 * other from the rotor until maxscan pages were looked at or every
 * sub-queue was visited, each under its own marker and lock, as
 * DragonFly's vm_pageout_scan() calls vm_pageout_scan_inactive() per
 * PQ_INACTIVE + q; an empty sub-queue still costs its two lock
 * acquisitions.  Takes and drops every lock itself; the caller may hold
 * one object lock (inline reclaim).
 */
uint64_t
vm_pageout_scan_inactive(struct eng_cpu *c, uint64_t maxscan)
{
	struct vm_engine *e = c->e;
	uint64_t freed = 0, scanned = 0;
	unsigned i, r = e->vmd.vmd_ncolors > 1 ? vm_pageout_rotor(e) : 0;

	for (i = 0; i < e->vmd.vmd_ncolors && (i == 0 || scanned < maxscan);
	    i++)
		freed += vm_pageout_scan_inactive_pq(c, vm_pagequeue_nth(e,
		    PQ_INACTIVE, (r + i) % e->vmd.vmd_ncolors),
		    maxscan - scanned, &scanned);
	return (freed);
}

/*
 * Age one active page; move it to inactive when act_count reaches 0.
 * --queue locked takes and drops the page lock; batch carries the
 * page-lock cursor *mtx from page to page (vm_page_change_lock).
 */
static void
vm_pageout_active_page(struct eng_cpu *c, struct vm_page *m,
    struct eng_mtx **mtx)
{
	ENG_SITE_DEFINE;
	struct vm_engine *e = c->e;
	vm_page_astate_t old;
	bool plock = vm_page_qlock(e), sync = vm_pq_flagged(e, VM_PQ_SYNC);
	uint8_t act;

	if (plock && sync)
		vm_page_lock(c, m);
	else if (plock)
		vm_page_change_lock(c, m, mtx, ENG_HERE);
	old = vm_page_astate_load(m);
	if (vm_page_astate_queue(old) != PQ_ACTIVE)
		goto out;
	if (vm_page_wired_count(e, m) != 0) {
		vm_page_dequeue_lazy(c, m);
		goto out;
	}
	if ((VM_PAGE_A_FLAGS(old) & PGA_REFERENCED) != 0) {
		vm_page_aflag_clear(c, m, PGA_REFERENCED);
		act = vm_page_act_adjust(c, m, ACT_ADVANCE, 0);
	} else
		act = vm_page_act_adjust(c, m, -ACT_DECLINE, 0);
	if (act == 0)
		vm_page_scan_deactivate(c, m);
out:
	if (plock && sync)
		vm_page_unlock(c, m);
}

/*
 * Age up to maxscan active pages of pq, stopping when the scan reaches the
 * end of the queue; returns how many it looked at.  As the kernel's
 * (vm_pageout_scan_active, 12.0 [FB12po] and 13/14 [FB13]): a marker is
 * inserted after the clock hand vmd_clock (one queue-lock acquisition),
 * pages are collected behind it without dequeuing (one per batch, the last
 * finding nothing or the end of the queue), and at the end the hand moves
 * to the marker, or back to the head when the scan reached the end, and
 * the marker leaves (one more).  The kernel's second hand vmd_clock[1]
 * restarts a scan that meets it at the head; the model's stops there.
 * clock NULL: from the head, no hand (--queue colored).  Takes and drops
 * every lock itself.
 */
static uint64_t
vm_pageout_scan_active_pq(struct eng_cpu *c, struct vm_pagequeue *pq,
    struct vm_page *clock, uint64_t maxscan)
{
	struct vm_page *ma[VM_BATCHQUEUE_MAX];
	struct vm_pageout_scan ss;
	struct eng_mtx *mtx = NULL;
	bool end = false;
	int i, n, limit;

	limit = vm_pq_flagged(c->e, VM_PQ_SYNC) ? 1 : (int)c->e->design.batch;
	vm_pageout_init_scan(c, &ss, pq, clock, maxscan);
	do {
		n = vm_pageout_collect_batch(c, &ss, ma, limit, false, &end);
		for (i = 0; i < n; i++)
			vm_pageout_active_page(c, ma[i], &mtx);
	} while (n > 0 && !end);
	if (mtx != NULL)
		eng_mtx_unlock(&c->lk, mtx);
	vm_pageout_end_scan(c, &ss, clock, end);
	return (ss.scanned);
}

/*
 * --queue colored: the sub-queues from the rotor, as the inactive scan,
 * each from its head with no clock hand (DragonFly's
 * vm_pageout_scan_active() per PQ_ACTIVE + q inserts its marker at the
 * head).  Otherwise the queue, behind the clock hand.
 */
uint64_t
vm_pageout_scan_active(struct eng_cpu *c, uint64_t maxscan)
{
	struct vm_engine *e = c->e;
	uint64_t scanned = 0;
	unsigned i, r;

	if (e->vmd.vmd_subq == NULL)
		return (vm_pageout_scan_active_pq(c, vm_page_pagequeue(e,
		    PQ_ACTIVE), &e->vmd.vmd_clock, maxscan));
	r = vm_pageout_rotor(e);
	for (i = 0; i < e->vmd.vmd_ncolors && (i == 0 || scanned < maxscan);
	    i++)
		scanned += vm_pageout_scan_active_pq(c, vm_pagequeue_nth(e,
		    PQ_ACTIVE, (r + i) % e->vmd.vmd_ncolors), NULL,
		    maxscan - scanned);
	return (scanned);
}

/*
 * Inline reclaim by an allocator with no free page: scan the inactive
 * queue; if that frees too little, age the active queue and scan again.
 * The caller may hold one object write lock.  Returns pages freed.
 */
uint64_t
vm_pageout_reclaim(struct eng_cpu *c, uint64_t target)
{
	uint64_t freed;

	c->in_reclaim = true;
	freed = vm_pageout_scan_inactive(c, target * 4);
	if (freed < target) {
		vm_pageout_scan_active(c, target * 16);
		freed += vm_pageout_scan_inactive(c, target * 8);
	}
	c->in_reclaim = false;
	return (freed);
}
