/*
 * pv_lock.c - the pv-list lock families (--pv), the pmap lock and its
 * ownership assertion, the chunk-list and pmap-list locks, the pv-list
 * lock assertion, and the lock-order checker of -Ddebug_checks builds.
 *
 * --pv hashed[:N]   N rwlocks, PHYS_TO_PV_LIST_LOCK(pa) = locks[(pa >> 21)
 *                   % N]: the 512 pages of a 2 MiB frame and the frame's pv
 *                   head share one lock (amd64 without NUMA, NPV_LIST_LOCKS).
 * --pv superpage    one rwlock per 2 MiB frame, kept beside the frame's pv
 *                   head in struct pmap_large_md_page (D21833, r353149).
 * --pv hashed:N:global  the same, and FreeBSD 10's pvh_global_lock, one
 *                   rwlock per engine taken before the pmap lock (below).
 * --pv perpage      a one-byte mutex in each page's md_page and in each pv
 *                   head (D24217, seed 004); promotion, demotion and 2 MiB
 *                   removal take the head's lock and then all 512 page locks
 *                   in address order.
 *
 * The cursor (struct pv_cursor) is the kernel's "struct rwlock **lockp": a
 * lock is switched only when the next page is covered by another one
 * (CHANGE_PV_LIST_LOCK_TO_VM_PAGE), so a run of pages of one frame takes the
 * hashed or superpage lock once.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "pmap_internal.h"

/*
 * Lock-order checking.  engine/lock.h checks the class order (pmap -> pv ->
 * pvchunk) at every blocking acquisition.  Checking builds also check, per
 * thread, what the class order cannot see: a second pmap lock is taken
 * blocking only above the one held (reclamation); pv byte locks are taken
 * in increasing rank (a frame's pv head, then its pages by address); two pv
 * rwlocks are never held at once.  A violation aborts, so a deadlock shows
 * up as a test failure rather than a hang.
 */
#if ENG_DEBUG
static _Thread_local struct {
	int		pv;		/* pv locks held */
	int		rw;		/* of which rwlocks */
	uint64_t	rank;		/* last byte lock rank + 1 */
	struct pmap	*pm[2];		/* pmap locks held */
	struct eng_cpu	*pmc[2];	/* the CPU each was taken for */
	int		npm;
} lo;

/* The calling thread's record, for the simulator (lock_sim.h). */
static void *
lock_order_addr(void)
{
	return (&lo);
}

/* Each virtual CPU of a simulation keeps its own record. */
__attribute__((constructor)) static void
lock_order_register(void)
{
	eng_sim_tls_register(lock_order_addr, sizeof(lo));
}

/* Report a lock-order violation and abort. */
static void
lock_order_fail(const char *what)
{

	ENG_PANIC("pmap: lock order violation: %s", what);
}

#define LO_CHECK(cond, what) do {					\
	if (!(cond))							\
		lock_order_fail(what);					\
} while (0)
#define LO(stmt)	do { stmt; } while (0)
#else
#define LO_CHECK(cond, what)	do { } while (0)
#define LO(stmt)		do { } while (0)
#endif

/*
 * PMAP_LOCK: block for the pmap lock.  The caller holds no pv lock, and no
 * pmap lock at a higher or equal address.
 */
void
pmap_lock(struct eng_cpu *c, struct pmap *pm, struct eng_site *site)
{

	ENG_KASSERT(!eng_lock_held(pmap_mi_lkstat(c), &pm->pm_mtx),
	    "pmap %p (slot %ju): lock recursion", (void *)pm,
	    (uintmax_t)pm->pm_id);
	LO_CHECK(lo.pv == 0, "pmap lock taken with a pv lock held");
	LO_CHECK(lo.npm == 0 || (lo.npm == 1 && lo.pm[0] < pm),
	    "pmap lock taken below a held pmap");
	eng_mtx_lock(pmap_mi_lkstat(c), &pm->pm_mtx, site);
	LO(lo.pm[lo.npm] = pm; lo.pmc[lo.npm++] = c);
}

/* PMAP_TRYLOCK: never blocks, so any locks may be held. */
bool
pmap_trylock(struct eng_cpu *c, struct pmap *pm, struct eng_site *site)
{

	if (!eng_mtx_trylock(pmap_mi_lkstat(c), &pm->pm_mtx, site))
		return (false);
	LO_CHECK(lo.npm < 2, "three pmap locks held");
	LO(lo.pm[lo.npm] = pm; lo.pmc[lo.npm++] = c);
	return (true);
}

/* PMAP_UNLOCK.  This CPU holds the pmap lock. */
void
pmap_unlock(struct eng_cpu *c, struct pmap *pm)
{

	PMAP_LOCK_ASSERT(c, pm);
#if ENG_DEBUG
	if (lo.npm == 2 && lo.pm[0] == pm) {
		lo.pm[0] = lo.pm[1];
		lo.pmc[0] = lo.pmc[1];
	} else
		LO_CHECK(lo.npm > 0 && lo.pm[lo.npm - 1] == pm,
		    "unlock of a pmap not held");
	lo.npm--;
#endif
	eng_mtx_unlock(pmap_mi_lkstat(c), &pm->pm_mtx);
}

/*
 * PMAP_LOCK_ASSERT(pm, MA_OWNED): whether CPU c holds pm's lock, as
 * mtx_owned() asks of curthread.  With the debugging checks (ENG_DEBUG) it
 * answers from this thread's record of the pmap locks it took and for
 * which CPU, in constant time (eng_lock_held() is linear in the locks
 * held: 514 while a perpage promotion runs); the lock word must agree.
 * vm_page_pa_tryrelock() drops and retakes the pmap lock behind the
 * record, and no assertion runs in between.  Without them: no record,
 * true.
 */
bool
pmap_lock_owned(struct eng_cpu *c, const struct pmap *pm)
{
#if ENG_DEBUG
	int i;

	if (atomic_load_explicit(&pm->pm_mtx.mtx_lock,
	    memory_order_relaxed) == 0)
		return (false);
	for (i = 0; i < lo.npm; i++)
		if (lo.pm[i] == pm && lo.pmc[i] == c)
			return (true);
	return (false);
#else
	(void)c;
	(void)pm;
	return (true);
#endif
}

/* A chunk-list or pmap-list lock (class pvchunk): a leaf lock. */
void
pv_global_lock(struct eng_cpu *c, struct eng_mtx *m, struct eng_site *site)
{

	eng_mtx_lock(pmap_mi_lkstat(c), m, site);
}

/* Drop a chunk-list or pmap-list lock. */
void
pv_global_unlock(struct eng_cpu *c, struct eng_mtx *m)
{

	eng_mtx_unlock(pmap_mi_lkstat(c), m);
}

/*
 * pvh_global_lock (--pv hashed:N:global): FreeBSD 10.x's global pv
 * rwlock, release/10.4.0 sys/amd64/amd64/pmap.c line 375 (coder03/
 * freebsd10.4 @3d3f8b11), gone by 12.1 (rcslab/aurora-12.1's pmap.c
 * declares only pv_chunks_mutex and pv_list_locks[]).
 * Taken before the pmap lock and held across the operation:
 *   read   pmap_remove (lines 3714-3829), pmap_enter (4299-4459),
 *          pmap_remove_pages (5419-5552), pmap_remove_write (5733-5798),
 *          pmap_ts_referenced (5864-6023), each with the pv list locks
 *          as usual;
 *   write  pmap_remove_all (3861-3902), which then takes no pv list lock
 *          (pv_lock_page_and_frame() is a no-op) and blocks on each pmap
 *          lock; a demotion in it still takes the frame's list lock
 *          (pmap_pv_demote_pde), dropped by pmap_demote_pde (3381).
 * Counted as class pv, ranked before the pmap lock (eng_rw_order()).
 * The functions are no-ops without :global.
 */
static void
pvh_global_lock_mode(struct pv_cursor *cur, enum pvh_global_held mode)
{

	if (!cur->md->md_pv_global)
		return;
	ENG_KASSERT(cur->global == PVH_GLOBAL_NONE, "pvh_global_lock "
	    "recursion (cursor %p)", (void *)cur);
	LO_CHECK(lo.npm == 0 && lo.pv == 0,
	    "pvh_global_lock taken with a pmap or pv lock held");
	if (mode == PVH_GLOBAL_READ)
		eng_rw_rlock(cur->ls, &cur->md->md_pvh_global_lock, cur->site);
	else
		eng_rw_wlock(cur->ls, &cur->md->md_pvh_global_lock, cur->site);
	cur->global = mode;
}

/* rw_rlock(&pvh_global_lock).  The caller holds no pmap or pv lock. */
void
pvh_global_rlock(struct pv_cursor *cur)
{

	pvh_global_lock_mode(cur, PVH_GLOBAL_READ);
}

/* rw_wlock(&pvh_global_lock).  The caller holds no pmap or pv lock. */
void
pvh_global_wlock(struct pv_cursor *cur)
{

	pvh_global_lock_mode(cur, PVH_GLOBAL_WRITE);
}

/* Drop pvh_global_lock if cur holds it. */
void
pvh_global_unlock(struct pv_cursor *cur)
{

	switch (cur->global) {
	case PVH_GLOBAL_READ:
		eng_rw_runlock(cur->ls, &cur->md->md_pvh_global_lock);
		break;
	case PVH_GLOBAL_WRITE:
		eng_rw_wunlock(cur->ls, &cur->md->md_pvh_global_lock);
		break;
	case PVH_GLOBAL_NONE:
		break;
	}
	cur->global = PVH_GLOBAL_NONE;
}

/*
 * rwlocks of the hashed and superpage designs, write mode (the model has
 * no read-mode user: pmap_page_is_mapped() reads pv_count instead).
 */
static void
pv_rw_lock(struct pv_cursor *cur, struct eng_rw *l)
{

	LO_CHECK(lo.rw == 0, "two pv rwlocks held");
	eng_rw_wlock(cur->ls, l, cur->site);
	LO(lo.pv++; lo.rw++);
}

/* Drop a pv rwlock taken by pv_rw_lock(). */
static void
pv_rw_unlock(struct pv_cursor *cur, struct eng_rw *l)
{

	eng_rw_wunlock(cur->ls, l);
	LO(lo.pv--; lo.rw--);
}

/*
 * The one-byte mutex of --pv perpage (engine/lock.h eng_blk, class pv).
 * rank orders the locks of one frame for the checker: pv head f * 513,
 * page i of the frame f * 513 + 1 + i.
 */
static void
obm_lock(struct pv_cursor *cur, eng_blk_t *l, uint64_t rank)
{

	LO_CHECK(lo.rw == 0, "byte lock taken with a pv rwlock held");
	LO_CHECK(lo.pv == 0 || rank + 1 > lo.rank,
	    "pv byte locks taken out of address order");
	eng_blk_lock(cur->ls, l, LC_PV, cur->site);
	LO(lo.pv++; lo.rank = rank + 1);
	(void)rank;
}

/* Release a one-byte pv lock (release store). */
static void
obm_unlock(struct pv_cursor *cur, eng_blk_t *l)
{

	eng_blk_unlock(cur->ls, l);
#if ENG_DEBUG
	if (--lo.pv == 0)
		lo.rank = 0;
#endif
}

/* Initialise the pv lock table of the design (pmap_md_create()). */
void
pv_locks_init(struct pmap_md *md)
{
	uint64_t i;

	switch (md->md_pv) {
	case ENG_PV_HASHED:
		for (i = 0; i < md->md_npv_list_locks; i++)
			eng_rw_init(&md->md_pv_list_locks[i].lock, LC_PV);
		eng_rw_init(&md->md_pvh_global_lock, LC_PV);
		eng_rw_order(&md->md_pvh_global_lock, LC_BACKING);
		break;
	case ENG_PV_SUPERPAGE:
		for (i = 0; i < md->md_nframes; i++)
			eng_rw_init(&md->md_pv_large[i].pv_lock, LC_PV);
		break;
	case ENG_PV_PERPAGE:
	case ENG_PV_DFLY:	/* no pv lists for pages: no pv lock */
		break;
	}
}

/* pa_to_pvh(): the pv head of the 2 MiB frame holding pa. */
struct md_page *
pa_to_pvh(struct pmap_md *md, vm_paddr_t pa)
{

	if (md->md_pv == ENG_PV_SUPERPAGE)
		return (&md->md_pv_large[pa >> PDRSHIFT].pv_page);
	return (&md->md_pv_table[pa >> PDRSHIFT]);
}

/* PHYS_TO_PV_LIST_LOCK(pa) of the rwlock designs. */
static struct eng_rw *
phys_to_pv_list_lock(struct pmap_md *md, vm_paddr_t pa)
{

	if (md->md_pv == ENG_PV_SUPERPAGE)
		return (&md->md_pv_large[pa >> PDRSHIFT].pv_lock);
	return (&md->md_pv_list_locks[(pa >> PDRSHIFT) %
	    md->md_npv_list_locks].lock);
}

/*
 * Whether this CPU holds, through cur, the pv lock of the list mdp: a
 * page's list (mdp->pv_pvh is its frame's head) or a frame's pv head
 * (pv_pvh NULL), or every list through pvh_global_lock write-locked.  For
 * PV_LIST_LOCK_ASSERT (rw_assert(lock, RA_WLOCKED) in the kernel, on "held
 * by this CPU").
 */
bool
pv_list_locked(const struct pv_cursor *cur, const struct md_page *mdp)
{
	struct pmap_md *md;
	const struct md_page *pvh;
	uint64_t f;

	md = cur->md;
	if (cur->global == PVH_GLOBAL_WRITE)
		return (eng_lock_held(cur->ls, &md->md_pvh_global_lock));
	pvh = mdp->pv_pvh != NULL ? mdp->pv_pvh : mdp;
	if (md->md_pv == ENG_PV_SUPERPAGE)
		f = (uint64_t)((const struct pmap_large_md_page *)(const void *)
		    ((const char *)pvh - offsetof(struct pmap_large_md_page,
		    pv_page)) - md->md_pv_large);
	else
		f = (uint64_t)(pvh - md->md_pv_table);
	if (md->md_pv != ENG_PV_PERPAGE)
		return (cur->rw != NULL && cur->rw == phys_to_pv_list_lock(md,
		    f << PDRSHIFT) && eng_lock_held(cur->ls, cur->rw));
	/*
	 * perpage: the cursor, which only its CPU's thread uses, records
	 * the byte locks that CPU took (up to 513 at once, too many to look
	 * up on every list change); the lock byte must agree.
	 */
	if (atomic_load_explicit(&mdp->pv_lock, memory_order_relaxed) == 0)
		return (false);
	if (mdp == pvh)
		return (cur->pvh_held && cur->frame == f);
	return ((cur->all_held && cur->frame == f) || (cur->page_held &&
	    pmap_mi_md(pmap_mi_phys_to_page(md->md_engine, cur->page <<
	    PAGE_SHIFT)) == mdp));
}

/* An empty cursor of CPU c; its acquisitions are charged to site. */
void
pv_cursor_init(struct pv_cursor *cur, struct eng_cpu *c, struct pmap_md *md,
    struct eng_site *site)
{

	cur->cpu = c;
	cur->ls = pmap_mi_lkstat(c);
	cur->site = site;
	cur->md = md;
	cur->rw = NULL;
	cur->global = PVH_GLOBAL_NONE;
	cur->frame = cur->page = 0;
	cur->pvh_held = cur->page_held = cur->all_held = false;
}

/* RELEASE_PV_LIST_LOCK: drop whatever the cursor holds. */
void
pv_unlock(struct pv_cursor *cur)
{
	struct pmap_md *md;
	struct vm_page *m;
	uint64_t i, first;

	md = cur->md;
	if (cur->rw != NULL) {
		pv_rw_unlock(cur, cur->rw);
		cur->rw = NULL;
		return;
	}
	if (cur->all_held) {
		first = cur->frame * NPTEPG;
		for (i = first + NPTEPG; i-- > first;) {
			if (i >= md->md_npages)
				continue;
			m = pmap_mi_phys_to_page(md->md_engine,
			    i << PAGE_SHIFT);
			obm_unlock(cur, &pmap_mi_md(m)->pv_lock);
		}
		cur->all_held = false;
	}
	if (cur->page_held) {
		m = pmap_mi_phys_to_page(md->md_engine,
		    cur->page << PAGE_SHIFT);
		obm_unlock(cur, &pmap_mi_md(m)->pv_lock);
		cur->page_held = false;
	}
	if (cur->pvh_held) {
		obm_unlock(cur, &md->md_pv_table[cur->frame].pv_lock);
		cur->pvh_held = false;
	}
}

/* CHANGE_PV_LIST_LOCK_TO_PHYS of the rwlock designs. */
static void
pv_rw_change(struct pv_cursor *cur, vm_paddr_t pa)
{
	struct eng_rw *want;

	want = phys_to_pv_list_lock(cur->md, pa);
	if (cur->rw == want)
		return;
	pv_unlock(cur);
	pv_rw_lock(cur, want);
	cur->rw = want;
}

/*
 * Make the cursor cover m's pv list (write).  The 2 MiB frame's pv head is
 * covered too under hashed and superpage, not under perpage.
 */
void
pv_lock_page(struct pv_cursor *cur, struct vm_page *m)
{
	vm_paddr_t pa;
	uint64_t idx;

	pa = pmap_mi_page_to_phys(m);
	if (cur->md->md_pv != ENG_PV_PERPAGE) {
		pv_rw_change(cur, pa);
		return;
	}
	idx = pa >> PAGE_SHIFT;
	if ((cur->all_held && cur->frame == pa >> PDRSHIFT) ||
	    (cur->page_held && cur->page == idx))
		return;
	pv_unlock(cur);
	obm_lock(cur, &pmap_mi_md(m)->pv_lock,
	    (pa >> PDRSHIFT) * (NPTEPG + 1) + 1 + (idx & (NPTEPG - 1)));
	cur->page = idx;
	cur->page_held = true;
}

/*
 * Make the cursor cover m's pv list and its frame's pv head (write); with
 * pvh_global_lock write-locked it covers them already.
 */
void
pv_lock_page_and_frame(struct pv_cursor *cur, struct vm_page *m)
{
	vm_paddr_t pa;
	uint64_t f, idx;

	if (cur->global == PVH_GLOBAL_WRITE)
		return;
	pa = pmap_mi_page_to_phys(m);
	if (cur->md->md_pv != ENG_PV_PERPAGE) {
		pv_rw_change(cur, pa);
		return;
	}
	f = pa >> PDRSHIFT;
	idx = pa >> PAGE_SHIFT;
	if ((cur->all_held && cur->frame == f) ||
	    (cur->pvh_held && cur->frame == f && cur->page_held &&
	    cur->page == idx))
		return;
	pv_unlock(cur);
	obm_lock(cur, &cur->md->md_pv_table[f].pv_lock,
	    f * (NPTEPG + 1));
	cur->frame = f;
	cur->pvh_held = true;
	obm_lock(cur, &pmap_mi_md(m)->pv_lock,
	    f * (NPTEPG + 1) + 1 + (idx & (NPTEPG - 1)));
	cur->page = idx;
	cur->page_held = true;
}

/*
 * Make the cursor cover the pv head of pa's frame and all its 512 page
 * lists, for promotion, demotion and 2 MiB removal: one lock under hashed
 * and superpage; the head's byte lock then 512 page locks in address order
 * under perpage.
 */
void
pv_lock_frame_all(struct pv_cursor *cur, vm_paddr_t pa)
{
	struct pmap_md *md;
	struct vm_page *m;
	uint64_t f, i;

	md = cur->md;
	if (md->md_pv != ENG_PV_PERPAGE) {
		pv_rw_change(cur, pa);
		return;
	}
	f = pa >> PDRSHIFT;
	if (cur->all_held && cur->frame == f)
		return;
	pv_unlock(cur);
	obm_lock(cur, &md->md_pv_table[f].pv_lock, f * (NPTEPG + 1));
	cur->frame = f;
	cur->pvh_held = true;
	for (i = 0; i < NPTEPG && f * NPTEPG + i < md->md_npages; i++) {
		m = pmap_mi_phys_to_page(md->md_engine,
		    (f * NPTEPG + i) << PAGE_SHIFT);
		obm_lock(cur, &pmap_mi_md(m)->pv_lock,
		    f * (NPTEPG + 1) + 1 + i);
	}
	cur->all_held = true;
}
