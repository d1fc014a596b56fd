/*
 * pmap_mi_vm.c - the page services of pmap_mi.h on the engine's vm_page
 * layer (engine/vm.h, engine/vm_page.h).  Each function is the one-line
 * mapping of its declaration in pmap_mi.h onto the kernel-named MI
 * interface; the contracts and locking rules are there and in vm_page.h.
 * The accessors that the test page layer shares are in pmap_mi.c.
 */
#include "vm.h"
#include "vm_page.h"

#include "pmap_mi.h"

uint64_t
pmap_mi_phys_pages(struct vm_engine *e)
{

	return (e->vm_page_array_size);
}

struct vm_page *
pmap_mi_phys_to_page(struct vm_engine *e, vm_paddr_t pa)
{

	return (PHYS_TO_VM_PAGE(e, pa));
}

vm_paddr_t
pmap_mi_page_to_phys(const struct vm_page *m)
{

	return (VM_PAGE_TO_PHYS(m));
}

uint64_t
pmap_mi_nobjects(struct vm_engine *e)
{

	return (e->nobjects);
}

bool
pmap_mi_page_object(struct vm_engine *e, struct vm_page *m, uint64_t *obj,
    uint64_t *pindex)
{
	struct vm_object *o;

	o = atomic_load_explicit(&m->object, memory_order_relaxed);
	if (o == NULL)
		return (false);
	*obj = (uint64_t)(o - e->objects);
	*pindex = m->pindex;
	return (true);
}

void
pmap_mi_writeable_set(struct eng_cpu *c, struct vm_page *m)
{

	vm_page_aflag_set(c, m, PGA_WRITEABLE);
}

void
pmap_mi_referenced_set(struct eng_cpu *c, struct vm_page *m)
{

	vm_page_aflag_set(c, m, PGA_REFERENCED);
}

void
pmap_mi_writeable_clear(struct eng_cpu *c, struct vm_page *m)
{

	vm_page_aflag_clear(c, m, PGA_WRITEABLE);
}

bool
pmap_mi_writeable(struct vm_page *m)
{

	return ((VM_PAGE_A_FLAGS(vm_page_astate_load(m)) & PGA_WRITEABLE) !=
	    0);
}

int
pmap_mi_pa_tryrelock(struct eng_cpu *c, struct eng_mtx *pmap_lock,
    vm_paddr_t pa, struct eng_mtx **locked)
{

	return (vm_page_pa_tryrelock(c, pmap_lock, pa, locked));
}

void
pmap_mi_pa_unlock(struct eng_cpu *c, struct eng_mtx **locked)
{

	vm_page_pa_unlock(c, locked);
}

bool
pmap_mi_wire_mapped(struct eng_cpu *c, struct vm_page *m)
{

	return (vm_page_wire_mapped(c, m));
}

void
pmap_mi_unwire(struct eng_cpu *c, struct vm_page *m)
{

	if (c->e->pagelock)
		vm_page_unhold(c, m);
	else
		vm_page_unwire(c, m, PQ_ACTIVE);
}

