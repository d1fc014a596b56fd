/*
 * engine.h - the public face of the VM model.
 *
 * The engine is a userspace model of the FreeBSD VM page layer (pages,
 * objects, page queues, free queues, page daemon) and of the amd64 pmap's pv
 * lists, with every lock design from the seeds selectable at run time.  It is
 * honest concurrent code: real atomics and real locks, no global lock around
 * an operation.  Replay drives it one event at a time from many threads.
 *
 * Identity: events handed to eng_apply() carry dense ids: ev->obj is an
 * object slot in [0, nobjects), ev->pmap a pmap slot in [0, npmaps).  The
 * replay layer maps a trace's ids onto slots before the run.
 *
 * Threads: each worker thread owns one eng_cpu (a "CPU" of the model: per-CPU
 * batch queues and free caches are real per-thread structures) and only that
 * thread may pass it to eng_apply().
 *
 * Everything that is not thread-safe says so.
 */
#ifndef ENG_ENGINE_H
#define ENG_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lock_stats.h"
#include "trace_event.h"

/* Design families (PRODUCT.md section 5). */
enum eng_page_design {
	ENG_PAGE_PAGELOCK = 0,	/* hashed pa_lock array */
	ENG_PAGE_REFCOUNT,	/* per-page atomic ref_count (r352110) */
	ENG_PAGE_DFLY,		/* DragonFly 5.6: refcount's counts, busy
				   rules and the lockless vm_page_hash */
};
#define ENG_PAGE_NDESIGNS	3

enum eng_queue_design {
	ENG_QUEUE_LOCKED = 0,	/* page-queue lock per operation */
	ENG_QUEUE_BATCH,	/* per-CPU batch queues (r332974) */
	ENG_QUEUE_ASTATE,	/* atomic queue-state word (FreeBSD 13/14) */
	ENG_QUEUE_COLORED,	/* DragonFly: PQ_L2_SIZE spinlocked sub-queues */
};
#define ENG_QUEUE_NDESIGNS	4

/* When a batch-queue submission tries the page-queue lock (batch, astate). */
enum eng_queue_trylock {
	ENG_TRYLOCK_NONE = 0,	/* block when the batch is full */
	ENG_TRYLOCK_HALF,	/* D37305: try from half full, block when full */
	ENG_TRYLOCK_FULL,	/* r332974: full: try once, then block */
};

enum eng_pv_design {
	ENG_PV_HASHED = 0,	/* N rwlocks hashed by pa >> 21 */
	ENG_PV_SUPERPAGE,	/* one lock per 2 MiB frame (D21833) */
	ENG_PV_PERPAGE,		/* one-byte lock per page (D24217) */
	ENG_PV_DFLY,		/* no terminal-PTE pv entries (DragonFly) */
};
#define ENG_PV_NDESIGNS	4

enum eng_pvchunk_design {
	ENG_PVCHUNK_GLOBAL = 0,	/* global chunk LRU under a global lock */
	ENG_PVCHUNK_PMAPS,	/* global list of pmaps (D24217) */
	ENG_PVCHUNK_DOMAIN,	/* per-domain chunk lists, pvc_lock (2019+) */
};
#define ENG_PVCHUNK_NDESIGNS	3
#define ENG_PVCHUNK_DOMAINS_MAX	8	/* amd64 MAXMEMDOM (PMAP_MEMDOM) */

enum eng_free_design {
	ENG_FREE_GLOBAL = 0,	/* the free lock per allocation and free */
	ENG_FREE_PGCACHE,	/* per-CPU page caches, vmd_pgcache (r331863) */
	ENG_FREE_COLORED,	/* DragonFly: PQ_FREE colour sub-queues */
};
#define ENG_FREE_NDESIGNS	3

/*
 * amd64 delayed invalidation (DI), a parameter of the FreeBSD pv designs:
 * none (10.x, which has pvh_global_lock instead), 12.0's blocks under the
 * global invl_gen_mtx, or 12.1+'s lock-free queue (CPUs with CMPXCHG16B,
 * vm.pmap.di_locked 0).  engine/amd64/pmap_invl.c.
 */
enum eng_pv_di {
	ENG_DI_NONE = 0,
	ENG_DI_LOCKED,		/* ":di-locked": invl_gen_mtx (12.0) */
	ENG_DI_LOCKLESS,	/* ":di": pmap_delayed_invl_start_u (12.1+) */
};

/* The ENG_*_NDESIGNS counts are checked against eng_designs[] (engine.c). */
struct eng_design {
	enum eng_page_design	page;
	unsigned		page_locks;	/* pagelock: array size (256) */
	bool			page_lock_pad;	/* pagelock: cache-line padded */
	enum eng_queue_design	queue;
	unsigned		batch;		/* batch/astate: entries, 1..256 */
	enum eng_queue_trylock	trylock;	/* batch, astate */
	unsigned		colors;		/* colored: PQ_L2_SIZE (1024), also
						   --free colored's */
	enum eng_pv_design	pv;
	unsigned		pv_locks;	/* hashed: array size (256) */
	bool			pv_global;	/* hashed: pvh_global_lock
						   (FreeBSD 10) */
	enum eng_pv_di		pv_di;		/* hashed, superpage, perpage */
	enum eng_pvchunk_design	pvchunk;
	unsigned		pvchunk_domains; /* domain: 1..8 (2) */
	enum eng_free_design	free;
};

/* The families, for parse/format. */
enum eng_family {
	ENG_FAM_PAGE = 0,
	ENG_FAM_QUEUE,
	ENG_FAM_PV,
	ENG_FAM_PVCHUNK,
	ENG_FAM_FREE,
	ENG_FAM_COUNT
};

/*
 * The table of designs (engine.c, eng_designs[]): one row per design, in
 * family order, driving parsing, formatting and the help text of every
 * command that takes --page/--queue/--pv/--pvchunk/--free.  A design's
 * parameters are the ENG_DP_* bits: ":N" sets the count field of its
 * family (page_locks, batch or colors, pv_locks or pvchunk_domains) within
 * [count_min, count_max], ",nopad" clears page_lock_pad, ":trylock" sets
 * trylock to ENG_TRYLOCK_HALF, ":trylock-full" to ENG_TRYLOCK_FULL,
 * ":global" sets pv_global, ":di-locked" and ":di" set pv_di.
 */
#define ENG_DP_COUNT	0x01	/* ":N"; the canonical form always has it */
#define ENG_DP_NOPAD	0x02	/* ",nopad" after the count, or alone */
#define ENG_DP_TRYLOCK	0x04	/* ":trylock" after the count, or alone */
#define ENG_DP_TRYFULL	0x08	/* ":trylock-full" likewise */
#define ENG_DP_GLOBAL	0x10	/* ":global" likewise */
#define ENG_DP_DI	0x20	/* ":di-locked" or ":di" likewise */

struct eng_design_info {
	enum eng_family	fam;
	int		value;		/* enum eng_{page,queue,...}_design */
	const char	*name;		/* "batch" */
	const char	*syntax;	/* "astate:N[:trylock]" */
	unsigned	params;		/* ENG_DP_* */
	unsigned	count_min;
	unsigned	count_max;
	unsigned	count_default;
	const char	*count_what;	/* "lock count", "batch size" */
	const char	*models;	/* revision and file it models */
	const char	*help;		/* one line */
};

/* Row i of the table, or NULL past its end. */
const struct eng_design_info *eng_design_info(size_t i);
/*
 * The family's designs as "a | b | c" (their syntax), as usage lines show
 * them; returns buf.
 */
const char *eng_design_syntax(enum eng_family fam, const char *sep,
	    char *buf, size_t len);

/*
 * The design with no option and no preset: FreeBSD 13/14's page and queue
 * designs (astate:63 without D37305's trylock) with the !NUMA pv-lock
 * array and one global chunk list; no release shipped it (docs/presets.md).
 */
void	eng_design_default(struct eng_design *d);
/* Parse one family's spec ("refcount", "astate:63:trylock", "hashed:128",
 * "hashed:256:global").
 * Returns 0, or -1 with a one-line reason in err (naming the family, not a
 * command-line flag). */
int	eng_design_parse(struct eng_design *d, enum eng_family fam,
	    const char *spec, char *err, size_t errlen);
/* Canonical spec of one family, as used in CSV rows; returns buf. */
const char *eng_design_format(const struct eng_design *d, enum eng_family fam,
	    char *buf, size_t len);
const char *eng_family_name(enum eng_family fam);	/* "page", "queue" ... */

/*
 * Presets (engine.c, eng_presets[]): every family set as one release
 * shipped it, each with the revision and file it follows
 * (docs/presets.md says the same, with what is unverified).
 */
struct eng_preset_info {
	const char	*name;			/* "freebsd14" */
	const char	*release;		/* "FreeBSD 14.0" */
	const char	*spec[ENG_FAM_COUNT];	/* by family, canonical */
	const char	*follows[ENG_FAM_COUNT]; /* revision and file */
};

/* Preset i of the table, or NULL past its end. */
const struct eng_preset_info *eng_preset_info(size_t i);
/*
 * Set every family of d to preset name's design.  Returns 0, or -1 with a
 * one-line reason (naming the presets there are) in err.
 */
int	eng_preset_apply(struct eng_design *d, const char *name, char *err,
	    size_t errlen);
/* The presets' names as "a | b | c"; returns buf. */
const char *eng_preset_names(const char *sep, char *buf, size_t len);

struct eng_params {
	struct eng_design design;
	unsigned	nslots;		/* worker threads ("CPUs") */
	uint64_t	nobjects;	/* object slots */
	uint64_t	npmaps;		/* pmap slots */
	uint64_t	phys_pages;	/* physical memory, 4 KiB pages */
	bool		timing;		/* lock wait/hold timing (TSC) */
	uint32_t	hold_sample;	/* timing on: time one hold in this
					   many per CPU; 0 or 1: every one
					   (lock.h, "Hold") */
	/*
	 * Run the page daemon's thread (vm_pageout.c) from eng_create() to
	 * eng_quiesce(): allocators with no free page sleep in vm_wait until
	 * it frees some.  Without it such an allocation fails (counted in
	 * alloc_failures, the event's page skipped).
	 */
	bool		pagedaemon;
};

struct vm_engine;
struct eng_cpu;

struct vm_engine *eng_create(const struct eng_params *p, char *err,
	    size_t errlen);
void	eng_destroy(struct vm_engine *e);
struct eng_cpu *eng_cpu(struct vm_engine *e, unsigned slot);
/*
 * Object slot holds an address space's anonymous memory (a trace id with
 * PR_OBJ_ANON: the kernel's OBJT_DEFAULT or OBJT_SWAP), not a file's
 * pages (a vnode's object, the default).  Called before the first event
 * is applied; a slot out of range is ignored.  Only DragonFly's active
 * scan reads the type (vm_anonmem_decline vs vm_filemem_decline).
 */
void	eng_object_anon(struct vm_engine *e, uint64_t slot);

/*
 * Why an event was skipped: the model's state made it meaningless.  A
 * range event is skipped when it did nothing on any of its pages, and
 * named by its first page's cause.
 */
enum eng_skip {
	ENG_SKIP_NONE = 0,	/* applied */
	ENG_SKIP_BAD_KIND,	/* a kind this version does not know */
	ENG_SKIP_NO_SLOT,	/* object or pmap id beyond the model's slots */
	ENG_SKIP_RANGE,		/* pindex beyond the model's range (2^52) */
	ENG_SKIP_OBJECT_EXISTS,	/* obj_create: the object is alive */
	ENG_SKIP_NO_OBJECT,	/* obj_terminate: the object is not alive */
	ENG_SKIP_RESIDENT,	/* page_insert: the page is resident */
	ENG_SKIP_NOT_RESIDENT,	/* the page is not resident */
	ENG_SKIP_WIRED,		/* page_remove, remove_all/_write: wired */
	ENG_SKIP_NOT_WIRED,	/* unwire, release: no wiring of the trace's */
	ENG_SKIP_NOT_QUEUED,	/* requeue: the page is in no queue */
	ENG_SKIP_BUSY,		/* remove_all/_write, page_remove: page busy */
	ENG_SKIP_NO_MEMORY,	/* nothing could be allocated or reclaimed */
	ENG_SKIP_PMAP_EXISTS,	/* pmap_create: the pmap is in use */
	ENG_SKIP_NO_PMAP,	/* pmap_destroy, unmap: the pmap is not */
	ENG_SKIP_NOT_MAPPED,	/* extract_hold: nothing mapped there */
	ENG_SKIP_DECLINED,	/* promote/demote: the 2 MiB region is not
				   mapped as the operation needs */
	ENG_SKIP_COUNT
};

/* The cause's name ("not_resident", ...), stable: reports key on it. */
const char *eng_skip_name(enum eng_skip why);

/*
 * Apply one event.  Every event is valid in any model state: a wire of a page
 * that is not resident grabs it first, an unwire of an unwired page is
 * skipped.  Returns ENG_SKIP_NONE (0) when done, else why it was skipped
 * (counted per kind and per cause).
 */
enum eng_skip eng_apply(struct eng_cpu *c, const struct pr_event *ev);

/*
 * After every worker has stopped (single-threaded): stop the page daemon
 * for good, drain batch queues and per-CPU caches so that logical and
 * physical state agree.
 */
void	eng_quiesce(struct vm_engine *e);

/*
 * Drain one CPU's batch queues and free cache, with the page daemon still
 * running (eng_quiesce stops it for good): work applied on c becomes
 * visible in the page queues and the free count.  Called by the thread
 * that applies c's events, between events.
 */
void	eng_cpu_drain(struct eng_cpu *c);

/*
 * Invariant check (single-threaded, after eng_quiesce()): reference counts vs
 * wirings and object membership, queue flags vs membership, free pages,
 * pv lists vs mappings, objects left busy or paging.  Prints one line per
 * violation naming the page or object;
 * returns the number of violations.
 */
uint64_t eng_check(struct vm_engine *e, FILE *out);

struct eng_stats {
	struct eng_lock_stats lock[LC_COUNT];
	struct eng_lock_stats inst[ENG_INST_MAX];	/* lock instances,
					   eng_lock_inst_name() */
	uint64_t	events;			/* applied, incl. skipped */
	uint64_t	skipped;
	uint64_t	by_kind[PR_KIND_COUNT];
	uint64_t	skipped_by_kind[PR_KIND_COUNT];
	uint64_t	skipped_by_cause[ENG_SKIP_COUNT];
	/* Counters the kernel has too (vm.stats.page.*). */
	uint64_t	queue_ops;		/* batch entries acted on */
	uint64_t	queue_nops;		/* stale batch entries skipped */
	uint64_t	pqstate_commit_retries;	/* astate CAS / recheck failed */
	uint64_t	relock_restarts;	/* vm_page_pa_tryrelock EAGAIN */
	/* Memory pressure. */
	uint64_t	reclaims;		/* allocs with no free page */
	uint64_t	alloc_failures;		/* unsatisfiable: page skipped */
	uint64_t	reserv_breaks;		/* reservations broken */
	/* Page daemon. */
	uint64_t	scan_pages;		/* pages examined */
	uint64_t	scan_freed;
	uint64_t	scan_skipped;		/* trylock failed, busy, stale */
	uint64_t	scan_inactive;		/* inactive pages examined */
	uint64_t	scan_active;		/* active pages examined */
	uint64_t	pd_wakeups;		/* pagedaemon_wakeup() */
	uint64_t	pd_passes;		/* daemon passes with a target */
	uint64_t	pd_ooms;		/* daemon gave up (model OOM) */
	uint64_t	vm_waits;		/* allocs slept in vm_wait */
	uint64_t	vm_wait_ns;		/* their time asleep */
	/* --free colored (DragonFly _vm_page_list_find). */
	uint64_t	free_find_steps;	/* sub-queues looked at */
	uint64_t	free_far_afield;	/* set vpq.lastq (8+ looked at) */
	uint64_t	free_lastq_hits;	/* found at vpq.lastq */
	/* --page dfly (DragonFly vm_page_hash_get, vm_page_hash.c). */
	uint64_t	page_hash_hits;		/* validated, soft-busied */
	uint64_t	page_hash_misses;	/* no entry's page had the
						   identity */
	uint64_t	page_hash_fails;	/* an entry's page had it, but
						   the soft busy or the
						   identity re-check failed */
	/* Events the model does no work for. */
	uint64_t	fault_around_lookups;	/* page_lookup flagged
						   PR_F_FAULT_AROUND */
	/* The pmap layer (engine/amd64/pmap.h, struct pmap_counters). */
	uint64_t	pv_restarts;		/* page-centric pmap-lock retries */
	uint64_t	pa_restarts;		/* extract_and_hold EAGAIN */
	uint64_t	hold_fallbacks;		/* wire_mapped failed (BLOCKED) */
	uint64_t	promotions;
	uint64_t	promote_failures;	/* 512 PTEs not promotable */
	uint64_t	demotions;
	uint64_t	pv_reclaims;		/* reclaim_pv_chunk() calls */
	uint64_t	pv_reclaimed;		/* mappings it destroyed */
	uint64_t	pv_chunk_allocs;
	uint64_t	pv_chunk_frees;
	uint64_t	pv_chunk_overcommits;	/* over the chunk budget */
};

/*
 * Merge every CPU's counters, the pmap layer's included (call after the
 * workers stopped).
 */
void	eng_stats_collect(struct vm_engine *e, struct eng_stats *out);
/*
 * Per call site: the function that took the lock (lockstat and perf lock key
 * by caller), per lock class, merged over CPUs (workers stopped).  Rows
 * with no activity are left out; sorted by acquisitions, most first.
 */
struct eng_site_row {
	const char	*site;		/* function name */
	unsigned	lock_class;	/* enum eng_lock_class */
	uint64_t	acquisitions;
	uint64_t	contended;
	uint64_t	cas_retries;
	uint64_t	wait_ns;	/* sums; timing on */
	uint64_t	hold_ns;	/* estimated when sampled:
					   eng_hold_total() */
};
/* Fills up to max rows; returns how many there are in all. */
size_t	eng_stats_sites(struct vm_engine *e, struct eng_site_row *rows,
	    size_t max);

/*
 * Zero every counter, the pmap layer's included (e.g. after a warm-up).
 * Workers must be stopped or waiting; the page daemon is held between two
 * passes meanwhile.
 */
void	eng_stats_reset(struct vm_engine *e);

/*
 * Footprint (footprint.c): for each event kind and flag variant, the lock
 * acquisitions and atomics per lock class of one execution on a fresh
 * one-CPU model prepared so the event does its full work, batch queues
 * drained first (single), and the totals of reps executions back to back
 * (total; ENG_FP_REPS, ENG_FP_REPS_SUPER for promote and demote).
 */
#define ENG_FP_REPS		1000
#define ENG_FP_REPS_SUPER	128	/* promote, demote: 512 pages each */
#define ENG_FP_NVARIANTS	31

struct eng_fp_counts {
	uint64_t	acq[LC_COUNT];
	uint64_t	atomics[LC_COUNT];
};

struct eng_fp_row {
	const char	*event;		/* "release:nocache" */
	struct eng_fp_counts single;
	struct eng_fp_counts total;
	unsigned	reps;
	int		single_rv;	/* eng_apply() of the single run */
};

int	eng_footprint(const struct eng_design *d, struct eng_fp_row *rows,
	    void (*progress)(const char *event), char *err, size_t errlen);

#endif /* ENG_ENGINE_H */
