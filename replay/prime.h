/*
 * prime.h - the state a trace assumes before its first event.
 *
 * A trace starts in the middle of a system's life: it removes, activates,
 * unwires or reads pages that were resident before the recording began,
 * and its first events on them would be skipped by a model that starts
 * empty.  One pass over the trace, in file order (rp_prime_event() once
 * per event), decides from each page's first event what it assumed:
 *
 *   first event                          primed as
 *   page_insert, wire, sendfile          nothing: the trace makes the page
 *   map of an anonymous page (PR_OBJ_ANON) nothing: the fault allocates it
 *   page_lookup, map of a file page      resident and inactive, unless the
 *                                        page's next other event is its
 *                                        page_insert (the read or fault
 *                                        that brought it in)
 *   page_remove, activate, requeue,      resident and inactive
 *   remove_all, remove_write
 *   deactivate                           resident and active
 *   unwire                               resident and wired once
 *   release, deactivate HEAD (noreuse)   not a touch: an advice covers a
 *                                        range, not the pages it finds
 *
 * and an object whose first event is not obj_create existed before: it is
 * created.  rp_prime_finish() turns the decisions into priming events
 * (obj_create, page_insert, activate, wire over runs of pages) that a run
 * applies before its timed part, untimed, once per --scale replica
 * (rp_prime_apply()).  No mapping is primed: only map events say where a
 * page is mapped, and a map is never a page's assumed state.
 *
 * A page's decision needs two of its events only: its first, and its first
 * that is neither a lookup nor a map (what a pending page's next other
 * event is).  The pass keeps, per object, a sorted set of runs of pages
 * ([start, end) pindex ranges, merged as they arrive) that agree on both
 * and on where in the file they were (their positions): its memory is
 * proportional to the runs, not to the pages, and one event of 2^32 - 1
 * pages is one run.  Because positions are kept, the pass can be split:
 * several passes over disjoint parts of the file (the scan's threads,
 * each given its frames in order, a frame's index as the position) are
 * merged by rp_prime_merge() into what one pass over the whole file would
 * have found.
 *
 * Not thread-safe: one owner per pass.  Ids are whatever the events carry
 * (the loader primes on the trace's own ids and remaps the result).
 */
#ifndef PR_PRIME_H
#define PR_PRIME_H

#include <stddef.h>
#include <stdint.h>

#include "trace_event.h"

/* What priming made, per kind of state. */
struct rp_prime_counts {
	uint64_t	objects;	/* created */
	uint64_t	pages;		/* made resident, all states */
	uint64_t	inactive;	/* of them: inactive */
	uint64_t	active;		/* active */
	uint64_t	wired;		/* wired once */
};

struct prime_obj;
struct prime_run;

struct rp_prime {
	/*
	 * The position of the events now passed, set by the owner before
	 * them (0 after rp_prime_init): an event of a lower position came
	 * earlier in the file; events of one position come in file order.
	 */
	uint32_t	 pos;
	/* The pass (rp_prime_event): objects, open addressing. */
	struct prime_obj *obj;
	size_t		 obj_cap;	/* a power of two, or 0 */
	size_t		 nobj;		/* objects seen */
	/* The runs of all objects (index 0 is none), and the free ones. */
	struct prime_run *run;
	uint32_t	 run_cap;
	uint32_t	 nrun;		/* runs ever allocated, + 1 */
	uint32_t	 run_free;	/* a freed run, chained through left */
	uint64_t	 runs;		/* runs held now */
	uint64_t	 runs_max;	/* most runs held at once */
	/* After rp_prime_finish(): */
	struct pr_event	*ev;		/* priming events, objects first,
					   then pages by object and pindex */
	size_t		 nev;
	struct rp_prime_counts cnt;
};

void	rp_prime_init(struct rp_prime *p);
/*
 * Take one event at position p->pos, in file order within that position.
 * 0, or -1 when out of memory.
 */
int	rp_prime_event(struct rp_prime *p, const struct pr_event *ev);
/*
 * Merge pass src into dst, as if dst's pass had taken src's events too;
 * their positions must not overlap (a position's events are all in one of
 * them).  src is left empty.  0, or -1 when out of memory (dst is then
 * only partly merged, and src is freed).
 */
int	rp_prime_merge(struct rp_prime *dst, struct rp_prime *src);
/*
 * End the pass: build p->ev and p->cnt and drop the pass's runs.  0, or
 * -1 when out of memory.
 */
int	rp_prime_finish(struct rp_prime *p);
void	rp_prime_free(struct rp_prime *p);

/*
 * Apply the priming events through apply(cpu, ev) for replicas 0 ..
 * replicas-1, replica r's objects offset by r * obj_stride (the plan's
 * disjoint scale; shared replicas share the objects: pass replicas 1).
 * Returns how many priming events were skipped (0 on an empty model).
 */
uint64_t rp_prime_apply(const struct rp_prime *p, unsigned replicas,
	    uint64_t obj_stride, int (*apply)(void *, const struct pr_event *),
	    void *cpu);

#endif /* PR_PRIME_H */
