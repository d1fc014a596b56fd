/*
 * pmap_mi.c - the pmap_mi.h accessors that read only fields every page
 * layer names alike: c->e, c->slot, c->lk of a CPU, e->md and e->pagelock
 * of the engine, m->md of a page.  One copy for both layers: compiled with
 * the engine's vm.h by default, and by tests/pmap with
 * -DPMAP_MI_LAYER='"mi_fake.h"' (its minimal page layer).  The services
 * that differ are in pmap_mi_vm.c and tests/pmap/mi_fake.c.
 */
#ifndef PMAP_MI_LAYER
#define PMAP_MI_LAYER	"vm.h"
#endif
#include PMAP_MI_LAYER

#include "pmap_mi.h"

struct pmap_md *
pmap_mi_cpu_md(struct eng_cpu *c)
{

	return (c->e->md);
}

unsigned
pmap_mi_cpu_slot(struct eng_cpu *c)
{

	return (c->slot);
}

struct md_page *
pmap_mi_md(struct vm_page *m)
{

	return (&m->md);
}

bool
pmap_mi_pagelock(struct eng_cpu *c)
{

	return (c->e->pagelock);
}

struct eng_lkstat *
pmap_mi_lkstat(struct eng_cpu *c)
{

	return (&c->lk);
}
