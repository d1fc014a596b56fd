/*
 * test_pmap_unit.c - per-operation tests of the amd64 pmap model, each run
 * under every --pv x --pvchunk design, on the test page layer (mi_fake.c).
 */
#include <sys/wait.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "mi_fake.h"

#define VA0	0x7f0000000000ul	/* 2 MiB aligned user address */

static int
pv_len(const struct md_page *mdp)
{
	const struct pv_entry *pv;
	int n;

	n = 0;
	TAILQ_FOREACH(pv, &mdp->pv_list, pv_next)
		n++;
	return (n);
}

static uint64_t
counter(struct vm_engine *e, size_t off)
{
	struct pmap_counters cnt;

	pmap_md_counters(e->md, &cnt);
	return (*(uint64_t *)((char *)&cnt + off));
}
#define CNT(e, f)	counter((e), offsetof(struct pmap_counters, f))

static uint64_t
pte_of(struct pmap *pm, uint64_t va)
{
	struct pmap_pd *pd;

	pd = pmap_pd_find(pm, va);
	if (pd == NULL)
		return (0);
	if ((pd->pd_pde & PG_PS) != 0)
		return (pd->pd_pde);
	return (pd->pd_ptp[pmap_pte_index(va)]);
}

/* Map pages [first, first + n) at va in slot, page i at va + i pages. */
static void
map_run(struct eng_cpu *c, uint64_t slot, uint64_t va, uint64_t first,
    uint64_t n, bool write)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(pmap_ev_enter(c, slot, va + i * PAGE_SIZE,
		    fake_page(c->e, first + i), write), 0);
}

static void
test_enter_remove(void **state)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	const char *name;
	unsigned k;
	int i;

	(void)state;
	for (k = 0; k < FAKE_NDESIGNS; k++) {
		fake_design(k, &d, &name);
		e = fake_create(&d, 2048, 4, 1);
		c = e->cpus[0];
		assert_int_equal(pmap_ev_create(c, 0), 0);
		assert_int_equal(pmap_ev_create(c, 0), 1);	/* in use */
		map_run(c, 0, VA0, 100, 10, false);
		for (i = 0; i < 10; i++)
			assert_int_equal(pv_len(&fake_page(e, 100 + i)->md), 1);
		assert_int_equal(fake_pmap(e, 0)->pm_stats.resident_count,
		    10);
		assert_true((pte_of(fake_pmap(e, 0), VA0 + PAGE_SIZE) &
		    PG_FRAME) == 101 * PAGE_SIZE);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		assert_int_equal(pmap_ev_remove(c, 0, VA0 + 2 * PAGE_SIZE, 3),
		    0);
		assert_int_equal(pv_len(&fake_page(e, 101)->md), 1);
		assert_int_equal(pv_len(&fake_page(e, 102)->md), 0);
		assert_int_equal(pv_len(&fake_page(e, 104)->md), 0);
		assert_int_equal(pv_len(&fake_page(e, 105)->md), 1);
		assert_int_equal(fake_pmap(e, 0)->pm_stats.resident_count, 7);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		assert_int_equal(pmap_ev_destroy(c, 0), 0);
		assert_int_equal(pmap_ev_destroy(c, 0), 1);
		assert_int_equal(pv_len(&fake_page(e, 101)->md), 0);
		assert_int_equal(atomic_load(&e->md->md_chunks_used), 0);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		/* Events on a destroyed or missing pmap are skipped. */
		assert_int_equal(pmap_ev_remove(c, 0, VA0, 1), 1);
		assert_int_equal(pmap_ev_promote(c, 0, VA0), 1);
		assert_int_equal(pmap_ev_extract_and_hold(c, 0, VA0), 1);
		assert_int_equal(pmap_ev_create(c, 99), 1);
		assert_int_equal(pmap_ev_enter(c, 99, VA0,
		    fake_page(e, 1), false), 1);
		fake_destroy(e);
	}
}

/* A new mapping at a mapped va replaces the old page, reusing its pv. */
static void
test_enter_replace_and_write(void **state)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	const char *name;
	unsigned k;

	(void)state;
	for (k = 0; k < FAKE_NDESIGNS; k++) {
		fake_design(k, &d, &name);
		e = fake_create(&d, 2048, 4, 1);
		c = e->cpus[0];
		map_run(c, 1, VA0, 7, 1, true);
		assert_true(fake_writeable(fake_page(e, 7)));
		map_run(c, 1, VA0, 8, 1, false);
		assert_int_equal(pv_len(&fake_page(e, 7)->md), 0);
		assert_false(fake_writeable(fake_page(e, 7)));
		assert_int_equal(pv_len(&fake_page(e, 8)->md), 1);
		assert_false(fake_writeable(fake_page(e, 8)));
		assert_int_equal(fake_pmap(e, 1)->pm_stats.resident_count, 1);
		/* Upgrade in place, then remove_write in two pmaps. */
		map_run(c, 1, VA0, 8, 1, true);
		map_run(c, 2, VA0 + NBPDR, 8, 1, true);
		assert_int_equal(pv_len(&fake_page(e, 8)->md), 2);
		assert_true(fake_writeable(fake_page(e, 8)));
		pmap_remove_write(c, fake_page(e, 8));
		assert_false(fake_writeable(fake_page(e, 8)));
		assert_int_equal(pte_of(fake_pmap(e, 1), VA0) & PG_RW, 0);
		assert_int_equal(pte_of(fake_pmap(e, 2), VA0 + NBPDR) & PG_RW,
		    0);
		assert_int_equal(pv_len(&fake_page(e, 8)->md), 2);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		fake_destroy(e);
	}
}

static void
test_remove_all(void **state)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	const char *name;
	unsigned k, p;

	(void)state;
	for (k = 0; k < FAKE_NDESIGNS; k++) {
		fake_design(k, &d, &name);
		e = fake_create(&d, 2048, 8, 1);
		c = e->cpus[0];
		for (p = 0; p < 5; p++) {
			map_run(c, p, VA0 + p * PAGE_SIZE, 42, 1, p % 2 == 0);
			map_run(c, p, VA0 + 64 * PAGE_SIZE, 43, 1, false);
		}
		assert_int_equal(pv_len(&fake_page(e, 42)->md), 5);
		pmap_remove_all(c, fake_page(e, 42));
		assert_int_equal(pv_len(&fake_page(e, 42)->md), 0);
		assert_false(fake_writeable(fake_page(e, 42)));
		assert_int_equal(pv_len(&fake_page(e, 43)->md), 5);
		for (p = 0; p < 5; p++)
			assert_int_equal(
			    fake_pmap(e, p)->pm_stats.resident_count, 1);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		fake_destroy(e);
	}
}

/* 168 entries per chunk, lowest free bit first, chunk freed when empty. */
static void
test_pv_chunks(void **state)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	struct pmap *pm;
	struct pv_chunk *pc;
	struct pv_entry *pv;
	const char *name;
	unsigned k;

	(void)state;
	for (k = 0; k < FAKE_NDESIGNS; k++) {
		fake_design(k, &d, &name);
		e = fake_create(&d, 2048, 2, 1);
		c = e->cpus[0];
		pm = fake_pmap(e, 0);
		map_run(c, 0, VA0, 0, _NPCPV, false);
		assert_int_equal(atomic_load(&e->md->md_chunks_used), 1);
		pc = TAILQ_FIRST(&pm->pm_pvchunk);
		assert_int_equal(pv_chunk_count_free(pc), 0);
		pv = TAILQ_FIRST(&fake_page(e, 0)->md.pv_list);
		assert_ptr_equal(pv, &pc->pc_pventry[0]);
		assert_ptr_equal(PV_PMAP(pv), pm);
		map_run(c, 0, VA0 + _NPCPV * PAGE_SIZE, _NPCPV, 1, false);
		assert_int_equal(atomic_load(&e->md->md_chunks_used), 2);
		/* Freeing entry 5 of the full chunk puts it first again. */
		assert_int_equal(pmap_ev_remove(c, 0, VA0 + 5 * PAGE_SIZE, 1),
		    0);
		assert_ptr_equal(TAILQ_FIRST(&pm->pm_pvchunk), pc);
		assert_int_equal(pc->pc_map[0], 1ul << 5);
		map_run(c, 0, VA0 + 5 * PAGE_SIZE, 1000, 1, false);
		assert_ptr_equal(TAILQ_FIRST(&fake_page(e, 1000)->md.pv_list),
		    &pc->pc_pventry[5]);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		assert_int_equal(pmap_ev_remove(c, 0, VA0, _NPCPV + 1), 0);
		assert_int_equal(atomic_load(&e->md->md_chunks_used), 0);
		assert_true(TAILQ_EMPTY(&pm->pm_pvchunk));
		assert_int_equal(CNT(e, chunk_allocs), 2);
		assert_int_equal(CNT(e, chunk_frees), 2);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		fake_destroy(e);
	}
}

/* 512 contiguous, aligned pages: promotion on the last enter, demotion. */
static void
test_promote_demote(void **state)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	struct pmap *pm;
	struct md_page *pvh;
	const char *name;
	unsigned k;

	(void)state;
	for (k = 0; k < FAKE_NDESIGNS; k++) {
		fake_design(k, &d, &name);
		e = fake_create(&d, 4096, 2, 1);
		c = e->cpus[0];
		pm = fake_pmap(e, 0);
		pvh = pa_to_pvh(e->md, 2 * NBPDR);
		map_run(c, 0, VA0, 1024, NPTEPG, true);
		assert_int_equal(CNT(e, promotions), 1);
		assert_true((pte_of(pm, VA0) & PG_PS) != 0);
		assert_int_equal(pv_len(pvh), 1);
		assert_int_equal(pv_len(&fake_page(e, 1024)->md), 0);
		assert_int_equal(pv_len(&fake_page(e, 1535)->md), 0);
		/* Mapped through the frame's pv head only. */
		assert_true(pmap_page_is_mapped(fake_page(e, 1535)));
		assert_false(pmap_page_is_mapped(fake_page(e, 1536)));
		assert_int_equal(pm->pm_stats.resident_count, NPTEPG);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		/* Promoting again is skipped; demote; promote by event. */
		assert_int_equal(pmap_ev_promote(c, 0, VA0), 1);
		assert_int_equal(pmap_ev_demote(c, 0, VA0), 0);
		assert_int_equal(pmap_ev_demote(c, 0, VA0), 1);
		assert_int_equal(CNT(e, demotions), 1);
		assert_int_equal(pv_len(pvh), 0);
		assert_int_equal(pv_len(&fake_page(e, 1300)->md), 1);
		assert_true((pte_of(pm, VA0 + 276 * PAGE_SIZE) & PG_FRAME) ==
		    1300 * PAGE_SIZE);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		assert_int_equal(pmap_ev_promote(c, 0, VA0), 0);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		/* remove_write demotes the writable 2 MiB mapping. */
		pmap_remove_write(c, fake_page(e, 1100));
		assert_int_equal(CNT(e, demotions), 2);
		assert_int_equal(pte_of(pm, VA0 + 76 * PAGE_SIZE) & PG_RW, 0);
		assert_true((pte_of(pm, VA0 + 77 * PAGE_SIZE) & PG_RW) != 0);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		/* Different attributes: no promotion. */
		assert_int_equal(pmap_ev_promote(c, 0, VA0), 1);
		assert_int_equal(CNT(e, promote_failures), 2);
		/* Promote again, then a partial unmap demotes. */
		map_run(c, 0, VA0 + 76 * PAGE_SIZE, 1100, 1, true);
		assert_int_equal(CNT(e, promotions), 3);
		assert_int_equal(pmap_ev_remove(c, 0, VA0 + PAGE_SIZE, 2), 0);
		assert_int_equal(CNT(e, demotions), 3);
		assert_int_equal(pm->pm_stats.resident_count, NPTEPG - 2);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		/* Whole 2 MiB removal of a promoted mapping. */
		map_run(c, 0, VA0 + PAGE_SIZE, 1025, 2, true);
		assert_int_equal(CNT(e, promotions), 4);
		assert_int_equal(pmap_ev_remove(c, 0, VA0, NPTEPG), 0);
		assert_int_equal(pv_len(pvh), 0);
		assert_false(pmap_page_is_mapped(fake_page(e, 1200)));
		assert_false(fake_writeable(fake_page(e, 1200)));
		assert_int_equal(pm->pm_stats.resident_count, 0);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		/* A misaligned run does not promote. */
		map_run(c, 0, VA0, 1025, NPTEPG, true);
		assert_int_equal(CNT(e, promotions), 4);
		pmap_remove_all(c, fake_page(e, 1030));
		assert_int_equal(pmap_check(e->md, stderr), 0);
		fake_destroy(e);
	}
}

/* remove_all of a page under a 2 MiB mapping demotes it first. */
static void
test_remove_all_superpage(void **state)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	const char *name;
	unsigned k;

	(void)state;
	for (k = 0; k < FAKE_NDESIGNS; k++) {
		fake_design(k, &d, &name);
		e = fake_create(&d, 4096, 4, 1);
		c = e->cpus[0];
		map_run(c, 0, VA0, 512, NPTEPG, false);
		map_run(c, 1, VA0 + 4 * NBPDR, 512, NPTEPG, true);
		assert_int_equal(CNT(e, promotions), 2);
		pmap_remove_all(c, fake_page(e, 700));
		assert_int_equal(CNT(e, demotions), 2);
		assert_int_equal(pv_len(&fake_page(e, 700)->md), 0);
		assert_int_equal(pv_len(&fake_page(e, 701)->md), 2);
		assert_int_equal(fake_pmap(e, 1)->pm_stats.resident_count,
		    NPTEPG - 1);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		fake_destroy(e);
	}
}

/*
 * Delayed invalidation in reclamation (--pv ...:di-locked, :di): each pmap
 * reclaim_pv_chunk works on gets a DI block, opened once it is locked and
 * closed after it is unlocked, unless the caller has one open (2019 head
 * sys/amd64/amd64/pmap.c @95000-97700, start_di).  A fault's reclamation
 * (pmap_enter opens none) takes whole blocks: 3 invl acquisitions each
 * under :di-locked, 5 atomics under :di; pmap_remove's demotion under
 * pressure reclaims inside pmap_remove's block and opens no other (a
 * nested start would fail its assertion).
 */
static void
test_reclaim_delayed_invl(void **state)
{
	static const enum eng_pv_di di[2] = { ENG_DI_LOCKED, ENG_DI_LOCKLESS };
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	struct eng_lock_stats *st;
	struct pv_chunk *pc;
	const char *name;
	unsigned k, m, per;
	uint64_t acq, at, free_entries, i, reclaimed;

	(void)state;
	for (k = 0; k < FAKE_NDESIGNS; k++) {
		for (m = 0; m < 2; m++) {
			fake_design(k, &d, &name);
			d.pv_di = di[m];
			e = fake_create(&d, 8192, 4, 1);
			c = e->cpus[0];
			st = &pmap_mi_lkstat(c)->cls[LC_INVL];
			per = di[m] == ENG_DI_LOCKED ? 3 : 5;
			pmap_md_set_chunk_limit(e->md, 8);
			for (i = 0; i < 3 * _NPCPV; i++)
				(void)pmap_enter(c, fake_pmap(e, 1), VA0 +
				    i * PAGE_SIZE, fake_page(e, 4096 + i),
				    false, true, NULL);
			map_run(c, 2, VA0, 4096 + 3 * _NPCPV, 4 * _NPCPV,
			    false);
			acq = st->acquisitions;
			at = st->atomics;
			map_run(c, 0, VA0 + 3 * NBPDR, 0, 2 * _NPCPV, false);
			assert_true(CNT(e, reclaims) > 0);
			acq = st->acquisitions - acq;
			at = st->atomics - at;
			if (di[m] == ENG_DI_LOCKLESS)
				acq = at;
			if (acq == 0 || acq % per != 0)
				fail_msg("%s m %u: reclamation took %ju invl "
				    "acquisitions/atomics", name, m,
				    (uintmax_t)acq);
			assert_true(pmap_not_in_di(c));
			/* pmap_remove demoting under pressure. */
			map_run(c, 0, VA0, 512, NPTEPG, true);
			assert_int_equal(CNT(e, promotions), 1);
			free_entries = 0;
			TAILQ_FOREACH(pc, &fake_pmap(e, 0)->pm_pvchunk,
			    pc_list)
				free_entries +=
				    (uint64_t)pv_chunk_count_free(pc);
			map_run(c, 0, VA0 + 6 * NBPDR, 2000, free_entries,
			    false);
			pmap_md_set_chunk_limit(e->md,
			    atomic_load(&e->md->md_chunks_used));
			reclaimed = CNT(e, reclaimed);
			acq = st->acquisitions;
			at = st->atomics;
			assert_int_equal(pmap_ev_remove(c, 0, VA0, 1), 0);
			assert_true(CNT(e, reclaimed) > reclaimed);
			if (di[m] == ENG_DI_LOCKED)
				assert_int_equal(st->acquisitions - acq, 3);
			else
				assert_int_equal(st->atomics - at, 5);
			assert_true(pmap_not_in_di(c));
			assert_int_equal(pmap_check(e->md, stderr), 0);
			fake_destroy(e);
		}
	}
}

/*
 * Under chunk pressure pv entries are reclaimed from other pmaps, never a
 * wired mapping; a demotion reserves its 511 entries by reclamation too.
 */
static void
test_reclaim(void **state)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	struct pmap *wired_pm;
	struct pv_chunk *pc;
	const char *name;
	unsigned k;
	uint64_t free_entries, i, reclaimed, resident;

	(void)state;
	for (k = 0; k < FAKE_NDESIGNS; k++) {
		fake_design(k, &d, &name);
		e = fake_create(&d, 8192, 4, 1);
		c = e->cpus[0];
		pmap_md_set_chunk_limit(e->md, 8);
		wired_pm = fake_pmap(e, 1);
		for (i = 0; i < 3 * _NPCPV; i++)
			(void)pmap_enter(c, wired_pm, VA0 + i * PAGE_SIZE,
			    fake_page(e, 4096 + i), false, true, NULL);
		map_run(c, 2, VA0, 4096 + 3 * _NPCPV, 4 * _NPCPV, false);
		assert_int_equal(atomic_load(&e->md->md_chunks_used), 7);
		assert_int_equal(CNT(e, reclaims), 0);
		/* pmap 0 needs 2 chunks: one free page, then reclaim. */
		map_run(c, 0, VA0 + 3 * NBPDR, 0, 2 * _NPCPV, false);
		assert_true(CNT(e, reclaims) > 0);
		assert_true(CNT(e, reclaimed) >= _NPCPV);
		assert_int_equal(wired_pm->pm_stats.wired_count, 3 * _NPCPV);
		assert_int_equal(wired_pm->pm_stats.resident_count, 3 * _NPCPV);
		assert_true(fake_pmap(e, 2)->pm_stats.resident_count <
		    4 * _NPCPV);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		/* A superpage in pmap 0, then its demotion under pressure. */
		map_run(c, 0, VA0, 512, NPTEPG, true);
		assert_int_equal(CNT(e, promotions), 1);
		/* Use up pmap 0's free entries, so demotion must reclaim. */
		free_entries = 0;
		TAILQ_FOREACH(pc, &fake_pmap(e, 0)->pm_pvchunk, pc_list)
			free_entries += (uint64_t)pv_chunk_count_free(pc);
		map_run(c, 0, VA0 + 6 * NBPDR, 2000, free_entries, false);
		pmap_md_set_chunk_limit(e->md,
		    atomic_load(&e->md->md_chunks_used));
		resident = fake_pmap(e, 0)->pm_stats.resident_count;
		reclaimed = CNT(e, reclaimed);
		assert_int_equal(pmap_ev_demote(c, 0, VA0), 0);
		assert_int_equal(CNT(e, demotions), 1);
		assert_true(CNT(e, reclaimed) > reclaimed);
		assert_true(fake_pmap(e, 0)->pm_stats.resident_count <=
		    resident);
		assert_int_equal(pv_len(&fake_page(e, 1000)->md), 1);
		assert_int_equal(wired_pm->pm_stats.resident_count, 3 * _NPCPV);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		/* Nothing reclaimable at all: over budget, counted. */
		assert_int_equal(pmap_ev_destroy(c, 0), 0);
		assert_int_equal(pmap_ev_destroy(c, 2), 0);
		pmap_md_set_chunk_limit(e->md, 1);
		for (i = 0; i < _NPCPV; i++)
			(void)pmap_enter(c, fake_pmap(e, 3), VA0 +
			    i * PAGE_SIZE, fake_page(e, 6000 + i), false, true,
			    NULL);
		(void)pmap_enter(c, wired_pm, VA0 + NBPDR, fake_page(e, 7000),
		    false, true, NULL);
		assert_true(CNT(e, chunk_overcommits) > 0);
		assert_int_equal(wired_pm->pm_stats.resident_count,
		    3 * _NPCPV + 1);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		fake_destroy(e);
	}
}

/*
 * pmap_is_prefaultable(): the pmap lock, answer or not; yes only for an
 * empty PTE of an existing page-table page; a valid PTE's page (object
 * slot, pindex) and PG_RW reported beside.  pmap_enter_quick(): a
 * read-only PTE with no PG_A and a pv entry; nothing over a valid PTE;
 * with no free pv entry and no chunk page in the budget it abandons the
 * mapping (and a page-table page it made) without reclaiming.  Locks:
 * the pmap lock and the page's pv lock, with 10.4's pvh_global_lock
 * before them under hashed:N:global (pmap_enter_quick, release/10.4.0).
 */
static void
test_enter_quick(void **state)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	struct pmap_seen seen;
	const char *name;
	uint64_t before, pv, pte, used;
	unsigned k;

	(void)state;
	for (k = 0; k <= FAKE_NDESIGNS; k++) {
		fake_design(k % FAKE_NDESIGNS, &d, &name);
		d.pv_global = k == FAKE_NDESIGNS;	/* hashed:256:global */
		e = fake_create(&d, 4096, 4, 1);
		c = e->cpus[0];
		map_run(c, 0, VA0, 100, 1, false);
		before = c->lk.cls[LC_PMAP].acquisitions;
		fake_page(e, 100)->obj = 3;
		fake_page(e, 100)->pindex = 9;
		assert_false(pmap_ev_is_prefaultable(c, 0, VA0, &seen));
		assert_true(seen.mapped && seen.obj == 3 && seen.pindex == 9 &&
		    !seen.writeable);
		assert_true(pmap_ev_is_prefaultable(c, 0, VA0 + PAGE_SIZE,
		    &seen));
		assert_false(seen.mapped);
		assert_false(pmap_ev_is_prefaultable(c, 0, VA0 + NBPDR,
		    &seen));
		assert_false(seen.mapped);
		assert_int_equal(c->lk.cls[LC_PMAP].acquisitions - before, 3);
		assert_false(pmap_ev_is_prefaultable(c, 99, VA0, &seen));
		assert_false(seen.mapped);
		before = c->lk.cls[LC_PMAP].acquisitions;
		pv = c->lk.cls[LC_PV].acquisitions;
		assert_true(pmap_ev_enter_quick(c, 0, VA0 + PAGE_SIZE,
		    fake_page(e, 101)));
		assert_int_equal(c->lk.cls[LC_PMAP].acquisitions - before, 1);
		assert_int_equal(c->lk.cls[LC_PV].acquisitions - pv,
		    d.pv_global ? 2 : 1);
		pte = pte_of(fake_pmap(e, 0), VA0 + PAGE_SIZE);
		assert_true((pte & PG_FRAME) == 101 * PAGE_SIZE);
		assert_int_equal(pte & (PG_V | PG_RW | PG_A | PG_MANAGED),
		    PG_V | PG_MANAGED);
		assert_int_equal(pv_len(&fake_page(e, 101)->md), 1);
		assert_int_equal(fake_pmap(e, 0)->pm_stats.resident_count, 2);
		assert_false(fake_writeable(fake_page(e, 101)));
		/* A valid PTE stays. */
		assert_false(pmap_ev_enter_quick(c, 0, VA0,
		    fake_page(e, 102)));
		assert_true((pte_of(fake_pmap(e, 0), VA0) & PG_FRAME) ==
		    100 * PAGE_SIZE);
		assert_int_equal(pv_len(&fake_page(e, 102)->md), 0);
		/* pmap 1's only chunk full, no page left: no reclamation. */
		map_run(c, 1, VA0, 200, _NPCPV, false);
		used = atomic_load(&e->md->md_chunks_used);
		pmap_md_set_chunk_limit(e->md, used);
		assert_false(pmap_ev_enter_quick(c, 1, VA0 + _NPCPV *
		    PAGE_SIZE, fake_page(e, 1000)));
		assert_false(pmap_ev_enter_quick(c, 1, VA0 + NBPDR,
		    fake_page(e, 1001)));
		assert_int_equal(pte_of(fake_pmap(e, 1), VA0 + _NPCPV *
		    PAGE_SIZE), 0);
		assert_int_equal(pte_of(fake_pmap(e, 1), VA0 + NBPDR), 0);
		assert_null(pmap_pd_find(fake_pmap(e, 1), VA0 + NBPDR));
		assert_int_equal(fake_pmap(e, 1)->pm_stats.resident_count,
		    _NPCPV);
		assert_int_equal(CNT(e, reclaims), 0);
		assert_int_equal(atomic_load(&e->md->md_chunks_used), used);
		/* pmap_enter there reclaims (from pmap 0). */
		map_run(c, 1, VA0 + NBPDR, 1001, 1, false);
		assert_true(CNT(e, reclaims) > 0);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		fake_destroy(e);
	}
}

static void
test_extract_and_hold(void **state)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	struct vm_page *m;
	const char *name;
	unsigned k, page;

	(void)state;
	for (k = 0; k < 2 * FAKE_NDESIGNS; k++) {
		fake_design(k % FAKE_NDESIGNS, &d, &name);
		if (k >= FAKE_NDESIGNS)
			d.page = ENG_PAGE_PAGELOCK;
		e = fake_create(&d, 4096, 2, 1);
		c = e->cpus[0];
		map_run(c, 0, VA0, 10, 1, false);
		m = pmap_extract_and_hold(c, fake_pmap(e, 0), VA0, false);
		assert_ptr_equal(m, fake_page(e, 10));
		assert_int_equal(fake_wire_count(m), 1);
		pmap_mi_unwire(c, m);
		assert_null(pmap_extract_and_hold(c, fake_pmap(e, 0), VA0,
		    true));
		assert_null(pmap_extract_and_hold(c, fake_pmap(e, 0),
		    VA0 + PAGE_SIZE, false));
		/* The event drops its hold again. */
		assert_int_equal(pmap_ev_extract_and_hold(c, 0, VA0), 0);
		assert_int_equal(fake_wire_count(m), 0);
		/* Blocked by a try_remove_all in progress: fallback. */
		atomic_fetch_or(&m->ref, FAKE_BLOCKED);
		assert_int_equal(pmap_ev_extract_and_hold(c, 0, VA0), 1);
		assert_int_equal(CNT(e, hold_fallbacks), 1);
		atomic_fetch_and(&m->ref, ~FAKE_BLOCKED);
		/* Through a 2 MiB mapping. */
		map_run(c, 0, VA0 + NBPDR, 1024, NPTEPG, true);
		page = 1024 + 300;
		assert_ptr_equal(pmap_extract_and_hold(c, fake_pmap(e, 0),
		    VA0 + NBPDR + 300 * PAGE_SIZE + 5, true),
		    fake_page(e, page));
		pmap_mi_unwire(c, fake_page(e, page));
		assert_int_equal(pmap_check(e->md, stderr), 0);
		fake_destroy(e);
	}
}

/* Locks per operation: the footprint each design is about. */
static void
test_lock_footprint(void **state)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	const char *name;
	uint64_t before, pv_promote, pv_map;
	unsigned k;

	(void)state;
	for (k = 0; k < FAKE_NDESIGNS; k++) {
		fake_design(k, &d, &name);
		e = fake_create(&d, 4096, 2, 1);
		c = e->cpus[0];
		map_run(c, 0, VA0, 1024, NPTEPG - 1, false);
		before = c->lk.cls[LC_PV].acquisitions;
		map_run(c, 0, VA0 + (NPTEPG - 1) * PAGE_SIZE, 1535, 1, false);
		pv_promote = c->lk.cls[LC_PV].acquisitions - before;
		before = c->lk.cls[LC_PV].acquisitions;
		map_run(c, 1, VA0, 7, 1, false);
		pv_map = c->lk.cls[LC_PV].acquisitions - before;
		assert_int_equal(CNT(e, promotions), 1);
		if (d.pv == ENG_PV_PERPAGE) {
			/* The page's lock, then the head and all 512. */
			assert_int_equal(pv_promote, 1 + 1 + NPTEPG);
		} else {
			/* One frame lock covers the page and the frame. */
			assert_int_equal(pv_promote, 1);
		}
		assert_int_equal(pv_map, 1);
		fake_destroy(e);
	}
}

/*
 * The chunk lock (class pvchunk) is taken only when a chunk page is
 * allocated or freed, as amd64's get_pv_entry(), free_pv_entry(),
 * free_pv_chunk() and pmap_remove_pages(): a map and an unmap within an
 * existing chunk take it 0 times; process exit frees the chunks with one
 * acquisition per chunk (global: stable/12 free_pv_chunk()) or per domain
 * (domain: free_pv_chunk_batch()), and pmaps only leaves the pmap list.
 */
static void
test_pvchunk_lock_footprint(void **state)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct eng_design d;
	const char *name;
	uint64_t before, exit_acq;
	unsigned k;

	(void)state;
	for (k = 0; k < FAKE_NDESIGNS; k++) {
		fake_design(k, &d, &name);
		e = fake_create(&d, 4096, 2, 1);
		c = e->cpus[0];
		map_run(c, 0, VA0, 0, 2, false);
		before = c->lk.cls[LC_PVCHUNK].acquisitions;
		map_run(c, 0, VA0 + 2 * PAGE_SIZE, 2, 1, true);
		assert_int_equal(pmap_ev_remove(c, 0, VA0 + 2 * PAGE_SIZE, 1),
		    0);
		if (c->lk.cls[LC_PVCHUNK].acquisitions != before)
			fail_msg("%s: map+unmap in an existing chunk took the "
			    "chunk lock %llu times", name, (unsigned long long)
			    (c->lk.cls[LC_PVCHUNK].acquisitions - before));
		map_run(c, 1, VA0, 1024, 3 * _NPCPV, false);
		assert_int_equal(atomic_load(&e->md->md_chunks_used), 4);
		before = c->lk.cls[LC_PVCHUNK].acquisitions;
		assert_int_equal(pmap_ev_destroy(c, 1), 0);
		exit_acq = c->lk.cls[LC_PVCHUNK].acquisitions - before;
		assert_int_equal(atomic_load(&e->md->md_chunks_used), 1);
		assert_int_equal(exit_acq, d.pvchunk == ENG_PVCHUNK_GLOBAL ?
		    3 : 1);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		fake_destroy(e);
		if (d.pvchunk != ENG_PVCHUNK_DOMAIN)
			continue;
		/* A chunk joins the list of its CPU's domain (first touch). */
		e = fake_create(&d, 4096, 2, 2);
		c = e->cpus[0];
		map_run(c, 0, VA0, 0, _NPCPV, false);
		map_run(e->cpus[1], 0, VA0 + _NPCPV * PAGE_SIZE, _NPCPV, 1,
		    false);
		assert_ptr_not_equal(TAILQ_FIRST(&e->md->md_pv_chunks[0].
		    pvc_list), NULL);
		assert_ptr_not_equal(TAILQ_FIRST(&e->md->md_pv_chunks[1].
		    pvc_list), NULL);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		before = c->lk.cls[LC_PVCHUNK].acquisitions;
		assert_int_equal(pmap_ev_destroy(c, 0), 0);
		/* free_pv_chunk_batch(): one acquisition per domain. */
		assert_int_equal(c->lk.cls[LC_PVCHUNK].acquisitions - before,
		    2);
		assert_int_equal(pmap_check(e->md, stderr), 0);
		fake_destroy(e);
	}
}

/*
 * Run fn(e) in a child; true if it died (a failed assertion panics with
 * exit status 70), false if it returned.
 */
static bool
child_dies(struct vm_engine *e, void (*fn)(struct vm_engine *))
{
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		fn(e);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return (!WIFEXITED(status) || WEXITSTATUS(status) != 0);
}

/* CPU 1 holds pmap 0's lock; CPU 0 takes a pv entry of pmap 0. */
static void
entry_under_other_cpus_lock(struct vm_engine *e)
{
	ENG_SITE_DEFINE;

	pmap_lock(e->cpus[1], fake_pmap(e, 0), ENG_HERE);
	(void)get_pv_entry(e->cpus[0], fake_pmap(e, 0), NULL);
	pmap_unlock(e->cpus[1], fake_pmap(e, 0));
}

/* CPU 1's cursor holds page 3's pv lock; CPU 0's cursor edits its list. */
static void
pv_list_under_other_cpus_lock(struct vm_engine *e)
{
	ENG_SITE_DEFINE;
	struct pv_cursor cur0, cur1;

	pv_cursor_init(&cur0, e->cpus[0], e->md, ENG_HERE);
	pv_cursor_init(&cur1, e->cpus[1], e->md, ENG_HERE);
	pv_lock_page(&cur1, fake_page(e, 3));
	pmap_clear_writeable_if_unmapped(&cur0, fake_page(e, 3));
	pv_unlock(&cur1);
}

/* The same, with the locks held by the calling CPU: must return. */
static void
under_own_locks(struct vm_engine *e)
{
	ENG_SITE_DEFINE;
	struct pv_cursor cur;

	pmap_lock(e->cpus[0], fake_pmap(e, 0), ENG_HERE);
	(void)get_pv_entry(e->cpus[0], fake_pmap(e, 0), NULL);
	pmap_unlock(e->cpus[0], fake_pmap(e, 0));
	pv_cursor_init(&cur, e->cpus[0], e->md, ENG_HERE);
	pv_lock_page(&cur, fake_page(e, 3));
	pmap_clear_writeable_if_unmapped(&cur, fake_page(e, 3));
	pv_unlock(&cur);
}

/*
 * PMAP_LOCK_ASSERT and PV_LIST_LOCK_ASSERT test "held by this CPU", as
 * mtx_assert(MA_OWNED) and rw_assert(RA_WLOCKED) do, not "held by
 * anyone": a lock held by another CPU fails them (builds with the
 * debugging checks).
 */
static void
test_lock_asserts_this_cpu(void **state)
{
	struct vm_engine *e;
	struct eng_design d;
	const char *name;
	unsigned k;

	(void)state;
	if (!ENG_DEBUG)
		skip();
	for (k = 0; k < FAKE_NDESIGNS; k++) {
		fake_design(k, &d, &name);
		e = fake_create(&d, 2048, 2, 2);
		map_run(e->cpus[0], 0, VA0, 100, 1, false);
		if (!child_dies(e, entry_under_other_cpus_lock))
			fail_msg("%s: get_pv_entry() under another CPU's "
			    "pmap lock passed its assertion", name);
		if (!child_dies(e, pv_list_under_other_cpus_lock))
			fail_msg("%s: a pv list edited under another CPU's pv "
			    "lock passed its assertion", name);
		assert_false(child_dies(e, under_own_locks));
		fake_destroy(e);
	}
}

/* A pv lock, then a pmap lock: against the lock order. */
static void
pmap_lock_after_pv_lock(struct vm_engine *e)
{
	ENG_SITE_DEFINE;
	struct pv_cursor cur;

	pv_cursor_init(&cur, e->cpus[0], e->md, ENG_HERE);
	pv_lock_page(&cur, fake_page(e, 3));
	pmap_lock(e->cpus[0], fake_pmap(e, 0), ENG_HERE);
}

/* The debugging checks make a lock-order violation an abort, not a hang. */
static void
test_lock_order_checked(void **state)
{
	struct vm_engine *e;
	struct eng_design d;
	const char *name;

	(void)state;
	if (!ENG_DEBUG)
		skip();
	fake_design(6, &d, &name);	/* perpage/global */
	e = fake_create(&d, 2048, 2, 1);
	assert_true(child_dies(e, pmap_lock_after_pv_lock));
	fake_destroy(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enter_remove),
		cmocka_unit_test(test_enter_replace_and_write),
		cmocka_unit_test(test_enter_quick),
		cmocka_unit_test(test_remove_all),
		cmocka_unit_test(test_pv_chunks),
		cmocka_unit_test(test_promote_demote),
		cmocka_unit_test(test_remove_all_superpage),
		cmocka_unit_test(test_reclaim),
		cmocka_unit_test(test_reclaim_delayed_invl),
		cmocka_unit_test(test_extract_and_hold),
		cmocka_unit_test(test_lock_footprint),
		cmocka_unit_test(test_pvchunk_lock_footprint),
		cmocka_unit_test(test_lock_order_checked),
		cmocka_unit_test(test_lock_asserts_this_cpu),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
