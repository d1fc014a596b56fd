/*
 * pv_chunk.c - pv entry allocation from per-pmap chunks, and reclamation.
 *
 * A pv chunk is one 4 KiB page of 168 pv entries with a 3-word free bitmap
 * (amd64 _NPCPV, _NPCM).  Each pmap keeps its chunks on pm_pvchunk, chunks
 * with free entries first.  Pages for chunks come from a bounded budget
 * (md_chunk_limit, the model's vm_page_alloc()); when it is exhausted the
 * allocator reclaims: it destroys other mappings, walking between markers
 *
 *   --pvchunk global   the global chunk LRU (pv_chunks) under one global
 *                      mutex, which is also taken on every pv entry
 *                      allocation and free to keep the LRU order (the
 *                      contention point seed 004 names);
 *   --pvchunk pmaps    a global list of pmaps (D24217), whose lock is taken
 *                      only at pmap create/destroy and during reclamation.
 *
 * Reclamation never destroys a wired mapping (PG_W, counted in
 * pm_stats.wired_count) or a 2 MiB mapping, as amd64.  When nothing at all can be reclaimed
 * the allocator goes over the budget and counts it (chunk_overcommits): the
 * kernel would sleep until the page daemon freed memory, which a replay of
 * a trace cannot wait for.
 */
#include <stdlib.h>

#include "pmap_internal.h"

/* Failed reclamations in a row before the allocator goes over budget. */
#define RECLAIM_TRIES	3

/* Free entries of pc (set bits of pc_map).  The owner's pmap lock. */
int
pv_chunk_count_free(const struct pv_chunk *pc)
{

	return (__builtin_popcountl(pc->pc_map[0]) +
	    __builtin_popcountl(pc->pc_map[1]) +
	    __builtin_popcountl(pc->pc_map[2]));
}

/* Whether every entry of pc is free. */
static bool
pv_chunk_all_free(const struct pv_chunk *pc)
{

	return (pc->pc_map[0] == PC_FREEN && pc->pc_map[1] == PC_FREEN &&
	    pc->pc_map[2] == PC_FREEL);
}

/* Make pc an empty chunk of pm. */
static void
pv_chunk_init(struct pv_chunk *pc, struct pmap *pm)
{

	pc->pc_pmap = pm;
	pc->pc_map[0] = PC_FREEN;
	pc->pc_map[1] = PC_FREEN;
	pc->pc_map[2] = PC_FREEL;
}

/*
 * A page for a new chunk, or NULL when the budget is spent (vm_page_alloc
 * failing).  over: take it regardless, counted as an overcommit.
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
	PMAP_CNT_INC(c, md, chunk_allocs);
	if (over)
		PMAP_CNT_INC(c, md, chunk_overcommits);
	return (pc);
}

/* Give a chunk's page back to the budget. */
static void
pv_chunk_page_free(struct eng_cpu *c, struct pmap_md *md, struct pv_chunk *pc)
{

	free(pc);
	atomic_fetch_sub_explicit(&md->md_chunks_used, 1,
	    memory_order_relaxed);
	PMAP_CNT_INC(c, md, chunk_frees);
}

/*
 * --pvchunk global: move pc to the tail of the chunk LRU.  Taken on every pv
 * entry allocation and free.  The pmap lock is held.
 */
static void
pv_chunk_lru_touch(struct eng_cpu *c, struct pmap_md *md, struct pv_chunk *pc)
{
	ENG_SITE_DEFINE;

	pv_global_lock(c, &md->md_chunks_mtx, ENG_HERE);
	TAILQ_REMOVE(&md->md_chunks, pc, pc_lru);
	TAILQ_INSERT_TAIL(&md->md_chunks, pc, pc_lru);
	pv_global_unlock(c, &md->md_chunks_mtx);
}

/*
 * free_pv_chunk: unlink a fully free chunk from the global LRU (global
 * design) and give its page back.  The owner's pmap lock is held and the
 * chunk is already off the pmap's list.
 */
static void
free_pv_chunk(struct eng_cpu *c, struct pmap_md *md, struct pv_chunk *pc)
{
	ENG_SITE_DEFINE;

	if (md->md_pvchunk == ENG_PVCHUNK_GLOBAL) {
		pv_global_lock(c, &md->md_chunks_mtx, ENG_HERE);
		TAILQ_REMOVE(&md->md_chunks, pc, pc_lru);
		pv_global_unlock(c, &md->md_chunks_mtx);
	}
	pv_chunk_page_free(c, md, pc);
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
	struct md_page *mdp;
	uint64_t inuse, *pte;
	int bit, field, freed;

	md = pm->pm_md;
	freed = 0;
	for (field = 0; field < _NPCM; field++) {
		inuse = ~pc->pc_map[field] &
		    (field == _NPCM - 1 ? PC_FREEL : PC_FREEN);
		while (inuse != 0) {
			bit = __builtin_ctzl(inuse);
			inuse &= ~(1ul << bit);
			pv = &pc->pc_pventry[field * 64 + bit];
			pd = pmap_pd_lookup(pm, pv->pv_va);
			if (pd == NULL || (pd->pd_pde & PG_PS) != 0)
				continue;
			pte = &pd->pd_ptp[pmap_pte_index(pv->pv_va)];
			if ((*pte & PG_W) != 0)
				continue;
			m = pmap_mi_phys_to_page(md->md_engine, *pte & PG_FRAME);
			*pte = 0;
			pv_lock_page(cur, m);
			mdp = pmap_mi_md(m);
			pmap_pv_unlink(mdp, pv);
			pmap_clear_writeable_if_unmapped(cur->cpu, m);
			pc->pc_map[field] |= 1ul << bit;
			pm->pm_stats.resident_count--;
			pmap_unuse_pt(pm, pd);
			freed++;
		}
	}
	PMAP_CNT_ADD(cur->cpu, md, reclaimed, (uint64_t)freed);
	return (freed);
}

/*
 * reclaim_pv_chunk, --pvchunk global: walk the chunk LRU between private
 * markers, destroying reclaimable mappings until a chunk becomes entirely
 * free (returned, off every list, for the caller to reuse) or one entry of
 * locked_pmap is freed (NULL; the caller retries its own chunks).  Other
 * pmaps are locked with a trylock, or, when above locked_pmap, blocking
 * after releasing the caller's pv lock.  locked_pmap is locked.
 */
static struct pv_chunk *
reclaim_pv_chunk_global(struct eng_cpu *c, struct pmap *locked_pmap,
    struct pv_cursor *cur)
{
	ENG_SITE_DEFINE;
	struct pmap_md *md;
	struct pv_chunk marker_b, marker_end_b;	/* headers used only */
	struct pv_chunk *marker, *marker_end, *pc, *ret;
	struct pmap *pm, *next_pmap;
	int freed;

	md = locked_pmap->pm_md;
	marker = &marker_b;
	marker_end = &marker_end_b;
	marker->pc_pmap = marker_end->pc_pmap = NULL;
	pm = NULL;
	ret = NULL;
	pv_global_lock(c, &md->md_chunks_mtx, ENG_HERE);
	md->md_active_reclaims++;
	TAILQ_INSERT_HEAD(&md->md_chunks, marker, pc_lru);
	TAILQ_INSERT_TAIL(&md->md_chunks, marker_end, pc_lru);
	while ((pc = TAILQ_NEXT(marker, pc_lru)) != marker_end) {
		next_pmap = pc->pc_pmap;
		if (next_pmap == NULL)
			goto next_chunk;	/* another reclaimer's marker */
		pv_global_unlock(c, &md->md_chunks_mtx);
		/*
		 * A chunk leaves the LRU only with both the global lock and
		 * its pmap's lock held, so once next_pmap is locked, re-read
		 * the chunk after the marker.
		 */
		if (pm != next_pmap) {
			if (pm != NULL && pm != locked_pmap)
				PMAP_UNLOCK(c, pm);
			pm = next_pmap;
			if (pm > locked_pmap) {
				pv_unlock(cur);
				PMAP_LOCK(c, pm);
				pv_global_lock(c, &md->md_chunks_mtx, ENG_HERE);
				continue;
			} else if (pm != locked_pmap) {
				if (PMAP_TRYLOCK(c, pm)) {
					pv_global_lock(c, &md->md_chunks_mtx,
					    ENG_HERE);
					continue;
				}
				pm = NULL;
				pv_global_lock(c, &md->md_chunks_mtx, ENG_HERE);
				pc = TAILQ_NEXT(marker, pc_lru);
				if (pc == marker_end || pc->pc_pmap != next_pmap)
					continue;
				goto next_chunk;
			}
		}
		freed = reclaim_chunk_mappings(pm, pc, cur);
		if (freed == 0) {
			pv_global_lock(c, &md->md_chunks_mtx, ENG_HERE);
			goto next_chunk;
		}
		TAILQ_REMOVE(&pm->pm_pvchunk, pc, pc_list);
		if (pv_chunk_all_free(pc)) {
			pv_global_lock(c, &md->md_chunks_mtx, ENG_HERE);
			TAILQ_REMOVE(&md->md_chunks, pc, pc_lru);
			ret = pc;
			break;
		}
		TAILQ_INSERT_HEAD(&pm->pm_pvchunk, pc, pc_list);
		pv_global_lock(c, &md->md_chunks_mtx, ENG_HERE);
		/* One freed pv entry in locked_pmap is sufficient. */
		if (pm == locked_pmap)
			break;
next_chunk:
		TAILQ_REMOVE(&md->md_chunks, marker, pc_lru);
		TAILQ_INSERT_AFTER(&md->md_chunks, pc, marker, pc_lru);
		if (md->md_active_reclaims == 1 && pm != NULL) {
			/*
			 * Rotate the LRU so that the next reclamation does
			 * not rescan chunks that could not be freed.
			 */
			while ((pc = TAILQ_FIRST(&md->md_chunks)) != marker) {
				TAILQ_REMOVE(&md->md_chunks, pc, pc_lru);
				TAILQ_INSERT_TAIL(&md->md_chunks, pc, pc_lru);
			}
		}
	}
	TAILQ_REMOVE(&md->md_chunks, marker, pc_lru);
	TAILQ_REMOVE(&md->md_chunks, marker_end, pc_lru);
	md->md_active_reclaims--;
	pv_global_unlock(c, &md->md_chunks_mtx);
	if (pm != NULL && pm != locked_pmap)
		PMAP_UNLOCK(c, pm);
	return (ret);
}

/*
 * reclaim_pv_chunk, --pvchunk pmaps: walk the global pmap list from a
 * private marker; in each pmap, destroy reclaimable mappings chunk by chunk
 * until one chunk is entirely free (returned) or, in locked_pmap, one entry
 * is freed (NULL).  The list lock is dropped while a pmap is worked on;
 * pmaps are locked as in the global variant.  locked_pmap is locked.
 */
static struct pv_chunk *
reclaim_pv_chunk_pmaps(struct eng_cpu *c, struct pmap *locked_pmap,
    struct pv_cursor *cur)
{
	ENG_SITE_DEFINE;
	struct pmap_md *md;
	struct pmap marker, *pm;
	struct pv_chunk *pc, *next, *ret;
	bool done;

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
		if (pm != locked_pmap)
			PMAP_UNLOCK(c, pm);
		pv_global_lock(c, &md->md_allpmaps_mtx, ENG_HERE);
	}
	TAILQ_REMOVE(&md->md_allpmaps, &marker, pm_list);
	md->md_active_reclaims--;
	pv_global_unlock(c, &md->md_allpmaps_mtx);
	return (ret);
}

/* reclaim_pv_chunk of the --pvchunk design; see the two variants. */
static struct pv_chunk *
reclaim_pv_chunk(struct eng_cpu *c, struct pmap *locked_pmap,
    struct pv_cursor *cur)
{

	pmap_assert_locked(locked_pmap);
	PMAP_CNT_INC(c, locked_pmap->pm_md, reclaims);
	if (locked_pmap->pm_md->md_pvchunk == ENG_PVCHUNK_GLOBAL)
		return (reclaim_pv_chunk_global(c, locked_pmap, cur));
	return (reclaim_pv_chunk_pmaps(c, locked_pmap, cur));
}

/*
 * A page for a new chunk of pm: from the budget, else by reclamation, else
 * (after RECLAIM_TRIES fruitless reclamations) over budget.  Returns NULL
 * when reclamation freed an entry of pm itself, so the caller rescans its
 * chunks.  *tries counts fruitless reclamations across calls.
 */
static struct pv_chunk *
pv_chunk_get_page(struct eng_cpu *c, struct pmap *pm, struct pv_cursor *cur,
    int *tries, bool *reclaimed)
{
	struct pmap_md *md;
	struct pv_chunk *pc;
	int before;

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
 * get_pv_entry: a free pv entry of pm, from its first chunk, else from a new
 * chunk.  The pmap is locked.  cur may be released by reclamation; NULL
 * means the entries were reserved beforehand (reserve_pv_entries()), so no
 * new chunk is needed.
 */
struct pv_entry *
get_pv_entry(struct eng_cpu *c, struct pmap *pm, struct pv_cursor *cur)
{
	ENG_SITE_DEFINE;
	struct pmap_md *md;
	struct pv_chunk *pc;
	struct pv_entry *pv;
	bool reclaimed;
	int bit, field, tries;

	pmap_assert_locked(pm);
	md = pm->pm_md;
	tries = 0;
retry:
	pc = TAILQ_FIRST(&pm->pm_pvchunk);
	if (pc != NULL) {
		for (field = 0; field < _NPCM; field++) {
			if (pc->pc_map[field] != 0)
				break;
		}
		if (field < _NPCM) {
			bit = __builtin_ctzl(pc->pc_map[field]);
			pv = &pc->pc_pventry[field * 64 + bit];
			pc->pc_map[field] &= ~(1ul << bit);
			if (pc->pc_map[0] == 0 && pc->pc_map[1] == 0 &&
			    pc->pc_map[2] == 0) {
				/* Full: to the tail of the pmap's list. */
				TAILQ_REMOVE(&pm->pm_pvchunk, pc, pc_list);
				TAILQ_INSERT_TAIL(&pm->pm_pvchunk, pc, pc_list);
			}
			if (md->md_pvchunk == ENG_PVCHUNK_GLOBAL)
				pv_chunk_lru_touch(c, md, pc);
			return (pv);
		}
	}
	if (cur == NULL)
		ENG_PANIC("reserve_pv_entries() was not called");
	pc = pv_chunk_get_page(c, pm, cur, &tries, &reclaimed);
	if (pc == NULL)
		goto retry;
	pv_chunk_init(pc, pm);
	pc->pc_map[0] &= ~1ul;		/* entry 0 is returned */
	if (md->md_pvchunk == ENG_PVCHUNK_GLOBAL) {
		pv_global_lock(c, &md->md_chunks_mtx, ENG_HERE);
		TAILQ_INSERT_TAIL(&md->md_chunks, pc, pc_lru);
		pv_global_unlock(c, &md->md_chunks_mtx);
	}
	TAILQ_INSERT_HEAD(&pm->pm_pvchunk, pc, pc_list);
	return (&pc->pc_pventry[0]);
}

/*
 * free_pv_entry: return pv to its chunk; a chunk that becomes entirely free
 * gives its page back.  The pmap is locked; pv is off every pv list.
 */
void
free_pv_entry(struct eng_cpu *c, struct pmap *pm, struct pv_entry *pv)
{
	struct pmap_md *md;
	struct pv_chunk *pc;
	int bit, field, idx;

	pmap_assert_locked(pm);
	md = pm->pm_md;
	pc = (struct pv_chunk *)((uintptr_t)pv & ~PAGE_MASK);
	idx = (int)(pv - &pc->pc_pventry[0]);
	field = idx / 64;
	bit = idx % 64;
	pc->pc_map[field] |= 1ul << bit;
	if (!pv_chunk_all_free(pc)) {
		/* 98% of the time, pc is already at the head of the list. */
		if (pc != TAILQ_FIRST(&pm->pm_pvchunk)) {
			TAILQ_REMOVE(&pm->pm_pvchunk, pc, pc_list);
			TAILQ_INSERT_HEAD(&pm->pm_pvchunk, pc, pc_list);
		}
		if (md->md_pvchunk == ENG_PVCHUNK_GLOBAL)
			pv_chunk_lru_touch(c, md, pc);
		return;
	}
	TAILQ_REMOVE(&pm->pm_pvchunk, pc, pc_list);
	free_pv_chunk(c, md, pc);
}

/*
 * Bulk variants for promotion and demotion, which allocate or free 511
 * entries at once.  As amd64's pmap_pv_demote_pde() takes the spares
 * straight from the chunks and pmap_pv_promote_pde()'s frees touch the
 * global list only when a chunk becomes entirely free, the global lock is
 * taken once per chunk involved, not once per entry: a chunk is moved to
 * the LRU tail once (the single-entry paths above move it every time) or,
 * when entirely free, unlinked and freed.
 */

/*
 * get_pv_entries_reserved: n pv entries of pm from the spares that
 * reserve_pv_entries() set aside, into pvs[], taken from the first chunks
 * of pm's list (a chunk that becomes full moves to the tail).  The pmap is
 * locked.
 */
void
get_pv_entries_reserved(struct eng_cpu *c, struct pmap *pm,
    struct pv_entry **pvs, int n)
{
	struct pmap_md *md;
	struct pv_chunk *pc;
	int bit, field, i;

	pmap_assert_locked(pm);
	md = pm->pm_md;
	i = 0;
	while (i < n) {
		pc = TAILQ_FIRST(&pm->pm_pvchunk);
		if (pc == NULL || (pc->pc_map[0] == 0 && pc->pc_map[1] == 0 &&
		    pc->pc_map[2] == 0))
			ENG_PANIC("reserve_pv_entries() was not called");
		for (field = 0; field < _NPCM && i < n; field++) {
			while (pc->pc_map[field] != 0 && i < n) {
				bit = __builtin_ctzl(pc->pc_map[field]);
				pc->pc_map[field] &= ~(1ul << bit);
				pvs[i++] = &pc->pc_pventry[field * 64 + bit];
			}
		}
		if (pc->pc_map[0] == 0 && pc->pc_map[1] == 0 &&
		    pc->pc_map[2] == 0) {
			TAILQ_REMOVE(&pm->pm_pvchunk, pc, pc_list);
			TAILQ_INSERT_TAIL(&pm->pm_pvchunk, pc, pc_list);
		}
		if (md->md_pvchunk == ENG_PVCHUNK_GLOBAL)
			pv_chunk_lru_touch(c, md, pc);
	}
}

/* Order of chunk addresses, for free_pv_entries(). */
static int
pv_chunk_addr_cmp(const void *a, const void *b)
{
	uintptr_t x, y;

	x = (uintptr_t)*(struct pv_chunk *const *)a;
	y = (uintptr_t)*(struct pv_chunk *const *)b;
	return (x < y ? -1 : x > y);
}

/*
 * free_pv_entries: free_pv_entry() of the n (at most NPTEPG) entries of
 * pvs[], with the global list touched once per chunk.  The pmap is locked;
 * the entries are off every pv list.
 */
void
free_pv_entries(struct eng_cpu *c, struct pmap *pm,
    struct pv_entry *const *pvs, int n)
{
	struct pmap_md *md;
	struct pv_chunk *pc, *pcs[NPTEPG];
	int bit, field, i, idx, nc;

	pmap_assert_locked(pm);
	ENG_KASSERT(n <= NPTEPG, "pmap %p: %d pv entries at once, at most %d",
	    (void *)pm, n, NPTEPG);
	md = pm->pm_md;
	for (i = 0; i < n; i++) {
		pc = (struct pv_chunk *)((uintptr_t)pvs[i] & ~PAGE_MASK);
		idx = (int)(pvs[i] - &pc->pc_pventry[0]);
		field = idx / 64;
		bit = idx % 64;
		pc->pc_map[field] |= 1ul << bit;
		pcs[i] = pc;
	}
	qsort(pcs, (size_t)n, sizeof(*pcs), pv_chunk_addr_cmp);
	for (i = 0, nc = 0; i < n; i++)
		if (nc == 0 || pcs[nc - 1] != pcs[i])
			pcs[nc++] = pcs[i];
	for (i = 0; i < nc; i++) {
		pc = pcs[i];
		if (!pv_chunk_all_free(pc)) {
			if (pc != TAILQ_FIRST(&pm->pm_pvchunk)) {
				TAILQ_REMOVE(&pm->pm_pvchunk, pc, pc_list);
				TAILQ_INSERT_HEAD(&pm->pm_pvchunk, pc, pc_list);
			}
			if (md->md_pvchunk == ENG_PVCHUNK_GLOBAL)
				pv_chunk_lru_touch(c, md, pc);
			continue;
		}
		TAILQ_REMOVE(&pm->pm_pvchunk, pc, pc_list);
		free_pv_chunk(c, md, pc);
	}
}

/*
 * reserve_pv_entries: make sure pm has at least needed free pv entries, so
 * that a following operation (demotion: 511) cannot fail half-way.  New
 * chunks stay on a private list until the end so that a reclamation cannot
 * take them back.  The pmap is locked; cur may be released.
 */
void
reserve_pv_entries(struct eng_cpu *c, struct pmap *pm, int needed,
    struct pv_cursor *cur)
{
	ENG_SITE_DEFINE;
	struct pmap_md *md;
	struct pv_chunk_list new_tail;
	struct pv_chunk *pc;
	bool reclaimed;
	int avail, tries;

	pmap_assert_locked(pm);
	md = pm->pm_md;
	TAILQ_INIT(&new_tail);
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
		TAILQ_INSERT_TAIL(&new_tail, pc, pc_lru);
		/*
		 * The reclamation might have freed a chunk of pm with
		 * available entries: count again.
		 */
		if (reclaimed)
			goto retry;
	}
	if (md->md_pvchunk == ENG_PVCHUNK_GLOBAL && !TAILQ_EMPTY(&new_tail)) {
		pv_global_lock(c, &md->md_chunks_mtx, ENG_HERE);
		TAILQ_CONCAT(&md->md_chunks, &new_tail, pc_lru);
		pv_global_unlock(c, &md->md_chunks_mtx);
	}
}

/*
 * Give back the chunks of a pmap being destroyed; every entry must be free
 * (the caller removed every mapping first).  The pmap is locked.
 */
void
pv_chunks_release_pmap(struct eng_cpu *c, struct pmap *pm)
{
	struct pv_chunk *pc;

	pmap_assert_locked(pm);
	while ((pc = TAILQ_FIRST(&pm->pm_pvchunk)) != NULL) {
		if (!pv_chunk_all_free(pc))
			ENG_PANIC("a mapping outlived pmap_remove()");
		TAILQ_REMOVE(&pm->pm_pvchunk, pc, pc_list);
		free_pv_chunk(c, pm->pm_md, pc);
	}
}
