/*
 * pmap.h - the machine-dependent half of the model (amd64 pmap): address
 * spaces, page-table stand-in, pv entries and their locks, pv chunks.
 *
 * This is the boundary between engine/ (machine-independent: pages, objects,
 * queues) and engine/amd64/ (pmap).  The MI side calls only what is declared
 * here; the MD side reaches MI state through engine/vm.h.
 *
 * Return convention of the event entry points: 0 done, 1 skipped.
 */
#ifndef ENG_AMD64_PMAP_H
#define ENG_AMD64_PMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct eng_cpu;
struct eng_params;
struct vm_engine;
struct vm_page;

/* Machine-dependent part of struct vm_page (m->md); see pmap.c for locks. */
struct md_page {
	void		*pv_list;	/* placeholder until pmap.c lands */
};

struct pmap_md;		/* pmaps, pv locks, pv-chunk lists */

struct pmap_md	*pmap_md_create(struct vm_engine *e,
		    const struct eng_params *p, char *err, size_t errlen);
void		 pmap_md_destroy(struct pmap_md *md);
void		 pmap_page_init(struct vm_page *m);

/* Event entry points, called by eng_apply(). */
int	pmap_ev_create(struct eng_cpu *c, uint64_t pmap);
int	pmap_ev_destroy(struct eng_cpu *c, uint64_t pmap);
int	pmap_ev_enter(struct eng_cpu *c, uint64_t pmap, uint64_t va,
	    struct vm_page *m, bool write);
int	pmap_ev_remove(struct eng_cpu *c, uint64_t pmap, uint64_t va,
	    uint32_t npages);
int	pmap_ev_extract_and_hold(struct eng_cpu *c, uint64_t pmap,
	    uint64_t va);
int	pmap_ev_promote(struct eng_cpu *c, uint64_t pmap, uint64_t va);
int	pmap_ev_demote(struct eng_cpu *c, uint64_t pmap, uint64_t va);

/* Page-centric operations, called by the MI layer (vm_page.c). */
void	pmap_remove_all(struct eng_cpu *c, struct vm_page *m);
void	pmap_remove_write(struct eng_cpu *c, struct vm_page *m);
bool	pmap_page_is_mapped(struct vm_page *m);

/* Invariants of pv lists vs mappings; violations printed, counted. */
uint64_t pmap_check(struct pmap_md *md, FILE *out);

#endif /* ENG_AMD64_PMAP_H */
