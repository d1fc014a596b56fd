/*
 * vm_page.c - page identity and wiring: allocation, insertion into and
 * removal from objects, freeing, wiring and unwiring, release, busy, and the
 * page-lock array.  Both --page designs live here, side by side:
 *
 *  pagelock: the hashed page-lock array (FreeBSD 10 to mid-2019).  The page
 *	lock protects wire_count and the object's reference; a managed page
 *	is freed only under its page lock.
 *  refcount: r352110 (D20486).  ref_count counts wirings and transient
 *	references, with VPRC_OBJREF for the object's reference and
 *	VPRC_BLOCKED to hold off vm_page_wire_mapped() during
 *	vm_page_try_remove_all/_write.  No page lock for identity or wiring;
 *	it survives only for logical queue state under --queue locked|batch.
 *  dfly: DragonFly 5.6.  refcount's counts, with DragonFly's busy rules
 *	(vm_page.h): a page's identity changes only hard-busied
 *	(vm_page_insert, vm_page_remove, vm_page_free_toq require
 *	PBUSY_LOCKED), lookups busy what they find (vm_page_grab ->
 *	vm_page_lookup_busy_try) and enter it in vm_page_hash[], which the
 *	fault path reads with no lock, soft-busying what it finds
 *	(vm_page_hash.c).  insert and remove take the page's spinlock
 *	(vm_page_spin_lock, the page lock here) as DragonFly's do.
 */
#include <errno.h>
#include <inttypes.h>

#include "vm_internal.h"

/* ---------------------------------------------------------------- locks */

struct eng_mtx *
vm_page_pa_lockptr(struct eng_cpu *c, vm_paddr_t pa)
{
	struct vm_engine *e = c->e;

	if (e->vm_page_spin != NULL)	/* --queue colored: m->spin */
		return (&e->vm_page_spin[pa >> PAGE_SHIFT]);
	return ((struct eng_mtx *)(e->pa_lock +
	    ((pa >> PDRSHIFT) % e->pa_lock_count) * e->pa_lock_stride));
}

/*
 * pa_lock[(pa >> 21) % N]: the 512 pages of a 2 MiB frame share one; under
 * --queue colored the page's own spinlock (DragonFly's m->spin).
 */
struct eng_mtx *
vm_page_lockptr(struct eng_cpu *c, struct vm_page *m)
{
	return (vm_page_pa_lockptr(c, m->phys_addr));
}

/*
 * Make *mtx the page lock of m, switching only when m hashes elsewhere.
 * *mtx is NULL (no lock held) or a page lock held by the caller.
 */
void
vm_page_change_lock(struct eng_cpu *c, struct vm_page *m,
    struct eng_mtx **mtx, struct eng_site *site)
{
	struct eng_mtx *n = vm_page_lockptr(c, m);

	ENG_KASSERT(*mtx == NULL || eng_lock_held(&c->lk, *mtx),
	    "page %p (pa %#" PRIx64 "): lock cursor not held by CPU %u",
	    (void *)m, m->phys_addr, c->slot);
	if (*mtx == n)
		return;
	if (*mtx != NULL)
		eng_mtx_unlock(&c->lk, *mtx);
	eng_mtx_lock(&c->lk, n, site);
	*mtx = n;
}

/*
 * vm_page_pa_tryrelock(): see vm_page.h.  pmap_lock is held on entry and on
 * return; *locked is NULL or a page lock the caller holds.
 */
int
vm_page_pa_tryrelock(struct eng_cpu *c, struct eng_mtx *pmap_lock,
    vm_paddr_t pa, struct eng_mtx **locked)
{
	ENG_SITE_DEFINE;
	struct eng_mtx *n = vm_page_pa_lockptr(c, pa);

	ENG_KASSERT(eng_lock_held(&c->lk, pmap_lock) && (*locked == NULL ||
	    eng_lock_held(&c->lk, *locked)), "pa %#" PRIx64 ": pmap or page "
	    "lock not held by CPU %u", pa, c->slot);
	if (*locked == n)
		return (0);
	if (*locked != NULL)
		eng_mtx_unlock(&c->lk, *locked);
	*locked = n;
	if (eng_mtx_trylock(&c->lk, n, ENG_HERE))
		return (0);
	eng_mtx_unlock(&c->lk, pmap_lock);
	eng_mtx_lock(&c->lk, n, ENG_HERE);
	eng_mtx_lock(&c->lk, pmap_lock, ENG_HERE);
	c->st.relock_restarts++;
	return (EAGAIN);
}

void
vm_page_pa_unlock(struct eng_cpu *c, struct eng_mtx **locked)
{
	if (*locked != NULL) {
		eng_mtx_unlock(&c->lk, *locked);
		*locked = NULL;
	}
}

/* ----------------------------------------------------------------- busy */

/*
 * Exclusive busy by this CPU, never sleeping: false if the page is busy.
 */
bool
vm_page_tryxbusy(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	uint32_t x = VPB_UNBUSIED;

	return (eng_atomic_fcmpset_32(&c->lk, LC_PAGE, ENG_HERE,
	    &m->busy_lock, &x, VPB_CPU_EXCLUSIVE(c)));
}

/*
 * One cmpset EXCLUSIVE -> UNBUSIED (no sleepers in the model).  The page
 * must be exclusive busied by this CPU.
 */
void
vm_page_xunbusy(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	uint32_t x = VPB_CPU_EXCLUSIVE(c);

	vm_page_assert_xbusied(c, m);
	if (!eng_atomic_fcmpset_32(&c->lk, LC_PAGE, ENG_HERE, &m->busy_lock,
	    &x, VPB_UNBUSIED))
		ENG_PANIC("page %p (pa %#" PRIx64 "): xunbusy of a page not "
		    "xbusied", (void *)m, m->phys_addr);
}

/*
 * Shared busy.  --page dfly: DragonFly's soft busy (vm_page.h).
 * vm_page_sbusy_try(): CAS loop adding one soft busy, failing on a
 * hard-busied page; no fetch-add, since vm_page_free_toq() asserts no soft
 * busy even transiently (DragonFly's comment).  --page refcount: 13+'s
 * vm_page_trysbusy(), the same fcmpset loop adding VPB_ONE_SHARER (it also
 * fails on a free page, VPB_FREED); vm_page_sbusy_drop() is its
 * vm_page_sunbusy(), one RMW.  True on success.  No lock.
 */
bool
vm_page_sbusy_try(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	uint32_t x;

	x = atomic_load_explicit(&m->busy_lock, memory_order_relaxed);
	do {
		if ((x & VPB_BIT_EXCLUSIVE) != 0)
			return (false);
		ENG_ASSERT((x & VPB_BIT_SHARED) != 0);
	} while (!eng_atomic_fcmpset_32(&c->lk, LC_PAGE, ENG_HERE,
	    &m->busy_lock, &x, x + (1u << VPB_SHIFT)));
	return (true);
}

/* vm_page_sbusy_drop(): drop a soft busy this CPU holds.  No lock. */
void
vm_page_sbusy_drop(struct eng_cpu *c, struct vm_page *m)
{
	uint32_t x;

	x = eng_atomic_fetchadd_32(&c->lk, LC_PAGE, &m->busy_lock,
	    -(1u << VPB_SHIFT));
	ENG_KASSERT((x & VPB_BIT_SHARED) != 0 && (x >> VPB_SHIFT) != 0,
	    "page %p (pa %#" PRIx64 "): soft busy dropped but not held",
	    (void *)m, m->phys_addr);
}

/*
 * The model's own pin of a page it found without the object lock where the
 * kernel has the page's pointer (refcount's release): a shared busy taken
 * and dropped with uncounted atomics (no kernel operation stands behind
 * them), so that the page keeps its identity while the model checks it;
 * vm_page_busy_free() waits for it.  False if the page is exclusive-busied
 * or free.  No lock.
 */
bool
vm_page_pin_try(struct vm_page *m)
{
	uint32_t x;

	x = atomic_load_explicit(&m->busy_lock, memory_order_relaxed);
	do {
		if ((x & VPB_BIT_EXCLUSIVE) != 0)
			return (false);
	} while (!atomic_compare_exchange_weak_explicit(&m->busy_lock, &x,
	    x + (1u << VPB_SHIFT), memory_order_acquire,
	    memory_order_relaxed));
	return (true);
}

/* Drop a pin of vm_page_pin_try().  No lock. */
void
vm_page_pin_drop(struct vm_page *m)
{
	atomic_fetch_sub_explicit(&m->busy_lock, 1u << VPB_SHIFT,
	    memory_order_release);
}

/*
 * vm_page_busy_free(): the free page's busy word becomes VPB_FREED, one
 * atomic swap in the kernel (vm_page_free_prep(), 13.0-era and 14-era
 * vm_page.c).  The page is exclusive-busied by this CPU or unbusied.  The
 * model's free may also meet the busy of a lockless grab that found the
 * page through a stale index entry and is about to fail its identity check
 * (the kernel frees no page such a grab can reach: its callers hold a
 * reference to the object); it waits for that busy to go, yielding as
 * vm_page_busy_wait() does, so that the swap never takes a busy from its
 * holder.  --page refcount.  No lock.
 */
void
vm_page_busy_free(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	uint32_t x;

	ENG_ASSERT(c->e->smr_lookups);
	x = atomic_load_explicit(&m->busy_lock, memory_order_relaxed);
	for (;;) {
		if (x == VPB_FREED)
			ENG_PANIC("page %p (pa %#" PRIx64 "): freed twice",
			    (void *)m, m->phys_addr);
		if (x != VPB_UNBUSIED && x != VPB_CPU_EXCLUSIVE(c)) {
			eng_yield();
			x = atomic_load_explicit(&m->busy_lock,
			    memory_order_relaxed);
			continue;
		}
		if (eng_atomic_fcmpset_32(&c->lk, LC_PAGE, ENG_HERE,
		    &m->busy_lock, &x, VPB_FREED))
			return;
	}
}

/*
 * vm_page_busy_wait(m, TRUE): hard-busy m once it has neither a hard nor
 * a soft busy.  DragonFly sleeps (PBUSY_WANTED, tsleep); the model yields
 * the CPU between attempts: every busy in the model is held for a bounded
 * stretch of one event, so the wait ends.  The caller holds no busy of
 * m; holders of the hard busy it waits for never wait for what the
 * caller holds (busies are taken one page at a time).
 */
void
vm_page_busy_wait(struct eng_cpu *c, struct vm_page *m)
{
	while (!vm_page_tryxbusy(c, m))
		eng_yield();
}

/*
 * --page dfly: vm_page_spin_lock(m) around an identity change, unless
 * this CPU holds the page lock already (the page daemon's scan under
 * VM_PQ_SYNC designs holds it across the free).  Returns whether it
 * was taken here, for vm_page_identity_unlock().
 */
static bool
vm_page_identity_lock(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;

	if (eng_lock_held(&c->lk, vm_page_lockptr(c, m)))
		return (false);
	eng_mtx_lock(&c->lk, vm_page_lockptr(c, m), ENG_HERE);
	return (true);
}

static void
vm_page_identity_unlock(struct eng_cpu *c, struct vm_page *m, bool taken)
{
	if (taken)
		vm_page_unlock(c, m);
}

/* Is m hard-busied by this CPU under --page dfly?  No lock. */
bool
vm_page_dfly_busied(struct eng_cpu *c, struct vm_page *m)
{
	return (c->e->dfly && atomic_load_explicit(&m->busy_lock,
	    memory_order_relaxed) == VPB_CPU_EXCLUSIVE(c));
}

/* --------------------------------------------------------------- aflags */

void
vm_page_aflag_set(struct eng_cpu *c, struct vm_page *m, uint16_t bits)
{
	eng_atomic_fetchor_32(&c->lk, LC_PAGEQUEUE, &m->a, bits);
}

void
vm_page_aflag_clear(struct eng_cpu *c, struct vm_page *m, uint16_t bits)
{
	eng_atomic_fetchand_32(&c->lk, LC_PAGEQUEUE, &m->a,
	    ~(uint32_t)bits);
}

/* --------------------------------------------------------------- wiring */

/* Wirings of m (pagelock: wire_count; refcount: low bits of ref_count). */
uint32_t
vm_page_wired_count(const struct vm_engine *e, struct vm_page *m)
{
	if (e->pagelock)
		return (atomic_load_explicit(&m->wire_count,
		    memory_order_relaxed));
	return (VPRC_WIRE_COUNT(atomic_load_explicit(&m->ref_count,
	    memory_order_relaxed)));
}

/*
 * vm_page_wire(): add a wiring to a page in an object.  The object must be
 * locked.  pagelock: under the page lock (taken here); on the first wiring
 * the queue design decides (vm_page_wire_queue): locked dequeues now, as
 * FreeBSD 10 did, batch dequeues lazily, astate requests a dequeue.
 * refcount: one atomic add and no page lock (r352110); the page is dequeued
 * lazily, or by request under astate (r356156).  dfly: as refcount, the
 * page hard-busied by the caller too (DragonFly's vm_page_wire() asserts
 * PBUSY_LOCKED; vm_page_grab() returns the page busied).
 */
void
vm_page_wire(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	struct vm_engine *e = c->e;
	uint32_t old;

	VM_OBJECT_ASSERT_LOCKED(c, atomic_load_explicit(&m->object,
	    memory_order_relaxed));
	if (e->dfly)		/* DragonFly: KKASSERT(PBUSY_LOCKED) */
		vm_page_assert_xbusied(c, m);
	if (e->pagelock) {
		vm_page_lock(c, m);
		old = atomic_load_explicit(&m->wire_count,
		    memory_order_relaxed);
		atomic_store_explicit(&m->wire_count, old + 1,
		    memory_order_relaxed);
		if (old == 0)
			vm_page_wire_queue(c, m);
		vm_page_unlock(c, m);
		return;
	}
	old = eng_atomic_fetchadd_32(&c->lk, LC_PAGE, &m->ref_count, 1);
	ENG_ASSERT(VPRC_WIRE_COUNT(old) != VPRC_WIRE_COUNT_MAX);
	/*
	 * Page x queue interlock: a design that keeps queue state under the
	 * page lock cannot touch it here, where refcount takes no page lock;
	 * such a page is dequeued lazily.
	 */
	if (VPRC_WIRE_COUNT(old) == 0 && !vm_page_qlock(e))
		vm_page_wire_queue(c, m);
}

/*
 * vm_page_wire_mapped(): see vm_page.h.  refcount: CAS loop, failing while
 * VPRC_BLOCKED is set; old must be non-zero (the page is mapped, so in an
 * object); the first wiring tells the queue design as vm_page_wire()
 * does.  pagelock: the caller holds the page lock.
 */
bool
vm_page_wire_mapped(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	uint32_t old;

	if (c->e->pagelock) {
		vm_page_assert_locked(c, m);
		old = atomic_load_explicit(&m->wire_count,
		    memory_order_relaxed);
		atomic_store_explicit(&m->wire_count, old + 1,
		    memory_order_relaxed);
		return (true);
	}
	old = atomic_load_explicit(&m->ref_count, memory_order_relaxed);
	do {
		if ((old & VPRC_BLOCKED) != 0 || old == 0)
			return (false);
	} while (!eng_atomic_fcmpset_32(&c->lk, LC_PAGE, ENG_HERE,
	    &m->ref_count, &old, old + 1));
	/* As vm_page_wire(): [FB13] sets PGA_DEQUEUE on the first wiring. */
	if (VPRC_WIRE_COUNT(old) == 0 && !vm_page_qlock(c->e))
		vm_page_wire_queue(c, m);
	return (true);
}

/*
 * vm_page_unwire_noq(): drop one wiring without touching the queues.
 * Returns true if it was the last wiring (not necessarily the last
 * reference).  pagelock: the caller holds the page lock.  refcount: atomic;
 * the caller holds a reference other than this wiring (the object's), so
 * the page is not freed here.
 */
bool
vm_page_unwire_noq(struct eng_cpu *c, struct vm_page *m)
{
	uint32_t old;

	if (c->e->pagelock) {
		vm_page_assert_locked(c, m);
		old = atomic_load_explicit(&m->wire_count,
		    memory_order_relaxed);
		ENG_KASSERT(old > 0, "page %p (pa %#" PRIx64 "): unwiring an "
		    "unwired page", (void *)m, m->phys_addr);
		atomic_store_explicit(&m->wire_count, old - 1,
		    memory_order_relaxed);
		if (old == 1)
			vm_page_unwire_queue(c, m);
		return (old == 1);
	}
	old = eng_atomic_fetchadd_32(&c->lk, LC_PAGE, &m->ref_count,
	    (uint32_t)-1);
	ENG_ASSERT(VPRC_WIRE_COUNT(old) > 0);
	if (VPRC_WIRE_COUNT(old) != 1)
		return (false);
	vm_page_unwire_queue(c, m);
	return (true);
}

/*
 * One pass of [FB13] vm_page_unwire_managed()'s loop, before its CAS of
 * ref_count from old to old - 1 (queue designs without a page lock:
 * astate).  Other wirings remain: make sure PGA_DEQUEUE is set (an earlier
 * pass's release_toq may have cleared it; the comparison is the kernel's,
 * so a VPRC_BLOCKED page counts here too).  The last wiring of a page in
 * an object: vm_page_release_toq(), again on every retry.  The last
 * reference: clear PGA_DEQUEUE before the free.  No lock held.
 */
static void
vm_page_unwire_managed_step(struct eng_cpu *c, struct vm_page *m,
    uint32_t old, uint8_t queue, int flags)
{
	if (old > VPRC_OBJREF + 1) {
		if ((VM_PAGE_A_FLAGS(vm_page_astate_load(m)) &
		    PGA_DEQUEUE) == 0)
			vm_page_wire_queue(c, m);
	} else if (old == VPRC_OBJREF + 1)
		vm_page_release_toq(c, m, queue, flags);
	else if (old == 1)
		vm_page_unwire_queue(c, m);
}

/*
 * Common body of vm_page_unwire() and vm_page_release(): drop one wiring,
 * placing the page in queue (vm_page_release_toq(), per flags) when it was
 * the last, and freeing it when it was the last reference.  With check, an
 * unwired page is left alone and false returned (the event is skipped).
 *
 * pagelock: everything under the page lock.  refcount: CAS loop (FreeBSD
 * 2019): on the last wiring of a page in an object, take the page lock
 * first when the queue design keeps queue state under it, place the page,
 * and drop the lock only after the decrement, so the page daemon cannot
 * dequeue a still-wired page; astate places the page with no lock.  The
 * caller holds no page lock.  dfly: the caller may hold m hard-busied
 * (DragonFly's vm_page_unwire() asserts PBUSY_LOCKED); the busy is then
 * released here, by vm_page_free() when the page is freed.
 */
/*
 * pagelock: drop a wiring of m, placing or freeing it when it was the last
 * (see vm_page_unwire_common()); also 12's buffer cache's
 * vfs_vmio_unwire() (ev_unwire_unlocked(), ev_release_unlocked()).  The
 * page lock is held.
 */
void
vm_page_unwire_pagelocked(struct eng_cpu *c, struct vm_page *m,
    uint8_t queue, int flags)
{
	vm_page_assert_locked(c, m);
	if (vm_page_unwire_noq(c, m)) {
		if (atomic_load_explicit(&m->object, memory_order_relaxed) ==
		    NULL)
			vm_page_free(c, m);
		else
			vm_page_release_toq(c, m, queue, flags);
	}
}

static bool
vm_page_unwire_common(struct eng_cpu *c, struct vm_page *m, uint8_t queue,
    int flags, bool check)
{
	ENG_SITE_DEFINE;
	struct vm_engine *e = c->e;
	bool busied = vm_page_dfly_busied(c, m);
	bool locked = false, placed = false;
	uint32_t old;

	if (e->pagelock) {
		vm_page_lock(c, m);
		if (check && atomic_load_explicit(&m->wire_count,
		    memory_order_relaxed) == 0) {
			vm_page_unlock(c, m);
			return (false);
		}
		vm_page_unwire_pagelocked(c, m, queue, flags);
		vm_page_unlock(c, m);
		return (true);
	}
	old = atomic_load_explicit(&m->ref_count, memory_order_relaxed);
	for (;;) {
		if (VPRC_WIRE_COUNT(old) == 0) {
			ENG_ASSERT(check);
			if (locked)
				vm_page_unlock(c, m);
			if (busied)
				vm_page_xunbusy(c, m);
			return (false);
		}
		if (!vm_page_qlock(e)) {
			vm_page_unwire_managed_step(c, m, old, queue, flags);
		} else if ((old & ~VPRC_BLOCKED) == (VPRC_OBJREF | 1) &&
		    !placed) {
			/* Last wiring of a page in an object: place it
			 * first, under the page lock. */
			if (!locked) {
				vm_page_lock(c, m);
				locked = true;
				old = atomic_load_explicit(&m->ref_count,
				    memory_order_relaxed);
				continue;
			}
			vm_page_release_toq(c, m, queue, flags);
			placed = true;
		}
		if (eng_atomic_fcmpset_32(&c->lk, LC_PAGE, ENG_HERE,
		    &m->ref_count, &old, old - 1))
			break;
	}
	if (locked)
		vm_page_unlock(c, m);
	if (old == 1)
		vm_page_free(c, m);
	else if (busied)
		vm_page_xunbusy(c, m);
	return (true);
}

/* vm_page_unwire(): see vm_page.h. */
void
vm_page_unwire(struct eng_cpu *c, struct vm_page *m, uint8_t queue)
{
	vm_page_unwire_common(c, m, queue, 0, false);
}

/*
 * The unwire event: vm_page_unwire(m, PQ_ACTIVE) of a wiring taken by a
 * wire event, which the caller has claimed (vm_page_ev_wiring_take());
 * FreeBSD 10: its buffer cache's vm_page_unwire(m, 0), to the inactive
 * queue (ev_unwire()).
 * dfly: hard-busied around it, as 5.6's callers busy the page and hold
 * no object token (v5.6.0 sys/vm/vm_fault.c vm_fault_unwire(), lines
 * 2534-2535, and sys/kern/vfs_bio.c vfs_vmio_release(), lines 1774 and
 * 1796-1798: vm_page_busy_wait(m, FALSE), vm_page_unwire(m, 1),
 * vm_page_wakeup(m)).  False if it released no wiring.  The caller holds
 * no busy of m; under pagelock, the object is locked (to find m); under
 * refcount and dfly, the object lock or the claimed wiring keeps m.
 */
bool
vm_page_unwire_event(struct eng_cpu *c, struct vm_page *m)
{
	ENG_ASSERT(!vm_page_dfly_busied(c, m));
	if (c->e->dfly)
		vm_page_busy_wait(c, m);
	return (vm_page_unwire_common(c, m, vm_engine_fb10(c->e) ?
	    PQ_INACTIVE : PQ_ACTIVE, 0, false));
}

/*
 * vm_page_unhold() (--page pagelock: FreeBSD 10 and 12, before D19247):
 * drop the hold pmap_extract_and_hold() took with vm_page_wire_mapped().
 * The model counts a hold in wire_count; 12's vm_page_unhold() is
 * hold_count-- under the page lock and no queue operation, freeing the page
 * if it left its object while held (PG_UNHOLDFREE; 2018 head vm_page.c,
 * index id 962366792).  The caller holds no page lock.
 */
void
vm_page_unhold(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	uint32_t old;

	ENG_KASSERT(c->e->pagelock, "vm_page_unhold under --page refcount");
	vm_page_lock(c, m);
	old = atomic_load_explicit(&m->wire_count, memory_order_relaxed);
	ENG_KASSERT(old > 0, "page %p (pa %#" PRIx64 "): unhold of a page "
	    "not held", (void *)m, m->phys_addr);
	atomic_store_explicit(&m->wire_count, old - 1, memory_order_relaxed);
	if (old == 1 && atomic_load_explicit(&m->object,
	    memory_order_relaxed) == NULL)
		vm_page_free(c, m);
	vm_page_unlock(c, m);
}

/*
 * One event wiring less in obj's sum (vm_object.ev_wirings), stopping at
 * 0: the object's termination may have zeroed it.  No lock.
 */
static void
vm_object_ev_wirings_drop(struct vm_object *obj)
{
	uint64_t old;

	old = atomic_load_explicit(&obj->ev_wirings, memory_order_relaxed);
	while (old != 0 && !atomic_compare_exchange_weak_explicit(
	    &obj->ev_wirings, &old, old - 1, memory_order_relaxed,
	    memory_order_relaxed))
		;
}

/*
 * Claim one event-held wiring of m, a page of obj (see vm_page.h); false
 * if none.  Acquire, paired with vm_page_ev_wiring_add(): a claim made
 * without the object lock (refcount's release) sees the page as the wire
 * event left it.  No lock (the object's lock, the pin of
 * vm_page_pin_try(), or, pagelock, m's page lock with m's identity
 * checked under it).
 */
bool
vm_page_ev_wiring_take(struct vm_object *obj, struct vm_page *m)
{
	uint32_t old;

	old = atomic_load_explicit(&m->ev_wirings, memory_order_relaxed);
	do {
		if (VM_PAGE_EVW_COUNT(old) == 0)
			return (false);
	} while (!atomic_compare_exchange_weak_explicit(&m->ev_wirings, &old,
	    old - 1, memory_order_acquire, memory_order_relaxed));
	vm_object_ev_wirings_drop(obj);
	return (true);
}

/*
 * Count a wiring of m, a page of obj just wired by a wire event, as held
 * by trace events; release order for vm_page_ev_wiring_take() and for
 * the termination's exchange (vm_object_terminate_pages()).  False, with
 * nothing counted, when m has left obj by its termination since the
 * caller found it (VM_PAGE_EVW_GONE): the caller drops its wiring.
 * obj's sum is raised first, so that the termination's final zeroing of
 * it, which follows its exchange of every page's count, also clears a
 * wiring counted on a page before that page's exchange.  The object is
 * write-locked, or (refcount's wire, ev_wire_unlocked()) unlocked with
 * m's new wiring held.
 */
bool
vm_page_ev_wiring_add(struct vm_object *obj, struct vm_page *m)
{
	uint32_t old;

	atomic_fetch_add_explicit(&obj->ev_wirings, 1, memory_order_relaxed);
	old = atomic_load_explicit(&m->ev_wirings, memory_order_relaxed);
	do {
		if ((old & VM_PAGE_EVW_GONE) != 0) {
			vm_object_ev_wirings_drop(obj);
			return (false);
		}
	} while (!atomic_compare_exchange_weak_explicit(&m->ev_wirings, &old,
	    old + 1, memory_order_release, memory_order_relaxed));
	return (true);
}

/*
 * FreeBSD 10.4's vm_page_try_to_free() and vm_page_try_to_cache()
 * (coder03/freebsd10.4 @3d3f8b11 sys/vm/vm_page.c lines 2556-2570 and
 * 2534-2547), which make the same test: a page neither wired nor busied
 * is unmapped (pmap_remove_all(), mapped or not) and leaves its object.
 * try_to_free (a B_DIRECT buffer's release, vfs_vmio_release()) frees it,
 * vm_page_free_toq()'s vm_page_remque() taking the queue lock and the free
 * queue mutex; try_to_cache (vm_object_page_cache() for a
 * POSIX_FADV_DONTNEED) gives it to the cache queue (vm_page_cache(), lines
 * 2580-2660: the same two locks).  The model has no cache queue and frees
 * it too; 10.4 would reactivate a cached page on its next lookup where
 * the model allocates again.  Dirty pages, which 10.4 keeps, and held
 * ones are not modelled.  True if the page went.  The object is
 * write-locked and m's page lock held.
 */
bool
vm_page_try_to_free(struct eng_cpu *c, struct vm_page *m)
{
	VM_OBJECT_ASSERT_WLOCKED(c, atomic_load_explicit(&m->object,
	    memory_order_relaxed));
	vm_page_assert_locked(c, m);
	if (vm_page_wired_count(c->e, m) != 0 || atomic_load_explicit(
	    &m->busy_lock, memory_order_relaxed) != VPB_UNBUSIED)
		return (false);
	pmap_remove_all(c, m);
	if (vm_page_remove(c, m))
		vm_page_free(c, m);
	return (true);
}

/*
 * vm_page_release(): release a wiring to the page cache, no object lock
 * held (sendfile completion).  With VPR_TRYFREE (SF_NOCACHE), try to free
 * the page at once: read m->object racily, trylock it, recheck, and use
 * vm_page_release_locked().  pagelock: one page-lock critical section
 * (sendfile_free_page()): with VPR_TRYFREE the object is trylocked under
 * it; otherwise, or if that fails, the wiring is dropped under the same
 * lock.  The caller holds the wiring being released.  dfly: the page is
 * hard-busied first (DragonFly has no vm_page_release; the buffer cache's
 * vfs_vmio_release() busies the page and vm_page_unwire()s it), and the
 * busy is released by what follows (vm_page_release_locked(), the
 * unwire).
 */
void
vm_page_release(struct eng_cpu *c, struct vm_page *m, int flags)
{
	ENG_SITE_DEFINE;
	struct vm_object *obj;

	ENG_KASSERT(vm_page_wired_count(c->e, m) > 0, "page %p (pa %#"
	    PRIx64 "): release of an unwired page", (void *)m, m->phys_addr);
	if (c->e->dfly)
		vm_page_busy_wait(c, m);
	if (c->e->pagelock) {
		vm_page_lock(c, m);
		obj = atomic_load_explicit(&m->object, memory_order_relaxed);
		if ((flags & VPR_TRYFREE) != 0 && obj != NULL &&
		    atomic_load_explicit(&m->wire_count,
		    memory_order_relaxed) == 1 && VM_OBJECT_TRYWLOCK(c, obj)) {
			vm_page_release_locked(c, m, flags);
			VM_OBJECT_WUNLOCK(c, obj);
			vm_page_unlock(c, m);
			return;
		}
		vm_page_unwire_pagelocked(c, m, PQ_INACTIVE, flags);
		vm_page_unlock(c, m);
		return;
	}
	if ((flags & VPR_TRYFREE) != 0) {
		obj = atomic_load_explicit(&m->object, memory_order_relaxed);
		if (obj != NULL && (vm_page_dfly_busied(c, m) ||
		    atomic_load_explicit(&m->busy_lock,
		    memory_order_relaxed) == VPB_UNBUSIED) &&
		    VM_OBJECT_TRYWLOCK(c, obj)) {
			if (atomic_load_explicit(&m->object,
			    memory_order_relaxed) == obj) {
				vm_page_release_locked(c, m, flags);
				VM_OBJECT_WUNLOCK(c, obj);
				return;
			}
			VM_OBJECT_WUNLOCK(c, obj);
		}
	}
	vm_page_unwire_common(c, m, PQ_INACTIVE, flags, false);
}

/*
 * vm_page_release_locked(): the object is write-locked (pagelock: and the
 * page lock held).  Drop one wiring; on the last, free the page if
 * VPR_TRYFREE and it is unmapped (or, pagelock, VPR_BDIRECT) and unbusied,
 * else place it (vm_page_release_toq).  Returns false when m was not
 * wired.
 *
 * pagelock (FreeBSD <= 12): the free is vm_page_try_to_free(), which
 * calls pmap_remove_all() before vm_page_free() when
 * m->object->ref_count != 0 (2018 head vm_page.c, index id 962366792;
 * unconditionally in 10.x, index id 35289613); the object of a page
 * released by the trace's holder is referenced, so always here.  On an
 * unmapped page that costs the page's pv-list lock and nothing else.
 * 12's sendfile_free_page() calls it for an unmapped page only ("Only
 * free unmapped pages"); its buffer cache's vfs_vmio_unwire() of a
 * B_DIRECT buffer (VPR_BDIRECT) calls it for any, so a mapped page is
 * unmapped and freed (12-era sys/kern/vfs_bio.c, index ids 90490837 and
 * 5725249: "if ((bp->b_flags & B_DIRECT) != 0) freed =
 * vm_page_try_to_free(m)"; the model keeps no dirty bits, which would
 * keep a page dirtied through its mappings).
 * FreeBSD 10 (vm_engine_fb10()): vfs_vmio_release() (release/10.4.0
 * sys/kern/vfs_bio.c lines 1893-1903, coder03/freebsd10.4 @3d3f8b11)
 * calls vm_page_unwire(m, 0), which enqueues the page at the inactive
 * tail at once (sys/vm/vm_page.c lines 2435-2458, vm_page_enqueue 2156:
 * the queue lock), and then, for a B_DIRECT buffer (VPR_TRYFREE),
 * vm_page_try_to_free() (lines 2556-2570): an unbusied page is unmapped
 * (pmap_remove_all, mapped or not) and freed, vm_page_free_toq()'s
 * vm_page_remque() taking the queue lock again (line 2330); a busied one
 * stays on the inactive queue.
 * refcount (13/14 vm_page_release_locked()) frees an unmapped page with
 * no pmap call, exclusive-busied (vm_page_tryxbusy: a busy page is placed
 * instead), and leaves it, unbusied, if a lockless grab wired it before
 * the busy was taken.  dfly: the caller holds m hard-busied, and the busy is
 * released here (by the free, when the page is freed).
 */
bool
vm_page_release_locked(struct eng_cpu *c, struct vm_page *m, int flags)
{
	ENG_SITE_DEFINE;
	struct vm_engine *e = c->e;
	bool busied = vm_page_dfly_busied(c, m);

	VM_OBJECT_ASSERT_WLOCKED(c, atomic_load_explicit(&m->object,
	    memory_order_relaxed));
	if (e->pagelock)
		vm_page_assert_locked(c, m);
	if (e->dfly)
		vm_page_assert_xbusied(c, m);
	if (vm_page_wired_count(e, m) == 0) {
		if (busied)
			vm_page_xunbusy(c, m);
		return (false);
	}
	if (!vm_page_unwire_noq(c, m)) {
		if (busied)
			vm_page_xunbusy(c, m);
		return (true);
	}
	if (vm_engine_fb10(e)) {
		vm_page_release_toq(c, m, PQ_INACTIVE, 0);
		if ((flags & VPR_TRYFREE) != 0)
			(void)vm_page_try_to_free(c, m);
		return (true);
	}
	if ((flags & VPR_TRYFREE) != 0 && (!pmap_page_is_mapped(m) ||
	    (e->pagelock && (flags & VPR_BDIRECT) != 0)) &&
	    (busied || (e->smr_lookups ? vm_page_tryxbusy(c, m) :
	    atomic_load_explicit(&m->busy_lock, memory_order_relaxed) ==
	    VPB_UNBUSIED))) {
		busied = busied || e->smr_lookups;
		/* 13+: "An unlocked lookup may have wired the page". */
		if (e->smr_lookups && vm_page_wired_count(e, m) != 0) {
			vm_page_xunbusy(c, m);
			return (true);
		}
		if (e->pagelock)
			pmap_remove_all(c, m);
		if (vm_page_remove(c, m))
			vm_page_free(c, m);
		else if (busied)
			vm_page_xunbusy(c, m);
		return (true);
	}
	if (!e->pagelock && vm_page_qlock(e)) {
		vm_page_lock(c, m);
		vm_page_release_toq(c, m, PQ_INACTIVE, flags);
		vm_page_unlock(c, m);
	} else
		vm_page_release_toq(c, m, PQ_INACTIVE, flags);
	if (busied)
		vm_page_xunbusy(c, m);
	return (true);
}

/*
 * Page daemon's transient reference (refcount, seed 000): taken before the
 * object lock so a concurrent vm_page_free_prep() cannot race the scan's
 * queue updates.  Fails on a page with no reference (free or being freed).
 */
bool
vm_page_tryacquire_transient(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	uint32_t old;

	old = atomic_load_explicit(&m->ref_count, memory_order_relaxed);
	do {
		if (old == 0)
			return (false);
	} while (!eng_atomic_fcmpset_32(&c->lk, LC_PAGE, ENG_HERE,
	    &m->ref_count, &old, old + 1));
	return (true);
}

/*
 * Drop the transient reference; true if it was the last reference (the page
 * left its object meanwhile), and the caller must free the page.
 */
bool
vm_page_drop_transient(struct eng_cpu *c, struct vm_page *m)
{
	return (eng_atomic_fetchadd_32(&c->lk, LC_PAGE, &m->ref_count,
	    (uint32_t)-1) == 1);
}

/*
 * vm_page_try_blocked_op(): refcount: with no wiring, set VPRC_BLOCKED so
 * vm_page_wire_mapped() fails, run op, clear it.  pagelock: under the page
 * lock (taken here unless the caller, e.g. the page daemon, holds it), fail
 * if wired.  The object is write-locked and the page busied.
 */
static bool
vm_page_try_blocked_op(struct eng_cpu *c, struct vm_page *m,
    void (*op)(struct eng_cpu *, struct vm_page *))
{
	ENG_SITE_DEFINE;
	uint32_t old;
	bool ok;

	VM_OBJECT_ASSERT_WLOCKED(c, atomic_load_explicit(&m->object,
	    memory_order_relaxed));
	vm_page_assert_xbusied(c, m);
	if (c->e->pagelock) {
		bool held = eng_lock_held(&c->lk, vm_page_lockptr(c, m));

		if (!held)
			vm_page_lock(c, m);
		ok = atomic_load_explicit(&m->wire_count,
		    memory_order_relaxed) == 0;
		if (ok)
			op(c, m);
		if (!held)
			vm_page_unlock(c, m);
		return (ok);
	}
	old = atomic_load_explicit(&m->ref_count, memory_order_relaxed);
	do {
		if (VPRC_WIRE_COUNT(old) != 0)
			return (false);
	} while (!eng_atomic_fcmpset_32(&c->lk, LC_PAGE, ENG_HERE,
	    &m->ref_count, &old, old | VPRC_BLOCKED));
	op(c, m);
	old = eng_atomic_fetchadd_32(&c->lk, LC_PAGE, &m->ref_count,
	    (uint32_t)-VPRC_BLOCKED);
	/* Exactly BLOCKED|OBJREF but for a scan's transient reference. */
	ENG_ASSERT((old & (VPRC_BLOCKED | VPRC_OBJREF)) ==
	    (VPRC_BLOCKED | VPRC_OBJREF));
	return (true);
}

bool
vm_page_try_remove_all(struct eng_cpu *c, struct vm_page *m)
{
	return (vm_page_try_blocked_op(c, m, pmap_remove_all));
}

bool
vm_page_try_remove_write(struct eng_cpu *c, struct vm_page *m)
{
	return (vm_page_try_blocked_op(c, m, pmap_remove_write));
}

/* ----------------------------------------------------- identity, alloc */

/*
 * vm_page_insert(): make m the page of obj at pindex.  The object must be
 * write-locked; m is freshly allocated (no other reference exists).
 * refcount: VPRC_OBJREF is set by the allocator's initial store.  dfly:
 * m is hard-busied (by vm_page_alloc); as 5.6's vm_page_insert() (v5.6.0
 * sys/vm/vm_page.c) the object's generation is raised (atomic_add_int)
 * and the identity set under the page's spinlock (vm_page_spin_lock).
 */
void
vm_page_insert(struct eng_cpu *c, struct vm_page *m, struct vm_object *obj,
    vm_pindex_t pindex)
{
	bool taken = false;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	if (c->e->dfly) {
		vm_page_assert_xbusied(c, m);
		(void)eng_atomic_fetchadd_32(&c->lk, LC_OBJECT,
		    &obj->generation, 1);
		taken = vm_page_identity_lock(c, m);
	}
	m->pindex = pindex;
	atomic_store_explicit(&m->object, obj, memory_order_release);
	if (vm_phash_insert(c, &obj->pages, pindex, m) != 0)
		ENG_PANIC("out of memory");
	obj->resident_page_count++;
	vm_page_identity_unlock(c, m, taken);
}

/*
 * vm_page_remove(): unlink m from its object.  The object must be
 * write-locked; pagelock: the page lock held too (m->object is (O,P)).
 * Returns true if the object's was the last reference: the caller frees the
 * page.  Otherwise a wiring (or the page daemon's transient reference)
 * keeps it, and its last release frees it.  Under termination the
 * object's index has already been taken out whole
 * (vm_object_terminate_pages), so there is nothing to unlink.  dfly: m
 * must be hard-busied by this CPU (DragonFly's vm_page_remove() panics
 * "page not busy"), so no vm_page_hash_get() holds it soft-busied; the
 * unlink is under the page's spinlock (vm_page_spin_lock), and once
 * m->object is NULL no hash entry naming m validates.  5.6 also holds
 * the object around the unlink (vm_object_hold and vm_object_drop, lines
 * 1517 and 1533 of its vm_page.c) and raises its generation under the
 * spinlock (atomic_add_int, line 1530), whoever the caller: the model counts
 * hold_count's two atomics here (vm_object_hold_recurse()), and the
 * caller's object lock stands for the token (a recursion under a
 * caller's hold, or, for the page daemon's free, this hold's own token:
 * vm_pageout_dfly_cache()).
 */
bool
vm_page_remove(struct eng_cpu *c, struct vm_page *m)
{
	struct vm_object *obj;
	bool taken = false;
	uint32_t old;

	obj = atomic_load_explicit(&m->object, memory_order_relaxed);
	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	if (c->e->pagelock)
		vm_page_assert_locked(c, m);
	if (c->e->dfly) {
		vm_page_assert_xbusied(c, m);
		vm_object_hold_recurse(c, obj);
		taken = vm_page_identity_lock(c, m);
	}
	vm_phash_remove(c, &obj->pages, m->pindex);
	obj->resident_page_count--;
	atomic_store_explicit(&m->object, NULL, memory_order_release);
	if (c->e->dfly)
		(void)eng_atomic_fetchadd_32(&c->lk, LC_OBJECT,
		    &obj->generation, 1);
	vm_page_identity_unlock(c, m, taken);
	if (c->e->dfly)
		vm_object_drop_recurse(c, obj);
	if (c->e->pagelock) {
		return (atomic_load_explicit(&m->wire_count,
		    memory_order_relaxed) == 0);
	}
	old = eng_atomic_fetchadd_32(&c->lk, LC_PAGE, &m->ref_count,
	    (uint32_t)-VPRC_OBJREF);
	ENG_ASSERT((old & VPRC_OBJREF) != 0);
	return (old == VPRC_OBJREF);
}

/*
 * vm_page_free_prep() + vm_page_free_toq(): the page has no reference left
 * and is not in an object (vm_page_remove() said so), or is removed here
 * when the caller frees a page it found in its object.  The object, if any,
 * must be write-locked; pagelock: the page lock held.  The logical dequeue
 * needs no page lock since no one else holds a reference; it is deferred
 * through the batch queues except under --queue locked.  The page goes to
 * the CPU's free cache (batch, astate) or straight to the free lists.
 *
 * dfly: vm_page_free_toq() requires the page hard-busied and releases
 * the busy.  A caller that holds the busy passes it on; otherwise (the
 * last unwiring of a page already out of its object, the page daemon's
 * transient reference) the page is busied here first, waiting out any
 * soft busy of a vm_page_hash_get() whose validation is failing.  The
 * busy is released just before the page reaches the free lists, where
 * DragonFly releases it just after, under the page's spinlock that its
 * allocator also takes: either way no allocation sees it busied.
 */
void
vm_page_free(struct eng_cpu *c, struct vm_page *m)
{
	struct vm_engine *e = c->e;
	struct vm_object *obj;

	if ((obj = atomic_load_explicit(&m->object, memory_order_relaxed)) !=
	    NULL)
		VM_OBJECT_ASSERT_WLOCKED(c, obj);
	if (e->pagelock)
		vm_page_assert_locked(c, m);
	if (e->dfly && !vm_page_dfly_busied(c, m))
		vm_page_busy_wait(c, m);
	if (obj != NULL &&
	    !vm_page_remove(c, m))
		ENG_PANIC("freeing a referenced page");
	ENG_ASSERT(vm_page_wired_count(e, m) == 0);
	ENG_ASSERT(!pmap_page_is_mapped(m));
	vm_page_free_dequeue(c, m);
	vm_page_aflag_clear(c, m, PGA_WRITEABLE | PGA_REFERENCED |
	    PGA_EXECUTABLE);
	atomic_store_explicit(&m->ref_count, 0, memory_order_relaxed);
	if (e->dfly)
		vm_page_xunbusy(c, m);
	else if (e->smr_lookups)
		vm_page_busy_free(c, m);
	vm_phys_free(c, m);
}

/*
 * vm_page_alloc() with VM_ALLOC_WAITFAIL: a page for obj at pindex,
 * inserted, wired once if wired, else left for the caller to enqueue.  The
 * object must be write-locked.  With no free page, vm_domain_alloc_fail()
 * drops the object lock and sleeps in vm_wait until the page daemon has
 * freed pages, and NULL is returned with *retry set: the object was
 * unlocked, so the caller looks the page up again (vm_page_grab's
 * retrylookup).  NULL with *retry clear: the allocation cannot be
 * satisfied (counted in alloc_failures).  The page is physically dequeued
 * first if its previous life left it on a queue (a deferred dequeue still
 * in some CPU's batch).  dfly: the page is hard-busied as DragonFly's
 * vm_page_select_free() busies it (vm_page_busy_try(m, TRUE)), waiting
 * out a stale vm_page_hash_get()'s soft busy instead of passing the page
 * over, inserted busied, and unbusied for the caller (vm_page_wakeup).
 * busy: returned exclusive-busied by this CPU instead, as the kernel's
 * vm_page_alloc() returns it without VM_ALLOC_NOBUSY (vm_fault_allocate);
 * the caller unbusies it (vm_page_xunbusy).
 */
struct vm_page *
vm_page_alloc(struct eng_cpu *c, struct vm_object *obj, vm_pindex_t pindex,
    bool wired, bool busy, bool *retry)
{
	struct vm_engine *e = c->e;
	struct vm_page *m;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	if ((m = vm_phys_alloc(c, obj, pindex)) == NULL) {
		*retry = vm_domain_alloc_fail(c, obj);
		if (!*retry)
			c->st.alloc_failures++;
		return (NULL);
	}
	if ((VM_PAGE_A_FLAGS(vm_page_astate_load(m)) &
	    PGA_QUEUE_STATE_MASK) != 0 ||
	    VM_PAGE_A_QUEUE(vm_page_astate_load(m)) != PQ_NONE)
		vm_page_dequeue(c, m);
	atomic_store_explicit(&m->a, VM_PAGE_A_MAKE(0, PQ_NONE, 0),
	    memory_order_relaxed);
	if (e->dfly)
		vm_page_busy_wait(c, m);
	else
		atomic_store_explicit(&m->busy_lock, e->smr_lookups || busy ?
		    VPB_CPU_EXCLUSIVE(c) : VPB_UNBUSIED, memory_order_relaxed);
	atomic_store_explicit(&m->ev_wirings, 0, memory_order_relaxed);
	atomic_store_explicit(&m->valid, 0, memory_order_relaxed);
	if (e->pagelock) {
		atomic_store_explicit(&m->ref_count, 0, memory_order_relaxed);
		atomic_store_explicit(&m->wire_count, wired ? 1 : 0,
		    memory_order_relaxed);
	} else {
		atomic_store_explicit(&m->wire_count, 0, memory_order_relaxed);
		atomic_store_explicit(&m->ref_count,
		    VPRC_OBJREF | (wired ? 1 : 0), memory_order_release);
	}
	vm_page_insert(c, m, obj, pindex);
	if (busy)
		return (m);
	if (e->dfly)
		vm_page_xunbusy(c, m);
	else if (e->smr_lookups)
		atomic_store_explicit(&m->busy_lock, VPB_UNBUSIED,
		    memory_order_release);
	return (m);
}

/*
 * vm_page_grab(): the page of obj at pindex, allocated and inserted if
 * absent (then enqueued on inactive unless wired); wired once more if wired.
 * The object must be write-locked; it is unlocked and locked again while
 * the allocation waits for free pages.  NULL when memory cannot be had.
 * dfly: a resident page is found busied (vm_page_lookup_busy_try, which
 * enters it in vm_page_hash[]), wired busied, and unbusied.
 */
struct vm_page *
vm_page_grab(struct eng_cpu *c, struct vm_object *obj, vm_pindex_t pindex,
    bool wired, bool *allocated)
{
	struct vm_page *m;
	bool retry;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	*allocated = false;
retrylookup:
	vm_object_make_alive(c, obj);
	m = c->e->dfly ? vm_page_lookup_busy(c, obj, pindex) :
	    vm_page_lookup(c, obj, pindex);
	if (m != NULL) {
		if (wired)
			vm_page_wire(c, m);
		if (c->e->dfly)
			vm_page_xunbusy(c, m);
		return (m);
	}
	m = vm_page_alloc(c, obj, pindex, wired, false, &retry);
	if (m == NULL) {
		if (retry)
			goto retrylookup;
		return (NULL);
	}
	*allocated = true;
	if (!wired)
		vm_page_deactivate(c, m, false);
	return (m);
}

/*
 * --page refcount: 13+'s vm_page_grab_pages_unlocked() of the resident
 * pages from pindex, without the object lock (vm_page_acquire_unlocked();
 * vm_smr.c names the trees read).  The first page is found by
 * vm_radix_lookup_unlocked(), one SMR section; each next one by
 * TAILQ_NEXT() of the previous, which needs none, unless it is not
 * resident, when the radix lookup that finds it missing does.  A page
 * found is busied and its identity checked; one that changed identity is
 * looked up again, one that another holds busy or that is free is waited
 * for (the kernel sleeps in vm_page_grab_sleep() and looks again; the
 * model yields) and looked up again.
 *
 * allocflags: VM_ALLOC_IGN_SBUSY, the page is shared-busied
 * (vm_page_trysbusy), else exclusive-busied (vm_page_tryxbusy); with
 * VM_ALLOC_WIRED it is wired under that busy, into ma, and unbusied (the
 * kernel's VM_ALLOC_NOBUSY: vm_page_grab_release()).  Sendfile's grab is
 * VM_ALLOC_WIRED (exclusive, as sendfile_swapin() unbusies a valid page);
 * the buffer cache's, a wire event's (ev_wire_unlocked(); [FB13]
 * vfs_bio.c, index id 65979645776 @76000, vfs_vmio_extend():
 * VM_ALLOC_SYSTEM | VM_ALLOC_IGN_SBUSY | VM_ALLOC_NOBUSY |
 * VM_ALLOC_WIRED), both; a read's (page_lookup, whose buffer's wiring the
 * model leaves out: the trace has no event for the buffer's release of
 * it) VM_ALLOC_IGN_SBUSY alone, the page unbusied at once
 * (vm_page_sunbusy), ma may then be NULL.  The wiring is
 * vm_page_wire_mapped()'s, which fails on a page with no reference left:
 * in the model (not the kernel, whose callers hold the object) a
 * termination may drop the object's between the identity check and the
 * wiring, and the page is then looked up again; one it drops just after
 * the wiring leaves the caller a page out of its object (sendfile's
 * release frees it; a wire event's drops its wiring,
 * vm_page_ev_wiring_add()).
 *
 * Returns how many pages from pindex were found; the caller grabs the
 * rest under the write lock, as vm_page_grab_pages_unlocked() does, also
 * when the model's index was too busy to read (vm_phash_lookup_unlocked()
 * not settled: the kernel's trie has no such case).  No lock.
 */
int
vm_page_grab_pages_unlocked(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, int allocflags, struct vm_page **ma, int count)
{
	struct vm_page *m;
	bool counted, settled;
	bool wired = (allocflags & VM_ALLOC_WIRED) != 0;
	bool sbusy = (allocflags & VM_ALLOC_IGN_SBUSY) != 0;
	int i;

	ENG_ASSERT(c->e->smr_lookups);
	for (i = 0; i < count; i++) {
		counted = i == 0;
		for (;;) {
			vm_smr_enter(c, counted);
			m = vm_phash_lookup_unlocked(&obj->pages,
			    pindex + (vm_pindex_t)i, &settled);
			vm_smr_exit(c);
			if (!settled)
				return (i);
			if (m == NULL) {
				if (!counted) {
					/* TAILQ_NEXT() failed: radix. */
					vm_smr_enter(c, true);
					vm_smr_exit(c);
				}
				return (i);
			}
			counted = true;
			if (!(sbusy ? vm_page_sbusy_try(c, m) :
			    vm_page_tryxbusy(c, m))) {
				eng_yield();
				continue;
			}
			if (vm_page_named_is(m, obj, pindex + (vm_pindex_t)i) &&
			    (!wired || vm_page_wire_mapped(c, m)))
				break;
			if (sbusy)
				vm_page_sbusy_drop(c, m);
			else
				vm_page_xunbusy(c, m);
		}
		if (sbusy)
			vm_page_sbusy_drop(c, m);
		else
			vm_page_xunbusy(c, m);
		if (wired)
			ma[i] = m;
	}
	return (count);
}

/*
 * vm_page_grab_pages(): grab count pages from pindex into ma (sendfile
 * wires them).  fresh (unless NULL): fresh[i], whether ma[i] had to be
 * allocated.  The object must be write-locked.  Returns how many were
 * grabbed (fewer when memory ran out).
 */
int
vm_page_grab_pages(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, bool wired, struct vm_page **ma, int count,
    bool *fresh)
{
	bool one;
	int i;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	for (i = 0; i < count; i++) {
		ma[i] = vm_page_grab(c, obj, pindex + (vm_pindex_t)i, wired,
		    &one);
		if (ma[i] == NULL)
			break;
		if (fresh != NULL)
			fresh[i] = one;
	}
	return (i);
}

/*
 * The exclusive busy that the kernel's vm_page_alloc() gives a page it
 * allocates without VM_ALLOC_NOBUSY (sendfile_swapin()'s grab): a plain
 * store before the page is published, where the model's grab published
 * the page unbusied.  Taken now with an uncounted compare-and-set; false
 * if another CPU holds a busy of the page (a lockless lookup, which could
 * not have reached the kernel's page before).  The object must be
 * write-locked.
 */
bool
vm_page_xbusy_fresh(struct eng_cpu *c, struct vm_object *obj,
    struct vm_page *m)
{
	uint32_t x = VPB_UNBUSIED;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	return (atomic_compare_exchange_strong_explicit(&m->busy_lock, &x,
	    VPB_CPU_EXCLUSIVE(c), memory_order_acquire,
	    memory_order_relaxed));
}

/* ---------------------------------------------------------- buffer cache */

/*
 * Shared-busy m, a page of obj at pindex that the caller grabbed, for the
 * buffer cache's read: vm_page_sbusy() (10.4, 12) and
 * vm_page_busy_acquire(m, VM_ALLOC_SBUSY) (13+), one atomic each.  An
 * exclusive busy is waited out (the kernel sleeps: 10/12's
 * vfs_drain_busy_pages() dropping the object lock, 13+'s
 * vm_page_busy_acquire(); the model yields, with the object lock dropped
 * when held).  False, with nothing held, when m has left (obj, pindex):
 * the model's buffer does not keep its pages wired, so another CPU may
 * have freed it since the grab.  The object is write-locked (pagelock,
 * not joined) or unlocked.
 */
static bool
vfs_bio_page_sbusy(struct eng_cpu *c, struct vm_object *obj,
    struct vm_page *m, vm_pindex_t pindex, bool locked)
{
	ENG_SITE_DEFINE;

	for (;;) {
		if (atomic_load_explicit(&m->busy_lock,
		    memory_order_relaxed) == VPB_FREED)
			return (false);
		if (vm_page_sbusy_try(c, m))
			break;
		if (locked)
			VM_OBJECT_WUNLOCK(c, obj);
		eng_yield();
		if (locked)
			VM_OBJECT_WLOCK(c, obj);
	}
	if (vm_page_named_is(m, obj, pindex))
		return (true);
	vm_page_sbusy_drop(c, m);
	return (false);
}

/*
 * The soft busy of DragonFly's buffer I/O, vm_page_io_start() and
 * vm_page_io_finish() (one atomic_fetchadd_int on m->busy_count each),
 * taken and dropped under the caller's hard busy.  The model's busy word
 * has no room for a soft busy beside a hard one, so the RMW leaves the
 * word as it is: counted, not recorded (vfs_bio_read_dfly()).  m must be
 * exclusive-busied by this CPU.
 */
static void
vm_page_io_rmw(struct eng_cpu *c, struct vm_page *m)
{
	vm_page_assert_xbusied(c, m);
	(void)eng_atomic_fetchor_32(&c->lk, LC_PAGE, &m->busy_lock, 0);
}

/*
 * Hard-busy the n pages ma[] of obj from pindex for the buffer's I/O, as
 * DragonFly 5.6's vfs_busy_pages() does (v5.6.0 sys/kern/vfs_bio.c lines
 * 3880-3890): all at once, vm_page_busy_try() on each; on a busy page the
 * kernel sleeps (vm_page_sleep_busy()), vm_page_wakeup()s the pages it
 * has busied and starts over, so as never to wait while holding a busy;
 * the model yields instead of sleeping.  A page that has left (obj,
 * pindex) since the grab (the model's buffer keeps no wiring) is unbusied
 * and passed over (ma[i] = NULL).  The object must be unlocked.
 */
static void
vfs_bio_busy_dfly(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, struct vm_page **ma, int n)
{
	int i, j;

	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
retry:
	for (i = 0; i < n; i++) {
		if (ma[i] == NULL)
			continue;
		if (!vm_page_tryxbusy(c, ma[i])) {
			for (j = i - 1; j >= 0; j--)
				if (ma[j] != NULL)
					vm_page_xunbusy(c, ma[j]);
			eng_yield();
			goto retry;
		}
		if (!vm_page_named_is(ma[i], obj, pindex + (vm_pindex_t)i)) {
			vm_page_xunbusy(c, ma[i]);
			ma[i] = NULL;
		}
	}
}

/*
 * vfs_bio_read() under --page dfly: DragonFly 5.6's read of one buffer
 * after allocbuf() (v5.6.0 sys/kern/vfs_bio.c; allocbuf() holds the object
 * and wires and unbusies the grabbed pages, lines 3115-3166: the caller's
 * page_insert range).  vfs_busy_pages() (3859-3990), with no object hold:
 * the pages hard-busied (vfs_bio_busy_dfly()), then per page
 * vm_object_pip_add(obj, 1) (refcount_acquire_n, no token needed) and
 * vm_page_io_start(); per page vm_page_protect(m, VM_PROT_NONE) (the
 * model's form, as in vm_object_terminate_pages(): pmap_remove_all() of a
 * mapped page; a page the grab just allocated is never mapped) and
 * vm_page_wakeup(), the pages left soft-busied for the I/O.  At completion
 * bpdone() (3515-3712): vm_object_hold(obj) (the token, exclusive, and
 * hold_count's two atomics), then per page vm_page_busy_wait(),
 * vfs_clean_one_page() (m->valid set, plain: the page busied),
 * vm_page_io_finish(), vm_page_wakeup(), vm_object_pip_wakeup();
 * vm_object_drop().  So a buffer takes one more token than the grab's and
 * eight atomics a page.  The model does not keep the soft busy across the
 * I/O (vm_page_io_rmw()): another CPU may busy the page there, or free it
 * (the model's buffer keeps no wiring), which bpdone()'s busy then finds
 * gone and passes over.  As in 5.6, the hold is taken with no busy held.
 *
 * joined (the pages join the previous insertion's buffer, as in
 * vfs_bio_read()): bpdone()'s hold was counted with that buffer; the
 * per-page work is done.  Returns the pages read.  The object must be
 * unlocked.
 */
static int
vfs_bio_read_dfly(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, struct vm_page **ma, int n, bool joined)
{
	ENG_SITE_DEFINE;
	struct vm_page *m;
	int i, busied = 0;

	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	vfs_bio_busy_dfly(c, obj, pindex, ma, n);
	for (i = 0; i < n; i++) {
		if ((m = ma[i]) == NULL)
			continue;
		vm_object_pip_add(c, obj);
		vm_page_io_rmw(c, m);			/* vm_page_io_start */
	}
	for (i = 0; i < n; i++) {
		if ((m = ma[i]) == NULL)
			continue;
		if (pmap_page_is_mapped(m))
			pmap_remove_all(c, m);
		vm_page_xunbusy(c, m);			/* vm_page_wakeup */
	}
	/* The I/O; then bpdone(). */
	if (!joined)
		vm_object_hold(c, obj, ENG_HERE);
	for (i = 0; i < n; i++) {
		if ((m = ma[i]) == NULL)
			continue;
		vm_page_busy_wait(c, m);
		if (vm_page_named_is(m, obj, pindex + (vm_pindex_t)i)) {
			atomic_store_explicit(&m->valid, VM_PAGE_BITS_ALL,
			    memory_order_relaxed);
			vm_page_io_rmw(c, m);		/* vm_page_io_finish */
			busied++;
		}
		vm_page_xunbusy(c, m);			/* vm_page_wakeup */
		vm_object_pip_wakeup(c, obj);
	}
	if (!joined)
		vm_object_drop(c, obj);
	return (busied);
}

/*
 * The buffer cache's read of one buffer, after allocbuf() has grabbed its
 * pages (vfs_vmio_extend(), wired, under the object write lock; the
 * caller's): the n pages ma[], of obj from pindex (NULL: none grabbed),
 * are busied before the I/O and, the read done, validated and unbusied.
 * The I/O itself takes no VM lock.
 *
 * --page pagelock, FreeBSD 10.4 (coder03/freebsd10.4 @3d3f8b11,
 * sys/kern/vfs_bio.c): vfs_busy_pages(bp, 0) (lines 4094-4150):
 * VM_OBJECT_WLOCK, vfs_drain_busy_pages() (4057-4079), per page
 * vm_object_pip_add(obj, 1) and vm_page_sbusy(), VM_OBJECT_WUNLOCK; at
 * completion bufdone() -> bufdone_finish() (3841-3925): VM_OBJECT_WLOCK,
 * per page vfs_page_set_valid() (m->valid, under the lock),
 * vm_page_sunbusy() and vm_object_pip_subtract(obj, 1);
 * vm_object_pip_wakeupn(obj, 0), VM_OBJECT_WUNLOCK.  FreeBSD 12 (a 12-era
 * vfs_bio.c, index id 90490837, @112000-128000: vfs_busy_pages(),
 * vfs_drain_busy_pages(), bufdone() -> vfs_vmio_iodone()): the same, the
 * completion in vfs_vmio_iodone() (@77123: object write lock, per page
 * vfs_page_set_valid() and vm_page_sunbusy(), vm_object_pip_wakeupn();
 * the same locks in an 11-era copy, index id 5725249 @55431).  Two
 * object write locks a buffer; the pip changes are plain (the lock
 * held).
 *
 * --page refcount, FreeBSD 13.0 (sobomax/freebsd14_vendor @0f7ff342,
 * sys/kern/vfs_bio.c, index id 65979645776): neither takes the object
 * lock.  vfs_busy_pages() (@124000-127000): vm_object_pip_add(obj,
 * bp->b_npages), one blockcount atomic, and vfs_busy_pages_acquire():
 * vm_page_busy_acquire(m, VM_ALLOC_SBUSY) per page; vfs_vmio_iodone()
 * (@77500-80500): per page vfs_page_set_valid() ->
 * vm_page_set_valid_range(), which sets m->valid with vm_page_bits_set()
 * (an atomic) on a page not exclusive-busied (a 13+ vm_page.c, index id
 * 18408342926), and vm_page_sunbusy(); then vm_object_pip_wakeupn(obj,
 * bp->b_npages), one atomic.
 *
 * joined: the pages join the buffer that this CPU's previous insertion
 * read (ev_page_insert_read()), whose busy and completion (object locks,
 * paging in progress) were counted then: only their per-page busy, valid
 * and unbusy are done here, with no object lock.
 *
 * A page that left the object since the grab is passed over
 * (vfs_bio_page_sbusy()).  Returns the pages read.  The object must be
 * unlocked.
 */
int
vfs_bio_read(struct eng_cpu *c, struct vm_object *obj, vm_pindex_t pindex,
    struct vm_page **ma, int n, bool joined)
{
	ENG_SITE_DEFINE;
	bool locked = c->e->pagelock && !joined;
	int i, busied = 0;
	bool ok[ENG_BIO_PAGES];

	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	ENG_ASSERT(n <= ENG_BIO_PAGES);
	if (c->e->dfly)
		return (vfs_bio_read_dfly(c, obj, pindex, ma, n, joined));
	/* vfs_busy_pages(bp, 0) */
	if (locked)
		VM_OBJECT_WLOCK(c, obj);
	else if (!joined && n > 0)
		vm_object_pip_addn(c, obj, (uint32_t)n);
	for (i = 0; i < n; i++) {
		ok[i] = ma[i] != NULL && vfs_bio_page_sbusy(c, obj, ma[i],
		    pindex + (vm_pindex_t)i, locked);
		if (ok[i]) {
			busied++;
			if (locked)
				vm_object_pip_add(c, obj);
		}
	}
	if (locked)
		VM_OBJECT_WUNLOCK(c, obj);
	/* The I/O; then bufdone(): bufdone_finish() / vfs_vmio_iodone(). */
	if (locked)
		VM_OBJECT_WLOCK(c, obj);
	for (i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		if (c->e->pagelock)
			atomic_store_explicit(&ma[i]->valid, VM_PAGE_BITS_ALL,
			    memory_order_relaxed);
		else
			(void)eng_atomic_fetchor_8(&c->lk, LC_PAGE,
			    &ma[i]->valid, VM_PAGE_BITS_ALL);
		vm_page_sbusy_drop(c, ma[i]);
		if (locked)
			vm_object_pip_wakeup(c, obj);
	}
	if (locked)
		VM_OBJECT_WUNLOCK(c, obj);
	else if (!joined && n > 0)
		vm_object_pip_wakeupn(c, obj, (uint32_t)n);
	return (busied);
}
