/*
 * vm_object.c - objects: the per-object page index (the kernel's radix
 * trie, a hash table here), creation and termination.
 *
 * An object is a slot in e->objects chosen by the replay layer; its lock is
 * a reader/writer lock (the kernel's VM_OBJECT_*LOCK).
 */
#include <stdlib.h>
#include <string.h>

#include "eng_alloc.h"
#include "vm_internal.h"

#define PH_EMPTY	UINT64_MAX
#define PH_MIN		16	/* slots of a table's first allocation */
#define PH_RETRIES	64	/* vm_phash_lookup_unlocked() */

/*
 * A table: one allocation, published in vm_phash.ph_tab, pt_cap keys
 * followed by pt_cap values.  Slots are written under the owner's lock,
 * values before keys, keys with release order, so that a lockless reader
 * that sees a new key sees its value.  pt_seq is odd during a removal
 * (vm_phash_remove_key()): a lockless probe that ran meanwhile may have
 * missed an entry that moved behind it, or read a slot being reused, and
 * is made again.
 */
struct vm_phash_tab {
	struct vm_smr_entry pt_smr;	/* first: vm_smr_retire() */
	_Atomic uint64_t pt_seq;	/* (H) odd while entries move */
	uint64_t	pt_cap;		/* (C) */
	_Atomic uint64_t pt_key[];	/* (H) */
};

/* t's values, after its keys.  No lock (t is immutable in shape). */
static inline _Atomic(void *) *
vm_phash_vals(struct vm_phash_tab *t)
{
	return ((_Atomic(void *) *)&t->pt_key[t->pt_cap]);
}

static uint64_t
vm_phash_hash(uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (key);
}

/* Key of slot i, as the owner reads it.  The owner's lock is held (H). */
static inline uint64_t
vm_phash_key(struct vm_phash_tab *t, uint64_t i)
{
	return (atomic_load_explicit(&t->pt_key[i], memory_order_relaxed));
}

/*
 * The value at key in t of mask + 1 slots, or NULL, probing at most every
 * slot once.  Keys are read with acquire order, for a lockless reader
 * (vm_phash_lookup_unlocked(), which validates the probe); the owner's
 * lookups hold its lock (H).
 */
static inline void *
vm_phash_probe(struct vm_phash_tab *t, uint64_t mask, uint64_t key)
{
	uint64_t i, k, n;

	for (n = 0, i = vm_phash_hash(key) & mask; n <= mask &&
	    (k = atomic_load_explicit(&t->pt_key[i], memory_order_acquire)) !=
	    PH_EMPTY; n++, i = (i + 1) & mask)
		if (k == key)
			return (atomic_load_explicit(&vm_phash_vals(t)[i],
			    memory_order_relaxed));
	return (NULL);
}

/*
 * vm_phash_lookup(), inlined into the object's page lookups, the most
 * frequent caller.  The owner's lock is held (H).
 */
static inline void *
vm_phash_find(const struct vm_phash *h, uint64_t key)
{
	if (h->ph_cnt == 0)
		return (NULL);
	return (vm_phash_probe(atomic_load_explicit(&h->ph_tab,
	    memory_order_relaxed), h->ph_cap - 1, key));
}

void *
vm_phash_lookup(const struct vm_phash *h, uint64_t key)
{
	return (vm_phash_find(h, key));
}

/*
 * The value at key as a reader without the owner's lock finds it, or
 * NULL: what the table held at some instant of the call, or not long
 * before (a table being replaced is read to the end).  A probe that
 * overlapped a removal (pt_seq odd or changed) is made again, since an
 * entry may have moved behind it or its slot been reused; one that runs
 * through every slot (a table changing under it) too.
 * After PH_RETRIES such probes *settled is set false and NULL returned:
 * the caller takes its locked path.  The caller is in an SMR section
 * (vm_smr_enter()).
 */
void *
vm_phash_lookup_unlocked(const struct vm_phash *h, uint64_t key,
    bool *settled)
{
	struct vm_phash_tab *t;
	uint64_t seq;
	void *v;
	int tries;

	*settled = true;
	for (tries = 0; tries < PH_RETRIES; tries++) {
		if ((t = atomic_load(&h->ph_tab)) == NULL)
			return (NULL);
		seq = atomic_load_explicit(&t->pt_seq, memory_order_acquire);
		if ((seq & 1) != 0)
			continue;
		v = vm_phash_probe(t, t->pt_cap - 1, key);
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&t->pt_seq, memory_order_relaxed) ==
		    seq)
			return (v);
	}
	*settled = false;
	return (NULL);
}

/*
 * Publish t (NULL: none) as h's table and hand the one it replaces to
 * vm_smr_retire() (c NULL: no CPU runs, free it now).  The owner's lock is
 * held (H).
 */
static void
vm_phash_publish(struct eng_cpu *c, struct vm_phash *h,
    struct vm_phash_tab *t)
{
	struct vm_phash_tab *old;

	old = atomic_load_explicit(&h->ph_tab, memory_order_relaxed);
	atomic_store(&h->ph_tab, t);
	h->ph_cap = t != NULL ? t->pt_cap : 0;
	if (old == NULL)
		return;
	if (c != NULL)
		vm_smr_retire(c, &old->pt_smr);
	else
		free(old);
}

/*
 * Rehash h into a new table of cap slots (a power of two that holds
 * ph_cnt at most half full).  Returns 0, or -1 when out of memory (h
 * unchanged).  The owner's lock is held (H).
 */
static int
vm_phash_resize(struct eng_cpu *c, struct vm_phash *h, uint64_t cap)
{
	struct vm_phash_tab *n, *t;
	_Atomic(void *) *nval;
	uint64_t i, j, k, mask;

	n = eng_alloc(sizeof(*n) + cap * (sizeof(n->pt_key[0]) +
	    sizeof(void *)));
	if (n == NULL)
		return (-1);
	n->pt_cap = cap;
	atomic_init(&n->pt_seq, 0);
	memset(n->pt_key, 0xff, cap * sizeof(n->pt_key[0]));
	nval = vm_phash_vals(n);
	mask = cap - 1;
	t = atomic_load_explicit(&h->ph_tab, memory_order_relaxed);
	for (i = 0; i < h->ph_cap; i++) {
		if ((k = vm_phash_key(t, i)) == PH_EMPTY)
			continue;
		for (j = vm_phash_hash(k) & mask; vm_phash_key(n, j) !=
		    PH_EMPTY; j = (j + 1) & mask)
			;
		atomic_init(&n->pt_key[j], k);
		atomic_init(&nval[j], atomic_load_explicit(
		    &vm_phash_vals(t)[i], memory_order_relaxed));
	}
	vm_phash_publish(c, h, n);
	return (0);
}

/* Insert or replace.  Returns 0, or -1 when out of memory.  (H) */
int
vm_phash_insert(struct eng_cpu *c, struct vm_phash *h, uint64_t key,
    void *val)
{
	struct vm_phash_tab *t;
	uint64_t i, k, mask;

	if ((h->ph_cnt + 1) * 2 > h->ph_cap &&
	    vm_phash_resize(c, h, h->ph_cap ? h->ph_cap * 2 : PH_MIN) != 0)
		return (-1);
	t = atomic_load_explicit(&h->ph_tab, memory_order_relaxed);
	mask = h->ph_cap - 1;
	for (i = vm_phash_hash(key) & mask; (k = vm_phash_key(t, i)) !=
	    PH_EMPTY; i = (i + 1) & mask)
		if (k == key) {
			atomic_store_explicit(&vm_phash_vals(t)[i], val,
			    memory_order_relaxed);
			return (0);
		}
	/*
	 * Order the value after the removal that emptied the slot (and its
	 * pt_seq), for a reader of that removal's key (another CPU may have
	 * removed it).
	 */
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&vm_phash_vals(t)[i], val, memory_order_relaxed);
	atomic_store_explicit(&t->pt_key[i], key, memory_order_release);
	h->ph_cnt++;
	return (0);
}

/*
 * Remove key from h with backward shift, so lookups need no tombstones.
 * Each entry moved back is copied before its old slot is reused, so a
 * snapshot of the table never lacks it; pt_seq is odd throughout
 * (vm_phash_lookup_unlocked()), also when nothing moves: the emptied slot
 * may be reused by the next insert, and a reader that read the removed key
 * there must not pair it with the new value.  Returns whether key was
 * there.  The owner's lock is held (H).
 */
static bool
vm_phash_remove_key(struct vm_phash *h, uint64_t key)
{
	struct vm_phash_tab *t;
	_Atomic(void *) *val;
	uint64_t i, j, k, mask, seq;

	if (h->ph_cnt == 0)
		return (false);
	t = atomic_load_explicit(&h->ph_tab, memory_order_relaxed);
	val = vm_phash_vals(t);
	mask = h->ph_cap - 1;
	for (i = vm_phash_hash(key) & mask; (k = vm_phash_key(t, i)) != key;
	    i = (i + 1) & mask)
		if (k == PH_EMPTY)
			return (false);
	h->ph_cnt--;
	seq = atomic_load_explicit(&t->pt_seq, memory_order_relaxed);
	atomic_store_explicit(&t->pt_seq, seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	for (j = i;;) {
		for (;;) {
			j = (j + 1) & mask;
			if ((k = vm_phash_key(t, j)) == PH_EMPTY) {
				atomic_store_explicit(&t->pt_key[i], PH_EMPTY,
				    memory_order_release);
				atomic_store_explicit(&t->pt_seq, seq + 2,
				    memory_order_release);
				return (true);
			}
			k = vm_phash_hash(k) & mask;
			/* Move j back to i unless its home lies in (i, j]. */
			if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
				continue;
			break;
		}
		atomic_store_explicit(&val[i], atomic_load_explicit(&val[j],
		    memory_order_relaxed), memory_order_relaxed);
		atomic_store_explicit(&t->pt_key[i], vm_phash_key(t, j),
		    memory_order_release);
		i = j;
	}
}

/*
 * Remove key.  The table follows its count down as it followed it up:
 * freed when it empties, halved when at most an eighth full (no smaller
 * than PH_MIN slots), so that an object's index costs what it holds now,
 * not the most it ever held.  A long trace's objects that outlive their
 * pages (never terminated, or revived by a late event:
 * vm_object_make_alive) kept their peak tables to the end of the replay:
 * 13 MiB for 43 k resident pages after 10 M events of synth build, and
 * most of the growth of a 1 G-event replay (docs/benchmarks.md).  A failed
 * halving keeps the larger table.  The owner's lock is held (H).
 */
void
vm_phash_remove(struct eng_cpu *c, struct vm_phash *h, uint64_t key)
{

	if (!vm_phash_remove_key(h, key))
		return;
	if (h->ph_cnt == 0)
		vm_phash_fini(c, h);
	else if (h->ph_cap > PH_MIN && h->ph_cnt * 8 <= h->ph_cap)
		(void)vm_phash_resize(c, h, h->ph_cap / 2);
}

/* Empty h; c NULL: no CPU runs.  The owner's lock is held (H). */
void
vm_phash_fini(struct eng_cpu *c, struct vm_phash *h)
{
	vm_phash_publish(c, h, NULL);
	h->ph_cnt = 0;
}

void
vm_phash_foreach(const struct vm_phash *h, void (*fn)(void *, void *),
    void *arg)
{
	struct vm_phash_tab *t;
	uint64_t i;

	t = atomic_load_explicit(&h->ph_tab, memory_order_relaxed);
	for (i = 0; i < h->ph_cap; i++)
		if (vm_phash_key(t, i) != PH_EMPTY)
			fn(atomic_load_explicit(&vm_phash_vals(t)[i],
			    memory_order_relaxed), arg);
}

int
vm_object_init(struct vm_engine *e)
{
	uint64_t i;

	e->objects = eng_calloc(e->nobjects ? e->nobjects : 1,
	    sizeof(*e->objects));
	if (e->objects == NULL)
		return (-1);
	for (i = 0; i < e->nobjects; i++) {
		eng_rw_init(&e->objects[i].lock, LC_OBJECT);
		e->objects[i].slot = i;
	}
	return (0);
}

void
vm_object_fini(struct vm_engine *e)
{
	uint64_t i;

	for (i = 0; i < e->nobjects; i++) {
		vm_phash_fini(NULL, &e->objects[i].pages);
		vm_phash_fini(NULL, &e->objects[i].rvs);
	}
	free(e->objects);
}

/* The object in a slot, or NULL when the slot is out of range. */
struct vm_object *
vm_object_slot(struct eng_cpu *c, uint64_t slot)
{
	return (slot < c->e->nobjects ? &c->e->objects[slot] : NULL);
}

/*
 * Resident page of obj at pindex, or NULL.  The object must be locked.
 * --page dfly: a page found is entered in vm_page_hash[], as DragonFly's
 * vm_page_lookup() does (vm_page_hash_enter).
 */
struct vm_page *
vm_page_lookup(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex)
{
	struct vm_page *m;

	VM_OBJECT_ASSERT_LOCKED(c, obj);
	m = vm_phash_find(&obj->pages, pindex);
	if (m != NULL && c->e->dfly)
		vm_page_hash_enter(c, m);
	return (m);
}

/*
 * The resident page of obj at pindex that an event names, or NULL: the
 * model's stand-in for the page pointer that the kernel function the
 * event models is handed or walks to (vm_page_activate(m),
 * vm_page_unwire(m), pmap_remove_all(m), vm_object_page_remove()'s walk
 * of the object's pages ...), not a lookup of the kernel's, so under
 * --page dfly nothing is entered in vm_page_hash[] (5.6 enters a page
 * only from its vm_page_lookup*() functions).  The object must be locked.
 */
struct vm_page *
vm_page_named(struct eng_cpu *c, struct vm_object *obj, vm_pindex_t pindex)
{
	VM_OBJECT_ASSERT_LOCKED(c, obj);
	return (vm_phash_find(&obj->pages, pindex));
}

/*
 * vm_page_named() without the object lock, where the kernel function the
 * event models takes none and is handed the page: the page of obj at
 * pindex as the object's index held it at some instant of the call, found
 * in an SMR section of the model's own (uncounted: no kernel lookup
 * happens), or NULL with *settled as vm_phash_lookup_unlocked() says.
 * The page may have left (obj, pindex) since: the caller checks its
 * identity (vm_page_named_is()) under what keeps it -- a pin
 * (vm_page_named_pin()), or, --page pagelock, the page lock that the
 * kernel's caller takes (12's vfs_vmio_unwire()), under which a page in
 * an object keeps its identity ((O,P)) and is not freed.  No lock.
 */
struct vm_page *
vm_page_named_unlocked(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, bool *settled)
{
	struct vm_page *m;

	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	vm_smr_enter(c, false);
	m = vm_phash_lookup_unlocked(&obj->pages, pindex, settled);
	vm_smr_exit(c);
	return (m);
}

/*
 * vm_page_named_unlocked() of a page kept by a pin, where the kernel
 * function the event models takes no object lock and is handed the page:
 * FreeBSD 13+'s vm_page_release() (--page refcount), DragonFly 5.6's
 * vm_page_activate(), vm_page_deactivate() and the buffer cache's
 * unwiring (--page dfly).  The pin (vm_page_pin_try(), uncounted) keeps
 * the page from being freed, so that its identity, then checked, stays
 * meaningful.  Returns the pinned page, which the caller unpins
 * (vm_page_pin_drop()); or NULL with *settled true if obj has no page at
 * pindex, false if the answer did not settle (the lookup raced a change
 * of the index, the page was busy or no longer at (obj, pindex)).  No
 * lock.
 */
struct vm_page *
vm_page_named_pin(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, bool *settled)
{
	struct vm_page *m;

	if ((m = vm_page_named_unlocked(c, obj, pindex, settled)) == NULL)
		return (NULL);
	*settled = false;
	if (!vm_page_pin_try(m))
		return (NULL);
	if (vm_page_named_is(m, obj, pindex)) {
		*settled = true;
		return (m);
	}
	vm_page_pin_drop(m);
	return (NULL);
}

/*
 * --page dfly: DragonFly's vm_page_lookup_busy_wait(object, pindex, TRUE):
 * the resident page of obj at pindex, hard-busied once it has no busy of
 * any kind, and entered in vm_page_hash[]; or NULL.  The object must be
 * locked (shared suffices); the caller unbusies the page
 * (vm_page_xunbusy: DragonFly's vm_page_wakeup).
 */
struct vm_page *
vm_page_lookup_busy(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex)
{
	struct vm_page *m;

	VM_OBJECT_ASSERT_LOCKED(c, obj);
	ENG_ASSERT(c->e->dfly);
	if ((m = vm_phash_find(&obj->pages, pindex)) == NULL)
		return (NULL);
	vm_page_busy_wait(c, m);
	vm_page_hash_enter(c, m);
	return (m);
}

/*
 * --page dfly: the resident page of obj at pindex, entered in
 * vm_page_hash[], or NULL.  soft: DragonFly's vm_page_lookup_sbusy_try()
 * (v5.6.0 sys/vm/vm_page.c lines 1771-1796), soft-busied, NULL when it is
 * missing or hard-busied (every model page is valid; 5.6 also refuses an
 * invalid one); the caller drops the soft busy (vm_page_sbusy_drop).
 * Else vm_page_lookup_busy_try(obj, pindex, TRUE, &error) (lines
 * 1726-1760), hard-busied, NULL when it is missing or busy of any kind
 * (read first, as 5.6 reads busy_count before its compare-and-set; 5.6
 * then sets error); the caller unbusies it (vm_page_xunbusy: DragonFly's
 * vm_page_wakeup).  The object must be locked (shared suffices).
 */
struct vm_page *
vm_page_lookup_busy_try(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, bool soft)
{
	struct vm_page *m;

	VM_OBJECT_ASSERT_LOCKED(c, obj);
	ENG_ASSERT(c->e->dfly);
	if ((m = vm_phash_find(&obj->pages, pindex)) == NULL ||
	    (soft ? !vm_page_sbusy_try(c, m) : vm_page_busied(m) ||
	    !vm_page_tryxbusy(c, m)))
		return (NULL);
	vm_page_hash_enter(c, m);
	return (m);
}

/*
 * Start a new incarnation of a dead object: page-range events on an object
 * never created make it alive this way, as a file's object exists while the
 * file does.  The object must be write-locked.  Idempotent, so it needs no
 * more than an atomic store against a lockless vm_object_create(): the
 * incarnation's generation was already advanced by the termination that
 * ended the previous one.
 */
void
vm_object_make_alive(struct eng_cpu *c, struct vm_object *obj)
{
	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	ENG_ASSERT(obj->alive || obj->resident_page_count == 0);
	atomic_store_explicit(&obj->alive, true, memory_order_relaxed);
}

/*
 * vm_object_busy() / vm_object_unbusy() (13+, blockcount_acquire and
 * blockcount_release on object->busy): one atomic each on the object's
 * line, which every soft fault on the object shares.  No lock.
 */
void
vm_object_busy(struct eng_cpu *c, struct vm_object *obj)
{
	(void)eng_atomic_fetchadd_32(&c->lk, LC_OBJECT, &obj->busy, 1);
}

void
vm_object_unbusy(struct eng_cpu *c, struct vm_object *obj)
{
	(void)eng_atomic_fetchadd_32(&c->lk, LC_OBJECT, &obj->busy,
	    (uint32_t)-1);
}

/*
 * The hold itself, refcount_acquire(&obj->hold_count), and its release,
 * refcount_release() with 5.6's KKASSERT(obj->hold_count > 0).  No lock
 * needed (the count is atomic).
 */
static void
vm_object_hold_acquire(struct eng_cpu *c, struct vm_object *obj)
{
	ENG_ASSERT(c->e->dfly);
	(void)eng_atomic_fetchadd_32(&c->lk, LC_OBJECT, &obj->hold_count, 1);
}

static void
vm_object_hold_release(struct eng_cpu *c, struct vm_object *obj)
{
	uint32_t old;

	ENG_ASSERT(c->e->dfly);
	old = eng_atomic_fetchadd_32(&c->lk, LC_OBJECT, &obj->hold_count,
	    (uint32_t)-1);
	ENG_KASSERT(old > 0, "object %" PRIu64 ": drop without a hold",
	    obj->slot);
}

/*
 * --page dfly: DragonFly 5.6's object hold, the model's form of taking the
 * object's lwkt token (sys/vm/vm_object.c of lileding/DragonFlyBSD at tag
 * v5.6.0, fa4bfe35).  vm_object_hold() (lines 275-291) and
 * vm_object_hold_shared() (320-336) first take a hold,
 * refcount_acquire(&obj->hold_count): atomic_add_acq_int(countp, 1)
 * (sys/sys/refcount.h), "prior to potentially blocking on the lock", then
 * the token, exclusive (vm_object_lock(): lwkt_gettoken) or shared
 * (vm_object_lock_shared(): lwkt_gettoken_shared).  vm_object_drop()
 * (344-371) releases the hold first, refcount_release():
 * atomic_fetchadd_int(countp, -1), then the token in whichever mode it
 * is held (vm_object_unlock(): lwkt_reltoken); on the last hold of an
 * object that is dead and unreferenced it also frees it (kfree), which
 * the model's type-stable slots never need.  So a hold and its drop are
 * two atomics on the object's line, each counted as an object atomic as
 * the model's other object counts are (vm_object_pip_add() ...).  Not
 * modelled: the DEBUG_LOCKS bookkeeping (debugvm_object_add(), an
 * atomic_fetchadd_int on debug_index), absent from a default kernel.
 * The token's release and return around a sleep (tsleep with tokens
 * held: vm_object_pip_wait, vm_wait) and vm_object_upgrade() (the token
 * released and taken exclusive, vm_page_grab()'s) leave hold_count alone,
 * so the model's VM_OBJECT_* relocks there count nothing.  The lock and
 * its contention are counted at site, the caller's.  The object must not
 * be locked by this CPU (the model's lock does not recurse; a hold by a
 * holder is vm_object_hold_recurse()).
 */
void
vm_object_hold(struct eng_cpu *c, struct vm_object *obj,
    struct eng_site *site)
{
	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	vm_object_hold_acquire(c, obj);
	eng_rw_wlock(&c->lk, &obj->lock, site);
}

void
vm_object_hold_shared(struct eng_cpu *c, struct vm_object *obj,
    struct eng_site *site)
{
	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	vm_object_hold_acquire(c, obj);
	eng_rw_rlock(&c->lk, &obj->lock, site);
}

/*
 * vm_object_drop(): see vm_object_hold().  The object must be held by
 * this CPU, shared or exclusive (the mode is the lock's: a write-locked
 * lock that this CPU holds is its own).
 */
void
vm_object_drop(struct eng_cpu *c, struct vm_object *obj)
{
	VM_OBJECT_ASSERT_LOCKED(c, obj);
	vm_object_hold_release(c, obj);
	if (eng_rw_wowned(&obj->lock))
		VM_OBJECT_WUNLOCK(c, obj);
	else
		VM_OBJECT_RUNLOCK(c, obj);
}

/*
 * vm_object_hold() / vm_object_drop() where the model has the object's
 * lock already: 5.6's vm_page_remove() (sys/vm/vm_page.c at v5.6.0,
 * lines 1517 and 1533) holds the page's object around the unlink whoever
 * its caller is.  Only hold_count's two atomics are counted here; the
 * caller's lock stands for the token: a recursion under the caller's
 * hold (whose own atomics, an atomic_add_long on t_count in
 * _lwkt_trytokref() and its release, are not modelled: the model's lock
 * does not recurse), or, for the page daemon's free, this hold's own
 * token (vm_pageout_dfly_cache()).  The object must be locked by this
 * CPU.
 */
void
vm_object_hold_recurse(struct eng_cpu *c, struct vm_object *obj)
{
	VM_OBJECT_ASSERT_LOCKED(c, obj);
	vm_object_hold_acquire(c, obj);
}

void
vm_object_drop_recurse(struct eng_cpu *c, struct vm_object *obj)
{
	VM_OBJECT_ASSERT_LOCKED(c, obj);
	vm_object_hold_release(c, obj);
}

/*
 * vm_object_set_writeable_dirty(): vm_fault_dirty() is about to map a page
 * of obj writeable.  Only a vnode's object (the model's non-anonymous
 * ones) keeps count.  10/12 (sys/vm/vm_object.c of coder03/freebsd10.4
 * @3d3f8b11, line 2178, and of rcslab/aurora-12.1): generation++ and
 * OBJ_MIGHTBEDIRTY, under the write lock (asserted), no atomic; the flag
 * lets later write faults take vm_fault()'s read-locked soft path.  13+
 * (sobomax/freebsd14_vendor @0f7ff342, 1300139): atomic_add_int(
 * &object->generation, 1) with no lock: one atomic on the object's line
 * per write fault, soft or slow.  FreeBSD's fault path only (DragonFly's
 * generation is vm_page_insert()'s and vm_page_remove()'s).  10/12: the
 * object must be write-locked.
 */
void
vm_object_set_writeable_dirty(struct eng_cpu *c, struct vm_object *obj)
{
	ENG_ASSERT(!c->e->dfly);
	if (obj->anon)
		return;
	if (!c->e->pagelock) {
		(void)eng_atomic_fetchadd_32(&c->lk, LC_OBJECT,
		    &obj->generation, 1);
		return;
	}
	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	atomic_store_explicit(&obj->generation, atomic_load_explicit(
	    &obj->generation, memory_order_relaxed) + 1, memory_order_relaxed);
	atomic_store_explicit(&obj->mightbedirty, true, memory_order_relaxed);
}

/*
 * vm_object_reference_locked() of a fault's slow path or a sendfile
 * syscall (sendfile_getobj): 10/12 raise ref_count under the object's
 * write lock, a plain increment; 13+ with refcount_acquire(), an atomic
 * on the object's line, under either lock (vm_object.c of 2020+, index id
 * 47069778).  A vnode's first reference also takes the vnode's (vref),
 * which is not modelled.  --page dfly: not modelled.  10/12: the object
 * must be write-locked; 13+: locked.
 */
void
vm_object_reference_locked(struct eng_cpu *c, struct vm_object *obj)
{
	if (c->e->pagelock) {
		VM_OBJECT_ASSERT_WLOCKED(c, obj);
		atomic_fetch_add_explicit(&obj->ref_count, 1,
		    memory_order_relaxed);
	} else if (c->e->smr_lookups) {
		VM_OBJECT_ASSERT_LOCKED(c, obj);
		(void)eng_atomic_fetchadd_32(&c->lk, LC_OBJECT,
		    &obj->ref_count, 1);
	}
}

/*
 * vm_object_deallocate() of a reference vm_object_reference_locked()
 * took.  10/12 write-lock the object to drop it (--page pagelock; 12's
 * vm_object.c, index id 1450408391).  13+ (--page refcount; vm_object.c
 * of 2020+, index id 47069778) first try refcount_release_if_gt(), a
 * compare-and-set with no lock, which succeeds while more than 1
 * reference is left for a vnode's object and more than 2 for an
 * anonymous one (OBJ_ANON); else a vnode's object is read-locked for
 * vm_object_deallocate_vnode()'s refcount_release(), an anonymous one
 * write-locked for its refcount_release().  The model keeps only the
 * references of events in flight (obj->ref_count): mappings is how many
 * mappings the caller knows to hold one besides (a fault's object is
 * mapped, taken as once; a file that sendfile serves is taken to be
 * mapped by none, as a sendfile server's files are not).  So the last
 * sendfile in flight on a file, or a fault on an anonymous object no
 * other fault holds, takes the lock.  anon: the object is anonymous
 * memory (sendfile's object is a vnode's).  --page dfly: not modelled.
 * The lock and a failed compare-and-set are counted at site, the
 * caller's.  The object must be unlocked.
 */
void
vm_object_deallocate(struct eng_cpu *c, struct vm_object *obj, bool anon,
    unsigned mappings, struct eng_site *site)
{
	uint32_t old, gt, keep;

	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	if (c->e->pagelock) {
		eng_rw_wlock(&c->lk, &obj->lock, site);
		atomic_fetch_sub_explicit(&obj->ref_count, 1,
		    memory_order_relaxed);
		VM_OBJECT_WUNLOCK(c, obj);
		return;
	}
	if (!c->e->smr_lookups)
		return;
	/* refcount_release_if_gt(&ref_count, gt), less the mappings' */
	gt = anon ? 2 : 1;
	keep = gt > mappings ? gt - mappings : 0;
	old = atomic_load_explicit(&obj->ref_count, memory_order_relaxed);
	while (old > keep)
		if (eng_atomic_fcmpset_32(&c->lk, LC_OBJECT, site,
		    &obj->ref_count, &old, old - 1))
			return;
	if (anon)
		eng_rw_wlock(&c->lk, &obj->lock, site);
	else
		eng_rw_rlock(&c->lk, &obj->lock, site);
	(void)eng_atomic_fetchadd_32(&c->lk, LC_OBJECT, &obj->ref_count,
	    (uint32_t)-1);
	if (anon)
		VM_OBJECT_WUNLOCK(c, obj);
	else
		VM_OBJECT_RUNLOCK(c, obj);
}

/*
 * vm_object_pip_addn() / vm_object_pip_wakeupn() of n: 10/12 change the
 * count under the object's write lock (not an atomic); 13+ use
 * blockcount_acquire / blockcount_release, one atomic whatever n, with no
 * lock (sendfile raises it unlocked, the buffer cache's vfs_busy_pages()
 * and vfs_vmio_iodone() by a buffer's page count; vm_object.c of 2020+,
 * index id 47069778; [FB13] sys/kern/vfs_bio.c, index id 65979645776),
 * and DragonFly's refcount atomics (refcount_acquire_n and
 * refcount_release_wakeup_n, v5.6.0 sys/vm/vm_object.h lines 278-292, no
 * token needed: vfs_busy_pages() adds with none held), counted; the
 * wakeup needs no lock.  The model's sleepers poll
 * (vm_object_pip_wait()).  vm_object_pip_add() / vm_object_pip_wakeup():
 * of one.
 */
void
vm_object_pip_addn(struct eng_cpu *c, struct vm_object *obj, uint32_t n)
{
	if (c->e->pagelock) {
		VM_OBJECT_ASSERT_WLOCKED(c, obj);
		atomic_fetch_add_explicit(&obj->pip, n, memory_order_relaxed);
	} else
		(void)eng_atomic_fetchadd_32(&c->lk, LC_OBJECT, &obj->pip, n);
}

void
vm_object_pip_wakeupn(struct eng_cpu *c, struct vm_object *obj, uint32_t n)
{
	if (c->e->pagelock) {
		VM_OBJECT_ASSERT_WLOCKED(c, obj);
		atomic_fetch_sub_explicit(&obj->pip, n, memory_order_release);
	} else
		(void)eng_atomic_fetchadd_32(&c->lk, LC_OBJECT, &obj->pip,
		    (uint32_t)0 - n);
}

void
vm_object_pip_add(struct eng_cpu *c, struct vm_object *obj)
{
	vm_object_pip_addn(c, obj, 1);
}

void
vm_object_pip_wakeup(struct eng_cpu *c, struct vm_object *obj)
{
	vm_object_pip_wakeupn(c, obj, 1);
}

/*
 * vm_object_pip_wait(): until no fault is between its pip_add and its
 * wakeup; the object is unlocked while it waits (the kernel sleeps, the
 * model yields) and write-locked again.  With the debugging checks a
 * count still held after ENG_PIP_WAIT_MAX yields is reported as leaked
 * (every holder holds it for a bounded stretch of one event).  --page
 * dfly: 5.6's refcount_wait() sleeps with the hold kept and its token
 * released, so the relock counts no hold.  The object must be
 * write-locked.
 */
#define ENG_PIP_WAIT_MAX	(UINT64_C(1) << 24)
static void
vm_object_pip_wait(struct eng_cpu *c, struct vm_object *obj)
{
	ENG_SITE_DEFINE;
	uint64_t waits = 0;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	while (atomic_load_explicit(&obj->pip, memory_order_acquire) != 0) {
		VM_OBJECT_WUNLOCK(c, obj);
		eng_yield();
		VM_OBJECT_WLOCK(c, obj);
		waits++;
		ENG_KASSERT(waits < ENG_PIP_WAIT_MAX, "object %" PRIu64
		    ": paging in progress %u after %" PRIu64 " waits: leaked",
		    obj->slot, atomic_load(&obj->pip), waits);
	}
}

/*
 * vm_object_allocate().  Skipped (1) when the object is already alive.
 * FreeBSD: no lock: the kernel's _vm_object_allocate() initialises a
 * fresh object nobody else can see, and puts it on vm_object_list only at
 * UMA zone init (vm_object_zinit; vm_object.c 2018/19 head, index id
 * 1450408391, and 2020+, index id 47069778).  The model's slot can be
 * seen by a concurrent event, so the only state a creation changes is
 * `alive`, with one atomic exchange: a dead object has no pages.
 * --page dfly: DragonFly 5.6's _vm_object_allocate() (v5.6.0
 * sys/vm/vm_object.c, lines 381-416) raises the new object's generation
 * (atomic_add_int, line 405) and holds it (vm_object_hold(), line 411:
 * the token and hold_count) while it links it on its vm_object_hash
 * list, and vm_object_allocate() drops the hold (line 471); the model
 * does both around the exchange.  The hash list's own token
 * (lwkt_gettoken(&hash->token), lines 413-416) is not modelled.  The
 * object must be unlocked.
 */
int
vm_object_create(struct eng_cpu *c, struct vm_object *obj)
{
	ENG_SITE_DEFINE;
	bool alive;

	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	if (!c->e->dfly || atomic_load_explicit(&obj->alive,
	    memory_order_relaxed))
		return (atomic_exchange_explicit(&obj->alive, true,
		    memory_order_relaxed) ? 1 : 0);
	vm_object_hold(c, obj, ENG_HERE);
	alive = atomic_exchange_explicit(&obj->alive, true,
	    memory_order_relaxed);
	if (!alive)
		(void)eng_atomic_fetchadd_32(&c->lk, LC_OBJECT,
		    &obj->generation, 1);
	vm_object_drop(c, obj);
	return (alive ? 1 : 0);
}

#define VM_SORT_SMALL	32	/* insertion sort up to this many entries */

/*
 * Empty h into its values sorted by key, vals[0..n), and hand that array
 * to the caller (who frees it); h is left empty.  One allocation of twice
 * n keys and values: the entries are packed to its front, and its back
 * half is the radix sort's scratch.  (h's own table cannot be sorted in
 * place: under --page refcount a lockless reader may still be probing it,
 * and it goes to vm_smr_retire().)  Insertion sort for a few entries, else
 * an LSD radix sort, a byte a pass, of key less the smallest, as many
 * passes as the span has bytes (two for an object of up to 256 MiB).  Keys
 * are unique, so any sort gives the one order.  The owner's lock is held
 * (H).
 */
static uint64_t
vm_phash_take_sorted(struct eng_cpu *c, struct vm_phash *h, void ***valsp)
{
	struct vm_phash_tab *t;
	uint64_t *key, *skey, *dkey, *tkey, k;
	void **val, **sval, **dval, **tval, *v;
	uint64_t cnt[256], cn, i, j, lo, hi, n = 0, sum;
	unsigned shift;

	val = eng_alloc(2 * h->ph_cnt * (sizeof(*val) + sizeof(*key)));
	if (val == NULL)
		ENG_PANIC("out of memory");
	key = (uint64_t *)(val + 2 * h->ph_cnt);
	t = atomic_load_explicit(&h->ph_tab, memory_order_relaxed);
	for (i = 0; i < h->ph_cap; i++)
		if ((k = vm_phash_key(t, i)) != PH_EMPTY) {
			key[n] = k;
			val[n++] = atomic_load_explicit(&vm_phash_vals(t)[i],
			    memory_order_relaxed);
		}
	ENG_ASSERT(n == h->ph_cnt);
	vm_phash_fini(c, h);
	*valsp = val;
	if (n <= VM_SORT_SMALL) {
		for (i = 1; i < n; i++) {
			k = key[i];
			v = val[i];
			for (j = i; j > 0 && key[j - 1] > k; j--) {
				key[j] = key[j - 1];
				val[j] = val[j - 1];
			}
			key[j] = k;
			val[j] = v;
		}
		return (n);
	}
	lo = hi = key[0];
	for (i = 1; i < n; i++) {
		lo = key[i] < lo ? key[i] : lo;
		hi = key[i] > hi ? key[i] : hi;
	}
	skey = key;
	sval = val;
	dkey = key + n;
	dval = val + n;
	for (shift = 0; shift < 64 && ((hi - lo) >> shift) != 0; shift += 8) {
		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++)
			cnt[((skey[i] - lo) >> shift) & 0xff]++;
		for (sum = 0, i = 0; i < 256; i++) {
			cn = cnt[i];
			cnt[i] = sum;
			sum += cn;
		}
		for (i = 0; i < n; i++) {
			j = cnt[((skey[i] - lo) >> shift) & 0xff]++;
			dkey[j] = skey[i];
			dval[j] = sval[i];
		}
		tkey = skey, skey = dkey, dkey = tkey;
		tval = sval, sval = dval, dval = tval;
	}
	if (sval != val)
		memcpy(val, sval, n * sizeof(*val));
	return (n);
}

/*
 * vm_object_terminate_pages(): free every resident page, in pindex order as
 * the kernel walks memq.  Mapped pages are unmapped first (pmap_remove_all).
 * Wirings taken by wire events are dropped (their holder, the trace's
 * process, is gone); a page still wired by an event in flight (sendfile)
 * only loses the object's reference and is freed by its last unwiring.
 *
 * --page pagelock: each page is freed under its page lock.  FreeBSD 10
 * (--queue locked, VM_PQ_SYNC: the era of the per-operation queue lock)
 * locks and unlocks it around every page (vm_object_terminate()'s
 * TAILQ_FOREACH_SAFE loop: vm_page_lock(p) ... vm_page_unlock(p); read in
 * a 9/10-era vm_object.c, index id 19898562; stable/10's own file not
 * re-read).  From the 12 generation the walk keeps the lock while the next
 * page hashes to the same one and switches otherwise
 * (vm_object_terminate_pages(): vm_page_change_lock, vm_object.c 2018/19
 * head, index id 1450408391), so an object in one 2 MiB reservation takes
 * one page lock, a scattered one bounces between many.
 *
 * The walk's order comes from the page index, taken out of the object
 * whole and sorted first; each vm_page_remove() then finds nothing to
 * unlink from it.  The kernel, too, leaves its index alone during the
 * walk and frees it at the end ("Rather than incrementally removing each
 * page from the object, the page and object are reset to any empty
 * state", in all three revisions above: vm_radix_reclaim_allnodes() in the
 * 12 and 14 generations, `object->root = NULL` of the splay tree in the
 * 9/10-era file).
 * --page refcount: no page lock; vm_page_remove() drops VPRC_OBJREF
 * atomically and the page is freed if that was the last reference.
 * --page dfly: as refcount, each page hard-busied first, before it is
 * unmapped (DragonFly's vm_object_terminate() callback:
 * vm_page_busy_wait, vm_page_protect(VM_PROT_NONE), vm_page_free, which
 * releases the busy), so that a vm_page_hash_get() in flight finishes
 * with the page before its identity goes; a page still wired by an event
 * in flight is unbusied after its removal.
 *
 * The object must be write-locked.
 */
static void
vm_object_terminate_pages(struct eng_cpu *c, struct vm_object *obj)
{
	ENG_SITE_DEFINE;
	struct eng_mtx *mtx = NULL;
	struct vm_page *m;
	uint64_t i, n;
	void **pages;
	uint32_t w;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	if (obj->pages.ph_cnt == 0)
		goto out;
	n = vm_phash_take_sorted(c, &obj->pages, &pages);
	for (i = 0; i < n; i++) {
		m = pages[i];
		if (c->e->dfly)
			vm_page_busy_wait(c, m);
		if (pmap_page_is_mapped(m))
			pmap_remove_all(c, m);
		if (vm_engine_fb10(c->e) && mtx != NULL) {
			eng_mtx_unlock(&c->lk, mtx);
			mtx = NULL;
		}
		if (c->e->pagelock)
			vm_page_change_lock(c, m, &mtx, ENG_HERE);
		/* The trace's own wirings go with the object's holder; a
		   wire event that found m unlocked counts none from now on
		   (vm_page_ev_wiring_add()). */
		w = atomic_exchange_explicit(&m->ev_wirings,
		    VM_PAGE_EVW_GONE, memory_order_acquire);
		ENG_ASSERT((w & VM_PAGE_EVW_GONE) == 0);
		for (; w > 0; w--)
			vm_page_unwire_noq(c, m);
		if (vm_page_remove(c, m))
			vm_page_free(c, m);
		else if (c->e->dfly)
			vm_page_xunbusy(c, m);
	}
	if (mtx != NULL)
		eng_mtx_unlock(&c->lk, mtx);
	free(pages);
out:
	/* The trace's wirings went with the object's holder, also those of
	   pages removed while wired, which no event can reach: the sum is
	   zeroed after every page's count (vm_page_ev_wiring_add()). */
	atomic_store_explicit(&obj->ev_wirings, 0, memory_order_relaxed);
}

/*
 * The end of vm_object_terminate(): the caller's unlock, under --page dfly
 * its vm_object_drop().  The object must be write-locked.
 */
static void
vm_object_terminate_unlock(struct eng_cpu *c, struct vm_object *obj)
{
	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	if (c->e->dfly)
		vm_object_drop(c, obj);
	else
		VM_OBJECT_WUNLOCK(c, obj);
}

/*
 * vm_object_terminate().  Skipped (1) when the object is not alive.
 * --page dfly: 5.6's vm_object_terminate() runs with the object held by
 * its caller (an anonymous object's last vm_object_deallocate(): lines
 * 628-630, vm_object_hold() around vm_object_deallocate_locked()), so the
 * model holds it (vm_object_hold(): the token and two hold_count
 * atomics); each page's vm_page_remove() holds it again
 * (vm_object_hold_recurse()).  Not modelled: what 5.6 does for a vnode's
 * object only (sys/vm/vm_object.c at v5.6.0, lines 760-777):
 * vinvalbuf() twice, each with a vm_object_page_remove() (a hold, and
 * the clean pages freed there), and vm_object_page_clean() (a hold);
 * the model terminates every object as an anonymous one's.  The object
 * must be unlocked.
 */
int
vm_object_terminate(struct eng_cpu *c, struct vm_object *obj)
{
	ENG_SITE_DEFINE;

	if (c->e->dfly)
		vm_object_hold(c, obj, ENG_HERE);
	else
		VM_OBJECT_WLOCK(c, obj);
	vm_object_pip_wait(c, obj);	/* faults in flight */
	if (!obj->alive) {
		vm_object_terminate_unlock(c, obj);
		return (1);
	}
	vm_object_terminate_pages(c, obj);
	/*
	 * The kernel frees a terminated object (vm_object_terminate() ->
	 * vm_object_destroy() -> uma_zfree(obj_zone)); the model keeps the
	 * slot but frees its page and reservation hashes, so that a long
	 * trace's dead objects cost their slot each (sizeof(struct
	 * vm_object), 120 bytes on amd64 as of 2026-12-07), not their peak
	 * size.
	 */
	vm_phash_fini(c, &obj->pages);
	vm_phash_fini(c, &obj->rvs);
	/*
	 * 10.4's vm_object_terminate() cleans a vnode's object
	 * (vm_object_page_clean(, OBJPC_SYNC), which clears
	 * OBJ_MIGHTBEDIRTY), and a new object starts with no flags and a
	 * new count (_vm_object_allocate(); the model's counts from 0).
	 */
	atomic_store_explicit(&obj->mightbedirty, false, memory_order_relaxed);
	atomic_store_explicit(&obj->generation, 0, memory_order_relaxed);
	obj->gen++;
	atomic_store_explicit(&obj->alive, false, memory_order_relaxed);
	vm_object_terminate_unlock(c, obj);
	return (0);
}
