/*
 * vm_pageout.c - the page daemon: its thread (vm_pageout_worker), the free
 * page thresholds that wake it (pagedaemon_wakeup) and that put allocators
 * to sleep (vm_domain_alloc_fail, vm_wait_domain), and its scans, which
 * the thread runs under memory shortage and a trace's scan events run on
 * the worker that applies them.
 *
 * One memory domain: the model has one vm_domain, so there is one daemon
 * thread, with its own model CPU (e->cpus[nslots]: its own batch queues,
 * free caches and lock statistics, merged with the workers').  The free
 * count's every change is reported (vm_domain_freecnt_adj), which detects
 * the kernel's threshold crossings
 * ([FB12vp] vm_domain_allocate, vm_domain_freecnt_inc): below
 * vmd_pageout_wakeup_thresh the daemon is woken; below vmd_free_min the
 * domain enters vm_min_domains, and an allocator with no free page drops
 * its object lock and sleeps in vm_wait until a free brings the count back
 * to vmd_free_min.  The daemon (12.0 vm_pageout_worker, [FB12po]) sleeps
 * until woken, then frees free_target - free_count pages from the inactive
 * queue plus the deficit of failed allocations, ages the active queue
 * toward vmd_inactive_target, pauses hz / VM_INACT_SCAN_RATE when a pass
 * missed its target and memory is still short, and gives up after
 * vm_pageout_oom_seq passes that freed nothing: the kernel's OOM kill; the
 * model fails the sleeping allocations instead (counted: alloc_failures).
 * docs/design-page.md "The page daemon" lists what the model leaves out.
 *
 * Inactive scan (vm_pageout_scan_inactive): a marker is inserted at the
 * head of the inactive queue and pages are taken from behind it until the
 * shortage is met or maxscan pages were examined.
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
 * Per page: skip it if its logical state moved on (astate: 13/14's
 * vm_pageout_defer(), which also submits a pending request); --page
 * refcount with a page-locked queue takes a transient reference and
 * drops it once the
 * object lock is held (seed 000); astate takes none (13/14 rely on the
 * type stability of objects, the object lock and vm_page_tryxbusy).  The
 * object is locked: astate without page locks blocks on it and re-checks
 * m->object (13/14); batch trylocks it, and if that fails drops the
 * page-lock cursor, blocks on the object lock, takes the page lock again
 * and re-checks the page's queue state, as the 2019 scan does; --queue
 * locked (FreeBSD 10: object locked per page) only trylocks it and keeps
 * the page.  Wired pages are dequeued lazily (astate: left alone, their
 * wiring's PGA_DEQUEUE is submitted by vm_pageout_defer()); a referenced
 * page (pmap_ts_referenced() through its pv lists, then PGA_REFERENCED) is
 * reactivated with act_count += ACT_ADVANCE + references if mapped, else
 * requeued; the others are unmapped (vm_page_try_remove_all) and freed.
 *
 * Active scan (vm_pageout_scan_active): a marker inserted after the clock
 * hand vmd_clock sweeps the active queue in batches without dequeuing, and
 * the hand moves to it at the end; act_count rises by ACT_ADVANCE plus the
 * references found (pmap_ts_referenced, PGA_REFERENCED) and decays by
 * ACT_DECLINE otherwise, and a page reaching 0 moves to the inactive queue
 * (vm_page_scan_deactivate: batch's swapqueue commit, the others'
 * deactivation; astate: one commit, vm_pageout_active_page_astate()).
 *
 * pmap_ts_referenced() is called where the kernel tests `object->ref_count
 * != 0`; the model has no object reference count and calls it for a
 * mapped page (a mapping holds a reference), so an unmapped page of an
 * object still referenced skips the pv lock that the kernel takes.
 *
 * --queue colored with --page dfly runs DragonFly 5.6's scans instead
 * (vm_pageout_scan_dfly_pq(): one page per sub-queue-spinlock hold, the
 * page hard-busied before the spinlock is dropped, the pass bounded by
 * the sub-queue's length), and its daemon's pass (vm_pageout_pass_dfly():
 * a shortage spread over the sub-queues, pass counting passes that ended
 * short); see the comments above them.
 *
 * The queue design enters through its ops (vm_internal.h): VM_PQ_SYNC
 * selects FreeBSD 10's one-page-at-a-time logical dequeue, VM_PQ_PAGELOCK
 * the page-lock cursor; the lazy dequeue of wired pages and the active
 * scan's deactivation are hooks.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "eng_alloc.h"
#include "vm_internal.h"

/*
 * Does the scan run DragonFly's loop (vm_pageout_scan_dfly_pq): --queue
 * colored with --page dfly, whose busy it needs?  (C)
 */
static inline bool
vm_pageout_dfly(const struct vm_engine *e)
{
	return (e->dfly && e->vmd.vmd_subq != NULL);
}

enum vm_pageout_verdict {
	PO_FREED,
	PO_REINSERT,	/* keep in the inactive queue */
	PO_SKIP,	/* someone else owns its queue state now */
};

/* A scan's maxscan that means the queue's length at the scan's start. */
#define VM_SCAN_QUEUE	UINT64_MAX

struct vm_pageout_scan {
	struct vm_page	marker;
	struct vm_pagequeue *pq;
	uint64_t	maxscan;
	uint64_t	scanned;
	uint64_t	end_cnt;	/* pq_cnt when the marker left */
};

/* Kernel constants ([FB12po] vm_pageout.c, 12.0 and 13/14 alike). */
#define VM_INACT_SCAN_RATE	10	/* pwait pause: hz / 10 */
#define VM_PAGEOUT_OOM_SEQ	12	/* vm_pageout_oom_seq */
#define ACT_SCAN_LAUNDRY_WEIGHT	3	/* act_scan_laundry_weight */
#define VM_INTERRUPT_FREE_MIN	2	/* vmd_interrupt_free_min */
#define VM_MAXBSIZE		65536	/* MAXBSIZE */

/*
 * The daemon of the model's one domain.  Locks: (C) constant after
 * vm_pageout_init(); (P) pd_mtx, the host mutex that stands for the
 * kernel's sleep interlocks (vmd_pageout_mtx, vm_domainset_lock; left out
 * of the lock statistics, see the file comment of docs/design-page.md);
 * (F) written under the free lock; (a) atomic; (D) the daemon thread.
 */
struct vm_pagedaemon {
	/* vm_pageout_init_domain() [FB12po], in pages (C). */
	uint64_t	free_min;	/* vmd_free_min */
	uint64_t	free_target;	/* vmd_free_target */
	uint64_t	inactive_target; /* vmd_inactive_target */
	uint64_t	wakeup_thresh;	/* vmd_pageout_wakeup_thresh */
	struct eng_cpu	*cpu;		/* (C) the daemon's model CPU */
	pthread_t	thread;		/* (C) */
	bool		started;	/* (C) the thread runs */
	pthread_mutex_t	mtx;
	pthread_cond_t	wanted_cv;	/* (P) psleep/pwait channel */
	pthread_cond_t	min_cv;		/* (P) vm_min_domains: vm_wait */
	pthread_cond_t	idle_cv;	/* (P) a pass ended */
	bool		wanted;		/* (P) vmd_pageout_wanted */
	bool		minset;		/* (P) vmd_minset */
	unsigned	min_waiters;	/* (P) vm_min_waiters */
	uint64_t	min_wakeups;	/* (P) wakeup(&vm_min_domains) calls */
	uint64_t	deficit;	/* (P) vmd_pageout_deficit */
	uint64_t	oom_gen;	/* (P) the model's OOMs so far */
	bool		oom;		/* (P) vmd_oom: gave up, no progress
					   since */
	bool		busy;		/* (P) the daemon is in a pass */
	bool		stop;		/* (P) */
	unsigned	oom_seq;	/* (D) vmd_oom_seq */
	unsigned	pass;		/* (P) DragonFly's pass: passes in a
					   row that ended short of pages;
					   (D) read by the daemon without */
};

/*
 * DragonFly 5.6's daemon, after a pass that ended short (vm_pageout_thread,
 * "Wait for more work"): below this many passes it does not pause while
 * vm_pages_needed > 1 (raised by pagedaemon_wakeup() when an allocation
 * finds the free count at its minimum while the daemon runs), and it
 * pauses with vm_pages_needed cleared, so that the next
 * pagedaemon_wakeup() or vm_wait() ends the pause; from it on, it pauses
 * hz / 10 whatever happens.  The model approximates both with what it
 * has (vm_pageout_dfly_retry(), vm_domain_alloc_fail()).
 */
#define VM_DFLY_PASS_PATIENCE	10

/* vmd_free_count, read without a lock, as the daemon's loop reads it. */
static uint64_t
vm_pageout_free_count(struct vm_engine *e)
{
	return (atomic_load_explicit(&e->vmd.vmd_free_count,
	    memory_order_relaxed));
}

/*
 * vm_pageout_init_scan(): insert the scan's marker at the head of the queue
 * (or --queue colored sub-queue) pq (after == NULL) or after the marker
 * after, under one queue-lock acquisition, where a maxscan of
 * VM_SCAN_QUEUE reads the queue's length (the daemon's scans:
 * `vm_pageout_init_scan(&ss, pq, marker, NULL, pq->pq_cnt)`).  Takes and
 * drops the queue lock.
 */
static void
vm_pageout_init_scan(struct eng_cpu *c, struct vm_pageout_scan *ss,
    struct vm_pagequeue *pq, struct vm_page *after, uint64_t maxscan)
{
	ENG_SITE_DEFINE;

	ss->pq = pq;
	ss->scanned = 0;
	ss->marker.flags = PG_MARKER;
	atomic_init(&ss->marker.a, VM_PAGE_A_MAKE(PGA_ENQUEUED, pq->pq_index,
	    0));
	eng_mtx_lock(&c->lk, &ss->pq->pq_mutex, ENG_HERE);
	ss->maxscan = maxscan == VM_SCAN_QUEUE ? ss->pq->pq_cnt : maxscan;
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
 * else to the marker; the queue's length is read there for the daemon's
 * next target.  Takes and drops the queue lock.
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
	ss->end_cnt = ss->pq->pq_cnt;
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
 * vm_pageout_defer() (13/14, [FB13] vm_pageout.c): true if the scan must
 * pass over m: it left queue since it was collected, or its PGA_ENQUEUED
 * is not what the scan expects (enqueued: the active scan leaves pages
 * linked; the inactive scan unlinked them), or a queue request is pending,
 * which is then submitted to this CPU's batch for queue (a wiring's
 * PGA_DEQUEUE, r356156, gets processed this way).  --queue astate; no
 * lock.
 */
static bool
vm_pageout_defer(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    bool enqueued)
{
	vm_page_astate_t a = vm_page_astate_load(m);

	if (VM_PAGE_A_QUEUE(a) != queue ||
	    ((VM_PAGE_A_FLAGS(a) & PGA_ENQUEUED) != 0) != enqueued)
		return (true);
	if ((VM_PAGE_A_FLAGS(a) & PGA_QUEUE_OP_MASK) != 0) {
		vm_page_pqbatch_submit(c, m, queue);
		return (true);
	}
	return (false);
}

/*
 * The act_count of a page the scan found with act_delta references:
 * raised by ACT_ADVANCE + act_delta (at most ACT_MAX), or, with none,
 * lowered by ACT_DECLINE (at least 0), as every FreeBSD scan since 10.
 */
static uint8_t
vm_pageout_act_count(uint8_t act, int act_delta)
{
	if (act_delta == 0)
		return (act > ACT_DECLINE ? act - ACT_DECLINE : 0);
	return (act + ACT_ADVANCE + act_delta > ACT_MAX ? ACT_MAX :
	    (uint8_t)(act + ACT_ADVANCE + act_delta));
}

/*
 * The references a scan counts for a page: refs (pmap_ts_referenced())
 * plus one for PGA_REFERENCED, which is taken out of the flags *fl the
 * scan is about to commit.
 */
static int
vm_pageout_take_refs(uint16_t *fl, int refs)
{
	if ((*fl & PGA_REFERENCED) == 0)
		return (refs);
	*fl &= (uint16_t)~PGA_REFERENCED;
	return (refs + 1);
}

/*
 * --queue astate: the inactive scan's reference test of a busied page
 * ([FB13] vm_pageout_scan_inactive): one vm_page_pqstate_commit() clears
 * PGA_REFERENCED and, for a referenced page, reactivates it (mapped:
 * act_count += ACT_ADVANCE + references, PGA_REQUEUE to the active
 * queue, other requests dropped) or requeues it in the inactive queue
 * (unmapped: the kernel's `object->ref_count == 0`).  True if the page is
 * kept that way or left the queues meanwhile; false if it may be freed.
 * The object is write-locked and m exclusive-busied.
 */
static bool
vm_pageout_inactive_refs_astate(struct eng_cpu *c, struct vm_page *m,
    int refs, bool mapped)
{
	vm_page_astate_t old, new;
	uint16_t fl;
	int act_delta;

	vm_page_assert_xbusied(c, m);
	old = vm_page_astate_load(m);
	do {
		if (vm_page_astate_queue(old) == PQ_NONE)
			return (true);
		fl = VM_PAGE_A_FLAGS(old);
		act_delta = vm_pageout_take_refs(&fl, refs);
		if (act_delta == 0)
			return (false);
		if (mapped)
			new = VM_PAGE_A_MAKE((fl & ~PGA_QUEUE_OP_MASK) |
			    PGA_REQUEUE, PQ_ACTIVE, vm_pageout_act_count(
			    VM_PAGE_A_ACT(old), act_delta));
		else
			new = VM_PAGE_A_MAKE(fl | PGA_REQUEUE, PQ_INACTIVE,
			    VM_PAGE_A_ACT(old));
	} while (!vm_page_pqstate_commit(c, m, &old, new));
	return (true);
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
	bool astate = !vm_page_qlock(e), mapped;
	enum vm_pageout_verdict v;
	int act_delta;
	uint8_t expect = locked ? PQ_NONE : PQ_INACTIVE;

	if (locked)
		vm_page_assert_locked(c, m);
	ENG_KASSERT(!locked || *objp == NULL,
	    "page %p: object cursor under --queue locked", (void *)m);
	plock = e->pagelock || vm_page_qlock(e);
	if (astate && vm_pageout_defer(c, m, PQ_INACTIVE, false))
		return (PO_SKIP);
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
		if (astate && !plock)
			VM_OBJECT_WLOCK(c, obj);	/* type stability */
		else if (!VM_OBJECT_TRYWLOCK(c, obj)) {
			if (locked) {
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
	if (!astate && vm_page_wired_count(e, m) != 0) {
		vm_page_dequeue_lazy(c, m);
		goto unlock_obj;
	}
	if (!vm_page_tryxbusy(c, m)) {
		c->st.scan_skipped++;
		v = PO_REINSERT;
		goto unlock_obj;
	}
	/*
	 * 13/14 test the wiring busied and leave a wired page (skip_page):
	 * a lockless grab (sendfile's vm_page_grab_pages_unlocked) may have
	 * wired it since the test above.  --page refcount has those grabs
	 * under every queue design, so the test is made for all of them
	 * (a page-locked queue's scan dequeues a wired page lazily, as
	 * above).  Under --page pagelock the page lock, held since the test
	 * above, keeps wirings out.
	 */
	if ((astate || e->smr_lookups) && vm_page_wired_count(e, m) != 0) {
		if (!astate)
			vm_page_dequeue_lazy(c, m);
		goto unbusy;
	}
	a = vm_page_astate_load(m);
	if (VM_PAGE_A_QUEUE(a) != expect ||
	    (VM_PAGE_A_FLAGS(a) & PGA_QUEUE_STATE_MASK) != 0)
		goto unbusy;
	/*
	 * pmap_ts_referenced() before PGA_REFERENCED, as the kernel does so
	 * that a reference from a concurrently destroyed mapping is seen;
	 * "mapped" stands for the object's ref_count (file comment).
	 */
	mapped = pmap_page_is_mapped(m);
	act_delta = mapped ? pmap_ts_referenced(c, m) : 0;
	if (astate) {
		if (vm_pageout_inactive_refs_astate(c, m, act_delta, mapped))
			goto unbusy;
		/* 13/14: a page still wired is left, not put back. */
		if (mapped && !vm_page_try_remove_all(c, m))
			goto unbusy;
		goto free_page;
	}
	if ((VM_PAGE_A_FLAGS(vm_page_astate_load(m)) & PGA_REFERENCED) != 0) {
		vm_page_aflag_clear(c, m, PGA_REFERENCED);
		act_delta++;
	}
	if (act_delta != 0) {
		if (mapped) {
			vm_page_act_adjust(c, m, ACT_ADVANCE + act_delta,
			    ACT_INIT);
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
free_page:
	/* 13/14: a last-second queue request saves the page. */
	if (astate && vm_pageout_defer(c, m, PQ_INACTIVE, false))
		goto unbusy;
	/* The sanctioned exception: queue = PQ_NONE without the queue lock. */
	a = vm_page_astate_load(m);
	if (!locked)
		while (!eng_atomic_fcmpset_32(&c->lk, LC_PAGEQUEUE, ENG_HERE,
		    &m->a, &a, VM_PAGE_A_MAKE(VM_PAGE_A_FLAGS(a) &
		    ~PGA_QUEUE_STATE_MASK, PQ_NONE, VM_PAGE_A_ACT(a))))
			;
	/*
	 * The busy goes with the free: --page dfly's vm_page_free_toq
	 * unbusies, 13+'s vm_page_free_prep() swaps in VPB_FREED
	 * (vm_page_busy_free()), which a lockless grab must not find
	 * unbusied in between.  12 unbusies first.
	 */
	if (!e->dfly && !e->smr_lookups)
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
	/*
	 * --queue locked: put the page back while the transient reference
	 * still keeps it from being freed; a free after that drop would
	 * find it in no queue and miss the reinsertion.
	 */
	if (locked && v == PO_REINSERT) {
		vm_page_enqueue(c, m, PQ_INACTIVE);
		v = PO_SKIP;
	}
	/* Our transient reference was the last: the page left its object. */
	if (transient && vm_page_drop_transient(c, m)) {
		vm_page_free(c, m);
		v = PO_FREED;
	}
	if (locked)
		vm_page_unlock(c, m);
	return (v);
}

/*
 * Examine inactive pages of the queue (or --queue colored sub-queue) pq
 * until shortage pages were freed or maxscan pages were examined
 * (VM_SCAN_QUEUE: pq's length, as the daemon's scan); returns how many
 * were freed, adds to *scanned how many it looked at, to *addl the pages
 * found stuck (busy, kept, or gone from the queue: the kernel's
 * addl_page_shortage, which the active scan's target adds) and to *inact
 * pq's length when the marker left.
 * Kept pages are batched (rq) and put back when the batch fills and at the
 * end of the scan, with the collected pages the scan did not reach, as the
 * kernel's vm_pageout_reinsert_inactive() does.  Takes and drops every
 * lock itself; the caller holds none.
 */
static uint64_t
vm_pageout_scan_inactive_pq(struct eng_cpu *c, struct vm_pagequeue *pq,
    uint64_t shortage, uint64_t maxscan, uint64_t *scanned, uint64_t *addl,
    uint64_t *inact)
{
	ENG_SITE_DEFINE;
	struct vm_page *ma[VM_BATCHQUEUE_MAX], *rq[VM_BATCHQUEUE_MAX];
	struct vm_pageout_scan ss;
	struct vm_pagequeue *lpq;
	struct eng_mtx *mtx = NULL;
	struct vm_object *obj = NULL;
	uint64_t freed = 0, stuck = 0;
	int i = 0, n = 0, nrq = 0, limit;
	bool end, sync = vm_pq_flagged(c->e, VM_PQ_SYNC);

	ENG_ASSERT(c->lk.nheld == 0);
	limit = sync ? 1 : (int)c->e->design.batch;
	vm_pageout_init_scan(c, &ss, pq, NULL, maxscan);
	while (freed < shortage && ((n = vm_pageout_collect_batch(c, &ss, ma,
	    limit, true, &end)) > 0 || ss.scanned < ss.maxscan)) {
		if (n == 0) {
			if (end)
				break;
			continue;
		}
		for (i = 0; i < n && freed < shortage; i++)
			switch (vm_pageout_inactive_page(c, ma[i], &mtx,
			    &obj)) {
			case PO_FREED:
				freed++;
				break;
			case PO_REINSERT:
				stuck++;
				rq[nrq++] = ma[i];
				if (nrq == limit) {
					vm_pageout_reinsert_inactive(c, &ss,
					    rq, nrq);
					nrq = 0;
				}
				break;
			case PO_SKIP:
				stuck++;
				break;
			}
	}
	if (mtx != NULL)
		eng_mtx_unlock(&c->lk, mtx);
	if (obj != NULL)
		VM_OBJECT_WUNLOCK(c, obj);
	/*
	 * FreeBSD 10 (--queue locked) put each kept page back on its own and
	 * had no laundry queue (PQ_LAUNDRY came with 11.1/12); its scan met
	 * its target only between pages, so nothing is left collected.
	 * Since r330296 the scan ends with two flushes, kept pages and the
	 * collected pages the loop did not reach (the shortage was met inside
	 * a batch), each taking the queue lock even when empty, then removes
	 * its marker; a scan run for a shortage posts the laundry request
	 * under the laundry queue's lock (12.0 vm_pageout_scan_inactive,
	 * 13/14 vm_pageout_inactive: `if (starting_page_shortage > 0)`); the
	 * model has no dirty pages, so the request is never more than the
	 * lock.
	 */
	if (!sync) {
		vm_pageout_reinsert_inactive(c, &ss, rq, nrq);
		vm_pageout_reinsert_inactive(c, &ss, ma + i, n - i);
	}
	vm_pageout_end_scan(c, &ss, NULL, false);
	if (!sync && ss.maxscan > 0) {
		lpq = vm_page_pagequeue(c->e, PQ_LAUNDRY);
		eng_mtx_lock(&c->lk, &lpq->pq_mutex, ENG_HERE);
		eng_mtx_unlock(&c->lk, &lpq->pq_mutex);
	}
	c->st.scan_inactive += ss.scanned;
	c->st.scan_freed += freed;
	*scanned += ss.scanned;
	*addl += stuck;
	*inact += ss.end_cnt;
	return (freed);
}

/*
 * --queue colored with --page dfly: DragonFly 5.6's own scans and daemon
 * pass, read in its sys/vm/vm_pageout.c: tag v5.6.0 (fd1fd056,
 * 2019-05-22, the file's last change before the 5.6.0 tag; 5.6.2's
 * d7e883fd only adds dirty-page flush flags) of lileding/DragonFlyBSD, a
 * fork with the official history: vm_pageout_scan_inactive,
 * vm_pageout_page, vm_pageout_scan_active, PQAVERAGE and
 * vm_pageout_thread's loops over the PQ_L2_SIZE sub-queues.  Per
 * sub-queue: its spinlock is taken once to insert the marker at the head,
 * and the loop runs with it held at the top: the marker moves past the
 * next entry, markers are skipped, the page is hard-busied with
 * vm_page_busy_try() (a busy page is passed over and counted in
 * scan_skipped), the spinlock is dropped, the busied page is dealt with,
 * then the spinlock is taken again for the next entry; at the end the
 * marker leaves under the lock still held.  The pass is bounded by the
 * sub-queue's length when the marker went in (maxscan = lcnt; the 1/10
 * bound, lcnt / 10 + 1, came with DragonFly 5.8: 689a6e25, 2020-02-12,
 * named MAXSCAN_DIVIDER by 92568a97), so a page requeued at the tail is
 * not met again.  The page's queue state is not changed under the queue
 * spinlock; every move takes the page's spinlock and then its
 * sub-queue's (vm_page_and_queue_spin_lock), as the kernel's do.
 */

/*
 * The references of a busied page, as DragonFly counts them where the
 * object is in use: PG_REFERENCED (cleared) plus pmap_ts_referenced().
 * The model has no object reference count: every object is taken to be
 * in use, and pmap_ts_referenced() is called for a mapped page only (an
 * unmapped one has no PTE to test; file comment).  With the page busied
 * its identity cannot change, so the --pv dfly walk reads m->pindex
 * under the busy, as DragonFly's does.  The page is hard-busied by this
 * CPU.
 */
static int
vm_pageout_dfly_references(struct eng_cpu *c, struct vm_page *m)
{
	int act_delta = 0;

	vm_page_assert_xbusied(c, m);
	if ((VM_PAGE_A_FLAGS(vm_page_astate_load(m)) & PGA_REFERENCED) != 0) {
		vm_page_aflag_clear(c, m, PGA_REFERENCED);
		act_delta++;
	}
	if (pmap_page_is_mapped(m))
		act_delta += pmap_ts_referenced(c, m);
	return (act_delta);
}

/*
 * vm_page_cache() of a busied clean page of obj, the model having no
 * PQ_CACHE: freed as vm_pageout_page_free() frees a page with no valid
 * data, vm_page_protect(VM_PROT_NONE) then vm_page_free().  DragonFly's
 * vm_page_free() -> vm_page_remove() holds the object (vm_object_hold(),
 * whose hold_count atomics the model's vm_page_remove() counts), and the
 * hold's token releases on blocking; the model's object lock, standing
 * for that token, is an rwlock that does not, and a thread holding it
 * may wait for this page's busy, so it is only tried (a failure leaves
 * the page as it is, counted in scan_skipped, with no hold counted).
 * Returns true if the page was freed (the busy passed to vm_page_free());
 * else the page is still busied.  No lock held.
 */
static bool
vm_pageout_dfly_cache(struct eng_cpu *c, struct vm_page *m,
    struct vm_object *obj)
{
	ENG_SITE_DEFINE;

	vm_page_assert_xbusied(c, m);
	ENG_ASSERT(c->lk.nheld == 0);
	if (!VM_OBJECT_TRYWLOCK(c, obj)) {
		c->st.scan_skipped++;
		return (false);
	}
	if (pmap_page_is_mapped(m) && !vm_page_try_remove_all(c, m)) {
		VM_OBJECT_WUNLOCK(c, obj);
		return (false);
	}
	vm_page_free(c, m);
	VM_OBJECT_WUNLOCK(c, obj);
	c->st.scan_freed++;
	return (true);
}

/*
 * vm_pageout_page() for a busied inactive page, the model having no
 * dirty pages and no hold counts: a wired page is dequeued; a referenced
 * one is activated (vm_page_activate, then act_count += ACT_ADVANCE +
 * references, with only the busy held); the others, clean, go to
 * vm_page_cache(), which frees them here (vm_pageout_dfly_cache()).
 * Returns true if the page was freed.  Entered with the page hard-busied
 * by this CPU and no lock held; the busy is released (passed to
 * vm_page_free() when freed).
 */
static bool
vm_pageout_dfly_inactive_page(struct eng_cpu *c, struct vm_page *m)
{
	struct vm_object *obj;
	int act_delta;

	vm_page_assert_xbusied(c, m);
	ENG_ASSERT(c->lk.nheld == 0);
	obj = atomic_load_explicit(&m->object, memory_order_relaxed);
	if (vm_page_wired_count(c->e, m) != 0 || obj == NULL) {
		vm_page_unqueue_nowakeup(c, m);
		goto unbusy;
	}
	if ((act_delta = vm_pageout_dfly_references(c, m)) != 0) {
		vm_page_activate(c, m);
		vm_page_act_adjust(c, m, ACT_ADVANCE + act_delta, 0);
		goto unbusy;
	}
	if (vm_pageout_dfly_cache(c, m, obj))
		return (true);
unbusy:
	vm_page_xunbusy(c, m);
	return (false);
}

/*
 * vm_pageout_scan_active() for a busied active page: a wired page is
 * dequeued; a referenced one gets act_count += ACT_ADVANCE + references
 * (at most ACT_MAX) and goes to the tail of its sub-queue; otherwise
 * act_count declines by vm_anonmem_decline (ACT_DECLINE) for anonymous
 * memory (OBJT_DEFAULT, OBJT_SWAP) or vm_filemem_decline (2 x
 * ACT_DECLINE) for any other object's page, a file's, and the page
 * leaves the active queue once `m->act_count < pass + 1`, else it is
 * requeued at the tail.  pass is the daemon's count of passes that ended
 * short of free pages (0 for a trace's scan event).  A page that leaves
 * is cached (vm_pageout_dfly_cache(): freed) while free pages are still
 * short (avail: the sub-queue's share less what it did so far), as 5.6
 * caches a clean page then, else deactivated (also when the cache's
 * object trylock fails).  The kernel's other deactivation causes (an
 * unreferenced object, vm_pageout_algorithm) are not modelled.  Returns
 * whether the page left the active queue.  Entered with the page
 * hard-busied by this CPU and no lock held; releases the busy (passed to
 * vm_page_free() when freed).
 */
static bool
vm_pageout_dfly_active_page(struct eng_cpu *c, struct vm_page *m,
    unsigned pass, int64_t avail)
{
	struct vm_object *obj;
	bool deactivated = false;
	int act_delta;

	vm_page_assert_xbusied(c, m);
	ENG_ASSERT(c->lk.nheld == 0);
	obj = atomic_load_explicit(&m->object, memory_order_relaxed);
	if (vm_page_wired_count(c->e, m) != 0 || obj == NULL)
		vm_page_unqueue_nowakeup(c, m);
	else if ((act_delta = vm_pageout_dfly_references(c, m)) != 0) {
		vm_page_act_adjust(c, m, ACT_ADVANCE + act_delta, 0);
		(void)vm_page_requeue(c, m);
	} else if (vm_page_act_adjust(c, m, obj->anon ? -ACT_DECLINE :
	    -2 * ACT_DECLINE, 0) < pass + 1) {
		if (avail > 0 && vm_pageout_dfly_cache(c, m, obj))
			return (true);
		vm_page_deactivate(c, m, false);
		deactivated = true;
	} else
		(void)vm_page_requeue(c, m);
	vm_page_xunbusy(c, m);
	return (deactivated);
}

/*
 * One DragonFly sub-queue scan's request and what it did: the scans'
 * arguments, and sums over the sub-queues visited.
 */
struct vm_dfly_scan {
	int64_t		target;		/* pages to free (inactive) or
					   deactivate (active); <= 0: none */
	int64_t		avail;		/* active: this sub-queue's share of
					   the free-page shortage, pages to
					   cache (free) rather than
					   deactivate; <= 0: none */
	uint64_t	maxscan;	/* entries at most, markers too */
	unsigned	pass;		/* the daemon's pass (active scan) */
	bool		daemon;		/* the daemon's inactive scan: stop
					   early once free pages abound */
	uint64_t	scanned;	/* pages looked at */
	uint64_t	stuck;		/* busy, or kept by the inactive scan */
	uint64_t	len;		/* sub-queues' lengths at the end */
};

/* vm_max_launder: the daemon's inactive scan stops this far over target. */
#define VM_DFLY_MAX_LAUNDER	4096

/*
 * One sub-queue pq (inactive or active) scanned as DragonFly does (see
 * above): entries are looked at while s->target pages are still to be
 * freed or deactivated, no more than s->maxscan nor more than the
 * sub-queue's length at the start.  The daemon's inactive scan (s->daemon)
 * also stops once the free count exceeds its target by vm_max_launder, and
 * then reports its target met (5.6's "return full completion").  Returns
 * the pages freed or deactivated; adds to s->scanned, s->stuck and s->len.
 * Takes and drops every lock itself; the caller holds none.
 */
static int64_t
vm_pageout_scan_dfly_pq(struct eng_cpu *c, struct vm_pagequeue *pq,
    struct vm_dfly_scan *s)
{
	ENG_SITE_DEFINE;
	struct vm_page marker, *m;
	uint64_t stuck = 0, looked = 0, left;
	int64_t done = 0;
	bool inactive = pq->pq_index == PQ_INACTIVE, plenty = false;

	ENG_ASSERT(c->lk.nheld == 0);
	marker.flags = PG_MARKER;
	atomic_init(&marker.a, VM_PAGE_A_MAKE(PGA_ENQUEUED, pq->pq_index, 0));
	eng_mtx_lock(&c->lk, &pq->pq_mutex, ENG_HERE);
	TAILQ_INSERT_HEAD(&pq->pq_pl, &marker, plinks_q);
	left = pq->pq_cnt < s->maxscan ? pq->pq_cnt : s->maxscan;
	while (s->target - done > 0 && left > 0 &&
	    (m = TAILQ_NEXT(&marker, plinks_q)) != NULL) {
		left--;
		TAILQ_REMOVE(&pq->pq_pl, &marker, plinks_q);
		TAILQ_INSERT_AFTER(&pq->pq_pl, m, &marker, plinks_q);
		if ((m->flags & PG_MARKER) != 0)
			continue;
		looked++;
		if (!vm_page_tryxbusy(c, m)) {
			c->st.scan_skipped++;
			stuck++;
			continue;
		}
		eng_mtx_unlock(&c->lk, &pq->pq_mutex);
		if (!inactive)
			done += vm_pageout_dfly_active_page(c, m, s->pass,
			    s->avail - done);
		else if (vm_pageout_dfly_inactive_page(c, m))
			done++;
		else
			stuck++;
		eng_mtx_lock(&c->lk, &pq->pq_mutex, ENG_HERE);
		if (inactive && s->daemon && vm_pageout_free_count(c->e) >
		    c->e->pd->free_target + VM_DFLY_MAX_LAUNDER) {
			plenty = true;
			break;
		}
	}
	TAILQ_REMOVE(&pq->pq_pl, &marker, plinks_q);
	s->len += pq->pq_cnt;
	eng_mtx_unlock(&c->lk, &pq->pq_mutex);
	c->st.scan_pages += looked;
	if (inactive)
		c->st.scan_inactive += looked;
	else
		c->st.scan_active += looked;
	s->scanned += looked;
	s->stuck += stuck;
	return (plenty && done < s->target ? s->target : done);
}

/*
 * Sub-queue i of queue q (PQ_INACTIVE or PQ_ACTIVE) counted from where
 * this CPU's last scan of that queue stopped: each scanning thread of
 * DragonFly's resumes after the last sub-queue it visited (5.6
 * vm_pageout_thread: qq = q1iterator (q2iterator), ++qq per sub-queue
 * visited, q1iterator = qq; locals of the thread, so never shared).  (T)
 */
static struct vm_pagequeue *
vm_pageout_subq(struct eng_cpu *c, uint8_t q, unsigned i)
{
	return (vm_pagequeue_nth(c->e, q, (c->scan_next[q == PQ_ACTIVE] + i) %
	    c->e->vmd.vmd_ncolors));
}

/*
 * vm_pageout_scan_inactive(): examine inactive pages until shortage pages
 * were freed or maxscan pages were examined (VM_SCAN_QUEUE: the queue's
 * length, as the daemon's scan); returns how many were freed, in *addl
 * (if not NULL) the pages found stuck and in *inact the queue's length
 * when the marker left (vm_pageout_scan_inactive_pq).  --queue colored
 * scans the sub-queues one after the other, from where this CPU's last
 * inactive scan stopped (vm_pageout_subq), until the shortage is met,
 * maxscan pages were looked at or every sub-queue was visited, each under
 * its own marker and lock, as DragonFly's vm_pageout_thread() calls
 * vm_pageout_scan_inactive() per PQ_INACTIVE + q (VM_SCAN_QUEUE: each
 * sub-queue's length); an empty sub-queue still costs its lock
 * acquisitions, and *inact sums the sub-queues' lengths.  Takes and drops
 * every lock itself; the caller holds none.
 */
uint64_t
vm_pageout_scan_inactive(struct eng_cpu *c, uint64_t shortage,
    uint64_t maxscan, uint64_t *addl, uint64_t *inact)
{
	struct vm_engine *e = c->e;
	struct vm_dfly_scan s = { .target = 0 };
	struct vm_pagequeue *pq;
	uint64_t freed = 0, left;
	unsigned i;

	ENG_ASSERT(c->lk.nheld == 0);
	for (i = 0; i < e->vmd.vmd_ncolors && freed < shortage &&
	    (i == 0 || s.scanned < maxscan); i++) {
		pq = vm_pageout_subq(c, PQ_INACTIVE, i);
		left = maxscan == VM_SCAN_QUEUE ? VM_SCAN_QUEUE :
		    maxscan - s.scanned;
		if (vm_pageout_dfly(e)) {
			s.target = shortage - freed > INT64_MAX ? INT64_MAX :
			    (int64_t)(shortage - freed);
			s.maxscan = left;
			freed += (uint64_t)vm_pageout_scan_dfly_pq(c, pq, &s);
		} else
			freed += vm_pageout_scan_inactive_pq(c, pq,
			    shortage - freed, left, &s.scanned, &s.stuck,
			    &s.len);
	}
	c->scan_next[0] += i;
	if (addl != NULL) {
		*addl = s.stuck;
		*inact = s.len;
	}
	return (freed);
}

/*
 * --queue astate: the active scan's page as 13/14 examine it ([FB13]
 * vm_pageout_scan_active), with no page or object lock and no reference
 * on the page, which may be freed meanwhile: vm_pageout_defer(); a page
 * out of its object is left alone; then one vm_page_pqstate_commit()
 * clears PGA_REFERENCED, sets the new act_count and, when it reaches 0,
 * moves the page to the inactive queue (PGA_REQUEUE, other requests
 * dropped), or moves it back to the active queue if it went elsewhere
 * meanwhile.  A page that left every queue (freed, or a dequeue pending)
 * is left alone: that test in the commit loop is what keeps a freed page
 * off the queues.  (The model has no laundry: a page goes to inactive.)
 */
static void
vm_pageout_active_page_astate(struct eng_cpu *c, struct vm_page *m)
{
	vm_page_astate_t old, new;
	uint16_t fl;
	uint8_t act, q;
	int act_delta, refs;

	ENG_ASSERT(c->lk.nheld == 0);
	if (vm_pageout_defer(c, m, PQ_ACTIVE, true))
		return;
	if (atomic_load_explicit(&m->object, memory_order_acquire) == NULL)
		return;
	refs = pmap_page_is_mapped(m) ? pmap_ts_referenced(c, m) : 0;
	old = vm_page_astate_load(m);
	do {
		if (vm_page_astate_queue(old) == PQ_NONE)
			return;
		fl = VM_PAGE_A_FLAGS(old);
		q = VM_PAGE_A_QUEUE(old);
		act_delta = vm_pageout_take_refs(&fl, refs);
		act = vm_pageout_act_count(VM_PAGE_A_ACT(old), act_delta);
		if (act == 0 || q != PQ_ACTIVE) {
			fl = (uint16_t)((fl & ~PGA_QUEUE_OP_MASK) |
			    PGA_REQUEUE);
			q = act == 0 ? PQ_INACTIVE : PQ_ACTIVE;
		}
		new = VM_PAGE_A_MAKE(fl, q, act);
	} while (!vm_page_pqstate_commit(c, m, &old, new));
}

/*
 * Age one active page; move it to inactive when act_count reaches 0.
 * --queue locked takes and drops the page lock; batch carries the
 * page-lock cursor *mtx from page to page (vm_page_change_lock).  The
 * references are counted by pmap_ts_referenced() (for a mapped page) and
 * PGA_REFERENCED, as 12.0 vm_pageout_scan_active.  astate: see
 * vm_pageout_active_page_astate().
 */
static void
vm_pageout_active_page(struct eng_cpu *c, struct vm_page *m,
    struct eng_mtx **mtx)
{
	ENG_SITE_DEFINE;
	struct vm_engine *e = c->e;
	vm_page_astate_t old;
	bool plock = vm_page_qlock(e), sync = vm_pq_flagged(e, VM_PQ_SYNC);
	bool transient = false;
	int act_delta;
	uint8_t act;

	if (!plock) {
		vm_pageout_active_page_astate(c, m);
		return;
	}
	if (sync)
		vm_page_lock(c, m);
	else
		vm_page_change_lock(c, m, mtx, ENG_HERE);
	old = vm_page_astate_load(m);
	if (vm_page_astate_queue(old) != PQ_ACTIVE)
		goto out;
	/*
	 * --page refcount: seed 000's transient reference, as in the
	 * inactive scan ("Page queue scans now require a transient
	 * reference", D20486): the page lock no longer keeps a concurrent
	 * vm_page_free_prep() from dequeuing the page under the scan, which
	 * would then deactivate a freed page.
	 */
	if (!e->pagelock) {
		if (!vm_page_tryacquire_transient(c, m))
			goto out;	/* free, or being freed */
		transient = true;
	}
	/* Ours counts in ref_count as a wiring would. */
	if (vm_page_wired_count(e, m) > (transient ? 1u : 0u)) {
		vm_page_dequeue_lazy(c, m);
		goto out;
	}
	act_delta = pmap_page_is_mapped(m) ? pmap_ts_referenced(c, m) : 0;
	if ((VM_PAGE_A_FLAGS(vm_page_astate_load(m)) & PGA_REFERENCED) != 0) {
		vm_page_aflag_clear(c, m, PGA_REFERENCED);
		act_delta++;
	}
	if (act_delta != 0)
		act = vm_page_act_adjust(c, m, ACT_ADVANCE + act_delta, 0);
	else
		act = vm_page_act_adjust(c, m, -ACT_DECLINE, 0);
	if (act == 0)
		vm_page_scan_deactivate(c, m);
out:
	/* Our transient reference was the last: the page left its object. */
	if (transient && vm_page_drop_transient(c, m))
		vm_page_free(c, m);
	if (sync)
		vm_page_unlock(c, m);
}

/*
 * Age up to maxscan active pages of pq (VM_SCAN_QUEUE: pq's length),
 * stopping when the scan reaches the end of the queue; returns how many it
 * looked at.  As the kernel's (vm_pageout_scan_active, 12.0 [FB12po] and
 * 13/14 [FB13]): a marker is inserted after the clock hand vmd_clock (one
 * queue-lock acquisition), pages are collected behind it without dequeuing
 * (one per batch, the last finding nothing or the end of the queue), and
 * at the end the hand moves to the marker, or back to the head when the
 * scan reached the end, and the marker leaves (one more).  The kernel's
 * second hand vmd_clock[1] restarts a scan that meets it at the head; the
 * model's stops there.  clock NULL: from the head, no hand (--queue
 * colored).  Takes and drops every lock itself; the caller holds none.
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

	ENG_ASSERT(c->lk.nheld == 0);
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
	c->st.scan_active += ss.scanned;
	return (ss.scanned);
}

/*
 * vm_pageout_scan_active(): age up to maxscan active pages (VM_SCAN_QUEUE:
 * the queue's length).  --queue colored: the sub-queues from where this
 * CPU's last active scan stopped, as the inactive scan (VM_SCAN_QUEUE:
 * each sub-queue's length), each from its head with no clock hand
 * (DragonFly's vm_pageout_scan_active() per PQ_ACTIVE + q inserts its
 * marker at the head).  Otherwise the queue, behind the clock hand.
 * Takes and drops every lock itself; the caller holds none.
 */
uint64_t
vm_pageout_scan_active(struct eng_cpu *c, uint64_t maxscan)
{
	struct vm_engine *e = c->e;
	struct vm_dfly_scan s = { .target = INT64_MAX };
	struct vm_pagequeue *pq;
	uint64_t left;
	unsigned i;

	ENG_ASSERT(c->lk.nheld == 0);
	if (e->vmd.vmd_subq == NULL)
		return (vm_pageout_scan_active_pq(c, vm_page_pagequeue(e,
		    PQ_ACTIVE), &e->vmd.vmd_clock, maxscan));
	for (i = 0; i < e->vmd.vmd_ncolors && (i == 0 || s.scanned < maxscan);
	    i++) {
		pq = vm_pageout_subq(c, PQ_ACTIVE, i);
		left = maxscan == VM_SCAN_QUEUE ? VM_SCAN_QUEUE :
		    maxscan - s.scanned;
		if (vm_pageout_dfly(e)) {
			s.maxscan = left;
			(void)vm_pageout_scan_dfly_pq(c, pq, &s);
		} else
			s.scanned += vm_pageout_scan_active_pq(c, pq, NULL,
			    left);
	}
	c->scan_next[1] += i;
	return (s.scanned);
}

/* ------------------------------------------------------------ the daemon */

/*
 * pagedaemon_wakeup() ([FB12po]): set vmd_pageout_wanted and wake the
 * daemon if it was not wanted already; the daemon never wakes itself.
 * pd_mtx is held.
 */
static void
vm_pageout_wakeup_locked(struct eng_cpu *c, struct vm_pagedaemon *pd)
{
	if (c == pd->cpu || pd->wanted)
		return;
	pd->wanted = true;
	c->st.pd_wakeups++;
	pthread_cond_signal(&pd->wanted_cv);
}

/*
 * wakeup(&vm_min_domains): every vm_wait sleeper returns.  A sleeper waits
 * for the next call, not for a state, since the state it slept on may be
 * back before it runs (the kernel's msleep returns once, too).  pd_mtx is
 * held.
 */
static void
vm_min_wakeup(struct vm_pagedaemon *pd)
{
	pd->min_wakeups++;
	pthread_cond_broadcast(&pd->min_cv);
}

/*
 * The free count moved from old to new (vm_domain_allocate,
 * vm_domain_freecnt_inc in vm_phys.c: an atomic update under --free
 * pgcache, under the free lock with --free global).  Detect the kernel's
 * threshold crossings: an allocation that crosses
 * vmd_pageout_wakeup_thresh downwards wakes the daemon
 * (vm_domain_allocate: `vm_paging_needed(vmd, new) &&
 * !vm_paging_needed(vmd, old)`) and one crossing vmd_free_min sets the
 * domain in vm_min_domains (vm_domain_set); a free that brings the count
 * back to vmd_free_min clears it and wakes every vm_wait sleeper
 * (vm_domain_freecnt_inc -> vm_domain_clear).  As vm_domain_set and
 * vm_domain_clear do under vm_domainset_lock, both re-check the count
 * under pd_mtx, so crossings reported out of order by concurrent updates
 * leave vm_min_domains as the count is.  pd_mtx is taken only at a
 * crossing; the caller may hold the free lock.
 */
void
vm_domain_freecnt_adj(struct eng_cpu *c, uint32_t old, uint32_t new)
{
	struct vm_pagedaemon *pd = c->e->pd;
	bool wake, set, clear;
	uint64_t now;

	wake = new < pd->wakeup_thresh && old >= pd->wakeup_thresh;
	set = new < pd->free_min && old >= pd->free_min;
	clear = old < pd->free_min && new >= pd->free_min;
	if (!pd->started || (!wake && !set && !clear))
		return;
	pthread_mutex_lock(&pd->mtx);
	now = vm_pageout_free_count(c->e);
	if (wake)
		vm_pageout_wakeup_locked(c, pd);
	if (set && now < pd->free_min)
		pd->minset = true;
	if (clear && pd->minset && now >= pd->free_min) {
		pd->minset = false;
		pd->oom = false;
		if (pd->min_waiters != 0) {
			pd->min_waiters = 0;
			vm_min_wakeup(pd);
		}
	}
	pthread_mutex_unlock(&pd->mtx);
}

/*
 * vm_domain_alloc_fail() with VM_ALLOC_WAITFAIL, as vm_page_grab() asks
 * ([FB12vp]): count the page in vmd_pageout_deficit, drop the object lock,
 * sleep in vm_wait_domain() -> vm_wait_doms() while the domain is in
 * vm_min_domains (until vm_domain_clear() wakes the sleepers), take the
 * object lock again.  Before it sleeps the allocator returns its own
 * per-CPU cached pages (the kernel's page daemon drains every CPU's UMA
 * caches through vm_pageout_lowmem(); the model's cannot reach another
 * thread's).  Returns true: retry the lookup and allocation; false: the
 * allocation cannot be satisfied (no daemon runs, or the daemon gave up,
 * while this one slept or since its last pass that freed nothing: the
 * model's OOM), counted in alloc_failures by the caller.  obj is
 * write-locked on entry and on return; no other lock is held.
 */
bool
vm_domain_alloc_fail(struct eng_cpu *c, struct vm_object *obj)
{
	ENG_SITE_DEFINE;
	struct vm_pagedaemon *pd = c->e->pd;
	struct timespec t0, t1;
	uint64_t gen, wakeups;
	bool ok = true;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	ENG_ASSERT(c->lk.nheld == 1);
	if (!pd->started || c == pd->cpu)
		return (false);
	c->st.reclaims++;
	vm_phys_cache_flush(c);
	VM_OBJECT_WUNLOCK(c, obj);
	pthread_mutex_lock(&pd->mtx);
	pd->deficit++;
	/*
	 * DragonFly's vm_wait() and pagedaemon_wakeup() wake the daemon
	 * when vm_pages_needed is 0, as its daemon leaves it while pausing
	 * with pass below VM_DFLY_PASS_PATIENCE ("allow wakeups"); the
	 * model's wakes it at a failed allocation only, so it pauses longer.
	 */
	if (vm_pageout_dfly(c->e) && pd->pass < VM_DFLY_PASS_PATIENCE)
		vm_pageout_wakeup_locked(c, pd);
	if (pd->oom || pd->stop)
		ok = false;
	else if (pd->minset) {
		pd->min_waiters++;
		gen = pd->oom_gen;
		wakeups = pd->min_wakeups;
		c->st.vm_waits++;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (wakeups == pd->min_wakeups)
			pthread_cond_wait(&pd->min_cv, &pd->mtx);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		c->st.vm_wait_ns += (uint64_t)((t1.tv_sec - t0.tv_sec) *
		    1000000000LL + (t1.tv_nsec - t0.tv_nsec));
		ok = gen == pd->oom_gen && !pd->stop;
	}
	pthread_mutex_unlock(&pd->mtx);
	VM_OBJECT_WLOCK(c, obj);
	return (ok);
}

/*
 * vm_pageout_mightbe_oom() ([FB12po]): a scan for a shortage that freed
 * nothing counts towards vm_pageout_oom_seq; at the limit the kernel kills
 * the largest process, and the model wakes the vm_wait sleepers with
 * their allocations failed (pd_ooms) and fails every allocation that finds
 * no free page at once (vmd_oom) until a pass frees a page or the free
 * count is back at vmd_free_min.  Called by the daemon, no lock held.
 */
static void
vm_pageout_mightbe_oom(struct eng_cpu *c, struct vm_pagedaemon *pd,
    uint64_t shortage, uint64_t freed)
{
	ENG_ASSERT(c->lk.nheld == 0);
	if (shortage == 0 || freed != 0) {
		pd->oom_seq = 0;
		pthread_mutex_lock(&pd->mtx);
		pd->oom = false;
		pthread_mutex_unlock(&pd->mtx);
		return;
	}
	if (++pd->oom_seq < VM_PAGEOUT_OOM_SEQ)
		return;
	pd->oom_seq = 0;
	c->st.pd_ooms++;
	pthread_mutex_lock(&pd->mtx);
	pd->oom = true;
	pd->oom_gen++;
	pd->min_waiters = 0;
	vm_min_wakeup(pd);
	pthread_mutex_unlock(&pd->mtx);
}

/*
 * vmd_pageout_deficit, taken for this pass and reset (both passes start
 * with it).  pd_mtx is not held; it is taken here.
 */
static uint64_t
vm_pageout_take_deficit(struct vm_pagedaemon *pd)
{
	uint64_t deficit;

	pthread_mutex_lock(&pd->mtx);
	deficit = pd->deficit;
	pd->deficit = 0;
	pthread_mutex_unlock(&pd->mtx);
	return (deficit);
}

/*
 * One pass of the daemon (the body of 12.0 vm_pageout_worker's loop,
 * [FB12po]): the inactive scan for the shortage free_target - free_count
 * (the kernel's PID controller, pidctrl_daemon(), has vmd_free_target as
 * its setpoint; the model uses the setpoint's error alone) plus the
 * deficit of failed allocations, then the active scan over the whole queue
 * when vm_pageout_active_target() is positive: inactive_target plus the
 * paging target plus the stuck pages, less the inactive queue's length.
 * The daemon's freed pages leave its free cache at the end.  Returns
 * whether the target was met.  No lock held.
 */
static bool
vm_pageout_pass(struct eng_cpu *c, struct vm_pagedaemon *pd)
{
	uint64_t free, shortage, deficit, freed, addl, inact;
	int64_t target;

	ENG_ASSERT(c->lk.nheld == 0);
	free = vm_pageout_free_count(c->e);
	shortage = free < pd->free_target ? pd->free_target - free : 0;
	deficit = vm_pageout_take_deficit(pd);
	if (shortage == 0 && deficit == 0)
		return (true);
	c->st.pd_passes++;
	freed = vm_pageout_scan_inactive(c, shortage + deficit, VM_SCAN_QUEUE,
	    &addl, &inact);
	vm_phys_cache_flush(c);
	vm_pageout_mightbe_oom(c, pd, shortage + deficit, freed);
	/*
	 * vm_pageout_active_target(), with the inactive queue's length as the
	 * inactive scan's end found it under the queue lock (the kernel reads
	 * pq_cnt unlocked; the model's laundry queue is always empty).
	 */
	free = vm_pageout_free_count(c->e);
	target = ((int64_t)pd->inactive_target + (int64_t)pd->free_target -
	    (int64_t)free + (int64_t)addl + (int64_t)deficit - (int64_t)inact) *
	    ACT_SCAN_LAUNDRY_WEIGHT;
	if (target > 0)
		vm_pageout_scan_active(c, VM_SCAN_QUEUE);
	return (freed >= shortage + deficit);
}

/*
 * DragonFly 5.6's daemon after a pass that ended short: with pass below
 * VM_DFLY_PASS_PATIENCE and vm_pages_needed > 1, retry at once rather
 * than pause.  The model has no count of pagedaemon_wakeup() calls and
 * takes threads asleep in vm_wait for it, so it retries less often than
 * 5.6.  pd_mtx is held.
 */
static bool
vm_pageout_dfly_retry(struct vm_engine *e, const struct vm_pagedaemon *pd)
{
	return (vm_pageout_dfly(e) && pd->pass < VM_DFLY_PASS_PATIENCE &&
	    pd->min_waiters > 0);
}

/*
 * PQAVERAGE(n) (DragonFly 5.6 vm_pageout.c) for the model's ncolors
 * sub-queues: each sub-queue's share of a shortage n, generous enough
 * that half of them would meet it; negative for a negative n.  Integer
 * division truncates, as the kernel's long arithmetic does.  (C)
 */
static int64_t
vm_pageout_pqaverage(const struct vm_engine *e, int64_t n)
{
	int64_t size = e->vmd.vmd_ncolors, half = size > 1 ? size / 2 : 1;

	return (n >= 0 ? (n + (size - 1)) / half + 1 :
	    (n - (size - 1)) / half - 1);
}

/*
 * The inactive sub-queues' lengths, read without their locks as
 * DragonFly's daemon reads vmstats.v_inactive_count.  (a)
 */
static uint64_t
vm_pageout_inactive_count(struct vm_engine *e)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < e->vmd.vmd_ncolors; i++)
		n += atomic_load_explicit(&vm_pagequeue_nth(e, PQ_INACTIVE,
		    i)->pq_cnt, memory_order_relaxed);
	return (n);
}

/*
 * One pass of DragonFly 5.6's daemon (--page dfly on --queue colored: the
 * body of the primary daemon's loop in vm_pageout_thread, see the
 * DragonFly section above).  avail_shortage = vm_paging_target() plus the
 * deficit, with the model's free target and no PQ_CACHE; with none, the
 * pass does nothing and pass returns to 0 (5.6 would still run the
 * active scan for an inactive shortage; the model's daemon, woken every
 * hz / 10 while memory is low, does not).  Otherwise:
 *  - the inactive sub-queues from this CPU's q1iterator, each asked for
 *    PQAVERAGE(avail_shortage) pages, until the pages freed meet the
 *    shortage or every sub-queue was visited; avail_shortage drops by
 *    what they freed;
 *  - inactive_shortage = the inactive target less the inactive count,
 *    plus, while pages are still short, twice the shortage but at most a
 *    tenth of the target; if positive, the active sub-queues from
 *    q2iterator, each asked for max(PQAVERAGE(avail_shortage),
 *    PQAVERAGE(inactive_shortage)) pages out of the active queue (its
 *    loop runs while either share is unmet; the first
 *    PQAVERAGE(avail_shortage) are cached, here freed, the others
 *    deactivated), until they meet both shortages; both drop by them;
 *  - pass rises by one if pages are still short, else returns to 0, and
 *    the active scan deactivates pages whose act_count is below pass + 1.
 * Not modelled: PQ_CACHE and vm_pageout_scan_cache (a cached page is
 * freed) and the emergency pager; the loop's pauses are the worker's
 * (vm_pageout_dfly_retry).  A pass that is retried at once does not count
 * towards the model's OOM (vm_pageout_mightbe_oom(): 5.6 has none but
 * its swap-full kill).  The thresholds are the model's (vm_pageout_init),
 * as under every design.  Returns whether the shortage was met.  No lock
 * held.
 */
static bool
vm_pageout_pass_dfly(struct eng_cpu *c, struct vm_pagedaemon *pd)
{
	struct vm_engine *e = c->e;
	struct vm_dfly_scan s = { .maxscan = VM_SCAN_QUEUE, .pass = pd->pass };
	int64_t avail, shortage, inact, delta, boost;
	uint64_t deficit, freed;
	unsigned i, n = e->vmd.vmd_ncolors;
	bool counted;

	ENG_ASSERT(c->lk.nheld == 0);
	deficit = vm_pageout_take_deficit(pd);
	avail = shortage = (int64_t)pd->free_target -
	    (int64_t)vm_pageout_free_count(e) + (int64_t)deficit;
	if (avail <= 0) {
		pthread_mutex_lock(&pd->mtx);
		pd->pass = 0;
		pthread_mutex_unlock(&pd->mtx);
		return (true);
	}
	c->st.pd_passes++;
	freed = c->st.scan_freed;
	s.daemon = true;
	s.target = vm_pageout_pqaverage(e, avail);
	for (delta = 0, i = 0; i < n;) {
		delta += vm_pageout_scan_dfly_pq(c, vm_pageout_subq(c,
		    PQ_INACTIVE, i++), &s);
		if (avail - delta <= 0)
			break;
	}
	c->scan_next[0] += i;
	avail -= delta;
	inact = (int64_t)pd->inactive_target -
	    (int64_t)vm_pageout_inactive_count(e);
	if (avail > 0) {
		boost = avail * 2;
		if (boost > (int64_t)pd->inactive_target / 10)
			boost = (int64_t)pd->inactive_target / 10;
		inact += boost;
	}
	if (inact > 0) {
		s.daemon = false;
		s.avail = vm_pageout_pqaverage(e, avail);
		s.target = vm_pageout_pqaverage(e, inact);
		if (s.target < s.avail)
			s.target = s.avail;
		for (delta = 0, i = 0; i < n;) {
			delta += vm_pageout_scan_dfly_pq(c, vm_pageout_subq(c,
			    PQ_ACTIVE, i++), &s);
			if (inact - delta <= 0 && avail - delta <= 0)
				break;
		}
		c->scan_next[1] += i;
		avail -= delta;
	}
	freed = c->st.scan_freed - freed;
	vm_phys_cache_flush(c);
	pthread_mutex_lock(&pd->mtx);
	pd->pass = avail > 0 ? pd->pass + 1 : 0;
	/* A pass retried at once does not count towards the OOM. */
	counted = freed != 0 || !vm_pageout_dfly_retry(e, pd);
	pthread_mutex_unlock(&pd->mtx);
	if (counted)
		vm_pageout_mightbe_oom(c, pd, (uint64_t)shortage, freed);
	return (avail <= 0);
}

/*
 * One pass of the daemon's loop body on c: DragonFly's under --page dfly
 * on --queue colored, else FreeBSD's.  Returns whether the pass met its
 * target.  Called by the daemon thread on its own CPU, or by a test on a
 * worker CPU of an engine whose daemon thread does not run.  No lock held.
 */
bool
vm_pageout_daemon_pass(struct eng_cpu *c)
{
	ENG_ASSERT(c->lk.nheld == 0);
	ENG_ASSERT(c == c->e->pd->cpu || !c->e->pd->started);
	return (vm_pageout_dfly(c->e) ? vm_pageout_pass_dfly(c, c->e->pd) :
	    vm_pageout_pass(c, c->e->pd));
}

/* Sleep on the daemon's channel for ns nanoseconds at most; pd_mtx held. */
static void
vm_pageout_timedwait(struct vm_pagedaemon *pd, long ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += ns;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	(void)pthread_cond_timedwait(&pd->wanted_cv, &pd->mtx, &ts);
}

/*
 * vm_pageout_worker() ([FB12po]): clear vmd_pageout_wanted, then, if
 * paging is still needed (free count below the wakeup threshold), pause
 * hz / VM_INACT_SCAN_RATE when the last pass missed its target and go on;
 * else sleep until pagedaemon_wakeup() or for hz / VM_INACT_SCAN_RATE
 * ("psleep": the kernel's mtx_sleep times out and the pass runs either
 * way).  The timeout matters when vmd_pageout_wakeup_thresh is below
 * vmd_free_min, as vm_pageout_init_domain() makes it in a small domain
 * (1024 pages: 45 < 47): a vm_wait sleeper with the free count between the
 * two is woken only by a pass that the timeout starts.  A timed-out pass
 * with the free count at free_target and no deficit does nothing here;
 * the kernel's would age the active queue by its update period
 * (docs/design-page.md), so a replay with plenty of memory has no
 * page-daemon traffic.  DragonFly's daemon (--page dfly on --queue
 * colored) does not pause after a short pass while others wait and pass
 * is below VM_DFLY_PASS_PATIENCE, and a vm_wait ends its pause
 * (vm_pageout_dfly_retry, vm_domain_alloc_fail).  Between passes the
 * daemon is idle (pd->busy false) for eng_stats_reset().
 */
static void *
vm_pageout_worker(void *arg)
{
	struct eng_cpu *c = arg;
	struct vm_pagedaemon *pd = c->e->pd;
	bool target_met = true;

	pthread_mutex_lock(&pd->mtx);
	for (;;) {
		pd->busy = false;
		pthread_cond_broadcast(&pd->idle_cv);
		pd->wanted = false;
		if (pd->stop)
			break;
		if (vm_pageout_free_count(c->e) < pd->wakeup_thresh) {
			if (!target_met && !vm_pageout_dfly_retry(c->e, pd))
				vm_pageout_timedwait(pd, 1000000000L /
				    VM_INACT_SCAN_RATE);
		} else if (!pd->wanted)
			vm_pageout_timedwait(pd, 1000000000L /
			    VM_INACT_SCAN_RATE);
		if (pd->stop)
			break;
		/* Prevent spurious wakeups by ensuring that wanted is set. */
		pd->wanted = true;
		pd->busy = true;
		pthread_mutex_unlock(&pd->mtx);
		target_met = vm_pageout_daemon_pass(c);
		pthread_mutex_lock(&pd->mtx);
	}
	pd->busy = false;
	pthread_cond_broadcast(&pd->idle_cv);
	pthread_mutex_unlock(&pd->mtx);
	return (NULL);
}

/*
 * The thresholds of vm_pageout_init_domain() for the domain's pages (and
 * the domain's vmd_free_reserved, vm_domain_allocate's limit); with run,
 * start the daemon on cpu.  The unreserved minimum is 4 + (n - 1024) /
 * 200 in 12.0 ([FB12po]; 10.x's vm_pageout_init has the same) and n / 200
 * in 13/14 ([FB13]): the queue design tells the era (astate: 13/14).
 * Returns 0 or -1 (out of memory, thread not started).
 */
int
vm_pageout_init(struct vm_engine *e, struct eng_cpu *cpu, bool run)
{
	struct vm_pagedaemon *pd;
	uint64_t n = e->vm_page_array_size, reserved, min, pageout_free_min;

	if ((pd = eng_calloc(1, sizeof(*pd))) == NULL)
		return (-1);
	e->pd = pd;
	pd->cpu = cpu;
	if (e->design.queue == ENG_QUEUE_ASTATE)
		min = n / 200;
	else
		min = n > 1024 ? 4 + (n - 1024) / 200 : 4;
	pageout_free_min = 2 * VM_MAXBSIZE / PAGE_SIZE + VM_INTERRUPT_FREE_MIN;
	/* vm_pageout_page_count: 32, or 8 below 2000 pages (vm_pageout_init) */
	reserved = (n < 2000 ? 8 : 32) + pageout_free_min + n / 768;
	e->vmd.vmd_free_reserved = (uint32_t)reserved;
	pd->free_target = 4 * min + reserved;
	pd->free_min = min + reserved;
	pd->inactive_target = 3 * pd->free_target / 2;
	if (pd->inactive_target > n / 3)
		pd->inactive_target = n / 3;
	pd->wakeup_thresh = pd->free_target / 10 * 9;
	pthread_mutex_init(&pd->mtx, NULL);
	pthread_cond_init(&pd->wanted_cv, NULL);
	pthread_cond_init(&pd->min_cv, NULL);
	pthread_cond_init(&pd->idle_cv, NULL);
	pd->started = run;
	if (run && pthread_create(&pd->thread, NULL, vm_pageout_worker,
	    cpu) != 0) {
		pd->started = false;
		return (-1);
	}
	return (0);
}

/*
 * Stop the daemon thread (if it runs) and wake every vm_wait sleeper with
 * its allocation failed.  Idempotent; no lock held.
 */
void
vm_pageout_stop(struct vm_engine *e)
{
	struct vm_pagedaemon *pd = e->pd;

	if (pd == NULL || !pd->started)
		return;
	pthread_mutex_lock(&pd->mtx);
	pd->stop = true;
	pthread_cond_broadcast(&pd->wanted_cv);
	vm_min_wakeup(pd);
	pthread_mutex_unlock(&pd->mtx);
	pthread_join(pd->thread, NULL);
	pd->started = false;
}

void
vm_pageout_fini(struct vm_engine *e)
{
	struct vm_pagedaemon *pd = e->pd;

	if (pd == NULL)
		return;
	vm_pageout_stop(e);
	pthread_mutex_destroy(&pd->mtx);
	pthread_cond_destroy(&pd->wanted_cv);
	pthread_cond_destroy(&pd->min_cv);
	pthread_cond_destroy(&pd->idle_cv);
	free(pd);
	e->pd = NULL;
}

/*
 * Hold the daemon between passes (idle) and keep it there until
 * vm_pageout_resume(): eng_stats_reset() zeroes its CPU's counters
 * meanwhile.  The workers must be stopped or waiting.
 */
void
vm_pageout_hold(struct vm_engine *e)
{
	struct vm_pagedaemon *pd = e->pd;

	pthread_mutex_lock(&pd->mtx);
	while (pd->busy)
		pthread_cond_wait(&pd->idle_cv, &pd->mtx);
}

/* See vm_pageout_hold(). */
void
vm_pageout_resume(struct vm_engine *e)
{
	pthread_mutex_unlock(&e->pd->mtx);
}

/* The daemon's thresholds, in pages (tests, docs). */
void
vm_pageout_thresholds(const struct vm_engine *e, uint64_t *free_min,
    uint64_t *free_target, uint64_t *wakeup_thresh)
{
	*free_min = e->pd->free_min;
	*free_target = e->pd->free_target;
	*wakeup_thresh = e->pd->wakeup_thresh;
}
