/*
 * load.h - a trace scanned once, then replayed as a stream of frames.
 *
 * Replay never holds a whole trace in memory.  rp_trace_load() decodes
 * every frame once, in parallel (pr_reader_frame), and keeps only what is
 * proportional to the distinct ids, not to the events: the dense slot of
 * every object and pmap id (engine.h "Identity"), the threads and CPUs,
 * events per stream of every partition (plan.h), totals and times, and
 * the state the trace assumes before its first event (prime.h: a pass
 * per scanning thread, its frames' indices as positions, merged once at
 * the end).  A run then decodes the frames again as it replays them (rp_trace_frame,
 * replay/stream.h), each frame's ids remapped through those read-only maps,
 * so that no frame's decode waits on another.
 *
 * A loaded trace is read-only afterwards and shared by every run of a
 * sweep; a trace built from events in memory (rp_trace_adopt: tests,
 * benchmarks) is replayed the same way, in frames of RP_MEM_FRAME events.
 */
#ifndef PR_LOAD_H
#define PR_LOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idmap.h"
#include "prime.h"
#include "trace.h"

#define RP_MEM_FRAME	4096	/* events per frame of an adopted trace */

/*
 * Written by rp_trace_load() / rp_trace_adopt() only; read-only afterwards
 * (any number of threads, rp_trace_frame() included).
 */
struct rp_trace {
	struct pr_header hdr;
	struct pr_reader *r;		/* the file (NULL: adopted events) */
	struct pr_event	*mem;		/* adopted events, original ids */
	size_t		 nev_mem;
	size_t		 nev;		/* events in readable frames */
	size_t		 nframes;	/* frames, readable or not */
	uint64_t	*frame_first;	/* [nframes + 1] trace index of each
					   frame's first event */
	struct rp_idmap	 objs;		/* object id -> slot */
	struct rp_idmap	 pmaps;		/* pmap id -> slot */
	struct rp_idmap	 tids;		/* tid -> tid stream */
	struct rp_idmap	 cpus;		/* CPU -> CPU stream */
	uint64_t	*tid_events;	/* [tids.n] events to replay */
	uint64_t	*cpu_events;	/* [cpus.n] */
	uint64_t	*obj_events;	/* [nobjects] that carry the object */
	uint64_t	*pmap_events;	/* [npmaps] pmap-only */
	uint64_t	 other_events;	/* neither object nor pmap */
	uint64_t	 nobjects;	/* distinct objects (slots) */
	uint64_t	 npmaps;	/* distinct pmaps (slots) */
	uint64_t	 dropped;	/* lost-event records, not replayed */
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
	uint64_t	 decode_ns;	/* wall time of the parallel scan */
	unsigned	 decode_threads;
	uint64_t	 frame_max;	/* most events in one frame */
	struct rp_prime	 prime;		/* the state the trace assumes
					   (finished; dense slots) */
	bool		 fa_infer;	/* fault-around lookups are inferred
					   (rp_trace_frame) */
	uint64_t	 fa_inferred;	/* lookups inferred so */
	uint64_t	*fa_tail;	/* [nfa_tail] ascending: trace index
					   << 1 | inferred, of each unflagged
					   lookup that is its thread's last
					   event in its frame */
	size_t		 nfa_tail;
	atomic_uint_fast64_t pages_memo; /* (a) rp_trace_pages() + 1, 0:
					   not measured yet; the one field
					   written after the load */
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
 * Scan path with up to nthreads threads (see the top of this file).  A
 * frame that fails its checks is left out and counted (bad_frames, error):
 * whether a damaged trace may be used is the caller's decision
 * (rp_trace_damaged).  Returns 0, or -1 with a one-line reason in err.
 */
int	rp_trace_load(const char *path, unsigned nthreads, struct rp_trace *t,
	    char *err, size_t errlen);
/*
 * Build a trace from events in memory (tests, benchmarks): takes ownership
 * of ev (malloc'd) and scans it like rp_trace_load.  0 or -1 with err.
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
 * sequential pass over the frames (read again from the file, as a run
 * reads them) with a hash set, done once and remembered (any thread); 0
 * when out of memory or when a frame no longer reads as the scan read it.
 */
uint64_t rp_trace_pages(const struct rp_trace *t);

/*
 * Fault-around's lookups in an eBPF trace recorded before the recorder
 * flagged them (no note ebpf.fault_around_flag, no lookup flagged
 * PR_F_FAULT_AROUND): rp_trace_load() infers the flag for every page_lookup
 * whose thread's next event is a map, not for writing, of the same object,
 * pindex and npages (docs/capture.md rule F), and rp_trace_frame() hands
 * those lookups out flagged.  The scan decides the lookups whose map lies
 * in a later frame (fa_tail) and counts all (fa_inferred); a frame
 * decides the others itself, with no state proportional to the events.
 */

/*
 * Frame i's events, object and pmap ids replaced by their slots, into the
 * caller's array *evsp of *capp events (NULL, 0 at first; grown as needed,
 * the caller's to free), inferred fault-around lookups flagged (above);
 * *np events (0 on failure).  Any thread, any frames at once.  0,
 * PR_E_CORRUPT for a frame the scan left out too (or that no longer reads
 * as the scan read it), or another enum pr_error.
 */
int	rp_trace_frame(const struct rp_trace *t, size_t i,
	    struct pr_event **evsp, size_t *capp, size_t *np);

/* Whether t lost anything to damage, not just to a cut (truncated). */
bool	rp_trace_damaged(const struct rp_trace *t);

/* MemAvailable from /proc/meminfo in bytes (0 when unknown). */
uint64_t rp_mem_available(void);

#endif /* PR_LOAD_H */
