/*
 * mi_fake.h - a minimal machine-independent page layer for testing the
 * amd64 pmap model alone (the MD layer's "null engine"): a page array with
 * physical addresses, aflags, and a refcount word with the VPRC_BLOCKED bit,
 * and per-thread CPUs carrying lock statistics.  It implements pmap_mi.h.
 */
#ifndef TESTS_PMAP_MI_FAKE_H
#define TESTS_PMAP_MI_FAKE_H

#include "pmap_internal.h"

#define FAKE_BLOCKED	0x40000000u	/* VPRC_BLOCKED */
#define FAKE_PGA_WRITEABLE 0x1u

/*
 * Objects (--pv dfly): page i is at pindex i % FAKE_OBJ_PAGES of object
 * slot i / FAKE_OBJ_PAGES unless a test moves it; obj -1 is no object.
 */
#define FAKE_OBJ_PAGES	64

struct vm_page {
	vm_paddr_t		phys_addr;
	struct md_page		md;
	_Atomic uint32_t	aflags;
	_Atomic uint32_t	ref;		/* wirings | FAKE_BLOCKED */
	int64_t			obj;		/* object slot or -1 */
	uint64_t		pindex;
};

struct eng_cpu {
	struct vm_engine	*e;
	unsigned		slot;
	struct eng_lkstat	lk;
};

struct vm_engine {
	struct vm_page		*pages;
	uint64_t		npages;
	struct pmap_md		*md;
	bool			pagelock;
	struct eng_mtx		pa_lock[16];	/* --page pagelock */
	struct eng_cpu		**cpus;
	unsigned		ncpus;
};

/* A machine of npages pages, npmaps pmap slots and ncpus CPUs; NULL + err. */
struct vm_engine *fake_create(const struct eng_design *d, uint64_t npages,
	    uint64_t npmaps, unsigned ncpus);
void	fake_destroy(struct vm_engine *e);
struct vm_page *fake_page(struct vm_engine *e, uint64_t idx);
struct pmap *fake_pmap(struct vm_engine *e, uint64_t slot);
/* vm_page_try_remove_all(): BLOCKED around pmap_remove_all unless wired. */
bool	fake_try_remove_all(struct eng_cpu *c, struct vm_page *m);
uint32_t fake_wire_count(struct vm_page *m);
bool	fake_writeable(struct vm_page *m);

/* The nine pv x pvchunk designs, with names, for tests that loop on them. */
#define FAKE_NDESIGNS	9
void	fake_design(unsigned i, struct eng_design *d, const char **name);

#endif /* TESTS_PMAP_MI_FAKE_H */
