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

#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct eng_cpu;
struct eng_params;
struct vm_engine;
struct vm_page;

struct pv_entry;

/*
 * Machine-dependent part of struct vm_page (m->md), and the pv head of each
 * 2 MiB physical frame (pa_to_pvh()).  Locks:
 *	(L) the page's pv list lock, chosen by --pv: the hashed rwlock of the
 *	    page's 2 MiB frame, the frame's own rwlock, or pv_lock below.
 *	(A) atomic.
 *	(C) set by pmap_md_create().
 * pv_count mirrors the list's length for lock-free readers
 * (pmap_page_is_mapped()); it changes only with the list, under (L).
 * pv_pvh saves the model a global pv_table: pa_to_pvh() of this page.
 *
 * --pv dfly keeps no pv entry for a 4 KiB mapping (DragonFly 567a6398):
 * pmap_count and writeable_count are e3c330f0's m->md.pmap_count and
 * m->md.writeable_count, the page's 4 KiB mappings and writable ones,
 * changed atomically with the PTE under its pmap's lock and read with no
 * lock for the early exits of the page-centric operations (pmap_dfly.c).
 */
struct md_page {
	TAILQ_HEAD(, pv_entry) pv_list;	/* (L) one entry per mapping */
	struct md_page	*pv_pvh;	/* (C) the 2 MiB frame's pv head */
	int		pv_gen;		/* (L) bumped by every insert/remove */
	_Atomic uint32_t pv_count;	/* (L,A) entries on pv_list */
	_Atomic uint32_t pmap_count;	/* (A) dfly: 4 KiB mappings */
	_Atomic uint32_t writeable_count; /* (A) dfly: writable ones */
	_Atomic uint8_t	pv_lock;	/* (A) --pv perpage: one-byte mutex */
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
/* What pmap_ev_is_prefaultable() found at va besides its answer. */
struct pmap_seen {
	bool		mapped;		/* a valid 4 KiB PTE, of a page in */
	uint64_t	obj;		/* this object slot */
	uint64_t	pindex;		/* at this pindex */
	bool		writeable;	/* PG_RW */
};
bool	pmap_ev_is_prefaultable(struct eng_cpu *c, uint64_t pmap,
	    uint64_t va, struct pmap_seen *seen);
bool	pmap_ev_enter_quick(struct eng_cpu *c, uint64_t pmap, uint64_t va,
	    struct vm_page *m);
bool	pmap_ev_enter_prefault(struct eng_cpu *c, uint64_t pmap,
	    uint64_t va, struct vm_page *m, bool write, struct pmap_seen *seen);
int	pmap_ev_remove(struct eng_cpu *c, uint64_t pmap, uint64_t va,
	    uint32_t npages);
int	pmap_ev_extract_and_hold(struct eng_cpu *c, uint64_t pmap,
	    uint64_t va);
int	pmap_ev_promote(struct eng_cpu *c, uint64_t pmap, uint64_t va);
int	pmap_ev_demote(struct eng_cpu *c, uint64_t pmap, uint64_t va);

/* Page-centric operations, called by the MI layer (vm_page.c). */
void	pmap_remove_all(struct eng_cpu *c, struct vm_page *m);
void	pmap_remove_write(struct eng_cpu *c, struct vm_page *m);
bool	pmap_page_is_mapped(struct vm_page *m);	/* lock-free snapshot */
int	pmap_ts_referenced(struct eng_cpu *c, struct vm_page *m);

/* Invariants of pv lists vs mappings; violations printed, counted. */
uint64_t pmap_check(struct pmap_md *md, FILE *out);

/*
 * Counters of the pv machinery (single-threaded, after the workers stopped;
 * reset with the lock statistics by pmap_md_counters_reset()).
 */
struct pmap_counters {
	uint64_t	pv_restarts;	/* page-centric ops: pmap-lock retries */
	uint64_t	pa_restarts;	/* extract_and_hold: pa_tryrelock EAGAIN */
	uint64_t	hold_fallbacks;	/* wire_mapped failed (BLOCKED) */
	uint64_t	promotions;
	uint64_t	promote_failures;	/* 512 PTEs not promotable */
	uint64_t	demotions;
	uint64_t	reclaims;	/* reclaim_pv_chunk() calls */
	uint64_t	reclaimed;	/* mappings destroyed by reclamation */
	uint64_t	chunk_allocs;
	uint64_t	chunk_frees;
	uint64_t	chunk_overcommits;	/* nothing reclaimable: over limit */
	uint64_t	dfly_early_exits;	/* dfly: zero count, no walk */
	uint64_t	dfly_walks;	/* dfly: backing-list walks */
	uint64_t	dfly_backings;	/* dfly: backings those walks visited */
	uint64_t	dfly_rescans;	/* dfly: a count still set after a walk */
	uint64_t	dfly_attaches;	/* dfly: backings attached */
};
void	pmap_md_counters(struct pmap_md *md, struct pmap_counters *out);
void	pmap_md_counters_reset(struct pmap_md *md);
/* Pages available for pv chunks (memory pressure); 0 = the default. */
void	pmap_md_set_chunk_limit(struct pmap_md *md, uint64_t chunks);

#endif /* ENG_AMD64_PMAP_H */
