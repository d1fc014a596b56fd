/*
 * plan.h - who replays what: streams, scaling and the spread over workers.
 *
 * The events of a loaded trace are split into streams (by original thread,
 * CPU or object: the events the scan counted per id, load.h); each stream
 * keeps its order.  --scale K replicates every stream K times, either on
 * disjoint object and pmap slots ("different files": replica r adds r
 * times the trace's slot counts) or on the same slots ("same files").
 * The stream replicas are spread over the workers evenly by event count
 * (largest first onto the least loaded worker), so that every stream
 * replica is replayed by one worker, in trace order, as the frames stream
 * by (replay/stream.h).  A plan's size is proportional
 * to the streams, never to the events.
 *
 * A plan is built once per run configuration, read-only afterwards (any
 * number of threads).
 */
#ifndef PR_PLAN_H
#define PR_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "load.h"

enum rp_partition {
	RP_PART_TID = 0,	/* original thread (default) */
	RP_PART_CPU,		/* original CPU */
	RP_PART_OBJECT,		/* object; pmap-only events by pmap */
	RP_PART_COUNT
};

enum rp_scale_mode {
	RP_SCALE_DISJOINT = 0,	/* replicas on fresh objects and pmaps */
	RP_SCALE_SHARED,	/* replicas on the same objects and pmaps */
	RP_SCALE_COUNT
};

#define RP_SCALE_MAX	1024

struct rp_worker_plan {
	uint64_t	 n;		/* events it replays per loop */
	uint64_t	 streams;	/* stream replicas given to it */
};

struct rp_plan {
	unsigned	 nworkers;
	struct rp_worker_plan *w;	/* [nworkers] */
	enum rp_partition partition;
	unsigned	 scale;
	enum rp_scale_mode scale_mode;
	uint64_t	 nobjects;	/* engine object slots */
	uint64_t	 npmaps;	/* engine pmap slots */
	uint64_t	 obj_stride;	/* slots per replica (0: shared) */
	uint64_t	 pmap_stride;
	uint64_t	 streams;	/* distinct streams in the trace */
	uint64_t	 items;		/* events to replay per loop */
	uint64_t	 dropped;	/* lost-event records, not replayed */
	uint32_t	*stream_of;	/* [partition key] its stream */
	uint32_t	*owner;		/* [stream * scale + replica] worker */
	uint32_t	*wl_off;	/* [streams + 1] into wl: */
	uint32_t	*wl;		/* each stream's workers, distinct */
};

const char *rp_partition_name(enum rp_partition p);
int	rp_partition_parse(const char *s, enum rp_partition *p);
const char *rp_scale_mode_name(enum rp_scale_mode m);
int	rp_scale_mode_parse(const char *s, enum rp_scale_mode *m);

/* Build a plan; 0, or -1 with a one-line reason in err. */
int	rp_plan_build(const struct rp_trace *t, unsigned nworkers,
	    enum rp_partition part, unsigned scale, enum rp_scale_mode mode,
	    struct rp_plan *p, char *err, size_t errlen);
void	rp_plan_free(struct rp_plan *p);

/*
 * The stream of ev (its ids already slots, rp_trace_frame), or UINT32_MAX
 * for an event that is not replayed (lost-event records).  Reads only.
 */
static inline uint32_t
rp_plan_stream(const struct rp_plan *p, const struct rp_trace *t,
    const struct pr_event *ev)
{
	int64_t k;

	if (ev->kind >= PR_LOST)
		return (UINT32_MAX);
	switch (p->partition) {
	case RP_PART_TID:
		k = rp_idmap_find(&t->tids, ev->tid);
		break;
	case RP_PART_CPU:
		k = rp_idmap_find(&t->cpus, ev->cpu);
		break;
	default:
		k = rp_kind_has_obj(ev->kind) ? (int64_t)ev->obj :
		    rp_kind_has_pmap(ev->kind) ? (int64_t)(t->nobjects +
		    ev->pmap) : (int64_t)(t->nobjects + t->npmaps);
		break;
	}
	return (k < 0 ? UINT32_MAX : p->stream_of[k]);
}

/*
 * ev as replica `replica` replays it: the replica's slot offsets applied.
 * Reads only.
 */
static inline void
rp_plan_event(const struct rp_plan *p, const struct pr_event *ev,
    unsigned replica, struct pr_event *out)
{
	*out = *ev;
	if (replica != 0) {
		if (rp_kind_has_obj(out->kind))
			out->obj += replica * p->obj_stride;
		if (rp_kind_has_pmap(out->kind))
			out->pmap += replica * p->pmap_stride;
	}
}

#endif /* PR_PLAN_H */
