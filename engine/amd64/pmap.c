/*
 * pmap.c - placeholder until the amd64 pmap model lands (issue 5): every
 * pmap event is skipped, nothing is ever mapped.
 */
#include <stdlib.h>

#include "pmap.h"

struct pmap_md {
	int	unused;
};

struct pmap_md *
pmap_md_create(struct vm_engine *e, const struct eng_params *p, char *err,
    size_t errlen)
{
	(void)e; (void)p; (void)err; (void)errlen;
	return (calloc(1, sizeof(struct pmap_md)));
}

void
pmap_md_destroy(struct pmap_md *md)
{
	free(md);
}

void pmap_page_init(struct vm_page *m) { (void)m; }
int pmap_ev_create(struct eng_cpu *c, uint64_t pmap) { (void)c; (void)pmap; return (1); }
int pmap_ev_destroy(struct eng_cpu *c, uint64_t pmap) { (void)c; (void)pmap; return (1); }
int pmap_ev_enter(struct eng_cpu *c, uint64_t pmap, uint64_t va, struct vm_page *m, bool write) { (void)c; (void)pmap; (void)va; (void)m; (void)write; return (1); }
int pmap_ev_remove(struct eng_cpu *c, uint64_t pmap, uint64_t va, uint32_t npages) { (void)c; (void)pmap; (void)va; (void)npages; return (1); }
int pmap_ev_extract_and_hold(struct eng_cpu *c, uint64_t pmap, uint64_t va) { (void)c; (void)pmap; (void)va; return (1); }
int pmap_ev_promote(struct eng_cpu *c, uint64_t pmap, uint64_t va) { (void)c; (void)pmap; (void)va; return (1); }
int pmap_ev_demote(struct eng_cpu *c, uint64_t pmap, uint64_t va) { (void)c; (void)pmap; (void)va; return (1); }
void pmap_remove_all(struct eng_cpu *c, struct vm_page *m) { (void)c; (void)m; }
void pmap_remove_write(struct eng_cpu *c, struct vm_page *m) { (void)c; (void)m; }
bool pmap_page_is_mapped(struct vm_page *m) { (void)m; return (false); }
uint64_t pmap_check(struct pmap_md *md, FILE *out) { (void)md; (void)out; return (0); }
