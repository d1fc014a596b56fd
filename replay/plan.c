/*
 * plan.c - partition a loaded trace into streams, scale them and spread
 * them over workers (see plan.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"
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

uint64_t
rp_plan_bytes(const struct rp_trace *t, unsigned scale)
{
	/* Items, plus the stream index of each event while building. */
	return ((uint64_t)t->nev * scale * sizeof(struct rp_item) +
	    (uint64_t)t->nev * sizeof(uint32_t));
}

/* The stream key of an event under a partition (before compaction). */
static uint64_t
plan_key(const struct rp_trace *t, const struct pr_event *ev,
    enum rp_partition part)
{
	switch (part) {
	case RP_PART_TID:
		return (ev->tid);
	case RP_PART_CPU:
		return (ev->cpu);
	default:
		if (rp_kind_has_obj(ev->kind))
			return (ev->obj);
		if (rp_kind_has_pmap(ev->kind))
			return (t->nobjects + ev->pmap);
		return (t->nobjects + t->npmaps);
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

int
rp_plan_build(const struct rp_trace *t, unsigned nworkers,
    enum rp_partition part, unsigned scale, enum rp_scale_mode mode,
    struct rp_plan *p, char *err, size_t errlen)
{
	struct rp_idmap streams;
	uint64_t *count, *load, (*unit)[2];
	uint32_t *stream_of, *owner;
	size_t i, u, nunits, best;
	unsigned w, r;
	int64_t s;
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
	if (t->nev > UINT32_MAX) {
		snprintf(err, errlen, "trace has %zu events, more than %u",
		    t->nev, UINT32_MAX);
		return (-1);
	}
	p->obj_stride = mode == RP_SCALE_DISJOINT ? t->nobjects : 0;
	p->pmap_stride = mode == RP_SCALE_DISJOINT ? t->npmaps : 0;
	p->nobjects = mode == RP_SCALE_DISJOINT ? t->nobjects * scale :
	    t->nobjects;
	p->npmaps = mode == RP_SCALE_DISJOINT ? t->npmaps * scale : t->npmaps;

	rc = -1;
	rp_idmap_init(&streams);
	count = load = NULL;
	unit = NULL;
	owner = NULL;
	stream_of = malloc((t->nev + 1) * sizeof(*stream_of));
	p->w = calloc(nworkers, sizeof(*p->w));
	load = calloc(nworkers, sizeof(*load));
	if (stream_of == NULL || p->w == NULL || load == NULL)
		goto nomem;

	/* Pass 1: the stream of every event, and events per stream. */
	for (i = 0; i < t->nev; i++) {
		if (t->ev[i].kind >= PR_LOST) {
			stream_of[i] = UINT32_MAX;
			p->dropped++;
			continue;
		}
		s = rp_idmap_get(&streams, plan_key(t, &t->ev[i], part));
		if (s < 0)
			goto nomem;
		stream_of[i] = (uint32_t)s;
	}
	p->streams = streams.n;
	count = calloc(streams.n + 1, sizeof(*count));
	nunits = streams.n * scale;
	unit = malloc((nunits + 1) * sizeof(*unit));
	owner = malloc((nunits + 1) * sizeof(*owner));
	if (count == NULL || unit == NULL || owner == NULL)
		goto nomem;
	for (i = 0; i < t->nev; i++)
		if (stream_of[i] != UINT32_MAX)
			count[stream_of[i]]++;

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
		owner[unit[u][0] * scale + unit[u][1]] = (uint32_t)best;
	}

	/* Pass 2: every worker's items, in trace order. */
	for (w = 0; w < nworkers; w++) {
		p->w[w].item = malloc((load[w] + 1) * sizeof(struct rp_item));
		if (p->w[w].item == NULL)
			goto nomem;
	}
	for (i = 0; i < t->nev; i++) {
		if (stream_of[i] == UINT32_MAX)
			continue;
		for (r = 0; r < scale; r++) {
			struct rp_worker_plan *wp;

			wp = &p->w[owner[(size_t)stream_of[i] * scale + r]];
			wp->item[wp->n].ev = (uint32_t)i;
			wp->item[wp->n].replica = r;
			wp->n++;
		}
	}
	p->items = (uint64_t)(t->nev - p->dropped) * scale;
	rc = 0;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory building the replay plan "
	    "(%.1f MiB needed)", rp_plan_bytes(t, scale) / 1048576.0);
out:
	rp_idmap_free(&streams);
	free(stream_of);
	free(count);
	free(load);
	free(unit);
	free(owner);
	if (rc != 0)
		rp_plan_free(p);
	return (rc);
}

void
rp_plan_free(struct rp_plan *p)
{
	unsigned w;

	for (w = 0; p->w != NULL && w < p->nworkers; w++)
		free(p->w[w].item);
	free(p->w);
	memset(p, 0, sizeof(*p));
}
