/*
 * vm_phys.c - free memory: 2 MiB frames, superpage reservations, the free
 * lists under the domain's free-queue lock (vmd_free_mtx), and the per-CPU
 * free caches (vmd_pgcache) of --free pgcache.
 *
 * A page of obj at pindex is taken from the reservation of
 * (obj, pindex >> 9): the frame's page pindex & 511.  So contiguous file
 * pages are physically contiguous and share a 2 MiB frame, hence a page
 * lock (and a pv lock), as in the kernel.  When no whole frame is free the
 * allocator falls back to single pages of broken frames, breaking a
 * partially used reservation if it must (vm_reserv_reclaim).
 *
 * Per-CPU free caches: a freed page is marked PS_CACHED and parked in the
 * CPU's cache without any lock; a full cache takes the free lock once for
 * all its pages.  An allocator that wants a cached page (its reservation
 * slot) takes it back under the free lock, and the cache entry becomes
 * stale: flushes skip entries no longer PS_CACHED.
 *
 * Per-CPU allocation caches (--free pgcache; the 2018+ vmd_pgcache, whose
 * import takes the free lock once for a whole bucket): an allocation that
 * misses the cache takes the free lock, takes its page from the object's
 * reservation and claims up to N (the batch size) further free slots of the
 * same reservation, pindex upwards, into this CPU's cache (PS_CACHED,
 * counted in rv_popcnt and no longer in vmd_free_count), each tagged with
 * (object, generation, pindex).  The next allocations of those pindexes by
 * this CPU take their page with one compare-and-swap and no free lock, so
 * a sequential fill costs one free-lock acquisition per N pages and the
 * pages stay the reservation's: contiguous file pages still share one
 * 2 MiB frame.  A cache holds 2N entries; the oldest unconsumed ones go
 * back to their reservation under the refill's free-lock acquisition.
 * Another CPU that needs a claimed slot takes it back under the free lock
 * like a freed one (the entry's compare-and-swap then fails).  --free
 * global (FreeBSD 10's vm_page_queue_free_mtx) takes the free lock for
 * every allocation and free.  Both caches hold as many pages as a batch
 * queue (design.batch; under --queue locked its default, 63).
 *
 * --free colored (DragonFly's PQ_FREE colour sub-queues, no reservations)
 * is vm_phys_dfly.c: these entry points hand it the work.
 */
#include <stdlib.h>

#include "vm_internal.h"

static void	vm_phys_free_locked(struct eng_cpu *c, struct vm_page *m);

int
vm_phys_init(struct vm_engine *e)
{
	struct vm_domain *vmd = &e->vmd;
	struct vm_page *m;
	uint64_t i;

	e->vm_page_array = vm_aligned_alloc(e->vm_page_array_size *
	    sizeof(struct vm_page));
	e->vm_reserv_array = calloc(e->nframes, sizeof(struct vm_reserv));
	if (e->vm_page_array == NULL || e->vm_reserv_array == NULL)
		return (-1);
	eng_mtx_init(&vmd->vmd_free_mtx, LC_FREEQUEUE);
	TAILQ_INIT(&vmd->vmd_free_frames);
	TAILQ_INIT(&vmd->vmd_free_pages);
	for (i = 0; i < e->vm_page_array_size; i++) {
		m = &e->vm_page_array[i];
		m->phys_addr = (vm_paddr_t)i << PAGE_SHIFT;
		atomic_init(&m->object, NULL);
		m->pindex = 0;
		atomic_init(&m->ref_count, 0);
		atomic_init(&m->wire_count, 0);
		atomic_init(&m->a, VM_PAGE_A_MAKE(0, PQ_NONE, 0));
		atomic_init(&m->busy_lock, VPB_UNBUSIED);
		atomic_init(&m->pstate, PS_FREE);
		m->flags = 0;
	}
	for (i = 0; i < e->nframes; i++) {
		e->vm_reserv_array[i].rv_state = RV_FREE;
		TAILQ_INSERT_TAIL(&vmd->vmd_free_frames, &e->vm_reserv_array[i],
		    rv_link);
	}
	vmd->vmd_nfree_frames = e->nframes;
	vmd->vmd_free_count = e->vm_page_array_size;
	if (e->design.free == ENG_FREE_COLORED)	/* vm_phys_dfly.c */
		return (vm_phys_dfly_init(e));
	return (0);
}

void
vm_phys_fini(struct vm_engine *e)
{
	free(e->vm_page_array);
	free(e->vm_reserv_array);
	vm_phys_dfly_fini(e);
}

int
vm_phys_cache_init(struct eng_cpu *c)
{
	c->fc_pa = calloc(VM_BATCHQUEUE_MAX, sizeof(*c->fc_pa));
	c->fc_cnt = 0;
	c->ac = calloc(2 * VM_BATCHQUEUE_MAX, sizeof(*c->ac));
	c->ac_cnt = 0;
	return (c->fc_pa == NULL || c->ac == NULL ? -1 : 0);
}

void
vm_phys_cache_fini(struct eng_cpu *c)
{
	free(c->fc_pa);
	free(c->ac);
}

static struct vm_reserv *
vm_reserv_of(struct vm_engine *e, struct vm_page *m)
{
	return (&e->vm_reserv_array[VM_PAGE_TO_INDEX(e, m) / NPDEPG]);
}

static struct vm_page *
vm_reserv_page(struct vm_engine *e, struct vm_reserv *rv, unsigned i)
{
	return (&e->vm_page_array[(uint64_t)(rv - e->vm_reserv_array) * NPDEPG +
	    i]);
}

/*
 * Take m for allocation if it is free or sitting in a free cache.  The
 * free lock is held.
 */
static bool
vm_phys_take(struct eng_cpu *c, struct vm_page *m)
{
	struct vm_engine *e = c->e;
	struct vm_reserv *rv = vm_reserv_of(e, m);
	uint8_t st;

	vm_domain_free_assert_locked(c);
	st = atomic_load_explicit(&m->pstate, memory_order_acquire);
	switch (st) {
	case PS_CACHED:
		/*
		 * Still counted in rv_popcnt; the cache entry goes stale.  An
		 * allocation cache's owner may win the page meanwhile.
		 */
		return (atomic_compare_exchange_strong_explicit(&m->pstate, &st,
		    PS_ALLOCATED, memory_order_acquire, memory_order_acquire));
	case PS_FREE:
		if (rv->rv_state == RV_BROKEN)
			TAILQ_REMOVE(&e->vmd.vmd_free_pages, m, freeq);
		atomic_store_explicit(&m->pstate, PS_ALLOCATED,
		    memory_order_relaxed);
		rv->rv_popcnt++;
		e->vmd.vmd_free_count--;
		return (true);
	default:
		return (false);
	}
}

/*
 * Break a frame: its free pages go to the single-page free list.  The free
 * lock is held.
 */
static void
vm_reserv_break(struct eng_cpu *c, struct vm_reserv *rv)
{
	struct vm_engine *e = c->e;
	struct vm_page *m;
	unsigned i;

	vm_domain_free_assert_locked(c);
	rv->rv_state = RV_BROKEN;
	rv->rv_object = NULL;
	for (i = 0; i < NPDEPG; i++) {
		m = vm_reserv_page(e, rv, i);
		if (atomic_load_explicit(&m->pstate, memory_order_relaxed) ==
		    PS_FREE)
			TAILQ_INSERT_TAIL(&e->vmd.vmd_free_pages, m, freeq);
	}
}

/*
 * Order-0 allocation (vm_phys_alloc_pages): a page of a broken frame;
 * else break a whole free frame; else break the reservation with the most
 * free pages.  The free lock is held.
 */
static struct vm_page *
vm_phys_alloc_single(struct eng_cpu *c)
{
	struct vm_engine *e = c->e;
	struct vm_domain *vmd = &e->vmd;
	struct vm_reserv *rv, *best = NULL;
	struct vm_page *m;
	uint64_t i;

	vm_domain_free_assert_locked(c);
	if (TAILQ_EMPTY(&vmd->vmd_free_pages)) {
		if ((rv = TAILQ_FIRST(&vmd->vmd_free_frames)) != NULL) {
			TAILQ_REMOVE(&vmd->vmd_free_frames, rv, rv_link);
			vmd->vmd_nfree_frames--;
			vm_reserv_break(c, rv);
		} else {
			for (i = 0; i < e->nframes; i++) {
				rv = &e->vm_reserv_array[i];
				if (rv->rv_state == RV_RESERVED &&
				    rv->rv_popcnt < NPDEPG && (best == NULL ||
				    rv->rv_popcnt < best->rv_popcnt))
					best = rv;
			}
			if (best == NULL)
				return (NULL);
			vm_reserv_break(c, best);
			c->st.reserv_breaks++;
		}
	}
	while ((m = TAILQ_FIRST(&vmd->vmd_free_pages)) != NULL)
		if (vm_phys_take(c, m))
			return (m);
	return (NULL);
}

/*
 * Return the oldest allocation-cache entries until at most keep remain.
 * Entries already consumed or taken back are dropped.  The free lock is
 * held.
 */
static void
vm_phys_acache_trim(struct eng_cpu *c, int keep)
{
	struct vm_pcache_ent *ent;
	struct vm_page *m;
	int i, n, live;
	uint8_t st;

	vm_domain_free_assert_locked(c);
	for (i = live = 0; i < c->ac_cnt; i++)
		if (c->ac[i].m != NULL)
			live++;
	for (i = n = 0; i < c->ac_cnt; i++) {
		ent = &c->ac[i];
		if ((m = ent->m) == NULL)
			continue;
		if (live > keep) {
			live--;
			st = PS_CACHED;
			if (atomic_compare_exchange_strong_explicit(&m->pstate,
			    &st, PS_FREE, memory_order_acquire,
			    memory_order_relaxed))
				vm_phys_free_locked(c, m);
			continue;
		}
		c->ac[n++] = *ent;
	}
	c->ac_cnt = n;
}

/*
 * Claim up to N free slots of rv after off for obj into this CPU's
 * allocation cache.  The free lock is held.
 */
static void
vm_phys_acache_fill(struct eng_cpu *c, struct vm_object *obj,
    struct vm_reserv *rv, vm_pindex_t pindex, unsigned off)
{
	struct vm_engine *e = c->e;
	struct vm_pcache_ent *ent;
	struct vm_page *m;
	int batch = (int)e->design.batch, n;

	vm_domain_free_assert_locked(c);
	vm_phys_acache_trim(c, batch);
	for (n = 0, off++, pindex++; off < NPDEPG && n < batch; off++,
	    pindex++) {
		m = vm_reserv_page(e, rv, off);
		if (atomic_load_explicit(&m->pstate, memory_order_relaxed) !=
		    PS_FREE)
			continue;
		rv->rv_popcnt++;
		e->vmd.vmd_free_count--;
		atomic_store_explicit(&m->pstate, PS_CACHED,
		    memory_order_relaxed);
		ent = &c->ac[c->ac_cnt++];
		ent->m = m;
		ent->obj = obj;
		ent->gen = obj->gen;
		ent->pindex = pindex;
		n++;
	}
}

/*
 * The allocation cache's fast path: this CPU's claimed page for obj at
 * pindex, taken by compare-and-swap without the free lock, or NULL.
 */
static struct vm_page *
vm_phys_acache_alloc(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex)
{
	struct vm_pcache_ent *ent;
	struct vm_page *m;
	int i;
	uint8_t st;

	for (i = 0; i < c->ac_cnt; i++) {
		ent = &c->ac[i];
		if (ent->m == NULL || ent->obj != obj || ent->pindex != pindex ||
		    ent->gen != obj->gen)
			continue;
		m = ent->m;
		ent->m = NULL;
		st = PS_CACHED;
		if (atomic_compare_exchange_strong_explicit(&m->pstate, &st,
		    PS_ALLOCATED, memory_order_acquire, memory_order_relaxed))
			return (m);
		return (NULL);
	}
	return (NULL);
}

/*
 * A free page for obj at pindex: its reservation slot if the reservation
 * exists and the slot is free, a new reservation if a whole frame is free,
 * else a single page.  NULL when memory is exhausted.  Under --free
 * pgcache this CPU's allocation cache is tried first, and a reservation
 * allocation refills it.  The object must be write-locked (its
 * reservation table is (O)); takes the free lock unless the cache hits.
 */
struct vm_page *
vm_phys_alloc(struct eng_cpu *c, struct vm_object *obj, vm_pindex_t pindex)
{
	ENG_SITE_DEFINE;
	struct vm_engine *e = c->e;
	struct vm_domain *vmd = &e->vmd;
	vm_pindex_t ri = pindex >> (PDRSHIFT - PAGE_SHIFT);
	unsigned off = (unsigned)(pindex & (NPDEPG - 1));
	struct vm_reserv *rv;
	struct vm_page *m = NULL;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	if (e->design.free == ENG_FREE_COLORED)
		return (vm_phys_dfly_alloc(c, obj, pindex));
	if (e->design.free == ENG_FREE_PGCACHE &&
	    (m = vm_phys_acache_alloc(c, obj, pindex)) != NULL)
		return (m);
	rv = vm_phash_lookup(&obj->rvs, ri);
	eng_mtx_lock(&c->lk, &vmd->vmd_free_mtx, ENG_HERE);
	if (rv != NULL && rv->rv_state == RV_RESERVED &&
	    rv->rv_object == obj && rv->rv_gen == obj->gen &&
	    rv->rv_pindex == ri) {
		m = vm_reserv_page(e, rv, off);
		if (!vm_phys_take(c, m))
			m = NULL;
	} else if ((rv = TAILQ_FIRST(&vmd->vmd_free_frames)) != NULL &&
	    vm_phash_insert(&obj->rvs, ri, rv) == 0) {
		TAILQ_REMOVE(&vmd->vmd_free_frames, rv, rv_link);
		vmd->vmd_nfree_frames--;
		rv->rv_state = RV_RESERVED;
		rv->rv_object = obj;
		rv->rv_gen = obj->gen;
		rv->rv_pindex = ri;
		rv->rv_popcnt = 0;
		m = vm_reserv_page(e, rv, off);
		if (!vm_phys_take(c, m))
			ENG_PANIC("free frame in use");
	}
	if (m != NULL && e->design.free == ENG_FREE_PGCACHE)
		vm_phys_acache_fill(c, obj, rv, pindex, off);
	if (m == NULL)
		m = vm_phys_alloc_single(c);
	eng_mtx_unlock(&c->lk, &vmd->vmd_free_mtx);
	return (m);
}

/*
 * Return m to its reservation or the free list (vm_phys_free_pages); a
 * frame with no page left allocated becomes free as a whole.  The free lock
 * is held.
 */
static void
vm_phys_free_locked(struct eng_cpu *c, struct vm_page *m)
{
	struct vm_engine *e = c->e;
	struct vm_domain *vmd = &e->vmd;
	struct vm_reserv *rv = vm_reserv_of(e, m);
	unsigned i;

	vm_domain_free_assert_locked(c);
	ENG_KASSERT(rv->rv_popcnt > 0, "page %p (pa %#" PRIx64 "): freed "
	    "into a reservation with no page allocated", (void *)m,
	    m->phys_addr);
	atomic_store_explicit(&m->pstate, PS_FREE, memory_order_relaxed);
	rv->rv_popcnt--;
	vmd->vmd_free_count++;
	if (rv->rv_state == RV_BROKEN) {
		TAILQ_INSERT_TAIL(&vmd->vmd_free_pages, m, freeq);
		if (rv->rv_popcnt != 0)
			return;
		for (i = 0; i < NPDEPG; i++)
			TAILQ_REMOVE(&vmd->vmd_free_pages,
			    vm_reserv_page(e, rv, i), freeq);
	} else if (rv->rv_popcnt != 0)
		return;
	rv->rv_state = RV_FREE;
	rv->rv_object = NULL;
	TAILQ_INSERT_TAIL(&vmd->vmd_free_frames, rv, rv_link);
	vmd->vmd_nfree_frames++;
}

/*
 * Return every page of this CPU's free cache under one free-lock
 * acquisition, skipping entries taken back by an allocator; with all, also
 * the unconsumed pages of its allocation cache.
 */
static void
vm_phys_cache_flush1(struct eng_cpu *c, bool all)
{
	ENG_SITE_DEFINE;
	struct vm_engine *e = c->e;
	struct vm_page *m;
	int i;
	uint8_t st;

	if (c->fc_cnt == 0 && (!all || c->ac_cnt == 0))
		return;
	eng_mtx_lock(&c->lk, &e->vmd.vmd_free_mtx, ENG_HERE);
	for (i = 0; i < c->fc_cnt; i++) {
		m = c->fc_pa[i];
		st = PS_CACHED;
		if (atomic_compare_exchange_strong_explicit(&m->pstate, &st,
		    PS_FREE, memory_order_acquire, memory_order_relaxed))
			vm_phys_free_locked(c, m);
	}
	c->fc_cnt = 0;
	if (all)
		vm_phys_acache_trim(c, 0);
	eng_mtx_unlock(&c->lk, &e->vmd.vmd_free_mtx);
}

/*
 * vm_phys_cache_flush(): return this CPU's free cache and the unconsumed
 * pages of its allocation cache (memory shortage, quiesce).
 */
void
vm_phys_cache_flush(struct eng_cpu *c)
{
	vm_phys_cache_flush1(c, true);
}

/*
 * Free a page that has no reference, object or mapping left: to the free
 * lists under the free lock (--free global), or into this CPU's free
 * cache (--free pgcache; the cache holds as many pages as a batch queue).
 */
void
vm_phys_free(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	struct vm_engine *e = c->e;

	if (e->design.free == ENG_FREE_COLORED) {
		vm_phys_dfly_free(c, m);
		return;
	}
	if (e->design.free != ENG_FREE_PGCACHE) {
		eng_mtx_lock(&c->lk, &e->vmd.vmd_free_mtx, ENG_HERE);
		vm_phys_free_locked(c, m);
		eng_mtx_unlock(&c->lk, &e->vmd.vmd_free_mtx);
		return;
	}
	if (c->fc_cnt == (int)e->design.batch)
		vm_phys_cache_flush1(c, false);
	atomic_store_explicit(&m->pstate, PS_CACHED, memory_order_release);
	c->fc_pa[c->fc_cnt++] = m;
}

/*
 * Free-memory invariants (single-threaded, caches flushed): frame
 * population counts, free count, free-list membership.
 */
uint64_t
vm_phys_check(struct vm_engine *e, FILE *out)
{
	struct vm_domain *vmd = &e->vmd;
	struct vm_reserv *rv;
	struct vm_page *m;
	uint64_t i, nfree = 0, nlisted = 0, bad = 0, frames = 0;
	unsigned j, alloc, freepg;
	uint8_t st;

	if (e->design.free == ENG_FREE_COLORED)
		return (vm_phys_dfly_check(e, out));
	for (i = 0; i < e->nframes; i++) {
		rv = &e->vm_reserv_array[i];
		alloc = freepg = 0;
		for (j = 0; j < NPDEPG; j++) {
			m = vm_reserv_page(e, rv, j);
			st = atomic_load_explicit(&m->pstate,
			    memory_order_relaxed);
			if (st == PS_ALLOCATED)
				alloc++;
			else if (st == PS_FREE)
				freepg++;
			else {
				fprintf(out, "page %#jx: still in a free cache "
				    "after quiesce\n", (uintmax_t)m->phys_addr);
				bad++;
			}
		}
		nfree += freepg;
		if (alloc != rv->rv_popcnt) {
			fprintf(out, "frame %ju: %u pages allocated, "
			    "popcnt %u\n", (uintmax_t)i, alloc, rv->rv_popcnt);
			bad++;
		}
		if (rv->rv_state == RV_FREE && alloc != 0) {
			fprintf(out, "frame %ju: free with %u pages "
			    "allocated\n", (uintmax_t)i, alloc);
			bad++;
		}
	}
	TAILQ_FOREACH(rv, &vmd->vmd_free_frames, rv_link) {
		frames++;
		if (rv->rv_state != RV_FREE) {
			fprintf(out, "frame %ju on the free-frame list in "
			    "state %u\n", (uintmax_t)(rv - e->vm_reserv_array),
			    rv->rv_state);
			bad++;
		}
	}
	TAILQ_FOREACH(m, &vmd->vmd_free_pages, freeq) {
		nlisted++;
		if (atomic_load_explicit(&m->pstate, memory_order_relaxed) !=
		    PS_FREE || vm_reserv_of(e, m)->rv_state != RV_BROKEN) {
			fprintf(out, "page %#jx: on the free list but not a "
			    "free page of a broken frame\n",
			    (uintmax_t)m->phys_addr);
			bad++;
		}
	}
	if (frames != vmd->vmd_nfree_frames || nfree != vmd->vmd_free_count) {
		fprintf(out, "free memory: %ju free frames listed (count %ju), "
		    "%ju free pages (count %ju)\n", (uintmax_t)frames,
		    (uintmax_t)vmd->vmd_nfree_frames, (uintmax_t)nfree,
		    (uintmax_t)vmd->vmd_free_count);
		bad++;
	}
	return (bad);
}
