/*
 * mi_fake.c - the test page layer behind pmap_mi.h (see mi_fake.h): the
 * fake_* helpers are documented in mi_fake.h, the pmap_mi_* functions in
 * pmap_mi.h; here each is the smallest implementation that honours them.
 * The accessors both layers share (CPU, md, lock statistics) come from
 * engine/amd64/pmap_mi.c, compiled against mi_fake.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mi_fake.h"

struct vm_engine *
fake_create(const struct eng_design *d, uint64_t npages, uint64_t npmaps,
    unsigned ncpus)
{
	struct eng_params p;
	struct vm_engine *e;
	char err[256];
	uint64_t i;
	unsigned k;

	e = calloc(1, sizeof(*e));
	e->npages = npages;
	e->pages = calloc(npages, sizeof(*e->pages));
	for (i = 0; i < npages; i++) {
		e->pages[i].phys_addr = i << PAGE_SHIFT;
		e->pages[i].obj = (int64_t)(i / FAKE_OBJ_PAGES);
		e->pages[i].pindex = i % FAKE_OBJ_PAGES;
		pmap_page_init(&e->pages[i]);
	}
	e->pagelock = d->page == ENG_PAGE_PAGELOCK;
	for (k = 0; k < 16; k++)
		eng_mtx_init(&e->pa_lock[k], LC_PAGE);
	e->ncpus = ncpus;
	e->cpus = calloc(ncpus, sizeof(*e->cpus));
	for (k = 0; k < ncpus; k++) {
		e->cpus[k] = calloc(1, sizeof(*e->cpus[k]));
		e->cpus[k]->e = e;
		e->cpus[k]->slot = k;
		eng_lkstat_init(&e->cpus[k]->lk, false, 1);
	}
	memset(&p, 0, sizeof(p));
	p.design = *d;
	p.npmaps = npmaps;
	p.phys_pages = npages;
	p.nslots = ncpus;
	e->md = pmap_md_create(e, &p, err, sizeof(err));
	if (e->md == NULL) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	return (e);
}

void
fake_destroy(struct vm_engine *e)
{
	unsigned k;

	pmap_md_destroy(e->md);
	for (k = 0; k < e->ncpus; k++)
		free(e->cpus[k]);
	free(e->cpus);
	free(e->pages);
	free(e);
}

struct vm_page *
fake_page(struct vm_engine *e, uint64_t idx)
{

	return (&e->pages[idx]);
}

struct pmap *
fake_pmap(struct vm_engine *e, uint64_t slot)
{

	return (&e->md->md_pmaps[slot]);
}

bool
fake_try_remove_all(struct eng_cpu *c, struct vm_page *m)
{
	uint32_t old;

	old = atomic_load(&m->ref);
	do {
		if ((old & ~FAKE_BLOCKED) != 0)
			return (false);
	} while (!atomic_compare_exchange_weak(&m->ref, &old,
	    old | FAKE_BLOCKED));
	pmap_remove_all(c, m);
	atomic_fetch_and(&m->ref, ~FAKE_BLOCKED);
	return (true);
}

uint32_t
fake_wire_count(struct vm_page *m)
{

	return (atomic_load(&m->ref) & ~FAKE_BLOCKED);
}

bool
fake_writeable(struct vm_page *m)
{

	return (pmap_mi_writeable(m));
}

void
fake_design(unsigned i, struct eng_design *d, const char **name)
{
	static const char *names[FAKE_NDESIGNS] = {
		"hashed:256/global", "hashed:4/pmaps", "hashed:256/domain:2",
		"superpage/global", "superpage/pmaps", "superpage/domain:4",
		"perpage/global", "perpage/pmaps", "perpage/domain:2",
	};
	static const enum eng_pvchunk_design pvchunk[3] = {
		ENG_PVCHUNK_GLOBAL, ENG_PVCHUNK_PMAPS, ENG_PVCHUNK_DOMAIN,
	};

	memset(d, 0, sizeof(*d));
	d->page = ENG_PAGE_REFCOUNT;
	d->pv = i < 3 ? ENG_PV_HASHED : i < 6 ? ENG_PV_SUPERPAGE :
	    ENG_PV_PERPAGE;
	d->pv_locks = i == 1 ? 4 : 256;
	d->pvchunk = pvchunk[i % 3];
	d->pvchunk_domains = i == 5 ? 4 : 2;
	*name = names[i];
}

/* pmap_mi.h */

uint64_t
pmap_mi_phys_pages(struct vm_engine *e)
{

	return (e->npages);
}

uint64_t
pmap_mi_nobjects(struct vm_engine *e)
{

	return ((e->npages + FAKE_OBJ_PAGES - 1) / FAKE_OBJ_PAGES);
}

bool
pmap_mi_page_object(struct vm_engine *e, struct vm_page *m, uint64_t *obj,
    uint64_t *pindex)
{

	(void)e;
	if (m->obj < 0)
		return (false);
	*obj = (uint64_t)m->obj;
	*pindex = m->pindex;
	return (true);
}

struct vm_page *
pmap_mi_phys_to_page(struct vm_engine *e, vm_paddr_t pa)
{

	return (&e->pages[pa >> PAGE_SHIFT]);
}

vm_paddr_t
pmap_mi_page_to_phys(const struct vm_page *m)
{

	return (m->phys_addr);
}

void
pmap_mi_writeable_set(struct eng_cpu *c, struct vm_page *m)
{

	(void)c;
	atomic_fetch_or(&m->aflags, FAKE_PGA_WRITEABLE);
}

/* The fake page layer keeps no reference bit: the MI side's business. */
void
pmap_mi_referenced_set(struct eng_cpu *c, struct vm_page *m)
{

	(void)c;
	(void)m;
}

void
pmap_mi_writeable_clear(struct eng_cpu *c, struct vm_page *m)
{

	(void)c;
	atomic_fetch_and(&m->aflags, ~FAKE_PGA_WRITEABLE);
}

bool
pmap_mi_writeable(struct vm_page *m)
{

	return ((atomic_load(&m->aflags) & FAKE_PGA_WRITEABLE) != 0);
}

static struct eng_mtx *
fake_pa_lockptr(struct eng_cpu *c, vm_paddr_t pa)
{

	return (&c->e->pa_lock[(pa >> PDRSHIFT) % 16]);
}

int
pmap_mi_pa_tryrelock(struct eng_cpu *c, struct eng_mtx *pmap_lock,
    vm_paddr_t pa, struct eng_mtx **locked)
{
	ENG_SITE_DEFINE;
	struct eng_mtx *want;

	want = fake_pa_lockptr(c, pa);
	if (*locked == want)
		return (0);
	if (*locked != NULL)
		eng_mtx_unlock(&c->lk, *locked);
	*locked = want;
	if (eng_mtx_trylock(&c->lk, want, ENG_HERE))
		return (0);
	eng_mtx_unlock(&c->lk, pmap_lock);
	eng_mtx_lock(&c->lk, want, ENG_HERE);
	eng_mtx_lock(&c->lk, pmap_lock, ENG_HERE);
	return (EAGAIN);
}

void
pmap_mi_pa_unlock(struct eng_cpu *c, struct eng_mtx **locked)
{

	eng_mtx_unlock(&c->lk, *locked);
	*locked = NULL;
}

bool
pmap_mi_wire_mapped(struct eng_cpu *c, struct vm_page *m)
{
	uint32_t old;

	(void)c;
	old = atomic_load(&m->ref);
	do {
		if ((old & FAKE_BLOCKED) != 0)
			return (false);
	} while (!atomic_compare_exchange_weak(&m->ref, &old, old + 1));
	return (true);
}

void
pmap_mi_unwire(struct eng_cpu *c, struct vm_page *m)
{

	(void)c;
	atomic_fetch_sub(&m->ref, 1);
}

