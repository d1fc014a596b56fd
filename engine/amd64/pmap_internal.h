/*
 * pmap_internal.h - the amd64 pmap model's shared internals: page-table
 * stand-in, pmaps, pv entries and chunks, pv-list lock families.
 *
 * Lock legend (one letter per lock; "X,Y": either to read, both to write):
 *	(C) constant after creation
 *	(M) the pmap lock, pm_mtx (PMAP_LOCK)
 *	(L) the pv list lock of the page or frame (pv_lock.c)
 *	(D) the chunk list lock of the chunk's memory domain, pvc_lock
 *	    (--pvchunk domain: one per domain; --pvchunk global: the one
 *	    pv_chunks_mutex of a single list)
 *	(G) the global pmap-list lock (--pvchunk pmaps: allpmaps_lock)
 *	(A) atomic
 *	(T) written only by the thread of one CPU slot, read once it stopped
 *	(B) the object's backing_lk (--pv dfly, class backing)
 *	(H) pvh_global_lock (--pv hashed:N:global, FreeBSD 10), class pv;
 *	    pv lists change under (H) read-locked and (L), or (H)
 *	    write-locked alone
 *	(I) invl_gen_mtx (--pv ...:di-locked, FreeBSD 12.0), class invl
 *	(S) the turnstile chain lock of invl_gen_ts (:di-locked), class invl
 *
 * Lock order: pmap lock -> pv list lock(s) -> chunk list / pmap-list lock.
 * --pv dfly: object backing_lk -> pmap lock (pmap_dfly.c).
 * --pv hashed:N:global: pvh_global_lock -> pmap lock.
 * --pv ...:di-locked: invl_gen_mtx -> turnstile chain lock, both leaves
 * (pmap_invl.c); a delayed-invalidation block is opened before the pmap
 * lock and closed after it.
 * Two pmap locks only in reclamation, blocking only for the pmap at the
 * higher address.  Under --pv perpage several pv locks are held only by
 * promotion, demotion and 2 MiB removal: the frame's pv head lock first,
 * then the 512 page locks in ascending address order.  Checking builds check
 * the order (pv_lock.c) and abort on a violation instead of deadlocking.
 */
#ifndef ENG_AMD64_PMAP_INTERNAL_H
#define ENG_AMD64_PMAP_INTERNAL_H

#include <sys/queue.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "eng_assert.h"
#include "engine.h"
#include "lock.h"
#include "pmap.h"
#include "pmap_mi.h"

/* amd64 geometry. */
#define PAGE_SHIFT	12
#define PAGE_SIZE	(1ul << PAGE_SHIFT)
#define PAGE_MASK	(PAGE_SIZE - 1)
#define PDRSHIFT	21
#define NBPDR		(1ul << PDRSHIFT)		/* 2 MiB */
#define PDRMASK		(NBPDR - 1)
#define NPTEPG		512				/* PTEs per PTP */

/* PTE/PDE bits, as amd64 (only those the model uses). */
#define PG_V		0x001ul		/* valid */
#define PG_RW		0x002ul		/* read/write */
#define PG_A		0x020ul		/* accessed */
#define PG_M		0x040ul		/* modified (dirty) */
#define PG_PS		0x080ul		/* 2 MiB page (PDE) */
#define PG_W		0x200ul		/* wired mapping (PG_AVAIL1) */
#define PG_MANAGED	0x400ul		/* has a pv entry (PG_AVAIL2) */
#define PG_PROMOTED	0x800ul		/* PDE made by promotion (PG_AVAIL3) */
#define PG_FRAME	0x000ffffffffff000ul
#define PG_PS_FRAME	0x000fffffffe00000ul
/* Attributes that must agree across 512 PTEs for a promotion. */
#define PG_PTE_PROMOTE	(PG_V | PG_RW | PG_A | PG_M | PG_W | PG_MANAGED)

/* pmap_ts_referenced(): referenced bits examined per call (amd64). */
#define PMAP_TS_REFERENCED_MAX	5

#define pmap_pde_index(va)	((va) >> PDRSHIFT)
#define pmap_pte_index(va)	(((va) >> PAGE_SHIFT) & (NPTEPG - 1))

/*
 * pv entries and chunks, exactly as amd64 (sys/_pv_entry.h): a chunk is one
 * 4 KiB page holding a 64-byte header and 168 entries of 24 bytes; pc_map
 * has one bit per entry, 1 = free.  PV_PMAP() finds the owner from the
 * chunk header, so chunks are 4 KiB aligned.
 *
 * The kernel finds a chunk's memory domain from its page's physical
 * address (pc_to_domain(): vm_phys_domain(DMAP_TO_PHYS(pc))).  The model's
 * chunk pages come from aligned_alloc() and have no physical address, so
 * the domain rides in the low bits of pc_pmap (a pmap is at least 8-byte
 * aligned), the alternative mjg named in the per-domain review; PC_PMAP()
 * strips it.  The domain is the page's: it stays with a page that
 * reclamation hands to another pmap.
 */
#define PMAP_MEMDOM	8		/* amd64 MAXMEMDOM */
#define PC_DOMAIN_MASK	((uintptr_t)PMAP_MEMDOM - 1)
#define _NPCM		3
#define _NPCPV		168
#define PC_FREEN	0xfffffffffffffffful
#define PC_FREEL	((1ul << (_NPCPV % 64)) - 1)	/* 40 bits */

struct pmap;

struct pv_entry {
	uint64_t		pv_va;		/* (M) virtual address */
	TAILQ_ENTRY(pv_entry)	pv_next;	/* (L) page's pv list */
};
TAILQ_HEAD(pv_list, pv_entry);

struct pv_chunk {
	struct pmap		*pc_pmap;	/* (M,D) owner | domain; NULL:
						   marker */
	TAILQ_ENTRY(pv_chunk)	pc_list;	/* (M) pmap's chunks */
	uint64_t		pc_map[_NPCM];	/* (M) 1 = free */
	TAILQ_ENTRY(pv_chunk)	pc_lru;		/* (D) domain's chunk LRU */
	struct pv_entry		pc_pventry[_NPCPV];
};
_Static_assert(sizeof(struct pv_chunk) == PAGE_SIZE,
    "a pv chunk is exactly one page");
_Static_assert(sizeof(struct pv_entry) == 24, "pv entry is 24 bytes");
TAILQ_HEAD(pv_chunk_list, pv_chunk);

#define PC_PMAP(pc)							\
	((struct pmap *)((uintptr_t)(pc)->pc_pmap & ~PC_DOMAIN_MASK))
#define pc_to_domain(pc)	((unsigned)((uintptr_t)(pc)->pc_pmap &	\
	PC_DOMAIN_MASK))
#define pv_to_chunk(pv)	((struct pv_chunk *)((uintptr_t)(pv) & ~PAGE_MASK))
#define PV_PMAP(pv)	PC_PMAP(pv_to_chunk(pv))

/*
 * Page-table stand-in: one pmap_pd per 2 MiB of virtual address space in
 * use, found through a per-pmap hash on va >> 21.  pd_pde is either a 2 MiB
 * mapping (PG_PS) or 0, in which case pd_ptp holds the 512 PTEs of the
 * page-table page.  A promotion keeps the PTP (pmap_insert_pt_page) for the
 * next demotion.  pd_count is the PTP's ref_count: valid 4 KiB PTEs, or 512
 * under a 2 MiB mapping.
 */
struct pmap_pd {
	uint64_t		pd_va;		/* (M) 2 MiB aligned */
	uint64_t		pd_pde;		/* (M) PG_PS mapping or 0 */
	uint64_t		*pd_ptp;	/* (M) NPTEPG PTEs or NULL */
	unsigned		pd_count;	/* (M) PTP ref_count */
	struct pmap_pd		*pd_next;	/* (M) hash chain */
};

struct pmap_statistics {
	uint64_t		resident_count;	/* (M) 4 KiB pages mapped */
	uint64_t		wired_count;	/* (M) PG_W mappings */
};

/*
 * --pv dfly: DragonFly's vm_map_backing as the pmap sees it, one per
 * (pmap, object, va - pindex * PAGE_SIZE): the linear relation of a map
 * entry between an object's pages and a pmap's addresses.  It is on its
 * object's backing_list (B) and in its pmap's backing hash (M).  The
 * kernel's has a start, an end and an offset; the model's covers the
 * whole object, and a walk checks the PTE's frame as
 * PMAP_PAGE_BACKING_SCAN does, so extra coverage finds nothing more.
 * ba_dead is set when the pmap is destroyed, before the backing leaves
 * its object's list (vm_map_backing_detach after the entry's removal).
 */
struct pmap_backing {
	TAILQ_ENTRY(pmap_backing) ba_entry;	/* (B) object's backing_list */
	struct pmap_backing	*ba_pmnext;	/* (M) pmap's hash chain */
	struct pmap		*ba_pmap;	/* (C) */
	uint64_t		 ba_obj;	/* (C) object slot */
	uint64_t		 ba_delta;	/* (C) va - pindex * PAGE_SIZE */
	bool			 ba_dead;	/* (M) pmap destroyed */
};
TAILQ_HEAD(pmap_backing_list, pmap_backing);

/* --pv dfly: an object's backing_lk (lockmgr) and backing_list. */
struct pmap_object_backing {
	_Alignas(64) struct eng_rw backing_lk;	/* the (B) lock */
	struct pmap_backing_list backing_list;	/* (B) */
};

/*
 * One address space.  Slots are preallocated and type-stable, like the
 * kernel's vmspace zone, so that reclamation may lock a pmap that is being
 * destroyed and then find it inactive.
 */
struct pmap {
	struct eng_mtx		pm_mtx;		/* the (M) lock, PMAP_LOCK */
	struct pmap_md		*pm_md;		/* (C) */
	uint64_t		pm_id;		/* (C) slot */
	bool			pm_active;	/* (M) created, not destroyed */
	bool			pm_marker;	/* (C) allpmaps marker */
	struct pmap_statistics	pm_stats;	/* (M) */
	struct pmap_pd		**pm_pdhash;	/* (M) page directory */
	unsigned		pm_pdmask;	/* (M) buckets - 1 */
	unsigned		pm_pdcount;	/* (M) pmap_pd in use */
	struct pv_chunk_list	pm_pvchunk;	/* (M) chunks, free first */
	TAILQ_ENTRY(pmap)	pm_list;	/* (G) allpmaps (--pvchunk pmaps) */
	struct pmap_backing	**pm_bahash;	/* (M) dfly: its backings */
	unsigned		pm_bamask;	/* (M) buckets - 1 */
	unsigned		pm_bacount;	/* (M) backings in the hash */
};
TAILQ_HEAD(pmap_list, pmap);
_Static_assert(_Alignof(struct pmap) >= PMAP_MEMDOM,
    "pc_pmap keeps the chunk's domain in the pmap pointer's low bits");

/*
 * A memory domain's chunk list (amd64 struct pv_chunks_list, 2019+ head):
 * every chunk of the domain in LRU order, for reclaim_pv_chunk().  One
 * list under --pvchunk global (stable/12's pv_chunks and
 * pv_chunks_mutex), one per domain under --pvchunk domain.  The lock is
 * taken only when a chunk joins or leaves the list and by reclamation.
 */
struct pv_chunks_list {
	_Alignas(64) struct eng_mtx pvc_lock;	/* the (D) lock: pvchunk */
	struct pv_chunk_list	pvc_list;	/* (D) chunks, LRU */
	unsigned		active_reclaims;	/* (D) */
};

/*
 * --pv hashed: one of the NPV_LIST_LOCKS rwlocks, spaced as the kernel's
 * 32-byte struct rwlock so that two share a cache line, as on amd64.
 */
struct pv_list_lock {
	_Alignas(32) struct eng_rw lock;
};
_Static_assert(sizeof(struct pv_list_lock) == 32, "two locks per line");

/*
 * --pv superpage: the pv head of a 2 MiB frame with its own lock (D21833).
 * One per cache line, as amd64's 64-byte pmap_large_md_page, so that
 * neighbouring frames' locks do not share a line (hashed does: two per line).
 */
struct pmap_large_md_page {
	_Alignas(64) struct eng_rw pv_lock;
	struct md_page		pv_page;
};
_Static_assert(sizeof(struct pmap_large_md_page) == 64, "one frame per line");

/*
 * A delayed-invalidation (DI) element (pmap_invl.c): the kernel's struct
 * pmap_invl_gen, one per thread in td_md.md_invl_gen, here one per CPU
 * slot, and the lock-free queue's head.  :di-locked uses gen and link,
 * :di the word, which packs the kernel's 16-byte {gen, next} that
 * cmpxchg16b updates (pmap_invl.c, PMAP_DI_*).
 */
struct pmap_invl_gen {
	_Alignas(64) _Atomic uint64_t	word;	/* (A) :di */
	_Atomic uint64_t		gen;	/* (I) :di-locked, 0 outside;
						   its owner clears it after
						   the unlock and reads it
						   unlocked (relaxed):
						   others change it only
						   between non-zero values */
	LIST_ENTRY(pmap_invl_gen)	link;	/* (I) :di-locked tracker */
};
LIST_HEAD(pmap_invl_gen_list, pmap_invl_gen);

struct pmap_md {
	struct vm_engine	*md_engine;	/* (C) */
	enum eng_pv_design	 md_pv;		/* (C) --pv */
	enum eng_pvchunk_design	 md_pvchunk;	/* (C) --pvchunk */
	uint64_t		 md_npages;	/* (C) physical pages */
	uint64_t		 md_nframes;	/* (C) 2 MiB frames */

	/* hashed and perpage: pv heads of 2 MiB frames, pa_to_pvh(). */
	struct md_page		*md_pv_table;	/* (C) [md_nframes] */
	/* hashed: NPV_LIST_LOCKS rwlocks, (pa >> 21) % n. */
	struct pv_list_lock	*md_pv_list_locks;	/* (C) */
	unsigned		 md_npv_list_locks;	/* (C) */
	/*
	 * hashed:N:global: FreeBSD 10's pvh_global_lock, a struct
	 * rwlock_padalign (release/10.4.0 sys/amd64/amd64/pmap.c line
	 * 375), class pv; taken before the pmap lock (pv_lock.c).
	 */
	bool			 md_pv_global;	/* (C) */
	_Alignas(64) struct eng_rw md_pvh_global_lock;	/* the (H) lock */
	/* superpage: lock + pv head per frame. */
	struct pmap_large_md_page *md_pv_large;	/* (C) [md_nframes] */

	/* pmap slots. */
	struct pmap		*md_pmaps;	/* (C) [md_npmaps] */
	uint64_t		 md_npmaps;	/* (C) */

	/* --pvchunk global and domain: the domains' chunk lists. */
	struct pv_chunks_list	 md_pv_chunks[PMAP_MEMDOM];
	unsigned		 md_ndomains;	/* (C) 1, N; pmaps: 0 */
	/* --pvchunk pmaps: every active pmap. */
	struct eng_mtx		 md_allpmaps_mtx;	/* the (G) lock */
	struct pmap_list	 md_allpmaps;	/* (G) */
	unsigned		 md_active_reclaims;	/* (G) */

	/* --pv dfly: every object slot's backing_lk and backing_list. */
	struct pmap_object_backing *md_backing;	/* (C) [md_nobjects] */
	uint64_t		 md_nobjects;	/* (C) */

	/*
	 * Delayed invalidation (pmap_invl.c): md_invl[0] is the lock-free
	 * queue's head (pmap_invl_gen_head), md_invl[1 + slot] the element
	 * of CPU slot.  :di-locked: invl_gen_mtx, the tracker list of open
	 * blocks, newest first, and pmap_invl_gen, the generation every
	 * block up to which has finished, written under both (I) and (S).
	 */
	enum eng_pv_di		 md_di;		/* (C) */
	struct pmap_invl_gen	*md_invl;	/* (C) [md_ncnt + 1] */
	_Alignas(64) struct eng_mtx md_invl_gen_mtx;	/* the (I) lock */
	struct eng_mtx		 md_invl_ts_chain;	/* the (S) lock */
	struct pmap_invl_gen_list md_invl_tracker;	/* (I) */
	uint64_t		 md_invl_gen;	/* (I,S) */

	/* Pages for pv chunks (the model's "vm_page_alloc" budget). */
	_Atomic uint64_t	 md_chunks_used;	/* (A) */
	uint64_t		 md_chunk_limit;	/* (C) */

	/* Counters, one cache line per CPU slot (T: its thread). */
	struct pmap_cpu_counters *md_cnt;	/* (C) [md_ncnt] */
	unsigned		 md_ncnt;	/* (C) */
};

struct pmap_cpu_counters {
	_Alignas(64) struct pmap_counters cnt;	/* (T) */
};

#define PMAP_CNT_ADD(c, md, f, n)					\
	((md)->md_cnt[pmap_mi_cpu_slot(c) % (md)->md_ncnt].cnt.f += (n))
#define PMAP_CNT_INC(c, md, f)	PMAP_CNT_ADD(c, md, f, 1)

/* What a pv cursor holds of pvh_global_lock. */
enum pvh_global_held {
	PVH_GLOBAL_NONE = 0,
	PVH_GLOBAL_READ,	/* rw_rlock: the pv list locks as usual */
	PVH_GLOBAL_WRITE,	/* rw_wlock: every pv list (pmap_remove_all) */
};

/*
 * The pv lock cursor (struct rwlock **lockp in the kernel): what the
 * current thread holds of the pv locks.  Functions that may switch pv
 * locks take a cursor; CHANGE_PV_LIST_LOCK becomes pv_lock_page() and
 * friends, which are no-ops when the locks held already cover the request.
 * A cursor is a stack object: every field belongs to the thread that
 * declared it, and says which pv locks that thread's CPU holds.
 */
struct pv_cursor {
	struct eng_cpu		*cpu;
	struct eng_lkstat	*ls;		/* cpu's lock statistics */
	struct eng_site		*site;		/* operation taking the locks */
	struct pmap_md		*md;
	struct eng_rw		*rw;		/* hashed/superpage: held */
	enum pvh_global_held	 global;	/* hashed:N:global */
	uint64_t		 frame;		/* perpage: frame of pvh/all */
	uint64_t		 page;		/* perpage: page held */
	bool			 pvh_held;	/* perpage: pvh byte lock */
	bool			 page_held;	/* perpage: one page lock */
	bool			 all_held;	/* perpage: 512 page locks */
};

/* pv_lock.c */
void	pv_locks_init(struct pmap_md *md);
void	pv_cursor_init(struct pv_cursor *cur, struct eng_cpu *c,
	    struct pmap_md *md, struct eng_site *site);
void	pv_lock_page(struct pv_cursor *cur, struct vm_page *m);
void	pv_lock_page_and_frame(struct pv_cursor *cur, struct vm_page *m);
void	pv_lock_frame_all(struct pv_cursor *cur, vm_paddr_t pa);
void	pv_unlock(struct pv_cursor *cur);
void	pvh_global_rlock(struct pv_cursor *cur);
void	pvh_global_wlock(struct pv_cursor *cur);
void	pvh_global_unlock(struct pv_cursor *cur);
/* This CPU holds pvh_global_lock through cur, or the design has none. */
#define PVH_GLOBAL_LOCK_ASSERT(cur)					\
	ENG_KASSERT(!(cur)->md->md_pv_global ||				\
	    eng_lock_held((cur)->ls, &(cur)->md->md_pvh_global_lock),	\
	    "pvh_global_lock is not held by this CPU (cursor %p)",	\
	    (const void *)(cur))
/* Delayed invalidation (pmap_invl.c); no-ops without :di-locked or :di. */
int	pmap_invl_init(struct pmap_md *md);
void	pmap_delayed_invl_start(struct eng_cpu *c);
void	pmap_delayed_invl_finish(struct eng_cpu *c);
bool	pmap_not_in_di(struct eng_cpu *c);
struct md_page *pa_to_pvh(struct pmap_md *md, vm_paddr_t pa);
bool	pv_list_locked(const struct pv_cursor *cur, const struct md_page *mdp);
/* The pv list mdp (a page's or a frame's head) is locked by this CPU. */
#define PV_LIST_LOCK_ASSERT(cur, mdp)					\
	ENG_KASSERT(pv_list_locked((cur), (mdp)), "pv list %p is not "	\
	    "locked by this CPU (cursor %p)", (const void *)(mdp),	\
	    (const void *)(cur))

/* The chunk-list and pmap-list locks (class pvchunk): leaf locks. */
void	pv_global_lock(struct eng_cpu *c, struct eng_mtx *m,
	    struct eng_site *site);
void	pv_global_unlock(struct eng_cpu *c, struct eng_mtx *m);

#define PMAP_LOCK(c, pm)	pmap_lock((c), (pm), ENG_HERE)
#define PMAP_TRYLOCK(c, pm)	pmap_trylock((c), (pm), ENG_HERE)
#define PMAP_UNLOCK(c, pm)	pmap_unlock((c), (pm))
void	pmap_lock(struct eng_cpu *c, struct pmap *pm, struct eng_site *site);
bool	pmap_trylock(struct eng_cpu *c, struct pmap *pm,
	    struct eng_site *site);
void	pmap_unlock(struct eng_cpu *c, struct pmap *pm);
bool	pmap_lock_owned(struct eng_cpu *c, const struct pmap *pm);
/* PMAP_LOCK_ASSERT(pm, MA_OWNED): held by this CPU (mtx_owned()). */
#define PMAP_LOCK_ASSERT(c, pm)						\
	ENG_KASSERT(pmap_lock_owned((c), (pm)),				\
	    "pmap %p (slot %ju) is not locked by this CPU",		\
	    (void *)(pm), (uintmax_t)(pm)->pm_id)

/* pv_chunk.c */
struct pv_entry *get_pv_entry(struct eng_cpu *c, struct pmap *pm,
	    struct pv_cursor *cur);
struct pv_entry *get_pv_entry_noreclaim(struct eng_cpu *c, struct pmap *pm);
void	free_pv_entry(struct eng_cpu *c, struct pmap *pm,
	    struct pv_entry *pv);
void	reserve_pv_entries(struct eng_cpu *c, struct pmap *pm, int needed,
	    struct pv_cursor *cur);
void	free_pv_chunk_batch(struct eng_cpu *c, struct pmap *pm,
	    struct pv_chunk_list batch[PMAP_MEMDOM]);
int	pv_chunk_count_free(const struct pv_chunk *pc);
int	pv_chunk_next_inuse(struct eng_cpu *c, const struct pv_chunk *pc,
	    int idx);
void	pv_chunk_free_bit(struct eng_cpu *c, struct pv_chunk *pc, int idx);

/* pmap.c: operations on a pmap (the event entry points wrap these) */
bool	pmap_enter(struct eng_cpu *c, struct pmap *pm, uint64_t va,
	    struct vm_page *m, bool write, bool wired, struct pmap_seen *seen);
bool	pmap_remove(struct eng_cpu *c, struct pmap *pm, uint64_t sva,
	    uint64_t eva);
struct vm_page *pmap_extract_and_hold(struct eng_cpu *c, struct pmap *pm,
	    uint64_t va, bool write);

/* pmap.c, used by reclamation and the checker */
struct pmap_pd *pmap_pd_find(const struct pmap *pm, uint64_t va);
struct pmap_pd *pmap_pd_lookup(struct eng_cpu *c, struct pmap *pm,
	    uint64_t va);
void	pmap_unuse_pt(struct eng_cpu *c, struct pmap *pm, struct pmap_pd *pd);
struct pv_entry *pmap_pvh_remove(struct pv_cursor *cur, struct md_page *pvh,
	    struct pmap *pm, uint64_t va);
void	pmap_pv_unlink(struct pv_cursor *cur, struct md_page *pvh,
	    struct pv_entry *pv);
void	pmap_clear_writeable_if_unmapped(struct pv_cursor *cur,
	    struct vm_page *m);

/* pmap_dfly.c: --pv dfly */
int	pmap_dfly_init(struct pmap_md *md);
void	pmap_dfly_fini(struct pmap_md *md);
void	pmap_dfly_backing_ensure(struct eng_cpu *c, struct pmap *pm,
	    struct vm_page *m, uint64_t va, struct eng_site *site);
void	pmap_dfly_detach_all(struct eng_cpu *c, struct pmap *pm,
	    struct eng_site *site);
void	pmap_dfly_mapped(struct eng_cpu *c, struct pmap *pm,
	    struct vm_page *m, uint64_t pte);
void	pmap_dfly_unmapped(struct eng_cpu *c, struct pmap *pm,
	    struct vm_page *m, uint64_t pte);
void	pmap_dfly_remove_all(struct eng_cpu *c, struct vm_page *m);
void	pmap_dfly_remove_write(struct eng_cpu *c, struct vm_page *m);
int	pmap_dfly_ts_referenced(struct eng_cpu *c, struct vm_page *m);
struct pmap_backing *pmap_dfly_backing_find(const struct pmap *pm,
	    uint64_t obj, uint64_t delta);

#endif /* ENG_AMD64_PMAP_INTERNAL_H */
