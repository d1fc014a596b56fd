/*
 * engine.c - the engine's public entry points (engine.h): designs, creation,
 * event dispatch, quiesce, invariant check, statistics.  The VM operations
 * live in vm_object.c, vm_page.c, vm_pagequeue.c, vm_phys.c, vm_pageout.c.
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "eng_alloc.h"
#include "vm_internal.h"

#define ENG_DEFAULT_PHYS_PAGES	262144		/* 1 GiB */
#define ENG_MAX_SLOTS		1024
#define ENG_PINDEX_MAX		((uint64_t)1 << 52)
#define ENG_SENDFILE_CHUNK	64		/* pages grabbed at once */

static const char *const eng_family_names[] = {
	[ENG_FAM_PAGE] = "page",
	[ENG_FAM_QUEUE] = "queue",
	[ENG_FAM_PV] = "pv",
	[ENG_FAM_PVCHUNK] = "pvchunk",
	[ENG_FAM_FREE] = "free",
};
_Static_assert(sizeof(eng_family_names) / sizeof(eng_family_names[0]) ==
    ENG_FAM_COUNT, "a family without a name");

const char *
eng_family_name(enum eng_family fam)
{
	return ((unsigned)fam < ENG_FAM_COUNT ? eng_family_names[fam] : "?");
}

/* ------------------------------------------------------------- designs */

/*
 * The designs, in family order.  Each row names the source it models;
 * docs/user-guide.md ("Design options") and docs/design-*.md say the same.
 */
static const struct eng_design_info eng_designs[] = {
	{ ENG_FAM_PAGE, ENG_PAGE_PAGELOCK, "pagelock", "pagelock[:N[,nopad]]",
	    ENG_DP_COUNT | ENG_DP_NOPAD, 1, 65536, PA_LOCK_COUNT, "lock count",
	    "FreeBSD 10 to 2019 (until r352110) sys/vm/vm_page.c "
	    "(pa_lock[], PA_LOCK_COUNT)",
	    "hashed page-lock array of N mutexes, padded unless nopad" },
	{ ENG_FAM_PAGE, ENG_PAGE_REFCOUNT, "refcount", "refcount", 0, 0, 0, 0,
	    NULL, "r352110 (D20486) sys/vm/vm_page.c, FreeBSD 13/14; "
	    "vm_page_grab_pages_unlocked, vm_page_release (SMR, 2020)",
	    "per-page atomic ref_count, no page lock for identity; "
	    "resident pages grabbed and released without the object lock" },
	{ ENG_FAM_PAGE, ENG_PAGE_DFLY, "dfly", "dfly", 0, 0, 0, 0, NULL,
	    "DragonFly 5.6 (v5.6.0) sys/vm/vm_page.c (vm_page_hash_get, "
	    "vm_page_hash_enter, busy_count: PBUSY_LOCKED and soft busies), "
	    "sys/vm/vm_fault.c (vm_fault_quick)",
	    "refcount's counts, hard busy to change identity, and the "
	    "lockless 4-way vm_page_hash tried before the object lock" },
	{ ENG_FAM_QUEUE, ENG_QUEUE_LOCKED, "locked", "locked", 0, 0, 0, 0,
	    NULL, "FreeBSD 10 sys/vm/vm_page.c (vm_page_enqueue, "
	    "vm_pagequeue_lock)",
	    "the page-queue lock around every queue operation" },
	{ ENG_FAM_QUEUE, ENG_QUEUE_BATCH, "batch",
	    "batch:N[:trylock-full|:trylock]",
	    ENG_DP_COUNT | ENG_DP_TRYLOCK | ENG_DP_TRYFULL, 1,
	    VM_BATCHQUEUE_MAX, VM_BATCHQUEUE_SIZE, "batch size",
	    "r332974 (D14893) sys/vm/vm_page.c (vm_pqbatch_submit_page); "
	    ":trylock-full is 12.x's trylock before blocking on a full batch; "
	    ":trylock grafts D37305 (14.0, astate) onto it: never shipped",
	    "per-CPU batch queues of N entries, page lock for queue state" },
	{ ENG_FAM_QUEUE, ENG_QUEUE_ASTATE, "astate", "astate:N[:trylock]",
	    ENG_DP_COUNT | ENG_DP_TRYLOCK, 1, VM_BATCHQUEUE_MAX,
	    VM_BATCHQUEUE_SIZE, "batch size",
	    "rS355672/rGf3f38e2580f1 sys/vm/vm_page.c "
	    "(vm_page_pqstate_commit), FreeBSD 13/14; :trylock D37305 "
	    "(rG1cac76c93fb7, 14.0) vm_page_pqbatch_submit",
	    "atomic queue-state word and batch queues of N entries; "
	    ":trylock tries the queue lock from half full" },
	{ ENG_FAM_QUEUE, ENG_QUEUE_COLORED, "colored", "colored:N",
	    ENG_DP_COUNT, 1, 4096, 1024, "sub-queues per queue",
	    "DragonFly 5.6 (e3c330f0) sys/vm/vm_page.c "
	    "(_vm_page_add_queue_spinlocked, vm_page_activate; PQ_L2_SIZE "
	    "1024, 2048 before)",
	    "N coloured sub-queues per queue, each with a spinlock, and a "
	    "spinlock per page" },
	{ ENG_FAM_PV, ENG_PV_HASHED, "hashed",
	    "hashed[:N][:global|:di-locked|:di]",
	    ENG_DP_COUNT | ENG_DP_GLOBAL | ENG_DP_DI, 1, 65536, 256,
	    "lock count",
	    "amd64 sys/amd64/amd64/pmap.c (pv_list_locks[], NPV_LIST_LOCKS); "
	    ":global FreeBSD 10.x's pvh_global_lock (release/10.4.0 pmap.c; "
	    "gone by 12.1); :di-locked 12.0's delayed invalidation under "
	    "invl_gen_mtx (pmap_delayed_invl_started), :di 12.1+'s lock-free "
	    "one (pmap_delayed_invl_start_u)",
	    "N pv-list rwlocks hashed by 2 MiB frame; :global adds the "
	    "global pv rwlock taken before the pmap lock; :di-locked/:di add "
	    "the global delayed-invalidation bookkeeping of pmap_remove" },
	{ ENG_FAM_PV, ENG_PV_SUPERPAGE, "superpage",
	    "superpage[:di-locked|:di]",
	    ENG_DP_DI, 0, 0, 0, NULL,
	    "r353149 (D21833) sys/amd64/amd64/pmap.c, options NUMA; :di "
	    "pmap_delayed_invl_start_u (12.1+, 13.0 pmap.c)",
	    "one pv-list rwlock per 2 MiB frame; :di-locked/:di as hashed" },
	{ ENG_FAM_PV, ENG_PV_PERPAGE, "perpage", "perpage[:di-locked|:di]",
	    ENG_DP_DI, 0, 0, 0, NULL,
	    "D24217 (unlanded; unverified as a whole); :di as superpage",
	    "one one-byte pv lock per 4 KiB page; :di-locked/:di as hashed" },
	{ ENG_FAM_PV, ENG_PV_DFLY, "dfly", "dfly", 0, 0, 0, 0, NULL,
	    "DragonFly 5.6 (567a6398, e3c330f0) sys/platform/pc64/x86_64/"
	    "pmap.c (pmap_remove_all, pmap_clearbit, pmap_ts_referenced: "
	    "PMAP_PAGE_BACKING_SCAN; md.pmap_count, md.writeable_count)",
	    "no pv entries for 4 KiB mappings: per-page mapping counts, "
	    "mappings found through the object's backing list" },
	{ ENG_FAM_PVCHUNK, ENG_PVCHUNK_GLOBAL, "global", "global", 0, 0, 0, 0,
	    NULL, "amd64 sys/amd64/amd64/pmap.c (pv_chunks, pv_chunks_mutex)",
	    "one global pv-chunk list under one mutex" },
	{ ENG_FAM_PVCHUNK, ENG_PVCHUNK_PMAPS, "pmaps", "pmaps", 0, 0, 0, 0,
	    NULL, "D24217 (unlanded; unverified as a whole)",
	    "a global list of pmaps instead of chunks" },
	{ ENG_FAM_PVCHUNK, ENG_PVCHUNK_DOMAIN, "domain", "domain[:N]",
	    ENG_DP_COUNT, 1, ENG_PVCHUNK_DOMAINS_MAX, 2, "domain count",
	    "2019+ head sys/amd64/amd64/pmap.c (pv_chunks[PMAP_MEMDOM], "
	    "pvc_lock, free_pv_chunk_batch), FreeBSD 13/14",
	    "one chunk list and lock per memory domain, N domains" },
	{ ENG_FAM_FREE, ENG_FREE_GLOBAL, "global", "global", 0, 0, 0, 0, NULL,
	    "FreeBSD 10 sys/vm/vm_page.c (vm_page_queue_free_mtx in "
	    "vm_page_alloc, vm_page_free_toq), sys/vm/vm_reserv.c",
	    "the free-queue lock on every page allocation and free, "
	    "reservations under it" },
	{ ENG_FAM_FREE, ENG_FREE_PGCACHE, "pgcache", "pgcache", 0, 0, 0, 0,
	    NULL, "r331369 (D14707) sys/vm/vm_reserv.c (struct vm_reserv's "
	    "lock, vm_domain_allocate), rS331863 (D14905) sys/vm/vm_page.c "
	    "(vmd_pgcache), FreeBSD 12+",
	    "a lock per reservation; the free lock to carve or empty a "
	    "reservation or move a bucket of the per-CPU page cache" },
	{ ENG_FAM_FREE, ENG_FREE_COLORED, "colored", "colored", 0, 0, 0, 0,
	    NULL, "DragonFly 5.6 (e3c330f0) sys/vm/vm_page.c "
	    "(vm_page_select_free, _vm_page_list_find2, vpq.lastq)",
	    "PQ_FREE sub-queues by colour, each with a spinlock; "
	    "PQ_L2_SIZE from --queue colored:N" },
};
#define ENG_NDESIGNS	(sizeof(eng_designs) / sizeof(eng_designs[0]))
_Static_assert(ENG_NDESIGNS == ENG_PAGE_NDESIGNS + ENG_QUEUE_NDESIGNS +
    ENG_PV_NDESIGNS + ENG_PVCHUNK_NDESIGNS + ENG_FREE_NDESIGNS,
    "eng_designs[] and the design enums disagree");

const struct eng_design_info *
eng_design_info(size_t i)
{
	return (i < ENG_NDESIGNS ? &eng_designs[i] : NULL);
}

const char *
eng_design_syntax(enum eng_family fam, const char *sep, char *buf,
    size_t len)
{
	size_t i, off = 0;

	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < ENG_NDESIGNS; i++) {
		if (eng_designs[i].fam != fam)
			continue;
		off += (size_t)snprintf(buf + (off < len ? off : len),
		    off < len ? len - off : 0, "%s%s", off > 0 ? sep : "",
		    eng_designs[i].syntax);
	}
	return (buf);
}

/*
 * The defaults (engine.h): no release.  FreeBSD 14.0 is --preset
 * freebsd14.
 */
void
eng_design_default(struct eng_design *d)
{
	memset(d, 0, sizeof(*d));
	d->page = ENG_PAGE_REFCOUNT;
	d->page_locks = PA_LOCK_COUNT;
	d->page_lock_pad = true;
	d->queue = ENG_QUEUE_ASTATE;
	d->batch = VM_BATCHQUEUE_SIZE;
	d->trylock = ENG_TRYLOCK_NONE;
	d->colors = 1024;
	d->pv = ENG_PV_HASHED;
	d->pv_locks = 256;
	d->pvchunk = ENG_PVCHUNK_GLOBAL;
	d->pvchunk_domains = 2;
	d->free = ENG_FREE_PGCACHE;
}

static int
eng_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return (-1);
}

/* The design of family fam that d selects. */
static int
eng_design_value(const struct eng_design *d, enum eng_family fam)
{
	switch (fam) {
	case ENG_FAM_PAGE:
		return ((int)d->page);
	case ENG_FAM_QUEUE:
		return ((int)d->queue);
	case ENG_FAM_PV:
		return ((int)d->pv);
	case ENG_FAM_PVCHUNK:
		return ((int)d->pvchunk);
	case ENG_FAM_FREE:
		return ((int)d->free);
	default:
		return (-1);
	}
}

/* Select design row ri in d; returns its family's count field or NULL. */
static unsigned *
eng_design_select(struct eng_design *d, const struct eng_design_info *ri)
{
	switch (ri->fam) {
	case ENG_FAM_PAGE:
		d->page = (enum eng_page_design)ri->value;
		return (&d->page_locks);
	case ENG_FAM_QUEUE:
		d->queue = (enum eng_queue_design)ri->value;
		return (d->queue == ENG_QUEUE_COLORED ? &d->colors :
		    &d->batch);
	case ENG_FAM_PV:
		d->pv = (enum eng_pv_design)ri->value;
		return (&d->pv_locks);
	case ENG_FAM_PVCHUNK:
		d->pvchunk = (enum eng_pvchunk_design)ri->value;
		return (&d->pvchunk_domains);
	default:
		d->free = (enum eng_free_design)ri->value;
		return (NULL);
	}
}

/* The table row of family fam whose name spec starts with, or NULL. */
static const struct eng_design_info *
eng_design_lookup(enum eng_family fam, const char *spec)
{
	const struct eng_design_info *ri;
	size_t i, n;

	for (i = 0; i < ENG_NDESIGNS; i++) {
		ri = &eng_designs[i];
		n = strlen(ri->name);
		if (ri->fam == fam && strncmp(spec, ri->name, n) == 0 &&
		    (spec[n] == '\0' || spec[n] == ':'))
			return (ri);
	}
	return (NULL);
}

/*
 * Parse the parameters p of design ri (what follows "name:") into n: a
 * count, then, after sep (',' or ':'), a word; or the word alone.
 * Returns 0 or -1 with the reason in err.
 */
static int
eng_design_parse_params(struct eng_design *n, const struct eng_design_info *ri,
    unsigned *count, const char *spec, const char *p, char *err,
    size_t errlen)
{
	unsigned long v;
	char *ep, sep = '\0';

	if ((ri->params & ENG_DP_COUNT) != 0 && *p >= '0' && *p <= '9') {
		errno = 0;
		v = strtoul(p, &ep, 10);
		if (errno != 0 || v < ri->count_min || v > ri->count_max)
			return (eng_errf(err, errlen, "%s design %s: %s must "
			    "be %u..%u", eng_family_name(ri->fam), spec,
			    ri->count_what, ri->count_min, ri->count_max));
		*count = (unsigned)v;
		p = ep;
		if (*p == '\0')
			return (0);
		sep = *p++;
	}
	if (sep != ':' && (ri->params & ENG_DP_NOPAD) != 0 &&
	    strcmp(p, "nopad") == 0) {
		n->page_lock_pad = false;
		return (0);
	}
	if (sep != ',' && (ri->params & ENG_DP_TRYLOCK) != 0 &&
	    strcmp(p, "trylock") == 0) {
		n->trylock = ENG_TRYLOCK_HALF;
		return (0);
	}
	if (sep != ',' && (ri->params & ENG_DP_TRYFULL) != 0 &&
	    strcmp(p, "trylock-full") == 0) {
		n->trylock = ENG_TRYLOCK_FULL;
		return (0);
	}
	if (sep != ',' && (ri->params & ENG_DP_GLOBAL) != 0 &&
	    strcmp(p, "global") == 0) {
		n->pv_global = true;
		return (0);
	}
	if (sep != ',' && (ri->params & ENG_DP_DI) != 0 &&
	    (strcmp(p, "di-locked") == 0 || strcmp(p, "di") == 0)) {
		n->pv_di = p[2] == '\0' ? ENG_DI_LOCKLESS : ENG_DI_LOCKED;
		return (0);
	}
	return (eng_errf(err, errlen, "%s design %s: expected %s",
	    eng_family_name(ri->fam), spec, ri->syntax));
}

/*
 * Parse by the table: the row whose name starts spec, then its
 * parameters.  Selecting a design resets its family's parameters to the
 * row's defaults (count, padded, no trylock, no global pv lock, no
 * delayed invalidation).
 */
int
eng_design_parse(struct eng_design *d, enum eng_family fam, const char *spec,
    char *err, size_t errlen)
{
	const struct eng_design_info *ri;
	struct eng_design n = *d;
	unsigned *count;
	char syn[128];
	size_t len;

	if ((unsigned)fam >= ENG_FAM_COUNT)
		return (eng_errf(err, errlen, "unknown design family"));
	if (spec == NULL || *spec == '\0')
		return (eng_errf(err, errlen, "empty %s design",
		    eng_family_name(fam)));
	if ((ri = eng_design_lookup(fam, spec)) == NULL)
		return (eng_errf(err, errlen, "unknown %s design '%s' (%s)",
		    eng_family_name(fam), spec, eng_design_syntax(fam, ", ",
		    syn, sizeof(syn))));
	count = eng_design_select(&n, ri);
	if ((ri->params & ENG_DP_COUNT) != 0)
		*count = ri->count_default;
	if (fam == ENG_FAM_PAGE)
		n.page_lock_pad = true;
	if (fam == ENG_FAM_QUEUE)
		n.trylock = ENG_TRYLOCK_NONE;
	if (fam == ENG_FAM_PV) {
		n.pv_global = false;
		n.pv_di = ENG_DI_NONE;
	}
	len = strlen(ri->name);
	if (spec[len] != '\0' && eng_design_parse_params(&n, ri, count, spec,
	    spec + len + 1, err, errlen) != 0)
		return (-1);
	*d = n;
	return (0);
}

/*
 * Canonical spec (round-trips through eng_design_parse): counts are always
 * written, "pagelock:256", "batch:63:trylock", "astate:63", "hashed:256",
 * "hashed:256:global", "hashed:256:di-locked", "superpage:di".
 */
const char *
eng_design_format(const struct eng_design *d, enum eng_family fam, char *buf,
    size_t len)
{
	const struct eng_design_info *ri = NULL;
	struct eng_design tmp = *d;
	int value = eng_design_value(d, fam);
	const char *di;
	size_t i;

	for (i = 0; i < ENG_NDESIGNS && ri == NULL; i++)
		if (eng_designs[i].fam == fam && eng_designs[i].value == value)
			ri = &eng_designs[i];
	if (ri == NULL) {
		snprintf(buf, len, "?");
		return (buf);
	}
	di = (ri->params & ENG_DP_DI) == 0 || d->pv_di == ENG_DI_NONE ? "" :
	    d->pv_di == ENG_DI_LOCKED ? ":di-locked" : ":di";
	if ((ri->params & ENG_DP_COUNT) == 0) {
		snprintf(buf, len, "%s%s", ri->name, di);
		return (buf);
	}
	snprintf(buf, len, "%s:%u%s%s%s%s", ri->name,
	    *eng_design_select(&tmp, ri), (ri->params & ENG_DP_NOPAD) != 0 &&
	    !d->page_lock_pad ? ",nopad" : "", (ri->params & ENG_DP_TRYLOCK) !=
	    0 && d->trylock == ENG_TRYLOCK_HALF ? ":trylock" :
	    (ri->params & ENG_DP_TRYFULL) != 0 &&
	    d->trylock == ENG_TRYLOCK_FULL ? ":trylock-full" : "",
	    (ri->params & ENG_DP_GLOBAL) != 0 && d->pv_global ? ":global" :
	    "", di);
	return (buf);
}

/* ------------------------------------------------------------- presets */

/*
 * The presets: every family as the release shipped it on amd64 GENERIC,
 * from docs/research/freebsd-eras.md; docs/presets.md is this table with
 * what the research could not verify.  pvchunk domain:1: the domain count
 * is the machine's, not the release's, and the model's page layer has one
 * domain (--pvchunk domain:N after --preset for more).
 */
static const struct eng_preset_info eng_presets[] = {
	{ "freebsd10", "FreeBSD 10.4",
	    { "pagelock:256", "locked", "hashed:256:global", "global",
	      "global" },
	    { "release/10.4.0 sys/vm/vm_page.c (pa_lock[PA_LOCK_COUNT])",
	      "release/10.4.0 sys/vm/vm_page.c (vm_page_enqueue, "
	      "vm_page_dequeue: the queue lock per operation)",
	      "release/10.4.0 sys/amd64/amd64/pmap.c (pv_list_locks"
	      "[NPV_LIST_LOCKS], MAXCPU 256; pvh_global_lock, line 375, "
	      "read-locked by pmap_enter, pmap_remove, pmap_remove_write, "
	      "pmap_remove_pages, pmap_ts_referenced, write-locked by "
	      "pmap_remove_all)",
	      "release/10.4.0 sys/amd64/amd64/pmap.c (pv_chunks, "
	      "pv_chunks_mutex)",
	      "release/10.4.0 sys/vm/vm_page.c (vm_page_queue_free_mtx); "
	      "pre-r331369 sys/vm/vm_reserv.c (reservations under it)" } },
	{ "freebsd12", "FreeBSD 12.0",
	    { "pagelock:256", "batch:31:trylock-full", "hashed:256:di-locked",
	      "global", "pgcache" },
	    { "releng/12.0 sys/vm/vm_page.c (pa_lock[], until r352110)",
	      "r332974 (D14893) sys/vm/vm_page.c (vm_pqbatch_submit_page: "
	      "trylock before blocking on a full batch), "
	      "sys/amd64/include/vmparam.h (VM_BATCHQUEUE_SIZE 31)",
	      "releng/12.0 sys/amd64/amd64/pmap.c (pv_list_locks[], 256 "
	      "per D21833's text; pmap_delayed_invl_started/_finished "
	      "under invl_gen_mtx, read in a 2019 head copy)",
	      "releng/12.0 sys/amd64/amd64/pmap.c (pv_chunks, "
	      "pv_chunks_mutex; inferred from 10.4 and an arm64 copy)",
	      "r331369 (D14707) sys/vm/vm_reserv.c (vm_reserv_extend, "
	      "vm_reserv_depopulate: the reservation's lock), rS331863 "
	      "(D14905) sys/vm/vm_page.c (vmd_pgcache)" } },
	{ "freebsd13", "FreeBSD 13.0",
	    { "refcount", "astate:31", "superpage:di", "domain:1",
	      "pgcache" },
	    { "r352110 (D20486) sys/vm/vm_page.c (ref_count)",
	      "rS355672 (D22753), rGf3f38e2580f1 sys/vm/vm_page.c "
	      "(vm_page_pqstate_commit), sys/amd64/include/vmparam.h "
	      "(VM_BATCHQUEUE_SIZE 31); plain lock when full",
	      "r353149 (D21833) sys/amd64/amd64/pmap.c (pmap_large_md_page "
	      "pv_lock), options NUMA in sys/amd64/conf/GENERIC; "
	      "pmap_delayed_invl_start_u/_finish_u (13.0 pmap.c)",
	      "2019+ head sys/amd64/amd64/pmap.c (pv_chunks[PMAP_MEMDOM], "
	      "pvc_lock; in 13.0 inferred from the review date)",
	      "r331369 sys/vm/vm_reserv.c (the reservation's lock), "
	      "rS331863 sys/vm/vm_page.c (vmd_pgcache[VM_NFREEPOOL])" } },
	{ "freebsd14", "FreeBSD 14.0",
	    { "refcount", "astate:63:trylock", "superpage:di", "domain:1",
	      "pgcache" },
	    { "r352110 (D20486) sys/vm/vm_page.c (ref_count)",
	      "D37305 (rG1cac76c93fb7) sys/vm/vm_page.c "
	      "(vm_page_pqbatch_submit: trylock from half full), "
	      "sys/vm/vm_pagequeue.h (VM_BATCHQUEUE_SIZE 63); in 14.0 "
	      "inferred from the review number",
	      "r353149 (D21833) sys/amd64/amd64/pmap.c (pmap_large_md_page "
	      "pv_lock), options NUMA in GENERIC (read in a 13/14-era file); "
	      "lock-free delayed invalidation as 13.0",
	      "main sys/amd64/amd64/pmap.c (pv_chunks[PMAP_MEMDOM], "
	      "pvc_lock, free_pv_chunk_batch)",
	      "r331369 sys/vm/vm_reserv.c (the reservation's lock), "
	      "rS331863 sys/vm/vm_page.c (vmd_pgcache[VM_NFREEPOOL])" } },
	{ "dragonfly56", "DragonFly BSD 5.6 (VM rework, e3c330f0)",
	    { "dfly", "colored:1024", "dfly", "domain:1", "colored" },
	    { "DragonFly 5.6 sys/vm/vm_page.c (vm_page_hash_get/_enter, "
	      "busy_count: PBUSY_LOCKED to change identity, soft busies; "
	      "wire_count atomic), sys/vm/vm_fault.c (vm_fault_quick); "
	      "docs/design-dragonfly.md)",
	      "e3c330f0 sys/vm/vm_page.c, vm_page.h (PQ_L2_SIZE 1024, "
	      "per-queue and per-page spinlocks, unlocked vm_page_activate)",
	      "567a6398 (part 11), e3c330f0 (part 12) sys/platform/pc64/"
	      "x86_64/pmap.c (md.pmap_count, md.writeable_count, "
	      "PMAP_PAGE_BACKING_SCAN under the object's backing_lk)",
	      "idle: DragonFly has no pv chunks (pv entries only for "
	      "page-table pages, from pvzone); --pv dfly allocates none",
	      "e3c330f0 sys/vm/vm_page.c (vm_page_select_free, "
	      "_vm_page_list_find2, vpq.lastq)" } },
	{ "d24217", "D24217 (proposal on FreeBSD 14, never landed)",
	    { "refcount", "astate:63:trylock", "perpage:di", "pmaps",
	      "pgcache" },
	    { "as freebsd14", "as freebsd14",
	      "D24217 (seed 004; code never found: unverified)",
	      "D24217 (seed 004; code never found: unverified)",
	      "as freebsd14" } },
};
#define ENG_NPRESETS	(sizeof(eng_presets) / sizeof(eng_presets[0]))

const struct eng_preset_info *
eng_preset_info(size_t i)
{
	return (i < ENG_NPRESETS ? &eng_presets[i] : NULL);
}

const char *
eng_preset_names(const char *sep, char *buf, size_t len)
{
	size_t i, off = 0;

	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < ENG_NPRESETS; i++)
		off += (size_t)snprintf(buf + (off < len ? off : len),
		    off < len ? len - off : 0, "%s%s", i > 0 ? sep : "",
		    eng_presets[i].name);
	return (buf);
}

/* Every family through eng_design_parse(), from the defaults. */
int
eng_preset_apply(struct eng_design *d, const char *name, char *err,
    size_t errlen)
{
	const struct eng_preset_info *pi = NULL;
	struct eng_design n;
	char names[128];
	size_t i;
	int fam;

	for (i = 0; i < ENG_NPRESETS && pi == NULL; i++)
		if (strcmp(eng_presets[i].name, name) == 0)
			pi = &eng_presets[i];
	if (pi == NULL)
		return (eng_errf(err, errlen, "unknown preset '%s' (%s)", name,
		    eng_preset_names(", ", names, sizeof(names))));
	eng_design_default(&n);
	for (fam = 0; fam < ENG_FAM_COUNT; fam++)
		if (eng_design_parse(&n, (enum eng_family)fam, pi->spec[fam],
		    err, errlen) != 0)
			return (-1);
	*d = n;
	return (0);
}

/* ------------------------------------------------------------ creation */

/* The page-queue designs' ops, by enum eng_queue_design. */
static const struct vm_pagequeue_ops *const eng_queue_ops[] = {
	[ENG_QUEUE_LOCKED] = &vm_pagequeue_locked_ops,
	[ENG_QUEUE_BATCH] = &vm_pagequeue_batch_ops,
	[ENG_QUEUE_ASTATE] = &vm_pagequeue_astate_ops,
	[ENG_QUEUE_COLORED] = &vm_pagequeue_dfly_ops,
};
_Static_assert(sizeof(eng_queue_ops) / sizeof(eng_queue_ops[0]) ==
    ENG_QUEUE_NDESIGNS, "a queue design without ops");

static struct eng_cpu *
eng_cpu_alloc(struct vm_engine *e, unsigned slot)
{
	struct eng_cpu *c;

	c = eng_alloc(sizeof(*c));
	if (c == NULL)
		return (NULL);
	memset(c, 0, sizeof(*c));
	c->e = e;
	c->slot = slot;
	eng_lkstat_init(&c->lk, e->params.timing, e->params.hold_sample > 1 ?
	    e->params.hold_sample : 1);
	vm_smr_cpu_init(c);
	if (vm_batchqueue_init(c) != 0 || vm_phys_cache_init(c) != 0) {
		vm_batchqueue_fini(c);
		vm_phys_cache_fini(c);
		free(c);
		return (NULL);
	}
	return (c);
}

static void
eng_cpu_free(struct eng_cpu *c)
{
	if (c == NULL)
		return;
	vm_smr_cpu_fini(c);
	vm_batchqueue_fini(c);
	vm_phys_cache_fini(c);
	free(c);
}

struct vm_engine *
eng_create(const struct eng_params *p, char *err, size_t errlen)
{
	struct vm_engine *e;
	unsigned i;
	uint64_t n;

	if (p->nslots == 0 || p->nslots > ENG_MAX_SLOTS) {
		eng_errf(err, errlen, "%u worker slots: must be 1..%d",
		    p->nslots, ENG_MAX_SLOTS);
		return (NULL);
	}
	if ((unsigned)p->design.queue >= ENG_QUEUE_NDESIGNS ||
	    p->design.page_locks == 0 || p->design.batch == 0 ||
	    p->design.batch > VM_BATCHQUEUE_MAX) {
		eng_errf(err, errlen, "invalid design: page locks %u, batch "
		    "%u", p->design.page_locks, p->design.batch);
		return (NULL);
	}
	n = p->phys_pages ? p->phys_pages : ENG_DEFAULT_PHYS_PAGES;
	if (n > ((uint64_t)1 << 32) - NPDEPG) {
		eng_errf(err, errlen, "physical memory of %" PRIu64 " pages "
		    "is more than the model supports (2^32 - 512: the free "
		    "count is 32 bits, as the kernel's)", n);
		return (NULL);
	}
	e = eng_calloc(1, sizeof(*e));
	if (e == NULL) {
		eng_errf(err, errlen, "out of memory");
		return (NULL);
	}
	e->params = *p;
	e->design = p->design;
	e->pagelock = p->design.page == ENG_PAGE_PAGELOCK;
	e->dfly = p->design.page == ENG_PAGE_DFLY;
	e->smr_lookups = p->design.page == ENG_PAGE_REFCOUNT;
	vm_smr_init(e);
	e->pq = eng_queue_ops[p->design.queue];
	e->nframes = (n + NPDEPG - 1) / NPDEPG;
	e->vm_page_array_size = e->nframes * NPDEPG;
	e->params.phys_pages = e->vm_page_array_size;
	e->nobjects = p->nobjects;
	e->pa_lock_count = p->design.page_locks;
	e->pa_lock_stride = p->design.page_lock_pad ?
	    sizeof(struct eng_mtx_padalign) : sizeof(struct eng_mtx);
	e->pa_lock = eng_alloc(e->pa_lock_count * e->pa_lock_stride);
	if (e->dfly)
		e->dfly_excl_heur = calloc(ENG_DFLY_EXCL_SLOTS,
		    sizeof(*e->dfly_excl_heur));
	if (e->pa_lock == NULL || vm_phys_init(e) != 0 ||
	    vm_object_init(e) != 0 || (e->dfly && (vm_page_hash_init(e) != 0 ||
	    e->dfly_excl_heur == NULL))) {
		eng_errf(err, errlen, "out of memory for %" PRIu64 " pages",
		    e->vm_page_array_size);
		eng_destroy(e);
		return (NULL);
	}
	for (i = 0; i < e->pa_lock_count; i++)
		eng_mtx_init((struct eng_mtx *)(e->pa_lock +
		    i * e->pa_lock_stride), LC_PAGE);
	if (vm_pagequeue_init(e) != 0) {
		eng_errf(err, errlen, "out of memory for the page queues");
		eng_destroy(e);
		return (NULL);
	}
	/* The workers' CPUs and the page daemon's (cpus[nslots]). */
	e->cpus = eng_calloc(p->nslots + 1, sizeof(*e->cpus));
	if (e->cpus == NULL) {
		eng_errf(err, errlen, "out of memory");
		eng_destroy(e);
		return (NULL);
	}
	e->ncpus = p->nslots + 1;
	for (i = 0; i < e->ncpus; i++)
		if ((e->cpus[i] = eng_cpu_alloc(e, i)) == NULL) {
			eng_errf(err, errlen, "out of memory");
			eng_destroy(e);
			return (NULL);
		}
	e->md = pmap_md_create(e, &e->params, err, errlen);
	if (e->md == NULL) {
		eng_destroy(e);
		return (NULL);
	}
	for (n = 0; n < e->vm_page_array_size; n++)
		pmap_page_init(&e->vm_page_array[n]);
	if (vm_pageout_init(e, e->cpus[p->nslots], p->pagedaemon) != 0) {
		eng_errf(err, errlen, "cannot start the page daemon");
		eng_destroy(e);
		return (NULL);
	}
	return (e);
}

void
eng_destroy(struct vm_engine *e)
{
	unsigned i;

	if (e == NULL)
		return;
	vm_pageout_fini(e);
	if (e->md != NULL)
		pmap_md_destroy(e->md);
	if (e->cpus != NULL)
		for (i = 0; i < e->ncpus; i++)
			eng_cpu_free(e->cpus[i]);
	free(e->cpus);
	if (e->objects != NULL)
		vm_object_fini(e);
	vm_phys_fini(e);
	vm_pagequeue_fini(e);
	vm_page_hash_fini(e);
	free(e->dfly_excl_heur);
	free(e->pa_lock);
	free(e);
}

struct eng_cpu *
eng_cpu(struct vm_engine *e, unsigned slot)
{
	return (slot < e->params.nslots ? e->cpus[slot] : NULL);
}

void
eng_object_anon(struct vm_engine *e, uint64_t slot)
{
	if (slot < e->nobjects)
		e->objects[slot].anon = true;
}

/* -------------------------------------------------------------- events */

/* Pages covered by a page-range event, clipped to the model's range. */
static uint32_t
eng_ev_npages(const struct pr_event *ev)
{
	uint64_t n = ev->npages ? ev->npages : 1;

	if (ev->pindex >= ENG_PINDEX_MAX)
		return (0);
	if (n > ENG_PINDEX_MAX - ev->pindex)
		n = ENG_PINDEX_MAX - ev->pindex;
	return ((uint32_t)n);
}

static const char *const eng_skip_names[ENG_SKIP_COUNT] = {
	[ENG_SKIP_NONE] = "none",
	[ENG_SKIP_BAD_KIND] = "bad_kind",
	[ENG_SKIP_NO_SLOT] = "no_slot",
	[ENG_SKIP_RANGE] = "range",
	[ENG_SKIP_OBJECT_EXISTS] = "object_exists",
	[ENG_SKIP_NO_OBJECT] = "no_object",
	[ENG_SKIP_RESIDENT] = "resident",
	[ENG_SKIP_NOT_RESIDENT] = "not_resident",
	[ENG_SKIP_WIRED] = "wired",
	[ENG_SKIP_NOT_WIRED] = "not_wired",
	[ENG_SKIP_NOT_QUEUED] = "not_queued",
	[ENG_SKIP_BUSY] = "busy",
	[ENG_SKIP_NO_MEMORY] = "no_memory",
	[ENG_SKIP_PMAP_EXISTS] = "pmap_exists",
	[ENG_SKIP_NO_PMAP] = "no_pmap",
	[ENG_SKIP_NOT_MAPPED] = "not_mapped",
	[ENG_SKIP_DECLINED] = "declined",
};

const char *
eng_skip_name(enum eng_skip why)
{
	return ((unsigned)why < ENG_SKIP_COUNT ? eng_skip_names[why] : "?");
}

/*
 * The page-range events that do one thing per resident page under the
 * object lock.  Each ev_* below is that per-page work (ENG_SKIP_NONE if
 * it did it, else why not); eng_ev_range() takes the object lock around
 * the range.  site is the handler's call site (its own name), used for
 * every lock it takes.
 */
typedef enum eng_skip eng_page_op(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, const struct pr_event *ev, struct eng_site *site);

/*
 * page_insert: allocate and insert an absent page (the buffer cache's
 * allocbuf() grab, ev_page_insert_read()), noting it in the CPU's buffer
 * (c->bio_ma) for the read.  The object is write-locked (held, dfly).
 */
static enum eng_skip
ev_page_insert(struct eng_cpu *c, struct vm_object *obj, vm_pindex_t pindex,
    const struct pr_event *ev, struct eng_site *site)
{
	struct vm_page *m;
	bool allocated;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	(void)ev;
	(void)site;
	if ((m = vm_page_grab(c, obj, pindex, false, &allocated)) == NULL)
		return (ENG_SKIP_NO_MEMORY);
	if (!allocated)
		return (ENG_SKIP_RESIDENT);
	c->bio_ma[pindex % ENG_BIO_PAGES] = m;
	return (ENG_SKIP_NONE);
}

/*
 * page_remove (vm_object_page_remove): unmap and free a resident page;
 * a wired one is only unmapped, as the kernel does.  The object is
 * referenced (object->ref_count != 0), so the kernel calls
 * pmap_remove_all() whether or not the page is mapped: one pv-list lock.
 * --page refcount (13/14, vm_object.c 2020+, index id 47069778): the page
 * is exclusive-busied first (vm_page_tryxbusy; the kernel sleeps on a busy
 * page and retries, the model skips it) and unmapped with
 * vm_page_try_remove_all(); it is freed busied.  --page dfly: the same
 * (DragonFly's vm_object_page_remove_callback: vm_page_busy_try(p, TRUE),
 * sleep and retry on failure, vm_page_protect, vm_page_free of the busied
 * page); a page soft-busied by a fault's vm_page_hash_get() is busy.
 * --page pagelock (12, index id 1450408391): a busied page (a fault's,
 * between its unlocked pmap_enter and its unbusy) is skipped, where the
 * kernel sleeps (vm_page_busy_sleep) and retries; no busy is taken, the
 * page lock is held around the free.
 */
static enum eng_skip
ev_page_remove(struct eng_cpu *c, struct vm_object *obj, vm_pindex_t pindex,
    const struct pr_event *ev, struct eng_site *site)
{
	struct eng_mtx *mtx;
	struct vm_page *m;

	(void)ev;
	if ((m = vm_page_named(c, obj, pindex)) == NULL)
		return (ENG_SKIP_NOT_RESIDENT);
	if (!c->e->pagelock) {
		if (!vm_page_tryxbusy(c, m))
			return (ENG_SKIP_BUSY);
		if (vm_page_wired_count(c->e, m) != 0 ||
		    !vm_page_try_remove_all(c, m)) {
			pmap_remove_all(c, m);
			vm_page_xunbusy(c, m);
			return (ENG_SKIP_WIRED);
		}
		if (vm_page_remove(c, m))
			vm_page_free(c, m);
		else
			vm_page_xunbusy(c, m);
		return (ENG_SKIP_NONE);
	}
	if (vm_page_busied(m))
		return (ENG_SKIP_BUSY);
	/* vm_page_change_lock(p, &mtx), then the wiring test. */
	mtx = vm_page_lockptr(c, m);
	eng_mtx_lock(&c->lk, mtx, site);
	pmap_remove_all(c, m);
	if (vm_page_wired_count(c->e, m) != 0) {
		eng_mtx_unlock(&c->lk, mtx);
		return (ENG_SKIP_WIRED);
	}
	if (vm_page_remove(c, m))
		vm_page_free(c, m);
	eng_mtx_unlock(&c->lk, mtx);
	return (ENG_SKIP_NONE);
}

/*
 * wire: the buffer cache's grab of a file's page, allocating it if absent,
 * wired (10.4's allocbuf() and 12's vfs_vmio_extend(): vm_page_grab()
 * under the object write lock; 13+'s vm_page_grab_pages_unlocked() of a
 * page that is not resident, ev_wire_unlocked()).  The object is
 * write-locked (held, dfly).
 */
static enum eng_skip
ev_wire(struct eng_cpu *c, struct vm_object *obj, vm_pindex_t pindex,
    const struct pr_event *ev, struct eng_site *site)
{
	struct vm_page *m;
	bool allocated, counted;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	(void)ev;
	(void)site;
	if ((m = vm_page_grab(c, obj, pindex, true, &allocated)) == NULL)
		return (ENG_SKIP_NO_MEMORY);
	/* Under the write lock no termination runs: m is obj's. */
	counted = vm_page_ev_wiring_add(obj, m);
	ENG_ASSERT(counted);
	return (ENG_SKIP_NONE);
}

/*
 * unwire: vm_page_unwire(m, PQ_ACTIVE) of a wired resident page
 * (vm_page_unwire_event()).  FreeBSD 10 (vm_engine_fb10(): the range is
 * write-locked) unwires a file's page as its buffer cache does when a
 * buffer shrinks, allocbuf() under VM_OBJECT_WLOCK with
 * vm_page_unwire(m, 0), to the inactive queue (coder03/freebsd10.4
 * @3d3f8b11 sys/kern/vfs_bio.c lines 3501-3531).  The object is locked
 * (FreeBSD 10: write-locked).
 */
static enum eng_skip
ev_unwire(struct eng_cpu *c, struct vm_object *obj, vm_pindex_t pindex,
    const struct pr_event *ev, struct eng_site *site)
{
	struct vm_page *m;

	if (vm_engine_fb10(c->e))
		VM_OBJECT_ASSERT_WLOCKED(c, obj);
	else
		VM_OBJECT_ASSERT_LOCKED(c, obj);
	(void)ev;
	(void)site;
	if ((m = vm_page_named(c, obj, pindex)) == NULL)
		return (ENG_SKIP_NOT_RESIDENT);
	if (!vm_page_ev_wiring_take(obj, m))
		return (ENG_SKIP_NOT_WIRED);
	return (vm_page_unwire_event(c, m) ? ENG_SKIP_NONE :
	    ENG_SKIP_NOT_WIRED);
}

/*
 * The page an event names, found with no object lock (vm_page_named_pin(),
 * the model's stand-in for the page pointer that the kernel's caller has)
 * and pinned; the caller unpins it.  NULL if obj has no page at pindex, or
 * (--page refcount) with *settledp false when the lookup did not settle
 * (the page exclusive-busied, or the index changing): the caller then
 * takes its locked path.  --page dfly, which has no locked path for these
 * events: the model yields and looks again until the answer settles (5.6's
 * caller, holding the pointer, would not have looked at all).  No lock.
 */
static struct vm_page *
ev_page_named_unlocked(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, bool *settledp)
{
	struct vm_page *m;

	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	while ((m = vm_page_named_pin(c, obj, pindex, settledp)) == NULL &&
	    !*settledp && c->e->dfly)
		eng_yield();
	return (m);
}

/*
 * --page pagelock (FreeBSD 12): claim the event's wiring of the page at
 * (obj, pindex) as ev_wiring_claim_unlocked() does, under the page lock
 * that 12's vfs_vmio_unwire() takes (vm_page_lock(m), the buffer having
 * the page's pointer): the page named without the object lock
 * (vm_page_named_unlocked()), if it holds an event's wiring (read
 * unlocked first: a page holding none is skipped with no lock, as under
 * refcount, which then takes none either) its page lock taken, and its
 * identity checked and the wiring claimed under it (a page in an object
 * keeps its identity and is not freed without its page lock: (O,P)).
 * The page lock is returned held (ENG_SKIP_NONE with *mp the page).  A
 * skip read before the lock is the answer at some instant of the call:
 * a page leaves (obj, pindex) only once it holds no event's wiring (its
 * termination sets VM_PAGE_EVW_GONE after dropping them).  No lock.
 */
static enum eng_skip
ev_wiring_claim_pagelocked(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, struct eng_site *site, struct vm_page **mp)
{
	struct eng_mtx *mtx;
	struct vm_page *m;
	bool settled;

	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	*mp = NULL;
	if ((m = vm_page_named_unlocked(c, obj, pindex, &settled)) == NULL)
		return (settled ? ENG_SKIP_NOT_RESIDENT : ENG_SKIP_NONE);
	if (VM_PAGE_EVW_COUNT(atomic_load_explicit(&m->ev_wirings,
	    memory_order_relaxed)) == 0)
		return (ENG_SKIP_NOT_WIRED);
	mtx = vm_page_lockptr(c, m);
	eng_mtx_lock(&c->lk, mtx, site);
	if (!vm_page_named_is(m, obj, pindex)) {
		/* Gone from (obj, pindex) before the lock: look again. */
		eng_mtx_unlock(&c->lk, mtx);
		return (ENG_SKIP_NONE);
	}
	if (!vm_page_ev_wiring_take(obj, m)) {
		eng_mtx_unlock(&c->lk, mtx);
		return (ENG_SKIP_NOT_WIRED);
	}
	*mp = m;
	return (ENG_SKIP_NONE);
}

/*
 * Claim the event's wiring (vm_page_ev_wiring_take()) of the page at
 * (obj, pindex), found without the object lock, so that no other page's
 * wiring is taken.  --page refcount, dfly: found and pinned
 * (ev_page_named_unlocked()); the pin is dropped, the claimed wiring
 * keeping the page from being freed from then on.  --page pagelock:
 * ev_wiring_claim_pagelocked(), which returns with m's page lock held.
 * ENG_SKIP_NONE with *mp the page; a skip cause (not resident, not
 * wired); or ENG_SKIP_NONE with *mp NULL when the lookup did not settle,
 * and the caller takes its locked path.  No lock.
 */
static enum eng_skip
ev_wiring_claim_unlocked(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, struct eng_site *site, struct vm_page **mp)
{
	struct vm_page *m;
	bool settled, claimed;

	if (c->e->pagelock)
		return (ev_wiring_claim_pagelocked(c, obj, pindex, site, mp));
	*mp = NULL;
	if ((m = ev_page_named_unlocked(c, obj, pindex, &settled)) == NULL)
		return (settled ? ENG_SKIP_NOT_RESIDENT : ENG_SKIP_NONE);
	claimed = vm_page_ev_wiring_take(obj, m);
	vm_page_pin_drop(m);
	if (!claimed)
		return (ENG_SKIP_NOT_WIRED);
	*mp = m;
	return (ENG_SKIP_NONE);
}

/*
 * unwire without the object lock, the callers the event stands for having
 * the page's pointer.  --page refcount: FreeBSD 13's
 * vm_page_unhold_pages() (the event's, docs/capture.md) and the buffer
 * cache's vfs_vmio_truncate() (sys/kern/vfs_bio.c of
 * sobomax/freebsd14_vendor @0f7ff342, 1300139, index id 65979645776:
 * "The object lock is needed only if we will attempt to free pages",
 * vm_page_release() otherwise) unwire with no object lock
 * (vm_page_unwire(), vm_page_release(): atomics on ref_count); a lookup
 * that did not settle takes the locked path, ev_unwire().  --page
 * pagelock (12, not 10: eng_ev_unlocked()): the buffer cache's
 * vfs_vmio_truncate() of a buffer that is not B_DIRECT since r331325
 * (D14778, March 2018; a 12-era sys/kern/vfs_bio.c, index id 90490837,
 * @78000: the object write-locked only for B_DIRECT), which unwires each
 * page with
 * vfs_vmio_unwire(): vm_page_lock(m), vm_page_unwire_noq(m), on the last
 * wiring vm_page_deactivate() or vm_page_reference() (an active page),
 * vm_page_unlock(m); the model's vm_page_unwire(m, PQ_ACTIVE) under that
 * lock (ev_wiring_claim_pagelocked()), as its unwire under the object
 * lock did (the footprint's page, allocated wired, is in no queue).
 * --page dfly:
 * 5.6's unwiring callers hold no object token or hold:
 * vm_fault_unwire() (v5.6.0 sys/vm/vm_fault.c, lines 2533-2535:
 * pmap_unwire(), vm_page_busy_wait(m, FALSE), vm_page_unwire(m, 1)) and
 * the buffer cache's vfs_vmio_release() (sys/kern/vfs_bio.c, lines 1774
 * and 1796-1798).  No lock.
 */
static enum eng_skip
ev_unwire_unlocked(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, const struct pr_event *ev, struct eng_site *site)
{
	struct vm_page *m;
	enum eng_skip why;

	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	if ((why = ev_wiring_claim_unlocked(c, obj, pindex, site, &m)) !=
	    ENG_SKIP_NONE)
		return (why);
	if (m != NULL && c->e->pagelock) {
		vm_page_unwire_pagelocked(c, m, PQ_ACTIVE, 0);
		vm_page_unlock(c, m);
		return (ENG_SKIP_NONE);
	}
	if (m != NULL)
		return (vm_page_unwire_event(c, m) ? ENG_SKIP_NONE :
		    ENG_SKIP_NOT_WIRED);
	ENG_ASSERT(!c->e->dfly);
	eng_rw_rlock(&c->lk, &obj->lock, site);
	why = ev_unwire(c, obj, pindex, ev, site);
	VM_OBJECT_RUNLOCK(c, obj);
	return (why);
}

/*
 * Does the modelled kernel act on the trace's cache advice: a NOCACHE
 * release or sendfile (SF_NOCACHE, FADV_DONTNEED) and a HEAD deactivate
 * (FADV_NOREUSE, the only one the recorder makes, docs/capture.md)?
 * FreeBSD 11 and later do.  --page dfly is DragonFly 5.6's, which ignores
 * them: its sys/sys/socket.h defines no SF_ flag and kern_sendfile() reads
 * none, and its libc posix_fadvise() only checks its arguments ("do
 * nothing"; tag v5.6.0 of lileding/DragonFlyBSD, uipc_syscalls.c,
 * lib/libc/stdlib/posix_fadvise.c).  A NOCACHE release is then a plain
 * release (the buffer still lets its page go), a NOREUSE deactivate
 * nothing at all.  FreeBSD 10.4's sendfile ignores SF_NOCACHE too
 * (sys_sendfile reads only SF_MNOWAIT, SF_SYNC and SF_NODISKIO): see
 * ev_sendfile(), where --page pagelock --queue locked is FreeBSD 10.
 * (C)
 */
static bool
eng_advice_honoured(const struct vm_engine *e)
{
	return (!e->dfly);
}

/*
 * A release event's vm_page_release() flags: NOCACHE is a B_DIRECT
 * buffer's release (VPR_BDIRECT).  (C)
 */
static int
ev_release_flags(const struct eng_cpu *c, const struct pr_event *ev)
{
	return ((ev->flags & PR_F_NOCACHE) != 0 && eng_advice_honoured(c->e) ?
	    VPR_TRYFREE | VPR_NOREUSE | VPR_BDIRECT : 0);
}

/*
 * release: vm_page_release_locked() of a wiring taken by a wire event;
 * NOCACHE, a B_DIRECT buffer's release, tries to free the page where the
 * kernel acts on it (eng_advice_honoured()); a NOCACHE release on an
 * object with no such wiring is a DONTNEED (ev_dontneed()).  pagelock:
 * under the page lock.  (--page dfly: ev_release_unlocked().)  The object
 * is write-locked.
 */
static enum eng_skip
ev_release(struct eng_cpu *c, struct vm_object *obj, vm_pindex_t pindex,
    const struct pr_event *ev, struct eng_site *site)
{
	int flags = ev_release_flags(c, ev);
	struct eng_mtx *mtx = NULL;
	struct vm_page *m;
	bool ok;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	ENG_ASSERT(!c->e->dfly);
	if ((m = vm_page_named(c, obj, pindex)) == NULL)
		return (ENG_SKIP_NOT_RESIDENT);
	if (!vm_page_ev_wiring_take(obj, m))
		return (ENG_SKIP_NOT_WIRED);
	if (c->e->pagelock) {
		mtx = vm_page_lockptr(c, m);
		eng_mtx_lock(&c->lk, mtx, site);
	}
	ok = vm_page_release_locked(c, m, flags);
	if (mtx != NULL)
		eng_mtx_unlock(&c->lk, mtx);
	return (ok ? ENG_SKIP_NONE : ENG_SKIP_NOT_WIRED);
}

/*
 * release without the object lock: vm_page_release(m, flags) of the page
 * found by vm_page_named_pin() (the model's stand-in for the holder's page
 * pointer), once its wiring is claimed.  --page refcount: 13+'s
 * vm_page_release(), which takes no object lock (a NOCACHE release only
 * trylocks it to free the page, VPR_TRYFREE); a lookup that did not
 * settle takes the locked path, ev_release().  --page pagelock (12, not
 * 10, and not a NOCACHE release, a B_DIRECT buffer's, which write-locks
 * the object to free the page: eng_ev_unlocked()): 12 has no
 * vm_page_release(); vfs_vmio_truncate() unwires a buffer's pages with
 * vfs_vmio_unwire() under the page lock alone (see ev_unwire_unlocked()),
 * to the inactive queue, as the model's release under the object lock
 * did.  --page dfly: 5.6 has no
 * vm_page_release(); a buffer's pages are unwired by vfs_vmio_release()
 * (v5.6.0 sys/kern/vfs_bio.c, lines 1762-1841), which has them in
 * b_xio.xio_pages and holds no object token: vm_page_busy_wait(m, FALSE)
 * (line 1774), vm_page_unwire(m, 0), or (m, 1) for a buffer used often
 * (lines 1795-1798), vm_page_wakeup(); the model's vm_page_release() is
 * that busy and the unwiring to the inactive queue.  No lock held.
 */
static enum eng_skip
ev_release_unlocked(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, const struct pr_event *ev, struct eng_site *site)
{
	struct vm_page *m;
	enum eng_skip why;

	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	if ((why = ev_wiring_claim_unlocked(c, obj, pindex, site, &m)) !=
	    ENG_SKIP_NONE)
		return (why);
	if (m != NULL && c->e->pagelock) {
		vm_page_unwire_pagelocked(c, m, PQ_INACTIVE,
		    ev_release_flags(c, ev));
		vm_page_unlock(c, m);
		return (ENG_SKIP_NONE);
	}
	if (m != NULL) {
		vm_page_release(c, m, ev_release_flags(c, ev));
		return (ENG_SKIP_NONE);
	}
	ENG_ASSERT(!c->e->dfly);
	eng_rw_wlock(&c->lk, &obj->lock, site);
	why = ev_release(c, obj, pindex, ev, site);
	VM_OBJECT_WUNLOCK(c, obj);
	return (why);
}

/*
 * A NOCACHE release on an object none of whose pages holds a wire event's
 * wiring is the recorder's POSIX_FADV_DONTNEED (docs/capture.md:
 * fadvise64's advice over a file's range), which drops no wiring: a
 * release can only drop one (synthetic traces and `footprint` release the
 * wirings of wire events, NOCACHE or not, as a buffer does).  No lock.
 */
static bool
eng_ev_dontneed(const struct pr_event *ev, struct vm_object *obj)
{
	return (ev->kind == PR_RELEASE && (ev->flags & PR_F_NOCACHE) != 0 &&
	    atomic_load_explicit(&obj->ev_wirings, memory_order_relaxed) == 0);
}

/*
 * POSIX_FADV_DONTNEED of n pages from ev->pindex (eng_ev_dontneed()), the
 * kernel's vop_stdadvise().  FreeBSD 11 and later read-lock the object and
 * move the range's resident pages to the inactive queue's head with
 * vm_object_page_noreuse() (13.0: sys/kern/vfs_default.c vop_stdadvise()
 * and sys/vm/vm_object.c of sobomax/freebsd14_vendor @0f7ff342): --page
 * pagelock (12) carries the page lock from page to page
 * (vm_page_change_lock()) and deactivates under it, --page refcount (13+)
 * calls vm_page_deactivate_noreuse() alone.  A wired page stays where it
 * is; its buffer's release by bnoreuselist(), which a Linux trace cannot
 * show, is not modelled.  FreeBSD 10.4 flushes the vnode's clean buffers
 * (vinvalbuf(), not modelled) and write-locks the object for
 * vm_object_page_cache(), which caches each page under its page lock,
 * also carried (sys/kern/vfs_default.c lines 1040-1064 and sys/vm/
 * vm_object.c lines 1976-2010 of coder03/freebsd10.4 @3d3f8b11;
 * vm_page_try_to_free()).  DragonFly 5.6's posix_fadvise() does nothing
 * (eng_advice_honoured()).  The object must be unlocked.
 */
static enum eng_skip
ev_dontneed(struct eng_cpu *c, struct vm_object *obj,
    const struct pr_event *ev, uint32_t n)
{
	ENG_SITE_DEFINE;
	struct eng_mtx *mtx = NULL;
	struct vm_page *m;
	bool fb10 = vm_engine_fb10(c->e);
	uint32_t i;

	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	if (!eng_advice_honoured(c->e))
		return (ENG_SKIP_NONE);
	if (fb10)
		eng_rw_wlock(&c->lk, &obj->lock, ENG_HERE);
	else
		eng_rw_rlock(&c->lk, &obj->lock, ENG_HERE);
	for (i = 0; i < n && obj->resident_page_count != 0; i++) {
		if ((m = vm_page_named(c, obj, ev->pindex + i)) == NULL)
			continue;
		if (!c->e->pagelock) {
			vm_page_deactivate(c, m, true);
			continue;
		}
		vm_page_change_lock(c, m, &mtx, ENG_HERE);
		if (fb10)
			(void)vm_page_try_to_free(c, m);	/* _to_cache */
		else
			vm_page_deactivate_locked(c, m, true);
	}
	if (mtx != NULL)
		eng_mtx_unlock(&c->lk, mtx);
	if (fb10)
		VM_OBJECT_WUNLOCK(c, obj);
	else
		VM_OBJECT_RUNLOCK(c, obj);
	return (ENG_SKIP_NONE);
}

/*
 * activate / deactivate (PR_F_HEAD: noreuse) / requeue of m.  The
 * caller keeps m's identity (the object lock or a pin).
 */
static enum eng_skip
ev_queue_op_page(struct eng_cpu *c, struct vm_page *m,
    const struct pr_event *ev)
{
	switch (ev->kind) {
	case PR_ACTIVATE:
		vm_page_activate(c, m);
		return (ENG_SKIP_NONE);
	case PR_DEACTIVATE:
		vm_page_deactivate(c, m, (ev->flags & PR_F_HEAD) != 0);
		return (ENG_SKIP_NONE);
	default:
		return (vm_page_requeue(c, m) ? ENG_SKIP_NONE :
		    ENG_SKIP_NOT_QUEUED);
	}
}

/* activate / deactivate / requeue of a page.  The object is locked. */
static enum eng_skip
ev_queue_op(struct eng_cpu *c, struct vm_object *obj, vm_pindex_t pindex,
    const struct pr_event *ev, struct eng_site *site)
{
	struct vm_page *m;

	(void)site;
	VM_OBJECT_ASSERT_LOCKED(c, obj);
	if ((m = vm_page_named(c, obj, pindex)) == NULL)
		return (ENG_SKIP_NOT_RESIDENT);
	return (ev_queue_op_page(c, m, ev));
}

/*
 * activate / deactivate / requeue, --page dfly, with no object token or
 * hold: 5.6's vm_page_activate() and vm_page_deactivate() take only the
 * page's spinlock and its sub-queues' (v5.6.0 sys/vm/vm_page.c, lines
 * 2680-2716 and 3013-3021 with _vm_page_deactivate_locked(), 2974-3004:
 * "No requirements", the caller "should have some sort of interlock on
 * its validity"), and their callers hold the page's pointer: the buffer
 * cache's unwiring (vfs_vmio_release(), sys/kern/vfs_bio.c lines 1774 and
 * 1796-1798, busied, no token), the page daemon's scans.  5.6 has no
 * vm_page_requeue(); its one idiom for moving a page to its queue's tail
 * is the page daemon's, on a busied page with no object token:
 * vm_page_and_queue_spin_lock(m), TAILQ_REMOVE, TAILQ_INSERT_TAIL
 * (sys/vm/vm_pageout.c, vm_pageout_page(), lines 955-963).  The model's
 * pin stands for the caller's interlock and is not counted.  No lock.
 */
static enum eng_skip
ev_queue_op_dfly(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, const struct pr_event *ev, struct eng_site *site)
{
	struct vm_page *m;
	enum eng_skip why;
	bool settled;

	(void)site;
	ENG_ASSERT(c->e->dfly);
	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	if ((m = ev_page_named_unlocked(c, obj, pindex, &settled)) == NULL)
		return (ENG_SKIP_NOT_RESIDENT);
	why = ev_queue_op_page(c, m, ev);
	vm_page_pin_drop(m);
	return (why);
}

/*
 * remove_all / remove_write: vm_page_try_remove_all/_write, busied.
 * --page pagelock (FreeBSD <= 12): there is no vm_page_try_remove_write;
 * its callers (vm_object_page_remove_write, the page daemon) call
 * pmap_remove_write() under the object write lock with the page busied,
 * and take no page lock (12's pmap_remove_write asserts the object lock;
 * research conformance-notes.md 2.6 item 18).
 */
static enum eng_skip
ev_remove_mappings(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, const struct pr_event *ev, struct eng_site *site)
{
	struct vm_page *m;
	bool ok = true;

	(void)site;
	if ((m = vm_page_named(c, obj, pindex)) == NULL)
		return (ENG_SKIP_NOT_RESIDENT);
	if (!vm_page_tryxbusy(c, m))
		return (ENG_SKIP_BUSY);
	if (ev->kind == PR_REMOVE_ALL)
		ok = vm_page_try_remove_all(c, m);
	else if (c->e->pagelock)
		pmap_remove_write(c, m);
	else
		ok = vm_page_try_remove_write(c, m);
	vm_page_xunbusy(c, m);
	return (ok ? ENG_SKIP_NONE : ENG_SKIP_WIRED);	/* try_blocked_op */
}

struct eng_range_op {
	eng_page_op	*op;
	bool		wlock;		/* object write lock, else read */
	bool		pip;		/* paging in progress held across the
					   range (vm_object_page_remove()) */
	struct eng_site	*site;		/* the handler's name */
	eng_page_op	*unlocked;	/* --page refcount (13+), and 12 where
					   unlocked_fb12: the work without
					   the object lock, or NULL */
	eng_page_op	*unheld;	/* --page dfly: the work without the
					   object's token or hold (5.6's
					   caller has the page), or NULL */
	bool		wlock_fb10;	/* FreeBSD 10 write-locks where the
					   later releases read-lock */
	bool		unlocked_fb12;	/* --page pagelock but FreeBSD 10:
					   unlocked runs too (12's buffer
					   cache, eng_ev_unlocked()) */
};

#define EV_SITE(fn)	static struct eng_site fn##_site = { #fn, 0 }
EV_SITE(ev_page_insert);
EV_SITE(ev_page_remove);
EV_SITE(ev_wire);
EV_SITE(ev_unwire);
EV_SITE(ev_release);
EV_SITE(ev_queue_op);
EV_SITE(ev_remove_mappings);
#define EV_RANGE(fn, wl)	{ fn, wl, false, &fn##_site, NULL, NULL }
#define EV_RANGE_PIP(fn)	{ fn, true, true, &fn##_site, NULL, NULL }
#define EV_RANGE_UNHELD(fn, wl, un, uh)					\
	{ fn, wl, false, &fn##_site, un, uh }
/* The buffer cache's unwirings: unlocked under 12 too, not 10. */
#define EV_RANGE_BUF(fn, wl, un, wl10)					\
	{ fn, wl, false, &fn##_site, un, un, wl10, true }

static const struct eng_range_op eng_range_ops[PR_KIND_COUNT] = {
	[PR_PAGE_INSERT] = EV_RANGE(ev_page_insert, true),
	[PR_PAGE_REMOVE] = EV_RANGE_PIP(ev_page_remove),
	[PR_WIRE] = EV_RANGE(ev_wire, true),
	/* 10.4's buffer cache unwires under the write lock: ev_unwire(). */
	[PR_UNWIRE] = EV_RANGE_BUF(ev_unwire, false, ev_unwire_unlocked,
	    true),
	[PR_RELEASE] = EV_RANGE_BUF(ev_release, true, ev_release_unlocked,
	    false),
	[PR_ACTIVATE] = EV_RANGE_UNHELD(ev_queue_op, false, NULL,
	    ev_queue_op_dfly),
	[PR_DEACTIVATE] = EV_RANGE_UNHELD(ev_queue_op, false, NULL,
	    ev_queue_op_dfly),
	[PR_REQUEUE] = EV_RANGE_UNHELD(ev_queue_op, false, NULL,
	    ev_queue_op_dfly),
	[PR_REMOVE_ALL] = EV_RANGE(ev_remove_mappings, true),
	[PR_REMOVE_WRITE] = EV_RANGE(ev_remove_mappings, true),
};

/*
 * Run op on the n pages from ev->pindex; ENG_SKIP_NONE if it did any,
 * else the first page's cause (the event is skipped).  op's locking is
 * eng_ev_range()'s.
 */
static enum eng_skip
eng_ev_pages(struct eng_cpu *c, struct vm_object *obj,
    const struct pr_event *ev, uint32_t n, eng_page_op *op,
    struct eng_site *site)
{
	enum eng_skip why, first = ENG_SKIP_NONE;
	uint32_t i, did = 0;

	for (i = 0; i < n; i++) {
		why = op(c, obj, ev->pindex + i, ev, site);
		if (why == ENG_SKIP_NONE)
			did++;
		else if (first == ENG_SKIP_NONE)
			first = why;
	}
	return (did ? ENG_SKIP_NONE : first);
}

/*
 * eng_ev_pages() under the object lock (or hold), and, for ro->pip,
 * with the object's paging in progress held across the range: FreeBSD's
 * vm_object_page_remove() (10.4 through 14: "if (object->resident_page_count
 * == 0) return; vm_object_pip_add(object, 1)" ... vm_object_pip_wakeup();
 * 13+'s a blockcount, two object atomics) and DragonFly 5.6's (v5.6.0
 * sys/vm/vm_object.c: vm_object_pip_add() after its hold, refcount
 * atomics).  The object must be locked.
 */
static enum eng_skip
eng_ev_pages_locked(struct eng_cpu *c, struct vm_object *obj,
    const struct pr_event *ev, uint32_t n, const struct eng_range_op *ro)
{
	enum eng_skip why;
	bool pip = ro->pip && obj->resident_page_count != 0;

	VM_OBJECT_ASSERT_LOCKED(c, obj);
	if (pip)
		vm_object_pip_add(c, obj);
	why = eng_ev_pages(c, obj, ev, n, ro->op, ro->site);
	if (pip)
		vm_object_pip_wakeup(c, obj);
	return (why);
}

/*
 * Does ro's per-page work of ev run without the object lock
 * (ro->unlocked)?  --page refcount: wherever ro has such work (13+).
 * --page pagelock but FreeBSD 10 (vm_engine_fb10()): where
 * ro->unlocked_fb12 says so, the buffer cache's unwirings, whose
 * vfs_vmio_truncate() takes the object's write lock only for a B_DIRECT
 * buffer since r331325 (D14778, March 2018, before stable/12: "The
 * object lock is needed only if we will attempt to free pages"; a 12-era
 * sys/kern/vfs_bio.c, index id 90490837, @78000), so not for a NOCACHE
 * release (VPR_BDIRECT); 10.4's vfs_vmio_release() and allocbuf()
 * write-lock it for every buffer.  (C)
 */
static bool
eng_ev_unlocked(const struct eng_cpu *c, const struct eng_range_op *ro,
    const struct pr_event *ev)
{
	if (ro->unlocked == NULL)
		return (false);
	if (c->e->smr_lookups)
		return (true);
	return (ro->unlocked_fb12 && c->e->pagelock &&
	    !vm_engine_fb10(c->e) && (ev->kind != PR_RELEASE ||
	    (ev_release_flags(c, ev) & VPR_BDIRECT) == 0));
}

/*
 * eng_ev_pages() of ro's per-page work: under the object lock, or its
 * unlocked work where the kernel takes no object lock (eng_ev_unlocked():
 * --page refcount, and 12's buffer cache under --page pagelock).
 * --page dfly: its unheld work where the 5.6 caller an event stands for
 * holds the page and no object token (unwire, release, activate,
 * deactivate, requeue); else under an object hold, exclusive or shared as
 * ro says (vm_object_hold(), vm_object_hold_shared(), vm_object_drop(): the
 * token and two hold_count atomics).  5.6 takes an object's token only
 * with a hold: outside vm_object_upgrade() and _downgrade(), its
 * lwkt_gettoken()s of obj->token are vm_object_lock() and
 * vm_object_lock_shared(), which only the hold functions and the
 * vkernel's pmap call (sys/ at v5.6.0), so whichever 5.6 caller an event
 * stands for (vm_object_page_remove(), vm_page_grab(), allocbuf() ...),
 * its token came with a hold.  The object must be unlocked.
 */
static enum eng_skip
eng_ev_range(struct eng_cpu *c, struct vm_object *obj,
    const struct pr_event *ev, uint32_t n, const struct eng_range_op *ro)
{
	enum eng_skip why;
	bool wlock = ro->wlock || (ro->wlock_fb10 && vm_engine_fb10(c->e));

	if (eng_ev_unlocked(c, ro, ev))
		return (eng_ev_pages(c, obj, ev, n, ro->unlocked, ro->site));
	if (ro->unheld != NULL && c->e->dfly)
		return (eng_ev_pages(c, obj, ev, n, ro->unheld, ro->site));
	if (c->e->dfly) {
		if (ro->wlock)
			vm_object_hold(c, obj, ro->site);
		else
			vm_object_hold_shared(c, obj, ro->site);
		why = eng_ev_pages_locked(c, obj, ev, n, ro);
		vm_object_drop(c, obj);
		return (why);
	}
	if (wlock)
		eng_rw_wlock(&c->lk, &obj->lock, ro->site);
	else
		eng_rw_rlock(&c->lk, &obj->lock, ro->site);
	why = eng_ev_pages_locked(c, obj, ev, n, ro);
	if (wlock)
		VM_OBJECT_WUNLOCK(c, obj);
	else
		VM_OBJECT_RUNLOCK(c, obj);
	return (why);
}

/*
 * The end of the buffer holding page lo, at most end: the buffer cache's
 * buffers are the ENG_BIO_PAGES-aligned blocks (ev_page_insert_read()).
 */
static vm_pindex_t
eng_bio_end(vm_pindex_t lo, vm_pindex_t end)
{
	vm_pindex_t hi = (lo / ENG_BIO_PAGES + 1) * ENG_BIO_PAGES;

	return (hi < end ? hi : end);
}

/*
 * wire, --page refcount (13+): the buffer cache's grab of a file's pages,
 * vfs_vmio_extend() -> vm_page_grab_pages_unlocked(VM_ALLOC_SYSTEM |
 * VM_ALLOC_IGN_SBUSY | VM_ALLOC_NOBUSY | VM_ALLOC_WIRED) ([FB13]
 * sys/kern/vfs_bio.c, index id 65979645776, @76000), which finds and
 * wires a resident page with no object lock (vm_page_acquire_unlocked():
 * shared busy, identity check, vm_page_wire(), vm_page_sunbusy(); [FB13]
 * sys/vm/vm_page.c, index id 66333223574, @112000) and write-locks the
 * object only to allocate the missing ones (vm_page_grab_pages()), as the
 * model's grab does (vm_page_grab_pages_unlocked()), one call per buffer,
 * the ENG_BIO_PAGES-aligned block the pages fall in (ev_page_insert_read()
 * says why); the rest of a block from its first missing page goes to
 * ev_wire() under the write lock.  Each wiring is then counted as the
 * event's (vm_page_ev_wiring_add()); if the object's termination took the
 * page out meanwhile, which the kernel's caller, holding a reference on
 * the object, cannot meet, the wiring is dropped again (vm_page_unwire():
 * the page is freed, its last reference gone), as the termination drops
 * the event wirings it finds.  The object must be unlocked.
 */
static enum eng_skip
ev_wire_unlocked(struct eng_cpu *c, struct vm_object *obj,
    const struct pr_event *ev, uint32_t n)
{
	struct vm_page *ma[ENG_BIO_PAGES];
	vm_pindex_t lo, hi, end = ev->pindex + n;
	struct pr_event b = *ev;
	enum eng_skip why, first = ENG_SKIP_NONE;
	bool did = false;
	int got, i;

	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	ENG_ASSERT(c->e->smr_lookups);
	for (lo = ev->pindex; lo < end; lo = hi) {
		hi = eng_bio_end(lo, end);
		got = vm_page_grab_pages_unlocked(c, obj, lo, VM_ALLOC_WIRED |
		    VM_ALLOC_IGN_SBUSY, ma, (int)(hi - lo));
		for (i = 0; i < got; i++)
			if (!vm_page_ev_wiring_add(obj, ma[i]))
				vm_page_unwire(c, ma[i], PQ_ACTIVE);
		did = did || got > 0;
		if (lo + (vm_pindex_t)got == hi)
			continue;
		b.pindex = lo + (vm_pindex_t)got;
		b.npages = (uint32_t)(hi - b.pindex);
		why = eng_ev_range(c, obj, &b, b.npages,
		    &eng_range_ops[PR_WIRE]);
		if (why == ENG_SKIP_NONE)
			did = true;
		else if (first == ENG_SKIP_NONE)
			first = why;
	}
	return (did ? ENG_SKIP_NONE : first);
}

/*
 * page_insert: a read's or read-ahead's fill of the page cache
 * (docs/capture.md), which FreeBSD and DragonFly do through the buffer
 * cache.  The event's pages are taken a buffer at
 * a time, a buffer being the ENG_BIO_PAGES-aligned block (UFS's 32 KiB)
 * the pages fall in: getblk() -> allocbuf() -> vfs_vmio_extend() grabs
 * the buffer's missing pages under the object write lock (10.4's
 * allocbuf(), coder03/freebsd10.4 @3d3f8b11 sys/kern/vfs_bio.c lines
 * 3522-3579: VM_OBJECT_WLOCK, vm_page_grab(VM_ALLOC_WIRED | ...);
 * 12's vfs_vmio_extend(), the same with vm_page_grab_pages(), a 12-era
 * vfs_bio.c, index id 90490837 @82507; 13.0's,
 * [FB13] vfs_bio.c index id 65979645776 @80000, vm_page_grab_pages_unlocked(),
 * which write-locks for the missing pages), and, if it allocated any,
 * the read of the buffer: vfs_busy_pages() before the I/O, bufdone()'s
 * completion after it (vfs_bio_read()).  The buffer is then released to
 * the clean queue (bqrelse(), ffs_read()'s vfs_bio_brelse()), its pages
 * staying wired until the buffer is recycled, when they are unwired to
 * the inactive queue (10.4's vfs_vmio_release(), 12's vfs_vmio_unwire(),
 * 13+'s vfs_vmio_truncate() -> vm_page_release()).
 *
 * Approximations, the trace not telling: (1) the buffer is the aligned
 * block; which pages belong to one read, and read clustering
 * (cluster_read()) and read-ahead, are not known: Linux inserts a read's
 * pages folio by folio, so an insertion that continues, on the same CPU
 * and with no other event between, the previous insertion's range within
 * the same block joins that buffer (its object locks and paging in
 * progress are not taken again: the kernel read the whole block at
 * once); each other insertion starts a buffer of its own, reading only
 * the pages the trace inserts (the kernel's buffer is the whole block:
 * over-counts buffers, hence object locks, where a block's pages arrive
 * apart); the grab's object lock stays one a buffer per event, as before
 * (the kernel's: one a buffer).  (2) The buffer's wiring and its release
 * at recycling are folded into the insertion's own placing of the page on
 * the inactive queue (vm_page_grab() unwired, as before 2026-12-07): the
 * model has no buffer cache to recycle from, and the release's page and
 * queue locks are the ones the placing takes (12: the page lock, a
 * deferred queue operation).  A page already resident in the buffer's
 * block is neither grabbed again nor busied (the kernel busies every page
 * of the buffer, replacing a valid one with bogus_page).
 *
 * --page dfly: DragonFly 5.6's buffer cache the same way: allocbuf()
 * holds the object once per buffer for the grab (the range op's hold) and
 * the read is vfs_busy_pages() and bpdone() (vfs_bio_read_dfly()); the
 * buffer is the same aligned 32 KiB block (UFS's; HAMMER2's differ).  (C)
 */
static enum eng_skip
ev_page_insert_read(struct eng_cpu *c, struct vm_object *obj,
    const struct pr_event *ev, uint32_t n)
{
	enum eng_skip why, first = ENG_SKIP_NONE;
	vm_pindex_t lo, hi, end = ev->pindex + n;
	struct pr_event b = *ev;
	bool joined, did = false;

	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	for (lo = ev->pindex; lo < end; lo = hi) {
		hi = eng_bio_end(lo, end);
		joined = c->bio_obj == obj && c->bio_next == lo &&
		    lo % ENG_BIO_PAGES != 0;
		memset(c->bio_ma, 0, sizeof(c->bio_ma));
		b.pindex = lo;
		b.npages = (uint32_t)(hi - lo);
		why = eng_ev_range(c, obj, &b, b.npages,
		    &eng_range_ops[PR_PAGE_INSERT]);
		if (why != ENG_SKIP_NONE) {
			if (first == ENG_SKIP_NONE)
				first = why;
			c->bio_obj = NULL;
			continue;
		}
		did = true;
		(void)vfs_bio_read(c, obj, lo,
		    &c->bio_ma[lo % ENG_BIO_PAGES], (int)(hi - lo), joined);
		c->bio_obj = obj;
		c->bio_next = hi;
	}
	return (did ? ENG_SKIP_NONE : first);
}

/*
 * page_lookup's grab of the pages from pindex + i to pindex + n - 1
 * (vm_page_grab(), allocating the missing ones), stopping at the first
 * that cannot be had (no memory).  The object must be write-locked.
 */
static void
ev_page_grab_from(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, uint32_t i, uint32_t n)
{
	bool allocated;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	for (; i < n; i++)
		if (vm_page_grab(c, obj, pindex + i, false, &allocated) ==
		    NULL)
			break;
}

/*
 * page_lookup (vm_page_grab_pages).  --page pagelock (FreeBSD <= 12):
 * vm_page_grab() and vm_page_grab_pages() assert the object write lock
 * (VM_OBJECT_ASSERT_WLOCKED, 2018 head vm_page.c), so the whole grab is
 * write-locked.  --page refcount: vm_page_grab_pages_unlocked() of the
 * resident pages, then the write lock to insert the missing ones, as 13+'s
 * does (VM_OBJECT_WLOCK and vm_page_grab_pages()).  --page dfly:
 * DragonFly's vm_page_grab() under the object's shared hold
 * (vm_object_hold_shared and vm_object_drop, lines 3383 and 3439 of 5.6's
 * vm_page.c: the token and two hold_count atomics, vm_object_hold()),
 * vm_page_lookup_busy_try(..., TRUE) hard-busying each resident page and
 * entering it in vm_page_hash[] (the grab's caller vm_page_wakeup()s it);
 * the token is upgraded for a missing page (vm_object_upgrade():
 * lwkt_reltoken, lwkt_gettoken; hold_count unchanged).  One hold per
 * event: 5.6 holds once per vm_page_grab(), per page, but its reads do
 * not call vm_page_grab(): the buffer cache's allocbuf() (v5.6.0
 * sys/kern/vfs_bio.c, lines 3115-3166) holds the object once per buffer,
 * exclusive, and vm_page_lookup_busy_try()s, wires and wakes each page
 * (the wiring, and vfs_vmio_release()'s unwiring when the buffer goes,
 * are not modelled; nor is a read served by a buffer still cached, which
 * touches no page).  The object must be unlocked.
 */
static void
ev_page_lookup(struct eng_cpu *c, struct vm_object *obj, vm_pindex_t pindex,
    uint32_t n)
{
	ENG_SITE_DEFINE;
	struct vm_page *m;
	uint32_t i = 0;

	if (c->e->pagelock)
		goto grab;
	if (c->e->smr_lookups) {
		if ((i = (uint32_t)vm_page_grab_pages_unlocked(c, obj, pindex,
		    VM_ALLOC_IGN_SBUSY, NULL, (int)n)) == n)
			return;
		goto grab;
	}
	ENG_ASSERT(c->e->dfly);
	vm_object_hold_shared(c, obj, ENG_HERE);
	for (i = 0; i < n; i++) {
		if ((m = vm_page_lookup_busy(c, obj, pindex + i)) != NULL)
			vm_page_xunbusy(c, m);
		else
			break;
	}
	if (i < n) {
		/* vm_object_upgrade(): the token again, exclusive. */
		VM_OBJECT_RUNLOCK(c, obj);
		VM_OBJECT_WLOCK(c, obj);
		ev_page_grab_from(c, obj, pindex, i, n);
	}
	vm_object_drop(c, obj);
	return;
grab:
	VM_OBJECT_WLOCK(c, obj);
	ev_page_grab_from(c, obj, pindex, i, n);
	VM_OBJECT_WUNLOCK(c, obj);
}

/*
 * The trace's faults are Linux's, and Linux's fault-around
 * (filemap_map_pages(), recorded as one map of its whole window, the
 * faulting page included, right after the fault's own one-page map;
 * docs/capture.md) maps pages that FreeBSD's fault has already mapped:
 * the faulting page and the neighbours its prefault entered; and a later
 * Linux fault may fall on a page FreeBSD prefaulted.  FreeBSD takes no
 * fault on a page that is mapped with the access allowed: the MMU walks
 * the page table, with no lock.  The model cannot read its pmap without
 * the pmap lock (its page-table stand-in changes under it), so it keeps
 * what this CPU's own faults mapped (c->fault_seen, one block of
 * ENG_FAULT_SEEN_PAGES pages) and trusts it until another event of this
 * CPU could have undone it (eng_dispatch()).  Another CPU's unmap in
 * between is not seen: the page then stays unmapped here, as another
 * interleaving of the replay would have had it.  A neighbour a prefault
 * of this CPU found mapped to its page (an older fault's doing) is known
 * too (vm_fault_prefault()).  A page mapped otherwise (by an older fault,
 * out of the prefaults' sight or outside the block) still faults: at
 * worst a soft fault whose pmap_enter finds its own mapping.
 */

/*
 * Make va, pindex of obj in ev's pmap, the block of c->fault_seen.  Run
 * by c's thread, like the two below.
 */
static void
eng_fault_seen_at(struct eng_cpu *c, const struct pr_event *ev,
    const struct vm_object *obj, uint64_t va, uint64_t pindex)
{
	struct eng_fault_seen *f = &c->fault_seen;
	uint64_t p = pindex % ENG_FAULT_SEEN_PAGES;

	if (f->obj == obj && f->pmap == ev->pmap && f->base == pindex - p &&
	    f->va == va - (p << PAGE_SHIFT))
		return;
	*f = (struct eng_fault_seen){ .obj = obj, .pmap = ev->pmap,
	    .va = va - (p << PAGE_SHIFT), .base = pindex - p };
}

/*
 * The page at pindex of the block's object is now mapped at va, writeable
 * if write; nothing if that is outside the block.
 */
static void
eng_fault_seen_mark(struct eng_cpu *c, uint64_t va, uint64_t pindex,
    bool write)
{
	struct eng_fault_seen *f = &c->fault_seen;
	uint64_t p = pindex - f->base, bit;

	if (p >= ENG_FAULT_SEEN_PAGES || va != f->va + (p << PAGE_SHIFT))
		return;
	bit = (uint64_t)1 << p;
	f->mapped |= bit;
	f->writeable = write ? f->writeable | bit : f->writeable & ~bit;
}

/*
 * Whether c->fault_seen knows va to map pindex of obj in ev's pmap, and
 * writeable if write: then no fault is taken.
 */
static bool
eng_fault_seen(const struct eng_cpu *c, const struct pr_event *ev,
    const struct vm_object *obj, uint64_t va, uint64_t pindex, bool write)
{
	const struct eng_fault_seen *f = &c->fault_seen;
	uint64_t p = pindex - f->base, bit;

	if (f->mapped == 0 || f->obj != obj || f->pmap != ev->pmap ||
	    p >= ENG_FAULT_SEEN_PAGES || va != f->va + (p << PAGE_SHIFT))
		return (false);
	bit = (uint64_t)1 << p;
	return ((f->mapped & bit) != 0 && (!write || (f->writeable & bit)));
}

/*
 * The i-th candidate (from 0) of a prefault's outward spiral around the
 * faulting page (va, pindex): i / 2 + 1 pages away, behind it for even i
 * when back_first (FreeBSD's vm_fault_prefault(): va - 1 page, va + 1,
 * va - 2, ...), for odd i when not (DragonFly's vm_prefault_quick():
 * va + 1, va - 1, va + 2, ...).  Sets *addr, *cand (its pindex) and
 * *behind.  False for a candidate behind the start of the map entry,
 * which the model takes to map the object from its pindex 0 (see
 * vm_fault_prefault()), or below address 0.  No lock.
 */
static bool
vm_prefault_cand(int i, bool back_first, uint64_t va, vm_pindex_t pindex,
    uint64_t *addr, vm_pindex_t *cand, bool *behind)
{
	uint64_t d = (uint64_t)(i >> 1) + 1;

	*behind = ((i & 1) == 0) == back_first;
	if (*behind) {
		if (d > pindex || va < (d << PAGE_SHIFT))
			return (false);
		*addr = va - (d << PAGE_SHIFT);
		*cand = pindex - d;
	} else {
		*addr = va + (d << PAGE_SHIFT);
		*cand = pindex + d;
	}
	return (true);
}

/*
 * vm_fault_prefault(): after a fault has entered its page, map up to PFBAK
 * pages before it and PFFOR after it that are resident, in an outward
 * spiral (va - 1 page, va + 1, va - 2, ...), inside the faulting map
 * entry.  For each candidate pmap_is_prefaultable() (the pmap lock, taken
 * whatever the answer; no: next candidate), then the object's read lock
 * unless obj_locked, and vm_page_lookup() (down the backing chain: the
 * model has none); a missing page ends the loop; a resident, fully valid
 * page is mapped by pmap_enter_quick() (read-only, a pv entry with no
 * reclamation).  PFBAK = PFFOR = 4.  coder03/freebsd10.4 @3d3f8b11
 * sys/vm/vm_fault.c lines 106-107 and 1113-1187 (10.4's takes
 * (faultcount, reqpage): 0 gives PFBAK, PFFOR, and it always read-locks);
 * rcslab/aurora-12.1 @843422e4 and sobomax/freebsd14_vendor @0f7ff342
 * (index id 65957949308 @38000) take (backward, forward, obj_locked).
 *
 * The model has no map entries: the entry is taken to map the object
 * from its pindex 0 (the candidate's pindex is the faulting one's plus
 * the page distance, and must not be negative) with no end.  This can
 * only add candidates (an entry mapping the object from an offset, or
 * ending sooner, has fewer), each costing a pmap lock, and maps a
 * resident page at an address another mapping may own, which a later
 * pmap_enter() there replaces.  Every resident model page is fully
 * valid, and managed.  A neighbour entered is noted in c->fault_seen,
 * and so is one found mapped to its page already (pmap_ev_is_prefaultable()
 * reads the PTE under its lock: the model's knowledge, no more locks).
 * The pmap is the faulting thread's own (the kernel's
 * vmspace_pmap(curthread) test).  The object is read-locked by this CPU
 * if obj_locked, else unlocked; no other lock is held.
 */
#define PFBAK	4
#define PFFOR	4
static void
vm_fault_prefault(struct eng_cpu *c, const struct pr_event *ev,
    struct vm_object *obj, vm_pindex_t pindex, uint64_t va, bool obj_locked)
{
	ENG_SITE_DEFINE;
	struct pmap_seen seen;
	struct vm_page *m;
	uint64_t addr, cand;
	bool behind;
	int i;

	if (obj_locked)
		VM_OBJECT_ASSERT_LOCKED(c, obj);
	else
		VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	for (i = 0; i < 2 * (PFBAK > PFFOR ? PFBAK : PFFOR); i++) {
		if (!vm_prefault_cand(i, true, va, pindex, &addr, &cand,
		    &behind) || (uint64_t)(i >> 1) + 1 > (behind ? PFBAK :
		    PFFOR))
			continue;
		if (!pmap_ev_is_prefaultable(c, ev->pmap, addr, &seen)) {
			if (seen.mapped && seen.obj == obj->slot &&
			    seen.pindex == cand)
				eng_fault_seen_mark(c, addr, cand,
				    seen.writeable);
			continue;
		}
		if (!obj_locked)
			VM_OBJECT_RLOCK(c, obj);
		m = vm_page_lookup(c, obj, cand);
		if (m != NULL && pmap_ev_enter_quick(c, ev->pmap, addr, m))
			eng_fault_seen_mark(c, addr, cand, false);
		if (!obj_locked)
			VM_OBJECT_RUNLOCK(c, obj);
		if (m == NULL)
			break;
	}
}

/*
 * DragonFly 5.6's burst, vm_prefault_quick() (v5.6.0 sys/vm/vm_fault.c
 * lines 3188-3363), run by vm_fault() after the fault has entered and
 * woken its page, with the fault's object hold (shared or exclusive)
 * still held (lines 776-785; unlock_things() follows).  vm_fault() runs
 * it when VM_FAULT_BURST is set, which trap_pfault() sets on every
 * user-mode fault (sys/platform/pc64/x86_64/trap.c line 965) and
 * vm_fault_quick()'s success clears (line 633): so after the token path
 * only.  The other burst, vm_prefault() (lines 2909-3186: the object held
 * exclusive again, backing objects followed, zero-fill pages allocated
 * under vm.fast_fault), needs fs.shared == 0 as well as
 * fs.first_shared == 0, and vm_fault_object() clears fs.shared only for
 * a page in a backing object (lines 1889-1891, 1985-1990, 2372-2379):
 * the model has none, so every burst is vm_prefault_quick().
 *
 * Up to vm.prefault_pages = 8 candidates (line 2885), in an outward
 * spiral va + 1 page, va - 1, va + 2, ... (vm_prefault_cand()).  A
 * direction stops at the entry's start, or at the first candidate
 * pmap_prefault_ok() finds mapped (line 3279: an unlocked PTE read).
 * Else a read fault (the kernel: a mapping without VM_PROT_WRITE)
 * vm_page_lookup_sbusy_try()s the page (line 3303: soft busy, hash entry),
 * pmap_enter()s it read-only and drops the soft busy; a write fault
 * vm_page_lookup_busy_try()s it (line 3324: hard busy, hash entry),
 * pmap_enter()s it writeable and vm_page_wakeup()s it.  A page missing,
 * or busy (a read: hard-busied), ends the burst.  Every model page is
 * fully valid, never PQ_CACHE, PG_FICTITIOUS or PG_SWAPPED; a write's
 * vm_object_set_writeable_dirty(), vm_set_nosync() and vm_page_dirty()
 * (lines 3348-3353) are not modelled, as for the fault's own page
 * (ev_map_dfly()).
 *
 * The model answers pmap_prefault_ok() from c->fault_seen (a page it
 * knows mapped: no; no lock), else after the lookup: a missing or busy
 * page ends the burst whatever the PTE (the entry is taken to map the
 * object there, so a valid PTE would map that page, which is resident),
 * and pmap_ev_enter_prefault() reads the PTE under the lock its
 * pmap_enter() takes, declining a mapped one: then the busy and that
 * lock are the model's, where DragonFly stops at no cost.  The model has
 * no map entries: as vm_fault_prefault(), the entry maps the object from
 * its pindex 0, with no end.  The pmap is the faulting thread's own
 * (vmspace_pmap(lp->lwp_vmspace), line 3216).  A page entered is noted
 * in c->fault_seen, and so is one a decline found mapping its own page.
 * The object is held (locked) by this CPU; no other lock is held.
 */
#define VM_PREFAULT_PAGES	8
static void
vm_prefault_quick(struct eng_cpu *c, const struct pr_event *ev,
    struct vm_object *obj, vm_pindex_t pindex, uint64_t va, bool write)
{
	struct pmap_seen seen;
	struct vm_page *m;
	uint64_t addr, cand;
	bool behind, stop[2] = { false, false };
	int i;

	VM_OBJECT_ASSERT_LOCKED(c, obj);
	for (i = 0; i < VM_PREFAULT_PAGES && !(stop[0] && stop[1]); i++) {
		if (!vm_prefault_cand(i, false, va, pindex, &addr, &cand,
		    &behind)) {
			stop[behind] = true;
			continue;
		}
		if (stop[behind])
			continue;
		if (eng_fault_seen(c, ev, obj, addr, cand, false)) {
			stop[behind] = true;
			continue;
		}
		m = vm_page_lookup_busy_try(c, obj, cand, !write);
		if (m == NULL)
			break;
		if (pmap_ev_enter_prefault(c, ev->pmap, addr, m, write,
		    &seen))
			eng_fault_seen_mark(c, addr, cand, write);
		else {
			if (seen.mapped && seen.obj == obj->slot &&
			    seen.pindex == cand)
				eng_fault_seen_mark(c, addr, cand,
				    seen.writeable);
			stop[behind] = true;
		}
		if (write)
			vm_page_xunbusy(c, m);	/* vm_page_wakeup */
		else
			vm_page_sbusy_drop(c, m);
	}
}

/*
 * map, --page dfly, one page: DragonFly 5.6's vm_fault() (sys/vm/vm_fault.c
 * of lileding/DragonFlyBSD at v5.6.0, fa4bfe35).
 *
 * vm_fault_quick() first, with no object token: not for an object with
 * OBJ_ONEMAPPING, which every anonymous object has (the model's anon
 * objects); else vm_page_hash_get() returns the page soft-busied, and a
 * valid page (every model page; no PQ_CACHE, no PG_SWAPPED; a write
 * fault's writeable object and dirty page are taken to hold, the model
 * having no dirty bits) is vm_page_soft_activate()d: act_count only when
 * it is active, else a full vm_page_activate().  The page is marked PG_REFERENCED, entered,
 * and its soft busy dropped.
 *
 * Otherwise the object is held to the end of the fault: shared
 * (vm_object_hold_shared()), or exclusive (vm_object_hold()) when the
 * exclusive heuristic is set (VM_MAP_BACK_EXCL_HEUR, set by a fault that
 * had to allocate and cleared by one that found its page; per (pmap,
 * object) here, e->dfly_excl_heur); vm_fault() lines 650-653, dropped by
 * unlock_things() -> unlock_map() (vm_object_drop(), lines 219-221).  A
 * hold is the token and a hold_count atomic, its drop another (the
 * model's vm_object_hold(), vm_object.c).  Under it,
 * vm_fault_object() (paging in progress held):
 *  - a resident page is hard-busied (vm_page_lookup_busy_try), taken off
 *    its queue (vm_page_unqueue_nowakeup), and later activated;
 *  - a missing page under the shared token: the heuristic is set, the
 *    hold dropped (unlock_things()), and the fault starts again
 *    (KERN_TRY_AGAIN) with the exclusive hold; under it the page is
 *    allocated (hard-busied) and activated.
 * vm_fault_object() ends by dropping paging in progress.  Then
 * PG_REFERENCED, pmap_enter, vm_page_activate() again (the page is
 * active: act_count only), vm_page_wakeup(), the burst under the hold
 * (vm_prefault_quick(); not after vm_fault_quick(), which clears
 * VM_FAULT_BURST) and the hold's drop.  So each attempt holds and drops
 * the object once: the token and two hold_count atomics.
 * The model waits for a busy page under the token, where the kernel
 * drops it, sleeps and starts again.
 *
 * Returns whether a page was found or made (*rv: pmap_ev_enter()'s
 * result).  Called with the object unlocked.
 */
static bool
ev_map_dfly(struct eng_cpu *c, const struct pr_event *ev,
    struct vm_object *obj, vm_pindex_t pindex, uint64_t va, int *rv)
{
	ENG_SITE_DEFINE;
	bool write = (ev->flags & PR_F_WRITE) != 0, excl, retry;
	_Atomic uint8_t *heur;
	struct vm_page *m;

	if (!obj->anon && (m = vm_page_hash_get(c, obj, pindex)) != NULL) {
		vm_page_activate(c, m);		/* vm_page_soft_activate */
		vm_page_aflag_set(c, m, PGA_REFERENCED);
		*rv = pmap_ev_enter(c, ev->pmap, va, m, write);
		vm_page_sbusy_drop(c, m);
		return (true);
	}
	heur = &c->e->dfly_excl_heur[(((uint64_t)ev->pmap *
	    0x9e3779b97f4a7c15ULL) ^ (obj->slot * 0xc2b2ae3d27d4eb4fULL)) >>
	    (64 - ENG_DFLY_EXCL_BITS)];
	excl = atomic_load_explicit(heur, memory_order_relaxed) != 0;
	for (;;) {
		if (excl)
			vm_object_hold(c, obj, ENG_HERE);
		else
			vm_object_hold_shared(c, obj, ENG_HERE);
		vm_object_pip_add(c, obj);
		if ((m = vm_page_lookup_busy(c, obj, pindex)) != NULL) {
			atomic_store_explicit(heur, 0, memory_order_relaxed);
			vm_page_unqueue_nowakeup(c, m);
			break;
		}
		atomic_store_explicit(heur, 1, memory_order_relaxed);
		if (excl) {
			vm_object_make_alive(c, obj);
			m = vm_page_alloc(c, obj, pindex, false, true, &retry);
			if (m != NULL || !retry)
				break;
		}
		vm_object_pip_wakeup(c, obj);
		vm_object_drop(c, obj);		/* unlock_things() */
		excl = true;
	}
	if (m != NULL) {
		vm_page_activate(c, m);
		vm_object_pip_wakeup(c, obj);	/* vm_fault_object() ends */
		vm_page_aflag_set(c, m, PGA_REFERENCED);
		*rv = pmap_ev_enter(c, ev->pmap, va, m, write);
		vm_page_activate(c, m);
		vm_page_xunbusy(c, m);		/* vm_page_wakeup */
		if (*rv == 0)
			vm_prefault_quick(c, ev, obj, pindex, va, write);
	} else
		vm_object_pip_wakeup(c, obj);
	vm_object_drop(c, obj);			/* unlock_things() */
	return (m != NULL);
}

/*
 * FreeBSD 10/12's vm_fault() takes the read-locked soft path only when it
 * need not "avoid calling vm_object_set_writeable_dirty()": a write fault
 * on a vnode's object (OBJT_VNODE, or tmpfs's OBJ_TMPFS_NODE) that is not
 * yet OBJ_MIGHTBEDIRTY write-locks the object at once, and its slow path
 * sets the flag (vm_fault_dirty(), set_wd).  The test is made without the
 * lock and again under the read lock, whose failure upgrades (vm_fault_hold
 * of coder03/freebsd10.4 @3d3f8b11, lines 405-429; the same in
 * rcslab/aurora-12.1 @843422e4; kib's r270011 log: "fast path is avoided
 * when the fault is the first write on the vnode object").  13.0 dropped
 * the test with OBJ_MIGHTBEDIRTY (vm_fault() of sobomax/freebsd14_vendor
 * @0f7ff342: vp, split boundary and VM_FAULT_WIRE/DIRTY only).  The kernel
 * tests the mapping's protection (prot), the model the fault's type (the
 * trace has no protections): a read fault on a writeable shared file
 * mapping, gated in the kernel, is not here.
 */
static bool
vm_fault_needs_wlock(const struct eng_cpu *c, const struct vm_object *obj,
    bool write)
{
	return (c->e->pagelock && write && !obj->anon &&
	    !atomic_load_explicit(&obj->mightbedirty, memory_order_relaxed));
}

/*
 * vm_fault()'s soft path for one page, FreeBSD 10 to 14: vm_fault()
 * read-locks the first object and calls vm_fault_soft_fast(), which (13+)
 * busies the object (vm_object_busy()), looks the page up and, when it is
 * resident (and, for a write fault, not busied), enters it and unlocks
 * the object (13+: then unbusies it).  No PGA_REFERENCED and no queue
 * operation: pmap_enter's PG_A records the reference.  A write fault
 * then runs vm_fault_dirty() (set_wd false): 10/12 under the read lock,
 * where it takes the page lock around its VPO_NOSYNC update and
 * vm_page_dirty() ("to avoid the race and keep m->oflags consistent";
 * 10.4 lines 203-216 and 283, 12.1 the same); 13+ after the unlock and
 * with no page lock, where vm_object_set_writeable_dirty() is an atomic
 * on a vnode's object (vm_page_set_dirty() and the PGA_NOSYNC aflag of a
 * page that was clean are not modelled: the model has no dirty bits).
 * The fault then prefaults its neighbours (vm_fault_prefault(), never
 * wired here): 12.1 and 13+ under the read lock (obj_locked; 13+ also
 * under the object's busy), before the unlock; 10.4 after it, read-locking
 * the object again for each neighbour it looks up (10.4 lines 265-290).
 * The kernel does this for any fault on a writeable mapping (prot), the
 * model for write faults.  When it fails, vm_fault() upgrades the read lock
 * (VM_OBJECT_TRYUPGRADE), else drops it and write-locks.  10/12: a write
 * fault on a vnode's object not yet OBJ_MIGHTBEDIRTY skips all this and
 * write-locks (vm_fault_needs_wlock()).  [FB10] vm_fault_hold(); 13.0:
 * vm_fault() and vm_fault_soft_fast() of sobomax/freebsd14_vendor
 * @0f7ff342 (1300139), the same shape in a 1400081 main.  A 15.0-CURRENT
 * main (1500012) looks the page up without the lock first and
 * write-locks at once on a miss; 14.0 is not known to have it, and it is
 * not modelled (design-page.md, "The fault path").
 *
 * Returns true when the page was entered (*rv: pmap_ev_enter()'s result),
 * the object unlocked; false with the object write-locked.  Called with
 * the object unlocked.
 */
static bool
vm_fault_soft_fast(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, const struct pr_event *ev, uint64_t va, int *rv)
{
	ENG_SITE_DEFINE;
	bool write = (ev->flags & PR_F_WRITE) != 0, busy = c->e->smr_lookups;
	bool fb10 = vm_engine_fb10(c->e);
	struct vm_page *m;

	if (vm_fault_needs_wlock(c, obj, write)) {
		VM_OBJECT_WLOCK(c, obj);
		return (false);
	}
	VM_OBJECT_RLOCK(c, obj);
	if (!vm_fault_needs_wlock(c, obj, write)) {
		if (busy)
			vm_object_busy(c, obj);
		m = vm_page_lookup(c, obj, pindex);
		if (m != NULL && !(write && vm_page_busied(m))) {
			*rv = pmap_ev_enter(c, ev->pmap, va, m, write);
			if (*rv == 0 && write && c->e->pagelock) {
				vm_page_lock(c, m);	/* vm_fault_dirty() */
				vm_page_unlock(c, m);
			}
			if (*rv == 0 && !fb10)
				vm_fault_prefault(c, ev, obj, pindex, va, true);
			VM_OBJECT_RUNLOCK(c, obj);
			if (*rv == 0 && fb10)
				vm_fault_prefault(c, ev, obj, pindex, va, false);
			if (*rv == 0 && write && !c->e->pagelock)
				vm_object_set_writeable_dirty(c, obj);
			if (busy)
				vm_object_unbusy(c, obj);
			return (true);
		}
		if (busy)
			vm_object_unbusy(c, obj);
	}
	if (!VM_OBJECT_TRYUPGRADE(c, obj)) {
		VM_OBJECT_RUNLOCK(c, obj);
		VM_OBJECT_WLOCK(c, obj);
	}
	return (false);
}

/*
 * The end of a fault's slow path: 10/12's unlock_and_deallocate() drops
 * the paging-in-progress count under the object's write lock and
 * unlocks; 13+'s fault_deallocate() drops it without the lock.  Then
 * vm_object_deallocate() drops the fault's reference (the faulting
 * mapping holds one besides).  locked: the object
 * is write-locked (always so under --page pagelock).  The object is
 * unlocked on return.
 */
static void
vm_fault_deallocate(struct eng_cpu *c, struct vm_object *obj, bool locked)
{
	ENG_SITE_DEFINE;

	if (c->e->pagelock) {
		VM_OBJECT_ASSERT_WLOCKED(c, obj);
		vm_object_pip_wakeup(c, obj);
		VM_OBJECT_WUNLOCK(c, obj);
	} else {
		if (locked)
			VM_OBJECT_WUNLOCK(c, obj);
		vm_object_pip_wakeup(c, obj);
	}
	vm_object_deallocate(c, obj, obj->anon, 1, ENG_HERE);
}

/*
 * A fault's slow path found its page busy: it marks the page referenced
 * ("so that the page daemon is less likely to reclaim it"), sleeps until
 * the busy goes (the model yields once; the caller starts the fault
 * again, RetryFault) and drops what it held.  10/12 (vm_fault_hold(),
 * 10.4 lines 489-519): vm_page_sleep_if_busy() takes the page lock,
 * unlocks the object, sleeps and write-locks it again; then the paging
 * count drops under the lock, the object is unlocked and
 * vm_object_deallocate(): the count is held across the sleep.  13+
 * (vm_fault_busy_sleep() of sobomax/freebsd14_vendor @0f7ff342): the
 * count drops first, under the lock, then vm_page_busy_sleep() unlocks
 * the object and sleeps, then vm_object_deallocate(): a termination need
 * not wait for the sleeper.  The object is write-locked on entry,
 * unlocked on return.
 */
static void
vm_fault_busy_sleep(struct eng_cpu *c, struct vm_object *obj,
    struct vm_page *m)
{
	ENG_SITE_DEFINE;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	vm_page_aflag_set(c, m, PGA_REFERENCED);
	if (c->e->pagelock) {
		vm_page_lock(c, m);
		VM_OBJECT_WUNLOCK(c, obj);
		vm_page_unlock(c, m);
		eng_yield();
		VM_OBJECT_WLOCK(c, obj);
		vm_fault_deallocate(c, obj, true);
	} else {
		vm_object_pip_wakeup(c, obj);
		VM_OBJECT_WUNLOCK(c, obj);
		eng_yield();
		vm_object_deallocate(c, obj, obj->anon, 1, ENG_HERE);
	}
}

/*
 * vm_fault()'s slow path for one page, FreeBSD 10 to 14, entered with the
 * first object write-locked, which it references and marks paging in
 * progress (vm_object_pip_add: termination waits for it).  The page is
 * looked up again (another stream may have inserted it, or vm_page_alloc
 * slept in vm_wait) and exclusive-busied, else allocated busied
 * (vm_fault_allocate); the object is unlocked before pmap_enter
 * ("pmap_enter() may sleep"); the page is activated ("If the page is not
 * wired down, then put it where the pageout daemon can find it") and
 * unbusied.  A page another holds busy is marked referenced and waited
 * for, and the fault starts again (vm_fault_busy_sleep, RetryFault):
 * *retry.  A write fault's vm_fault_dirty() calls
 * vm_object_set_writeable_dirty() before pmap_enter: 10/12 under the
 * write lock, which marks a vnode's object OBJ_MIGHTBEDIRTY (so that its
 * next write faults may take the soft path), 13+ without it.
 *
 * --page pagelock (10.4 vm_fault_hold, [FB10]; 12.1's is the same): the
 * object is write-locked again after pmap_enter for the activation (under
 * the page lock) and the unbusy.  10.4 (--queue locked, as for sendfile)
 * also takes a page found resident off its queue before busying it,
 * vm_page_remque() under the page lock (coder03/freebsd10.4 @3d3f8b11
 * sys/vm/vm_fault.c lines 521-523; vm_page.h: vm_page_dequeue() if
 * queued, the queue lock around the unlink), so that the activation
 * puts it back at the active tail (vm_page_activate() of a page in no
 * queue: vm_page_enqueue(), the queue lock again) where an active page
 * would only have its act_count raised.  The model busies first, then
 * dequeues: the same locks.  12.1 has no such step (rcslab/aurora-12.1
 * @843422e4: vm_page_xbusy() straight after the busy test).  --page
 * refcount (13.0, D23034): the lock is held through the allocation only.
 *
 * After its pmap_enter, with the object unlocked, a fault that found its
 * page resident prefaults (vm_fault_prefault(), PFBAK and PFFOR:
 * faultcount 0, no VM_FAULT_WIRE, not wired); one that allocated it does
 * not: the model's allocation is a zero fill, where the kernel sets
 * faultcount = 1 ("Don't try to prefault neighboring pages"; 10.4 line
 * 797, 13.0's vm_fault() @38000).  A vnode object's pager read (the
 * kernel's faultcount = behind + 1 + ahead, and a prefault of the pages
 * it read) is not modelled: the model allocates the page as a zero fill,
 * and the pages a read-ahead brings in are the trace's own insertions.
 *
 * Returns the page entered (*rv: pmap_ev_enter()'s result), or NULL with
 * no memory or *retry.  The object is unlocked on return.
 */
static struct vm_page *
vm_fault_object(struct eng_cpu *c, struct vm_object *obj, vm_pindex_t pindex,
    const struct pr_event *ev, uint64_t va, int *rv, bool *retry)
{
	ENG_SITE_DEFINE;
	bool write = (ev->flags & PR_F_WRITE) != 0, again, fb10, found;
	struct vm_page *m;

	VM_OBJECT_ASSERT_WLOCKED(c, obj);
	*retry = false;
	fb10 = vm_engine_fb10(c->e);
	vm_object_make_alive(c, obj);
	vm_object_reference_locked(c, obj);
	vm_object_pip_add(c, obj);
	do {
		if ((found = (m = vm_page_lookup(c, obj, pindex)) != NULL)) {
			if (!vm_page_tryxbusy(c, m)) {
				vm_fault_busy_sleep(c, obj, m);
				*retry = true;
				return (NULL);
			}
			if (fb10) {
				vm_page_lock(c, m);
				vm_page_dequeue(c, m);	/* vm_page_remque */
				vm_page_unlock(c, m);
			}
			break;
		}
		m = vm_page_alloc(c, obj, pindex, false, true, &again);
	} while (m == NULL && again);
	if (m == NULL) {
		vm_fault_deallocate(c, obj, true);
		return (NULL);
	}
	/* vm_fault_dirty(, set_wd): 10/12 under the lock, 13+ after it. */
	if (write && c->e->pagelock)
		vm_object_set_writeable_dirty(c, obj);
	VM_OBJECT_WUNLOCK(c, obj);
	if (write && !c->e->pagelock)
		vm_object_set_writeable_dirty(c, obj);
	*rv = pmap_ev_enter(c, ev->pmap, va, m, write);
	if (*rv == 0 && found)
		vm_fault_prefault(c, ev, obj, pindex, va, false);
	if (c->e->pagelock)
		VM_OBJECT_WLOCK(c, obj);
	vm_page_activate(c, m);
	vm_page_xunbusy(c, m);
	vm_fault_deallocate(c, obj, c->e->pagelock);
	return (m);
}

/*
 * map (vm_fault), FreeBSD: per page, vm_fault_soft_fast(), else
 * vm_fault_object(); a page this CPU's faults mapped (eng_fault_seen())
 * takes no fault and no work.  Skipped when no page could be entered and
 * none was mapped already: no memory, or (pmap_ev_enter) no such pmap
 * slot.  The object must be unlocked.
 *
 * --page dfly: DragonFly 5.6's fault, ev_map_dfly(), and its burst,
 * vm_prefault_quick().
 */
static enum eng_skip
ev_map(struct eng_cpu *c, const struct pr_event *ev, struct vm_object *obj,
    uint32_t n)
{
	uint32_t i, did = 0;
	uint64_t va;
	bool found = false, retry, write = (ev->flags & PR_F_WRITE) != 0;
	int rv;

	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	for (i = 0; i < n; i++) {
		va = ev->addr + ((uint64_t)i << PAGE_SHIFT);
		if (eng_fault_seen(c, ev, obj, va, ev->pindex + i, write)) {
			did++;
			continue;
		}
		eng_fault_seen_at(c, ev, obj, va, ev->pindex + i);
		rv = 1;
		if (c->e->dfly) {
			found = ev_map_dfly(c, ev, obj, ev->pindex + i, va,
			    &rv);
		} else {
			do {
				retry = false;
				found = vm_fault_soft_fast(c, obj,
				    ev->pindex + i, ev, va, &rv) ||
				    vm_fault_object(c, obj, ev->pindex + i,
				    ev, va, &rv, &retry) != NULL;
			} while (!found && retry);
		}
		if (rv == 0) {
			did++;
			eng_fault_seen_mark(c, va, ev->pindex + i, write);
		}
	}
	return (did ? ENG_SKIP_NONE : !found ? ENG_SKIP_NO_MEMORY :
	    ENG_SKIP_NO_SLOT);
}

/*
 * sendfile, --page dfly: DragonFly 5.6's kern_sendfile()
 * (sys/kern/uipc_syscalls.c of lileding/DragonFlyBSD at v5.6.0, fa4bfe35).
 * The object is held shared for the whole syscall (vm_object_hold_shared,
 * lines 1703 and 1934: the model's read lock and two hold_count atomics,
 * vm_object_hold()), and each page is vm_page_lookup_sbusy_try()'d
 * (soft-busied, entered in vm_page_hash[]), sent, and its soft busy
 * dropped at completion (sf_buf_mfree): no wiring, no page spinlock, no
 * queue operation.  A page not found, or hard-busied, is read with
 * VOP_READ(UIO_NOCOPY) of the MAXBSIZE (64 KiB) from it with the object
 * dropped (vm_object_drop, line 1781; held again at 1798), then looked
 * up again: the buffer cache allocates the pages wired under the
 * object's exclusive hold (allocbuf()'s vm_object_hold, sys/kern/
 * vfs_bio.c lines 3115-3166) and its release
 * unwires them to a queue (vfs_vmio_release), which the model does as a
 * wired vm_page_grab_pages() of those pages under one exclusive hold (no
 * further than the send's range: the model knows no file size), the read
 * of the blocks holding the pages it allocated (sendfile_read_dfly()),
 * and a vm_page_release() of each (bio_page_alloc()'s colour is not modelled:
 * the allocating CPU's is used).  As 5.6, a page that keeps escaping ends the send after
 * SENDFILE_DFLY_LOOPS reads.  Skipped when no page could be had (no
 * memory).  The object must be unlocked.
 */
#define SENDFILE_DFLY_LOOPS	100000
#define SENDFILE_DFLY_READ	16	/* MAXBSIZE / PAGE_SIZE */

/*
 * The read of the n pages ma[] of obj from pindex that sendfile's
 * VOP_READ grabbed, fresh[i] for those it allocated: the buffer cache's
 * read of each ENG_BIO_PAGES-aligned block holding an allocated page
 * (vfs_bio_read(): 5.6's vfs_busy_pages() and bpdone(), as a
 * page_insert's, ev_page_insert_read()); the resident pages were valid
 * and are not read.  The object must be unlocked.
 */
static void
sendfile_read_dfly(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex, struct vm_page **ma, const bool *fresh, int n)
{
	struct vm_page *rd[ENG_BIO_PAGES];
	int lo, hi, j, nfresh;

	VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	for (lo = 0; lo < n; lo = hi) {
		hi = (int)(eng_bio_end(pindex + (vm_pindex_t)lo,
		    pindex + (vm_pindex_t)n) - pindex);
		for (j = lo, nfresh = 0; j < hi; j++) {
			rd[j - lo] = fresh[j] ? ma[j] : NULL;
			nfresh += fresh[j];
		}
		if (nfresh > 0)
			(void)vfs_bio_read(c, obj, pindex + (vm_pindex_t)lo,
			    rd, hi - lo, false);
	}
}
static enum eng_skip
ev_sendfile_dfly(struct eng_cpu *c, struct vm_object *obj, vm_pindex_t pindex,
    uint64_t n)
{
	ENG_SITE_DEFINE;
	struct vm_page *m, *ma[SENDFILE_DFLY_READ];
	uint64_t i, did = 0;
	unsigned loops;
	int j, k, got;
	bool fresh[SENDFILE_DFLY_READ];

	vm_object_hold_shared(c, obj, ENG_HERE);
	for (i = 0; i < n; i++) {
		loops = 0;
		while ((m = vm_page_lookup_busy_try(c, obj, pindex + i,
		    true)) == NULL) {
			vm_object_drop(c, obj);
			k = n - i < SENDFILE_DFLY_READ ? (int)(n - i) :
			    SENDFILE_DFLY_READ;
			vm_object_hold(c, obj, ENG_HERE);	/* allocbuf */
			got = vm_page_grab_pages(c, obj, pindex + i, true, ma,
			    k, fresh);
			vm_object_drop(c, obj);
			sendfile_read_dfly(c, obj, pindex + i, ma, fresh, got);
			for (j = 0; j < got; j++)
				vm_page_release(c, ma[j], 0);
			vm_object_hold_shared(c, obj, ENG_HERE);
			if (got == 0 || ++loops > SENDFILE_DFLY_LOOPS)
				goto out;
		}
		vm_page_sbusy_drop(c, m);
		did++;
	}
out:
	vm_object_drop(c, obj);
	return (did ? ENG_SKIP_NONE : ENG_SKIP_NO_MEMORY);
}

/*
 * sendfile's read of the pages it had to allocate (sendfile_swapin(),
 * FreeBSD 11+; --page pagelock without --queue locked, and refcount):
 * the n pages ma[] of a turn, fresh[i] for those allocated, which
 * vm_page_xbusy_fresh() has busied as the kernel's grab returns them
 * (sendfile_swapin() leaves a page to read exclusive-busied); the run is
 * one vm_pager_get_pages_async() -> vnode_pager_getpages_async() ->
 * VOP_GETPAGES_ASYNC(), which for UFS on a device of sectors no larger
 * than a page is vnode_pager_generic_getpages() with sendfile_iodone()
 * (ffs_getpages_async(), ffs_vnops.c index id 487890979 @45173).
 *
 * 12 (kern_sendfile.c index id 718722343): sendfile_swapin() holds the
 * object write lock across vm_pager_get_pages_async(), which
 * vnode_pager_getpages_async() drops around VOP_GETPAGES_ASYNC() and
 * takes again (11/12-era vnode_pager.c, index id 995059659 @19128: one
 * more write lock); the completion, vnode_pager_generic_getpages_done()
 * (@29504), write-locks the object to set each page valid (m->valid, a
 * plain store); sendfile_iodone() (@7225) vm_page_xunbusy()s each page,
 * an atomic.  13.0 (sobomax/freebsd14_vendor @0f7ff342
 * sys/vm/vnode_pager.c, index id 66224991470): the pager call takes no
 * object lock (vnode_pager_getpages_async(), @19000), its completion
 * read-locks it ("Read lock to protect size", @31000: vm_page_valid() of
 * an exclusive-busied page, a plain store), and sendfile_iodone()
 * unbusies each page, an atomic; the run's vm_pager_has_page() read lock
 * is the caller's.  The object is write-locked on entry under --page
 * pagelock (12's sendfile_swapin() holds it), unlocked under refcount;
 * it is unlocked on return.
 *
 * Approximations: one I/O a turn (the kernel issues one a run of invalid
 * pages, at most MAXPHYS long: 32 pages in 12, 256 in 13, where a model
 * turn is ENG_SENDFILE_CHUNK pages); the read-behind and read-ahead
 * pages that vnode_pager_generic_getpages() allocates under the object
 * write lock (the last run's rhpages) and vm_page_readahead_finish()es
 * are not modelled, the model knowing no file size: a page read ahead is
 * allocated at its first use instead.
 */
static void
sendfile_swapin_io(struct eng_cpu *c, struct vm_object *obj,
    struct vm_page **ma, const bool *fresh, int n)
{
	ENG_SITE_DEFINE;
	int i;

	ENG_ASSERT(!vm_engine_fb10(c->e) && !c->e->dfly);
	if (c->e->pagelock) {
		VM_OBJECT_ASSERT_WLOCKED(c, obj);
		VM_OBJECT_WUNLOCK(c, obj);	/* vnode_pager_getpages_async */
		VM_OBJECT_WLOCK(c, obj);
		VM_OBJECT_WUNLOCK(c, obj);
	} else
		VM_OBJECT_ASSERT_UNLOCKED(c, obj);
	/* The I/O; vnode_pager_generic_getpages_done(). */
	if (c->e->pagelock)
		VM_OBJECT_WLOCK(c, obj);
	else
		VM_OBJECT_RLOCK(c, obj);
	for (i = 0; i < n; i++)
		if (fresh[i])
			atomic_store_explicit(&ma[i]->valid, VM_PAGE_BITS_ALL,
			    memory_order_relaxed);
	if (c->e->pagelock)
		VM_OBJECT_WUNLOCK(c, obj);
	else
		VM_OBJECT_RUNLOCK(c, obj);
	for (i = 0; i < n; i++)			/* sendfile_iodone() */
		if (fresh[i])
			vm_page_xunbusy(c, ma[i]);
}

/*
 * sendfile: as the kernel's sendfile path, grab and wire the pages under
 * the object lock (vm_page_grab_pages), send, and at completion release
 * each page with no object lock held (vm_page_release; SF_NOCACHE:
 * VPR_TRYFREE, where the kernel has it: eng_advice_honoured()).  Ranges
 * are handled ENG_SENDFILE_CHUNK pages at a time, each chunk standing for
 * one turn of vn_sendfile()'s loop (one socket buffer's worth).
 *
 * --page pagelock (FreeBSD <= 12, kern_sendfile.c of 11/12): the syscall
 * also write-locks the object once in sendfile_getobj() to take its
 * reference (vm_object_reference_locked) and once in
 * vm_object_deallocate() to drop it (12's deallocate write-locks before
 * vm_object_vndeallocate); each chunk is sendfile_swapin()'s write-locked
 * vm_page_grab_pages(), and a turn that allocated pages reads them
 * (sendfile_swapin_io()).  FreeBSD 10 (with --queue locked, the era's
 * queue design) grabs one page per write lock, sendfile_readpage() in
 * 10.4's vn_sendfile() ([FB10] sys/kern/uipc_syscalls.c): chunks of one
 * page; its read of a missing page, vn_rdwr(UIO_READ, UIO_NOCOPY) of
 * sfreadahead * MAXBSIZE through the buffer cache (lines 1970-2060), is
 * not modelled.
 * --page refcount (13+; kern_sendfile.c of
 * sobomax/freebsd14_vendor @0f7ff342, 1300139, and of index id
 * 92533499): sendfile_getobj() read-locks to take its reference; each
 * turn read-locks to read the pager's file size ("Check to see if the
 * file size has changed"), raises paging in progress, and
 * vm_page_grab_pages_unlocked() busies, wires and (the pages being valid)
 * unbusies the resident pages without the object lock, write-locking only
 * to grab missing ones, whose run sendfile_swapin() then read-locks for
 * vm_pager_has_page() and reads (sendfile_swapin_io(): the pager's
 * completion read-locks, sendfile_iodone() unbusies; 12: two more write
 * locks); sendfile_iodone() drops paging in progress; and
 * vm_object_deallocate() drops the reference with no lock while another
 * sendfile holds one, else read-locks (vm_object_deallocate_vnode).
 * --page dfly: ev_sendfile_dfly().  Skipped when no page could be grabbed
 * (no memory) or the range starts beyond the model's.
 */
static enum eng_skip
ev_sendfile(struct eng_cpu *c, const struct pr_event *ev,
    struct vm_object *obj)
{
	ENG_SITE_DEFINE;
	struct vm_page *ma[ENG_SENDFILE_CHUNK];
	bool fresh[ENG_SENDFILE_CHUNK];
	vm_pindex_t pindex = ev->pindex;
	uint64_t n = ev->npages, did = 0, last;
	int flags, got, k, i, chunk, k0, nfresh;
	bool fb10;

	if (ev->npages == 0 && ev->arg != 0) {
		pindex = ev->addr >> PAGE_SHIFT;
		last = (ev->addr + ev->arg - 1) >> PAGE_SHIFT;
		n = last - pindex + 1;
	}
	if (n == 0)
		n = 1;
	if (pindex >= ENG_PINDEX_MAX)
		return (ENG_SKIP_RANGE);
	if (n > ENG_PINDEX_MAX - pindex)
		n = ENG_PINDEX_MAX - pindex;
	if (c->e->dfly)
		return (ev_sendfile_dfly(c, obj, pindex, n));
	/*
	 * FreeBSD 10 (--queue locked): sendfile_readpage() per page, and no
	 * SF_NOCACHE (added in 11).
	 */
	fb10 = vm_engine_fb10(c->e);
	chunk = fb10 ? 1 : ENG_SENDFILE_CHUNK;
	flags = (ev->flags & PR_F_NOCACHE) != 0 &&
	    eng_advice_honoured(c->e) && !fb10 ? VPR_TRYFREE : 0;
	if (c->e->pagelock) {		/* sendfile_getobj() */
		VM_OBJECT_WLOCK(c, obj);
		vm_object_reference_locked(c, obj);
		VM_OBJECT_WUNLOCK(c, obj);
	} else if (c->e->smr_lookups) {
		VM_OBJECT_RLOCK(c, obj);
		vm_object_reference_locked(c, obj);
		VM_OBJECT_RUNLOCK(c, obj);
	}
	while (n > 0) {
		k = n > (uint64_t)chunk ? chunk : (int)n;
		got = 0;
		if (c->e->smr_lookups) {
			/* The file's size, read again under the lock. */
			VM_OBJECT_RLOCK(c, obj);
			VM_OBJECT_RUNLOCK(c, obj);
			vm_object_pip_add(c, obj);
			got = vm_page_grab_pages_unlocked(c, obj, pindex,
			    VM_ALLOC_WIRED, ma, k);
		}
		if (got < k) {
			VM_OBJECT_WLOCK(c, obj);
			k0 = got;
			got += vm_page_grab_pages(c, obj,
			    pindex + (vm_pindex_t)got, true, ma + got,
			    k - got, fresh + got);
			for (i = k0, nfresh = 0; i < got; i++)
				if (fresh[i] && (fb10 ||
				    (fresh[i] = vm_page_xbusy_fresh(c, obj,
				    ma[i]))))
					nfresh++;
			if (nfresh == 0 || fb10 || !c->e->pagelock)
				VM_OBJECT_WUNLOCK(c, obj);
			/* sendfile_swapin(): vm_pager_has_page() of the run. */
			if (nfresh != 0 && c->e->smr_lookups) {
				VM_OBJECT_RLOCK(c, obj);
				VM_OBJECT_RUNLOCK(c, obj);
			}
			if (nfresh != 0 && !fb10)
				sendfile_swapin_io(c, obj, ma + k0, fresh + k0,
				    got - k0);
		}
		if (c->e->smr_lookups)
			vm_object_pip_wakeup(c, obj);	/* sendfile_iodone() */
		k = got;
		if (k == 0)
			break;
		for (i = 0; i < k; i++)
			vm_page_release(c, ma[i], flags);
		did += (uint64_t)k;
		pindex += (uint64_t)k;
		n -= (uint64_t)k;
	}
	vm_object_deallocate(c, obj, false, 0, ENG_HERE);
	return (did ? ENG_SKIP_NONE : ENG_SKIP_NO_MEMORY);
}

/*
 * scan: a recorded reclaim (Linux's kswapd or direct reclaim) replayed on
 * the worker: an inactive scan of up to pages pages that frees all it
 * can, then an active scan of as many.
 */
static void
ev_scan(struct eng_cpu *c, uint64_t pages)
{
	if (pages == 0)
		pages = VM_BATCHQUEUE_SIZE;
	vm_pageout_scan_inactive(c, UINT64_MAX, pages, NULL, NULL);
	vm_pageout_scan_active(c, pages);
}

/*
 * extract_hold: vm_fault_quick_hold_pages() of the event's npages pages
 * from addr, one pmap_extract_and_hold() a page (its loop, 10.4
 * sys/vm/vm_fault.c lines 1226-1243 of coder03/freebsd10.4 @3d3f8b11:
 * each takes the pmap lock), each hold dropped at once
 * (pmap_ev_extract_and_hold()).  Skipped (not mapped) when no page was
 * held; a page the kernel would fault in and hold instead (vm_fault_hold)
 * is not modelled.  --page dfly: no work.  DragonFly 5.6 holds no page of
 * a user buffer for I/O: physio() bounces it through kernel memory
 * (v5.6.0 sys/kern/kern_physio.c lines 97-117: copyin, copyout), UFS's
 * IO_DIRECT reads through the buffer cache (sys/vfs/ufs/ufs_readwrite.c
 * lines 116-121: B_DIRECT), and vm_fault_page_quick() has no caller in
 * sys/; the copy's own faults are the trace's map events.  No lock held.
 */
static enum eng_skip
ev_extract_hold(struct eng_cpu *c, const struct pr_event *ev)
{
	uint64_t i, n = ev->npages ? ev->npages : 1, held = 0;

	if (c->e->dfly)
		return (ENG_SKIP_NONE);

	for (i = 0; i < n; i++)
		if (pmap_ev_extract_and_hold(c, ev->pmap, ev->addr +
		    (i << PAGE_SHIFT)) == 0)
			held++;
	return (held ? ENG_SKIP_NONE : ENG_SKIP_NOT_MAPPED);
}

/*
 * Is ev the wire or unwire of an O_DIRECT buffer's pages?  The recorder
 * names a direct I/O's user buffer as its address space's anonymous
 * object (docs/capture.md): a wire (at the call's entry, beside an
 * extract_hold of the same pages) and an unwire (at its return).  The
 * kernel's whole work on those pages is vm_fault_quick_hold_pages()'s
 * pmap_extract_and_hold() of each page and vm_page_unhold_pages()'s
 * release of each hold (physio, ffs_rawread; 10.4 sys/vm/vm_fault.c
 * lines 1198-1265 of coder03/freebsd10.4 @3d3f8b11, [FB14c]
 * vm_page_unhold_pages()), which the extract_hold event models
 * (ev_extract_hold()); neither takes the object's lock.  The buffer cache
 * wires only files' pages (allocbuf(), vfs_vmio_extend()), so a wire of
 * an anonymous object's pages is no kernel work of its own, nor its
 * unwire.  (C)
 */
static bool
eng_ev_direct_io(const struct pr_event *ev, const struct vm_object *obj)
{
	return ((ev->kind == PR_WIRE || ev->kind == PR_UNWIRE) && obj->anon);
}

/*
 * Is ev a fault-around lookup (page_lookup flagged PR_F_FAULT_AROUND, or
 * so inferred at load: docs/capture.md rule F)?  Linux's
 * filemap_map_pages() looks up and maps the resident pages of a window
 * around a fault, allocating none; the trace's map of the window follows
 * it.  No kernel modelled makes that lookup: FreeBSD's fault looks up its
 * own page and then its resident neighbours in vm_fault_prefault()
 * (coder03/freebsd10.4 @3d3f8b11 sys/vm/vm_fault.c: vm_fault_hold()
 * lines 333-1030, vm_page_lookup() at 471, vm_fault_prefault() called at
 * 1020 and defined at 1113-1187; 12.1, 13 and 14 alike, with (backward,
 * forward)), which the map event models (ev_map(), vm_fault_prefault());
 * DragonFly 5.6's vm_fault() (lileding/DragonFlyBSD v5.6.0
 * sys/vm/vm_fault.c line 388) looks up its page and bursts with
 * vm_prefault() or vm_prefault_quick() (lines 776-786, defined at 2909
 * and 3188).  So the lookup is no work of its own: counted
 * (fault_around_lookups), no lock, nothing allocated.  (C)
 */
static bool
eng_ev_fault_around(const struct pr_event *ev)
{
	return (ev->kind == PR_PAGE_LOOKUP &&
	    (ev->flags & PR_F_FAULT_AROUND) != 0);
}

/* The object of a page-range event, or NULL (slot out of range). */
static struct vm_object *
eng_ev_object(struct eng_cpu *c, const struct pr_event *ev)
{
	return (vm_object_slot(c, ev->obj));
}

static enum eng_skip
eng_dispatch(struct eng_cpu *c, const struct pr_event *ev)
{
	struct vm_object *obj = NULL;
	uint32_t n = 0;

	if (ev->kind != PR_MAP && ev->kind != PR_PAGE_LOOKUP)
		c->fault_seen.mapped = 0;	/* ev_map() */
	switch (ev->kind) {
	case PR_OBJ_CREATE:
	case PR_OBJ_TERMINATE:
	case PR_SENDFILE:
		if ((obj = eng_ev_object(c, ev)) == NULL)
			return (ENG_SKIP_NO_SLOT);
		break;
	case PR_PAGE_INSERT:
	case PR_PAGE_LOOKUP:
	case PR_PAGE_REMOVE:
	case PR_WIRE:
	case PR_UNWIRE:
	case PR_RELEASE:
	case PR_ACTIVATE:
	case PR_DEACTIVATE:
	case PR_REQUEUE:
	case PR_MAP:
	case PR_REMOVE_ALL:
	case PR_REMOVE_WRITE:
		if ((obj = eng_ev_object(c, ev)) == NULL)
			return (ENG_SKIP_NO_SLOT);
		if ((n = eng_ev_npages(ev)) == 0)
			return (ENG_SKIP_RANGE);
		break;
	default:
		break;
	}
	if (ev->kind == PR_DEACTIVATE && (ev->flags & PR_F_HEAD) != 0 &&
	    !eng_advice_honoured(c->e))
		return (ENG_SKIP_NONE);		/* NOREUSE: no kernel work */
	if (eng_ev_direct_io(ev, obj))
		return (ENG_SKIP_NONE);		/* the extract_hold's work */
	if (eng_ev_fault_around(ev)) {
		c->st.fault_around_lookups++;	/* the fault's work */
		return (ENG_SKIP_NONE);
	}
	if (eng_ev_dontneed(ev, obj))
		return (ev_dontneed(c, obj, ev, n));
	if (ev->kind == PR_PAGE_INSERT)
		return (ev_page_insert_read(c, obj, ev, n));
	if (ev->kind == PR_WIRE && c->e->smr_lookups)
		return (ev_wire_unlocked(c, obj, ev, n));
	if (eng_range_ops[ev->kind].op != NULL)
		return (eng_ev_range(c, obj, ev, n, &eng_range_ops[ev->kind]));
	/* The VM layer's and pmap's 1 (skipped) has one cause per kind. */
	switch (ev->kind) {
	case PR_OBJ_CREATE:
		return (vm_object_create(c, obj) ? ENG_SKIP_OBJECT_EXISTS :
		    ENG_SKIP_NONE);
	case PR_OBJ_TERMINATE:
		return (vm_object_terminate(c, obj) ? ENG_SKIP_NO_OBJECT :
		    ENG_SKIP_NONE);
	case PR_PAGE_LOOKUP:
		ev_page_lookup(c, obj, ev->pindex, n);
		return (ENG_SKIP_NONE);
	case PR_PMAP_CREATE:
		return (pmap_ev_create(c, ev->pmap) ? ENG_SKIP_PMAP_EXISTS :
		    ENG_SKIP_NONE);
	case PR_PMAP_DESTROY:
		return (pmap_ev_destroy(c, ev->pmap) ? ENG_SKIP_NO_PMAP :
		    ENG_SKIP_NONE);
	case PR_MAP:
		return (ev_map(c, ev, obj, n));
	case PR_UNMAP:
		return (pmap_ev_remove(c, ev->pmap, ev->addr,
		    ev->npages ? ev->npages : 1) ? ENG_SKIP_NO_PMAP :
		    ENG_SKIP_NONE);
	case PR_EXTRACT_HOLD:
		return (ev_extract_hold(c, ev));
	case PR_PROMOTE:
		return (pmap_ev_promote(c, ev->pmap, ev->addr) ?
		    ENG_SKIP_DECLINED : ENG_SKIP_NONE);
	case PR_DEMOTE:
		return (pmap_ev_demote(c, ev->pmap, ev->addr) ?
		    ENG_SKIP_DECLINED : ENG_SKIP_NONE);
	case PR_SCAN:
		ev_scan(c, ev->arg);
		return (ENG_SKIP_NONE);
	case PR_SENDFILE:
		return (ev_sendfile(c, ev, obj));
	case PR_LOST:
		return (ENG_SKIP_NONE);
	default:
		return (ENG_SKIP_BAD_KIND);
	}
}

enum eng_skip
eng_apply(struct eng_cpu *c, const struct pr_event *ev)
{
	unsigned kind = ev->kind < PR_KIND_COUNT ? ev->kind : PR_LOST;
	enum eng_skip why;

	c->now_ns = ev->time_ns;
	if (ev->kind != PR_PAGE_INSERT)
		c->bio_obj = NULL;	/* ev_page_insert_read()'s buffer */
	why = ev->kind < PR_KIND_COUNT ? eng_dispatch(c, ev) :
	    ENG_SKIP_BAD_KIND;
	c->st.events++;
	c->st.by_kind[kind]++;
	if (why != ENG_SKIP_NONE) {
		c->st.skipped++;
		c->st.skipped_by_kind[kind]++;
		c->st.skipped_by_cause[why]++;
	}
	return (why);
}

/* ------------------------------------------------------ quiesce, check */

/*
 * Drain every CPU's batch queues and free cache, then complete requests
 * that sit in no batch (astate's lazy dequeue of wired pages), so logical
 * and physical queue state agree.  The work is not counted in the
 * statistics.
 */
void
eng_quiesce(struct vm_engine *e)
{
	ENG_SITE_DEFINE;
	struct eng_cpu_stats st;
	struct eng_lkstat *save;
	struct vm_pagequeue *pq;
	struct eng_cpu *c;
	struct vm_page *m;
	vm_page_astate_t a;
	uint64_t i;
	unsigned s;

	vm_pageout_stop(e);
	save = malloc(sizeof(*save));
	if (save == NULL)
		ENG_PANIC("out of memory");
	for (s = 0; s < e->ncpus; s++) {
		c = e->cpus[s];
		memcpy(save, &c->lk, sizeof(*save));
		st = c->st;
		eng_cpu_drain(c);
		if (s == 0)
			for (i = 0; i < e->vm_page_array_size; i++) {
				m = &e->vm_page_array[i];
				a = vm_page_astate_load(m);
				if (VM_PAGE_A_QUEUE(a) == PQ_NONE ||
				    (VM_PAGE_A_FLAGS(a) & PGA_QUEUE_OP_MASK) ==
				    0)
					continue;
				pq = vm_page_pagequeue_m(e, m,
				    VM_PAGE_A_QUEUE(a));
				eng_mtx_lock(&c->lk, &pq->pq_mutex, ENG_HERE);
				vm_pqbatch_process_page(c, pq, m,
				    VM_PAGE_A_QUEUE(a));
				eng_mtx_unlock(&c->lk, &pq->pq_mutex);
			}
		memcpy(&c->lk, save, sizeof(*save));
		c->st = st;
	}
	free(save);
}

/* See engine.h.  No lock held. */
void
eng_cpu_drain(struct eng_cpu *c)
{
	ENG_ASSERT(c->lk.nheld == 0);
	vm_page_pqbatch_drain(c);
	vm_phys_cache_flush(c);
}

static void
eng_check_fail(FILE *out, struct vm_engine *e, struct vm_page *m,
    uint64_t *bad, const char *fmt, ...)
{
	struct vm_object *obj;
	va_list ap;

	obj = atomic_load_explicit(&m->object, memory_order_relaxed);
	fprintf(out, "page %#" PRIx64 " (index %" PRIu64, m->phys_addr,
	    VM_PAGE_TO_INDEX(e, m));
	if (obj != NULL)
		fprintf(out, ", object %" PRIu64 " pindex %" PRIu64,
		    obj->slot, m->pindex);
	fprintf(out, "): ");
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	(*bad)++;
}

struct eng_check_obj {
	struct vm_engine *e;
	struct vm_object *obj;
	FILE		*out;
	uint64_t	*bad;
};

static void
eng_check_obj_page(void *val, void *arg)
{
	struct eng_check_obj *co = arg;
	struct vm_page *m = val;

	if (atomic_load_explicit(&m->object, memory_order_relaxed) !=
	    co->obj)
		eng_check_fail(co->out, co->e, m, co->bad, "indexed by object %" PRIu64
		    " but belongs elsewhere", co->obj->slot);
}

/*
 * Invariants (engine.h).  Single-threaded, after eng_quiesce().  Prints
 * one line per violation; returns their number.
 */
uint64_t
eng_check(struct vm_engine *e, FILE *out)
{
	struct eng_check_obj co;
	struct vm_pagequeue *pq;
	struct vm_object *obj;
	struct vm_page *m;
	vm_page_astate_t a;
	uint64_t i, cnt, *seen;
	uint32_t wired, ref;
	uint64_t bad = 0;
	unsigned q;
	uint8_t st;

	seen = calloc((e->vm_page_array_size + 63) / 64, sizeof(*seen));
	if (seen == NULL)
		ENG_PANIC("out of memory");
	for (q = 0; q < PQ_COUNT * e->vmd.vmd_ncolors; q++) {
		pq = vm_pagequeue_nth(e, (uint8_t)(q / e->vmd.vmd_ncolors),
		    q % e->vmd.vmd_ncolors);
		cnt = 0;
		TAILQ_FOREACH(m, &pq->pq_pl, plinks_q) {
			if ((m->flags & PG_MARKER) != 0)
				continue;
			cnt++;
			i = VM_PAGE_TO_INDEX(e, m);
			seen[i / 64] |= (uint64_t)1 << (i % 64);
			a = vm_page_astate_load(m);
			if (VM_PAGE_A_QUEUE(a) != pq->pq_index ||
			    (VM_PAGE_A_FLAGS(a) & PGA_ENQUEUED) == 0)
				eng_check_fail(out, e, m, &bad, "on the %s queue but "
				    "its state says queue %u%s", pq->pq_name,
				    VM_PAGE_A_QUEUE(a),
				    (VM_PAGE_A_FLAGS(a) & PGA_ENQUEUED) ? "" :
				    " not enqueued");
			else if (vm_page_pagequeue_m(e, m, pq->pq_index) != pq)
				eng_check_fail(out, e, m, &bad, "colour %u but "
				    "on %s sub-queue %u", vm_page_color(e, m),
				    pq->pq_name, q % e->vmd.vmd_ncolors);
		}
		if (cnt != pq->pq_cnt) {
			fprintf(out, "%s queue: %" PRIu64 " pages linked, "
			    "count %" PRIu64 "\n", pq->pq_name, cnt,
			    pq->pq_cnt);
			bad++;
		}
	}
	for (i = 0; i < e->vm_page_array_size; i++) {
		m = &e->vm_page_array[i];
		st = atomic_load_explicit(&m->pstate, memory_order_relaxed);
		a = vm_page_astate_load(m);
		obj = atomic_load_explicit(&m->object, memory_order_relaxed);
		wired = vm_page_wired_count(e, m);
		ref = atomic_load_explicit(&m->ref_count, memory_order_relaxed);
		/*
		 * Every request was processed, but the first wiring's
		 * PGA_DEQUEUE of a wired page in no queue (astate: [FB13]
		 * sets it whatever the queue, and only the last unwiring
		 * clears it).
		 */
		if ((VM_PAGE_A_FLAGS(a) & PGA_QUEUE_OP_MASK) != 0 &&
		    !(VM_PAGE_A_QUEUE(a) == PQ_NONE && wired != 0 &&
		    (VM_PAGE_A_FLAGS(a) & PGA_QUEUE_OP_MASK) == PGA_DEQUEUE))
			eng_check_fail(out, e, m, &bad, "queue request %#x pending "
			    "after quiesce", VM_PAGE_A_FLAGS(a) &
			    PGA_QUEUE_OP_MASK);
		if (((VM_PAGE_A_FLAGS(a) & PGA_ENQUEUED) != 0) !=
		    ((seen[i / 64] >> (i % 64)) & 1))
			eng_check_fail(out, e, m, &bad, "PGA_ENQUEUED %s but %s a "
			    "queue list", (VM_PAGE_A_FLAGS(a) & PGA_ENQUEUED) ?
			    "set" : "clear", ((seen[i / 64] >> (i % 64)) & 1) ?
			    "on" : "not on");
		if (VM_PAGE_A_QUEUE(a) != PQ_NONE &&
		    (VM_PAGE_A_FLAGS(a) & PGA_ENQUEUED) == 0)
			eng_check_fail(out, e, m, &bad, "logically in queue %u but "
			    "not physically", VM_PAGE_A_QUEUE(a));
		if (st != PS_ALLOCATED) {
			if (obj != NULL || wired != 0 || ref != 0 ||
			    VM_PAGE_A_QUEUE(a) != PQ_NONE)
				eng_check_fail(out, e, m, &bad, "free but object %s, "
				    "%u wirings, ref_count %#x, queue %u",
				    obj ? "set" : "NULL", wired, ref,
				    VM_PAGE_A_QUEUE(a));
			if (pmap_page_is_mapped(m))
				eng_check_fail(out, e, m, &bad, "free but mapped");
			/*
			 * No soft busy of a failed validation left (dfly),
			 * and refcount's free pages are VPB_FREED.
			 */
			if (atomic_load_explicit(&m->busy_lock,
			    memory_order_relaxed) != (e->smr_lookups ?
			    VPB_FREED : VPB_UNBUSIED))
				eng_check_fail(out, e, m, &bad, "free but busy "
				    "%#x", atomic_load_explicit(&m->busy_lock,
				    memory_order_relaxed));
			continue;
		}
		if (!e->pagelock && (ref & VPRC_BLOCKED) != 0)
			eng_check_fail(out, e, m, &bad, "VPRC_BLOCKED left set");
		if (atomic_load_explicit(&m->busy_lock, memory_order_relaxed) !=
		    VPB_UNBUSIED)
			eng_check_fail(out, e, m, &bad, "left busy");
		if (VM_PAGE_EVW_COUNT(atomic_load_explicit(&m->ev_wirings,
		    memory_order_relaxed)) > wired)
			eng_check_fail(out, e, m, &bad, "%u event wirings but %u "
			    "wirings", VM_PAGE_EVW_COUNT(atomic_load_explicit(
			    &m->ev_wirings, memory_order_relaxed)), wired);
		if (obj == NULL) {
			/* Every event finished: no holder can free it. */
			eng_check_fail(out, e, m, &bad, "allocated in no object "
			    "(%u wirings): leaked", wired);
			if (pmap_page_is_mapped(m))
				eng_check_fail(out, e, m, &bad, "mapped but in no "
				    "object");
			continue;
		}
		if (!obj->alive)
			eng_check_fail(out, e, m, &bad, "in a terminated object");
		if (vm_phash_lookup(&obj->pages, m->pindex) != m)
			eng_check_fail(out, e, m, &bad, "not found by its object's "
			    "index");
		if (!e->pagelock && (ref & VPRC_OBJREF) == 0)
			eng_check_fail(out, e, m, &bad, "in an object without "
			    "VPRC_OBJREF (ref_count %#x)", ref);
		if (e->pagelock && e->pq->wire == vm_page_dequeue &&
		    wired != 0 &&
		    VM_PAGE_A_QUEUE(a) != PQ_NONE)
			eng_check_fail(out, e, m, &bad, "wired but in queue %u "
			    "(pagelock + locked dequeues at wiring)",
			    VM_PAGE_A_QUEUE(a));
	}
	for (i = 0; i < e->nobjects; i++) {
		obj = &e->objects[i];
		if (obj->pages.ph_cnt != obj->resident_page_count ||
		    (!obj->alive && obj->pages.ph_cnt != 0)) {
			fprintf(out, "object %" PRIu64 ": %" PRIu64 " pages "
			    "indexed, resident count %" PRIu64 "%s\n", i,
			    obj->pages.ph_cnt, obj->resident_page_count,
			    obj->alive ? "" : " (terminated)");
			bad++;
		}
		if (atomic_load_explicit(&obj->pip, memory_order_relaxed) !=
		    0 || atomic_load_explicit(&obj->busy,
		    memory_order_relaxed) != 0 || atomic_load_explicit(
		    &obj->ref_count, memory_order_relaxed) != 0 ||
		    atomic_load_explicit(&obj->hold_count,
		    memory_order_relaxed) != 0) {
			fprintf(out, "object %" PRIu64 ": left with paging in "
			    "progress %u, busy %u, references %u, holds %u\n",
			    i, atomic_load(&obj->pip), atomic_load(&obj->busy),
			    atomic_load(&obj->ref_count),
			    atomic_load(&obj->hold_count));
			bad++;
		}
		co.e = e;
		co.obj = obj;
		co.out = out;
		co.bad = &bad;
		vm_phash_foreach(&obj->pages, eng_check_obj_page, &co);
	}
	free(seen);
	if (e->dfly)
		bad += vm_page_hash_check(e, out);
	return (bad + vm_phys_check(e, out) +
	    pmap_check(e->md, out));
}

/* ---------------------------------------------------------- statistics */

void
eng_stats_collect(struct vm_engine *e, struct eng_stats *out)
{
	const struct eng_cpu_stats *st;
	struct pmap_counters pc;
	unsigned s, k;

	memset(out, 0, sizeof(*out));
	for (s = 0; s < e->ncpus; s++) {
		eng_lkstat_merge(&e->cpus[s]->lk, out->lock, NULL);
		eng_lkstat_merge_inst(&e->cpus[s]->lk, out->inst);
		st = &e->cpus[s]->st;
		out->events += st->events;
		out->skipped += st->skipped;
		for (k = 0; k < PR_KIND_COUNT; k++) {
			out->by_kind[k] += st->by_kind[k];
			out->skipped_by_kind[k] += st->skipped_by_kind[k];
		}
		for (k = 0; k < ENG_SKIP_COUNT; k++)
			out->skipped_by_cause[k] += st->skipped_by_cause[k];
		out->queue_ops += st->queue_ops;
		out->queue_nops += st->queue_nops;
		out->pqstate_commit_retries += st->pqstate_commit_retries;
		out->relock_restarts += st->relock_restarts;
		out->reclaims += st->reclaims;
		out->alloc_failures += st->alloc_failures;
		out->reserv_breaks += st->reserv_breaks;
		out->scan_pages += st->scan_pages;
		out->scan_freed += st->scan_freed;
		out->scan_skipped += st->scan_skipped;
		out->scan_inactive += st->scan_inactive;
		out->scan_active += st->scan_active;
		out->pd_wakeups += st->pd_wakeups;
		out->pd_passes += st->pd_passes;
		out->pd_ooms += st->pd_ooms;
		out->vm_waits += st->vm_waits;
		out->vm_wait_ns += st->vm_wait_ns;
		out->free_find_steps += st->free_find_steps;
		out->free_far_afield += st->free_far_afield;
		out->free_lastq_hits += st->free_lastq_hits;
		out->page_hash_hits += st->page_hash_hits;
		out->page_hash_misses += st->page_hash_misses;
		out->page_hash_fails += st->page_hash_fails;
		out->fault_around_lookups += st->fault_around_lookups;
	}
	pmap_md_counters(e->md, &pc);
	out->pv_restarts = pc.pv_restarts;
	out->pa_restarts = pc.pa_restarts;
	out->hold_fallbacks = pc.hold_fallbacks;
	out->promotions = pc.promotions;
	out->promote_failures = pc.promote_failures;
	out->demotions = pc.demotions;
	out->pv_reclaims = pc.reclaims;
	out->pv_reclaimed = pc.reclaimed;
	out->pv_chunk_allocs = pc.chunk_allocs;
	out->pv_chunk_frees = pc.chunk_frees;
	out->pv_chunk_overcommits = pc.chunk_overcommits;
}

static int
eng_site_row_cmp(const void *a, const void *b)
{
	const struct eng_site_row *x = a, *y = b;

	return (x->acquisitions > y->acquisitions ? -1 :
	    x->acquisitions < y->acquisitions);
}

size_t
eng_stats_sites(struct vm_engine *e, struct eng_site_row *rows, size_t max)
{
	struct eng_site_stats (*sites)[LC_COUNT];
	struct eng_lock_stats *cls;
	struct eng_site_row *all;
	unsigned s, lc, nsites = eng_site_count();
	size_t n = 0;

	sites = calloc(ENG_SITE_MAX, sizeof(*sites));
	cls = calloc(LC_COUNT, sizeof(*cls));
	all = calloc((size_t)ENG_SITE_MAX * LC_COUNT, sizeof(*all));
	if (sites == NULL || cls == NULL || all == NULL)
		ENG_PANIC("out of memory");
	for (s = 0; s < e->ncpus; s++)
		eng_lkstat_merge(&e->cpus[s]->lk, cls, sites);
	for (s = 0; s < nsites && s < ENG_SITE_MAX; s++)
		for (lc = 0; lc < LC_COUNT; lc++) {
			const struct eng_site_stats *ss = &sites[s][lc];

			if (ss->acquisitions == 0 && ss->cas_retries == 0)
				continue;
			all[n].site = eng_site_name(s);
			all[n].lock_class = lc;
			all[n].acquisitions = ss->acquisitions;
			all[n].contended = ss->contended;
			all[n].cas_retries = ss->cas_retries;
			all[n].wait_ns = ss->wait_ns;
			all[n].hold_ns = eng_hold_total(ss->hold_ns,
			    ss->holds_timed, ss->acquisitions,
			    e->params.hold_sample);
			n++;
		}
	qsort(all, n, sizeof(*all), eng_site_row_cmp);
	memcpy(rows, all, (n < max ? n : max) * sizeof(*rows));
	free(all);
	free(cls);
	free(sites);
	return (n);
}

void
eng_stats_reset(struct vm_engine *e)
{
	unsigned s;

	vm_pageout_hold(e);
	for (s = 0; s < e->ncpus; s++) {
		eng_lkstat_reset(&e->cpus[s]->lk);
		memset(&e->cpus[s]->st, 0, sizeof(e->cpus[s]->st));
	}
	pmap_md_counters_reset(e->md);
	vm_pageout_resume(e);
}
