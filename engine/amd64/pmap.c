/*
 * pmap.c - the amd64 pmap model: address spaces with a page-table stand-in
 * (4 KiB PTEs and 2 MiB PDEs), one pv entry per managed mapping on the
 * mapped page's pv list (or the 2 MiB frame's pv head), and the operations
 * of sys/amd64/amd64/pmap.c that the VM layer and the traces drive.
 *
 * Locking, as amd64 (REFERENCE.md section 3.1):
 *  - mapping-centric operations (pmap_enter, pmap_remove, promotion,
 *    demotion, pmap_extract_and_hold) lock the pmap, then switch the pv
 *    lock cursor from page to page (pv_lock.c);
 *  - page-centric operations (pmap_remove_all, pmap_remove_write) hold the
 *    page's pv lock and need each mapping's pmap lock: PMAP_TRYLOCK, else
 *    save the pv generations, drop the pv lock, PMAP_LOCK, retake, and
 *    restart when a generation moved (counted as pv_restarts);
 *  - every pv-list insert and removal bumps that list's pv_gen.
 * The pv entry allocator and reclamation are in pv_chunk.c.  --pv dfly
 * (DragonFly 5.6) keeps no pv entry for a 4 KiB mapping: the PTE changes
 * here count the page's mappings instead, and the page-centric operations
 * walk the object's backings (pmap_dfly.c).
 *
 * Modelled, not kept: TLB invalidation (delayed invalidation), PAT modes,
 * the dirty bit's propagation to the page (PG_M stays in the PTE), 1 GiB
 * pages, kernel and unmanaged mappings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_alloc.h"
#include "pmap_internal.h"

#define PMAP_PDHASH_MIN	16

/* The pmap of a trace slot, or NULL when the slot is out of range. */
static struct pmap *
pmap_slot(struct pmap_md *md, uint64_t slot)
{

	return (slot < md->md_npmaps ? &md->md_pmaps[slot] : NULL);
}

/* PHYS_TO_VM_PAGE. */
static struct vm_page *
pmap_phys_page(struct pmap_md *md, vm_paddr_t pa)
{

	return (pmap_mi_phys_to_page(md->md_engine, pa));
}

/*
 * Page-table stand-in.
 */
/* Bucket of va's 2 MiB region in pm's directory hash. */
static unsigned
pmap_pd_hash(const struct pmap *pm, uint64_t va)
{

	return ((unsigned)((pmap_pde_index(va) * 0x9e3779b97f4a7c15ul) >>
	    32) & pm->pm_pdmask);
}

/*
 * The pmap_pd of va's 2 MiB region, or NULL, without a lock of its own:
 * the caller keeps pm still, by its lock (pmap_pd_lookup()) or because
 * the workers have stopped (pmap_check()).
 */
struct pmap_pd *
pmap_pd_find(const struct pmap *pm, uint64_t va)
{
	struct pmap_pd *pd;

	va &= ~PDRMASK;
	if (pm->pm_pdhash == NULL)
		return (NULL);
	for (pd = pm->pm_pdhash[pmap_pd_hash(pm, va)]; pd != NULL;
	    pd = pd->pd_next)
		if (pd->pd_va == va)
			return (pd);
	return (NULL);
}

/* The pmap_pd of va's 2 MiB region, or NULL.  The pmap is locked. */
struct pmap_pd *
pmap_pd_lookup(struct eng_cpu *c, struct pmap *pm, uint64_t va)
{

	PMAP_LOCK_ASSERT(c, pm);
	return (pmap_pd_find(pm, va));
}

/* Grow (or create) pm's directory hash to nbuckets.  The pmap is locked. */
static void
pmap_pd_rehash(struct eng_cpu *c, struct pmap *pm, unsigned nbuckets)
{
	struct pmap_pd **old, *pd, *next;
	unsigned i, oldn;

	PMAP_LOCK_ASSERT(c, pm);
	old = pm->pm_pdhash;
	oldn = old != NULL ? pm->pm_pdmask + 1 : 0;
	pm->pm_pdhash = eng_calloc(nbuckets, sizeof(*pm->pm_pdhash));
	if (pm->pm_pdhash == NULL)
		ENG_PANIC("pmap %p: out of memory for %u pd buckets", (void *)pm,
		    nbuckets);
	pm->pm_pdmask = nbuckets - 1;
	for (i = 0; i < oldn; i++) {
		for (pd = old[i]; pd != NULL; pd = next) {
			next = pd->pd_next;
			pd->pd_next = pm->pm_pdhash[pmap_pd_hash(pm, pd->pd_va)];
			pm->pm_pdhash[pmap_pd_hash(pm, pd->pd_va)] = pd;
		}
	}
	free(old);
}

/*
 * The pmap_pd of va, created empty (no PTP, pd_count 0) if absent: the
 * model's pmap_allocpte() up to the page-directory level.  The pmap is
 * locked.
 */
static struct pmap_pd *
pmap_pd_get(struct eng_cpu *c, struct pmap *pm, uint64_t va)
{
	struct pmap_pd *pd;
	unsigned b;

	pd = pmap_pd_lookup(c, pm, va);
	if (pd != NULL)
		return (pd);
	if (pm->pm_pdhash == NULL || pm->pm_pdcount >= 2 * (pm->pm_pdmask + 1))
		pmap_pd_rehash(c, pm, pm->pm_pdhash == NULL ? PMAP_PDHASH_MIN :
		    2 * (pm->pm_pdmask + 1));
	pd = eng_calloc(1, sizeof(*pd));
	if (pd == NULL)
		ENG_PANIC("pmap %p: out of memory for a page directory",
		    (void *)pm);
	pd->pd_va = va & ~PDRMASK;
	b = pmap_pd_hash(pm, pd->pd_va);
	pd->pd_next = pm->pm_pdhash[b];
	pm->pm_pdhash[b] = pd;
	pm->pm_pdcount++;
	return (pd);
}

/* A zeroed page-table page (512 invalid PTEs). */
static uint64_t *
pmap_ptp_alloc(void)
{
	uint64_t *ptp;

	ptp = eng_calloc(NPTEPG, sizeof(*ptp));
	if (ptp == NULL)
		ENG_PANIC("out of memory for a page-table page");
	return (ptp);
}

/*
 * Unlink pd from pm's directory and free it with its PTP.  The pmap is
 * locked.
 */
static void
pmap_pd_free(struct eng_cpu *c, struct pmap *pm, struct pmap_pd *pd)
{
	struct pmap_pd **pp;

	PMAP_LOCK_ASSERT(c, pm);
	for (pp = &pm->pm_pdhash[pmap_pd_hash(pm, pd->pd_va)]; *pp != pd;
	    pp = &(*pp)->pd_next)
		;
	*pp = pd->pd_next;
	pm->pm_pdcount--;
	free(pd->pd_ptp);
	free(pd);
}

/*
 * pmap_unuse_pt: drop one reference of the PTP of pd; the last one frees
 * the page-table page (and the model's directory entry).  The pmap is
 * locked.
 */
void
pmap_unuse_pt(struct eng_cpu *c, struct pmap *pm, struct pmap_pd *pd)
{

	PMAP_LOCK_ASSERT(c, pm);
	if (--pd->pd_count == 0)
		pmap_pd_free(c, pm, pd);
}

/*
 * pv list helpers.
 */

/*
 * Every change of a pv list goes through pmap_pv_insert and pmap_pv_unlink:
 * the generation moves (the restart protocol) and pv_count follows for
 * lock-free readers.  The list's pv lock is held through cur.
 */
static void
pmap_pv_insert(struct pv_cursor *cur, struct md_page *pvh,
    struct pv_entry *pv)
{

	PV_LIST_LOCK_ASSERT(cur, pvh);
	TAILQ_INSERT_TAIL(&pvh->pv_list, pv, pv_next);
	pvh->pv_gen++;
	atomic_fetch_add_explicit(&pvh->pv_count, 1, memory_order_relaxed);
}

/* Unlink pv from pvh (see pmap_pv_insert).  pvh's pv lock, through cur. */
void
pmap_pv_unlink(struct pv_cursor *cur, struct md_page *pvh,
    struct pv_entry *pv)
{

	PV_LIST_LOCK_ASSERT(cur, pvh);
	TAILQ_REMOVE(&pvh->pv_list, pv, pv_next);
	pvh->pv_gen++;
	atomic_fetch_sub_explicit(&pvh->pv_count, 1, memory_order_relaxed);
}

/*
 * pmap_pvh_remove: unlink and return the pv entry of (pm, va) on pvh, or
 * NULL.  pvh's pv lock is held through cur.
 */
struct pv_entry *
pmap_pvh_remove(struct pv_cursor *cur, struct md_page *pvh, struct pmap *pm,
    uint64_t va)
{
	struct pv_entry *pv;

	PV_LIST_LOCK_ASSERT(cur, pvh);
	TAILQ_FOREACH(pv, &pvh->pv_list, pv_next) {
		if (PV_PMAP(pv) == pm && pv->pv_va == va) {
			pmap_pv_unlink(cur, pvh, pv);
			return (pv);
		}
	}
	return (NULL);
}

/*
 * pmap_pvh_free: remove and free the pv entry of (pm, va).  pvh's pv lock
 * is held through cur, and the pmap is locked.
 */
static void
pmap_pvh_free(struct pv_cursor *cur, struct md_page *pvh, struct pmap *pm,
    uint64_t va)
{
	struct pv_entry *pv;

	PMAP_LOCK_ASSERT(cur->cpu, pm);
	pv = pmap_pvh_remove(cur, pvh, pm, va);
	if (pv == NULL)
		ENG_PANIC("pmap %p va %#jx: a mapping without its pv entry",
		    (void *)pm, (uintmax_t)va);
	free_pv_entry(cur->cpu, pm, pv);
}

/*
 * Clear PGA_WRITEABLE once m has no 4 KiB and no 2 MiB mapping left.  m's
 * pv lock is held through cur.  The frame's pv head is read through its
 * atomic count, without its lock: while m's list is empty and locked no
 * promotion can add a 2 MiB entry covering m (it would need m's entry and
 * lock), and a racing demotion only makes the answer conservative (the
 * flag stays set).
 */
void
pmap_clear_writeable_if_unmapped(struct pv_cursor *cur, struct vm_page *m)
{
	struct md_page *mdp;

	mdp = pmap_mi_md(m);
	PV_LIST_LOCK_ASSERT(cur, mdp);
	if (TAILQ_EMPTY(&mdp->pv_list) &&
	    atomic_load_explicit(&mdp->pv_pvh->pv_count,
	    memory_order_relaxed) == 0)
		pmap_mi_writeable_clear(cur->cpu, m);
}

/*
 * Promotion and demotion.
 */

/*
 * Move the pv entry of (pm, va) from the list from to the list to of pa's
 * 2 MiB frame (the first page's list and the frame's head), the frame's
 * pv locks taken through cur: the first step of promotion and demotion.
 * The pmap is locked.
 */
static void
pmap_pv_move_frame_entry(struct eng_cpu *c, struct pmap *pm, uint64_t va,
    vm_paddr_t pa, struct md_page *from, struct md_page *to,
    struct pv_cursor *cur)
{
	struct pv_entry *pv;

	PMAP_LOCK_ASSERT(c, pm);
	pv_lock_frame_all(cur, pa);
	pv = pmap_pvh_remove(cur, from, pm, va);
	if (pv == NULL)
		ENG_PANIC("pmap %p va %#jx pa %#jx: mapping without its pv "
		    "entry", (void *)pm, (uintmax_t)va, (uintmax_t)pa);
	pmap_pv_insert(cur, to, pv);
}

/*
 * pmap_pv_promote_pde: fold the 512 pv entries of the 4 KiB mappings of
 * [va, va + 2 MiB) -> [pa, pa + 2 MiB) into one entry on the frame's pv
 * head: the first page's entry moves, the 511 others are freed one by one
 * (pmap_pvh_free(), as amd64: the chunk lock only for a chunk that becomes
 * entirely free).  One pv lock under hashed/superpage; the head and all
 * 512 page locks under perpage.  The pmap is locked, and under
 * hashed:N:global pvh_global_lock held (release/10.4.0 pmap.c line 3271).
 */
static void
pmap_pv_promote_pde(struct eng_cpu *c, struct pmap *pm, uint64_t va,
    vm_paddr_t pa, struct pv_cursor *cur)
{
	struct pmap_md *md;
	int i;

	PMAP_LOCK_ASSERT(c, pm);
	PVH_GLOBAL_LOCK_ASSERT(cur);
	md = pm->pm_md;
	pmap_pv_move_frame_entry(c, pm, va, pa,
	    pmap_mi_md(pmap_phys_page(md, pa)), pa_to_pvh(md, pa), cur);
	for (i = 1; i < NPTEPG; i++)
		pmap_pvh_free(cur, pmap_mi_md(pmap_phys_page(md, pa +
		    (uint64_t)i * PAGE_SIZE)), pm, va +
		    (uint64_t)i * PAGE_SIZE);
}

/*
 * pmap_promote_pde: replace the 512 PTEs of pd by one 2 MiB mapping if they
 * map aligned, physically contiguous memory with identical attributes
 * (clean writable PTEs are made read-only first, as amd64 does).  The PTP
 * is kept for a later demotion.  Returns true if promoted.  The pmap is
 * locked; pv locks are switched through cur.
 */
static bool
pmap_promote_pde(struct eng_cpu *c, struct pmap *pm, struct pmap_pd *pd,
    struct pv_cursor *cur)
{
	uint64_t *ptp, first, pte, pa;
	int i;

	PMAP_LOCK_ASSERT(c, pm);
	if (pm->pm_md->md_pv == ENG_PV_DFLY)
		return (false);		/* no user superpages (pmap_dfly.c) */
	ptp = pd->pd_ptp;
	if (ptp == NULL || (pd->pd_pde & PG_PS) != 0 ||
	    pd->pd_count != NPTEPG)
		goto fail;
	first = ptp[0];
	if ((first & PG_V) == 0 || ((first & PG_FRAME) & PDRMASK) != 0)
		goto fail;
	if ((first & (PG_M | PG_RW)) == PG_RW)
		ptp[0] = first &= ~PG_RW;
	pa = (first & PG_FRAME) + NBPDR - PAGE_SIZE;
	for (i = NPTEPG - 1; i > 0; i--, pa -= PAGE_SIZE) {
		pte = ptp[i];
		if ((pte & PG_FRAME) != pa || (pte & PG_V) == 0)
			goto fail;
		if ((pte & (PG_M | PG_RW)) == PG_RW)
			ptp[i] = pte &= ~PG_RW;
		if ((pte & PG_PTE_PROMOTE) != (first & PG_PTE_PROMOTE))
			goto fail;
	}
	pmap_pv_promote_pde(c, pm, pd->pd_va, first & PG_PS_FRAME, cur);
	pd->pd_pde = (first & PG_PS_FRAME) | (first & PG_PTE_PROMOTE) |
	    PG_PS | PG_PROMOTED;
	PMAP_CNT_INC(c, pm->pm_md, promotions);
	return (true);
fail:
	PMAP_CNT_INC(c, pm->pm_md, promote_failures);
	return (false);
}

/*
 * pmap_pv_demote_pde: unfold the frame's pv entry of (pm, va) into 512
 * entries: it moves to the first page, 511 new ones come straight from the
 * spares reserve_pv_entries() set aside (get_pv_entry() without a cursor
 * cannot allocate a chunk: no chunk lock).  The lock(s) are not released
 * part-way.  The pmap is locked, and under hashed:N:global pvh_global_lock
 * held (release/10.4.0 pmap.c line 3204).
 */
static void
pmap_pv_demote_pde(struct eng_cpu *c, struct pmap *pm, uint64_t va,
    vm_paddr_t pa, struct pv_cursor *cur)
{
	struct pv_entry *pv;
	struct pmap_md *md;
	int i;

	PMAP_LOCK_ASSERT(c, pm);
	PVH_GLOBAL_LOCK_ASSERT(cur);
	md = pm->pm_md;
	pmap_pv_move_frame_entry(c, pm, va, pa, pa_to_pvh(md, pa),
	    pmap_mi_md(pmap_phys_page(md, pa)), cur);
	for (i = 1; i < NPTEPG; i++) {
		pv = get_pv_entry(c, pm, NULL);
		pv->pv_va = va + (uint64_t)i * PAGE_SIZE;
		pmap_pv_insert(cur, pmap_mi_md(pmap_phys_page(md, pa +
		    (uint64_t)i * PAGE_SIZE)), pv);
	}
}

/*
 * pmap_demote_pde_locked: replace the 2 MiB mapping of pd by 512 4 KiB
 * mappings with the same attributes.  The 511 extra pv entries are
 * reserved before anything changes (reclamation may release the pv lock
 * meanwhile).  The pmap is locked.
 */
static void
pmap_demote_pde_locked(struct eng_cpu *c, struct pmap *pm, struct pmap_pd *pd,
    struct pv_cursor *cur)
{
	uint64_t pde, attrs, pa;
	int i;

	PMAP_LOCK_ASSERT(c, pm);
	reserve_pv_entries(c, pm, NPTEPG - 1, cur);
	pde = pd->pd_pde;
	pa = pde & PG_PS_FRAME;
	attrs = pde & PG_PTE_PROMOTE;
	if (pd->pd_ptp == NULL)
		pd->pd_ptp = pmap_ptp_alloc();
	for (i = 0; i < NPTEPG; i++)
		pd->pd_ptp[i] = (pa + (uint64_t)i * PAGE_SIZE) | attrs;
	pd->pd_pde = 0;
	pmap_pv_demote_pde(c, pm, pd->pd_va, pa, cur);
	PMAP_CNT_INC(c, pm->pm_md, demotions);
}

/*
 * Removal.
 */

/*
 * pmap_unmap_pde: clear the 2 MiB mapping of pd and unlink its frame's pv
 * entry, which is returned for the caller to free; pd is freed.
 * Frame-wide pv lock(s).  refs: a set PG_A becomes each page's
 * PGA_REFERENCED, as pmap_remove_pde() does (pmap_remove_pages() does
 * not).  The pmap is locked.
 */
static struct pv_entry *
pmap_unmap_pde(struct eng_cpu *c, struct pmap *pm, struct pmap_pd *pd,
    struct pv_cursor *cur, bool refs)
{
	struct pmap_md *md;
	struct pv_entry *pv;
	vm_paddr_t pa;
	uint64_t pde;
	int i;

	PMAP_LOCK_ASSERT(c, pm);
	md = pm->pm_md;
	pde = pd->pd_pde;
	pa = pde & PG_PS_FRAME;
	pv_lock_frame_all(cur, pa);
	pv = pmap_pvh_remove(cur, pa_to_pvh(md, pa), pm, pd->pd_va);
	if (pv == NULL)
		ENG_PANIC("pmap %p va %#jx: superpage mapping without its pv "
		    "entry", (void *)pm, (uintmax_t)pd->pd_va);
	pm->pm_stats.resident_count -= NPTEPG;
	if ((pde & PG_W) != 0)
		pm->pm_stats.wired_count -= NPTEPG;
	if ((pde & PG_RW) != 0) {
		for (i = 0; i < NPTEPG; i++)
			pmap_clear_writeable_if_unmapped(cur,
			    pmap_phys_page(md, pa + (uint64_t)i * PAGE_SIZE));
	}
	if (refs && (pde & PG_A) != 0) {
		for (i = 0; i < NPTEPG; i++)
			pmap_mi_referenced_set(c,
			    pmap_phys_page(md, pa + (uint64_t)i * PAGE_SIZE));
	}
	pd->pd_pde = 0;
	pd->pd_count = 0;
	pmap_pd_free(c, pm, pd);
	return (pv);
}

/*
 * pmap_unmap_pte: clear the 4 KiB mapping of va in pd and unlink its pv
 * entry, which is returned for the caller to free (NULL under dfly: the
 * page's counts drop instead); the last PTE frees pd.  The page's pv lock
 * through cur.  refs: a set PG_A becomes the page's PGA_REFERENCED, as
 * pmap_remove_pte() does (pmap_remove_pages() does not; under --pv dfly
 * the model leaves it out).  The pmap is locked.
 */
static struct pv_entry *
pmap_unmap_pte(struct eng_cpu *c, struct pmap *pm, struct pmap_pd *pd,
    uint64_t va, struct pv_cursor *cur, bool refs)
{
	struct vm_page *m;
	struct pv_entry *pv;
	uint64_t *pte, tpte;

	PMAP_LOCK_ASSERT(c, pm);
	pte = &pd->pd_ptp[pmap_pte_index(va)];
	tpte = *pte;
	*pte = 0;
	pm->pm_stats.resident_count--;
	if ((tpte & PG_W) != 0)
		pm->pm_stats.wired_count--;
	m = pmap_phys_page(pm->pm_md, tpte & PG_FRAME);
	if (pm->pm_md->md_pv == ENG_PV_DFLY) {
		pmap_dfly_unmapped(c, pm, m, tpte);
		pmap_unuse_pt(c, pm, pd);
		return (NULL);
	}
	if (refs && (tpte & PG_A) != 0)
		pmap_mi_referenced_set(c, m);
	pv_lock_page(cur, m);
	pv = pmap_pvh_remove(cur, pmap_mi_md(m), pm, va);
	if (pv == NULL)
		ENG_PANIC("pmap %p va %#jx: mapping without its pv entry",
		    (void *)pm, (uintmax_t)va);
	pmap_clear_writeable_if_unmapped(cur, m);
	pmap_unuse_pt(c, pm, pd);
	return (pv);
}

/*
 * pmap_remove_pte: remove the 4 KiB mapping of va in pd, and its pv entry.
 * Returns true if that freed pd (its last PTE).  The pmap is locked.
 */
static bool
pmap_remove_pte(struct eng_cpu *c, struct pmap *pm, struct pmap_pd *pd,
    uint64_t va, struct pv_cursor *cur)
{
	struct pv_entry *pv;
	bool last;

	PMAP_LOCK_ASSERT(c, pm);
	last = pd->pd_count == 1;
	pv = pmap_unmap_pte(c, pm, pd, va, cur, true);
	if (pv != NULL)
		free_pv_entry(c, pm, pv);
	return (last);
}

/*
 * Remove the mappings of [sva, eva) within pd's 2 MiB region.  The pmap is
 * locked.
 */
static void
pmap_remove_pd(struct eng_cpu *c, struct pmap *pm, struct pmap_pd *pd,
    uint64_t sva, uint64_t eva, struct pv_cursor *cur)
{
	uint64_t va;

	PMAP_LOCK_ASSERT(c, pm);
	if ((pd->pd_pde & PG_PS) != 0) {
		if (sva == pd->pd_va && eva - sva == NBPDR) {
			free_pv_entry(c, pm, pmap_unmap_pde(c, pm, pd, cur,
			    true));
			return;
		}
		pmap_demote_pde_locked(c, pm, pd, cur);
	}
	for (va = sva; va < eva; va += PAGE_SIZE) {
		if ((pd->pd_ptp[pmap_pte_index(va)] & PG_V) != 0 &&
		    pmap_remove_pte(c, pm, pd, va, cur))
			return;
	}
}

/*
 * pmap_remove of [sva, eva) with the pmap locked.  Visits the regions in
 * range, or, for a range sparser than the pmap, the pmap's regions, by
 * address: a demotion's reclamation may free other regions of this pmap,
 * so no pmap_pd pointer is kept across one region's removal.
 */
static void
pmap_remove_locked(struct eng_cpu *c, struct pmap *pm, uint64_t sva,
    uint64_t eva, struct pv_cursor *cur)
{
	struct pmap_pd *pd;
	uint64_t *vas, va, va_next;
	unsigned i, n;

	PMAP_LOCK_ASSERT(c, pm);
	if (pm->pm_pdhash == NULL || pm->pm_pdcount == 0 || sva >= eva)
		return;
	if (((eva - sva) >> PDRSHIFT) > 2 * (uint64_t)pm->pm_pdcount) {
		vas = malloc(pm->pm_pdcount * sizeof(*vas));
		if (vas == NULL)
			ENG_PANIC("pmap %p: out of memory", (void *)pm);
		n = 0;
		for (i = 0; i <= pm->pm_pdmask; i++)
			for (pd = pm->pm_pdhash[i]; pd != NULL;
			    pd = pd->pd_next)
				if (pd->pd_va + NBPDR > sva && pd->pd_va < eva)
					vas[n++] = pd->pd_va;
		for (i = 0; i < n; i++) {
			pd = pmap_pd_lookup(c, pm, vas[i]);
			if (pd == NULL)
				continue;
			pmap_remove_pd(c, pm, pd, vas[i] < sva ? sva : vas[i],
			    vas[i] + NBPDR > eva ? eva : vas[i] + NBPDR, cur);
		}
		free(vas);
		return;
	}
	for (va = sva; va < eva; va = va_next) {
		va_next = (va + NBPDR) & ~PDRMASK;
		if (va_next < va || va_next > eva)
			va_next = eva;
		pd = pmap_pd_lookup(c, pm, va);
		if (pd != NULL)
			pmap_remove_pd(c, pm, pd, va, va_next, cur);
	}
}

/*
 * pmap_remove_pages: process exit (vmspace_exit()).  Destroy every
 * non-wired mapping of pm by walking its pv chunks instead of its page
 * tables, setting the entries' bits directly, and free the chunks that
 * became entirely free together (free_pv_chunk_batch()), as amd64
 * pmap_remove_pages(): no chunk lock per entry.  Wired mappings are left
 * for the vm_map teardown's pmap_remove().  The pmap is locked.
 */
static void
pmap_remove_pages(struct eng_cpu *c, struct pmap *pm, struct pv_cursor *cur)
{
	struct pv_chunk_list free_chunks[PMAP_MEMDOM];
	struct pv_chunk *pc, *npc;
	struct pv_entry *pv;
	struct pmap_pd *pd;
	int i, idx;
	bool allfree, wired;

	PMAP_LOCK_ASSERT(c, pm);
	for (i = 0; i < PMAP_MEMDOM; i++)
		TAILQ_INIT(&free_chunks[i]);
	for (pc = TAILQ_FIRST(&pm->pm_pvchunk); pc != NULL; pc = npc) {
		npc = TAILQ_NEXT(pc, pc_list);
		allfree = true;
		for (idx = pv_chunk_next_inuse(c, pc, 0); idx < _NPCPV;
		    idx = pv_chunk_next_inuse(c, pc, idx + 1)) {
			pv = &pc->pc_pventry[idx];
			pd = pmap_pd_lookup(c, pm, pv->pv_va);
			if ((pd->pd_pde & PG_PS) != 0) {
				wired = (pd->pd_pde & PG_W) != 0;
				if (!wired)
					(void)pmap_unmap_pde(c, pm, pd, cur,
					    false);
			} else {
				wired = (pd->pd_ptp[pmap_pte_index(pv->pv_va)] &
				    PG_W) != 0;
				if (!wired)
					(void)pmap_unmap_pte(c, pm, pd,
					    pv->pv_va, cur, false);
			}
			if (wired)
				allfree = false;
			else
				pv_chunk_free_bit(c, pc, idx);
		}
		if (allfree) {
			TAILQ_REMOVE(&pm->pm_pvchunk, pc, pc_list);
			TAILQ_INSERT_TAIL(&free_chunks[pc_to_domain(pc)], pc,
			    pc_list);
		}
	}
	pv_unlock(cur);
	free_pv_chunk_batch(c, pm, free_chunks);
}

/*
 * Operations.
 */

/*
 * pmap_pinit: make the pmap slot an empty address space.  Under
 * --pvchunk pmaps it joins the global pmap list (its lock: the only global
 * lock of a pmap's life besides reclamation).  The pmap is locked.
 */
static void
pmap_pinit_locked(struct eng_cpu *c, struct pmap *pm)
{
	ENG_SITE_DEFINE;
	struct pmap_md *md;

	PMAP_LOCK_ASSERT(c, pm);
	md = pm->pm_md;
	pm->pm_active = true;
	memset(&pm->pm_stats, 0, sizeof(pm->pm_stats));
	TAILQ_INIT(&pm->pm_pvchunk);
	if (md->md_pvchunk == ENG_PVCHUNK_PMAPS) {
		pv_global_lock(c, &md->md_allpmaps_mtx, ENG_HERE);
		TAILQ_INSERT_TAIL(&md->md_allpmaps, pm, pm_list);
		pv_global_unlock(c, &md->md_allpmaps_mtx);
	}
}

/* pmap_create (fork/exec): returns 1 if the slot is already in use. */
int
pmap_ev_create(struct eng_cpu *c, uint64_t slot)
{
	ENG_SITE_DEFINE;
	struct pmap *pm;
	int rv;

	pm = pmap_slot(pmap_mi_cpu_md(c), slot);
	if (pm == NULL)
		return (1);
	PMAP_LOCK(c, pm);
	rv = pm->pm_active ? 1 : 0;
	if (!pm->pm_active)
		pmap_pinit_locked(c, pm);
	PMAP_UNLOCK(c, pm);
	return (rv);
}

/*
 * pmap_destroy (exit): pmap_remove_pages(), then the vm_map teardown's
 * pmap_remove() of what is left (wired mappings), then release the pmap
 * (pmap_release(): no mapping and no pv chunk left); under dfly the map
 * entries' backings are detached last (pmap_dfly_detach_all).  Under
 * hashed:N:global pvh_global_lock is read-locked before the pmap lock and
 * dropped before it, as 10.4's pmap_remove_pages does (release/10.4.0
 * pmap.c lines 5419, 5552); the teardown's pmap_remove() is done under the
 * same hold.  pmap_remove_pages opens no delayed-invalidation block (the
 * pmap is inactive; 2019 head pmap.c @172000); the teardown's pmap_remove
 * does, only if mappings are left (its resident_count == 0 early return):
 * here opened under the pmap lock the model holds throughout, closed after
 * it (pmap_invl.c).  Returns 1 if the slot is not in use.
 */
int
pmap_ev_destroy(struct eng_cpu *c, uint64_t slot)
{
	ENG_SITE_DEFINE;
	struct pmap_md *md;
	struct pmap *pm;
	struct pv_cursor cur;
	bool di;

	md = pmap_mi_cpu_md(c);
	pm = pmap_slot(md, slot);
	if (pm == NULL)
		return (1);
	pv_cursor_init(&cur, c, md, ENG_HERE);
	pvh_global_rlock(&cur);
	PMAP_LOCK(c, pm);
	if (!pm->pm_active) {
		pvh_global_unlock(&cur);
		PMAP_UNLOCK(c, pm);
		return (1);
	}
	pmap_remove_pages(c, pm, &cur);
	di = pm->pm_stats.resident_count != 0;
	if (di)
		pmap_delayed_invl_start(c);
	pmap_remove_locked(c, pm, 0, UINT64_MAX, &cur);
	pv_unlock(&cur);
	pvh_global_unlock(&cur);
	ENG_KASSERT(TAILQ_EMPTY(&pm->pm_pvchunk) &&
	    pm->pm_stats.resident_count == 0, "pmap %p (slot %ju) released "
	    "with %ju mappings", (void *)pm, (uintmax_t)slot,
	    (uintmax_t)pm->pm_stats.resident_count);
	if (md->md_pvchunk == ENG_PVCHUNK_PMAPS) {
		pv_global_lock(c, &md->md_allpmaps_mtx, ENG_HERE);
		TAILQ_REMOVE(&md->md_allpmaps, pm, pm_list);
		pv_global_unlock(c, &md->md_allpmaps_mtx);
	}
	free(pm->pm_pdhash);
	pm->pm_pdhash = NULL;
	pm->pm_pdmask = 0;
	pm->pm_active = false;
	if (md->md_pv == ENG_PV_DFLY)
		pmap_dfly_detach_all(c, pm, ENG_HERE);	/* unlocks pm */
	else
		PMAP_UNLOCK(c, pm);
	if (di)
		pmap_delayed_invl_finish(c);
	return (0);
}

/*
 * The 4 KiB PTE of va in pm, 0 when it has none; *ptp (if not NULL): whether
 * a page-table page covers va (no 2 MiB mapping); *seen: what a valid PTE
 * maps (pmap_ev_is_prefaultable()).  The pmap is locked.
 */
static uint64_t
pmap_pte_seen(struct eng_cpu *c, struct pmap *pm, uint64_t va,
    struct pmap_seen *seen, bool *ptp)
{
	struct pmap_pd *pd;
	uint64_t pte;
	bool have;

	PMAP_LOCK_ASSERT(c, pm);
	pd = pm->pm_active ? pmap_pd_lookup(c, pm, va) : NULL;
	have = pd != NULL && (pd->pd_pde & PG_PS) == 0 && pd->pd_ptp != NULL;
	pte = have ? pd->pd_ptp[pmap_pte_index(va)] : 0;
	seen->mapped = (pte & PG_V) != 0 && pmap_mi_page_object(pm->pm_md->
	    md_engine, pmap_phys_page(pm->pm_md, pte & PG_FRAME), &seen->obj,
	    &seen->pindex);
	seen->writeable = (pte & PG_RW) != 0;
	if (ptp != NULL)
		*ptp = have;
	return (pte);
}

/*
 * pmap_enter: map va to m in pm, writable if write, wired (PG_W) if wired.
 * Demotes a 2 MiB mapping of va first; replaces another page's mapping at
 * va, reusing its pv entry; else takes a new pv entry (which may reclaim).
 * Attempts a promotion when the PTP becomes full.  Under dfly: no pv
 * entry, m's counts rise and a replaced page's fall, and m's object gets a
 * backing for (pm, va) first if it has none.  The caller holds m busy or
 * its object locked (MI rule); takes the pmap lock, then pv locks (dfly:
 * the object's backing_lk first when it attaches a backing; hashed:N:global:
 * pvh_global_lock read-locked first and dropped before the pmap lock, as
 * release/10.4.0 pmap.c pmap_enter, lines 4299 and 4459).  With seen
 * not NULL, declined when va has a valid PTE already (*seen then says
 * what it maps, as pmap_pte_seen(); pmap_ev_enter_prefault()).  Returns
 * whether it entered m.
 */
bool
pmap_enter(struct eng_cpu *c, struct pmap *pm, uint64_t va, struct vm_page *m,
    bool write, bool wired, struct pmap_seen *seen)
{
	ENG_SITE_DEFINE;
	struct pmap_md *md;
	struct pmap_pd *pd;
	struct pv_cursor cur;
	struct pv_entry *pv;
	struct vm_page *om;
	uint64_t newpte, origpte, *pte;
	vm_paddr_t pa;
	bool entered = true;

	md = pm->pm_md;
	va &= ~PAGE_MASK;
	pa = pmap_mi_page_to_phys(m);
	newpte = pa | PG_V | PG_A | PG_MANAGED;
	if (write)
		newpte |= PG_RW | PG_M;
	if (wired)
		newpte |= PG_W;
	pv_cursor_init(&cur, c, md, ENG_HERE);
	pvh_global_rlock(&cur);
	PMAP_LOCK(c, pm);
	if (seen != NULL && (pmap_pte_seen(c, pm, va, seen, NULL) & PG_V)) {
		entered = false;
		goto unlock;
	}
	if (md->md_pv == ENG_PV_DFLY)
		pmap_dfly_backing_ensure(c, pm, m, va, ENG_HERE);
	if (!pm->pm_active)
		pmap_pinit_locked(c, pm);
	pd = pmap_pd_get(c, pm, va);
	if ((pd->pd_pde & PG_PS) != 0)
		pmap_demote_pde_locked(c, pm, pd, &cur);
	if (pd->pd_ptp == NULL)
		pd->pd_ptp = pmap_ptp_alloc();
	pte = &pd->pd_ptp[pmap_pte_index(va)];
	origpte = *pte;
	pv = NULL;
	if ((origpte & PG_V) != 0 && (origpte & PG_FRAME) == pa) {
		/* Same page: only the attributes change. */
		if ((origpte & PG_W) != 0 && !wired)
			pm->pm_stats.wired_count--;
		else if ((origpte & PG_W) == 0 && wired)
			pm->pm_stats.wired_count++;
		if (md->md_pv == ENG_PV_DFLY) {
			/* The new PTE is counted before the old one goes. */
			pmap_dfly_mapped(c, pm, m, newpte);
			pmap_dfly_unmapped(c, pm, m, origpte);
		} else if (write) {
			pv_lock_page(&cur, m);
			pmap_mi_writeable_set(c, m);
		}
		*pte = newpte | (origpte & PG_M);
		goto validate;
	}
	if ((origpte & PG_V) != 0) {
		/* Another page: unmap it, keeping its pv entry for m. */
		*pte = 0;
		if ((origpte & PG_W) != 0)
			pm->pm_stats.wired_count--;
		om = pmap_phys_page(md, origpte & PG_FRAME);
		if (md->md_pv == ENG_PV_DFLY) {
			pmap_dfly_unmapped(c, pm, om, origpte);
			goto dfly_new;
		}
		pv_lock_page(&cur, om);
		pv = pmap_pvh_remove(&cur, pmap_mi_md(om), pm, va);
		if (pv == NULL)
			ENG_PANIC("pmap %p va %#jx: replaced mapping without "
			    "its pv entry", (void *)pm, (uintmax_t)va);
		pmap_clear_writeable_if_unmapped(&cur, om);
	} else {
		/* A new mapping: the PTP reference keeps pd alive. */
		pd->pd_count++;
		pm->pm_stats.resident_count++;
	}
dfly_new:
	if (wired)
		pm->pm_stats.wired_count++;
	if (md->md_pv == ENG_PV_DFLY) {
		pmap_dfly_mapped(c, pm, m, newpte);
		*pte = newpte;
		goto validate;
	}
	if (pv == NULL)
		pv = get_pv_entry(c, pm, &cur);
	pv->pv_va = va;
	pv_lock_page(&cur, m);
	pmap_pv_insert(&cur, pmap_mi_md(m), pv);
	if (write)
		pmap_mi_writeable_set(c, m);
	*pte = newpte;
validate:
	if (pd->pd_count == NPTEPG)
		(void)pmap_promote_pde(c, pm, pd, &cur);
unlock:
	pv_unlock(&cur);
	pvh_global_unlock(&cur);
	PMAP_UNLOCK(c, pm);
	return (entered);
}

/* Trace event: map (pmap_enter, never wired).  1 if the slot is invalid. */
int
pmap_ev_enter(struct eng_cpu *c, uint64_t slot, uint64_t va,
    struct vm_page *m, bool write)
{
	struct pmap *pm;

	pm = pmap_slot(pmap_mi_cpu_md(c), slot);
	if (pm == NULL || m == NULL)
		return (1);
	(void)pmap_enter(c, pm, va, m, write, false, NULL);
	return (0);
}

/*
 * --pv dfly: DragonFly 5.6's vm_prefault_quick() asks pmap_prefault_ok()
 * whether va is unmapped, then pmap_enter()s the page there (v5.6.0
 * sys/vm/vm_fault.c lines 3279 and 3308/3357).  pmap_prefault_ok() reads
 * the PTE with no lock (sys/platform/pc64/x86_64/pmap.c lines 5241-5254,
 * its pm_spin commented out); the model reads it under the pmap lock
 * that pmap_enter() takes (its page tables are a hash a concurrent
 * pmap_enter() may grow), so both are one pmap_enter(): entered,
 * or declined when va has a valid PTE (*seen: what it maps, the model's
 * knowledge).  A decline costs that lock, which DragonFly's test does
 * not take (design-dragonfly.md, "The burst").  False also when the slot
 * is invalid.  As pmap_enter().
 */
bool
pmap_ev_enter_prefault(struct eng_cpu *c, uint64_t slot, uint64_t va,
    struct vm_page *m, bool write, struct pmap_seen *seen)
{
	struct pmap *pm;

	seen->mapped = false;
	pm = pmap_slot(pmap_mi_cpu_md(c), slot);
	return (pm != NULL && pmap_enter(c, pm, va, m, write, false, seen));
}

/*
 * pmap_is_prefaultable: whether va may be prefaulted, i.e. its page-table
 * page exists (a 4 KiB PDE, not a 2 MiB mapping) and va's PTE is invalid.
 * Takes and drops the pmap lock whatever the answer (coder03/freebsd10.4
 * @3d3f8b11 sys/amd64/amd64/pmap.c lines 5673-5690; the same in 13.0's,
 * sobomax/freebsd14_vendor @0f7ff342, index id 65761193378 @224000).  An
 * inactive pmap answers no.  What the PTE it read maps goes in *seen
 * (pmap_ev_is_prefaultable()).  No lock may be held but object locks.
 */
static bool
pmap_is_prefaultable(struct eng_cpu *c, struct pmap *pm, uint64_t va,
    struct pmap_seen *seen)
{
	ENG_SITE_DEFINE;
	uint64_t pte;
	bool ptp;

	PMAP_LOCK(c, pm);
	pte = pmap_pte_seen(c, pm, va, seen, &ptp);
	PMAP_UNLOCK(c, pm);
	return (ptp && (pte & PG_V) == 0);
}

/*
 * pmap_is_prefaultable() of slot's pmap; false if the slot is invalid.
 * When va has a valid 4 KiB PTE, seen->mapped is set, with the object
 * slot and pindex of its page and whether the mapping is writeable: read
 * under the same pmap lock, which keeps that page's identity (a page
 * leaves its object only after pmap_remove_all(), which needs the lock).
 * That is the model's knowledge, for ev_map(), not the kernel's answer.
 */
bool
pmap_ev_is_prefaultable(struct eng_cpu *c, uint64_t slot, uint64_t va,
    struct pmap_seen *seen)
{
	struct pmap *pm;

	seen->mapped = false;
	pm = pmap_slot(pmap_mi_cpu_md(c), slot);
	return (pm != NULL && pmap_is_prefaultable(c, pm, va, seen));
}

/*
 * pmap_enter_quick: map va to m read-only if va has no mapping: "makes
 * some *MAJOR* assumptions: ... Not wired. Read access. ... *MUCH* faster
 * than pmap_enter".  amd64 (coder03/freebsd10.4 @3d3f8b11
 * sys/amd64/amd64/pmap.c pmap_enter_quick lines 4595-4608 and
 * pmap_enter_quick_locked 4610-4713; 13.0's, sobomax/freebsd14_vendor
 * @0f7ff342 index id 65761193378 @204000, is the same but for 10.4's
 * pvh_global_lock): pvh_global_lock read-locked (hashed:N:global), the
 * pmap lock; a 2 MiB mapping of va declines; the page-table page is
 * found (its reference taken) or allocated; a valid PTE declines; else
 * pmap_try_insert_pv_entry(): a pv entry with no reclamation
 * (get_pv_entry_noreclaim(); none: the new PTP reference is dropped and
 * the mapping abandoned), m's pv lock (CHANGE_PV_LIST_LOCK_TO_VM_PAGE),
 * the entry on m's list; then the PTE, PG_V | PG_U | PG_MANAGED (the
 * model keeps no PG_U): no PG_A, no PG_RW.  No promotion is attempted (neither 10.4's nor 13.0's
 * pmap_enter_quick_locked() has one).  --pv dfly: no pv entry (the
 * backing is attached first, as pmap_enter()).  Returns whether va now
 * maps m.  The caller holds m's object locked; no other lock may be held.
 */
static bool
pmap_enter_quick(struct eng_cpu *c, struct pmap *pm, uint64_t va,
    struct vm_page *m)
{
	ENG_SITE_DEFINE;
	struct pmap_md *md;
	struct pmap_pd *pd;
	struct pv_cursor cur;
	struct pv_entry *pv;
	uint64_t newpte, *pte;
	bool entered = false;

	md = pm->pm_md;
	va &= ~PAGE_MASK;
	newpte = pmap_mi_page_to_phys(m) | PG_V | PG_MANAGED;
	pv_cursor_init(&cur, c, md, ENG_HERE);
	pvh_global_rlock(&cur);
	PMAP_LOCK(c, pm);
	if (!pm->pm_active)
		goto out;
	if (md->md_pv == ENG_PV_DFLY)
		pmap_dfly_backing_ensure(c, pm, m, va, ENG_HERE);
	pd = pmap_pd_get(c, pm, va);
	if ((pd->pd_pde & PG_PS) != 0)
		goto out;
	if (pd->pd_ptp == NULL)
		pd->pd_ptp = pmap_ptp_alloc();
	pte = &pd->pd_ptp[pmap_pte_index(va)];
	if (*pte != 0)
		goto out;
	pd->pd_count++;			/* the PTP reference */
	if (md->md_pv == ENG_PV_DFLY)
		pmap_dfly_mapped(c, pm, m, newpte);
	else {
		if ((pv = get_pv_entry_noreclaim(c, pm)) == NULL) {
			pmap_unuse_pt(c, pm, pd);	/* pmap_abort_ptp */
			goto out;
		}
		pv->pv_va = va;
		pv_lock_page(&cur, m);
		pmap_pv_insert(&cur, pmap_mi_md(m), pv);
	}
	pm->pm_stats.resident_count++;
	*pte = newpte;
	entered = true;
out:
	pv_unlock(&cur);
	pvh_global_unlock(&cur);
	PMAP_UNLOCK(c, pm);
	return (entered);
}

/*
 * pmap_enter_quick() in slot's pmap: whether it mapped m (false if the
 * slot is invalid).
 */
bool
pmap_ev_enter_quick(struct eng_cpu *c, uint64_t slot, uint64_t va,
    struct vm_page *m)
{
	struct pmap *pm;

	pm = pmap_slot(pmap_mi_cpu_md(c), slot);
	return (pm != NULL && pmap_enter_quick(c, pm, va, m));
}

/*
 * pmap_remove: remove the mappings of [sva, eva): 2 MiB mappings wholly in
 * range at once, others demoted first.  False if the pmap is not in use.
 * Takes the pmap lock, then pv locks; under hashed:N:global pvh_global_lock
 * read-locked first (release/10.4.0 pmap.c pmap_remove, lines 3714-3829).
 * Under :di-locked and :di a delayed-invalidation block is opened before
 * the pmap lock and closed after it (pmap_invl.c; 12.0+ pmap_remove).  The
 * kernel's pmap_remove returns before both when resident_count is 0; the
 * model takes them.  The caller has no DI block open.
 */
bool
pmap_remove(struct eng_cpu *c, struct pmap *pm, uint64_t sva, uint64_t eva)
{
	ENG_SITE_DEFINE;
	struct pv_cursor cur;
	bool active;

	pv_cursor_init(&cur, c, pm->pm_md, ENG_HERE);
	pmap_delayed_invl_start(c);
	pvh_global_rlock(&cur);
	PMAP_LOCK(c, pm);
	active = pm->pm_active;
	if (active)
		pmap_remove_locked(c, pm, sva & ~PAGE_MASK, eva, &cur);
	pv_unlock(&cur);
	pvh_global_unlock(&cur);
	PMAP_UNLOCK(c, pm);
	pmap_delayed_invl_finish(c);
	return (active);
}

/* Trace event: unmap npages from va (pmap_remove); 1 if no such pmap. */
int
pmap_ev_remove(struct eng_cpu *c, uint64_t slot, uint64_t va,
    uint32_t npages)
{
	struct pmap *pm;
	uint64_t eva;

	pm = pmap_slot(pmap_mi_cpu_md(c), slot);
	if (pm == NULL || npages == 0)
		return (1);
	va &= ~PAGE_MASK;
	eva = va + ((uint64_t)npages << PAGE_SHIFT);
	if (eva < va)
		eva = UINT64_MAX & ~PAGE_MASK;
	return (pmap_remove(c, pm, va, eva) ? 0 : 1);
}

/*
 * Lock pm, the owner of an entry on m's lists, in a page-centric walk that
 * holds m's and its frame's pv locks through cur: PMAP_TRYLOCK; else save
 * the generations of the frame's head and (small) of m's list, drop the pv
 * locks, PMAP_LOCK, retake them.  Returns false, with pm unlocked and the
 * pv locks dropped, if a generation moved: the caller restarts its walk
 * (counted as a pv restart).  With pvh_global_lock write-locked (10.4's
 * pmap_remove_all, lines 3861-3902) no list can change: PMAP_LOCK.
 */
static bool
pmap_pv_walk_lock(struct eng_cpu *c, struct pmap *pm, struct vm_page *m,
    bool small, struct pv_cursor *cur)
{
	struct md_page *mdp, *pvh;
	int md_gen, pvh_gen;

	PV_LIST_LOCK_ASSERT(cur, pmap_mi_md(m));
	PV_LIST_LOCK_ASSERT(cur, pmap_mi_md(m)->pv_pvh);
	if (cur->global == PVH_GLOBAL_WRITE) {
		pmap_lock(c, pm, cur->site);
		return (true);
	}
	if (pmap_trylock(c, pm, cur->site))
		return (true);
	mdp = pmap_mi_md(m);
	pvh = mdp->pv_pvh;
	pvh_gen = pvh->pv_gen;
	md_gen = mdp->pv_gen;
	pv_unlock(cur);
	pmap_lock(c, pm, cur->site);
	pv_lock_page_and_frame(cur, m);
	if (pvh_gen == pvh->pv_gen && (!small || md_gen == mdp->pv_gen))
		return (true);
	pv_unlock(cur);
	PMAP_UNLOCK(c, pm);
	PMAP_CNT_INC(c, cur->md, pv_restarts);
	return (false);
}

/*
 * The start of a page-centric walk of m's pv lists (pmap_remove_all,
 * pmap_remove_write): an empty pv cursor of CPU c charged to site; returns
 * the pv head of m's 2 MiB frame and sets *mdpp to m's own list.
 */
static struct md_page *
pmap_page_walk_init(struct eng_cpu *c, struct vm_page *m,
    struct pv_cursor *cur, struct eng_site *site, struct md_page **mdpp)
{
	struct pmap_md *md;

	md = pmap_mi_cpu_md(c);
	pv_cursor_init(cur, c, md, site);
	*mdpp = pmap_mi_md(m);
	return (pa_to_pvh(md, pmap_mi_page_to_phys(m)));
}

/*
 * pmap_remove_all: remove every mapping of m, 2 MiB ones by demotion first.
 * Holds m's pv lock (and its frame's) and takes each pmap lock by trylock,
 * else by the generation protocol.  Under hashed:N:global it write-locks
 * pvh_global_lock instead and blocks on each pmap lock (release/10.4.0
 * pmap.c pmap_remove_all, lines 3848-3902: no pv list lock but a
 * demotion's).  The caller holds m busy and its object locked; under
 * --page refcount VPRC_BLOCKED is set (vm_page.c).
 */
void
pmap_remove_all(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	struct md_page *mdp, *pvh;
	struct pv_cursor cur;
	struct pv_entry *pv;
	struct pmap_pd *pd;
	struct pmap *pm;
	uint64_t *pte, tpte;

	if (pmap_mi_cpu_md(c)->md_pv == ENG_PV_DFLY) {
		pmap_dfly_remove_all(c, m);
		return;
	}
	pvh = pmap_page_walk_init(c, m, &cur, ENG_HERE, &mdp);
	pvh_global_wlock(&cur);
retry:
	pv_lock_page_and_frame(&cur, m);
	while ((pv = TAILQ_FIRST(&pvh->pv_list)) != NULL) {
		pm = PV_PMAP(pv);
		if (!pmap_pv_walk_lock(c, pm, m, false, &cur))
			goto retry;
		pd = pmap_pd_lookup(c, pm, pv->pv_va);
		pmap_demote_pde_locked(c, pm, pd, &cur);
		if (cur.global == PVH_GLOBAL_WRITE)
			pv_unlock(&cur);	/* pmap_demote_pde(), line 3381 */
		PMAP_UNLOCK(c, pm);
		pv_lock_page_and_frame(&cur, m);
	}
	while ((pv = TAILQ_FIRST(&mdp->pv_list)) != NULL) {
		pm = PV_PMAP(pv);
		if (!pmap_pv_walk_lock(c, pm, m, true, &cur))
			goto retry;
		pd = pmap_pd_lookup(c, pm, pv->pv_va);
		pte = &pd->pd_ptp[pmap_pte_index(pv->pv_va)];
		tpte = *pte;
		*pte = 0;
		pm->pm_stats.resident_count--;
		if ((tpte & PG_W) != 0)
			pm->pm_stats.wired_count--;
		if ((tpte & PG_A) != 0)
			pmap_mi_referenced_set(c, m);
		pmap_pv_unlink(&cur, mdp, pv);
		pmap_unuse_pt(c, pm, pd);
		free_pv_entry(c, pm, pv);
		PMAP_UNLOCK(c, pm);
	}
	pmap_mi_writeable_clear(c, m);
	pv_unlock(&cur);
	pvh_global_unlock(&cur);
}

/*
 * pmap_remove_write: make every mapping of m read-only; writable 2 MiB
 * mappings are demoted first.  Returns at once unless PGA_WRITEABLE is set.
 * Locking as pmap_remove_all() without pvh_global_lock, which
 * hashed:N:global read-locks around the walk (release/10.4.0 pmap.c
 * pmap_remove_write, lines 5733-5798); the caller holds m busy.
 */
void
pmap_remove_write(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	struct md_page *mdp, *pvh;
	struct pv_cursor cur;
	struct pv_entry *pv;
	struct pmap_pd *pd;
	struct pmap *pm;
	uint64_t *pte;

	if (pmap_mi_cpu_md(c)->md_pv == ENG_PV_DFLY) {
		pmap_dfly_remove_write(c, m);
		return;
	}
	if (!pmap_mi_writeable(m))
		return;
	pvh = pmap_page_walk_init(c, m, &cur, ENG_HERE, &mdp);
	pvh_global_rlock(&cur);
retry_pv_loop:
	pv_lock_page_and_frame(&cur, m);
	TAILQ_FOREACH(pv, &pvh->pv_list, pv_next) {
		pm = PV_PMAP(pv);
		if (!pmap_pv_walk_lock(c, pm, m, false, &cur))
			goto retry_pv_loop;
		pd = pmap_pd_lookup(c, pm, pv->pv_va);
		if ((pd->pd_pde & PG_RW) != 0) {
			/* The list changes: walk it again. */
			pmap_demote_pde_locked(c, pm, pd, &cur);
			PMAP_UNLOCK(c, pm);
			goto retry_pv_loop;
		}
		PMAP_UNLOCK(c, pm);
	}
	TAILQ_FOREACH(pv, &mdp->pv_list, pv_next) {
		pm = PV_PMAP(pv);
		if (!pmap_pv_walk_lock(c, pm, m, true, &cur))
			goto retry_pv_loop;
		pd = pmap_pd_lookup(c, pm, pv->pv_va);
		pte = &pd->pd_ptp[pmap_pte_index(pv->pv_va)];
		*pte &= ~(PG_RW | PG_M);
		PMAP_UNLOCK(c, pm);
	}
	pmap_mi_writeable_clear(c, m);
	pv_unlock(&cur);
	pvh_global_unlock(&cur);
}

/*
 * pmap_ts_referenced: count and clear the referenced bits (PG_A) of m's
 * mappings, at most PMAP_TS_REFERENCED_MAX, rotating each examined entry
 * to its list's tail so that the next call starts elsewhere (amd64
 * pmap.c, 12.0 and 13/14 [PMAPmain]).  Takes m's pv list lock and its
 * frame's (PHYS_TO_PV_LIST_LOCK, rw_wlock), each owner pmap by
 * PMAP_TRYLOCK, else by the generation protocol of pmap_remove_all().  A
 * 2 MiB mapping's PG_A is cleared only for the one 4 KiB page of the 512
 * that the kernel's hash of (pa, va, pmap) selects, and never for a wired
 * mapping; the others count as referenced but not cleared.  x86 without
 * EPT: safe_to_clear_referenced() is always true, so no mapping is
 * destroyed or demoted here.  The modified bit's transfer to m->dirty
 * (vm_page_dirty) is left out: the model has no dirty pages.
 * hashed:N:global read-locks pvh_global_lock first (release/10.4.0 pmap.c
 * pmap_ts_referenced, lines 5864-6023).  The caller holds no pv or pmap
 * lock.
 */
int
pmap_ts_referenced(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	struct md_page *mdp, *pvh;
	struct pv_cursor cur;
	struct pv_entry *pv, *pvf;
	struct pmap_pd *pd;
	struct pmap *pm;
	uint64_t *pte;
	vm_paddr_t pa;
	int cleared = 0, not_cleared;

	if (pmap_mi_cpu_md(c)->md_pv == ENG_PV_DFLY)
		return (pmap_dfly_ts_referenced(c, m));
	pvh = pmap_page_walk_init(c, m, &cur, ENG_HERE, &mdp);
	pa = pmap_mi_page_to_phys(m);
	pvh_global_rlock(&cur);
	pv_lock_page_and_frame(&cur, m);
retry:
	not_cleared = 0;
	if ((pvf = TAILQ_FIRST(&pvh->pv_list)) == NULL)
		goto small_mappings;
	pv = pvf;
	do {
		pm = PV_PMAP(pv);
		if (!pmap_pv_walk_lock(c, pm, m, false, &cur)) {
			pv_lock_page_and_frame(&cur, m);
			goto retry;
		}
		pd = pmap_pd_lookup(c, pm, pv->pv_va);
		if ((pd->pd_pde & PG_A) != 0) {
			if ((((pa >> PAGE_SHIFT) ^ (pv->pv_va >> PDRSHIFT) ^
			    (uintptr_t)pm) & (NPTEPG - 1)) == 0 &&
			    (pd->pd_pde & PG_W) == 0) {
				pd->pd_pde &= ~PG_A;
				cleared++;
			} else
				not_cleared++;
		}
		PMAP_UNLOCK(c, pm);
		if (TAILQ_NEXT(pv, pv_next) != NULL) {
			TAILQ_REMOVE(&pvh->pv_list, pv, pv_next);
			TAILQ_INSERT_TAIL(&pvh->pv_list, pv, pv_next);
			pvh->pv_gen++;
		}
		if (cleared + not_cleared >= PMAP_TS_REFERENCED_MAX)
			goto out;
	} while ((pv = TAILQ_FIRST(&pvh->pv_list)) != pvf);
small_mappings:
	if ((pvf = TAILQ_FIRST(&mdp->pv_list)) == NULL)
		goto out;
	pv = pvf;
	do {
		pm = PV_PMAP(pv);
		if (!pmap_pv_walk_lock(c, pm, m, true, &cur)) {
			pv_lock_page_and_frame(&cur, m);
			goto retry;
		}
		pd = pmap_pd_lookup(c, pm, pv->pv_va);
		pte = &pd->pd_ptp[pmap_pte_index(pv->pv_va)];
		if ((*pte & PG_A) != 0) {
			*pte &= ~PG_A;
			cleared++;
		}
		PMAP_UNLOCK(c, pm);
		if (TAILQ_NEXT(pv, pv_next) != NULL) {
			TAILQ_REMOVE(&mdp->pv_list, pv, pv_next);
			TAILQ_INSERT_TAIL(&mdp->pv_list, pv, pv_next);
			mdp->pv_gen++;
		}
	} while ((pv = TAILQ_FIRST(&mdp->pv_list)) != pvf &&
	    cleared + not_cleared < PMAP_TS_REFERENCED_MAX);
out:
	pv_unlock(&cur);
	pvh_global_unlock(&cur);
	return (cleared + not_cleared);
}

/*
 * pmap_extract_and_hold: the page mapped at va, wired so that it cannot go
 * away, or NULL when va is unmapped, not writable though write is asked,
 * or the wiring fails.  --page refcount: vm_page_wire_mapped() under the
 * pmap lock, no pv or page lock; it fails while the page's VPRC_BLOCKED is
 * set (a try_remove_all/_write in progress) and the fault handler would be
 * the fallback (counted).  --page pagelock: the page lock by the
 * vm_page_pa_tryrelock() protocol, redoing the lookup after each EAGAIN
 * (counted).  --pv dfly: DragonFly 5.6 has no pmap_extract_and_hold();
 * its pmap_extract(pmap, va, &handle) (v5.6.0 sys/platform/pc64/x86_64/
 * pmap.c, lines 1618-1669) reads the PTE with the page-table page's
 * pv_entry locked (pv_get(pmap, pmap_pt_pindex(va)), line 1653, kept
 * until pmap_extract_done(), 1672-1676) and holds no page: the page is
 * returned unwired, the pmap lock standing for pt_pv (class pv).  The
 * pmap must be unlocked.
 */
struct vm_page *
pmap_extract_and_hold(struct eng_cpu *c, struct pmap *pm, uint64_t va,
    bool write)
{
	ENG_SITE_DEFINE;
	struct pmap_md *md;
	struct pmap_pd *pd;
	struct eng_mtx *locked;
	struct vm_page *m;
	uint64_t pte;
	vm_paddr_t pa;

	ENG_ASSERT(!pmap_lock_owned(c, pm));
	md = pm->pm_md;
	m = NULL;
	locked = NULL;
	PMAP_LOCK(c, pm);
retry:
	pd = pm->pm_active ? pmap_pd_lookup(c, pm, va) : NULL;
	if (pd == NULL)
		goto out;
	if ((pd->pd_pde & PG_PS) != 0) {
		pte = pd->pd_pde;
		pa = (pte & PG_PS_FRAME) | (va & PDRMASK & ~PAGE_MASK);
	} else {
		pte = pd->pd_ptp[pmap_pte_index(va)];
		pa = pte & PG_FRAME;
	}
	if ((pte & PG_V) == 0 || (write && (pte & PG_RW) == 0))
		goto out;
	if (pmap_mi_pagelock(c)) {
		if (pmap_mi_pa_tryrelock(c, &pm->pm_mtx, pa, &locked) ==
		    EAGAIN) {
			PMAP_CNT_INC(c, md, pa_restarts);
			goto retry;
		}
	}
	m = pmap_phys_page(md, pa);
	if (md->md_pv != ENG_PV_DFLY && !pmap_mi_wire_mapped(c, m)) {
		PMAP_CNT_INC(c, md, hold_fallbacks);
		m = NULL;
	}
out:
	if (locked != NULL)
		pmap_mi_pa_unlock(c, &locked);
	PMAP_UNLOCK(c, pm);
	return (m);
}

/*
 * Trace event: extract and hold, then drop the hold with an unwire (a
 * trace carries no matching release); --pv dfly: 5.6's pmap_extract()
 * and pmap_extract_done(), no hold to drop (pmap_extract_and_hold()).
 * 1 if nothing was held (found).  No lock.
 */
int
pmap_ev_extract_and_hold(struct eng_cpu *c, uint64_t slot, uint64_t va)
{
	struct pmap *pm;
	struct vm_page *m;

	pm = pmap_slot(pmap_mi_cpu_md(c), slot);
	if (pm == NULL)
		return (1);
	m = pmap_extract_and_hold(c, pm, va, false);
	if (m == NULL)
		return (1);
	if (pm->pm_md->md_pv != ENG_PV_DFLY)
		pmap_mi_unwire(c, m);
	return (0);
}

/*
 * The trace events on a 2 MiB region (promote, demote): op on the pmap_pd
 * of va in the pmap of slot, with the pmap locked and a pv cursor charged
 * to site, and pvh_global_lock read-locked under hashed:N:global as every
 * 10.4 caller of a promotion or demotion holds it (pmap_pv_promote_pde and
 * pmap_pv_demote_pde assert it, release/10.4.0 pmap.c lines 3271, 3204).
 * 1 (skipped) if the slot is invalid, the pmap not in use, va's region
 * unmapped, or op declined; under --pv dfly at once, with no lock:
 * DragonFly 5.6 makes no 2 MiB user mappings, so no kernel function
 * stands behind the event (pmap_dfly.c).
 */
static int
pmap_ev_region(struct eng_cpu *c, uint64_t slot, uint64_t va,
    bool (*op)(struct eng_cpu *, struct pmap *, struct pmap_pd *,
    struct pv_cursor *), struct eng_site *site)
{
	struct pmap_md *md;
	struct pmap_pd *pd;
	struct pmap *pm;
	struct pv_cursor cur;
	bool done;

	md = pmap_mi_cpu_md(c);
	pm = pmap_slot(md, slot);
	if (pm == NULL || md->md_pv == ENG_PV_DFLY)
		return (1);
	pv_cursor_init(&cur, c, md, site);
	pvh_global_rlock(&cur);
	pmap_lock(c, pm, site);
	pd = pm->pm_active ? pmap_pd_lookup(c, pm, va) : NULL;
	done = pd != NULL && op(c, pm, pd, &cur);
	pv_unlock(&cur);
	pvh_global_unlock(&cur);
	PMAP_UNLOCK(c, pm);
	return (done ? 0 : 1);
}

/* Trace event: promote the 2 MiB region at va (as a THP collapse would). */
int
pmap_ev_promote(struct eng_cpu *c, uint64_t slot, uint64_t va)
{
	ENG_SITE_DEFINE;

	return (pmap_ev_region(c, slot, va, pmap_promote_pde, ENG_HERE));
}

/* Demote pd's 2 MiB mapping; false if it has none.  The pmap is locked. */
static bool
pmap_demote_pde_if_mapped(struct eng_cpu *c, struct pmap *pm,
    struct pmap_pd *pd, struct pv_cursor *cur)
{

	PMAP_LOCK_ASSERT(c, pm);
	if ((pd->pd_pde & PG_PS) == 0)
		return (false);
	pmap_demote_pde_locked(c, pm, pd, cur);
	return (true);
}

/* Trace event: demote the 2 MiB mapping at va. */
int
pmap_ev_demote(struct eng_cpu *c, uint64_t slot, uint64_t va)
{
	ENG_SITE_DEFINE;

	return (pmap_ev_region(c, slot, va, pmap_demote_pde_if_mapped,
	    ENG_HERE));
}

/*
 * pmap_page_is_mapped: whether m has any 4 KiB or 2 MiB mapping.  A
 * lock-free snapshot of the pv counts (the kernel read-locks the pv list
 * for the same answer), or under --pv dfly of md.pmap_count (DragonFly's
 * PG_MAPPED / pmap_count test, no lock); it stays true while the caller
 * holds the object lock or m busy, since no mapping can then be added.
 */
bool
pmap_page_is_mapped(struct vm_page *m)
{
	struct md_page *mdp;

	mdp = pmap_mi_md(m);
	if (atomic_load_explicit(&mdp->pmap_count, memory_order_relaxed) != 0)
		return (true);		/* --pv dfly */
	return (atomic_load_explicit(&mdp->pv_count,
	    memory_order_relaxed) != 0 ||
	    atomic_load_explicit(&mdp->pv_pvh->pv_count,
	    memory_order_relaxed) != 0);
}

/*
 * Set-up and tear-down.
 */
static void
md_page_init(struct md_page *mdp)
{

	TAILQ_INIT(&mdp->pv_list);
	mdp->pv_gen = 0;
	atomic_init(&mdp->pv_count, 0);
	atomic_init(&mdp->pmap_count, 0);
	atomic_init(&mdp->writeable_count, 0);
	atomic_init(&mdp->pv_lock, 0);
}

/*
 * Initialise m->md (no mappings).  pv_pvh is left alone: pmap_md_create()
 * sets it for every page, before or after this is called.
 */
void
pmap_page_init(struct vm_page *m)
{

	md_page_init(pmap_mi_md(m));
}

/* eng_alloc() starts every allocation on a cache line: enough for these. */
_Static_assert(_Alignof(struct pmap_md) <= ENG_CACHE_LINE &&
    _Alignof(struct pmap_large_md_page) <= ENG_CACHE_LINE &&
    _Alignof(struct pmap_cpu_counters) <= ENG_CACHE_LINE &&
    _Alignof(struct pv_list_lock) <= ENG_CACHE_LINE,
    "a pmap structure wants more than a cache line's alignment");

/*
 * The MD state of engine e: pv heads and locks of the --pv design for
 * p->phys_pages pages, pmap slots, chunk lists, counters; every page's
 * md_page initialised.  NULL with a one-line reason in err.
 */
struct pmap_md *
pmap_md_create(struct vm_engine *e, const struct eng_params *p, char *err,
    size_t errlen)
{
	struct pmap_md *md;
	struct md_page *mdp;
	struct pmap *pm;
	uint64_t i;

	md = eng_calloc(1, sizeof(*md));
	if (md == NULL)
		goto nomem;
	md->md_engine = e;
	md->md_pv = p->design.pv;
	md->md_pvchunk = p->design.pvchunk;
	md->md_npages = pmap_mi_phys_pages(e);
	md->md_nframes = (md->md_npages + NPTEPG - 1) / NPTEPG;
	if (md->md_pv == ENG_PV_SUPERPAGE) {
		md->md_pv_large = eng_calloc(md->md_nframes,
		    sizeof(*md->md_pv_large));
		if (md->md_pv_large == NULL)
			goto nomem;
		for (i = 0; i < md->md_nframes; i++)
			md_page_init(&md->md_pv_large[i].pv_page);
	} else {
		md->md_pv_table = eng_calloc(md->md_nframes,
		    sizeof(*md->md_pv_table));
		if (md->md_pv_table == NULL)
			goto nomem;
		for (i = 0; i < md->md_nframes; i++)
			md_page_init(&md->md_pv_table[i]);
	}
	if (md->md_pv == ENG_PV_HASHED) {
		md->md_npv_list_locks = p->design.pv_locks != 0 ?
		    p->design.pv_locks : 256;
		md->md_pv_global = p->design.pv_global;
		md->md_pv_list_locks = eng_alloc(md->md_npv_list_locks *
		    sizeof(*md->md_pv_list_locks));
		if (md->md_pv_list_locks == NULL)
			goto nomem;
	}
	pv_locks_init(md);
	if (md->md_pv == ENG_PV_DFLY && pmap_dfly_init(md) != 0)
		goto nomem;
	for (i = 0; i < md->md_npages; i++) {
		mdp = pmap_mi_md(pmap_phys_page(md, i << PAGE_SHIFT));
		md_page_init(mdp);
		mdp->pv_pvh = pa_to_pvh(md, i << PAGE_SHIFT);
	}
	md->md_npmaps = p->npmaps;
	md->md_pmaps = eng_calloc(md->md_npmaps != 0 ? md->md_npmaps : 1,
	    sizeof(*md->md_pmaps));
	if (md->md_pmaps == NULL)
		goto nomem;
	for (i = 0; i < md->md_npmaps; i++) {
		pm = &md->md_pmaps[i];
		/*
		 * --pv dfly: the lock held around a PTE change is, in
		 * DragonFly, the page-table page's pv_entry lock (pt_pv of
		 * pmap_enter and pmap_scan), so the model's pmap lock is
		 * counted in class pv there (pmap_dfly.c).
		 */
		eng_mtx_init(&pm->pm_mtx, md->md_pv == ENG_PV_DFLY ? LC_PV :
		    LC_PMAP);
		pm->pm_md = md;
		pm->pm_id = i;
		TAILQ_INIT(&pm->pm_pvchunk);
	}
	md->md_ndomains = md->md_pvchunk == ENG_PVCHUNK_GLOBAL ? 1 :
	    md->md_pvchunk == ENG_PVCHUNK_DOMAIN ? (p->design.pvchunk_domains
	    != 0 ? p->design.pvchunk_domains : 2) : 0;
	if (md->md_ndomains > PMAP_MEMDOM) {
		snprintf(err, errlen, "pmap: %u memory domains, at most %d",
		    md->md_ndomains, PMAP_MEMDOM);
		pmap_md_destroy(md);
		return (NULL);
	}
	for (i = 0; i < PMAP_MEMDOM; i++) {
		eng_mtx_init(&md->md_pv_chunks[i].pvc_lock, LC_PVCHUNK);
		TAILQ_INIT(&md->md_pv_chunks[i].pvc_list);
	}
	eng_mtx_init(&md->md_allpmaps_mtx, LC_PVCHUNK);
	TAILQ_INIT(&md->md_allpmaps);
	md->md_ncnt = p->nslots + 1;	/* the workers and the page daemon */
	md->md_cnt = eng_alloc(md->md_ncnt * sizeof(*md->md_cnt));
	if (md->md_cnt == NULL)
		goto nomem;
	md->md_di = p->design.pv_di;
	if (pmap_invl_init(md) != 0)
		goto nomem;
	pmap_md_counters_reset(md);
	pmap_md_set_chunk_limit(md, 0);
	return (md);
nomem:
	snprintf(err, errlen, "pmap: out of memory for %llu pages",
	    (unsigned long long)pmap_mi_phys_pages(e));
	pmap_md_destroy(md);
	return (NULL);
}

/* Free everything (single-threaded; workers stopped). */
void
pmap_md_destroy(struct pmap_md *md)
{
	struct pmap_pd *pd, *next;
	struct pv_chunk *pc;
	struct pmap *pm;
	uint64_t i;
	unsigned b;

	if (md == NULL)
		return;
	for (i = 0; md->md_pmaps != NULL && i < md->md_npmaps; i++) {
		pm = &md->md_pmaps[i];
		for (b = 0; pm->pm_pdhash != NULL && b <= pm->pm_pdmask; b++) {
			for (pd = pm->pm_pdhash[b]; pd != NULL; pd = next) {
				next = pd->pd_next;
				free(pd->pd_ptp);
				free(pd);
			}
		}
		free(pm->pm_pdhash);
		free(pm->pm_bahash);
		while ((pc = TAILQ_FIRST(&pm->pm_pvchunk)) != NULL) {
			TAILQ_REMOVE(&pm->pm_pvchunk, pc, pc_list);
			free(pc);
		}
	}
	pmap_dfly_fini(md);
	free(md->md_invl);
	free(md->md_cnt);
	free(md->md_pmaps);
	free(md->md_pv_list_locks);
	free(md->md_pv_large);
	free(md->md_pv_table);
	free(md);
}

/*
 * Chunk budget: by default a sixteenth of physical memory, at least 64
 * chunks, i.e. room for ten mappings per physical page.
 */
void
pmap_md_set_chunk_limit(struct pmap_md *md, uint64_t chunks)
{

	if (chunks == 0) {
		chunks = md->md_npages / 16;
		if (chunks < 64)
			chunks = 64;
	}
	md->md_chunk_limit = chunks;
}

/* Sum the CPUs' counters (workers stopped). */
void
pmap_md_counters(struct pmap_md *md, struct pmap_counters *out)
{
	const struct pmap_counters *k;
	unsigned i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < md->md_ncnt; i++) {
		k = &md->md_cnt[i].cnt;
		out->pv_restarts += k->pv_restarts;
		out->pa_restarts += k->pa_restarts;
		out->hold_fallbacks += k->hold_fallbacks;
		out->promotions += k->promotions;
		out->promote_failures += k->promote_failures;
		out->demotions += k->demotions;
		out->reclaims += k->reclaims;
		out->reclaimed += k->reclaimed;
		out->chunk_allocs += k->chunk_allocs;
		out->chunk_frees += k->chunk_frees;
		out->chunk_overcommits += k->chunk_overcommits;
		out->dfly_early_exits += k->dfly_early_exits;
		out->dfly_walks += k->dfly_walks;
		out->dfly_backings += k->dfly_backings;
		out->dfly_rescans += k->dfly_rescans;
		out->dfly_attaches += k->dfly_attaches;
	}
}

/* Zero the counters (workers stopped). */
void
pmap_md_counters_reset(struct pmap_md *md)
{

	memset(md->md_cnt, 0, md->md_ncnt * sizeof(*md->md_cnt));
}
