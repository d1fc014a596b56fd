/*
 * pmap_check.c - invariants of the pmap model: mappings vs pv entries, pv
 * chunk bookkeeping, superpage entries, per-pmap counts; under --pv dfly
 * the pages' mapping counts vs the mappings, and the backing lists.
 *
 * Single-threaded: call only after every worker stopped (no lock taken).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "pmap_internal.h"

/* Violations printed in full; the rest are only counted. */
#define CHECK_PRINT_MAX	50

struct check {
	FILE		*out;
	uint64_t	 nviol;
	uint32_t	*dfly_cnt;	/* dfly: 4 KiB mappings per page */
	uint32_t	*dfly_wcnt;	/* dfly: writable ones */
};

__attribute__((format(printf, 2, 3)))
/* Count one violation; print it while fewer than CHECK_PRINT_MAX were. */
static void
violation(struct check *ck, const char *fmt, ...)
{
	va_list ap;

	if (ck->nviol++ < CHECK_PRINT_MAX && ck->out != NULL) {
		fputs("pmap_check: ", ck->out);
		va_start(ap, fmt);
		vfprintf(ck->out, fmt, ap);
		va_end(ap);
		fputc('\n', ck->out);
	}
}

/* Entries of (pm, va) on a pv list. */
static int
pv_count(const struct md_page *pvh, const struct pmap *pm, uint64_t va)
{
	const struct pv_entry *pv;
	int n;

	n = 0;
	TAILQ_FOREACH(pv, &pvh->pv_list, pv_next)
		if (PV_PMAP(pv) == pm && pv->pv_va == va)
			n++;
	return (n);
}

/*
 * --pv dfly, one valid PTE of pm mapping m at va: counted for the page
 * (compared with md.pmap_count and md.writeable_count afterwards), and a
 * live backing of m's object in pm covers it, so that a walk of the
 * object's backing list finds it.
 */
static void
check_dfly_pte(struct check *ck, struct pmap_md *md, struct pmap *pm,
    uint64_t va, uint64_t pte, struct vm_page *m)
{
	const struct pmap_backing *ba;
	uint64_t obj, pindex, idx;

	idx = (pte & PG_FRAME) >> PAGE_SHIFT;
	ck->dfly_cnt[idx]++;
	if ((pte & PG_RW) != 0) {
		ck->dfly_wcnt[idx]++;
		if (!pmap_mi_writeable(m))
			violation(ck, "page %#llx: writable mapping without "
			    "PGA_WRITEABLE", (unsigned long long)(pte &
			    PG_FRAME));
	}
	if (!pmap_mi_page_object(md->md_engine, m, &obj, &pindex)) {
		violation(ck, "page %#llx: mapped (pmap %llu va %#llx) but in "
		    "no object", (unsigned long long)(pte & PG_FRAME),
		    (unsigned long long)pm->pm_id, (unsigned long long)va);
		return;
	}
	ba = pmap_dfly_backing_find(pm, obj, va - (pindex << PAGE_SHIFT));
	if (ba == NULL || ba->ba_dead)
		violation(ck, "page %#llx: mapping pmap %llu va %#llx not "
		    "covered by a backing of object %llu",
		    (unsigned long long)(pte & PG_FRAME),
		    (unsigned long long)pm->pm_id, (unsigned long long)va,
		    (unsigned long long)obj);
}

/*
 * --pv dfly: every page's counts equal its mappings; every backing on an
 * object's list is live, of that object, and in its pmap's hash, and the
 * lists hold exactly the pmaps' backings; no pv entry or chunk exists
 * (checked by the callers).
 */
static void
check_dfly(struct check *ck, struct pmap_md *md)
{
	const struct pmap_backing *ba;
	const struct md_page *mdp;
	uint64_t i, nlist, nhash;

	for (i = 0; i < md->md_npages; i++) {
		mdp = pmap_mi_md(pmap_mi_phys_to_page(md->md_engine,
		    i << PAGE_SHIFT));
		if (atomic_load(&mdp->pmap_count) != ck->dfly_cnt[i] ||
		    atomic_load(&mdp->writeable_count) != ck->dfly_wcnt[i])
			violation(ck, "page %#llx: pmap_count %u "
			    "writeable_count %u, %u mappings, %u writable",
			    (unsigned long long)(i << PAGE_SHIFT),
			    atomic_load(&mdp->pmap_count),
			    atomic_load(&mdp->writeable_count),
			    ck->dfly_cnt[i], ck->dfly_wcnt[i]);
	}
	nlist = nhash = 0;
	for (i = 0; i < md->md_nobjects; i++) {
		if (eng_rw_locked(&md->md_backing[i].backing_lk))
			violation(ck, "object %llu: backing_lk left held",
			    (unsigned long long)i);
		TAILQ_FOREACH(ba, &md->md_backing[i].backing_list, ba_entry) {
			nlist++;
			if (ba->ba_dead || ba->ba_obj != i ||
			    ba->ba_pmap < md->md_pmaps || ba->ba_pmap >=
			    md->md_pmaps + md->md_npmaps ||
			    pmap_dfly_backing_find(ba->ba_pmap, i,
			    ba->ba_delta) != ba)
				violation(ck, "object %llu: backing %p dead, "
				    "misfiled or not in its pmap",
				    (unsigned long long)i, (const void *)ba);
		}
	}
	for (i = 0; i < md->md_npmaps; i++)
		nhash += md->md_pmaps[i].pm_bacount;
	if (nlist != nhash)
		violation(ck, "backing lists hold %llu backings, pmaps %llu",
		    (unsigned long long)nlist, (unsigned long long)nhash);
}

/*
 * Forward: every mapping of pm has exactly one pv entry on its page's (or
 * frame's) list (dfly: is counted and covered by a backing); counts and
 * chunk bitmaps agree.  Returns pm's chunks.
 */
static uint64_t
check_pmap(struct check *ck, struct pmap_md *md, struct pmap *pm)
{
	const struct pv_chunk *pc;
	struct pmap_pd *pd;
	struct vm_page *m;
	uint64_t resident, wired, npv, used, nchunks, pte, va, pa;
	unsigned b, valid;
	int i;

	resident = wired = npv = 0;
	for (b = 0; pm->pm_pdhash != NULL && b <= pm->pm_pdmask; b++) {
		for (pd = pm->pm_pdhash[b]; pd != NULL; pd = pd->pd_next) {
			if ((pd->pd_pde & PG_PS) != 0) {
				pa = pd->pd_pde & PG_PS_FRAME;
				if ((pa >> PAGE_SHIFT) + NPTEPG > md->md_npages)
					violation(ck, "pmap %llu va %#llx: "
					    "2M mapping beyond memory",
					    (unsigned long long)pm->pm_id,
					    (unsigned long long)pd->pd_va);
				else if (pv_count(pa_to_pvh(md, pa), pm,
				    pd->pd_va) != 1)
					violation(ck, "frame %#llx: pmap %llu "
					    "va %#llx: 2M mapping without "
					    "exactly one pv entry",
					    (unsigned long long)pa,
					    (unsigned long long)pm->pm_id,
					    (unsigned long long)pd->pd_va);
				if (pd->pd_count != NPTEPG)
					violation(ck, "pmap %llu va %#llx: 2M "
					    "mapping with PTP count %u",
					    (unsigned long long)pm->pm_id,
					    (unsigned long long)pd->pd_va,
					    pd->pd_count);
				resident += NPTEPG;
				if ((pd->pd_pde & PG_W) != 0)
					wired += NPTEPG;
				npv++;
				continue;
			}
			if (pd->pd_ptp == NULL) {
				violation(ck, "pmap %llu va %#llx: directory "
				    "entry without PTP",
				    (unsigned long long)pm->pm_id,
				    (unsigned long long)pd->pd_va);
				continue;
			}
			valid = 0;
			for (i = 0; i < NPTEPG; i++) {
				pte = pd->pd_ptp[i];
				if ((pte & PG_V) == 0)
					continue;
				valid++;
				va = pd->pd_va + (uint64_t)i * PAGE_SIZE;
				pa = pte & PG_FRAME;
				if ((pa >> PAGE_SHIFT) >= md->md_npages) {
					violation(ck, "pmap %llu va %#llx: "
					    "maps beyond memory",
					    (unsigned long long)pm->pm_id,
					    (unsigned long long)va);
					continue;
				}
				m = pmap_mi_phys_to_page(md->md_engine, pa);
				if (md->md_pv == ENG_PV_DFLY) {
					check_dfly_pte(ck, md, pm, va, pte, m);
					if ((pte & PG_W) != 0)
						wired++;
					continue;
				}
				if (pv_count(pmap_mi_md(m), pm, va) != 1)
					violation(ck, "page %#llx: pmap %llu "
					    "va %#llx: mapping without exactly "
					    "one pv entry",
					    (unsigned long long)pa,
					    (unsigned long long)pm->pm_id,
					    (unsigned long long)va);
				if ((pte & PG_RW) != 0 && !pmap_mi_writeable(m))
					violation(ck, "page %#llx: writable "
					    "mapping without PGA_WRITEABLE",
					    (unsigned long long)pa);
				if ((pte & PG_W) != 0)
					wired++;
				npv++;
			}
			if (valid != pd->pd_count || valid == 0)
				violation(ck, "pmap %llu va %#llx: PTP count "
				    "%u, %u valid PTEs",
				    (unsigned long long)pm->pm_id,
				    (unsigned long long)pd->pd_va,
				    pd->pd_count, valid);
			resident += valid;
		}
	}
	if (resident != pm->pm_stats.resident_count ||
	    wired != pm->pm_stats.wired_count)
		violation(ck, "pmap %llu: resident %llu wired %llu, counted "
		    "%llu and %llu", (unsigned long long)pm->pm_id,
		    (unsigned long long)pm->pm_stats.resident_count,
		    (unsigned long long)pm->pm_stats.wired_count,
		    (unsigned long long)resident, (unsigned long long)wired);
	used = nchunks = 0;
	TAILQ_FOREACH(pc, &pm->pm_pvchunk, pc_list) {
		nchunks++;
		if (PC_PMAP(pc) != pm)
			violation(ck, "pmap %llu: chunk %p owned by another "
			    "pmap", (unsigned long long)pm->pm_id,
			    (const void *)pc);
		if ((pc->pc_map[_NPCM - 1] & ~PC_FREEL) != 0)
			violation(ck, "pmap %llu: chunk %p bitmap beyond 168 "
			    "entries", (unsigned long long)pm->pm_id,
			    (const void *)pc);
		used += (uint64_t)(_NPCPV - pv_chunk_count_free(pc));
	}
	if (used != npv)
		violation(ck, "pmap %llu: %llu pv entries allocated in its "
		    "chunks, %llu mappings", (unsigned long long)pm->pm_id,
		    (unsigned long long)used, (unsigned long long)npv);
	return (nchunks);
}

/*
 * Reverse: every pv entry on a page's list is a 4 KiB mapping of that page
 * by an active pmap; every entry on a frame's pv head a 2 MiB one.  No pv
 * lock is left held.
 */
static void
check_pv_list(struct check *ck, struct pmap_md *md, struct md_page *pvh,
    vm_paddr_t pa, bool frame)
{
	struct pv_entry *pv;
	struct pmap_pd *pd;
	struct pmap *pm;
	uint64_t pte;

	if (atomic_load(&pvh->pv_lock) != 0)
		violation(ck, "%s %#llx: pv byte lock left held",
		    frame ? "frame" : "page", (unsigned long long)pa);
	TAILQ_FOREACH(pv, &pvh->pv_list, pv_next) {
		pm = PV_PMAP(pv);
		if (pm < md->md_pmaps || pm >= md->md_pmaps + md->md_npmaps ||
		    !pm->pm_active) {
			violation(ck, "%s %#llx: pv entry of no active pmap",
			    frame ? "frame" : "page", (unsigned long long)pa);
			continue;
		}
		pd = pmap_pd_find(pm, pv->pv_va);
		if (frame)
			pte = pd != NULL ? pd->pd_pde : 0;
		else
			pte = pd != NULL && (pd->pd_pde & PG_PS) == 0 &&
			    pd->pd_ptp != NULL ?
			    pd->pd_ptp[pmap_pte_index(pv->pv_va)] : 0;
		if ((pte & PG_V) == 0 ||
		    (frame ? (pte & PG_PS_FRAME) : (pte & PG_FRAME)) != pa ||
		    (frame && (pv->pv_va & PDRMASK) != 0))
			violation(ck, "%s %#llx: pv entry pmap %llu va %#llx "
			    "without its mapping", frame ? "frame" : "page",
			    (unsigned long long)pa,
			    (unsigned long long)pm->pm_id,
			    (unsigned long long)pv->pv_va);
	}
}

/*
 * Check every invariant (see docs/design-pv.md); print one line per
 * violation (the first CHECK_PRINT_MAX) to out, return how many.
 * Single-threaded, workers stopped.
 */
uint64_t
pmap_check(struct pmap_md *md, FILE *out)
{
	struct check ck = { out, 0, NULL, NULL };
	const struct pv_chunk *pc;
	struct pmap *pm;
	uint64_t i, nactive, nchunks, nlist;
	unsigned d;

	if (md->md_pv == ENG_PV_DFLY) {
		ck.dfly_cnt = calloc(md->md_npages + 1, sizeof(*ck.dfly_cnt));
		ck.dfly_wcnt = calloc(md->md_npages + 1,
		    sizeof(*ck.dfly_wcnt));
		if (ck.dfly_cnt == NULL || ck.dfly_wcnt == NULL)
			ENG_PANIC("pmap_check: out of memory");
	}
	nchunks = nactive = 0;
	for (i = 0; i < md->md_npmaps; i++) {
		pm = &md->md_pmaps[i];
		if (pm->pm_active) {
			nactive++;
			nchunks += check_pmap(&ck, md, pm);
		} else if (!TAILQ_EMPTY(&pm->pm_pvchunk) ||
		    pm->pm_pdhash != NULL)
			violation(&ck, "pmap %llu: destroyed but holds "
			    "chunks or page tables", (unsigned long long)i);
	}
	for (i = 0; i < md->md_npages; i++)
		check_pv_list(&ck, md, pmap_mi_md(pmap_mi_phys_to_page(
		    md->md_engine, i << PAGE_SHIFT)), i << PAGE_SHIFT, false);
	for (i = 0; i < md->md_nframes; i++)
		check_pv_list(&ck, md, pa_to_pvh(md, i << PDRSHIFT),
		    i << PDRSHIFT, true);
	if (md->md_ndomains != 0) {
		nlist = 0;
		for (d = 0; d < PMAP_MEMDOM; d++) {
			TAILQ_FOREACH(pc, &md->md_pv_chunks[d].pvc_list,
			    pc_lru) {
				nlist++;
				if (PC_PMAP(pc) == NULL ||
				    !PC_PMAP(pc)->pm_active)
					violation(&ck, "chunk LRU %u: chunk %p "
					    "of no active pmap", d,
					    (const void *)pc);
				if (pc_to_domain(pc) != d)
					violation(&ck, "chunk LRU %u: chunk %p "
					    "of domain %u", d, (const void *)pc,
					    pc_to_domain(pc));
			}
		}
		if (nlist != nchunks)
			violation(&ck, "chunk LRUs hold %llu chunks, pmaps "
			    "%llu", (unsigned long long)nlist,
			    (unsigned long long)nchunks);
	} else {
		nlist = 0;
		TAILQ_FOREACH(pm, &md->md_allpmaps, pm_list) {
			nlist++;
			if (pm->pm_marker || !pm->pm_active)
				violation(&ck, "pmap list: marker or "
				    "destroyed pmap left on it");
		}
		if (nlist != nactive)
			violation(&ck, "pmap list holds %llu pmaps, %llu "
			    "active", (unsigned long long)nlist,
			    (unsigned long long)nactive);
	}
	if (md->md_pv == ENG_PV_DFLY) {
		check_dfly(&ck, md);
		free(ck.dfly_cnt);
		free(ck.dfly_wcnt);
	}
	if (atomic_load(&md->md_chunks_used) != nchunks)
		violation(&ck, "%llu chunk pages in use, %llu on pmaps",
		    (unsigned long long)atomic_load(&md->md_chunks_used),
		    (unsigned long long)nchunks);
	if (ck.nviol > CHECK_PRINT_MAX && out != NULL)
		fprintf(out, "pmap_check: %llu more violations not shown\n",
		    (unsigned long long)(ck.nviol - CHECK_PRINT_MAX));
	return (ck.nviol);
}
