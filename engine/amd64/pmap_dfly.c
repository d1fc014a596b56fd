/*
 * pmap_dfly.c - --pv dfly: DragonFly BSD 5.6's pmap after the 2019 VM
 * rework, where a 4 KiB mapping has no pv entry (part 11, 567a6398) and a
 * page's mappings are counted and found another way (part 12, e3c330f0;
 * seed 003).
 *
 * Read in sys/platform/pc64/x86_64/pmap.c of the Moritz-Systems/
 * DragonFlyBSD mirror at b96e5836 (2020-21; the e3c330f0 tree was not
 * available): the PMAP_ADVANCED-off branches there are part 12's
 * counters, the code this file models.
 *  - Counts.  pmap_enter() adds 1 to m->md.pmap_count, and to
 *    m->md.writeable_count for a writable PTE, with atomic adds before the
 *    PTE is installed; pmap_removed_pte() subtracts them when a PTE goes
 *    (pmap_remove_callback, pmap_remove_all, a replaced PTE in
 *    pmap_enter); pmap_clearbit(PG_RW) subtracts the writable one.  The
 *    page's PG_WRITEABLE flag (the model's PGA_WRITEABLE) is set by
 *    pmap_enter and cleared only by the page-centric operations, whose
 *    callers hold the page hard-busied, never on a PTE's removal.
 *  - Early exits, read with no lock: pmap_remove_all() returns when
 *    md.pmap_count is 0 (the part-12 test; b96e5836 keeps it under #if 0
 *    beside the later PG_MAPPED test), pmap_clearbit(PG_RW) - that is
 *    pmap_page_protect(VM_PROT_READ), the model's pmap_remove_write - when
 *    md.writeable_count is 0.  pmap_ts_referenced() has no count test
 *    (its callers test the page first: the model's page daemon asks
 *    pmap_page_is_mapped(), md.pmap_count != 0).
 *  - The walk, PMAP_PAGE_BACKING_SCAN: lockmgr(&m->object->backing_lk,
 *    LK_SHARED), then every vm_map_backing on the object's backing_list,
 *    each giving (pmap, va) for m->pindex; the PTE is read and changed
 *    with a compare-and-set, retried on a lost race.  pmap_remove_all and
 *    pmap_clearbit(PG_RW) walk again while a count is still non-zero after
 *    the walk (a racing pmap_enter replacement; the kernel sleeps a tick
 *    and panics after 60 s).
 *
 * What the model does differently, and why:
 *  - The model's pmap lock is held where DragonFly holds the page-table
 *    page's pv_entry lock (pt_pv: pmap_enter, pmap_scan for pmap_remove)
 *    and is counted in class pv under this design (pmap class 0, as
 *    DragonFly has no pmap-wide mutex).  It covers the whole pmap where
 *    pt_pv covers 2 MiB of it, and stands for pm_spin and the PTE's
 *    placemarker too: contention on it is an upper bound for DragonFly.
 *  - The kernel reads the page tables of each visited pmap with no lock
 *    (pmap_pte() through the direct map) and takes pm_spin shared only to
 *    find the page-table page of a PTE it removed.  The model's page
 *    tables are a hash that a concurrent pmap_enter may grow, so the walk
 *    takes each visited pmap's lock (class pv, above).  A walk
 *    therefore costs one pmap-lock acquisition per backing visited, even
 *    one that does not map the page: an upper bound for DragonFly.
 *  - vm_map_backing is attached when a map entry is made (mmap, fault
 *    time shadowing) under backing_lk exclusive.  The model has no map
 *    entries: pmap_enter() attaches a backing the first time a pmap maps
 *    a page of an object at a new va - pindex offset, and pmap destroy
 *    (exit) detaches the pmap's backings.  A backing stays when its
 *    mappings are removed (munmap leaves it in the kernel only until the
 *    entry goes; the model keeps it until exit: walks may visit more).
 *  - No 2 MiB user mappings: DragonFly 5.6 promotes none (seed 003: "In
 *    the future we will likely use larger 2MB and 1GB pages"), so promote
 *    and demote events are skipped.
 *  - No pv entries at all: DragonFly's pv entries for page-table pages
 *    (pvzone) are not modelled, so --pvchunk is idle under this design.
 *
 * Lock order: the object's backing_lk -> pmap lock.  pmap_enter() drops
 * the pmap lock to attach a backing and takes backing_lk first.
 */
#include <stdlib.h>
#include <string.h>

#include "eng_alloc.h"
#include "pmap_internal.h"

#define PMAP_BAHASH_MIN		16
#define PMAP_DFLY_RESCAN_MAX	16	/* walks before a lost count panics */
#define PMAP_DFLY_TS_MAX	5	/* pmap_ts_referenced: "rval > 4" */

/* Allocate the object slots' backing lists (pmap_md_create()). */
int
pmap_dfly_init(struct pmap_md *md)
{
	uint64_t i;

	md->md_nobjects = pmap_mi_nobjects(md->md_engine);
	md->md_backing = eng_calloc(md->md_nobjects != 0 ? md->md_nobjects :
	    1, sizeof(*md->md_backing));
	if (md->md_backing == NULL)
		return (-1);
	for (i = 0; i < md->md_nobjects; i++) {
		eng_rw_init(&md->md_backing[i].backing_lk, LC_BACKING);
		TAILQ_INIT(&md->md_backing[i].backing_list);
	}
	return (0);
}

/* Free every backing (single-threaded; workers stopped). */
void
pmap_dfly_fini(struct pmap_md *md)
{
	struct pmap_backing *ba;
	uint64_t i;

	for (i = 0; md->md_backing != NULL && i < md->md_nobjects; i++) {
		while ((ba = TAILQ_FIRST(&md->md_backing[i].backing_list)) !=
		    NULL) {
			TAILQ_REMOVE(&md->md_backing[i].backing_list, ba,
			    ba_entry);
			free(ba);
		}
	}
	free(md->md_backing);
	md->md_backing = NULL;
}

/* Bucket of (obj, delta) in pm's backing hash. */
static unsigned
pmap_ba_hash(const struct pmap *pm, uint64_t obj, uint64_t delta)
{

	return ((unsigned)(((obj * 0x9e3779b97f4a7c15ul) ^ ((delta >>
	    PAGE_SHIFT) * 0xc2b2ae3d27d4eb4ful)) >> 32) & pm->pm_bamask);
}

/*
 * pm's backing of object slot obj at va - pindex * PAGE_SIZE = delta, or
 * NULL.  The pmap is locked, or the workers have stopped (pmap_check()).
 */
struct pmap_backing *
pmap_dfly_backing_find(const struct pmap *pm, uint64_t obj, uint64_t delta)
{
	struct pmap_backing *ba;

	if (pm->pm_bahash == NULL)
		return (NULL);
	for (ba = pm->pm_bahash[pmap_ba_hash(pm, obj, delta)]; ba != NULL;
	    ba = ba->ba_pmnext)
		if (ba->ba_obj == obj && ba->ba_delta == delta)
			return (ba);
	return (NULL);
}

/* Add ba to pm's backing hash, growing it.  The pmap is locked. */
static void
pmap_ba_hash_insert(struct eng_cpu *c, struct pmap *pm,
    struct pmap_backing *ba)
{
	struct pmap_backing **old, *p, *next;
	unsigned b, i, oldn;

	PMAP_LOCK_ASSERT(c, pm);
	if (pm->pm_bahash == NULL || pm->pm_bacount >= 2 * (pm->pm_bamask +
	    1)) {
		old = pm->pm_bahash;
		oldn = old != NULL ? pm->pm_bamask + 1 : 0;
		pm->pm_bahash = eng_calloc(oldn != 0 ? 2 * oldn :
		    PMAP_BAHASH_MIN, sizeof(*pm->pm_bahash));
		if (pm->pm_bahash == NULL)
			ENG_PANIC("pmap %p: out of memory for backings",
			    (void *)pm);
		pm->pm_bamask = (oldn != 0 ? 2 * oldn : PMAP_BAHASH_MIN) - 1;
		for (i = 0; i < oldn; i++) {
			for (p = old[i]; p != NULL; p = next) {
				next = p->ba_pmnext;
				b = pmap_ba_hash(pm, p->ba_obj, p->ba_delta);
				p->ba_pmnext = pm->pm_bahash[b];
				pm->pm_bahash[b] = p;
			}
		}
		free(old);
	}
	b = pmap_ba_hash(pm, ba->ba_obj, ba->ba_delta);
	ba->ba_pmnext = pm->pm_bahash[b];
	pm->pm_bahash[b] = ba;
	pm->pm_bacount++;
}

/*
 * Make sure a backing of m's object covers m at va in pm (the model's
 * vm_map_backing_attach(), run where the kernel's map entry would have
 * been made).  On a miss the pmap lock is dropped, the object's backing_lk
 * taken exclusive, then the pmap lock again, in the lock order.  The pmap
 * is locked on entry and on return; the caller holds m's object locked.
 */
void
pmap_dfly_backing_ensure(struct eng_cpu *c, struct pmap *pm,
    struct vm_page *m, uint64_t va, struct eng_site *site)
{
	struct pmap_object_backing *ob;
	struct pmap_backing *ba;
	struct pmap_md *md;
	struct eng_lkstat *ls;
	uint64_t obj, pindex, delta;

	PMAP_LOCK_ASSERT(c, pm);
	md = pm->pm_md;
	if (!pmap_mi_page_object(md->md_engine, m, &obj, &pindex) ||
	    obj >= md->md_nobjects)
		return;
	delta = va - (pindex << PAGE_SHIFT);
	if (pmap_dfly_backing_find(pm, obj, delta) != NULL)
		return;
	ls = pmap_mi_lkstat(c);
	ob = &md->md_backing[obj];
	PMAP_UNLOCK(c, pm);
	eng_rw_wlock(ls, &ob->backing_lk, site);
	pmap_lock(c, pm, site);
	if (pmap_dfly_backing_find(pm, obj, delta) == NULL) {
		ba = eng_calloc(1, sizeof(*ba));
		if (ba == NULL)
			ENG_PANIC("pmap %p: out of memory for a backing",
			    (void *)pm);
		ba->ba_pmap = pm;
		ba->ba_obj = obj;
		ba->ba_delta = delta;
		TAILQ_INSERT_TAIL(&ob->backing_list, ba, ba_entry);
		pmap_ba_hash_insert(c, pm, ba);
		PMAP_CNT_INC(c, md, dfly_attaches);
	}
	eng_rw_wunlock(ls, &ob->backing_lk);
}

/*
 * Detach pm's backings at its destruction (vm_map_backing_detach() of
 * every entry at exit): marked dead and taken out of pm's hash under its
 * lock, so that a walk which already holds an object's backing_lk skips
 * them; then, with the pmap unlocked, each leaves its object's list under
 * that object's backing_lk exclusive.  The pmap is locked on entry and
 * unlocked on return.
 */
void
pmap_dfly_detach_all(struct eng_cpu *c, struct pmap *pm,
    struct eng_site *site)
{
	struct pmap_object_backing *ob;
	struct pmap_backing *ba, *list, *next;
	struct pmap_md *md;
	struct eng_lkstat *ls;
	unsigned b;

	PMAP_LOCK_ASSERT(c, pm);
	md = pm->pm_md;
	list = NULL;
	for (b = 0; pm->pm_bahash != NULL && b <= pm->pm_bamask; b++) {
		for (ba = pm->pm_bahash[b]; ba != NULL; ba = next) {
			next = ba->ba_pmnext;
			ba->ba_dead = true;
			ba->ba_pmnext = list;
			list = ba;
		}
	}
	free(pm->pm_bahash);
	pm->pm_bahash = NULL;
	pm->pm_bamask = 0;
	pm->pm_bacount = 0;
	PMAP_UNLOCK(c, pm);
	ls = pmap_mi_lkstat(c);
	for (ba = list; ba != NULL; ba = next) {
		next = ba->ba_pmnext;
		ob = &md->md_backing[ba->ba_obj];
		eng_rw_wlock(ls, &ob->backing_lk, site);
		TAILQ_REMOVE(&ob->backing_list, ba, ba_entry);
		eng_rw_wunlock(ls, &ob->backing_lk);
		free(ba);
	}
}

/*
 * A PTE pte of m was installed in pm: pmap_enter()'s atomic adds to
 * md.pmap_count and md.writeable_count, and PG_WRITEABLE set for a
 * writable one unless already set.  The pmap is locked.
 */
void
pmap_dfly_mapped(struct eng_cpu *c, struct pmap *pm, struct vm_page *m,
    uint64_t pte)
{
	struct md_page *mdp;
	struct eng_lkstat *ls;

	PMAP_LOCK_ASSERT(c, pm);
	mdp = pmap_mi_md(m);
	ls = pmap_mi_lkstat(c);
	(void)eng_atomic_fetchadd_32(ls, LC_PAGE, &mdp->pmap_count, 1);
	if ((pte & PG_RW) != 0) {
		(void)eng_atomic_fetchadd_32(ls, LC_PAGE,
		    &mdp->writeable_count, 1);
		if (!pmap_mi_writeable(m))
			pmap_mi_writeable_set(c, m);
	}
}

/*
 * A PTE pte of m was removed from pm: pmap_removed_pte()'s atomic
 * subtractions.  PG_WRITEABLE stays (m need not be busied: the kernel
 * clears it only in the page-centric operations).  The pmap is locked.
 */
void
pmap_dfly_unmapped(struct eng_cpu *c, struct pmap *pm, struct vm_page *m,
    uint64_t pte)
{
	struct md_page *mdp;
	struct eng_lkstat *ls;
	uint32_t old;

	PMAP_LOCK_ASSERT(c, pm);
	mdp = pmap_mi_md(m);
	ls = pmap_mi_lkstat(c);
	if ((pte & PG_RW) != 0) {
		old = eng_atomic_fetchadd_32(ls, LC_PAGE,
		    &mdp->writeable_count, (uint32_t)-1);
		ENG_KASSERT(old != 0, "page %p: writeable_count underflow",
		    (void *)m);
	}
	old = eng_atomic_fetchadd_32(ls, LC_PAGE, &mdp->pmap_count,
	    (uint32_t)-1);
	ENG_KASSERT(old != 0, "page %p: pmap_count underflow", (void *)m);
}

/*
 * What a walk does with one mapping of m: pte in pd maps m at va in pm,
 * whose lock is held.  Returns true to end the walk.
 */
typedef bool pmap_dfly_visit_t(struct eng_cpu *c, struct pmap *pm,
    struct pmap_pd *pd, uint64_t va, uint64_t *pte, struct vm_page *m,
    void *arg);

/*
 * PMAP_PAGE_BACKING_SCAN: m's object's backing_lk shared, then for each
 * backing on its list the va of m in that backing's pmap; a valid 4 KiB
 * PTE there whose frame is m's is a mapping of m, handed to visit with
 * the pmap locked (see the file comment).  The caller keeps m's identity
 * (object lock or busy) and holds no pmap lock.
 */
static void
pmap_dfly_walk(struct eng_cpu *c, struct vm_page *m, pmap_dfly_visit_t *visit,
    void *arg, struct eng_site *site)
{
	struct pmap_object_backing *ob;
	struct pmap_backing *ba;
	struct pmap_md *md;
	struct pmap_pd *pd;
	struct pmap *pm;
	struct eng_lkstat *ls;
	uint64_t obj, pindex, va, *pte;
	vm_paddr_t pa;
	bool stop;

	ls = pmap_mi_lkstat(c);
	ENG_KASSERT(ls->held_class[LC_PV] == 0 &&
	    ls->held_class[LC_BACKING] == 0, "backing walk of page %p with "
	    "a pmap or backing lock held", (void *)m);
	md = pmap_mi_cpu_md(c);
	if (!pmap_mi_page_object(md->md_engine, m, &obj, &pindex) ||
	    obj >= md->md_nobjects)
		return;
	ob = &md->md_backing[obj];
	pa = pmap_mi_page_to_phys(m);
	PMAP_CNT_INC(c, md, dfly_walks);
	eng_rw_rlock(ls, &ob->backing_lk, site);
	TAILQ_FOREACH(ba, &ob->backing_list, ba_entry) {
		pm = ba->ba_pmap;
		PMAP_CNT_INC(c, md, dfly_backings);
		pmap_lock(c, pm, site);
		stop = false;
		va = ba->ba_delta + (pindex << PAGE_SHIFT);
		if (!ba->ba_dead && pm->pm_active &&
		    (pd = pmap_pd_lookup(c, pm, va)) != NULL &&
		    (pd->pd_pde & PG_PS) == 0 && pd->pd_ptp != NULL) {
			pte = &pd->pd_ptp[pmap_pte_index(va)];
			if ((*pte & PG_V) != 0 && (*pte & PG_FRAME) == pa)
				stop = visit(c, pm, pd, va, pte, m, arg);
		}
		PMAP_UNLOCK(c, pm);
		if (stop)
			break;
	}
	eng_rw_runlock(ls, &ob->backing_lk);
}

/* pmap_remove_all's visit: clear the PTE, uncount it, drop the PTP. */
static bool
pmap_dfly_remove_visit(struct eng_cpu *c, struct pmap *pm,
    struct pmap_pd *pd, uint64_t va, uint64_t *pte, struct vm_page *m,
    void *arg)
{
	uint64_t tpte;

	(void)va;
	(void)arg;
	PMAP_LOCK_ASSERT(c, pm);
	tpte = *pte;
	*pte = 0;
	pm->pm_stats.resident_count--;
	if ((tpte & PG_W) != 0)
		pm->pm_stats.wired_count--;
	pmap_dfly_unmapped(c, pm, m, tpte);
	pmap_unuse_pt(c, pm, pd);
	return (false);
}

/*
 * Walk until the count read by counted is 0, as pmap_remove_all and
 * pmap_clearbit(PG_RW) do ("if (m->md.pmap_count || ...) goto again");
 * bounded here, since in the model a walk under the caller's object lock
 * cannot miss a mapping (a left-over count is a bug: panic).
 */
static void
pmap_dfly_walk_until_zero(struct eng_cpu *c, struct vm_page *m,
    pmap_dfly_visit_t *visit, _Atomic uint32_t *counted, struct eng_site *site)
{
	int n;

	for (n = 0;; n++) {
		pmap_dfly_walk(c, m, visit, NULL, site);
		if (atomic_load_explicit(counted, memory_order_relaxed) == 0)
			return;
		if (n == PMAP_DFLY_RESCAN_MAX)
			ENG_PANIC("page %p: count %u after %d walks of its "
			    "object's backings", (void *)m, atomic_load(counted),
			    n + 1);
		PMAP_CNT_INC(c, pmap_mi_cpu_md(c), dfly_rescans);
	}
}

/*
 * pmap_remove_all (DragonFly): return at once when md.pmap_count is 0;
 * else remove every mapping found through the backing list, and clear
 * PG_WRITEABLE.  The caller holds m busy and its object locked.
 */
void
pmap_dfly_remove_all(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	struct md_page *mdp;

	mdp = pmap_mi_md(m);
	if (atomic_load_explicit(&mdp->pmap_count, memory_order_relaxed) ==
	    0) {
		PMAP_CNT_INC(c, pmap_mi_cpu_md(c), dfly_early_exits);
		return;
	}
	pmap_dfly_walk_until_zero(c, m, pmap_dfly_remove_visit,
	    &mdp->pmap_count, ENG_HERE);
	pmap_mi_writeable_clear(c, m);
}

/* pmap_clearbit(PG_RW)'s visit: a writable PTE loses RW and M. */
static bool
pmap_dfly_write_visit(struct eng_cpu *c, struct pmap *pm, struct pmap_pd *pd,
    uint64_t va, uint64_t *pte, struct vm_page *m, void *arg)
{
	struct md_page *mdp;

	(void)pd;
	(void)va;
	(void)arg;
	PMAP_LOCK_ASSERT(c, pm);
	if ((*pte & PG_RW) == 0)
		return (false);
	*pte &= ~(PG_RW | PG_M);
	mdp = pmap_mi_md(m);
	(void)eng_atomic_fetchadd_32(pmap_mi_lkstat(c), LC_PAGE,
	    &mdp->writeable_count, (uint32_t)-1);
	return (false);
}

/*
 * pmap_remove_write = pmap_page_protect(m, VM_PROT_READ) =
 * pmap_clearbit(m, PG_RW_IDX): return at once when md.writeable_count
 * is 0; else make every writable mapping read-only and clear
 * PG_WRITEABLE.  The caller holds m busy and its object locked.
 */
void
pmap_dfly_remove_write(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	struct md_page *mdp;

	mdp = pmap_mi_md(m);
	if (atomic_load_explicit(&mdp->writeable_count,
	    memory_order_relaxed) == 0) {
		PMAP_CNT_INC(c, pmap_mi_cpu_md(c), dfly_early_exits);
		return;
	}
	pmap_dfly_walk_until_zero(c, m, pmap_dfly_write_visit,
	    &mdp->writeable_count, ENG_HERE);
	pmap_mi_writeable_clear(c, m);
}

/* pmap_ts_referenced's visit: clear PG_A, count, stop at the fifth. */
static bool
pmap_dfly_ts_visit(struct eng_cpu *c, struct pmap *pm, struct pmap_pd *pd,
    uint64_t va, uint64_t *pte, struct vm_page *m, void *arg)
{
	int *rval = arg;

	(void)pd;
	(void)va;
	(void)m;
	PMAP_LOCK_ASSERT(c, pm);
	if ((*pte & PG_A) == 0)
		return (false);
	*pte &= ~PG_A;
	return (++*rval >= PMAP_DFLY_TS_MAX);
}

/*
 * pmap_ts_referenced (DragonFly): clear and count the referenced bits of
 * m's mappings through the backing list, at most five; no count test of
 * its own.  The caller holds no pmap lock.
 */
int
pmap_dfly_ts_referenced(struct eng_cpu *c, struct vm_page *m)
{
	ENG_SITE_DEFINE;
	int rval;

	rval = 0;
	pmap_dfly_walk(c, m, pmap_dfly_ts_visit, &rval, ENG_HERE);
	return (rval);
}
