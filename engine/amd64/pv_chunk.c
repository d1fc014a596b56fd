/*
 * pv_chunk.c - pv entry allocation from per-pmap chunks, and reclamation.
 *
 * A pv chunk is one 4 KiB page of 168 pv entries with a 3-word free bitmap
 * (amd64 _NPCPV, _NPCM).  Each pmap keeps its chunks on pm_pvchunk, chunks
 * with free entries first; taking or returning an entry touches only that
 * list, under the pmap lock (amd64 get_pv_entry() and free_pv_entry(), in
 * stable/12 as in 2019+ head).  Pages for chunks come from a bounded
 * budget (md_chunk_limit, the model's vm_page_alloc()); when it is
 * exhausted the allocator reclaims: it destroys other mappings, walking
 * between markers
 *
 *   --pvchunk global   the one chunk LRU (stable/12 pv_chunks) under
 *                      pv_chunks_mutex, taken only when a chunk page joins
 *                      or leaves the list (get_pv_entry()'s new chunk,
 *                      reserve_pv_entries(), free_pv_chunk()) and by
 *                      reclaim_pv_chunk();
 *   --pvchunk domain   the same per memory domain (2019+ head pv_chunks[]
 *                      with pvc_lock): a chunk is on its page's domain's
 *                      list, reclamation starts at the CPU's domain, and
 *                      process exit frees a pmap's chunks with one
 *                      acquisition per domain (free_pv_chunk_batch());
 *   --pvchunk pmaps    a global list of pmaps (D24217), whose lock is taken
 *                      only at pmap create/destroy and during reclamation.
 *
 * Seed 004 says "any allocation or free of pv entry has to lock the mutex";
 * that is kib's summary of the scheme, and the code above is the reference:
 * the entry fast paths take no global lock in any release.
 *
 * Reclamation never destroys a wired mapping (PG_W, counted in
 * pm_stats.wired_count) or a 2 MiB mapping, as amd64.  When nothing at all
 * can be reclaimed the allocator goes over the budget and counts it
 * (chunk_overcommits): the kernel would sleep until the page daemon freed
 * memory, which a replay of a trace cannot wait for.
 */
#include <stdlib.h>

#include "pmap_internal.h"

/* Failed reclamations in a row before the allocator goes over budget. */
#define RECLAIM_TRIES	3

/*
 * Free entries of pc (set bits of pc_map): a reading of the bitmap, exact
 * while the caller holds the owner's pmap lock (reserve_pv_entries()) or
 * the workers have stopped (pmap_check()).
 */
int
pv_chunk_count_free(const struct pv_chunk *pc)
{

	return (__builtin_popcountl(pc->pc_map[0]) +
	    __builtin_popcountl(pc->pc_map[1]) +
	    __builtin_popcountl(pc->pc_map[2]));
}

/*
 * The index of the first entry of pc in use at or after idx, or _NPCPV:
 * the walk over a chunk's allocated entries of pmap_remove_pages() and
 * reclaim_pv_chunk() (~pc_map & pc_freemask, word by word).  The owner's
 * pmap lock is held.
 */
int
pv_chunk_next_inuse(struct eng_cpu *c, const struct pv_chunk *pc, int idx)
{
	uint64_t inuse;
	int field;

	PMAP_LOCK_ASSERT(c, PC_PMAP(pc));
	for (field = idx / 64; field < _NPCM; field++) {
		inuse = ~pc->pc_map[field] &
		    (field == _NPCM - 1 ? PC_FREEL : PC_FREEN);
		if (field == idx / 64)
			inuse &= ~0ul << (idx % 64);
		if (inuse != 0)
			return (field * 64 + __builtin_ctzl(inuse));
	}
	return (_NPCPV);
}

/* Mark entry idx of pc free.  The owner's pmap lock is held. */
void
pv_chunk_free_bit(struct eng_cpu *c, struct pv_chunk *pc, int idx)
{

	PMAP_LOCK_ASSERT(c, PC_PMAP(pc));
	pc->pc_map[idx / 64] |= 1ul << (idx % 64);
}

/* Whether every entry of pc is free (amd64 pc_is_free()). */
static bool
pv_chunk_all_free(const struct pv_chunk *pc)
{

	return (pc->pc_map[0] == PC_FREEN && pc->pc_map[1] == PC_FREEN &&
	    pc->pc_map[2] == PC_FREEL);
}

/*
 * The memory domain of CPU c: where the pages it allocates come from
 * (first touch: the model's choice; the default domain policy of the
 * allocating thread is not verified) and where its reclamation starts
 * (reclaim_pv_chunk(): PCPU_GET(domain)).
 */
static unsigned
pv_cpu_domain(struct eng_cpu *c, const struct pmap_md *md)
{

	return (md->md_ndomains > 1 ? pmap_mi_cpu_slot(c) % md->md_ndomains :
	    0);
}

/* Make pc an empty chunk of pm; the page keeps its domain. */
static void
pv_chunk_init(struct pv_chunk *pc, struct pmap *pm)
{

	pc->pc_pmap = (struct pmap *)((uintptr_t)pm | pc_to_domain(pc));
	pc->pc_map[0] = PC_FREEN;
	pc->pc_map[1] = PC_FREEN;
	pc->pc_map[2] = PC_FREEL;
}

/*
 * A page for a new chunk, from CPU c's domain, or NULL when the budget is
 * spent (vm_page_alloc_noobj() failing).  over: take it regardless,
 * counted as an overcommit.
 */
static struct pv_chunk *
pv_chunk_page_alloc(struct eng_cpu *c, struct pmap_md *md, bool over)
{
	struct pv_chunk *pc;
	uint64_t used;

	used = atomic_load_explicit(&md->md_chunks_used, memory_order_relaxed);
	do {
		if (used >= md->md_chunk_limit && !over)
			return (NULL);
	} while (!atomic_compare_exchange_weak_explicit(&md->md_chunks_used,
	    &used, used + 1, memory_order_relaxed, memory_order_relaxed));
	pc = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	if (pc == NULL)
		ENG_PANIC("the host is out of memory");
	pc->pc_pmap = (struct pmap *)(uintptr_t)pv_cpu_domain(c, md);
	PMAP_CNT_INC(c, md, chunk_allocs);
	if (over)
		PMAP_CNT_INC(c, md, chunk_overcommits);
	return (pc);
}

/*
 * free_pv_chunk_dequeued: give the page of a chunk that is off every list
 * back to the budget.
 */
static void
free_pv_chunk_dequeued(struct eng_cpu *c, struct pmap_md *md,
    struct pv_chunk *pc)
{

	free(pc);
	atomic_fetch_sub_explicit(&md->md_chunks_used, 1,
	    memory_order_relaxed);
	PMAP_CNT_INC(c, md, chunk_frees);
}

/*
 * free_pv_chunk: unlink an entirely free chunk from its domain's list (the
 * chunk lock, global and domain designs) and give its page back.  The
 * owner's pmap lock is held and the chunk is already off the pmap's list.
 */
static void
free_pv_chunk(struct eng_cpu *c, struct pmap_md *md, struct pv_chunk *pc)
{
	ENG_SITE_DEFINE;
	struct pv_chunks_list *pvc;

	PMAP_LOCK_ASSERT(c, PC_PMAP(pc));
	if (md->md_ndomains != 0) {
		pvc = &md->md_pv_chunks[pc_to_domain(pc)];
		pv_global_lock(c, &pvc->pvc_lock, ENG_HERE);
		TAILQ_REMOVE(&pvc->pvc_list, pc, pc_lru);
		pv_global_unlock(c, &pvc->pvc_lock);
	}
	free_pv_chunk_dequeued(c, md, pc);
}

/*
 * free_pv_chunk_batch: free the entirely free chunks of pm that
 * pmap_remove_pages() gathered in batch[domain] (linked by pc_list).
 * --pvchunk domain: each domain's lock once for all of its chunks, as
 * 2019+ head; global: stable/12's pmap_remove_pages() called
 * free_pv_chunk() for each chunk; pmaps: no chunk list.  The pmap is
 * locked.
 */
void
free_pv_chunk_batch(struct eng_cpu *c, struct pmap *pm,
    struct pv_chunk_list batch[PMAP_MEMDOM])
{
	ENG_SITE_DEFINE;
	struct pmap_md *md;
	struct pv_chunks_list *pvc;
	struct pv_chunk *pc;
	unsigned i;

	PMAP_LOCK_ASSERT(c, pm);
	md = pm->pm_md;
	for (i = 0; i < PMAP_MEMDOM; i++) {
		if (md->md_pvchunk == ENG_PVCHUNK_DOMAIN &&
		    !TAILQ_EMPTY(&batch[i])) {
			pvc = &md->md_pv_chunks[i];
			pv_global_lock(c, &pvc->pvc_lock, ENG_HERE);
			TAILQ_FOREACH(pc, &batch[i], pc_list)
				TAILQ_REMOVE(&pvc->pvc_list, pc, pc_lru);
			pv_global_unlock(c, &pvc->pvc_lock);
		}
		while ((pc = TAILQ_FIRST(&batch[i])) != NULL) {
			TAILQ_REMOVE(&batch[i], pc, pc_list);
			if (md->md_pvchunk == ENG_PVCHUNK_DOMAIN)
				free_pv_chunk_dequeued(c, md, pc);
			else
				free_pv_chunk(c, md, pc);
		}
	}
}

/*
 * Destroy every reclaimable 4 KiB mapping whose pv entry is in pc (skipping
 * 2 MiB and wired mappings); returns how many.  pm (pc's owner)
 * is locked; pv locks are taken through cur as the pages require.
 */
static int
reclaim_chunk_mappings(struct pmap *pm, struct pv_chunk *pc,
    struct pv_cursor *cur)
{
	struct pmap_md *md;
	struct pmap_pd *pd;
	struct pv_entry *pv;
	struct vm_page *m;
	uint64_t *pte;
	int freed, idx;

	PMAP_LOCK_ASSERT(cur->cpu, pm);
	md = pm->pm_md;
	freed = 0;
	for (idx = pv_chunk_next_inuse(cur->cpu, pc, 0); idx < _NPCPV;
	    idx = pv_chunk_next_inuse(cur->cpu, pc, idx + 1)) {
		pv = &pc->pc_pventry[idx];
		pd = pmap_pd_lookup(cur->cpu, pm, pv->pv_va);
		if (pd == NULL || (pd->pd_pde & PG_PS) != 0)
			continue;
		pte = &pd->pd_ptp[pmap_pte_index(pv->pv_va)];
		if ((*pte & PG_W) != 0)
			continue;
		m = pmap_mi_phys_to_page(md->md_engine, *pte & PG_FRAME);
		*pte = 0;
		pv_lock_page(cur, m);
		pmap_pv_unlink(cur, pmap_mi_md(m), pv);
		pmap_clear_writeable_if_unmapped(cur, m);
		pv_chunk_free_bit(cur->cpu, pc, idx);
		pm->pm_stats.resident_count--;
		pmap_unuse_pt(cur->cpu, pm, pd);
		freed++;
	}
	PMAP_CNT_ADD(cur->cpu, md, reclaimed, (uint64_t)freed);
	return (freed);
}

/*
 * reclaim_pv_chunk_leave_pmap: done with pm (NULL: none), which this CPU
 * locked unless it is locked_pmap: unlock it, then close the
 * delayed-invalidation block opened for it if start_di (the kernel
 * function of that name, 2019 head pmap.c @95000; pmap_invl.c).
 */
static void
reclaim_pv_chunk_leave_pmap(struct eng_cpu *c, struct pmap *pm,
    struct pmap *locked_pmap, bool start_di)
{

	if (pm == NULL)
		return;
	if (pm != locked_pmap)
		PMAP_UNLOCK(c, pm);
	if (start_di)
		pmap_delayed_invl_finish(c);
}

/*
 * reclaim_pv_chunk_domain, --pvchunk global and domain: walk the chunk LRU
 * of domain dom between private markers, destroying reclaimable mappings
 * until a chunk becomes entirely free (returned, off every list, for the
 * caller to reuse) or one entry of locked_pmap is freed (NULL; the caller
 * retries its own chunks).  Other pmaps are locked with a trylock, or,
 * when above locked_pmap, blocking after releasing the caller's pv lock.
 * Unless the caller has a delayed-invalidation block open (pmap_remove's
 * demotion), each pmap worked on gets one, opened once it is locked and
 * closed after it is unlocked (2019 head pmap.c @95000-97700, start_di;
 * the same in 13.0's reclaim_pv_chunk_domain).  locked_pmap is locked.
 */
static struct pv_chunk *
reclaim_pv_chunk_domain(struct eng_cpu *c, struct pmap *locked_pmap,
    struct pv_cursor *cur, unsigned dom)
{
	ENG_SITE_DEFINE;
	struct pv_chunks_list *pvc;
	struct pv_chunk marker_b, marker_end_b;	/* headers used only */
	struct pv_chunk *marker, *marker_end, *pc, *ret;
	struct pmap *pm, *next_pmap;
	bool start_di;
	int freed;

	PMAP_LOCK_ASSERT(c, locked_pmap);
	start_di = pmap_not_in_di(c);
	pvc = &locked_pmap->pm_md->md_pv_chunks[dom];
	marker = &marker_b;
	marker_end = &marker_end_b;
	marker->pc_pmap = marker_end->pc_pmap = NULL;
	pm = NULL;
	ret = NULL;
	pv_global_lock(c, &pvc->pvc_lock, ENG_HERE);
	pvc->active_reclaims++;
	TAILQ_INSERT_HEAD(&pvc->pvc_list, marker, pc_lru);
	TAILQ_INSERT_TAIL(&pvc->pvc_list, marker_end, pc_lru);
	while ((pc = TAILQ_NEXT(marker, pc_lru)) != marker_end) {
		next_pmap = PC_PMAP(pc);
		if (next_pmap == NULL)
			goto next_chunk;	/* another reclaimer's marker */
		pv_global_unlock(c, &pvc->pvc_lock);
		/*
		 * A chunk leaves the LRU only with both the list lock and
		 * its pmap's lock held, so once next_pmap is locked, re-read
		 * the chunk after the marker.
		 */
		if (pm != next_pmap) {
			reclaim_pv_chunk_leave_pmap(c, pm, locked_pmap,
			    start_di);
			pm = next_pmap;
			if (pm > locked_pmap) {
				pv_unlock(cur);
				PMAP_LOCK(c, pm);
				if (start_di)
					pmap_delayed_invl_start(c);
				pv_global_lock(c, &pvc->pvc_lock, ENG_HERE);
				continue;
			} else if (pm != locked_pmap) {
				if (PMAP_TRYLOCK(c, pm)) {
					if (start_di)
						pmap_delayed_invl_start(c);
					pv_global_lock(c, &pvc->pvc_lock,
					    ENG_HERE);
					continue;
				}
				pm = NULL;
				pv_global_lock(c, &pvc->pvc_lock, ENG_HERE);
				pc = TAILQ_NEXT(marker, pc_lru);
				if (pc == marker_end ||
				    PC_PMAP(pc) != next_pmap)
					continue;
				goto next_chunk;
			} else if (start_di)
				pmap_delayed_invl_start(c);
		}
		freed = reclaim_chunk_mappings(pm, pc, cur);
		if (freed == 0) {
			pv_global_lock(c, &pvc->pvc_lock, ENG_HERE);
			goto next_chunk;
		}
		TAILQ_REMOVE(&pm->pm_pvchunk, pc, pc_list);
		if (pv_chunk_all_free(pc)) {
			pv_global_lock(c, &pvc->pvc_lock, ENG_HERE);
			TAILQ_REMOVE(&pvc->pvc_list, pc, pc_lru);
			ret = pc;
			break;
		}
		TAILQ_INSERT_HEAD(&pm->pm_pvchunk, pc, pc_list);
		pv_global_lock(c, &pvc->pvc_lock, ENG_HERE);
		/* One freed pv entry in locked_pmap is sufficient. */
		if (pm == locked_pmap)
			break;
next_chunk:
		TAILQ_REMOVE(&pvc->pvc_list, marker, pc_lru);
		TAILQ_INSERT_AFTER(&pvc->pvc_list, pc, marker, pc_lru);
		if (pvc->active_reclaims == 1 && pm != NULL) {
			/*
			 * Rotate the LRU so that the next reclamation does
			 * not rescan chunks that could not be freed.
			 */
			while ((pc = TAILQ_FIRST(&pvc->pvc_list)) != marker) {
				TAILQ_REMOVE(&pvc->pvc_list, pc, pc_lru);
				TAILQ_INSERT_TAIL(&pvc->pvc_list, pc, pc_lru);
			}
		}
	}
	TAILQ_REMOVE(&pvc->pvc_list, marker, pc_lru);
	TAILQ_REMOVE(&pvc->pvc_list, marker_end, pc_lru);
	pvc->active_reclaims--;
	pv_global_unlock(c, &pvc->pvc_lock);
	reclaim_pv_chunk_leave_pmap(c, pm, locked_pmap, start_di);
	return (ret);
}

/*
 * reclaim_pv_chunk, --pvchunk pmaps: walk the global pmap list from a
 * private marker; in each pmap, destroy reclaimable mappings chunk by chunk
 * until one chunk is entirely free (returned) or, in locked_pmap, one entry
 * is freed (NULL).  The list lock is dropped while a pmap is worked on;
 * pmaps are locked, and get a delayed-invalidation block, as in the global
 * variant (D24217's code was never found: the block as 14's, INFERRED).
 * locked_pmap is locked.
 */
static struct pv_chunk *
reclaim_pv_chunk_pmaps(struct eng_cpu *c, struct pmap *locked_pmap,
    struct pv_cursor *cur)
{
	ENG_SITE_DEFINE;
	struct pmap_md *md;
	struct pmap marker, *pm;
	struct pv_chunk *pc, *next, *ret;
	bool done, start_di;

	PMAP_LOCK_ASSERT(c, locked_pmap);
	start_di = pmap_not_in_di(c);
	md = locked_pmap->pm_md;
	marker.pm_marker = true;
	ret = NULL;
	done = false;
	pv_global_lock(c, &md->md_allpmaps_mtx, ENG_HERE);
	md->md_active_reclaims++;
	TAILQ_INSERT_HEAD(&md->md_allpmaps, &marker, pm_list);
	while (!done && (pm = TAILQ_NEXT(&marker, pm_list)) != NULL) {
		TAILQ_REMOVE(&md->md_allpmaps, &marker, pm_list);
		TAILQ_INSERT_AFTER(&md->md_allpmaps, pm, &marker, pm_list);
		if (pm->pm_marker)
			continue;
		pv_global_unlock(c, &md->md_allpmaps_mtx);
		if (pm > locked_pmap) {
			pv_unlock(cur);
			PMAP_LOCK(c, pm);
		} else if (pm != locked_pmap && !PMAP_TRYLOCK(c, pm)) {
			pv_global_lock(c, &md->md_allpmaps_mtx, ENG_HERE);
			continue;
		}
		if (start_di)
			pmap_delayed_invl_start(c);
		/* Slots are type-stable: pm may have been destroyed. */
		if (pm->pm_active) {
			for (pc = TAILQ_FIRST(&pm->pm_pvchunk); pc != NULL;
			    pc = next) {
				next = TAILQ_NEXT(pc, pc_list);
				if (reclaim_chunk_mappings(pm, pc, cur) == 0)
					continue;
				TAILQ_REMOVE(&pm->pm_pvchunk, pc, pc_list);
				if (pv_chunk_all_free(pc)) {
					ret = pc;
					done = true;
					break;
				}
				TAILQ_INSERT_HEAD(&pm->pm_pvchunk, pc, pc_list);
				if (pm == locked_pmap) {
					done = true;
					break;
				}
			}
		}
		reclaim_pv_chunk_leave_pmap(c, pm, locked_pmap, start_di);
		pv_global_lock(c, &md->md_allpmaps_mtx, ENG_HERE);
	}
	TAILQ_REMOVE(&md->md_allpmaps, &marker, pm_list);
	md->md_active_reclaims--;
	pv_global_unlock(c, &md->md_allpmaps_mtx);
	return (ret);
}

/*
 * reclaim_pv_chunk of the --pvchunk design: under global and domain, each
 * domain's list in turn from the CPU's own (2019+ head; global has one);
 * under pmaps, the pmap list.  locked_pmap is locked.
 */
static struct pv_chunk *
reclaim_pv_chunk(struct eng_cpu *c, struct pmap *locked_pmap,
    struct pv_cursor *cur)
{
	struct pmap_md *md;
	struct pv_chunk *pc;
	unsigned dom, i;

	PMAP_LOCK_ASSERT(c, locked_pmap);
	md = locked_pmap->pm_md;
	PMAP_CNT_INC(c, md, reclaims);
	if (md->md_ndomains == 0)
		return (reclaim_pv_chunk_pmaps(c, locked_pmap, cur));
	pc = NULL;
	dom = pv_cpu_domain(c, md);
	for (i = 0; i < md->md_ndomains; i++) {
		pc = reclaim_pv_chunk_domain(c, locked_pmap, cur, dom);
		if (pc != NULL)
			break;
		dom = (dom + 1) % md->md_ndomains;
	}
	return (pc);
}

/*
 * A page for a new chunk of pm: from the budget, else by reclamation, else
 * (after RECLAIM_TRIES fruitless reclamations) over budget.  Returns NULL
 * when reclamation freed an entry of pm itself, so the caller rescans its
 * chunks.  *tries counts fruitless reclamations across calls.  The pmap is
 * locked; cur may be released.
 */
static struct pv_chunk *
pv_chunk_get_page(struct eng_cpu *c, struct pmap *pm, struct pv_cursor *cur,
    int *tries, bool *reclaimed)
{
	struct pmap_md *md;
	struct pv_chunk *pc;
	int before;

	PMAP_LOCK_ASSERT(c, pm);
	md = pm->pm_md;
	*reclaimed = false;
	pc = pv_chunk_page_alloc(c, md, false);
	if (pc != NULL)
		return (pc);
	if (*tries >= RECLAIM_TRIES)
		return (pv_chunk_page_alloc(c, md, true));
	before = 0;
	TAILQ_FOREACH(pc, &pm->pm_pvchunk, pc_list)
		before += pv_chunk_count_free(pc);
	pc = reclaim_pv_chunk(c, pm, cur);
	*reclaimed = true;
	if (pc == NULL) {
		/* Fruitless unless it freed entries of pm. */
		TAILQ_FOREACH(pc, &pm->pm_pvchunk, pc_list)
			before -= pv_chunk_count_free(pc);
		if (before >= 0)
			(*tries)++;
		return (NULL);
	}
	return (pc);
}

/*
 * A free pv entry of pm from its first chunk (the one chunks with free
 * entries are kept in front of), or NULL; a chunk left full moves to the
 * tail.  The pmap is locked.
 */
static struct pv_entry *
pv_entry_from_first_chunk(struct eng_cpu *c, struct pmap *pm)
{
	struct pv_chunk *pc;
	struct pv_entry *pv;
	int bit, field;

	PMAP_LOCK_ASSERT(c, pm);
	if ((pc = TAILQ_FIRST(&pm->pm_pvchunk)) == NULL)
		return (NULL);
	for (field = 0; field < _NPCM; field++) {
		if (pc->pc_map[field] != 0)
			break;
	}
	if (field == _NPCM)
		return (NULL);
	bit = __builtin_ctzl(pc->pc_map[field]);
	pv = &pc->pc_pventry[field * 64 + bit];
	pc->pc_map[field] &= ~(1ul << bit);
	if (pc->pc_map[0] == 0 && pc->pc_map[1] == 0 && pc->pc_map[2] == 0) {
		/* Full: to the tail of the pmap's list. */
		TAILQ_REMOVE(&pm->pm_pvchunk, pc, pc_list);
		TAILQ_INSERT_TAIL(&pm->pm_pvchunk, pc, pc_list);
	}
	return (pv);
}

/*
 * Make the page pc a chunk of pm, joining its domain's list under the
 * chunk lock (the only chunk-lock acquisition of get_pv_entry(), as
 * amd64; charged to site) and the head of pm's, and return its entry 0.
 * The pmap is locked.
 */
static struct pv_entry *
pv_entry_from_new_chunk(struct eng_cpu *c, struct pmap *pm,
    struct pv_chunk *pc, struct eng_site *site)
{
	struct pmap_md *md;
	struct pv_chunks_list *pvc;

	PMAP_LOCK_ASSERT(c, pm);
	md = pm->pm_md;
	pv_chunk_init(pc, pm);
	pc->pc_map[0] &= ~1ul;		/* entry 0 is returned */
	if (md->md_ndomains != 0) {
		pvc = &md->md_pv_chunks[pc_to_domain(pc)];
		pv_global_lock(c, &pvc->pvc_lock, site);
		TAILQ_INSERT_TAIL(&pvc->pvc_list, pc, pc_lru);
		pv_global_unlock(c, &pvc->pvc_lock);
	}
	TAILQ_INSERT_HEAD(&pm->pm_pvchunk, pc, pc_list);
	return (&pc->pc_pventry[0]);
}

/*
 * get_pv_entry: a free pv entry of pm, from its first chunk, else from a new
 * chunk, which joins its domain's list under the chunk lock (the only
 * chunk-lock acquisition of this function, as amd64).  The pmap is
 * locked.  cur may be released by reclamation; NULL means the entries
 * were reserved beforehand (reserve_pv_entries()), so no new chunk is
 * needed.
 */
struct pv_entry *
get_pv_entry(struct eng_cpu *c, struct pmap *pm, struct pv_cursor *cur)
{
	ENG_SITE_DEFINE;
	struct pv_chunk *pc;
	struct pv_entry *pv;
	bool reclaimed;
	int tries;

	PMAP_LOCK_ASSERT(c, pm);
	tries = 0;
	while ((pv = pv_entry_from_first_chunk(c, pm)) == NULL) {
		if (cur == NULL)
			ENG_PANIC("pmap %p: no spare pv entry; "
			    "reserve_pv_entries() was not called", (void *)pm);
		pc = pv_chunk_get_page(c, pm, cur, &tries, &reclaimed);
		if (pc != NULL)
			return (pv_entry_from_new_chunk(c, pm, pc,
			    ENG_HERE));
	}
	return (pv);
}

/*
 * get_pv_entry(pmap, NULL) of amd64, as pmap_try_insert_pv_entry() calls
 * it ("Pass NULL instead of the lock pointer to disable reclamation",
 * coder03/freebsd10.4 @3d3f8b11 sys/amd64/amd64/pmap.c lines 3318-3335;
 * the same in 13.0): a free entry of pm, else a new chunk if a page is
 * to be had within the budget, else NULL, with no reclamation.  The pmap
 * is locked.
 */
struct pv_entry *
get_pv_entry_noreclaim(struct eng_cpu *c, struct pmap *pm)
{
	ENG_SITE_DEFINE;
	struct pv_chunk *pc;
	struct pv_entry *pv;

	PMAP_LOCK_ASSERT(c, pm);
	if ((pv = pv_entry_from_first_chunk(c, pm)) != NULL)
		return (pv);
	if ((pc = pv_chunk_page_alloc(c, pm->pm_md, false)) == NULL)
		return (NULL);
	return (pv_entry_from_new_chunk(c, pm, pc, ENG_HERE));
}

/*
 * free_pv_entry: return pv to its chunk, which moves to the head of the
 * pmap's list; only a chunk that becomes entirely free takes the chunk
 * lock (free_pv_chunk()).  The pmap is locked; pv is off every pv list.
 */
void
free_pv_entry(struct eng_cpu *c, struct pmap *pm, struct pv_entry *pv)
{
	struct pv_chunk *pc;

	PMAP_LOCK_ASSERT(c, pm);
	pc = pv_to_chunk(pv);
	ENG_KASSERT(PC_PMAP(pc) == pm, "pv %p of pmap %p freed to pmap %p",
	    (void *)pv, (void *)PC_PMAP(pc), (void *)pm);
	pv_chunk_free_bit(c, pc, (int)(pv - &pc->pc_pventry[0]));
	if (!pv_chunk_all_free(pc)) {
		/* 98% of the time, pc is already at the head of the list. */
		if (pc != TAILQ_FIRST(&pm->pm_pvchunk)) {
			TAILQ_REMOVE(&pm->pm_pvchunk, pc, pc_list);
			TAILQ_INSERT_HEAD(&pm->pm_pvchunk, pc, pc_list);
		}
		return;
	}
	TAILQ_REMOVE(&pm->pm_pvchunk, pc, pc_list);
	free_pv_chunk(c, pm->pm_md, pc);
}

/*
 * reserve_pv_entries: make sure pm has at least needed free pv entries, so
 * that a following operation (demotion: 511) cannot fail half-way.  New
 * chunks stay on private per-domain lists until the end so that a
 * reclamation cannot take them back, then join their domains' lists, one
 * chunk-lock acquisition per domain.  The pmap is locked; cur may be
 * released.
 */
void
reserve_pv_entries(struct eng_cpu *c, struct pmap *pm, int needed,
    struct pv_cursor *cur)
{
	ENG_SITE_DEFINE;
	struct pmap_md *md;
	struct pv_chunk_list new_tail[PMAP_MEMDOM];
	struct pv_chunks_list *pvc;
	struct pv_chunk *pc;
	bool reclaimed;
	int avail, tries;
	unsigned i;

	PMAP_LOCK_ASSERT(c, pm);
	md = pm->pm_md;
	for (i = 0; i < PMAP_MEMDOM; i++)
		TAILQ_INIT(&new_tail[i]);
	tries = 0;
retry:
	avail = 0;
	TAILQ_FOREACH(pc, &pm->pm_pvchunk, pc_list) {
		avail += pv_chunk_count_free(pc);
		if (avail >= needed)
			break;
	}
	for (; avail < needed; avail += _NPCPV) {
		pc = pv_chunk_get_page(c, pm, cur, &tries, &reclaimed);
		if (pc == NULL)
			goto retry;
		pv_chunk_init(pc, pm);
		TAILQ_INSERT_HEAD(&pm->pm_pvchunk, pc, pc_list);
		TAILQ_INSERT_TAIL(&new_tail[pc_to_domain(pc)], pc, pc_lru);
		/*
		 * The reclamation might have freed a chunk of pm with
		 * available entries: count again.
		 */
		if (reclaimed)
			goto retry;
	}
	for (i = 0; i < md->md_ndomains; i++) {
		if (TAILQ_EMPTY(&new_tail[i]))
			continue;
		pvc = &md->md_pv_chunks[i];
		pv_global_lock(c, &pvc->pvc_lock, ENG_HERE);
		TAILQ_CONCAT(&pvc->pvc_list, &new_tail[i], pc_lru);
		pv_global_unlock(c, &pvc->pvc_lock);
	}
}
