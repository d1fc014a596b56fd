/*
 * pmap_mi.h - what the amd64 pmap model needs from the machine-independent
 * half of the engine, in one place.
 *
 * The kernel's pmap reaches vm_page fields and the page array directly
 * (VM_PAGE_TO_PHYS, PHYS_TO_VM_PAGE, vm_page_aflag_set, vm_page_wire_mapped).
 * The model routes those few services through the functions below so that
 * pmap.c, pv_chunk.c and pv_lock.c depend on engine/vm.h in exactly one file
 * (pmap_mi.c), and so that tests/pmap can drive the MD layer alone with a
 * minimal page layer of its own (tests/pmap/mi_fake.c).
 *
 * Every function here is safe to call from any worker thread.
 */
#ifndef ENG_AMD64_PMAP_MI_H
#define ENG_AMD64_PMAP_MI_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"

typedef uint64_t vm_paddr_t;

struct eng_mtx;
struct md_page;
struct pmap_md;
struct vm_page;

/* The engine's pmap state, as stored by the MI side from pmap_md_create(). */
struct pmap_md	*pmap_mi_cpu_md(struct eng_cpu *c);
/* The CPU's slot, in [0, eng_params.nslots]; nslots: the page daemon. */
unsigned	 pmap_mi_cpu_slot(struct eng_cpu *c);

/* Physical memory: size in 4 KiB pages, page <-> address, m->md. */
uint64_t	 pmap_mi_phys_pages(struct vm_engine *e);
struct vm_page	*pmap_mi_phys_to_page(struct vm_engine *e, vm_paddr_t pa);
vm_paddr_t	 pmap_mi_page_to_phys(const struct vm_page *m);
struct md_page	*pmap_mi_md(struct vm_page *m);

/*
 * --pv dfly: the number of object slots, and the slot and pindex of m's
 * object (false if m is in none).  The caller keeps m's identity still:
 * its object locked or m busy.
 */
uint64_t	 pmap_mi_nobjects(struct vm_engine *e);
bool		 pmap_mi_page_object(struct vm_engine *e, struct vm_page *m,
		    uint64_t *obj, uint64_t *pindex);

/* PGA_WRITEABLE in m's aflags (atomic; the pv lock of m decides). */
void		 pmap_mi_writeable_set(struct eng_cpu *c, struct vm_page *m);
/* PGA_REFERENCED, as pmap_remove_pte() sets it from a removed PG_A. */
void		 pmap_mi_referenced_set(struct eng_cpu *c, struct vm_page *m);
void		 pmap_mi_writeable_clear(struct eng_cpu *c, struct vm_page *m);
bool		 pmap_mi_writeable(struct vm_page *m);

/*
 * pmap_extract_and_hold()'s reference.  --page refcount: wire_mapped, which
 * fails while VPRC_BLOCKED is set.  --page pagelock: the page lock is taken
 * by the vm_page_pa_tryrelock() protocol (trylock with the pmap locked,
 * else drop the pmap lock, block, relock, EAGAIN), then a hold under it
 * (counted in wire_count).  unwire drops the reference again: refcount
 * vm_page_unwire(m, PQ_ACTIVE); pagelock vm_page_unhold(), no queue
 * operation (FreeBSD 10/12 hold_count).
 */
bool		 pmap_mi_pagelock(struct eng_cpu *c);
int		 pmap_mi_pa_tryrelock(struct eng_cpu *c, struct eng_mtx *pmap_lock,
		    vm_paddr_t pa, struct eng_mtx **locked);
void		 pmap_mi_pa_unlock(struct eng_cpu *c, struct eng_mtx **locked);
bool		 pmap_mi_wire_mapped(struct eng_cpu *c, struct vm_page *m);
void		 pmap_mi_unwire(struct eng_cpu *c, struct vm_page *m);

/* The calling CPU's lock statistics (engine/lock.h instrumentation). */
struct eng_lkstat *pmap_mi_lkstat(struct eng_cpu *c);

#endif /* ENG_AMD64_PMAP_MI_H */
