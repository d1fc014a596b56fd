/*
 * footprint.c - the measuring half of `pagereplay footprint`
 * (eng_footprint(), engine.h): the locks each VM operation takes and the
 * atomics it executes under the chosen designs, read from the engine's own
 * instrumentation counters (nothing here is written by hand).  The command
 * shell (options, usage, printing) is replay/cmd_footprint.c.
 *
 * For each event kind (and the flag variants that change the work done):
 *  - single: one execution on a fresh one-CPU model prepared so the event
 *    does its full work (page resident, wired or mapped as it needs) and
 *    with the batch queues drained, so deferred work shows as 0;
 *  - amortized: the same event on REPS prepared targets run back to back,
 *    totals divided by REPS, so a batch flush shows as 1/N.
 *
 * The variants that allocate or free one page of a shared object keep a
 * neighbour (the page at pindex + 1, in the same 2 MiB reservation), so
 * that the event neither carves its reservation nor empties it: the path
 * 511 of 512 allocations and frees of a file's pages take (under --free
 * pgcache the per-reservation lock alone; carving or emptying one also
 * takes the free lock).  obj_terminate and scan free every page of a
 * fresh object, so they do empty its reservation.
 */
#include <string.h>

#include "vm_internal.h"

#define FP_REPS		ENG_FP_REPS
#define FP_REPS_SUPER	ENG_FP_REPS_SUPER
#define FP_PER_OBJ	128		/* targets sharing one object */

enum fp_prep {
	FP_NONE,
	FP_OBJECT,	/* object created */
	FP_RESIDENT,	/* one page resident (inactive) */
	FP_ACTIVE,	/* resident and active */
	FP_WIRED,	/* resident and wired by a wire event */
	FP_PMAP,	/* pmap created */
	FP_PMAP_PAGE,	/* pmap created, page resident */
	FP_MAPPED,	/* page mapped read-only */
	FP_MAPPED_WRITE,	/* page mapped writeable */
	FP_SUPER,	/* 512 pages mapped in an aligned 2 MiB range, 4 KiB */
	FP_PROMOTED,	/* ... and promoted */
	FP_SCANNABLE,	/* 64 inactive pages */
};

struct fp_variant {
	const char	*name;
	uint8_t		kind;
	uint8_t		flags;
	enum fp_prep	prep;
	bool		fresh_object;	/* one object per repetition */
	bool		neighbour;	/* page pindex + 1 resident too */
};

static const struct fp_variant fp_variants[] = {
	{ "obj_create", PR_OBJ_CREATE, 0, FP_NONE, true, false },
	{ "obj_terminate", PR_OBJ_TERMINATE, 0, FP_RESIDENT, true, false },
	{ "page_insert", PR_PAGE_INSERT, 0, FP_OBJECT, false, true },
	{ "page_lookup", PR_PAGE_LOOKUP, 0, FP_RESIDENT, false, false },
	{ "page_remove", PR_PAGE_REMOVE, 0, FP_RESIDENT, false, true },
	{ "wire", PR_WIRE, 0, FP_RESIDENT, false, false },
	{ "unwire", PR_UNWIRE, 0, FP_WIRED, false, false },
	{ "release", PR_RELEASE, 0, FP_WIRED, false, false },
	{ "release:nocache", PR_RELEASE, PR_F_NOCACHE, FP_WIRED, false, true },
	{ "release:dontneed", PR_RELEASE, PR_F_NOCACHE, FP_ACTIVE, false,
	    false },
	{ "activate", PR_ACTIVATE, 0, FP_RESIDENT, false, false },
	{ "deactivate", PR_DEACTIVATE, 0, FP_ACTIVE, false, false },
	{ "deactivate:head", PR_DEACTIVATE, PR_F_HEAD, FP_ACTIVE, false, false },
	{ "deactivate:inactive", PR_DEACTIVATE, 0, FP_RESIDENT, false, false },
	{ "requeue", PR_REQUEUE, 0, FP_RESIDENT, false, false },
	{ "pmap_create", PR_PMAP_CREATE, 0, FP_NONE, false, false },
	{ "pmap_destroy", PR_PMAP_DESTROY, 0, FP_MAPPED, false, false },
	{ "map", PR_MAP, 0, FP_PMAP_PAGE, false, false },
	{ "map:write", PR_MAP, PR_F_WRITE, FP_PMAP_PAGE, false, false },
	{ "map:new", PR_MAP, 0, FP_PMAP, false, true },
	{ "unmap", PR_UNMAP, 0, FP_MAPPED, false, false },
	{ "remove_all", PR_REMOVE_ALL, 0, FP_MAPPED, false, false },
	{ "remove_write", PR_REMOVE_WRITE, 0, FP_MAPPED_WRITE, false, false },
	{ "extract_hold", PR_EXTRACT_HOLD, 0, FP_MAPPED, false, false },
	{ "promote", PR_PROMOTE, 0, FP_SUPER, true, false },
	{ "demote", PR_DEMOTE, 0, FP_PROMOTED, true, false },
	{ "scan", PR_SCAN, 0, FP_SCANNABLE, true, false },
	{ "sendfile", PR_SENDFILE, 0, FP_RESIDENT, false, false },
	{ "sendfile:nocache", PR_SENDFILE, PR_F_NOCACHE, FP_RESIDENT, false, true },
	{ "sendfile:miss", PR_SENDFILE, 0, FP_OBJECT, false, true },
	{ "lost", PR_LOST, 0, FP_NONE, false, false },
};
#define FP_NVARIANTS	(sizeof(fp_variants) / sizeof(fp_variants[0]))

_Static_assert(FP_NVARIANTS == ENG_FP_NVARIANTS,
    "ENG_FP_NVARIANTS (engine.h) and fp_variants[] disagree");

/* The event of repetition r of a variant, with its target. */
static void
fp_event(const struct fp_variant *v, unsigned r, struct pr_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = v->kind;
	ev->flags = v->flags;
	ev->npages = 1;
	ev->pmap = r;
	if (v->fresh_object) {
		ev->obj = r;
		ev->pindex = 0;
	} else {
		ev->obj = r / FP_PER_OBJ;
		ev->pindex = (r % FP_PER_OBJ) * 4;
	}
	ev->addr = ev->pindex << PAGE_SHIFT;
	switch (v->kind) {
	case PR_PROMOTE:
	case PR_DEMOTE:
		ev->addr = (uint64_t)1 << PDRSHIFT;
		ev->npages = NPDEPG;
		break;
	case PR_SCAN:
		ev->arg = 64;
		break;
	case PR_SENDFILE:
		ev->arg = PAGE_SIZE;
		ev->addr = ev->pindex << PAGE_SHIFT;
		break;
	default:
		break;
	}
}

static void
fp_apply(struct eng_cpu *c, uint8_t kind, const struct pr_event *t,
    uint32_t npages, uint64_t addr, uint8_t flags)
{
	struct pr_event ev = *t;

	ev.kind = kind;
	ev.npages = npages;
	ev.addr = addr;
	ev.flags = flags;
	ev.arg = 0;
	eng_apply(c, &ev);
}

/* Bring the target of repetition r into the state the event needs. */
static void
fp_prepare(struct eng_cpu *c, const struct fp_variant *v, unsigned r)
{
	struct pr_event t;
	uint64_t a;

	fp_event(v, r, &t);
	a = t.pindex << PAGE_SHIFT;
	switch (v->prep) {
	case FP_NONE:
		break;
	case FP_OBJECT:
		fp_apply(c, PR_OBJ_CREATE, &t, 1, 0, 0);
		break;
	case FP_RESIDENT:
		fp_apply(c, PR_PAGE_INSERT, &t, 1, 0, 0);
		break;
	case FP_ACTIVE:
		fp_apply(c, PR_PAGE_INSERT, &t, 1, 0, 0);
		fp_apply(c, PR_ACTIVATE, &t, 1, 0, 0);
		break;
	case FP_WIRED:
		fp_apply(c, PR_WIRE, &t, 1, 0, 0);
		break;
	case FP_PMAP:
		fp_apply(c, PR_PMAP_CREATE, &t, 1, 0, 0);
		break;
	case FP_PMAP_PAGE:
		fp_apply(c, PR_PMAP_CREATE, &t, 1, 0, 0);
		fp_apply(c, PR_PAGE_INSERT, &t, 1, 0, 0);
		break;
	case FP_MAPPED:
	case FP_MAPPED_WRITE:
		fp_apply(c, PR_PMAP_CREATE, &t, 1, 0, 0);
		fp_apply(c, PR_MAP, &t, 1, a,
		    v->prep == FP_MAPPED_WRITE ? PR_F_WRITE : 0);
		break;
	case FP_SUPER:
	case FP_PROMOTED:
		fp_apply(c, PR_PMAP_CREATE, &t, 1, 0, 0);
		fp_apply(c, PR_MAP, &t, NPDEPG, t.addr, PR_F_WRITE);
		/* pmap_enter may have promoted the full run already. */
		fp_apply(c, v->prep == FP_PROMOTED ? PR_PROMOTE : PR_DEMOTE,
		    &t, NPDEPG, t.addr, 0);
		break;
	case FP_SCANNABLE:
		fp_apply(c, PR_PAGE_INSERT, &t, 64, 0, 0);
		break;
	}
	if (v->neighbour) {
		t.pindex++;
		fp_apply(c, PR_PAGE_INSERT, &t, 1, 0, 0);
	}
}

static void
fp_snapshot(const struct eng_cpu *c, struct eng_fp_counts *out)
{
	unsigned lc;

	for (lc = 0; lc < LC_COUNT; lc++) {
		out->acq[lc] = c->lk.cls[lc].acquisitions;
		out->atomics[lc] = c->lk.cls[lc].atomics;
	}
}

static struct vm_engine *
fp_engine(const struct eng_design *d, uint64_t phys, char *err, size_t len)
{
	struct eng_params p;

	memset(&p, 0, sizeof(p));
	p.design = *d;
	p.nslots = 1;
	p.nobjects = FP_REPS + 1;
	p.npmaps = FP_REPS + 1;
	p.phys_pages = phys;
	p.timing = false;
	return (eng_create(&p, err, len));
}

/* Measure one variant: a single execution, then REPS back to back. */
static int
fp_measure(const struct eng_design *d, const struct fp_variant *v,
    struct eng_fp_row *row, char *err, size_t errlen)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	struct pr_event ev;
	struct eng_fp_counts before;
	uint64_t phys;
	unsigned r, lc;

	row->event = v->name;
	row->reps = v->prep == FP_SUPER || v->prep == FP_PROMOTED ?
	    FP_REPS_SUPER : FP_REPS;
	/* A reservation per fresh object, else a few shared ones. */
	phys = (uint64_t)(v->fresh_object ? row->reps + 16 : 64) * NPDEPG;
	if ((e = fp_engine(d, phys, err, errlen)) == NULL)
		return (-1);
	c = eng_cpu(e, 0);
	fp_prepare(c, v, 0);
	eng_quiesce(e);
	fp_snapshot(c, &before);
	fp_event(v, 0, &ev);
	row->single_rv = eng_apply(c, &ev);
	fp_snapshot(c, &row->single);
	for (lc = 0; lc < LC_COUNT; lc++) {
		row->single.acq[lc] -= before.acq[lc];
		row->single.atomics[lc] -= before.atomics[lc];
	}
	eng_destroy(e);

	if ((e = fp_engine(d, phys, err, errlen)) == NULL)
		return (-1);
	c = eng_cpu(e, 0);
	for (r = 0; r < row->reps; r++)
		fp_prepare(c, v, r);
	eng_quiesce(e);
	fp_snapshot(c, &before);
	for (r = 0; r < row->reps; r++) {
		fp_event(v, r, &ev);
		eng_apply(c, &ev);
	}
	fp_snapshot(c, &row->total);
	for (lc = 0; lc < LC_COUNT; lc++) {
		row->total.acq[lc] -= before.acq[lc];
		row->total.atomics[lc] -= before.atomics[lc];
	}
	eng_destroy(e);
	return (0);
}

/*
 * Measure every variant under design d into rows[ENG_FP_NVARIANTS];
 * progress (optional) is called with each variant's name before it runs.
 * Returns 0, or -1 with the reason in err.  Single-threaded; creates and
 * destroys its own engines.
 */
int
eng_footprint(const struct eng_design *d, struct eng_fp_row *rows,
    void (*progress)(const char *event), char *err, size_t errlen)
{
	unsigned i;

	for (i = 0; i < FP_NVARIANTS; i++) {
		if (progress != NULL)
			progress(fp_variants[i].name);
		if (fp_measure(d, &fp_variants[i], &rows[i], err, errlen) != 0)
			return (-1);
	}
	return (0);
}
