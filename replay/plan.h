/*
 * plan.h - who replays what: streams, scaling and the spread over workers.
 *
 * The events of a loaded trace are split into streams (by original thread,
 * CPU or object); each stream keeps its order.  --scale K replicates every
 * stream K times, either on disjoint object and pmap slots ("different
 * files": replica r adds r times the trace's slot counts) or on the same
 * slots ("same files").  The stream replicas are spread over the workers
 * evenly by event count (largest first onto the least loaded worker), and
 * each worker gets one list of items in trace order, so that every stream
 * is replayed by one worker, in order.
 *
 * A plan is built once per run configuration, read-only afterwards.
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

/* One event of a worker's list: the trace event and the replica. */
struct rp_item {
	uint32_t	ev;		/* index into rp_trace.ev */
	uint32_t	replica;	/* 0 .. scale-1 */
};

struct rp_worker_plan {
	struct rp_item	*item;
	size_t		 n;
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
};

const char *rp_partition_name(enum rp_partition p);
int	rp_partition_parse(const char *s, enum rp_partition *p);
const char *rp_scale_mode_name(enum rp_scale_mode m);
int	rp_scale_mode_parse(const char *s, enum rp_scale_mode *m);

/* Bytes a plan of this trace at this scale takes (memory estimate). */
uint64_t rp_plan_bytes(const struct rp_trace *t, unsigned scale);

/* Build a plan; 0, or -1 with a one-line reason in err. */
int	rp_plan_build(const struct rp_trace *t, unsigned nworkers,
	    enum rp_partition part, unsigned scale, enum rp_scale_mode mode,
	    struct rp_plan *p, char *err, size_t errlen);
void	rp_plan_free(struct rp_plan *p);

/*
 * The event an item stands for, with its replica's slot offsets applied.
 * Thread-safe (reads only).
 */
static inline void
rp_plan_event(const struct rp_plan *p, const struct rp_trace *t,
    struct rp_item it, struct pr_event *out)
{
	*out = t->ev[it.ev];
	if (it.replica != 0) {
		if (rp_kind_has_obj(out->kind))
			out->obj += it.replica * p->obj_stride;
		if (rp_kind_has_pmap(out->kind))
			out->pmap += it.replica * p->pmap_stride;
	}
}

#endif /* PR_PLAN_H */
