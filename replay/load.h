/*
 * load.h - a whole trace decoded into memory, once, before anything is
 * timed: frames are decoded in parallel (pr_reader_frame) so that decoding
 * never limits a replay, and object and pmap ids are remapped in place to
 * the dense slots the engine wants (engine.h "Identity").
 *
 * A loaded trace is read-only afterwards and shared by every run of a sweep.
 */
#ifndef PR_LOAD_H
#define PR_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prime.h"
#include "trace.h"

struct rp_trace {
	struct pr_header hdr;
	struct pr_event	*ev;		/* events in file order; obj and
					   pmap are dense slots */
	size_t		 nev;
	uint64_t	 nobjects;	/* distinct objects (slots) */
	uint64_t	 npmaps;	/* distinct pmaps (slots) */
	uint64_t	 lost;		/* events the recorder lost */
	bool		 truncated;	/* cut short: complete frames only */
	uint64_t	 frames;	/* frames decoded */
	uint64_t	 bad_frames;	/* frames that failed their checks,
					   left out */
	int		 error;		/* the reader's first error (enum
					   pr_error; 0: none), as
					   pr_reader_status has it after the
					   decode: PR_E_TRUNCATED for a cut
					   file, else damage */
	uint64_t	 error_frame;	/* that error's frame */
	uint64_t	 error_offset;	/* and byte offset */
	uint64_t	 first_ns;	/* smallest event time */
	uint64_t	 span_ns;	/* last minus first event time */
	uint64_t	 decode_ns;	/* wall time of the parallel decode */
	unsigned	 decode_threads;
	struct rp_prime	 prime;		/* the state the trace assumes
					   (finished; dense slots) */
};

/* Which ids a kind carries (trace.h comments on enum pr_kind). */
#define RP_KIND_BIT(k)	(1u << (k))
#define RP_KINDS_OBJ	(RP_KIND_BIT(PR_OBJ_CREATE) | \
	RP_KIND_BIT(PR_OBJ_TERMINATE) | RP_KIND_BIT(PR_PAGE_INSERT) | \
	RP_KIND_BIT(PR_PAGE_LOOKUP) | RP_KIND_BIT(PR_PAGE_REMOVE) | \
	RP_KIND_BIT(PR_WIRE) | RP_KIND_BIT(PR_UNWIRE) | \
	RP_KIND_BIT(PR_RELEASE) | RP_KIND_BIT(PR_ACTIVATE) | \
	RP_KIND_BIT(PR_DEACTIVATE) | RP_KIND_BIT(PR_REQUEUE) | \
	RP_KIND_BIT(PR_MAP) | RP_KIND_BIT(PR_REMOVE_ALL) | \
	RP_KIND_BIT(PR_REMOVE_WRITE) | RP_KIND_BIT(PR_SENDFILE))
#define RP_KINDS_PMAP	(RP_KIND_BIT(PR_PMAP_CREATE) | \
	RP_KIND_BIT(PR_PMAP_DESTROY) | RP_KIND_BIT(PR_MAP) | \
	RP_KIND_BIT(PR_UNMAP) | RP_KIND_BIT(PR_EXTRACT_HOLD) | \
	RP_KIND_BIT(PR_PROMOTE) | RP_KIND_BIT(PR_DEMOTE))
_Static_assert(PR_KIND_COUNT <= 32, "kind masks are 32 bits");

static inline bool
rp_kind_has_obj(unsigned kind)
{
	return (kind < PR_KIND_COUNT &&
	    (RP_KINDS_OBJ & RP_KIND_BIT(kind)) != 0);
}

static inline bool
rp_kind_has_pmap(unsigned kind)
{
	return (kind < PR_KIND_COUNT &&
	    (RP_KINDS_PMAP & RP_KIND_BIT(kind)) != 0);
}

/*
 * Decode path with up to nthreads threads and remap its ids.  Refuses, with
 * the figures, when the decoded events would not fit in mem_limit bytes
 * (0: no limit).  A frame that fails its checks is left out and counted
 * (bad_frames, error): whether a damaged trace may be used is the caller's
 * decision (rp_trace_damaged).  Returns 0, or -1 with a one-line reason in
 * err.
 */
int	rp_trace_load(const char *path, unsigned nthreads, uint64_t mem_limit,
	    struct rp_trace *t, char *err, size_t errlen);
/*
 * Build a trace from events in memory (tests, benchmarks): takes ownership
 * of ev (malloc'd) and remaps it like rp_trace_load.  0 or -1 with err.
 */
int	rp_trace_adopt(struct pr_event *ev, size_t nev, struct rp_trace *t,
	    char *err, size_t errlen);
void	rp_trace_free(struct rp_trace *t);

/*
 * The trace's resident footprint: the peak number of pages resident at
 * once if memory were unlimited, counting from the pages priming makes
 * resident before the run (prime.h).  A page becomes resident when an
 * allocating event names it (page_insert, page_lookup, wire, map,
 * sendfile: the kinds that grab an absent page) and stops being so at its
 * page_remove or its object's obj_terminate; other frees (SF_NOCACHE,
 * release with nocache) are not followed, so this is an upper bound.  One
 * pass with a hash set; 0 when out of memory.
 */
uint64_t rp_trace_pages(const struct rp_trace *t);

/* Whether t lost anything to damage, not just to a cut (truncated). */
bool	rp_trace_damaged(const struct rp_trace *t);

/* MemAvailable from /proc/meminfo in bytes (0 when unknown). */
uint64_t rp_mem_available(void);

#endif /* PR_LOAD_H */
