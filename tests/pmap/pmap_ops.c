/*
 * pmap_ops.c - random operation streams and state digests (pmap_ops.h).
 */
#include <stdlib.h>

#include "pmap_ops.h"

uint64_t
ops_rand(struct ops_rng *r)
{
	uint64_t x;

	/* xorshift64* */
	x = r->s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return (x * 0x2545f4914f6cdd1dul);
}

void
ops_step(struct eng_cpu *c, struct ops_rng *r, const struct ops_space *sp)
{
	struct vm_engine *e;
	struct vm_page *m;
	uint64_t slot, region, idx, page, op, i, nregions;

	e = c->e;
	nregions = sp->npages / NPTEPG;
	op = ops_rand(r) % 100;
	slot = ops_rand(r) % sp->npmaps;
	region = ops_rand(r) % nregions;
	idx = ops_rand(r) % NPTEPG;
	page = ops_rand(r) % sp->npages;
	if (op < 35) {
		/* Mostly the page "of" the address, so runs can promote. */
		if (ops_rand(r) % 4 != 0)
			page = region * NPTEPG + idx;
		(void)pmap_ev_enter(c, slot, OPS_VA0 + region * NBPDR +
		    idx * PAGE_SIZE, fake_page(e, page), ops_rand(r) % 2);
	} else if (op < 38) {
		/* A whole aligned run: promotes on the last enter. */
		for (i = 0; i < NPTEPG; i++)
			(void)pmap_ev_enter(c, slot, OPS_VA0 + region * NBPDR +
			    i * PAGE_SIZE, fake_page(e, region * NPTEPG + i),
			    true);
	} else if (op < 50) {
		(void)pmap_ev_remove(c, slot, OPS_VA0 + region * NBPDR +
		    idx * PAGE_SIZE, 1 + (uint32_t)(ops_rand(r) % 700));
	} else if (op < 58 && sp->remove_all) {
		m = fake_page(e, page);
		if (ops_rand(r) % 2)
			(void)fake_try_remove_all(c, m);
		else
			pmap_remove_write(c, m);
	} else if (op < 66) {
		(void)pmap_ev_promote(c, slot, OPS_VA0 + region * NBPDR);
	} else if (op < 74) {
		(void)pmap_ev_demote(c, slot, OPS_VA0 + region * NBPDR);
	} else if (op < 96) {
		(void)pmap_ev_extract_and_hold(c, slot, OPS_VA0 +
		    region * NBPDR + idx * PAGE_SIZE);
	} else if (sp->lifecycle) {
		if (op < 98)
			(void)pmap_ev_destroy(c, slot);
		else
			(void)pmap_ev_create(c, slot);
	}
}

static void
fnv(uint64_t *h, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++) {
		*h ^= (v >> (i * 8)) & 0xff;
		*h *= 0x100000001b3ul;
	}
}

static int
u64pair_cmp(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	if (x[0] != y[0])
		return (x[0] < y[0] ? -1 : 1);
	if (x[1] != y[1])
		return (x[1] < y[1] ? -1 : 1);
	return (0);
}

static void
digest_list(uint64_t *h, struct md_page *pvh, struct pmap *base)
{
	struct pv_entry *pv;
	uint64_t *a;
	size_t i, n;

	n = 0;
	TAILQ_FOREACH(pv, &pvh->pv_list, pv_next)
		n++;
	fnv(h, n);
	if (n == 0)
		return;
	a = malloc(n * 2 * sizeof(*a));
	i = 0;
	TAILQ_FOREACH(pv, &pvh->pv_list, pv_next) {
		a[i++] = (uint64_t)(PV_PMAP(pv) - base);
		a[i++] = pv->pv_va;
	}
	qsort(a, n, 2 * sizeof(*a), u64pair_cmp);
	for (i = 0; i < 2 * n; i++)
		fnv(h, a[i]);
	free(a);
}

uint64_t
ops_digest(struct vm_engine *e)
{
	struct pmap_md *md;
	struct pmap_pd *pd;
	struct pmap *pm;
	uint64_t h, i, *a, n, k, pte;
	unsigned b, j;

	md = e->md;
	h = 0xcbf29ce484222325ul;
	for (i = 0; i < md->md_npmaps; i++) {
		pm = &md->md_pmaps[i];
		fnv(&h, pm->pm_active);
		fnv(&h, pm->pm_stats.resident_count);
		fnv(&h, pm->pm_stats.wired_count);
		n = 0;
		for (b = 0; pm->pm_pdhash != NULL && b <= pm->pm_pdmask; b++)
			for (pd = pm->pm_pdhash[b]; pd != NULL; pd = pd->pd_next)
				n += NPTEPG;
		a = malloc((n + 1) * 2 * sizeof(*a));
		k = 0;
		for (b = 0; pm->pm_pdhash != NULL && b <= pm->pm_pdmask; b++) {
			for (pd = pm->pm_pdhash[b]; pd != NULL;
			    pd = pd->pd_next) {
				if ((pd->pd_pde & PG_PS) != 0) {
					a[k++] = pd->pd_va;
					a[k++] = pd->pd_pde &
					    (PG_PS_FRAME | PG_RW | PG_W | PG_PS);
					continue;
				}
				for (j = 0; j < NPTEPG; j++) {
					pte = pd->pd_ptp[j];
					if ((pte & PG_V) == 0)
						continue;
					a[k++] = pd->pd_va + j * PAGE_SIZE;
					a[k++] = pte & (PG_FRAME | PG_RW | PG_W);
				}
			}
		}
		qsort(a, k / 2, 2 * sizeof(*a), u64pair_cmp);
		fnv(&h, k);
		for (n = 0; n < k; n++)
			fnv(&h, a[n]);
		free(a);
	}
	for (i = 0; i < md->md_npages; i++)
		digest_list(&h, &fake_page(e, i)->md, md->md_pmaps);
	for (i = 0; i < md->md_nframes; i++)
		digest_list(&h, pa_to_pvh(md, i << PDRSHIFT), md->md_pmaps);
	return (h);
}
