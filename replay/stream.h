/*
 * stream.h - a trace replayed while it is decoded: decoder threads decode
 * its frames in order (rp_trace_frame), split each frame's events by the
 * worker that replays them (plan.h), and put the frame into a window of
 * frames in flight; every worker reads its share of each frame in order
 * through a cursor, and the last worker done with a frame frees its slot
 * for the frame `window` places later.  Memory is the window (frames of
 * at most PR_FRAME_RAW_MAX raw bytes), whatever the trace's length.
 * --loop N reads the file N times (frame sequence numbers run over
 * loops x frames).
 *
 * A decoder never waits on a global structure while it decodes: the maps
 * it reads (load.h, plan.h) are read-only; it waits only for its slot to
 * be free, as a worker waits only for its frame to be decoded.
 */
#ifndef PR_STREAM_H
#define PR_STREAM_H

#include <stdatomic.h>
#include <stdint.h>

#include "load.h"
#include "plan.h"

#define RP_STREAM_DECODERS	2	/* decoder threads by default */
#define RP_STREAM_WINDOW(d)	(2 * (d) + 2)	/* frames in flight */

struct rp_stream;
struct stream_slot;

/* One worker's read position.  Owned by that worker's thread. */
struct rp_cursor {
	struct rp_stream *s;
	unsigned	 worker;
	uint64_t	 seq;		/* frame sequence number to read */
	struct stream_slot *slot;	/* holding seq's slot (NULL: not yet) */
	size_t		 i;		/* next item in the slot's list */
	unsigned	 r;		/* next replica of that item */
};

/*
 * Start `decoders` threads (0: RP_STREAM_DECODERS) over loops passes of
 * t, in a window of `window` frames (0: RP_STREAM_WINDOW(decoders)).  0,
 * or -1 with a one-line reason in err.
 */
int	rp_stream_start(const struct rp_trace *t, const struct rp_plan *p,
	    unsigned loops, unsigned decoders, unsigned window,
	    struct rp_stream **sp, char *err, size_t errlen);
/*
 * The same without decoder threads, for a caller whose cursors all run on
 * its one thread (the simulator, sim_run.h): a cursor decodes the frames
 * it needs itself, so that what it reads never depends on another thread's
 * progress, and the window grows to hold the frames between the slowest
 * cursor and the fastest (rp_cursor_next never waits).  0, or -1 with err.
 */
int	rp_stream_start_inline(const struct rp_trace *t,
	    const struct rp_plan *p, unsigned loops, struct rp_stream **sp,
	    char *err, size_t errlen);
/*
 * After every cursor has left: stop the decoders and free s.  Returns the
 * first decode failure (a frame that does not read back as the scan read
 * it: the file changed) as an enum pr_error with *frame, or 0.
 */
int	rp_stream_stop(struct rp_stream *s, uint64_t *frame);
/*
 * Bytes the window takes at most (frames and item lists) for t replayed
 * on nworkers at scale, with rp_stream_start's decoders and window.
 */
uint64_t rp_stream_bytes(const struct rp_trace *t, unsigned nworkers,
	    unsigned scale, unsigned decoders, unsigned window);

/*
 * rp_stream_stop at the end of a run whose result so far is rc: rc, or -1
 * with the decode failure as a one-line reason in err when rc was 0.
 */
int	rp_stream_close(struct rp_stream *s, int rc, char *err,
	    size_t errlen);

void	rp_cursor_init(struct rp_cursor *c, struct rp_stream *s,
	    unsigned worker);
/*
 * The worker's next event, its replica's offsets applied, and the loop it
 * belongs to.  Returns 1; 0 at the end of the worker's share of every
 * loop; -1, without moving, when *flag is raised while it waits or when
 * the next event of the first loop is at or past trace event index cut
 * (UINT64_MAX: no cut).
 */
int	rp_cursor_next(struct rp_cursor *c, atomic_int *flag, uint64_t cut,
	    struct pr_event *ev, unsigned *loop);
/*
 * The worker reads no more (its share is done, or it stopped): its
 * frames are released, and later frames no longer wait for it.
 */
void	rp_cursor_leave(struct rp_cursor *c);

#endif /* PR_STREAM_H */
