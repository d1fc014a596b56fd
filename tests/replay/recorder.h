/*
 * recorder.h - a replay target for the tests: records, per worker, every
 * event it is given and the CPU it ran on, instead of driving the engine.
 * Events are built so that tid is the stream and pindex the position in it.
 */
#ifndef PR_TEST_RECORDER_H
#define PR_TEST_RECORDER_H

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "plan.h"
#include "run.h"

struct rec_entry {
	uint64_t	obj;
	uint64_t	pmap;
	uint64_t	pindex;
	uint32_t	tid;
	uint8_t		kind;
	int		cpu;		/* sched_getcpu() when applied */
};

/* One worker's log (written by that worker only). */
struct rec_worker {
	struct rec_entry *e;
	size_t		 n, cap;
	unsigned	 slot;
	int		 resets;
};

struct recorder {
	struct rec_worker *w;
	unsigned	 n;
	int		 resets;	/* target reset calls */
};

static inline void *
rec_cpu(void *ctx, unsigned slot)
{
	struct recorder *r = ctx;

	r->w[slot].slot = slot;
	return (&r->w[slot]);
}

static inline int
rec_apply(void *cpu, const struct pr_event *ev)
{
	struct rec_worker *w = cpu;
	struct rec_entry *e;

	if (w->n == w->cap) {
		w->cap = w->cap == 0 ? 1024 : 2 * w->cap;
		w->e = realloc(w->e, w->cap * sizeof(*w->e));
		if (w->e == NULL)
			abort();
	}
	e = &w->e[w->n++];
	e->obj = ev->obj;
	e->pmap = ev->pmap;
	e->pindex = ev->pindex;
	e->tid = ev->tid;
	e->kind = ev->kind;
	e->cpu = sched_getcpu();
	return (ev->kind == PR_UNWIRE);	/* unwires count as skipped */
}

static inline void
rec_reset(void *ctx)
{
	struct recorder *r = ctx;
	unsigned i;

	r->resets++;
	for (i = 0; i < r->n; i++)
		r->w[i].n = 0;
}

static inline void
rec_init(struct recorder *r, unsigned n, struct rp_target *tg)
{
	r->w = calloc(n, sizeof(*r->w));
	r->n = n;
	r->resets = 0;
	tg->ctx = r;
	tg->cpu = rec_cpu;
	tg->apply = rec_apply;
	tg->reset = rec_reset;
}

static inline void
rec_free(struct recorder *r)
{
	unsigned i;

	for (i = 0; i < r->n; i++)
		free(r->w[i].e);
	free(r->w);
}

/*
 * Replay plan p of t once on r (rec_init with p->nworkers), unpinned, as
 * fast as possible.  Returns rp_run's result.
 */
static inline int
rec_replay(const struct rp_trace *t, const struct rp_plan *p,
    struct recorder *r, struct rp_target *tg)
{
	struct rp_run_result res;
	struct rp_run_opts o;
	char err[256];
	int rc;

	memset(&o, 0, sizeof(o));
	o.loops = 1;
	o.pace_factor = 1.0;
	rec_init(r, p->nworkers, tg);
	if ((rc = rp_run(t, p, tg, &o, &res, err, sizeof(err))) == 0)
		rp_run_result_free(&res);
	return (rc);
}

/*
 * A trace of nstreams streams (tid s, object 1000 + s % nobj, pmap 7 + s %
 * 3), stream s having len(s) events with pindex 0, 1, ..., interleaved in
 * time round-robin.  Every 10th event is a map (object and pmap).
 */
static inline void
rec_trace(struct rp_trace *t, unsigned nstreams, unsigned nobj,
    size_t (*len)(unsigned))
{
	struct pr_event *ev;
	size_t n, i, k, pos;
	unsigned s;
	char err[256];

	n = 0;
	for (s = 0; s < nstreams; s++)
		n += len(s);
	ev = calloc(n, sizeof(*ev));
	i = 0;
	for (pos = 0; i < n; pos++) {
		for (s = 0; s < nstreams; s++) {
			if (pos >= len(s))
				continue;
			k = i++;
			ev[k].time_ns = k * 1000;
			ev[k].kind = pos % 10 == 9 ? PR_MAP : PR_PAGE_LOOKUP;
			ev[k].obj = 1000 + s % nobj;
			ev[k].pmap = ev[k].kind == PR_MAP ? 7 + s % 3 : 0;
			ev[k].pindex = pos;
			ev[k].npages = 1;
			ev[k].tid = s;
			ev[k].cpu = s % 4;
		}
	}
	if (rp_trace_adopt(ev, n, t, err, sizeof(err)) != 0)
		abort();
}

#endif /* PR_TEST_RECORDER_H */
