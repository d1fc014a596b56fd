/*
 * plan.c - partition a loaded trace into streams, scale them and spread
 * them over workers (see plan.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

static const char *const partition_names[RP_PART_COUNT] = {
	[RP_PART_TID] = "tid",
	[RP_PART_CPU] = "cpu",
	[RP_PART_OBJECT] = "object",
};

static const char *const scale_mode_names[RP_SCALE_COUNT] = {
	[RP_SCALE_DISJOINT] = "disjoint",
	[RP_SCALE_SHARED] = "shared",
};

/* Index of s in names[0..n), or -1. */
static int
name_index(const char *const *names, unsigned n, const char *s)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return ((int)i);
	return (-1);
}

const char *
rp_partition_name(enum rp_partition p)
{
	return (p < RP_PART_COUNT ? partition_names[p] : "?");
}

int
rp_partition_parse(const char *s, enum rp_partition *p)
{
	int i;

	if ((i = name_index(partition_names, RP_PART_COUNT, s)) < 0)
		return (-1);
	*p = (enum rp_partition)i;
	return (0);
}

const char *
rp_scale_mode_name(enum rp_scale_mode m)
{
	return (m < RP_SCALE_COUNT ? scale_mode_names[m] : "?");
}

int
rp_scale_mode_parse(const char *s, enum rp_scale_mode *m)
{
	int i;

	if ((i = name_index(scale_mode_names, RP_SCALE_COUNT, s)) < 0)
		return (-1);
	*m = (enum rp_scale_mode)i;
	return (0);
}

/*
 * The events of every partition key (load.h's counts): thread or CPU
 * streams, or objects, then pmap-only events by pmap, then the rest.
 * Returns the keys; *counts points into t or at a new array (*owned).
 */
static size_t
plan_keys(const struct rp_trace *t, enum rp_partition part,
    const uint64_t **counts, uint64_t **owned)
{
	size_t n;

	*owned = NULL;
	switch (part) {
	case RP_PART_TID:
		*counts = t->tid_events;
		return (t->tids.n);
	case RP_PART_CPU:
		*counts = t->cpu_events;
		return (t->cpus.n);
	default:
		n = t->nobjects + t->npmaps + 1;
		if ((*owned = malloc(n * sizeof(**owned))) == NULL)
			return (SIZE_MAX);
		if (t->nobjects > 0)
			memcpy(*owned, t->obj_events, t->nobjects *
			    sizeof(**owned));
		if (t->npmaps > 0)
			memcpy(*owned + t->nobjects, t->pmap_events,
			    t->npmaps * sizeof(**owned));
		(*owned)[n - 1] = t->other_events;
		*counts = *owned;
		return (n);
	}
}

/*
 * Larger streams first; equal ones by stream then replica (stable).  arg is
 * the event count per stream.
 */
static int
unit_cmp(const void *a, const void *b, void *arg)
{
	const uint64_t *ua = a, *ub = b, *count = arg;
	uint64_t ca, cb;

	ca = count[ua[0]];
	cb = count[ub[0]];
	if (ca != cb)
		return (ca > cb ? -1 : 1);
	if (ua[0] != ub[0])
		return (ua[0] < ub[0] ? -1 : 1);
	return (ua[1] < ub[1] ? -1 : ua[1] > ub[1]);
}

/* Each stream's distinct workers (wl_off, wl) from the owner table. */
static int
plan_worker_lists(struct rp_plan *p)
{
	uint32_t *seen, w;
	size_t s, r, n;

	p->wl_off = malloc((p->streams + 1) * sizeof(*p->wl_off));
	p->wl = malloc((p->streams * p->scale + 1) * sizeof(*p->wl));
	seen = calloc(p->nworkers, sizeof(*seen));
	if (p->wl_off == NULL || p->wl == NULL || seen == NULL) {
		free(seen);
		return (-1);
	}
	n = 0;
	for (s = 0; s < p->streams; s++) {
		p->wl_off[s] = (uint32_t)n;
		for (r = 0; r < p->scale; r++) {
			w = p->owner[s * p->scale + r];
			if (seen[w] != s + 1) {
				seen[w] = (uint32_t)(s + 1);
				p->wl[n++] = w;
			}
		}
	}
	p->wl_off[p->streams] = (uint32_t)n;
	free(seen);
	return (0);
}

int
rp_plan_build(const struct rp_trace *t, unsigned nworkers,
    enum rp_partition part, unsigned scale, enum rp_scale_mode mode,
    struct rp_plan *p, char *err, size_t errlen)
{
	const uint64_t *kcount;
	uint64_t *owned, *count, *load, (*unit)[2];
	size_t k, u, nkeys, nunits, best;
	unsigned w;
	int rc;

	memset(p, 0, sizeof(*p));
	p->nworkers = nworkers;
	p->partition = part;
	p->scale = scale;
	p->scale_mode = mode;
	if (nworkers < 1 || scale < 1 || scale > RP_SCALE_MAX ||
	    part >= RP_PART_COUNT || mode >= RP_SCALE_COUNT) {
		snprintf(err, errlen, "bad plan parameters");
		return (-1);
	}
	p->obj_stride = mode == RP_SCALE_DISJOINT ? t->nobjects : 0;
	p->pmap_stride = mode == RP_SCALE_DISJOINT ? t->npmaps : 0;
	p->nobjects = mode == RP_SCALE_DISJOINT ? t->nobjects * scale :
	    t->nobjects;
	p->npmaps = mode == RP_SCALE_DISJOINT ? t->npmaps * scale : t->npmaps;
	p->dropped = t->dropped;

	rc = -1;
	count = load = NULL;
	unit = NULL;
	nkeys = plan_keys(t, part, &kcount, &owned);
	if (nkeys == SIZE_MAX)
		goto nomem;
	p->stream_of = malloc((nkeys + 1) * sizeof(*p->stream_of));
	count = malloc((nkeys + 1) * sizeof(*count));
	p->w = calloc(nworkers, sizeof(*p->w));
	load = calloc(nworkers, sizeof(*load));
	if (p->stream_of == NULL || count == NULL || p->w == NULL ||
	    load == NULL)
		goto nomem;
	/* The keys with events are the streams, in key order. */
	for (k = 0; k < nkeys; k++) {
		p->stream_of[k] = kcount[k] > 0 ? (uint32_t)p->streams :
		    UINT32_MAX;
		if (kcount[k] > 0)
			count[p->streams++] = kcount[k];
	}
	nunits = p->streams * scale;
	unit = malloc((nunits + 1) * sizeof(*unit));
	p->owner = malloc((nunits + 1) * sizeof(*p->owner));
	if (unit == NULL || p->owner == NULL)
		goto nomem;

	/* Largest stream replica first, onto the least loaded worker. */
	for (u = 0; u < nunits; u++) {
		unit[u][0] = u / scale;
		unit[u][1] = u % scale;
	}
	qsort_r(unit, nunits, sizeof(*unit), unit_cmp, count);
	for (u = 0; u < nunits; u++) {
		best = 0;
		for (w = 1; w < nworkers; w++)
			if (load[w] < load[best])
				best = w;
		load[best] += count[unit[u][0]];
		p->w[best].streams++;
		p->owner[unit[u][0] * scale + unit[u][1]] = (uint32_t)best;
	}
	for (w = 0; w < nworkers; w++) {
		p->w[w].n = load[w];
		p->items += load[w];
	}
	if (plan_worker_lists(p) != 0)
		goto nomem;
	rc = 0;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory building the replay plan");
out:
	free(owned);
	free(count);
	free(load);
	free(unit);
	if (rc != 0)
		rp_plan_free(p);
	return (rc);
}

void
rp_plan_free(struct rp_plan *p)
{
	free(p->w);
	free(p->stream_of);
	free(p->owner);
	free(p->wl_off);
	free(p->wl);
	memset(p, 0, sizeof(*p));
}
